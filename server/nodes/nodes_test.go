package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/shared/network"
)

func newManager(t *testing.T) (*Manager, string) {
	t.Helper()
	dir := t.TempDir()
	m, err := Open(dir, Options{BitcoinDir: filepath.Join(dir, "bitcoin")})
	require.NoError(t, err)
	return m, dir
}

func TestNodeTestAgainstRealBtcd(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(5)
	closed, err := regtest.FreePorts(1)
	require.NoError(t, err)

	cases := []struct {
		name  string
		in    NewNode
		check func(t *testing.T, r TestResult)
	}{
		{
			name: "right credentials: every check passes",
			in:   NewNode{Name: "btcd", URL: btcd.URL, Network: "regtest", User: btcd.User, Password: btcd.Password},
			check: func(t *testing.T, r TestResult) {
				require.Equal(t, TestResult{
					OK:            true,
					Reachable:     Check{StatusOK, "the node answers at " + btcd.URL},
					Credentials:   Check{StatusOK, "accepted"},
					Network:       Check{StatusOK, "regtest"},
					Synced:        Check{StatusOK, "regtest: synced at height 5"},
					Version:       Check{StatusOK, "btcd 0.24.2"},
					FilterIndex:   Check{StatusOK, "btcd serves basic (BIP158) block filters"},
					Flavour:       Btcd,
					Chain:         "regtest",
					Blocks:        5,
					Headers:       5,
					VersionNumber: 240200,
				}, r)
			},
		},
		{
			name: "wrong password: credentials refused, later steps skipped",
			in:   NewNode{Name: "btcd", URL: btcd.URL, Network: "regtest", User: btcd.User, Password: "wrong"},
			check: func(t *testing.T, r TestResult) {
				require.False(t, r.OK)
				require.Equal(t, Check{StatusOK, "the node answers at " + btcd.URL}, r.Reachable)
				require.Equal(t, StatusFail, r.Credentials.Status)
				require.Equal(t, fmt.Sprintf("node \"btcd\" at %s refused the relay's credentials (HTTP 401): check the RPC user and password (Core: rpcauth/rpcuser/rpcpassword; btcd: rpcuser/rpcpass) or that the cookie file is the current one", btcd.URL), r.Credentials.Message)
				require.Equal(t, skipped, r.Network)
				require.Equal(t, skipped, r.Synced)
				require.Equal(t, skipped, r.Version)
				require.Equal(t, skipped, r.FilterIndex)
			},
		},
		{
			name: "wrong network: regtest node entered as testnet",
			in:   NewNode{Name: "btcd", URL: btcd.URL, Network: "test", User: btcd.User, Password: btcd.Password},
			check: func(t *testing.T, r TestResult) {
				require.False(t, r.OK)
				require.Equal(t, StatusOK, r.Credentials.Status)
				require.Equal(t, Check{StatusFail, "the node is on regtest but this entry expects test: pick the right network or the right node/port"}, r.Network)
				require.Equal(t, "regtest", r.Chain)
				require.Equal(t, Btcd, r.Flavour)
			},
		},
		{
			name: "unreachable port: reachability fails, the rest is skipped",
			in:   NewNode{Name: "gone", URL: fmt.Sprintf("http://127.0.0.1:%d", closed[0]), Network: "regtest", User: "u", Password: "p"},
			check: func(t *testing.T, r TestResult) {
				require.False(t, r.OK)
				require.Equal(t, StatusFail, r.Reachable.Status)
				require.True(t, strings.HasPrefix(r.Reachable.Message, fmt.Sprintf("node \"gone\" at http://127.0.0.1:%d is unreachable (", closed[0])), r.Reachable.Message)
				require.Contains(t, r.Reachable.Message, "connection refused")
				require.Equal(t, skipped, r.Credentials)
				require.Equal(t, skipped, r.Network)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t)
			r, err := m.TestNew(context.Background(), tc.in)
			require.NoError(t, err)
			tc.check(t, r)
		})
	}
}

