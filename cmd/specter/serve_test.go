package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
)

// serveRefusal is a `specter serve` command line that must be refused.
type serveRefusal struct {
	name string
	args []string
	want string
}

// requireServeRefuses runs each command line and expects exit code 2,
// nothing on stdout and exactly want (one line) on stderr.
func requireServeRefuses(t *testing.T, cases []serveRefusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd("", tc.args...)
			require.Equal(t, 2, code)
			require.Empty(t, out)
			require.Equal(t, tc.want, errOut)
		})
	}
}

func TestServeBadInputExitsTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	requireServeRefuses(t, []serveRefusal{
		{"listen without a port", []string{"serve", "--data-dir", dir, "--listen", "localhost"}, "specter serve: --listen \"localhost\" is not host:port, such as 127.0.0.1:25441\n"},
		{"unknown tor mode", []string{"serve", "--data-dir", dir, "--tor", "onion"}, "specter serve: --tor \"onion\": use none, builtin or custom\n"},
		{"stray argument", []string{"serve", "--data-dir", dir, "now"}, "specter serve: unexpected argument \"now\": serve takes only flags\n"},
	})
}

func TestServeHelpListsFlagsAndExitsZero(t *testing.T) {
	code, _, errOut := runCmd("", "serve", "-h")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(errOut, "Usage: specter serve [flags]\n"), errOut)
	require.Contains(t, errOut, "-listen string")
	require.Contains(t, errOut, "SPECTER_RPC_TIMEOUT")
}

// TestServeStopsGracefullyOnSIGTERM runs `specter serve` in a child process
// (this test binary, re-executed), waits for /healthz, sends SIGTERM and
// expects a clean exit with the shutdown logged.
func TestServeStopsGracefullyOnSIGTERM(t *testing.T) {
	if os.Getenv("SPECTER_TEST_SERVE_CHILD") == "1" {
		os.Exit(run([]string{"serve"}, os.Stdin, os.Stdout, os.Stderr))
	}
	ports, err := regtest.FreePorts(1)
	require.NoError(t, err)
	listen := fmt.Sprintf("127.0.0.1:%d", ports[0])
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeStopsGracefullyOnSIGTERM$")
	cmd.Env = append(os.Environ(), "SPECTER_TEST_SERVE_CHILD=1", "HOME="+dir,
		"SPECTER_DATA_DIR="+filepath.Join(dir, "state"), "SPECTER_LISTEN="+listen, "SPECTER_LOG_FORMAT=json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + listen + "/healthz")
		if err == nil {
			resp.Body.Close()
			require.Equal(t, 200, resp.StatusCode)
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("specter serve did not answer: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, stderr.String())
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("specter serve did not stop on SIGTERM:\n%s", stderr.String())
	}
	log := stderr.String()
	require.Contains(t, log, `"msg":"relay listening","addr":"`+listen+`"`)
	require.Contains(t, log, `"msg":"shutting down"`)
	require.Contains(t, log, `"msg":"stopped"`)
	st, err := os.Stat(filepath.Join(dir, "state", "config.json"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
}
