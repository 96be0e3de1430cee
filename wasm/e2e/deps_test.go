//go:build unix

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEngineDoesNotLinkNetHTTP keeps net/http (and with it crypto/tls, about
// 6 MB of WebAssembly) out of the browser engine: it reaches the relay with
// fetch through syscall/js (wasm/relay).
func TestEngineDoesNotLinkNetHTTP(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	cmd := exec.Command("go", "list", "-deps", "./wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	deps := strings.Fields(string(out))
	require.NotContains(t, deps, "net/http")
	require.NotContains(t, deps, "crypto/tls")
	require.Contains(t, deps, "github.com/specterpwa/specter/wasm/relay", "the check looks at the real engine")
}
