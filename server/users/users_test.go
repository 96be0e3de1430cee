package users

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	hintLogin     = "check both and try again; after 5 failures each attempt has to wait longer"
	hintSetup     = "create it with the setup token printed in the relay's console (POST /api/auth/setup)"
	hintWrongCSRF = "reload the page, or fetch the current token with GET /api/auth/csrf"
)

func TestFirstStartSetupCreatesTheAdminWithTheConsoleToken(t *testing.T) {
	r := newRelay(t, "", nil)
	require.True(t, r.m.NeedsSetup())
	token := r.m.SetupToken()
	require.Regexp(t, `^[0-9a-f]{32}$`, token)
	require.Equal(t, "No admin account yet. Open the relay in a browser and create the admin with this one-time setup token:\n\n    "+
		token+"\n\n(The token is not stored: restarting the relay before setup prints a new one.)", r.m.SetupMessage())
	c := r.client(t, "10.0.0.1")

	res := c.do(http.MethodGet, "/api/auth/status", "", nil)
	require.Equal(t, http.StatusOK, res.code)
	require.JSONEq(t, `{"needs_setup":true,"user":null}`, res.body)

	requireErr(t, c.login("admin", "whatever password"), http.StatusUnauthorized, "the relay has no admin account yet", hintSetup)
	requireErr(t, c.do(http.MethodGet, "/api/nodes/n1/rpc", "", nil), http.StatusUnauthorized, "the relay has no admin account yet", hintSetup)

	requireErr(t, c.do(http.MethodPost, "/api/auth/setup", `{"token":"00000000000000000000000000000000","username":"admin","password":"admin password 1"}`, nil),
		http.StatusForbidden, "the setup token is wrong", "copy the setup token the relay printed to its console when it started (a restart prints a new one)")
	requireErr(t, c.do(http.MethodPost, "/api/auth/setup", `{"token":"`+token+`","username":"admin","password":"short"}`, nil),
		http.StatusBadRequest, "the password is too short (5 characters)", "choose a password of at least 8 characters; a few random words work well")
	requireErr(t, c.do(http.MethodPost, "/api/auth/setup", `{"token":"`+token+`","username":"Admin!","password":"admin password 1"}`, nil),
		http.StatusBadRequest, `user name "Admin!" has a character that is not allowed`, "use lower-case letters, digits, '.', '_' or '-' (not first)")
	requireErr(t, c.do(http.MethodPost, "/api/auth/setup", `{"token":"`+token+`","username":"admin","password":"admin password 1","extra":1}`, nil),
		http.StatusBadRequest, `the request body is not valid: json: unknown field "extra"`, "send one JSON object with the documented fields")

	res = c.do(http.MethodPost, "/api/auth/setup", `{"token":"`+token+`","username":"admin","password":"admin password 1"}`, nil)
	require.Equal(t, http.StatusCreated, res.code, res.body)
	csrf := c.cookies[CSRFCookie]
	require.Regexp(t, `^[A-Za-z0-9_-]{43}$`, csrf)
	require.Regexp(t, `^[A-Za-z0-9_-]{43}$`, c.cookies[SessionCookie], "a 256-bit session id")
	require.JSONEq(t, `{"user":{"username":"admin","admin":true,"nodes":[],"created_at":"2026-11-25T12:00:00Z"},"csrf_token":"`+csrf+`"}`, res.body)
	require.Equal(t, []string{
		"specter_session=" + c.cookies[SessionCookie] + "; Path=/; Expires=Thu, 26 Nov 2026 12:00:00 GMT; Max-Age=86400; HttpOnly; SameSite=Strict",
		"specter_csrf=" + csrf + "; Path=/; Expires=Thu, 26 Nov 2026 12:00:00 GMT; Max-Age=86400; SameSite=Strict",
	}, res.header.Values("Set-Cookie"))

	require.False(t, r.m.NeedsSetup())
	require.Equal(t, "", r.m.SetupToken(), "the token works once")
	require.Equal(t, "", r.m.SetupMessage())
	requireErr(t, c.do(http.MethodPost, "/api/auth/setup", `{"token":"`+token+`","username":"admin2","password":"admin password 1"}`, nil),
		http.StatusConflict, "the relay already has an admin", "log in instead (POST /api/auth/login)")

	res = c.do(http.MethodGet, "/api/auth/status", "", nil)
	require.JSONEq(t, `{"needs_setup":false,"user":{"username":"admin","admin":true,"nodes":[],"created_at":"2026-11-25T12:00:00Z"}}`, res.body)

	// users.json: 0600, Argon2id hash, the session only as a SHA-256 hash.
	path := filepath.Join(r.dir, FileName)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotContains(t, string(raw), c.cookies[SessionCookie])
	require.Contains(t, string(raw), hashID(c.cookies[SessionCookie]))
	require.Regexp(t, regexp.MustCompile(`"password_hash": "\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}"`), string(raw))
	entries, err := os.ReadDir(r.dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temp files left behind")
}

func TestCookiesAreSecureOverTLSOrWhenConfigured(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tls    bool
		force  bool
		secure bool
	}{
		{name: "plain http", secure: false},
		{name: "tls request", tls: true, secure: true},
		{name: "behind a tls proxy, forced", force: true, secure: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: t0}
			m, err := Open(t.TempDir(), Options{Now: clk.Now, KDF: testKDF, SecureCookies: tc.force})
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodPost, "https://relay.test/setup",
				strings.NewReader(`{"token":"`+m.SetupToken()+`","username":"admin","password":"admin password 1"}`))
			if !tc.tls {
				req.TLS = nil
			}
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			m.Routes().ServeHTTP(rec, req)
			require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
			cookies := rec.Result().Cookies()
			require.Len(t, cookies, 2)
			for _, ck := range cookies {
				require.Equal(t, tc.secure, ck.Secure, ck.Name)
				require.Equal(t, http.SameSiteStrictMode, ck.SameSite, ck.Name)
				require.Equal(t, ck.Name == SessionCookie, ck.HttpOnly, ck.Name)
			}
		})
	}
}

