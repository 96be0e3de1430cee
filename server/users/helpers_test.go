package users

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/server/internal/httpjson"
)

// testKDF keeps tests fast; DefaultKDF is checked separately.
var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// relay is a router like F1's: the auth API at /api/auth and a node route
// guarded by Require + CanUseNode.
type relay struct {
	m   *Manager
	clk *clock
	h   http.Handler
	dir string
}

func newRelay(t *testing.T, dir string, clk *clock) *relay {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	if clk == nil {
		clk = &clock{t: t0}
	}
	m, err := Open(dir, Options{Now: clk.Now, KDF: testKDF})
	require.NoError(t, err)
	r := chi.NewRouter()
	r.Mount("/api/auth", m.Routes())
	r.With(m.Require).HandleFunc("/api/nodes/{id}/rpc", func(w http.ResponseWriter, req *http.Request) {
		if !m.CanUseNode(req, chi.URLParam(req, "id")) {
			httpjson.Write(w, http.StatusForbidden, errorBody{Error: "not your node"})
			return
		}
		_, _ = io.WriteString(w, "ok "+chi.URLParam(req, "id"))
	})
	return &relay{m: m, clk: clk, h: r, dir: dir}
}

// client keeps cookies like a browser on the relay's origin.
type client struct {
	t       *testing.T
	r       *relay
	ip      string
	cookies map[string]string
}

func (r *relay) client(t *testing.T, ip string) *client {
	return &client{t: t, r: r, ip: ip, cookies: map[string]string{}}
}

type resp struct {
	code   int
	body   string
	header http.Header
}

// do sends method path with body (JSON when not empty). Unsafe methods get
// the CSRF header from the cookie unless hdr overrides it; hdr adds headers.
func (c *client) do(method, path, body string, hdr map[string]string) resp {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://relay.test"+path, rd)
	req.RemoteAddr = c.ip + ":40000"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if !isSafe(method) && c.cookies[CSRFCookie] != "" {
		req.Header.Set(CSRFHeader, c.cookies[CSRFCookie])
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	c.r.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return resp{code: rec.Code, body: rec.Body.String(), header: rec.Header()}
}

func (c *client) login(user, pw string) resp {
	c.t.Helper()
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	return c.do(http.MethodPost, "/api/auth/login", string(b), nil)
}

// setupAdmin runs the first-start setup as "admin" with "admin password 1".
func (r *relay) setupAdmin(t *testing.T) *client {
	t.Helper()
	c := r.client(t, "10.0.0.1")
	b, _ := json.Marshal(map[string]string{"token": r.m.SetupToken(), "username": "admin", "password": "admin password 1"})
	res := c.do(http.MethodPost, "/api/auth/setup", string(b), nil)
	require.Equal(t, http.StatusCreated, res.code, res.body)
	return c
}

func requireErr(t *testing.T, res resp, code int, msg, hint string) {
	t.Helper()
	require.Equal(t, code, res.code, res.body)
	require.Equal(t, "application/json", res.header.Get("Content-Type"))
	want, _ := json.Marshal(errorBody{Error: msg, Hint: hint})
	require.JSONEq(t, string(want), res.body)
}
