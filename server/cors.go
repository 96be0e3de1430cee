package server

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/specterpwa/specter/server/internal/httpjson"
)

// CORS headers of the relay's API (Fetch standard, section 3.2 "CORS
// protocol").
const (
	corsAllowMethods = "GET, POST, PUT, PATCH, DELETE"
	corsAllowHeaders = "Authorization, Content-Type"
	corsMaxAge       = "600"
)

// originRefusal is the answer to a request of an origin the relay does not
// trust: the relay's JSON error shape with the kind "origin_refused".
type originRefusal struct {
	Error string `json:"error"`
	Hint  string `json:"hint"`
	Kind  string `json:"kind"`
}

// corsPolicy decides which other origins may call the relay's API: exactly
// the origins of Config.AllowOrigins (no wildcard, no credentials: their
// apps authenticate with a bearer session token).
type corsPolicy struct {
	allowed []string // normalized origins
}

// sameOrigin reports whether r comes from the relay's own page (or from no
// browser page at all): Sec-Fetch-Site says so, or, without it, the Origin
// header is absent or names the Host the request was sent to (as Go's
// http.CrossOriginProtection decides).
func sameOrigin(r *http.Request, origin string) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
		if origin == "" {
			return true
		}
		u, err := url.Parse(origin)
		return err == nil && u.Host == r.Host
	}
	return false
}

// handler answers CORS preflights of allowed origins, adds
// Access-Control-Allow-Origin (the exact origin) to their answers, and
// refuses every request from another origin that is not allowed with a
// JSON error saying which flag would allow it. Answers vary by Origin.
func (p corsPolicy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if sameOrigin(r, origin) {
			next.ServeHTTP(w, r)
			return
		}
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin != "" && slices.Contains(p.allowed, origin) {
			h.Set("Access-Control-Allow-Origin", origin)
			if preflight {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
				h.Set("Access-Control-Allow-Methods", corsAllowMethods)
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", corsMaxAge)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.Set("Access-Control-Expose-Headers", "Retry-After")
			next.ServeHTTP(w, r)
			return
		}
		body := originRefusal{
			Kind:  "origin_refused",
			Error: "this relay does not accept requests from other sites without a trusted origin",
			Hint:  "use the page this relay serves, or an app whose origin the relay's admin allowed with --allow-origin",
		}
		if origin != "" && origin != "null" {
			body.Error = fmt.Sprintf("this relay does not accept requests from the app at %s", origin)
			body.Hint = fmt.Sprintf("start that relay with --allow-origin %s (or add it to SPECTER_ALLOW_ORIGINS), or use the relay that served this app", origin)
			if !preflight {
				// Only so that the app can read why it was refused: the
				// request itself did nothing.
				h.Set("Access-Control-Allow-Origin", origin)
			}
		}
		httpjson.Write(w, http.StatusForbidden, body)
	})
}