func TestCSRFAndOriginChecksOnUnsafeMethods(t *testing.T) {
	r := newRelay(t, "", nil)
	c := r.setupAdmin(t)
	csrf := c.cookies[CSRFCookie]

	tests := []struct {
		name    string
		hdr     map[string]string
		dropCk  bool
		code    int
		msg     string
		hint    string
		allowed bool
	}{
		{name: "no CSRF header", hdr: map[string]string{CSRFHeader: ""}, code: http.StatusForbidden, msg: "missing CSRF token",
			hint: "send the X-CSRF-Token header with the value of the specter_csrf cookie (also returned by GET /api/auth/csrf)"},
		{name: "wrong CSRF header", hdr: map[string]string{CSRFHeader: "forged"}, code: http.StatusForbidden, msg: "wrong CSRF token", hint: hintWrongCSRF},
		{name: "header without the double-submit cookie", dropCk: true, code: http.StatusForbidden, msg: "wrong CSRF token", hint: hintWrongCSRF},
		{name: "cross-site Origin", hdr: map[string]string{"Origin": "https://evil.example"}, code: http.StatusForbidden, msg: "cross-origin request refused",
			hint: "use the relay's own page; if you reach the relay through another address, add it as a trusted origin in the relay's settings"},
		{name: "Sec-Fetch-Site cross-site", hdr: map[string]string{"Sec-Fetch-Site": "cross-site"}, code: http.StatusForbidden, msg: "cross-origin request refused",
			hint: "use the relay's own page; if you reach the relay through another address, add it as a trusted origin in the relay's settings"},
		{name: "same origin with the token", hdr: map[string]string{"Origin": "http://relay.test", "Sec-Fetch-Site": "same-origin"}, allowed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			saved := c.cookies[CSRFCookie]
			if tc.dropCk {
				delete(c.cookies, CSRFCookie)
				tc.hdr = map[string]string{CSRFHeader: csrf}
			}
			res := c.do(http.MethodPost, "/api/nodes/n1/rpc", `{}`, tc.hdr)
			c.cookies[CSRFCookie] = saved
			if tc.allowed {
				require.Equal(t, http.StatusOK, res.code, res.body)
				require.Equal(t, "ok n1", res.body)
				return
			}
			requireErr(t, res, tc.code, tc.msg, tc.hint)
		})
	}

	t.Run("safe methods need no token", func(t *testing.T) {
		res := c.do(http.MethodGet, "/api/nodes/n1/rpc", "", map[string]string{CSRFHeader: ""})
		require.Equal(t, http.StatusOK, res.code)
	})
	t.Run("login from another site is refused", func(t *testing.T) {
		o := r.client(t, "10.0.0.9")
		requireErr(t, o.do(http.MethodPost, "/api/auth/login", `{"username":"admin","password":"admin password 1"}`, map[string]string{"Origin": "https://evil.example"}),
			http.StatusForbidden, "cross-origin request refused",
			"use the relay's own page; if you reach the relay through another address, add it as a trusted origin in the relay's settings")
	})
	t.Run("login needs a JSON body (no simple form posts)", func(t *testing.T) {
		o := r.client(t, "10.0.0.9")
		requireErr(t, o.do(http.MethodPost, "/api/auth/login", `{"username":"admin","password":"admin password 1"}`, map[string]string{"Content-Type": "text/plain"}),
			http.StatusUnsupportedMediaType, "the request body must be JSON", "send Content-Type: application/json")
	})
	t.Run("unknown endpoints and methods answer JSON", func(t *testing.T) {
		requireErr(t, c.do(http.MethodGet, "/api/auth/nope", "", nil), http.StatusNotFound,
			"no such auth endpoint: GET /api/auth/nope", "see the /api/auth routes in the relay's documentation")
		requireErr(t, c.do(http.MethodPut, "/api/auth/login", "", nil), http.StatusMethodNotAllowed,
			"method PUT is not allowed here", "see the /api/auth routes in the relay's documentation")
	})
	t.Run("GET /csrf and /me return the session's token", func(t *testing.T) {
		res := c.do(http.MethodGet, "/api/auth/csrf", "", nil)
		require.Equal(t, http.StatusOK, res.code)
		require.JSONEq(t, `{"csrf_token":"`+csrf+`"}`, res.body)
		res = c.do(http.MethodGet, "/api/auth/me", "", nil)
		require.JSONEq(t, `{"user":{"username":"admin","admin":true,"nodes":[],"created_at":"2026-11-25T12:00:00Z"},"csrf_token":"`+csrf+`"}`, res.body)
	})
	t.Run("logout ends the session", func(t *testing.T) {
		old := c.cookies[SessionCookie]
		res := c.do(http.MethodPost, "/api/auth/logout", "", nil)
		require.Equal(t, http.StatusNoContent, res.code, res.body)
		require.Empty(t, c.cookies)
		c.cookies[SessionCookie] = old
		requireErr(t, c.do(http.MethodGet, "/api/auth/me", "", nil), http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)")
		delete(c.cookies, SessionCookie)
		requireErr(t, c.do(http.MethodGet, "/api/auth/me", "", nil), http.StatusUnauthorized, "not logged in", "log in first (POST /api/auth/login)")
	})
}

