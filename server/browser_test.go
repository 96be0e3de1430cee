package server

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestShellPageShowsRelayStatusInChromium loads the embedded page in headless
// Chromium (installed by `make deps`) under the relay's real CSP: app.js must
// run, fetch /healthz and the auth status and show them in the status bar,
// with no CSP violation logged.
func TestShellPageShowsRelayStatusInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (make deps installs it): skipping the browser check")
	}
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	base := startRelay(t, cfg).base

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=5000", "--dump-dom", base+"/")
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	require.Contains(t, string(dom), `<span id="relay-state" data-state="ok">Relay: reachable</span>`)
	require.Contains(t, string(dom), `<span id="user-state">Relay needs an admin</span>`)
	require.NotContains(t, stderr.String(), "Content Security Policy")
	require.NotContains(t, stderr.String(), "Refused to")
}

// limitedBuffer keeps the first 1 MiB of a process's output.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 1<<20 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }
