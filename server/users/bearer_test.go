package users

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"
)

// TestLoginAnswersABearerTokenOnlyToTrustedOtherOrigins: a login gets the
// bearer token (and no cookies) only from an origin of TrustedOrigins that
// is not the relay's own; the token then authenticates without CSRF, and
// it is the same session as a cookie would be (logout ends it).
func TestLoginAnswersABearerTokenOnlyToTrustedOtherOrigins(t *testing.T) {
	clk := &clock{t: t0}
	m, err := Open(t.TempDir(), Options{Now: clk.Now, KDF: testKDF, TrustedOrigins: []string{"http://app.test:7001"}})
	require.NoError(t, err)
	_, err = m.Setup(m.SetupToken(), "admin", "admin password 1", "10.0.0.1")
	require.NoError(t, err)
	r := chi.NewRouter()
	r.Mount("/api/auth", m.Routes())
	send := func(method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://relay.test"+path, strings.NewReader(body))
		req.RemoteAddr = "10.0.0.2:40000"
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec
	}
	const login = `{"username":"admin","password":"admin password 1"}`
	for _, tc := range []struct {
		name   string
		hdr    map[string]string
		bearer bool
	}{
		{"trusted other origin", map[string]string{"Origin": "http://app.test:7001", "Sec-Fetch-Site": "cross-site"}, true},
		{"trusted other origin, no Sec-Fetch-Site", map[string]string{"Origin": "http://app.test:7001"}, true},
		{"own origin", map[string]string{"Origin": "http://relay.test", "Sec-Fetch-Site": "same-origin"}, false},
		{"no Origin (not a browser)", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := send("POST", "/api/auth/login", login, tc.hdr)
			require.Equal(t, http.StatusOK, res.Code, res.Body.String())
			var out map[string]any
			require.NoError(t, json.Unmarshal(res.Body.Bytes(), &out))
			if !tc.bearer {
				require.NotContains(t, out, "session_token")
				require.Len(t, res.Result().Cookies(), 2)
				return
			}
			require.Empty(t, res.Result().Cookies())
			require.Equal(t, "2026-11-26T12:00:00Z", out["expires_at"], "the sessions' 24 h")
			token := out["session_token"].(string)
			auth := map[string]string{"Authorization": "Bearer " + token}
			require.Equal(t, http.StatusOK, send("GET", "/api/auth/me", "", auth).Code)
			me := send("GET", "/api/auth/me", "", auth)
			require.Equal(t, http.StatusOK, me.Code, me.Body.String())
			require.Contains(t, me.Body.String(), `"username":"admin"`)
			// An unsafe call with the token alone: no CSRF header, no cookie.
			require.Equal(t, http.StatusNoContent, send("POST", "/api/auth/logout", "", auth).Code)
			ended := send("GET", "/api/auth/me", "", auth)
			require.Equal(t, http.StatusUnauthorized, ended.Code)
			require.JSONEq(t, `{"error":"your session has ended","hint":"log in again (POST /api/auth/login)"}`, ended.Body.String())
		})
	}
}