func TestLoginBackoffPerIPAndPerUserWithInjectedClock(t *testing.T) {
	r := newRelay(t, "", nil)
	r.setupAdmin(t)
	_, err := r.m.CreateUser("alice", "alice password", false, nil)
	require.NoError(t, err)

	t.Run("per IP: 5 free failures, then 1 s, 2 s, 4 s", func(t *testing.T) {
		c := r.client(t, "192.0.2.1")
		for i := range 5 { // a different user each time: only the IP counts up
			requireErr(t, c.login("nobody"+string(rune('a'+i)), "wrong password"), http.StatusUnauthorized, "wrong user name or password", hintLogin)
		}
		res := c.login("alice", "alice password")
		requireErr(t, res, http.StatusTooManyRequests, "too many failed logins from this address", "wait 1 seconds, then try again")
		require.Equal(t, "1", res.header.Get("Retry-After"))

		other := r.client(t, "192.0.2.2")
		require.Equal(t, http.StatusOK, other.login("alice", "alice password").code, "another IP is not throttled")
		require.Equal(t, http.StatusOK, r.client(t, "192.0.2.3").login("alice", "alice password").code)

		r.clk.Add(time.Second)
		requireErr(t, c.login("nobodyf", "wrong password"), http.StatusUnauthorized, "wrong user name or password", hintLogin)
		requireErr(t, c.login("alice", "alice password"), http.StatusTooManyRequests, "too many failed logins from this address", "wait 2 seconds, then try again")
		r.clk.Add(2 * time.Second)
		requireErr(t, c.login("nobodyg", "wrong password"), http.StatusUnauthorized, "wrong user name or password", hintLogin)
		r.clk.Add(3 * time.Second)
		res = c.login("alice", "alice password")
		requireErr(t, res, http.StatusTooManyRequests, "too many failed logins from this address", "wait 1 seconds, then try again")
		r.clk.Add(time.Second)
		require.Equal(t, http.StatusOK, c.login("alice", "alice password").code, "after the wait the right password works")
		requireErr(t, c.login("nobodyh", "wrong password"), http.StatusUnauthorized, "wrong user name or password", hintLogin)
	})

	t.Run("per user: failures from many IPs throttle the name", func(t *testing.T) {
		for i := range 5 {
			c := r.client(t, "198.51.100."+string(rune('1'+i)))
			requireErr(t, c.login("alice", "wrong password"), http.StatusUnauthorized, "wrong user name or password", hintLogin)
		}
		c := r.client(t, "198.51.100.99")
		requireErr(t, c.login("alice", "alice password"), http.StatusTooManyRequests, "too many failed logins for this user", "wait 1 seconds, then try again")
		require.Equal(t, http.StatusOK, c.login("admin", "admin password 1").code, "other users are not throttled")
		r.clk.Add(time.Second)
		require.Equal(t, http.StatusOK, c.login("alice", "alice password").code)
	})

	t.Run("the wait is capped at Max", func(t *testing.T) {
		l := newLimiter(RateLimit{Free: 5, Base: time.Second, Max: 10 * time.Second, Forget: time.Hour})
		for range 40 {
			l.fail("k", t0)
		}
		require.Equal(t, 10*time.Second, l.wait("k", t0))
		require.Equal(t, time.Duration(0), l.wait("k", t0.Add(10*time.Second)))
	})

	t.Run("each Manager has its own counters", func(t *testing.T) {
		other := newRelay(t, "", nil)
		other.setupAdmin(t)
		require.Equal(t, http.StatusOK, other.client(t, "192.0.2.1").login("admin", "admin password 1").code)
	})
}

func TestAdminManagesUsersAndTheirNodes(t *testing.T) {
	r := newRelay(t, "", nil)
	admin := r.setupAdmin(t)

	res := admin.do(http.MethodPost, "/api/auth/users", `{"username":"bob","password":"bob password","nodes":["n1","n1"]}`, nil)
	require.Equal(t, http.StatusCreated, res.code, res.body)
	require.JSONEq(t, `{"username":"bob","admin":false,"nodes":["n1"],"created_at":"2026-11-25T12:00:00Z"}`, res.body)
	requireErr(t, admin.do(http.MethodPost, "/api/auth/users", `{"username":"bob","password":"bob password"}`, nil),
		http.StatusConflict, `user "bob" already exists`, "choose another name, or edit that user")
	requireErr(t, admin.do(http.MethodPost, "/api/auth/users", `{"username":"carol","password":"carol password","nodes":[""]}`, nil),
		http.StatusBadRequest, `node id "" is not valid`, "use the ids listed by GET /api/nodes (1 to 128 characters)")

	res = admin.do(http.MethodGet, "/api/auth/users", "", nil)
	require.JSONEq(t, `{"users":[
		{"username":"admin","admin":true,"nodes":[],"created_at":"2026-11-25T12:00:00Z"},
		{"username":"bob","admin":false,"nodes":["n1"],"created_at":"2026-11-25T12:00:00Z"}]}`, res.body)

	bob := r.client(t, "10.0.0.2")
	res = bob.login("Bob", "bob password")
	require.Equal(t, http.StatusOK, res.code, "user names are case-insensitive at login: "+res.body)
	requireErr(t, bob.do(http.MethodGet, "/api/auth/users", "", nil), http.StatusForbidden, "only an admin can manage users", "ask an admin of this relay")
	requireErr(t, bob.do(http.MethodPost, "/api/auth/users", `{"username":"eve","password":"eve password"}`, nil), http.StatusForbidden, "only an admin can manage users", "ask an admin of this relay")

	nodeCode := func(c *client, id string) int { return c.do(http.MethodGet, "/api/nodes/"+id+"/rpc", "", nil).code }
	require.Equal(t, http.StatusOK, nodeCode(bob, "n1"))
	require.Equal(t, http.StatusForbidden, nodeCode(bob, "n2"))
	require.Equal(t, http.StatusOK, nodeCode(admin, "n1"))
	require.Equal(t, http.StatusOK, nodeCode(admin, "n2"))

	res = admin.do(http.MethodPatch, "/api/auth/users/bob", `{"nodes":["n2","n3"]}`, nil)
	require.JSONEq(t, `{"username":"bob","admin":false,"nodes":["n2","n3"],"created_at":"2026-11-25T12:00:00Z"}`, res.body)
	require.Equal(t, http.StatusForbidden, nodeCode(bob, "n1"), "permission changes apply to live sessions")
	require.Equal(t, http.StatusOK, nodeCode(bob, "n2"))

	res = admin.do(http.MethodGet, "/api/auth/users/bob", "", nil)
	require.JSONEq(t, `{"username":"bob","admin":false,"nodes":["n2","n3"],"created_at":"2026-11-25T12:00:00Z"}`, res.body)
	requireErr(t, admin.do(http.MethodGet, "/api/auth/users/zed", "", nil), http.StatusNotFound, `no user "zed"`, "list the users with GET /api/auth/users")

	requireErr(t, admin.do(http.MethodPatch, "/api/auth/users/admin", `{"admin":false}`, nil), http.StatusConflict, `"admin" is the only admin`, "make another user admin first")
	requireErr(t, admin.do(http.MethodDelete, "/api/auth/users/admin", "", nil), http.StatusConflict, "you cannot delete your own account", "ask another admin to delete it")

	res = admin.do(http.MethodPatch, "/api/auth/users/bob", `{"password":"bob new password"}`, nil)
	require.Equal(t, http.StatusOK, res.code, res.body)
	requireErr(t, bob.do(http.MethodGet, "/api/auth/me", "", nil), http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)")
	require.Equal(t, http.StatusOK, bob.login("bob", "bob new password").code)

	res = admin.do(http.MethodDelete, "/api/auth/users/bob", "", nil)
	require.Equal(t, http.StatusNoContent, res.code, res.body)
	requireErr(t, bob.do(http.MethodGet, "/api/nodes/n2/rpc", "", nil), http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)")
	requireErr(t, bob.login("bob", "bob new password"), http.StatusUnauthorized, "wrong user name or password", hintLogin)

	// Promote then delete: a second admin makes demotion possible.
	_, err := r.m.CreateUser("root2", "root2 password", true, nil)
	require.NoError(t, err)
	res = admin.do(http.MethodPatch, "/api/auth/users/root2", `{"admin":false}`, nil)
	require.JSONEq(t, `{"username":"root2","admin":false,"nodes":[],"created_at":"2026-11-25T12:00:00Z"}`, res.body)
}

