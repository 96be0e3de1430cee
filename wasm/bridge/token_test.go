//go:build !js

package bridge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/store"
)

// TestNodeCallsOfAnotherRelayCarryTheBearerToken: with "token" the node
// call goes to the given relay with Authorization: Bearer and no CSRF
// header; without it that relay refuses, and its refusal of the page's
// origin is explained with the relay's hint.
func TestNodeCallsOfAnotherRelayCarryTheBearerToken(t *testing.T) {
	const txid = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+" auth="+r.Header.Get("Authorization")+" csrf="+r.Header.Get("X-CSRF-Token"))
		w.Header().Set("Content-Type", "application/json")
		switch r.Header.Get("Authorization") {
		case "Bearer session-tok":
			_, _ = io.WriteString(w, `[{"id":0,"result":"`+txid+`","error":null}]`)
		case "":
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"error":"this relay does not accept requests from the app at http://127.0.0.1:7001","hint":"start that relay with --allow-origin http://127.0.0.1:7001","kind":"origin_refused"}`)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"your session has ended"}`)
		}
	}))
	defer srv.Close()
	r := managerRegistry(t, store.NewMemory())

	res := ok[BroadcastResult](t, r, "tx.broadcast", BroadcastParams{TxHex: "00",
		NodeParams: NodeParams{Relay: srv.URL, NodeID: "n1", CSRF: "ignored", Token: "session-tok"}})
	require.Equal(t, txid, res.TxID)

	e := fails(t, r, "tx.broadcast", BroadcastParams{TxHex: "00", NodeParams: NodeParams{Relay: srv.URL, NodeID: "n1"}})
	require.Equal(t, "the transaction was not sent: the relay answered 403: this relay does not accept requests from the app at http://127.0.0.1:7001 (start that relay with --allow-origin http://127.0.0.1:7001)", e.Message)

	e = fails(t, r, "tx.broadcast", BroadcastParams{TxHex: "00", NodeParams: NodeParams{Relay: srv.URL, NodeID: "n1", Token: "old"}})
	require.Equal(t, "the transaction was not sent: the relay answered 401: your session has ended (log in to the relay again)", e.Message)

	require.Equal(t, []string{
		"/api/nodes/n1/rpc auth=Bearer session-tok csrf=",
		"/api/nodes/n1/rpc auth= csrf=",
		"/api/nodes/n1/rpc auth=Bearer old csrf=",
	}, seen)
}
