package users

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/specterpwa/specter/server/internal/httpjson"
)

// Cookie and header names.
const (
	SessionCookie = "specter_session"
	CSRFCookie    = "specter_csrf"
	CSRFHeader    = "X-CSRF-Token"
	maxBody       = 64 << 10
)

// BearerPrefix starts an Authorization header carrying a session token
// (RFC 6750 section 2.1): "Authorization: Bearer <session_token>". Apps
// served by another relay (a trusted origin, Options.TrustedOrigins) get the
// token from login or setup, because their browsers send no cookies to this
// relay (SameSite=Strict, third-party cookie blocking). A browser never
// attaches it by itself, so bearer requests need no CSRF token.
const BearerPrefix = "Bearer "

// sessionID is the session id r presents: the bearer token of its
// Authorization header when it has one (bearer true), else the session
// cookie. Another scheme (a reverse proxy's Basic authentication, which the
// browser then sends with every request) is not the relay's and leaves the
// cookie in charge; "Bearer" without a token gives an error.
func sessionID(r *http.Request) (id string, bearer bool, err *Error) {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, token, _ := strings.Cut(auth, " ")
	if strings.EqualFold(scheme, strings.TrimSpace(BearerPrefix)) {
		if token = strings.TrimSpace(token); token == "" {
			return "", false, apiErr(http.StatusUnauthorized, "the Authorization header has no bearer session token",
				"send Authorization: Bearer <session_token> with the token login answered, or no Authorization header")
		}
		return token, true, nil
	}
	return cookieValue(r, SessionCookie), false, nil
}

// trustedCrossOrigin reports whether r comes from another origin that this
// relay trusts (Options.TrustedOrigins): a page served elsewhere, whose
// logins get a bearer token.
func (m *Manager) trustedCrossOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || !slices.Contains(m.opts.TrustedOrigins, origin) {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return false
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != r.Host
}

type ctxKey struct{}

type ctxSession struct {
	username string
	id       string
	bearer   bool // the session came as a bearer token, not a cookie
}

// errorBody is the JSON error shape of the relay's APIs.
type errorBody = httpjson.ErrorBody

func writeErr(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = apiErr(http.StatusInternalServerError, err.Error(), "this is a relay problem; check its log")
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter/time.Second)))
	}
	httpjson.Write(w, e.Status, errorBody{Error: e.Msg, Hint: e.Hint})
}

// clientIP is the TCP peer's address (proxy headers are not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decode reads one JSON object of at most 64 KiB with no unknown fields.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return apiErr(http.StatusUnsupportedMediaType, "the request body must be JSON", "send Content-Type: application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apiErr(http.StatusBadRequest, "the request body is not valid: "+err.Error(), "send one JSON object with the documented fields")
	}
	if _, err := dec.Token(); err != io.EOF {
		return apiErr(http.StatusBadRequest, "the request body has data after the JSON object", "send exactly one JSON object")
	}
	return nil
}

// crossOrigin refuses state-changing requests from other origins (Origin
// and Sec-Fetch-Site, Go's http.CrossOriginProtection).
func (m *Manager) crossOrigin(r *http.Request) *Error {
	if err := m.cop.Check(r); err != nil {
		return apiErr(http.StatusForbidden, "cross-origin request refused",
			"use the relay's own page; if you reach the relay through another address, add it as a trusted origin in the relay's settings")
	}
	return nil
}

func (m *Manager) setCookies(w http.ResponseWriter, r *http.Request, s Session) {
	secure := m.opts.SecureCookies || r.TLS != nil
	maxAge := int(s.ExpiresAt.Sub(m.opts.Now()).Seconds())
	if maxAge < 1 {
		maxAge = 1
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: s.ID, Path: "/", Expires: s.ExpiresAt, MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: s.CSRF, Path: "/", Expires: s.ExpiresAt, MaxAge: maxAge,
		HttpOnly: false, Secure: secure, SameSite: http.SameSiteStrictMode})
}

