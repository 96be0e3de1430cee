package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	specter "github.com/specterpwa/specter"
	"github.com/specterpwa/specter/internal/assethash"
)

func testAssets() fstest.MapFS {
	return fstest.MapFS{
		"manifest.json":              {Data: []byte(`{"name":"t"}`)},
		"web/index.html":             {Data: []byte("<!doctype html><title>t</title>")},
		"web/app.3f9a1c2b.js":        {Data: []byte("plain-js")},
		"web/app.3f9a1c2b.js.br":     {Data: []byte("br-js")},
		"web/app.3f9a1c2b.js.gz":     {Data: []byte("gz-js")},
		"web/wasm/engine.wasm":       {Data: []byte("\x00asm-plain")},
		"web/wasm/engine.wasm.gz":    {Data: []byte("gz-wasm")},
		"web/sw.js":                  {Data: []byte("self.addEventListener('fetch', () => {})")},
		"web/style.css":              {Data: []byte("body{}")},
		"web/icons/icon-192.png":     {Data: []byte("png")},
		"web/orphan.js.br":           {Data: []byte("no original")},
		"web/app.webmanifest":        {Data: []byte("{}")},
		"web/fonts/x-0123abcd.woff2": {Data: []byte("font")},
	}
}

func newTestServer(t *testing.T, assets fstest.MapFS) *Server {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	s, err := New(context.Background(), cfg, assets, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Console: io.Discard})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func get(h http.Handler, method, path string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestStaticServingTypesEncodingsAndCaching(t *testing.T) {
	h := newTestServer(t, testAssets()).Handler()
	const immutable = "public, max-age=31536000, immutable"
	cases := []struct {
		name, path, acceptEncoding         string
		status                             int
		ctype, encoding, cache, body, vary string
	}{
		{"root is index.html, never cached without revalidation", "/", "gzip, br", 200, "text/html; charset=utf-8", "", "no-cache", "<!doctype html><title>t</title>", ""},
		{"app route falls back to index.html", "/wallets/abc", "", 200, "text/html; charset=utf-8", "", "no-cache", "<!doctype html><title>t</title>", ""},
		{"hashed script prefers brotli", "/app.3f9a1c2b.js", "gzip, deflate, br", 200, "text/javascript; charset=utf-8", "br", immutable, "br-js", "Accept-Encoding"},
		{"hashed script with gzip only", "/app.3f9a1c2b.js", "gzip", 200, "text/javascript; charset=utf-8", "gzip", immutable, "gz-js", "Accept-Encoding"},
		{"brotli refused with q=0 falls back to gzip", "/app.3f9a1c2b.js", "br;q=0, gzip;q=0.5", 200, "text/javascript; charset=utf-8", "gzip", immutable, "gz-js", "Accept-Encoding"},
		{"no Accept-Encoding gets the original", "/app.3f9a1c2b.js", "", 200, "text/javascript; charset=utf-8", "", immutable, "plain-js", "Accept-Encoding"},
		{"star accepts brotli", "/app.3f9a1c2b.js", "*", 200, "text/javascript; charset=utf-8", "br", immutable, "br-js", "Accept-Encoding"},
		{"identity only", "/app.3f9a1c2b.js", "identity, *;q=0", 200, "text/javascript; charset=utf-8", "", immutable, "plain-js", "Accept-Encoding"},
		{"wasm has application/wasm and its gzip sibling", "/wasm/engine.wasm", "br, gzip", 200, "application/wasm", "gzip", "no-cache", "gz-wasm", "Accept-Encoding"},
		{"wasm by its content hash is immutable, with the same siblings", "/" + assethash.Name("wasm/engine.wasm", []byte("\x00asm-plain")), "br, gzip", 200, "application/wasm", "gzip", immutable, "gz-wasm", "Accept-Encoding"},
		{"css by its content hash", "/" + assethash.Name("style.css", []byte("body{}")), "", 200, "text/css; charset=utf-8", "", immutable, "body{}", ""},
		{"a wrong content hash is 404", "/wasm/engine.0123456789abcdef.wasm", "", 404, "text/plain; charset=utf-8", "", "", "404 page not found\n", ""},
		{"service worker is no-cache", "/sw.js", "", 200, "text/javascript; charset=utf-8", "", "no-cache", "self.addEventListener('fetch', () => {})", ""},
		{"manifest has the manifest type", "/manifest.json", "", 200, "application/manifest+json", "", "no-cache", `{"name":"t"}`, ""},
		{"webmanifest has the manifest type", "/app.webmanifest", "", 200, "application/manifest+json", "", "no-cache", "{}", ""},
		{"css", "/style.css", "", 200, "text/css; charset=utf-8", "", "no-cache", "body{}", ""},
		{"png", "/icons/icon-192.png", "", 200, "image/png", "", "no-cache", "png", ""},
		{"hashed font with a dash is immutable", "/fonts/x-0123abcd.woff2", "", 200, "font/woff2", "", immutable, "font", ""},
		{"missing file with an extension is 404", "/nope.js", "", 404, "text/plain; charset=utf-8", "", "", "404 page not found\n", ""},
		{"compressed file without original is not served", "/orphan.js", "br", 404, "text/plain; charset=utf-8", "", "", "404 page not found\n", ""},
		{"path traversal stays inside the app", "/../../etc/passwd", "", 200, "text/html; charset=utf-8", "", "no-cache", "<!doctype html><title>t</title>", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(h, "GET", tc.path, map[string]string{"Accept-Encoding": tc.acceptEncoding})
			require.Equal(t, tc.status, rec.Code)
			require.Equal(t, tc.ctype, rec.Header().Get("Content-Type"))
			require.Equal(t, tc.encoding, rec.Header().Get("Content-Encoding"))
			require.Equal(t, tc.cache, rec.Header().Get("Cache-Control"))
			require.Equal(t, tc.vary, rec.Header().Get("Vary"))
			require.Equal(t, tc.body, rec.Body.String())
			requireSecurityHeaders(t, rec.Header())
		})
	}
}

func requireSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	require.Equal(t, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; media-src 'self' blob:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'", h.Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	require.Equal(t, "no-referrer", h.Get("Referrer-Policy"))
	require.Equal(t, "DENY", h.Get("X-Frame-Options"))
	require.Equal(t, "same-origin", h.Get("Cross-Origin-Opener-Policy"))
}

func TestStaticETagRevalidationHeadAndMethods(t *testing.T) {
	h := newTestServer(t, testAssets()).Handler()
	rec := get(h, "GET", "/app.3f9a1c2b.js", map[string]string{"Accept-Encoding": "br"})
	etag := rec.Header().Get("ETag")
	require.Regexp(t, `^"[0-9a-f]{24}-br"$`, etag)
	plain := get(h, "GET", "/app.3f9a1c2b.js", nil).Header().Get("ETag")
	require.Regexp(t, `^"[0-9a-f]{24}"$`, plain)

	rec = get(h, "GET", "/app.3f9a1c2b.js", map[string]string{"Accept-Encoding": "br", "If-None-Match": etag})
	require.Equal(t, http.StatusNotModified, rec.Code)
	require.Equal(t, "", rec.Body.String())

	rec = get(h, "HEAD", "/sw.js", nil)
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "40", rec.Header().Get("Content-Length"))
	require.Equal(t, "", rec.Body.String())

	rec = get(h, "POST", "/index.html", nil)
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
}

