package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	specter "github.com/specterpwa/specter"
	"github.com/specterpwa/specter/internal/regtest"
)

// startRelay runs the relay with Run on a free loopback port and returns its
// base URL, a stop function and a function that waits for Run's result.
func startRelay(t *testing.T, cfg Config) (string, context.CancelFunc, func() error) {
	t.Helper()
	ports, err := regtest.FreePorts(1)
	require.NoError(t, err)
	cfg.Listen = fmt.Sprintf("127.0.0.1:%d", ports[0])
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var runErr error
	go func() {
		defer close(done)
		runErr = Run(ctx, cfg, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	wait := func() error {
		<-done
		return runErr
	}
	base := "http://" + cfg.Listen
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "the relay did not start: %v", err)
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return base, cancel, wait
}

func TestRelayEndToEndWithBtcdAndGracefulShutdown(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(2)
	// A slow hop in front of btcd keeps a request open during the shutdown.
	u, err := url.Parse(btcd.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Slow") == "" {
			body, _ := io.ReadAll(r.Body)
			if strings.Contains(string(body), `"getbestblockhash"`) {
				time.Sleep(500 * time.Millisecond)
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			r.ContentLength = int64(len(body))
		}
		rp.ServeHTTP(w, r)
	}))
	defer slow.Close()

	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.ShutdownTimeout = Duration(5 * time.Second)
	base, stop, wait := startRelay(t, cfg)

	st, err := os.Stat(filepath.Join(cfg.DataDir, ConfigFileName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	body := fmt.Sprintf(`{"name":"local btcd","url":%q,"network":"regtest","user":%q,"password":%q}`, slow.URL, btcd.User, btcd.Password)
	resp, err := http.Post(base+"/api/nodes", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(raw))
	require.NotContains(t, string(raw), btcd.Password)

	resp, err = http.Post(base+"/api/nodes/local-btcd/rpc", "application/json", strings.NewReader(`[{"id":1,"method":"getblockcount"},{"id":2,"method":"stop"}]`))
	require.NoError(t, err)
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	var out []struct {
		Result json.RawMessage
		Error  *struct{ Code int }
	}
	require.NoError(t, json.Unmarshal(raw, &out))
	require.Len(t, out, 2)
	require.JSONEq(t, "2", string(out[0].Result))
	require.Equal(t, -32001, out[1].Error.Code)

	// Graceful shutdown: a request in flight when the relay is told to stop
	// still gets its answer, and Run returns nil.
	type answer struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan answer, 1)
	go func() {
		resp, err := http.Post(base+"/api/nodes/local-btcd/rpc", "application/json", strings.NewReader(`{"id":1,"method":"getbestblockhash"}`))
		if err != nil {
			inflight <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		inflight <- answer{status: resp.StatusCode, body: string(b)}
	}()
	time.Sleep(150 * time.Millisecond)
	stop()
	a := <-inflight
	require.NoError(t, a.err)
	require.Equal(t, 200, a.status)
	require.JSONEq(t, fmt.Sprintf(`{"result":%s,"error":null,"id":1}`, btcd.MustRPC("getbestblockhash")), a.body)
	require.NoError(t, wait())
	_, err = http.Get(base + "/healthz")
	require.Error(t, err, "the relay no longer listens")
}

func TestRunRefusesNonLoopbackWithoutAdminPassword(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Listen = "0.0.0.0:0"
	err := Run(context.Background(), cfg, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.EqualError(t, err, "refusing to listen on 0.0.0.0:0: it is not a loopback address and the relay has no admin password to protect it; listen on 127.0.0.1 or reach it through Tor")
}

func TestRunReportsABusyPort(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	base, _, _ := startRelay(t, cfg)
	cfg2 := cfg
	cfg2.DataDir = t.TempDir()
	cfg2.Listen = strings.TrimPrefix(base, "http://")
	err := Run(context.Background(), cfg2, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "listening on "+cfg2.Listen+" (is another relay running? choose another --listen): "), err.Error())
}