func (m *Manager) clearCookies(w http.ResponseWriter, r *http.Request) {
	secure := m.opts.SecureCookies || r.TLS != nil
	for _, name := range []string{SessionCookie, CSRFCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: name == SessionCookie, Secure: secure, SameSite: http.SameSiteStrictMode})
	}
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// Require lets a request through only with a live session: a bearer
// session token (Authorization: Bearer, see BearerPrefix), which needs
// nothing more, or the session cookie, which for unsafe methods (POST, PUT,
// PATCH, DELETE ...) is accepted only from the relay's own or a trusted
// origin and with the X-CSRF-Token header equal to both the specter_csrf
// cookie and the session's token. Refusals are 401 (no or expired
// session) and 403 (CSRF) JSON errors.
func (m *Manager) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, bearer, bad := sessionID(r)
		if bad != nil {
			writeErr(w, bad)
			return
		}
		m.mu.Lock()
		setup := m.needsSetupLocked()
		s, u, ok := m.lookup(id)
		var csrf, name string
		if ok {
			csrf, name = s.CSRF, u.Username
		}
		m.mu.Unlock()
		if setup {
			writeErr(w, needsSetupErr())
			return
		}
		if !ok {
			if id != "" {
				if !bearer {
					m.clearCookies(w, r)
				}
				writeErr(w, apiErr(http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)"))
				return
			}
			writeErr(w, apiErr(http.StatusUnauthorized, "not logged in", "log in first (POST /api/auth/login)"))
			return
		}
		if !isSafe(r.Method) && !bearer {
			if e := m.crossOrigin(r); e != nil {
				writeErr(w, e)
				return
			}
			hdr := r.Header.Get(CSRFHeader)
			if hdr == "" {
				writeErr(w, apiErr(http.StatusForbidden, "missing CSRF token",
					"send the "+CSRFHeader+" header with the value of the "+CSRFCookie+" cookie (also returned by GET /api/auth/csrf)"))
				return
			}
			if subtle.ConstantTimeCompare([]byte(hdr), []byte(cookieValue(r, CSRFCookie))) != 1 ||
				subtle.ConstantTimeCompare([]byte(hdr), []byte(csrf)) != 1 {
				writeErr(w, apiErr(http.StatusForbidden, "wrong CSRF token",
					"reload the page, or fetch the current token with GET /api/auth/csrf"))
				return
			}
		}
		ctx := context.WithValue(r.Context(), ctxKey{}, ctxSession{username: name, id: id, bearer: bearer})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// current is the request's user: from Require's context, else from the
// bearer token or the session cookie. Returns a copy.
func (m *Manager) current(r *http.Request) (User, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cs, ok := r.Context().Value(ctxKey{}).(ctxSession); ok {
		if _, u, ok := m.lookup(cs.id); ok && u.Username == cs.username {
			return u.public(), true
		}
		return User{}, false
	}
	id, _, bad := sessionID(r)
	if bad != nil {
		return User{}, false
	}
	if _, u, ok := m.lookup(id); ok {
		return u.public(), true
	}
	return User{}, false
}

// CurrentUser is the logged-in user of r, if any.
func (m *Manager) CurrentUser(r *http.Request) (User, bool) {
	return m.current(r)
}

// IsAdmin reports whether r comes from a logged-in admin.
func (m *Manager) IsAdmin(r *http.Request) bool {
	u, ok := m.current(r)
	return ok && u.Admin
}

// CanUseNode reports whether r's user may use node nodeID: admins may use
// every node, other users the nodes an admin allowed them.
func (m *Manager) CanUseNode(r *http.Request, nodeID string) bool {
	u, ok := m.current(r)
	if !ok {
		return false
	}
	return u.Admin || slices.Contains(u.Nodes, nodeID)
}

func (m *Manager) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !m.IsAdmin(r) {
			writeErr(w, apiErr(http.StatusForbidden, "only an admin can manage users", "ask an admin of this relay"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

type loginResponse struct {
	User      User   `json:"user"`
	CSRFToken string `json:"csrf_token"`
	// SessionToken and ExpiresAt answer a login or setup from a trusted
	// other origin (no cookies are set then): send the token as
	// Authorization: Bearer until it expires.
	SessionToken string     `json:"session_token,omitempty"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
}

// answerLogin gives a new session to the client: cookies for the relay's
// own page, the bearer token for an app of a trusted other origin.
func (m *Manager) answerLogin(w http.ResponseWriter, r *http.Request, status int, s Session) {
	resp := loginResponse{User: s.User, CSRFToken: s.CSRF}
	if m.trustedCrossOrigin(r) {
		exp := s.ExpiresAt.UTC()
		resp.SessionToken, resp.ExpiresAt = s.ID, &exp
	} else {
		m.setCookies(w, r, s)
	}
	httpjson.Write(w, status, resp)
}

type statusResponse struct {
	NeedsSetup bool  `json:"needs_setup"`
	User       *User `json:"user"`
}

// Routes is the /api/auth API (mount it there):
//
//	GET    /status          {"needs_setup": bool, "user": User|null}   (public)
//	POST   /setup           {"token","username","password"} -> 201 {"user","csrf_token"} + cookies
//	POST   /login           {"username","password"}         -> 200 {"user","csrf_token"} + cookies
//	                        (from a trusted other origin: no cookies, and
//	                        {"session_token","expires_at"} for Authorization: Bearer)
//	POST   /logout                                          -> 204, cookies cleared
//	GET    /me              -> {"user","csrf_token"}
//	GET    /csrf            -> {"csrf_token"} (and the cookie again)
//	POST   /password        {"current_password","new_password"} -> 204
//	GET    /users           (admin) -> {"users": [User...]}
//	POST   /users           (admin) {"username","password","admin","nodes"} -> 201 User
//	GET    /users/{name}    (admin) -> User
//	PATCH  /users/{name}    (admin) {"password"?, "admin"?, "nodes"?} -> User
//	DELETE /users/{name}    (admin) -> 204
//
// Setup and login need JSON and pass the cross-origin check; the others go
// through Require (bearer token, or session cookie + CSRF).
func (m *Manager) Routes() http.Handler {
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, apiErr(http.StatusNotFound, "no such auth endpoint: "+r.Method+" "+r.URL.Path, "see the /api/auth routes in the relay's documentation"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, apiErr(http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed here", "see the /api/auth routes in the relay's documentation"))
	})
	r.Get("/status", m.handleStatus)
	r.Post("/setup", m.handleSetup)
	r.Post("/login", m.handleLogin)
	r.Group(func(r chi.Router) {
		r.Use(m.Require)
		r.Post("/logout", m.handleLogout)
		r.Get("/me", m.handleMe)
		r.Get("/csrf", m.handleCSRF)
		r.Post("/password", m.handlePassword)
		r.Group(func(r chi.Router) {
			r.Use(m.requireAdmin)
			r.Get("/users", m.handleListUsers)
			r.Post("/users", m.handleCreateUser)
			r.Get("/users/{name}", m.handleGetUser)
			r.Patch("/users/{name}", m.handleUpdateUser)
			r.Delete("/users/{name}", m.handleDeleteUser)
		})
	})
	return r
}

func (m *Manager) handleStatus(w http.ResponseWriter, r *http.Request) {
	resp := statusResponse{NeedsSetup: m.NeedsSetup()}
	if u, ok := m.current(r); ok {
		resp.User = &u
	}
	httpjson.Write(w, http.StatusOK, resp)
}

func (m *Manager) handleSetup(w http.ResponseWriter, r *http.Request) {
	if e := m.crossOrigin(r); e != nil {
		writeErr(w, e)
		return
	}
	var req struct {
		Token    string `json:"token"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &req); err != nil {
		writeErr(w, err)
		return
	}
	s, err := m.Setup(req.Token, req.Username, req.Password, clientIP(r))
	if err != nil {
		writeErr(w, err)
		return
	}
	m.answerLogin(w, r, http.StatusCreated, s)
}

func (m *Manager) handleLogin(w http.ResponseWriter, r *http.Request) {
	if e := m.crossOrigin(r); e != nil {
		writeErr(w, e)
		return
	}
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &req); err != nil {
		writeErr(w, err)
		return
	}
	s, err := m.Login(req.Username, req.Password, clientIP(r))
	if err != nil {
		writeErr(w, err)
		return
	}
	m.answerLogin(w, r, http.StatusOK, s)
}

func sessionOf(r *http.Request) ctxSession {
	cs, _ := r.Context().Value(ctxKey{}).(ctxSession)
	return cs
}

func (m *Manager) handleLogout(w http.ResponseWriter, r *http.Request) {
	cs := sessionOf(r)
	if err := m.Logout(cs.id); err != nil {
		writeErr(w, err)
		return
	}
	if !cs.bearer {
		m.clearCookies(w, r)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Manager) sessionCSRF(r *http.Request) (Session, bool) {
	cs := sessionOf(r)
	m.mu.Lock()
	defer m.mu.Unlock()
	s, u, ok := m.lookup(cs.id)
	if !ok {
		return Session{}, false
	}
	return Session{ID: cs.id, CSRF: s.CSRF, User: u.public(), ExpiresAt: s.ExpiresAt}, true
}

func (m *Manager) handleMe(w http.ResponseWriter, r *http.Request) {
	s, ok := m.sessionCSRF(r)
	if !ok {
		writeErr(w, apiErr(http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)"))
		return
	}
	httpjson.Write(w, http.StatusOK, loginResponse{User: s.User, CSRFToken: s.CSRF})
}

func (m *Manager) handleCSRF(w http.ResponseWriter, r *http.Request) {
	s, ok := m.sessionCSRF(r)
	if !ok {
		writeErr(w, apiErr(http.StatusUnauthorized, "your session has ended", "log in again (POST /api/auth/login)"))
		return
	}
	m.setCookies(w, r, s)
	httpjson.Write(w, http.StatusOK, map[string]string{"csrf_token": s.CSRF})
}

func (m *Manager) handlePassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decode(w, r, &req); err != nil {
		writeErr(w, err)
		return
	}
	cs := sessionOf(r)
	if err := m.ChangePassword(cs.username, req.Current, req.New, cs.id); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Manager) handleListUsers(w http.ResponseWriter, r *http.Request) {
	httpjson.Write(w, http.StatusOK, map[string][]User{"users": m.Users()})
}

func (m *Manager) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string   `json:"username"`
		Password string   `json:"password"`
		Admin    bool     `json:"admin"`
		Nodes    []string `json:"nodes"`
	}
	if err := decode(w, r, &req); err != nil {
		writeErr(w, err)
		return
	}
	u, err := m.CreateUser(req.Username, req.Password, req.Admin, req.Nodes)
	if err != nil {
		writeErr(w, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, u)
}

func (m *Manager) handleGetUser(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	for _, u := range m.Users() {
		if u.Username == name {
			httpjson.Write(w, http.StatusOK, u)
			return
		}
	}
	writeErr(w, notFound(name))
}

func (m *Manager) handleUpdateUser(w http.ResponseWriter, r *http.Request) {
	var upd Update
	if err := decode(w, r, &upd); err != nil {
		writeErr(w, err)
		return
	}
	u, err := m.UpdateUser(chi.URLParam(r, "name"), upd)
	if err != nil {
		writeErr(w, err)
		return
	}
	httpjson.Write(w, http.StatusOK, u)
}

func (m *Manager) handleDeleteUser(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	if name == sessionOf(r).username {
		writeErr(w, apiErr(http.StatusConflict, "you cannot delete your own account", "ask another admin to delete it"))
		return
	}
	if err := m.DeleteUser(name); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
