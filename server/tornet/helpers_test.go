package tornet

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// requireTor returns the real tor binary. Without it the test is skipped on a
// developer machine and fails on CI (CI=true), where scripts/install-test-deps.sh
// installs Debian's tor.
func requireTor(t *testing.T) string {
	t.Helper()
	bin, err := FindTorBinary("")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("skipping: the tor binary is not installed (/usr/bin/tor); run `make deps` or apt-get install tor to run the Tor tests (on CI this fails instead)")
		}
		t.Fatalf("CI is set but tor is not installed: %v", err)
	}
	return bin
}

// torVersion is what `tor --version` prints ("Tor version 0.4.9.11." -> "0.4.9.11").
func torVersion(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	line, _, _ := strings.Cut(string(out), "\n")
	v, ok := strings.CutPrefix(strings.TrimSpace(line), "Tor version ")
	require.True(t, ok, "unexpected tor --version output %q", out)
	return strings.TrimSuffix(v, ".")
}

// ownTor starts a tor process the test owns (the "existing tor" of custom
// mode) and returns its control address.
func ownTor(t *testing.T, bin string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	portFile := filepath.Join(dir, "control-port")
	torrc := filepath.Join(dir, "torrc")
	require.NoError(t, os.WriteFile(torrc, nil, 0o600))
	all := append([]string{"-f", torrc, "--DataDirectory", filepath.Join(dir, "data"), "--hush",
		"--SocksPort", "127.0.0.1:auto ExtendedErrors",
		"--ControlPort", "127.0.0.1:auto", "--ControlPortWriteToFile", portFile}, args...)
	cmd := exec.Command(bin, all...)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	var addr string
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(portFile)
		if err != nil {
			return false
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			if a, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "PORT="); ok {
				addr = a
				return true
			}
		}
		return false
	}, time.Minute, 20*time.Millisecond, "tor did not write its control port")
	return addr
}

// hashPassword runs `tor --hash-password` for a HashedControlPassword.
func hashPassword(t *testing.T, bin, pw string) string {
	t.Helper()
	out, err := exec.Command(bin, "--quiet", "--hash-password", pw).Output()
	require.NoError(t, err)
	lines := strings.Fields(string(out))
	require.NotEmpty(t, lines)
	h := lines[len(lines)-1]
	require.True(t, strings.HasPrefix(h, "16:"), "unexpected tor --hash-password output %q", out)
	return h
}
