package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/server"
	"github.com/specterpwa/specter/server/demo"
	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/server/users"
)

func TestServeNodeFlagsAreSplitFromTheRelayFlags(t *testing.T) {
	cases := []struct {
		name       string
		args       []string
		mine, rest []string
	}{
		{"none", []string{"--listen", "127.0.0.1:1"}, nil, []string{"--listen", "127.0.0.1:1"}},
		{"separate values", []string{"--demo", "off", "--listen", "127.0.0.1:1", "-node", "http://x:1", "--tor-publish"},
			[]string{"--demo", "off", "-node", "http://x:1"}, []string{"--listen", "127.0.0.1:1", "--tor-publish"}},
		{"equals values", []string{"--node-user=u", "--data-dir=/d", "--node-password=p=q"},
			[]string{"--node-user=u", "--node-password=p=q"}, []string{"--data-dir=/d"}},
		{"relay flag values and stray arguments stay", []string{"--data-dir", "/d", "--demo", "on", "now", "--node", "x"},
			[]string{"--demo", "on", "--node", "x"}, []string{"--data-dir", "/d", "now"}},
		{"double dash ends the flags", []string{"--", "--node", "x"}, nil, []string{"--", "--node", "x"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var f nodeFlags
			mine, rest := f.split(tc.args)
			require.Equal(t, tc.mine, mine)
			require.Equal(t, tc.rest, rest)
		})
	}
}

