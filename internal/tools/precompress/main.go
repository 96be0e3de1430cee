// Command precompress writes brotli (RFC 7932) and gzip (RFC 1952) siblings
// (NAME.br, NAME.gz) of the PWA's compressible files, so that the relay serves
// them precompressed to browsers whose Accept-Encoding allows it. It skips
// siblings newer than their source, files where compression gains less than
// 10%, and removes siblings whose source is gone. `make build` runs it on web/
// before embedding:
//
//	go run ./internal/tools/precompress web
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/andybalholm/brotli"
)

// compressible are the extensions worth compressing; images and fonts in
// web/ are compressed formats already.
var compressible = map[string]bool{
	".html": true, ".js": true, ".mjs": true, ".css": true, ".wasm": true, ".json": true,
	".webmanifest": true, ".svg": true, ".txt": true, ".map": true, ".xml": true, ".ico": true,
}

// minSize is the smallest file worth a sibling: below it the headers cost more.
const minSize = 512

func main() {
	level := flag.Int("brotli-level", 11, "brotli quality, 0 (fast) to 11 (smallest)")
	quiet := flag.Bool("q", false, "print nothing but errors")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: precompress [-brotli-level N] [-q] DIR...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	out := io.Writer(os.Stdout)
	if *quiet {
		out = io.Discard
	}
	for _, dir := range flag.Args() {
		if err := Dir(dir, *level, out); err != nil {
			fmt.Fprintln(os.Stderr, "precompress:", err)
			os.Exit(1)
		}
	}
}

// Dir precompresses every compressible file under dir.
func Dir(dir string, brotliLevel int, log io.Writer) error {
	var sources, siblings []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch ext := filepath.Ext(path); {
		case ext == ".br" || ext == ".gz":
			if compressible[filepath.Ext(strings.TrimSuffix(path, ext))] {
				siblings = append(siblings, path)
			}
		case compressible[ext]:
			sources = append(sources, path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walking %s: %w", dir, err)
	}
	for _, s := range siblings {
		base := strings.TrimSuffix(s, filepath.Ext(s))
		if _, err := os.Stat(base); errors.Is(err, os.ErrNotExist) {
			if err := os.Remove(s); err != nil {
				return err
			}
			fmt.Fprintf(log, "removed %s (its source is gone)\n", s)
		}
	}
	for _, src := range sources {
		if err := File(src, brotliLevel, log); err != nil {
			return err
		}
	}
	return nil
}

// File writes src.gz and src.br when they are missing or older than src.
func File(src string, brotliLevel int, log io.Writer) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	for _, enc := range []struct {
		ext      string
		compress func([]byte) ([]byte, error)
	}{
		{".gz", gzipBytes},
		{".br", func(b []byte) ([]byte, error) { return brotliBytes(b, brotliLevel) }},
	} {
		dst := src + enc.ext
		if dt, err := os.Stat(dst); err == nil && !dt.ModTime().Before(st.ModTime()) {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if len(data) < minSize {
			_ = os.Remove(dst)
			continue
		}
		packed, err := enc.compress(data)
		if err != nil {
			return fmt.Errorf("compressing %s: %w", src, err)
		}
		if len(packed)*10 > len(data)*9 {
			_ = os.Remove(dst) // gains less than 10%: serve the original
			continue
		}
		if err := os.WriteFile(dst, packed, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(log, "%s: %d -> %d bytes\n", dst, len(data), len(packed))
	}
	return nil
}

func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func brotliBytes(data []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	bw := brotli.NewWriterLevel(&buf, level)
	if _, err := bw.Write(data); err != nil {
		return nil, err
	}
	if err := bw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