func TestCookieAutoDetectedFromDefaultDataDirPerNetwork(t *testing.T) {
	btcd := regtest.StartWith(t, regtest.Options{User: "__cookie__"})
	m, dir := newManager(t)
	bitcoinDir := filepath.Join(dir, "bitcoin")
	require.Equal(t, filepath.Join(bitcoinDir, ".cookie"), CookiePath(bitcoinDir, network.Main))
	require.Equal(t, filepath.Join(bitcoinDir, "testnet3", ".cookie"), CookiePath(bitcoinDir, network.Test))
	require.Equal(t, filepath.Join(bitcoinDir, "signet", ".cookie"), CookiePath(bitcoinDir, network.Signet))
	require.Equal(t, filepath.Join(bitcoinDir, "regtest", ".cookie"), CookiePath(bitcoinDir, network.Regtest))

	// No cookie yet: adding without credentials says where it looked.
	_, err := m.Add(NewNode{Name: "local", URL: btcd.URL, Network: "regtest"})
	require.Error(t, err)
	cookie := filepath.Join(bitcoinDir, "regtest", ".cookie")
	require.True(t, strings.HasPrefix(err.Error(), "no RPC user/password was given and reading the cookie file "+cookie+" (is the node running"), err.Error())

	require.NoError(t, os.MkdirAll(filepath.Dir(cookie), 0o700))
	require.NoError(t, os.WriteFile(cookie, []byte("__cookie__:"+btcd.Password), 0o600))
	info, err := m.Add(NewNode{Name: "local", URL: btcd.URL, Network: "regtest"})
	require.NoError(t, err)
	require.Equal(t, "cookie", info.Auth)
	require.Equal(t, cookie, info.CookieFile)

	r, err := m.Test(context.Background(), info.ID)
	require.NoError(t, err)
	require.True(t, r.OK)
	require.Equal(t, Check{StatusOK, "accepted"}, r.Credentials)

	// The cookie is read at every call: a stale cookie is refused.
	require.NoError(t, os.WriteFile(cookie, []byte("__cookie__:stale"), 0o600))
	c, err := m.Client(info.ID)
	require.NoError(t, err)
	_, err = c.Call(context.Background(), "getblockcount")
	var ue *UpstreamError
	require.ErrorAs(t, err, &ue)
	require.Equal(t, Unauthorized, ue.Kind)
}

