package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/specterpwa/specter/internal/assethash"
)

// ContentSecurityPolicy is the relay's CSP (W3C CSP Level 3): everything from
// the relay's own origin only, no inline script or style, WebAssembly
// compilation allowed ('wasm-unsafe-eval'), no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; media-src 'self' blob:; " +
	"worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
	"frame-ancestors 'none'"

// ContentSecurityPolicyFor is ContentSecurityPolicy with the origins of
// other relays (Config.ConnectRelays, already normalized origins) added to
// connect-src, so the page and its engine worker may call their APIs.
func ContentSecurityPolicyFor(connectRelays []string) string {
	if len(connectRelays) == 0 {
		return ContentSecurityPolicy
	}
	return strings.Replace(ContentSecurityPolicy, "connect-src 'self';",
		"connect-src 'self' "+strings.Join(connectRelays, " ")+";", 1)
}

// securityHeaders adds the CSP csp and the usual hardening headers to every
// answer.
func securityHeaders(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "geolocation=(), microphone=(), payment=(), camera=(self)")
		next.ServeHTTP(w, r)
	})
}

// contentTypes are the MIME types of the PWA's files; others fall back to
// the mime package, then application/octet-stream.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".wasm":        "application/wasm",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
	".map":         "application/json",
	".woff2":       "font/woff2",
}

func contentType(name string) string {
	if path.Base(name) == "manifest.json" {
		return "application/manifest+json"
	}
	ext := path.Ext(name)
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// hashedName matches names with a content hash of 8+ hex digits, such as
// app.3f9a1c2b.js or engine-0123abcd4567.wasm: they never change, so they
// may be cached for a year.
var hashedName = regexp.MustCompile(`[.-][0-9a-f]{8,}\.[a-z0-9]+$`)

// noCacheNames must always be revalidated: the service worker (so updates
// reach users), the entry page and the manifest.
var noCacheNames = map[string]bool{"index.html": true, "sw.js": true, "service-worker.js": true, "manifest.json": true}

func cacheControl(name string) string {
	base := path.Base(name)
	if noCacheNames[base] || !hashedName.MatchString(base) {
		return "no-cache"
	}
	return "public, max-age=31536000, immutable"
}

// variant is one stored encoding of a file.
type variant struct {
	data []byte
	etag string
	sum  [sha256.Size]byte // SHA-256 of data
}

// newVariant stores data in encoding enc ("" identity, "br", "gzip") with
// an ETag from its SHA-256.
func newVariant(data []byte, enc string) variant {
	sum := sha256.Sum256(data)
	tag := hex.EncodeToString(sum[:12])
	if enc != "" {
		tag += "-" + enc
	}
	return variant{data: data, etag: `"` + tag + `"`, sum: sum}
}

type asset struct {
	name     string
	ctype    string
	cache    string
	variants map[string]variant // "" (identity), "br", "gzip"
}

// static serves the embedded PWA: the web/ tree at / and manifest.json.
type static struct {
	files map[string]*asset // by URL path without the leading slash
}

// newStatic indexes the files of assets: web/... served at /..., plus
// manifest.json. NAME.br and NAME.gz siblings become the brotli and gzip
// variants of NAME.
func newStatic(assets fs.FS) (*static, error) {
	s := &static{files: map[string]*asset{}}
	add := func(urlPath, fsPath string) error {
		data, err := fs.ReadFile(assets, fsPath)
		if err != nil {
			return fmt.Errorf("reading embedded %s: %w", fsPath, err)
		}
		enc := ""
		switch {
		case strings.HasSuffix(urlPath, ".br"):
			enc, urlPath = "br", strings.TrimSuffix(urlPath, ".br")
		case strings.HasSuffix(urlPath, ".gz"):
			enc, urlPath = "gzip", strings.TrimSuffix(urlPath, ".gz")
		}
		a := s.files[urlPath]
		if a == nil {
			a = &asset{name: urlPath, ctype: contentType(urlPath), cache: cacheControl(urlPath), variants: map[string]variant{}}
			s.files[urlPath] = a
		}
		a.variants[enc] = newVariant(data, enc)
		return nil
	}
	if _, err := fs.Stat(assets, "manifest.json"); err == nil {
		if err := add("manifest.json", "manifest.json"); err != nil {
			return nil, err
		}
	}
	err := fs.WalkDir(assets, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		return add(strings.TrimPrefix(p, "web/"), p)
	})
	if err != nil {
		return nil, fmt.Errorf("indexing the embedded PWA: %w", err)
	}
	// A compressed file without its original is served as it is.
	for name, a := range s.files {
		if _, ok := a.variants[""]; !ok {
			delete(s.files, name)
		}
	}
	if s.files["index.html"] == nil {
		return nil, fmt.Errorf("the embedded PWA has no web/index.html")
	}
	// Every file is also served under its content-hashed name
	// (internal/assethash), cacheable for a year: the precache list and the
	// engine worker load the engine's WebAssembly by it.
	names := make([]string, 0, len(s.files))
	for name := range s.files {
		names = append(names, name)
	}
	for _, name := range names {
		a := s.files[name]
		alias := assethash.NameOfSum(name, a.variants[""].sum)
		if s.files[alias] != nil {
			continue
		}
		s.files[alias] = &asset{name: alias, ctype: a.ctype, cache: cacheControl(alias), variants: a.variants}
	}
	return s, nil
}

// precacheName is the service worker's precache list (internal/tools/precache).
const precacheName = "precache.js"

// bindPolicy appends to the precache list a line naming a hash of the
// relay's CSP. The service worker imports the list, and a browser installs
// a new worker when an imported script's bytes change (W3C Service Workers,
// "update"): so a relay restarted with another --connect-relay list gets
// its installed apps to pick up the new policy (the cached pages carry the
// CSP they were fetched with), through the usual "new version" offer.
func (s *static) bindPolicy(csp string) {
	a := s.files[precacheName]
	if a == nil {
		return // a tree built without the precache list
	}
	data := append(append([]byte{}, a.variants[""].data...), fmt.Sprintf("self.SPECTER_POLICY = %q;\n", assethash.Sum([]byte(csp)))...)
	a.variants = map[string]variant{"": newVariant(data, "")}
}

// acceptsEncoding reports whether an Accept-Encoding header allows enc
// (RFC 9110 section 12.5.3: a q of 0 refuses it; "*" covers the rest).
func acceptsEncoding(header, enc string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch name {
		case enc:
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}

// ServeHTTP serves GET and HEAD for the PWA's files. Paths without an
// extension that match no file get index.html, so the app's own routes
// (/wallets, /devices...) load it.
func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	a := s.files[name]
	if a == nil && path.Ext(name) == "" {
		a = s.files["index.html"]
	}
	if a == nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	h := w.Header()
	if len(a.variants) > 1 {
		h.Add("Vary", "Accept-Encoding")
	}
	v := a.variants[""]
	ae := r.Header.Get("Accept-Encoding")
	for _, enc := range []string{"br", "gzip"} {
		if cv, ok := a.variants[enc]; ok && acceptsEncoding(ae, enc) {
			v = cv
			h.Set("Content-Encoding", enc)
			break
		}
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", a.cache)
	h.Set("ETag", v.etag)
	// ServeContent answers If-None-Match with 304, HEAD and Range requests.
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(v.data))
}