func TestConcurrentLoginsShareTheKDFCap(t *testing.T) {
	r := newRelay(t, "", nil)
	r.setupAdmin(t)
	codes := make(chan int, 12)
	for i := range 12 {
		go func() {
			c := r.client(t, "10.2.0."+strconv.Itoa(i))
			pw := "admin password 1"
			if i%3 == 0 {
				pw = "wrong password!"
			}
			codes <- c.login("admin", pw).code
		}()
	}
	got := map[int]int{}
	for range 12 {
		got[<-codes]++
	}
	require.Equal(t, map[int]int{http.StatusOK: 8, http.StatusUnauthorized: 4}, got)
}

func TestOwnPasswordChangeKeepsThisSessionEndsOthers(t *testing.T) {
	r := newRelay(t, "", nil)
	a1 := r.setupAdmin(t)
	a2 := r.client(t, "10.0.0.7")
	require.Equal(t, http.StatusOK, a2.login("admin", "admin password 1").code)

	requireErr(t, a1.do(http.MethodPost, "/api/auth/password", `{"current_password":"nope nope nope","new_password":"admin password 2"}`, nil),
		http.StatusForbidden, "the current password is wrong", "type your current password to confirm the change")
	res := a1.do(http.MethodPost, "/api/auth/password", `{"current_password":"admin password 1","new_password":"admin password 2"}`, nil)
	require.Equal(t, http.StatusNoContent, res.code, res.body)
	require.Equal(t, http.StatusOK, a1.do(http.MethodGet, "/api/auth/me", "", nil).code)
	requireErr(t, a2.do(http.MethodGet, "/api/auth/me", "", nil), http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)")
	requireErr(t, a2.login("admin", "admin password 1"), http.StatusUnauthorized, "wrong user name or password", hintLogin)
	require.Equal(t, http.StatusOK, a2.login("admin", "admin password 2").code)
}

