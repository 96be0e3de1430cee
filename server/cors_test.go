package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	specter "github.com/specterpwa/specter"
	"github.com/specterpwa/specter/server/users"
)

const (
	appOrigin   = "http://127.0.0.1:7001" // the app allowed by --allow-origin
	otherOrigin = "https://evil.example"  // an origin the relay does not trust
	relayHost   = "localhost:7002"        // the relay's own host
)

// newCORSRelay builds a relay (no listener) with cfg's lists and the admin
// "admin" set up through the relay's own origin.
func newCORSRelay(t *testing.T, allow, connect []string) *Server {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.AllowOrigins, cfg.ConnectRelays = allow, connect
	s, err := New(context.Background(), cfg, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)),
		Options{Console: io.Discard, Users: users.Options{KDF: cheapKDF}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	res := serve(s, "POST", "/api/auth/setup", `{"token":"`+s.Users().SetupToken()+`","username":"admin","password":"correct horse battery"}`,
		map[string]string{"Origin": "http://" + relayHost, "Sec-Fetch-Site": "same-origin"})
	require.Equal(t, http.StatusCreated, res.Code, res.Body.String())
	return s
}

// serve sends one request to the relay as a browser at relayHost would.
func serve(s *Server, method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://"+relayHost+path, rd)
	req.RemoteAddr = "192.0.2.1:50000"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func refusal(origin string) string {
	b, _ := json.Marshal(map[string]string{
		"error": "this relay does not accept requests from the app at " + origin,
		"hint":  "start that relay with --allow-origin " + origin + " (or add it to SPECTER_ALLOW_ORIGINS), or use the relay that served this app",
		"kind":  "origin_refused",
	})
	return string(b)
}

const refusalNoOrigin = `{"error":"this relay does not accept requests from other sites without a trusted origin",` +
	`"hint":"use the page this relay serves, or an app whose origin the relay's admin allowed with --allow-origin","kind":"origin_refused"}`

func TestCORSPreflightAndHeadersForAllowedAndRefusedOrigins(t *testing.T) {
	s := newCORSRelay(t, []string{"HTTP://127.0.0.1:7001/", "https://second.example:443"}, nil)
	preflight := func(origin string) map[string]string {
		return map[string]string{"Origin": origin, "Sec-Fetch-Site": "cross-site",
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
	}
	tests := []struct {
		name, method, path string
		hdr                map[string]string
		code               int
		acao               string // Access-Control-Allow-Origin, "" when absent
		body               string // exact JSON, "" to skip
	}{
		{"preflight of the allowed app for the node RPC", "OPTIONS", "/api/nodes/n1/rpc", preflight(appOrigin), http.StatusNoContent, appOrigin, ""},
		{"preflight of the second allowed app, normalized from https://second.example:443", "OPTIONS", "/api/auth/login", preflight("https://second.example"), http.StatusNoContent, "https://second.example", ""},
		{"preflight of an untrusted origin", "OPTIONS", "/api/nodes/n1/rpc", preflight(otherOrigin), http.StatusForbidden, "", refusal(otherOrigin)},
		{"preflight of the allowed host on another scheme", "OPTIONS", "/api/nodes", preflight("https://127.0.0.1:7001"), http.StatusForbidden, "", refusal("https://127.0.0.1:7001")},
		{"simple GET of the allowed app", "GET", "/api/auth/status", map[string]string{"Origin": appOrigin, "Sec-Fetch-Site": "cross-site"}, http.StatusOK, appOrigin, `{"needs_setup":false,"user":null}`},
		{"simple GET of an untrusted origin is refused readably", "GET", "/api/auth/status", map[string]string{"Origin": otherOrigin, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, otherOrigin, refusal(otherOrigin)},
		{"healthz of the allowed app", "GET", "/healthz", map[string]string{"Origin": appOrigin, "Sec-Fetch-Site": "cross-site"}, http.StatusOK, appOrigin, ""},
		{"healthz of an untrusted origin", "GET", "/healthz", map[string]string{"Origin": otherOrigin, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, otherOrigin, refusal(otherOrigin)},
		{"cross-site request without Origin", "GET", "/api/auth/status", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, "", refusalNoOrigin},
		{"opaque origin null", "GET", "/api/auth/status", map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, "", refusalNoOrigin},
		{"same-origin page", "GET", "/api/auth/status", map[string]string{"Origin": "http://" + relayHost, "Sec-Fetch-Site": "same-origin"}, http.StatusOK, "", `{"needs_setup":false,"user":null}`},
		{"no browser (no Origin, no Sec-Fetch-Site)", "GET", "/api/auth/status", nil, http.StatusOK, "", `{"needs_setup":false,"user":null}`},
		{"untrusted Origin without Sec-Fetch-Site", "POST", "/api/auth/login", map[string]string{"Origin": otherOrigin}, http.StatusForbidden, otherOrigin, refusal(otherOrigin)},
		{"the page itself is not subject to CORS", "GET", "/", map[string]string{"Origin": otherOrigin, "Sec-Fetch-Site": "cross-site"}, http.StatusOK, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := serve(s, tc.method, tc.path, "", tc.hdr)
			require.Equal(t, tc.code, res.Code, res.Body.String())
			h := res.Header()
			require.Equal(t, tc.acao, h.Get("Access-Control-Allow-Origin"))
			require.Empty(t, h.Get("Access-Control-Allow-Credentials"), "no credentials: bearer tokens only")
			if strings.HasPrefix(tc.path, "/api") || tc.path == "/healthz" {
				require.Contains(t, h.Values("Vary"), "Origin")
			}
			if tc.body != "" {
				require.JSONEq(t, tc.body, res.Body.String())
				require.Equal(t, "application/json", h.Get("Content-Type"))
			}
			if tc.code == http.StatusNoContent {
				require.Equal(t, "GET, POST, PUT, PATCH, DELETE", h.Get("Access-Control-Allow-Methods"))
				require.Equal(t, "Authorization, Content-Type", h.Get("Access-Control-Allow-Headers"))
				require.Equal(t, "600", h.Get("Access-Control-Max-Age"))
				require.Empty(t, res.Body.String())
			}
		})
	}
}

func TestBearerSessionOfAnAllowedOriginAndCookieSessionsStillNeedCSRF(t *testing.T) {
	s := newCORSRelay(t, []string{appOrigin}, nil)
	app := map[string]string{"Origin": appOrigin, "Sec-Fetch-Site": "cross-site"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range app {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}

	start := time.Now()
	res := serve(s, "POST", "/api/auth/login", `{"username":"admin","password":"correct horse battery"}`, app)
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	require.Equal(t, appOrigin, res.Header().Get("Access-Control-Allow-Origin"))
	require.Empty(t, res.Header().Values("Set-Cookie"), "a login of another origin sets no cookies")
	var login struct {
		User         users.User `json:"user"`
		SessionToken string     `json:"session_token"`
		ExpiresAt    time.Time  `json:"expires_at"`
	}
	require.NoError(t, json.Unmarshal(res.Body.Bytes(), &login))
	require.Equal(t, "admin", login.User.Username)
	require.Len(t, login.SessionToken, 43, "a 256-bit token, base64url")
	require.WithinDuration(t, start.Add(24*time.Hour), login.ExpiresAt, time.Minute, "the sessions' expiry")
	bearer := map[string]string{"Authorization": "Bearer " + login.SessionToken}

	t.Run("the token authenticates API calls", func(t *testing.T) {
		res := serve(s, "GET", "/api/auth/status", "", with(bearer))
		require.Equal(t, http.StatusOK, res.Code)
		require.Contains(t, res.Body.String(), `"username":"admin"`)
		res = serve(s, "GET", "/api/nodes", "", with(bearer))
		require.Equal(t, http.StatusOK, res.Code, res.Body.String())
		require.JSONEq(t, `[]`, res.Body.String())
		require.Equal(t, appOrigin, res.Header().Get("Access-Control-Allow-Origin"))
	})
	t.Run("unsafe calls with the token need no CSRF header", func(t *testing.T) {
		res := serve(s, "POST", "/api/nodes", `{"name":"n","url":"http://127.0.0.1:1","network":"regtest","user":"u","password":"p"}`, with(bearer))
		require.Equal(t, http.StatusCreated, res.Code, res.Body.String())
		require.Contains(t, res.Body.String(), `"name":"n"`)
	})
	t.Run("a wrong token", func(t *testing.T) {
		res := serve(s, "GET", "/api/nodes", "", with(map[string]string{"Authorization": "Bearer not-a-session"}))
		require.Equal(t, http.StatusUnauthorized, res.Code)
		require.JSONEq(t, `{"error":"your session has ended","hint":"log in again (POST /api/auth/login)"}`, res.Body.String())
		require.Empty(t, res.Header().Values("Set-Cookie"))
	})
	t.Run("another Authorization scheme is not a session", func(t *testing.T) {
		res := serve(s, "GET", "/api/nodes", "", with(map[string]string{"Authorization": "Basic YWRtaW46eA=="}))
		require.Equal(t, http.StatusUnauthorized, res.Code)
		require.JSONEq(t, `{"error":"not logged in","hint":"log in first (POST /api/auth/login)"}`, res.Body.String())
	})
	t.Run("Bearer without a token", func(t *testing.T) {
		res := serve(s, "GET", "/api/nodes", "", with(map[string]string{"Authorization": "Bearer "}))
		require.Equal(t, http.StatusUnauthorized, res.Code)
		require.JSONEq(t, `{"error":"the Authorization header has no bearer session token","hint":"send Authorization: Bearer <session_token> with the token login answered, or no Authorization header"}`, res.Body.String())
	})
	t.Run("the token from an untrusted origin is refused before it is looked at", func(t *testing.T) {
		res := serve(s, "GET", "/api/nodes", "", map[string]string{"Origin": otherOrigin, "Sec-Fetch-Site": "cross-site", "Authorization": "Bearer " + login.SessionToken})
		require.Equal(t, http.StatusForbidden, res.Code)
		require.JSONEq(t, refusal(otherOrigin), res.Body.String())
	})
	t.Run("a login from the relay's own page gets cookies, no token", func(t *testing.T) {
		res := serve(s, "POST", "/api/auth/login", `{"username":"admin","password":"correct horse battery"}`,
			map[string]string{"Origin": "http://" + relayHost, "Sec-Fetch-Site": "same-origin"})
		require.Equal(t, http.StatusOK, res.Code, res.Body.String())
		require.NotContains(t, res.Body.String(), "session_token")
		var cookies []string
		for _, c := range res.Result().Cookies() {
			cookies = append(cookies, c.Name+"="+c.Value)
			require.Equal(t, http.SameSiteStrictMode, c.SameSite)
		}
		require.Len(t, cookies, 2)
		hdr := map[string]string{"Origin": "http://" + relayHost, "Sec-Fetch-Site": "same-origin", "Cookie": strings.Join(cookies, "; ")}
		// Behind a reverse proxy with Basic authentication the browser
		// sends that header too: the cookie session still counts.
		res = serve(s, "GET", "/api/auth/me", "", map[string]string{"Sec-Fetch-Site": "same-origin", "Cookie": strings.Join(cookies, "; "), "Authorization": "Basic YWRtaW46eA=="})
		require.Equal(t, http.StatusOK, res.Code, res.Body.String())
		require.Contains(t, res.Body.String(), `"username":"admin"`)
		res = serve(s, "POST", "/api/auth/logout", "", hdr)
		require.Equal(t, http.StatusForbidden, res.Code, "a cookie session still needs the CSRF header")
		require.JSONEq(t, `{"error":"missing CSRF token","hint":"send the X-CSRF-Token header with the value of the specter_csrf cookie (also returned by GET /api/auth/csrf)"}`, res.Body.String())
	})
	t.Run("failed logins of the allowed origin are throttled like others", func(t *testing.T) {
		var last *httptest.ResponseRecorder
		for i := 0; i < users.DefaultRateLimit.Free+1; i++ {
			last = serve(s, "POST", "/api/auth/login", `{"username":"admin","password":"wrong password"}`, app)
		}
		require.Equal(t, http.StatusTooManyRequests, last.Code, last.Body.String())
		require.Contains(t, last.Body.String(), "too many failed logins")
	})
	t.Run("logout with the token ends it", func(t *testing.T) {
		res := serve(s, "POST", "/api/auth/logout", "", with(bearer))
		require.Equal(t, http.StatusNoContent, res.Code, res.Body.String())
		require.Empty(t, res.Header().Values("Set-Cookie"))
		res = serve(s, "GET", "/api/nodes", "", with(bearer))
		require.Equal(t, http.StatusUnauthorized, res.Code)
	})
}

func TestSetupFromAnAllowedOriginAnswersABearerToken(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.AllowOrigins = []string{appOrigin}
	s, err := New(context.Background(), cfg, specter.Assets, slog.New(slog.NewTextHandler(io.Discard, nil)),
		Options{Console: io.Discard, Users: users.Options{KDF: cheapKDF}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	app := map[string]string{"Origin": appOrigin, "Sec-Fetch-Site": "cross-site"}
	res := serve(s, "POST", "/api/auth/setup", `{"token":"`+s.Users().SetupToken()+`","username":"admin","password":"correct horse battery"}`, app)
	require.Equal(t, http.StatusCreated, res.Code, res.Body.String())
	require.Empty(t, res.Header().Values("Set-Cookie"))
	var out struct {
		SessionToken string `json:"session_token"`
	}
	require.NoError(t, json.Unmarshal(res.Body.Bytes(), &out))
	app["Authorization"] = "Bearer " + out.SessionToken
	res = serve(s, "GET", "/api/auth/me", "", app)
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	require.Contains(t, res.Body.String(), `"username":"admin"`)
}

func TestCSPConnectSrcListsTheConnectRelays(t *testing.T) {
	for _, tc := range []struct {
		name    string
		connect []string
		want    string
	}{
		{"default: own origin only", nil, "connect-src 'self';"},
		{"two relays, normalized", []string{"https://Relay.Example:443/", "http://localhost:7002"}, "connect-src 'self' https://relay.example http://localhost:7002;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newCORSRelay(t, nil, tc.connect)
			for _, path := range []string{"/", "/js/engine-worker.js", "/healthz"} {
				csp := serve(s, "GET", path, "", nil).Header().Get("Content-Security-Policy")
				require.Equal(t, strings.Replace(ContentSecurityPolicy, "connect-src 'self';", tc.want, 1), csp, path)
			}
		})
	}
}
