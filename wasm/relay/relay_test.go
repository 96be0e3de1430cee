//go:build !js

package relay

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/chainsync"
)

func TestNewRefusesBadAddresses(t *testing.T) {
	for name, tc := range map[string]struct{ base, node, err string }{
		"relative":  {"/api", "n", `the relay address "/api" is not an http(s) URL such as https://relay.example`},
		"ftp":       {"ftp://x", "n", `the relay address "ftp://x" is not an http(s) URL such as https://relay.example`},
		"no node":   {"https://relay.example", "", "no node is chosen: pick a node of the relay first"},
		"no scheme": {"relay.example", "n", `the relay address "relay.example" is not an http(s) URL such as https://relay.example`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(tc.base, tc.node, "", nil)
			require.EqualError(t, err, tc.err)
		})
	}
	c, err := New(" https://relay.example/ ", "my node/1", "tok", nil)
	require.NoError(t, err)
	require.Equal(t, "https://relay.example/api/nodes/my%20node%2F1/rpc", c.Endpoint())
}

func TestCallBatchSendsOneRequestAndReordersTheAnswers(t *testing.T) {
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/api/nodes/local/rpc", r.URL.Path)
		require.Equal(t, http.MethodPost, r.Method)
		require.Equal(t, "tok", r.Header.Get(CSRFHeader))
		require.Equal(t, "application/json", r.Header.Get("Content-Type"))
		b, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(b, &got))
		// Answers out of order, one of them an error (Core's 1.0 dialect).
		io.WriteString(w, `[{"id":1,"result":null,"error":{"code":-5,"message":"No such mempool or blockchain transaction"}},{"id":0,"result":120,"error":null}]`)
	}))
	defer srv.Close()
	c, err := New(srv.URL, "local", "tok", HTTPTransport{Client: srv.Client()})
	require.NoError(t, err)
	res, err := c.CallBatch(context.Background(), []chainsync.Request{{Method: "getblockcount"}, {Method: "getrawtransaction", Params: []any{"ab", 0}}})
	require.NoError(t, err)
	require.Equal(t, []map[string]any{
		{"jsonrpc": "1.0", "id": float64(0), "method": "getblockcount", "params": []any{}},
		{"jsonrpc": "1.0", "id": float64(1), "method": "getrawtransaction", "params": []any{"ab", float64(0)}},
	}, got)
	require.Equal(t, []chainsync.Response{
		{Result: json.RawMessage("120")},
		{Result: json.RawMessage("null"), Error: &chainsync.RPCError{Code: -5, Message: "No such mempool or blockchain transaction"}},
	}, res)
}

func TestCallBatchExplainsRelayRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		status int
		body   string
		err    string
	}{
		"logged out": {401, `{"error":"not logged in"}`, "the relay answered 401: not logged in (log in to the relay again)"},
		"csrf":       {403, `{"error":"CSRF token missing"}`, "the relay answered 403: CSRF token missing (reload the page to renew the session's CSRF token, or ask the relay's admin for access to this node)"},
		"node gone":  {404, `{"error":"no node with id \"x\"","kind":"not_found"}`, `the relay answered 404: no node with id "x" (the node was removed from the relay: choose another one)`},
		"node down":  {502, `{"error":"connection refused","kind":"unreachable"}`, "the relay answered 502: connection refused (the relay cannot reach the node: check that it is running)"},
		"busy":       {503, `{"error":"node busy"}`, "the relay answered 503: node busy (the node is busy: try again in a moment)"},
		"origin refused": {403, `{"error":"this relay does not accept requests from the app at http://127.0.0.1:7001","hint":"start that relay with --allow-origin http://127.0.0.1:7001","kind":"origin_refused"}`,
			"the relay answered 403: this relay does not accept requests from the app at http://127.0.0.1:7001 (start that relay with --allow-origin http://127.0.0.1:7001)"},
		"JSON-RPC error":   {400, `{"id":null,"result":null,"error":{"code":-32700,"message":"parse error"}}`, "the relay answered 400: parse error"},
		"not JSON":         {500, `oops`, "the relay answered 500"},
		"answer not array": {200, `{"id":0}`, `the relay's answer is not a JSON-RPC batch answer: "{\"id\":0}"`},
		"missing answer":   {200, `[{"id":0,"result":1}]`, "the relay's answer lacks the answer to getblockhash (request 2 of 2)"},
		"unknown id":       {200, `[{"id":0,"result":1},{"id":7,"result":1}]`, "the relay's answer has an unexpected id 7"},
		"duplicate id":     {200, `[{"id":0,"result":1},{"id":0,"result":1}]`, "the relay's answer has an unexpected id 0"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, err := New(srv.URL, "x", "", HTTPTransport{Client: srv.Client()})
			require.NoError(t, err)
			_, err = c.CallBatch(context.Background(), []chainsync.Request{{Method: "getblockcount"}, {Method: "getblockhash", Params: []any{1}}})
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestCallBatchOfUnreachableRelay(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := New(url, "x", "", nil)
	require.NoError(t, err)
	_, err = c.CallBatch(context.Background(), []chainsync.Request{{Method: "getblockcount"}})
	require.ErrorContains(t, err, "the relay cannot be reached (check the network and that the relay runs): ")
	res, err := c.CallBatch(context.Background(), nil)
	require.NoError(t, err)
	require.Nil(t, res)
}

func TestWithTokenSendsTheBearerTokenInsteadOfTheCSRFToken(t *testing.T) {
	var auth, csrf []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		csrf = append(csrf, r.Header.Get(CSRFHeader))
		io.WriteString(w, `[{"id":0,"result":7,"error":null}]`)
	}))
	defer srv.Close()
	cookie, err := New(srv.URL, "n1", "csrf-tok", HTTPTransport{Client: srv.Client()})
	require.NoError(t, err)
	require.Same(t, cookie, cookie.WithToken("  "), "no token: the same caller")
	bearer := cookie.WithToken(" session-tok ")
	require.Equal(t, cookie.Endpoint(), bearer.Endpoint())
	for _, c := range []*Caller{bearer, cookie} {
		res, err := c.CallBatch(context.Background(), []chainsync.Request{{Method: "getblockcount"}})
		require.NoError(t, err)
		require.Equal(t, []chainsync.Response{{Result: json.RawMessage("7")}}, res)
	}
	require.Equal(t, []string{"Bearer session-tok", ""}, auth)
	require.Equal(t, []string{"", "csrf-tok"}, csrf, "the cookie caller is unchanged")
}