func TestAPIAndHealthzCarryTheSecurityHeaders(t *testing.T) {
	h := newTestServer(t, testAssets()).Handler()
	rec := get(h, "GET", "/healthz", nil)
	require.Equal(t, 200, rec.Code)
	requireSecurityHeaders(t, rec.Header())
	require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	var health struct {
		Status  string  `json:"status"`
		Version string  `json:"version"`
		Uptime  float64 `json:"uptime_seconds"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &health))
	require.Equal(t, "ok", health.Status)
	require.Equal(t, Version(), health.Version)
	require.GreaterOrEqual(t, health.Uptime, 0.0)

	// The API needs an account; before setup it says how to create one.
	rec = get(h, "GET", "/api/nodes", nil)
	require.Equal(t, 401, rec.Code)
	require.JSONEq(t, `{"error":"the relay has no admin account yet","hint":"create it with the setup token printed in the relay's console (POST /api/auth/setup)"}`, rec.Body.String())
	requireSecurityHeaders(t, rec.Header())

	rec = get(h, "GET", "/api/nope", nil)
	require.Equal(t, 404, rec.Code)
	require.JSONEq(t, `{"error":"no API route /api/nope"}`, rec.Body.String())
}

func TestAcceptsEncoding(t *testing.T) {
	cases := []struct {
		header, enc string
		want        bool
	}{
		{"", "br", false},
		{"br", "br", true},
		{"gzip, deflate, br, zstd", "br", true},
		{"BR;q=0.1", "br", true},
		{"br;q=0", "br", false},
		{"br; q=0.0", "br", false},
		{"*", "gzip", true},
		{"*;q=0, gzip", "gzip", true},
		{"*;q=0", "gzip", false},
		{"gzip;q=0, *", "gzip", false},
		{"deflate", "gzip", false},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, acceptsEncoding(tc.header, tc.enc), "%q %s", tc.header, tc.enc)
	}
}

func TestEmbeddedPWAIsServable(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	s, err := New(context.Background(), cfg, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Console: io.Discard})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	h := s.Handler()

	rec := get(h, "GET", "/", nil)
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), `<link rel="manifest" href="/manifest.json">`)
	require.Contains(t, rec.Body.String(), `<script type="module" src="/app.js"></script>`)
	require.NotContains(t, rec.Body.String(), "<script>", "the CSP forbids inline scripts")

	rec = get(h, "GET", "/manifest.json", nil)
	require.Equal(t, "application/manifest+json", rec.Header().Get("Content-Type"))
	var m struct {
		Name      string `json:"name"`
		ShortName string `json:"short_name"`
		StartURL  string `json:"start_url"`
		Display   string `json:"display"`
		Theme     string `json:"theme_color"`
		Icons     []struct {
			Src, Sizes, Type, Purpose string
		} `json:"icons"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
	require.Equal(t, "Specter PWA", m.Name)
	require.Equal(t, "Specter", m.ShortName)
	require.Equal(t, "/", m.StartURL)
	require.Equal(t, "standalone", m.Display)
	require.Equal(t, "#111827", m.Theme)
	want := map[string]struct {
		size    int
		purpose string
	}{
		"/icons/icon-192.png":     {192, "any"},
		"/icons/icon-512.png":     {512, "any"},
		"/icons/maskable-512.png": {512, "maskable"},
	}
	require.Len(t, m.Icons, len(want))
	for _, icon := range m.Icons {
		w, ok := want[icon.Src]
		require.True(t, ok, icon.Src)
		require.Equal(t, "image/png", icon.Type)
		require.Equal(t, w.purpose, icon.Purpose)
		rec := get(h, "GET", icon.Src, nil)
		require.Equal(t, 200, rec.Code, icon.Src)
		require.Equal(t, "image/png", rec.Header().Get("Content-Type"))
		cfg, err := png.DecodeConfig(bytes.NewReader(rec.Body.Bytes()))
		require.NoError(t, err, icon.Src)
		require.Equal(t, w.size, cfg.Width, icon.Src)
		require.Equal(t, w.size, cfg.Height, icon.Src)
	}

	rec = get(h, "GET", "/app.js", nil)
	require.Equal(t, "text/javascript; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Contains(t, rec.Body.String(), `import { Relay } from "./js/relay.js";`)

	rec = get(h, "GET", "/js/relay.js", nil)
	require.Equal(t, "text/javascript; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Contains(t, rec.Body.String(), `health() { return this.request("GET", "/healthz", undefined, { auth: false }); }`)
}

// TestPrecacheListNamesTheRelaysPolicy: the service worker's precache list
// ends with a hash of the relay's CSP, so a relay restarted with another
// --connect-relay list serves other bytes there and installed apps get the
// "new version" offer that brings the new policy; the same list serves the
// same bytes.
func TestPrecacheListNamesTheRelaysPolicy(t *testing.T) {
	assets := testAssets()
	const list = "self.SPECTER_BUILD = \"0123456789abcdef\";\n"
	assets["web/precache.js"] = &fstest.MapFile{Data: []byte(list)}
	body := func(connect ...string) string {
		cfg := DefaultConfig()
		cfg.DataDir = t.TempDir()
		cfg.ConnectRelays = connect
		s, err := New(context.Background(), cfg, assets, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Console: io.Discard})
		require.NoError(t, err)
		t.Cleanup(s.Close)
		rec := get(s.Handler(), "GET", "/precache.js", map[string]string{"Accept-Encoding": "br, gzip"})
		require.Equal(t, http.StatusOK, rec.Code)
		require.Equal(t, "no-cache", rec.Header().Get("Cache-Control"))
		require.Empty(t, rec.Header().Get("Content-Encoding"))
		return rec.Body.String()
	}
	own := body()
	require.Equal(t, list+fmt.Sprintf("self.SPECTER_POLICY = %q;\n", assethash.Sum([]byte(ContentSecurityPolicy))), own)
	require.Equal(t, own, body(), "the same policy, the same bytes")
	other := body("https://relay.example")
	require.NotEqual(t, own, other)
	require.True(t, strings.HasPrefix(other, list))
	require.Contains(t, other, assethash.Sum([]byte(ContentSecurityPolicyFor([]string{"https://relay.example"}))))
}
