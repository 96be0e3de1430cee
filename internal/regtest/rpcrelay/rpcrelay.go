// Package rpcrelay serves a node through the relay's JSON-RPC proxy
// (server/rpcproxy, which speaks Bitcoin Core's dialect to its clients and
// translates it for btcd) in tests of clients that reach nodes through the
// relay, such as the engine's wasm/relay Caller.
package rpcrelay

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/server/rpcproxy"
)

// Handler adds node to a fresh node store (in a temporary directory of t)
// and returns a handler that serves POST /api/nodes/{id}/rpc through the
// relay's proxy, and the node's id in the store. Like the relay, the handler
// refuses a request without the CSRF token csrf in X-CSRF-Token (403, the
// relay's JSON error).
func Handler(t testing.TB, node *regtest.Node, csrf string) (http.Handler, string) {
	t.Helper()
	dir := t.TempDir()
	nm, err := nodes.Open(dir, nodes.Options{BitcoinDir: filepath.Join(dir, "none")})
	require.NoError(t, err)
	info, err := nm.Add(nodes.NewNode{Name: "btcd", URL: node.URL, Network: "regtest", User: node.User, Password: node.Password})
	require.NoError(t, err)
	mux := chi.NewRouter()
	proxy := rpcproxy.New(nm, nil, rpcproxy.Options{})
	mux.Post("/api/nodes/{id}/rpc", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-CSRF-Token") != csrf {
			nodes.WriteError(w, http.StatusForbidden, "CSRF token missing")
			return
		}
		proxy.ServeHTTP(w, r)
	})
	return mux, info.ID
}
