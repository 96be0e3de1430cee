package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	specter "github.com/specterpwa/specter"
	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/server/users"
)

// cheapKDF keeps Argon2id fast in tests; the relay uses users.DefaultKDF.
var cheapKDF = users.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}

// syncBuffer is a console the relay writes to from its own goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testRelay is a relay started with Run on a free loopback port.
type testRelay struct {
	base    string
	console *syncBuffer
	stop    context.CancelFunc
	wait    func() error
}

func startRelay(t *testing.T, cfg Config) *testRelay {
	t.Helper()
	if cfg.Listen == DefaultListen {
		ports, err := regtest.FreePorts(1)
		require.NoError(t, err)
		cfg.Listen = fmt.Sprintf("127.0.0.1:%d", ports[0])
	}
	_, port, _ := strings.Cut(cfg.Listen, ":")
	tr := &testRelay{base: "http://127.0.0.1:" + port, console: &syncBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	tr.stop = cancel
	done := make(chan struct{})
	var runErr error
	go func() {
		defer close(done)
		runErr = Run(ctx, cfg, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)),
			Options{Console: tr.console, Users: users.Options{KDF: cheapKDF}})
	}()
	tr.wait = func() error {
		<-done
		return runErr
	}
	deadline := time.Now().Add(time.Minute) // a bound for a loaded machine
	for {
		select {
		case <-done:
			t.Fatalf("the relay stopped at once: %v", runErr)
		default:
		}
		resp, err := http.Get(tr.base + "/healthz")
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
	return tr
}

