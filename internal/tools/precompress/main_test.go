package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/require"
)

func TestDirWritesRoundTrippingSiblingsOnlyWhereTheyHelp(t *testing.T) {
	dir := t.TempDir()
	js := []byte(strings.Repeat("console.log('specter');\n", 200))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "wasm"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.js"), js, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "wasm", "engine.wasm"), js, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tiny.css"), []byte("a{}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "icon.png"), js, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "gone.js.br"), []byte("stale"), 0o644))

	var log bytes.Buffer
	require.NoError(t, Dir(dir, 5, &log))

	for _, name := range []string{"app.js", "wasm/engine.wasm"} {
		gz, err := os.ReadFile(filepath.Join(dir, name+".gz"))
		require.NoError(t, err)
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		require.Equal(t, js, plain)

		br, err := os.ReadFile(filepath.Join(dir, name+".br"))
		require.NoError(t, err)
		plain, err = io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
		require.NoError(t, err)
		require.Equal(t, js, plain)
	}
	for _, absent := range []string{"tiny.css.gz", "tiny.css.br", "icon.png.gz", "icon.png.br", "gone.js.br"} {
		_, err := os.Stat(filepath.Join(dir, absent))
		require.ErrorIs(t, err, os.ErrNotExist, absent)
	}
	require.Contains(t, log.String(), "removed "+filepath.Join(dir, "gone.js.br")+" (its source is gone)\n")

	// A second run leaves up-to-date siblings alone; a newer source is redone.
	log.Reset()
	require.NoError(t, Dir(dir, 5, &log))
	require.Equal(t, "", log.String())
	later := time.Now().Add(time.Minute)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "app.js"), later, later))
	require.NoError(t, Dir(dir, 5, &log))
	require.Contains(t, log.String(), filepath.Join(dir, "app.js.gz")+": 4800 -> ")
	require.Contains(t, log.String(), filepath.Join(dir, "app.js.br")+": 4800 -> ")
	require.NotContains(t, log.String(), "engine.wasm")
}
