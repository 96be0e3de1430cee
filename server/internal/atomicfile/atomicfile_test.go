package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteReplacesFileWithMode0600AndLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))

	require.NoError(t, Write(path, []byte(`{"a":1}`), 0o600))

	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, `{"a":1}`, string(got))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, "config.json", entries[0].Name())
}

func TestWriteIntoMissingDirectoryFailsAndExplains(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "x.json")
	err := Write(path, []byte("x"), 0o600)
	require.Error(t, err)
	require.Contains(t, err.Error(), "writing "+path+": creating a temporary file in "+filepath.Dir(path))
}