func TestAddStoresCredentialsIn0600FileAndNeverShowsThem(t *testing.T) {
	m, dir := newManager(t)
	info, err := m.Add(NewNode{Name: "My Node", URL: "http://127.0.0.1:18443", Network: "regtest", User: "alice", Password: "s3cret-pass"})
	require.NoError(t, err)
	require.Equal(t, "my-node", info.ID)
	require.Equal(t, "password", info.Auth)
	info2, err := m.Add(NewNode{Name: "my node", URL: "http://127.0.0.1:18444", Network: "regtest", User: "a", Password: "b"})
	require.EqualError(t, err, `a node named "my node" exists already: choose another name`)
	require.Equal(t, Info{}, info2)
	info2, err = m.Add(NewNode{Name: "my node 2", URL: "http://127.0.0.1:18444", Network: "regtest", User: "a", Password: "b"})
	require.NoError(t, err)
	require.Equal(t, "my-node-2", info2.ID)

	st, err := os.Stat(filepath.Join(dir, FileName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	raw, err := os.ReadFile(filepath.Join(dir, FileName))
	require.NoError(t, err)
	require.Contains(t, string(raw), `"password": "s3cret-pass"`)

	shown, err := json.Marshal(m.List())
	require.NoError(t, err)
	require.NotContains(t, string(shown), "s3cret-pass")
	require.NotContains(t, string(shown), "alice")

	// Reopening reads the same nodes back.
	m2, err := Open(dir, Options{})
	require.NoError(t, err)
	require.Equal(t, m.List(), m2.List())
	n, found := m2.Lookup("my-node")
	require.True(t, found)
	require.Equal(t, "s3cret-pass", n.Password)

	require.NoError(t, m2.Remove("my-node"))
	require.EqualError(t, m2.Remove("my-node"), `no node with id "my-node"`)
	m3, err := Open(dir, Options{})
	require.NoError(t, err)
	require.Len(t, m3.List(), 1)
}

func TestValidateRefusesBadInput(t *testing.T) {
	m, _ := newManager(t)
	cases := []struct {
		name string
		in   NewNode
		want string
	}{
		{"empty name", NewNode{URL: "http://x:1", Network: "regtest", User: "u", Password: "p"}, "the node needs a name"},
		{"ftp URL", NewNode{Name: "n", URL: "ftp://x:1", Network: "regtest", User: "u", Password: "p"}, `the URL "ftp://x:1" is not an http:// or https:// URL with a host, such as http://127.0.0.1:8332`},
		{"credentials in URL", NewNode{Name: "n", URL: "http://u:p@x:1", Network: "regtest"}, "put the RPC user and password in their own fields, not in the URL"},
		{"unknown network", NewNode{Name: "n", URL: "http://x:1", Network: "litecoin", User: "u", Password: "p"}, `unknown network "litecoin": use main, test, signet or regtest`},
		{"user without password", NewNode{Name: "n", URL: "http://x:1", Network: "main", User: "u"}, "give both the RPC user and the RPC password, or neither to use a cookie file"},
		{"password and cookie", NewNode{Name: "n", URL: "http://x:1", Network: "main", User: "u", Password: "p", CookieFile: "/c"}, "give either a user and password or a cookie file, not both"},
		{"onion without Tor", NewNode{Name: "n", URL: "http://abc.onion:8332", Network: "main", User: "u", Password: "p"}, "abc.onion is an onion address: start the relay with Tor (--tor builtin or custom) to reach it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Add(tc.in)
			require.EqualError(t, err, tc.want)
		})
	}
}

type fakeAccess struct {
	admin bool
	nodes map[string]bool
}

func (a fakeAccess) CanUseNode(_ *http.Request, id string) bool { return a.admin || a.nodes[id] }
func (a fakeAccess) IsAdmin(*http.Request) bool                 { return a.admin }

func TestHTTPRoutesAddListTestRemoveWithAccessControl(t *testing.T) {
	btcd := regtest.Start(t)
	m, _ := newManager(t)
	router := func(a Access) http.Handler {
		r := chi.NewRouter()
		r.Route("/api/nodes", func(r chi.Router) { m.Register(r, a) })
		return r
	}
	admin := router(fakeAccess{admin: true})
	do := func(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		return rec
	}

	rec := do(admin, "POST", "/api/nodes", fmt.Sprintf(`{"name":"Regtest btcd","url":%q,"network":"regtest","user":%q,"password":%q}`, btcd.URL, btcd.User, btcd.Password))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	require.NotContains(t, rec.Body.String(), btcd.Password)
	var info Info
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &info))
	require.Equal(t, "regtest-btcd", info.ID)

	rec = do(admin, "POST", "/api/nodes", `{"name":"x","bogus":1}`)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.JSONEq(t, `{"error":"the request body is not the expected JSON: json: unknown field \"bogus\""}`, rec.Body.String())

	rec = do(admin, "POST", "/api/nodes/regtest-btcd/test", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var res TestResult
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	require.True(t, res.OK)

	rec = do(admin, "GET", "/api/nodes", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.NotContains(t, rec.Body.String(), btcd.Password)
	require.NotContains(t, rec.Body.String(), `"user"`)
	var list []Info
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	require.Len(t, list, 1)
	require.Equal(t, Btcd, list[0].Flavour, "the flavour found by the test is cached")

	// A user the admin did not allow sees no node and cannot remove it.
	stranger := router(fakeAccess{})
	rec = do(stranger, "GET", "/api/nodes", "")
	require.JSONEq(t, `[]`, rec.Body.String())
	rec = do(stranger, "GET", "/api/nodes/regtest-btcd", "")
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.JSONEq(t, `{"error":"no node with id \"regtest-btcd\""}`, rec.Body.String())
	rec = do(stranger, "DELETE", "/api/nodes/regtest-btcd", "")
	require.Equal(t, http.StatusForbidden, rec.Code)
	require.JSONEq(t, `{"error":"only an admin may add, test unsaved or remove nodes"}`, rec.Body.String())
	allowed := router(fakeAccess{nodes: map[string]bool{"regtest-btcd": true}})
	rec = do(allowed, "GET", "/api/nodes/regtest-btcd", "")
	require.Equal(t, http.StatusOK, rec.Code)

	rec = do(admin, "DELETE", "/api/nodes/regtest-btcd", "")
	require.Equal(t, http.StatusNoContent, rec.Code)
	rec = do(admin, "GET", "/api/nodes", "")
	require.JSONEq(t, `[]`, rec.Body.String())
}
