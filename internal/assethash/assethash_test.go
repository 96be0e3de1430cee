package assethash

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNameInsertsTheContentHashBeforeTheExtension(t *testing.T) {
	data := []byte("\x00asm engine")
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])[:16]
	for _, tc := range []struct{ name, want string }{
		{"wasm/engine.wasm", "wasm/engine." + h + ".wasm"},
		{"app.js", "app." + h + ".js"},
		{"vendor/jsQR.LICENSE", "vendor/jsQR." + h + ".LICENSE"},
		{"LICENSE", "LICENSE." + h},
		{"v1.2/LICENSE", "v1.2/LICENSE." + h},
	} {
		require.Equal(t, tc.want, Name(tc.name, data), tc.name)
	}
	require.Equal(t, h, Sum(data))
	require.Equal(t, Name("wasm/engine.wasm", data), NameOfSum("wasm/engine.wasm", sum))
	require.NotEqual(t, Name("app.js", data), Name("app.js", []byte("other")))
}