func TestSessionsSurviveARestartAndExpire(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{t: t0}
	r1 := newRelay(t, dir, clk)
	c := r1.setupAdmin(t)

	r2 := newRelay(t, dir, clk) // the relay restarts on the same data dir
	require.False(t, r2.m.NeedsSetup())
	require.Equal(t, "", r2.m.SetupToken())
	c.r = r2
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/auth/me", "", nil).code, "sessions are persisted")
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/api/nodes/x/rpc", "{}", nil).code, "and so is the CSRF token")

	clk.Add(24*time.Hour - time.Second)
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/auth/me", "", nil).code)
	clk.Add(time.Second)
	requireErr(t, c.do(http.MethodGet, "/api/auth/me", "", nil), http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)")
	require.Empty(t, c.cookies, "an ended session's cookies are cleared")

	// Expired sessions are dropped from the file at the next write.
	require.Equal(t, http.StatusOK, c.login("admin", "admin password 1").code)
	raw, err := os.ReadFile(filepath.Join(dir, FileName))
	require.NoError(t, err)
	var st fileState
	require.NoError(t, json.Unmarshal(raw, &st))
	require.Len(t, st.Sessions, 1)
	require.Equal(t, hashID(c.cookies[SessionCookie]), st.Sessions[0].IDHash)
}

func TestOldestSessionEndsBeyondTheCap(t *testing.T) {
	r := newRelay(t, "", nil)
	first := r.setupAdmin(t)
	for i := range MaxSessionsPerUser - 1 {
		r.clk.Add(time.Second)
		require.Equal(t, http.StatusOK, r.client(t, "10.3.0."+strconv.Itoa(i)).login("admin", "admin password 1").code)
	}
	require.Equal(t, http.StatusOK, first.do(http.MethodGet, "/api/auth/me", "", nil).code, "20 sessions fit")
	r.clk.Add(time.Second)
	last := r.client(t, "10.3.1.1")
	require.Equal(t, http.StatusOK, last.login("admin", "admin password 1").code)
	requireErr(t, first.do(http.MethodGet, "/api/auth/me", "", nil), http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)")
	require.Equal(t, http.StatusOK, last.do(http.MethodGet, "/api/auth/me", "", nil).code)
}

