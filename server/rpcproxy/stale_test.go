package rpcproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// nodeAction is what the scripted node does with one request.
type nodeAction int

const (
	answer          nodeAction = iota
	closeBeforeByte            // read the request, close the connection without a byte
	cutAnswer                  // send the headers and part of the body, then close
)

// exchange is one request as the scripted node saw it: the connection
// (numbered from 1 in accept order) and the request's number on it.
type exchange struct{ Conn, Req int }

type connKey struct{}

type connCount struct {
	no   int
	reqs atomic.Int64
}

// scriptedNode is a Bitcoin Core-like JSON-RPC server that answers
// getnetworkinfo and getblockcount, keeps connections alive, and does what
// script says with each request, so tests control exactly when a connection
// is closed.
func scriptedNode(t *testing.T, script func(exchange) nodeAction) (*httptest.Server, func() []exchange) {
	var conns atomic.Int64
	var mu sync.Mutex
	var seen []exchange
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cc := r.Context().Value(connKey{}).(*connCount)
		ex := exchange{Conn: cc.no, Req: int(cc.reqs.Add(1))}
		mu.Lock()
		seen = append(seen, ex)
		mu.Unlock()
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		switch script(ex) {
		case closeBeforeByte:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			conn.Close()
			return
		case cutAnswer:
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{\"result\":")
			_ = buf.Flush()
			conn.Close()
			return
		}
		type rpcReq struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		type rpcResp struct {
			Result any             `json:"result"`
			Error  any             `json:"error"`
			ID     json.RawMessage `json:"id"`
		}
		do := func(q rpcReq) rpcResp {
			switch q.Method {
			case "getnetworkinfo":
				return rpcResp{Result: map[string]string{"subversion": "/Satoshi:27.0.0/"}, ID: q.ID}
			case "getblockcount":
				return rpcResp{Result: 7, ID: q.ID}
			}
			return rpcResp{Error: map[string]any{"code": -32601, "message": "Method not found"}, ID: q.ID}
		}
		var out any
		var batch []rpcReq
		if json.Unmarshal(body, &batch) == nil {
			var answers []rpcResp
			for _, q := range batch {
				answers = append(answers, do(q))
			}
			out = answers
		} else {
			var q rpcReq
			if err := json.Unmarshal(body, &q); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			out = do(q)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	srv.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, &connCount{no: int(conns.Add(1))})
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, func() []exchange {
		mu.Lock()
		defer mu.Unlock()
		return append([]exchange(nil), seen...)
	}
}

func unreachable(url, cause string) string {
	body, _ := json.Marshal(httpError{Kind: "unreachable", Error: fmt.Sprintf("node \"fake\" at %s is unreachable (%s): check that it is running, that the URL and port are right, and that it accepts RPC from this host (Core: rpcbind/rpcallowip; btcd: rpclisten)", url, cause)})
	return string(body)
}

// TestCallIsSentAgainOnlyWhenAReusedConnectionClosedBeforeAnswering: the
// relay's first call detects the flavour (request 1 of connection 1) and
// asks getblockcount (request 2, on the kept-alive connection); the second
// call's request is the third on connection 1.
func TestCallIsSentAgainOnlyWhenAReusedConnectionClosedBeforeAnswering(t *testing.T) {
	const ok = `{"result":7,"error":null,"id":2}`
	cases := []struct {
		name   string
		script func(exchange) nodeAction
		status int
		body   func(url string) string
		seen   []exchange
	}{
		{
			name: "reused connection closed before any byte: sent again on a new connection",
			script: func(e exchange) nodeAction {
				if e == (exchange{1, 3}) {
					return closeBeforeByte
				}
				return answer
			},
			status: 200,
			body:   func(string) string { return ok },
			seen:   []exchange{{1, 1}, {1, 2}, {1, 3}, {2, 1}},
		},
		{
			name: "the new connection closed too: not sent a third time",
			script: func(e exchange) nodeAction {
				if e == (exchange{1, 3}) || e.Conn == 2 {
					return closeBeforeByte
				}
				return answer
			},
			status: 502,
			body:   func(url string) string { return unreachable(url, "EOF") },
			seen:   []exchange{{1, 1}, {1, 2}, {1, 3}, {2, 1}},
		},
		{
			name: "answer cut after its first bytes: not sent again",
			script: func(e exchange) nodeAction {
				if e == (exchange{1, 3}) {
					return cutAnswer
				}
				return answer
			},
			status: 502,
			body:   func(url string) string { return unreachable(url, "reading the answer: unexpected EOF") },
			seen:   []exchange{{1, 1}, {1, 2}, {1, 3}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			node, seen := scriptedNode(t, tc.script)
			r := newRelay(t, Options{})
			id := r.add("fake", node.URL, "regtest", "u", "p")

			status, body := r.post(id, `{"id":1,"method":"getblockcount"}`)
			require.Equal(t, 200, status, body)
			require.JSONEq(t, `{"result":7,"error":null,"id":1}`, body)

			status, body = r.post(id, `{"id":2,"method":"getblockcount"}`)
			require.Equal(t, tc.status, status, body)
			require.JSONEq(t, tc.body(node.URL), body)
			require.Equal(t, tc.seen, seen())
		})
	}

	t.Run("new connection closed before any byte: not sent again", func(t *testing.T) {
		node, seen := scriptedNode(t, func(exchange) nodeAction { return closeBeforeByte })
		r := newRelay(t, Options{})
		id := r.add("fake", node.URL, "regtest", "u", "p")
		status, body := r.post(id, `{"id":1,"method":"getblockcount"}`)
		require.Equal(t, 502, status, body)
		require.JSONEq(t, unreachable(node.URL, "EOF"), body)
		require.Equal(t, []exchange{{1, 1}}, seen())
	})

	t.Run("flavour detection on a reused connection closed before any byte: sent again", func(t *testing.T) {
		// A node entered twice shares the relay's connections; the second
		// entry detects its flavour on the first entry's idle connection.
		node, seen := scriptedNode(t, func(e exchange) nodeAction {
			if e == (exchange{1, 3}) {
				return closeBeforeByte
			}
			return answer
		})
		r := newRelay(t, Options{})
		first := r.add("fake", node.URL, "regtest", "u", "p")
		second := r.add("fake again", node.URL, "regtest", "u", "p")
		status, body := r.post(first, `{"id":1,"method":"getblockcount"}`)
		require.Equal(t, 200, status, body)
		require.JSONEq(t, `{"result":7,"error":null,"id":1}`, body)
		status, body = r.post(second, `{"id":2,"method":"getblockcount"}`)
		require.Equal(t, 200, status, body)
		require.JSONEq(t, ok, body)
		require.Equal(t, []exchange{{1, 1}, {1, 2}, {1, 3}, {2, 1}, {2, 2}}, seen())
	})
}