func TestServeNodeFlagsRefuseBadValues(t *testing.T) {
	dir := t.TempDir()
	requireServeRefuses(t, []serveRefusal{
		{"unknown demo mode", []string{"serve", "--data-dir", dir, "--demo", "maybe"}, "specter serve: --demo \"maybe\": use auto, on or off\n"},
		{"user without node", []string{"serve", "--data-dir", dir, "--node-user", "u"}, "specter serve: --node-user, --node-password, --node-cookie and --node-network need --node URL\n"},
		{"negative interval", []string{"serve", "--data-dir", dir, "--demo-mine-interval=-1s"}, "specter serve: --demo-mine-interval must not be negative\n"},
	})
	code, _, errOut := runCmd("", "serve", "-h")
	require.Equal(t, 0, code)
	require.Contains(t, errOut, "Node selection (not kept in config.json")
	require.Contains(t, errOut, "-demo string")
	require.Contains(t, errOut, "-node-cookie string")
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveChild is `specter serve` in a child process (this test binary,
// re-executed), configured through SPECTER_* variables.
type serveChild struct {
	t      *testing.T
	base   string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan error
}

func startServeChild(t *testing.T, testName, home, dataDir string, env ...string) *serveChild {
	t.Helper()
	ports, err := regtest.FreePorts(1)
	require.NoError(t, err)
	listen := fmt.Sprintf("127.0.0.1:%d", ports[0])
	c := &serveChild{t: t, base: "http://" + listen, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	c.cmd = exec.Command(os.Args[0], "-test.run=^"+testName+"$")
	c.cmd.Env = append(os.Environ(), "SPECTER_TEST_DEMO_CHILD=1", "HOME="+home,
		"SPECTER_DATA_DIR="+dataDir, "SPECTER_LISTEN="+listen, "SPECTER_LOG_FORMAT=json")
	c.cmd.Env = append(c.cmd.Env, env...)
	c.cmd.Stderr = c.stderr
	require.NoError(t, c.cmd.Start())
	go func() { c.exited <- c.cmd.Wait() }()
	t.Cleanup(func() { _ = c.cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(c.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return c
		}
		select {
		case err := <-c.exited:
			t.Fatalf("specter serve exited: %v\n%s", err, c.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("specter serve did not answer: %v\n%s", err, c.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *serveChild) stop() string {
	c.t.Helper()
	require.NoError(c.t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-c.exited:
		require.NoError(c.t, err, c.stderr.String())
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		c.t.Fatalf("specter serve did not stop on SIGTERM:\n%s", c.stderr.String())
	}
	return c.stderr.String()
}

var setupToken = regexp.MustCompile(`\n    (\S+)\n`)

type apiClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (a *apiClient) do(method, path, body string) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	require.NoError(a.t, err)
	req.Header.Set("Content-Type", "application/json")
	if a.csrf != "" {
		req.Header.Set(users.CSRFHeader, a.csrf)
	}
	resp, err := a.c.Do(req)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(a.t, err)
	return resp.StatusCode, string(raw)
}

// admin creates the admin with the setup token the child printed, or logs
// in when the data dir has one already.
func (c *serveChild) admin(setup bool) *apiClient {
	c.t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(c.t, err)
	a := &apiClient{t: c.t, base: c.base, c: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
	path, body := "/api/auth/login", `{"username":"admin","password":"correct horse battery"}`
	want := http.StatusOK
	if setup {
		m := setupToken.FindStringSubmatch(c.stderr.String())
		require.NotNil(c.t, m, c.stderr.String())
		path, body = "/api/auth/setup", fmt.Sprintf(`{"token":%q,"username":"admin","password":"correct horse battery"}`, m[1])
		want = http.StatusCreated
	}
	code, raw := a.do(http.MethodPost, path, body)
	require.Equal(c.t, want, code, raw)
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	require.NoError(c.t, json.Unmarshal([]byte(raw), &out))
	a.csrf = out.CSRF
	return a
}

// TestServeDemoModeAndNodeFlag runs `specter serve` three times on one data
// dir: with no node (demo auto: the demo node is registered, /api/demo needs
// a session and answers the demo wallets, POST /api/demo/mine mines); again
// (the demo chain is reused, not paid again); then with --node pointing at
// another btcd (the demo is skipped and its stale entry removed, /api/demo
// says demo mode is off).
func TestServeDemoModeAndNodeFlag(t *testing.T) {
	if os.Getenv("SPECTER_TEST_DEMO_CHILD") == "1" {
		os.Exit(run([]string{"serve"}, os.Stdin, os.Stdout, os.Stderr))
	}
	if testing.Short() {
		t.Skip("starts btcd nodes")
	}
	bin, err := regtest.EnsureBtcd()
	require.NoError(t, err)
	home := t.TempDir()
	dataDir := filepath.Join(home, "state")

	// 1. No node configured, none detected (HOME has no ~/.bitcoin): demo.
	c := startServeChild(t, "TestServeDemoModeAndNodeFlag", home, dataDir, "SPECTER_DEMO_BTCD="+bin)
	code, _ := (&apiClient{t: t, base: c.base, c: http.DefaultClient}).do(http.MethodGet, "/api/demo", "")
	require.Equal(t, http.StatusUnauthorized, code, "/api/demo is behind the session check")
	a := c.admin(true)
	code, body := a.do(http.MethodGet, "/api/demo", "")
	require.Equal(t, http.StatusOK, code, body)
	var info demo.Info
	require.NoError(t, json.Unmarshal([]byte(body), &info))
	want, err := demo.Wallets()
	require.NoError(t, err)
	require.True(t, info.Enabled)
	require.Equal(t, "regtest", info.Network)
	require.Equal(t, "demo-node-regtest", info.NodeID)
	require.Equal(t, demo.Warning, info.Warning)
	require.Len(t, info.Wallets, 2)
	require.Equal(t, want[0].Descriptor, info.Wallets[0].Descriptor)
	require.Equal(t, want[1].Descriptor, info.Wallets[1].Descriptor)
	code, body = a.do(http.MethodGet, "/api/nodes", "")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `"name":"Demo node (REGTEST)"`)
	code, body = a.do(http.MethodPost, "/api/nodes/demo-node-regtest/rpc", `{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]}`)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, fmt.Sprintf(`"result":%d`, demo.InitialHeight+1), "the relay proxies the demo node")
	code, body = a.do(http.MethodPost, "/api/demo/mine", `{"blocks":2}`)
	require.Equal(t, http.StatusOK, code, body)
	var mined struct {
		Height int32 `json:"height"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &mined))
	require.Equal(t, int32(demo.InitialHeight+3), mined.Height)
	log := c.stop()
	require.Contains(t, log, `"msg":"Demo mode: a local REGTEST node with demo wallets (coins have no value)"`)
	require.Contains(t, log, `"funded_now":true`)
	require.Contains(t, log, `"msg":"demo: btcd stopped"`)

	// 2. Restart: the demo chain is restored, not paid again.
	c = startServeChild(t, "TestServeDemoModeAndNodeFlag", home, dataDir, "SPECTER_DEMO_BTCD="+bin)
	a = c.admin(false)
	code, body = a.do(http.MethodPost, "/api/demo/mine", "")
	require.Equal(t, http.StatusOK, code, body)
	require.NoError(t, json.Unmarshal([]byte(body), &mined))
	require.Equal(t, int32(demo.InitialHeight+4), mined.Height)
	log = c.stop()
	require.Contains(t, log, `"funded_now":false`)
	require.Contains(t, log, `"msg":"demo: restored the saved regtest chain","height":443`)

	// 3. --node given (through SPECTER_NODE*): no demo.
	node := regtest.Start(t)
	c = startServeChild(t, "TestServeDemoModeAndNodeFlag", home, dataDir, "SPECTER_DEMO_BTCD="+bin,
		"SPECTER_NODE="+node.URL, "SPECTER_NODE_USER="+node.User, "SPECTER_NODE_PASSWORD="+node.Password)
	a = c.admin(false)
	code, body = a.do(http.MethodGet, "/api/demo", "")
	require.Equal(t, http.StatusOK, code, body)
	require.JSONEq(t, `{"enabled":false}`, body)
	code, body = a.do(http.MethodGet, "/api/nodes", "")
	require.Equal(t, http.StatusOK, code, body)
	var list []struct {
		ID, Name, URL, Network string
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Len(t, list, 1)
	require.Equal(t, "node-node", list[0].ID)
	require.Equal(t, "Node (--node)", list[0].Name)
	require.Equal(t, node.URL, list[0].URL)
	require.Equal(t, "regtest", list[0].Network, "the network is asked from the node")
	log = c.stop()
	require.Contains(t, log, `"msg":"using the node given with --node"`)
	require.Contains(t, log, `"msg":"demo mode off: removed the demo node entry of an earlier run"`)
	require.NotContains(t, log, "Demo mode:")
}

// TestServeDetectsALocalBitcoinCoreCookie: with a Bitcoin Core cookie in the
// Bitcoin data dir and no node configured, auto mode registers that node
// (server/nodes' cookie auto-detection) instead of starting the demo.
func TestServeDetectsALocalBitcoinCoreCookie(t *testing.T) {
	dir := t.TempDir()
	bitcoinDir := filepath.Join(dir, "bitcoin")
	require.NoError(t, os.MkdirAll(filepath.Join(bitcoinDir, "regtest"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(bitcoinDir, "regtest", ".cookie"), []byte("__cookie__:abc"), 0o600))
	cfg := server.DefaultConfig()
	cfg.DataDir, cfg.BitcoinDir = filepath.Join(dir, "state"), bitcoinDir
	m, err := nodes.Open(cfg.DataDir, nodes.Options{BitcoinDir: bitcoinDir})
	require.NoError(t, err)
	var logBuf lockedBuffer
	f := nodeFlags{demo: "auto", btcd: filepath.Join(dir, "no-btcd")}
	d, err := f.chooseNode(context.Background(), m, cfg, slog.New(slog.NewTextHandler(&logBuf, nil)))
	require.NoError(t, err)
	require.Nil(t, d)
	list := m.List()
	require.Len(t, list, 1)
	require.Equal(t, "Bitcoin Core (local regtest)", list[0].Name)
	require.Equal(t, "http://127.0.0.1:18443", list[0].URL)
	require.Equal(t, "cookie", list[0].Auth)
	require.Equal(t, filepath.Join(bitcoinDir, "regtest", ".cookie"), list[0].CookieFile)
	require.Contains(t, logBuf.String(), "using the local Bitcoin Core node found by its RPC cookie")
	require.NotContains(t, logBuf.String(), "Demo mode")

	// --demo off with nothing configured: no node, no demo.
	empty, err := nodes.Open(filepath.Join(dir, "other"), nodes.Options{BitcoinDir: filepath.Join(dir, "none")})
	require.NoError(t, err)
	cfg.BitcoinDir = filepath.Join(dir, "none")
	f = nodeFlags{demo: "off"}
	d, err = f.chooseNode(context.Background(), empty, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	require.Nil(t, d)
	require.Empty(t, empty.List())

	// auto without btcd: a warning, the relay goes on without a node; on:
	// an error saying how to install btcd.
	logBuf = lockedBuffer{}
	f = nodeFlags{demo: "auto", btcd: filepath.Join(dir, "no-btcd")}
	cfg.DataDir = filepath.Join(dir, "other")
	d, err = f.chooseNode(context.Background(), empty, cfg, slog.New(slog.NewTextHandler(&logBuf, nil)))
	require.NoError(t, err)
	require.Nil(t, d)
	require.Contains(t, logBuf.String(), "demo mode could not start; the relay runs without a node")
	f.demo = "on"
	_, err = f.chooseNode(context.Background(), empty, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.ErrorContains(t, err, "demo mode: the btcd binary "+filepath.Join(dir, "no-btcd"))
}