func TestCanUseNodeAndIsAdminWithoutRequire(t *testing.T) {
	r := newRelay(t, "", nil)
	admin := r.setupAdmin(t)
	_, err := r.m.CreateUser("bob", "bob password", false, []string{"n1"})
	require.NoError(t, err)
	bob := r.client(t, "10.0.0.3")
	require.Equal(t, http.StatusOK, bob.login("bob", "bob password").code)

	req := func(c *client) *http.Request {
		q := httptest.NewRequest(http.MethodGet, "/api/nodes", nil)
		if c != nil {
			q.AddCookie(&http.Cookie{Name: SessionCookie, Value: c.cookies[SessionCookie]})
		}
		return q
	}
	require.True(t, r.m.IsAdmin(req(admin)))
	require.True(t, r.m.CanUseNode(req(admin), "anything"))
	require.False(t, r.m.IsAdmin(req(bob)))
	require.True(t, r.m.CanUseNode(req(bob), "n1"))
	require.False(t, r.m.CanUseNode(req(bob), "n2"))
	require.False(t, r.m.IsAdmin(req(nil)))
	require.False(t, r.m.CanUseNode(req(nil), "n1"))
	u, ok := r.m.CurrentUser(req(bob))
	require.True(t, ok)
	require.Equal(t, User{Username: "bob", Nodes: []string{"n1"}, CreatedAt: t0}, u)
}

func TestOpenRejectsADamagedUsersFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantErr string
	}{
		{name: "not JSON", content: "{", wantErr: "not a valid users file: unexpected EOF"},
		{name: "wrong version", content: `{"version":2,"users":[],"sessions":[]}`, wantErr: "users file version 2 is not supported (expected 1)"},
		{name: "bad hash", content: `{"version":1,"users":[{"username":"a","password_hash":"plain","admin":true,"nodes":[],"created_at":"2026-01-01T00:00:00Z"}],"sessions":[]}`,
			wantErr: `user "a": password hash is not a PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash)`},
		{name: "duplicate user", content: `{"version":1,"users":[{"username":"a","password_hash":"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4","admin":true,"nodes":[],"created_at":"2026-01-01T00:00:00Z"},{"username":"a","password_hash":"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4","admin":false,"nodes":[],"created_at":"2026-01-01T00:00:00Z"}],"sessions":[]}`,
			wantErr: `user "a" appears twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			_, err := Open(dir, Options{KDF: testKDF})
			require.EqualError(t, err, path+": "+tc.wantErr+"; restore it from a backup, or delete it to start over (the relay then prints a new setup token)")
		})
	}
}

func TestAStoredReferenceHashLogsIn(t *testing.T) {
	// A users.json written by hand with the reference implementation's
	// Argon2id vector (password "password") is accepted and verified.
	dir := t.TempDir()
	content := `{"version":1,"users":[{"username":"ref","password_hash":"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4","admin":true,"nodes":[],"created_at":"2026-01-01T00:00:00Z"}],"sessions":[]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600))
	r := newRelay(t, dir, nil)
	require.False(t, r.m.NeedsSetup())
	require.Equal(t, http.StatusOK, r.client(t, "10.1.1.1").login("ref", "password").code)
}

func FuzzDecodeState(f *testing.F) {
	f.Add([]byte(`{"version":1,"users":[],"sessions":[]}`))
	f.Add([]byte(`{"version":1,"users":[{"username":"a","password_hash":"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4","admin":true,"nodes":["x"]}],"sessions":[{"id_sha256":"00"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeState(b)
		if err != nil {
			return
		}
		for _, u := range st.Users {
			if checkUsername(u.Username) != nil {
				t.Fatalf("accepted bad user name %q", u.Username)
			}
		}
	})
}