// session is a logged-in API client: cookies in a jar, CSRF header on
// unsafe requests.
type session struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newSession(t *testing.T, base string) *session {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &session{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (s *session) do(method, path, body string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	require.NoError(s.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.csrf != "" {
		req.Header.Set(users.CSRFHeader, s.csrf)
	}
	resp, err := s.c.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp.StatusCode, string(raw)
}

func (s *session) auth(path, body string, want int) {
	s.t.Helper()
	status, raw := s.do("POST", path, body)
	require.Equal(s.t, want, status, raw)
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	require.NoError(s.t, json.Unmarshal([]byte(raw), &out))
	require.NotEmpty(s.t, out.CSRF)
	s.csrf = out.CSRF
}

var tokenLine = regexp.MustCompile(`\n    (\S+)\n`)

// setupAdmin creates the admin with the token the relay printed.
func setupAdmin(t *testing.T, tr *testRelay) *session {
	t.Helper()
	m := tokenLine.FindStringSubmatch(tr.console.String())
	require.NotNil(t, m, "the relay prints the setup token: %q", tr.console.String())
	admin := newSession(t, tr.base)
	admin.auth("/api/auth/setup", fmt.Sprintf(`{"token":%q,"username":"admin","password":"correct horse battery"}`, m[1]), http.StatusCreated)
	return admin
}

func TestRelayEndToEndWithUsersNodesProxyAndGracefulShutdown(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(2)
	// A hop in front of btcd holds getbestblockhash until the test lets it
	// go, which keeps a request open during the shutdown.
	held := make(chan struct{}, 1)
	release := make(chan struct{})
	slowBtcd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"getbestblockhash"`) {
			select {
			case held <- struct{}{}:
			default:
			}
			<-release
		}
		req, _ := http.NewRequest("POST", btcd.URL, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
	}))
	defer slowBtcd.Close()

	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.ShutdownTimeout = Duration(time.Minute) // a bound for a loaded machine, not a measure
	tr := startRelay(t, cfg)

	st, err := os.Stat(filepath.Join(cfg.DataDir, ConfigFileName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// Before setup the API is closed; the console shows the one-time token.
	anon := newSession(t, tr.base)
	status, body := anon.do("GET", "/api/nodes", "")
	require.Equal(t, http.StatusUnauthorized, status, body)
	require.Contains(t, tr.console.String(), "No admin account yet. Open the relay in a browser and create the admin with this one-time setup token:")
	admin := setupAdmin(t, tr)

	status, body = admin.do("POST", "/api/nodes", fmt.Sprintf(`{"name":"local btcd","url":%q,"network":"regtest","user":%q,"password":%q}`, slowBtcd.URL, btcd.User, btcd.Password))
	require.Equal(t, http.StatusCreated, status, body)
	require.NotContains(t, body, btcd.Password)

	status, body = admin.do("POST", "/api/nodes/local-btcd/rpc", `[{"id":1,"method":"getblockcount"},{"id":2,"method":"stop"}]`)
	require.Equal(t, 200, status, body)
	var out []struct {
		Result json.RawMessage
		Error  *struct{ Code int }
	}
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	require.Len(t, out, 2)
	require.JSONEq(t, "2", string(out[0].Result))
	require.Equal(t, -32001, out[1].Error.Code)

	// Without the CSRF header the same session is refused.
	noCSRF := *admin
	noCSRF.csrf = ""
	status, body = noCSRF.do("POST", "/api/nodes/local-btcd/rpc", `{"id":1,"method":"getblockcount"}`)
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, body, `"error":"missing CSRF token"`)

	// Graceful shutdown: a request in flight when the relay is told to stop
	// still gets its answer, and Run returns nil.
	type answer struct {
		status int
		body   string
	}
	inflight := make(chan answer, 1)
	go func() {
		s, b := admin.do("POST", "/api/nodes/local-btcd/rpc", `{"id":1,"method":"getbestblockhash"}`)
		inflight <- answer{s, b}
	}()
	<-held // the request is in the relay, waiting for the node
	tr.stop()
	// Let the node answer only once the relay no longer accepts connections,
	// so the answer is sent during the shutdown.
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for guard := time.Now().Add(2 * time.Minute); ; {
		resp, err := probe.Get(tr.base + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		require.True(t, time.Now().Before(guard), "the relay still accepts connections 2 minutes after it was told to stop")
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	a := <-inflight
	require.Equal(t, 200, a.status)
	require.JSONEq(t, fmt.Sprintf(`{"result":%s,"error":null,"id":1}`, btcd.MustRPC("getbestblockhash")), a.body)
	require.NoError(t, tr.wait())
	_, err = http.Get(tr.base + "/healthz")
	require.Error(t, err, "the relay no longer listens")
}

func TestUsersSeeOnlyTheNodesTheAdminAllows(t *testing.T) {
	btcd := regtest.Start(t)
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	tr := startRelay(t, cfg)
	admin := setupAdmin(t, tr)
	status, body := admin.do("POST", "/api/nodes", fmt.Sprintf(`{"name":"btcd","url":%q,"network":"regtest","user":%q,"password":%q}`, btcd.URL, btcd.User, btcd.Password))
	require.Equal(t, http.StatusCreated, status, body)
	status, body = admin.do("POST", "/api/auth/users", `{"username":"bob","password":"bobs long password","admin":false,"nodes":[]}`)
	require.Equal(t, http.StatusCreated, status, body)

	bob := newSession(t, tr.base)
	bob.auth("/api/auth/login", `{"username":"bob","password":"bobs long password"}`, http.StatusOK)
	status, body = bob.do("GET", "/api/nodes", "")
	require.Equal(t, 200, status)
	require.JSONEq(t, `[]`, body)
	status, body = bob.do("POST", "/api/nodes/btcd/rpc", `{"id":1,"method":"getblockcount"}`)
	require.Equal(t, 404, status)
	require.JSONEq(t, `{"error":"no node with id \"btcd\"","kind":"not_found"}`, body)
	status, _ = bob.do("DELETE", "/api/nodes/btcd", "")
	require.Equal(t, http.StatusForbidden, status)
	status, body = bob.do("GET", "/api/tor", "")
	require.Equal(t, http.StatusForbidden, status)
	require.JSONEq(t, `{"error":"only an admin may see the Tor settings"}`, body)

	status, body = admin.do("PATCH", "/api/auth/users/bob", `{"nodes":["btcd"]}`)
	require.Equal(t, 200, status, body)
	status, body = bob.do("POST", "/api/nodes/btcd/rpc", `{"id":1,"method":"getblockcount"}`)
	require.Equal(t, 200, status, body)
	require.JSONEq(t, `{"result":0,"error":null,"id":1}`, body)
	status, body = bob.do("GET", "/api/nodes", "")
	require.Equal(t, 200, status)
	require.Contains(t, body, `"id":"btcd"`)

	status, body = admin.do("GET", "/api/tor", "")
	require.Equal(t, 200, status)
	require.JSONEq(t, `{"mode":"none","running":false,"bootstrap_percent":0,"circuit_established":false}`, body)
}

func TestPriceIsServedFromTheConfiguredProvider(t *testing.T) {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "bitcoin", r.URL.Query().Get("ids"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"bitcoin":{%q:12345.6}}`, r.URL.Query().Get("vs_currencies"))
	}))
	defer provider.Close()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.PriceProvider = "coingecko"
	cfg.PriceURL = provider.URL
	tr := startRelay(t, cfg)
	admin := setupAdmin(t, tr)
	status, body := admin.do("GET", "/api/price?currency=eur", "")
	require.Equal(t, 200, status, body)
	var q struct {
		Currency string  `json:"currency"`
		Price    float64 `json:"price"`
		Stale    bool    `json:"stale"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &q))
	require.Equal(t, "eur", q.Currency)
	require.Equal(t, 12345.6, q.Price)
	require.False(t, q.Stale)
}

func TestExposureNeedsAnAdminPassword(t *testing.T) {
	ports, err := regtest.FreePorts(1)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Listen = fmt.Sprintf("0.0.0.0:%d", ports[0])
	run := func(cfg Config) error {
		return Run(context.Background(), cfg, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Console: io.Discard, Users: users.Options{KDF: cheapKDF}})
	}
	err = run(cfg)
	require.EqualError(t, err, fmt.Sprintf("refusing to listen on 0.0.0.0:%d: it is not a loopback address and no admin password is set yet; start once on 127.0.0.1, create the admin with the setup token, then restart with --listen 0.0.0.0:%d", ports[0], ports[0]))

	pub := cfg
	pub.Listen = DefaultListen
	pub.Tor = "builtin"
	pub.TorPublish = true
	err = run(pub)
	require.EqualError(t, err, "refusing to publish an onion service: no admin password is set yet; start once without --tor-publish, create the admin with the setup token, then restart with it")

	// Once an admin exists, the relay serves on every interface.
	m, err := users.Open(cfg.DataDir, users.Options{KDF: cheapKDF})
	require.NoError(t, err)
	_, err = m.Setup(m.SetupToken(), "admin", "correct horse battery", "127.0.0.1")
	require.NoError(t, err)
	tr := startRelay(t, cfg)
	resp, err := http.Get(tr.base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.NotContains(t, tr.console.String(), "setup token")
}

func TestRunReportsABusyPort(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	tr := startRelay(t, cfg)
	cfg2 := cfg
	cfg2.DataDir = t.TempDir()
	cfg2.Listen = strings.TrimPrefix(tr.base, "http://")
	err := Run(context.Background(), cfg2, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Console: io.Discard})
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "listening on "+cfg2.Listen+" (is another relay running? choose another --listen): "), err.Error())
}

func TestTorBuiltinPublishesAPersistentOnionAddress(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Tor = "builtin"
	cfg.TorPublish = true
	m, err := users.Open(cfg.DataDir, users.Options{KDF: cheapKDF})
	require.NoError(t, err)
	_, err = m.Setup(m.SetupToken(), "admin", "correct horse battery", "127.0.0.1")
	require.NoError(t, err)

	onion := func() string {
		tr := startRelay(t, cfg)
		admin := newSession(t, tr.base)
		admin.auth("/api/auth/login", `{"username":"admin","password":"correct horse battery"}`, http.StatusOK)
		status, body := admin.do("GET", "/api/tor", "")
		require.Equal(t, 200, status, body)
		var st struct {
			Mode    string `json:"mode"`
			Running bool   `json:"running"`
			Version string `json:"version"`
			Onion   string `json:"onion"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &st))
		require.Equal(t, "builtin", st.Mode)
		require.True(t, st.Running, body)
		require.NotEmpty(t, st.Version)
		require.Regexp(t, `^[a-z2-7]{56}\.onion$`, st.Onion)
		tr.stop()
		require.NoError(t, tr.wait())
		return st.Onion
	}
	first := onion()
	key, err := os.Stat(filepath.Join(cfg.DataDir, "tor", OnionKeyFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), key.Mode().Perm())
	require.Equal(t, first, onion(), "the onion address survives a restart")
}
