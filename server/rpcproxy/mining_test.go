package rpcproxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeCore is a JSON-RPC upstream that answers like Bitcoin Core on a given
// chain (Core's shapes from its RPC help) and records every method asked.
type fakeCore struct {
	mu      sync.Mutex
	methods []string
}

func (f *fakeCore) serve(t *testing.T, bci string) *httptest.Server {
	answers := map[string]string{
		"getblockchaininfo": bci,
		"getnetworkinfo":    `{"version":270100,"subversion":"/Satoshi:27.1.0/"}`,
		"generatetoaddress": `["0000000000000000000000000000000000000000000000000000000000000001"]`,
		"generate":          `["0000000000000000000000000000000000000000000000000000000000000001"]`,
		"getblockcount":     `5`,
	}
	answer := func(raw json.RawMessage) map[string]any {
		var rq struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		require.NoError(t, json.Unmarshal(raw, &rq))
		f.mu.Lock()
		f.methods = append(f.methods, rq.Method)
		f.mu.Unlock()
		if res, ok := answers[rq.Method]; ok {
			return map[string]any{"result": json.RawMessage(res), "error": nil, "id": rq.ID}
		}
		return map[string]any{"result": nil, "error": map[string]any{"code": -32601, "message": "Method not found"}, "id": rq.ID}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		w.Header().Set("Content-Type", "application/json")
		var batch []json.RawMessage
		if json.Unmarshal(body, &batch) == nil {
			out := make([]map[string]any, len(batch))
			for i, rq := range batch {
				out[i] = answer(rq)
			}
			require.NoError(t, json.NewEncoder(w).Encode(out))
			return
		}
		require.NoError(t, json.NewEncoder(w).Encode(answer(body)))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeCore) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.methods...)
}

func TestMiningMethodsNeedTheNodeItselfToBeOnRegtest(t *testing.T) {
	cases := []struct {
		name  string
		bci   string
		body  string
		want  string
		asked []string
	}{
		{
			name:  "entry says regtest, node says main: generatetoaddress is refused and never sent",
			bci:   `{"chain":"main","blocks":870000,"headers":870000}`,
			body:  `{"id":1,"method":"generatetoaddress","params":[1,"bcrt1qxyz"]}`,
			want:  `{"result":null,"error":{"code":-32001,"message":"method \"generatetoaddress\" is allowed only on regtest nodes: this node's entry says regtest, but the node reports chain \"main\"; fix the node's network in the node settings"},"id":1}`,
			asked: []string{"getblockchaininfo"},
		},
		{
			name: "entry says regtest, node says main: a batch asks the chain once and still serves reading methods",
			bci:  `{"chain":"main","blocks":870000,"headers":870000}`,
			body: `[{"id":1,"method":"generate","params":[1]},{"id":2,"method":"getblockcount"},{"id":3,"method":"generatetoaddress","params":[1,"x"]}]`,
			want: `[
				{"result":null,"error":{"code":-32001,"message":"method \"generate\" is allowed only on regtest nodes: this node's entry says regtest, but the node reports chain \"main\"; fix the node's network in the node settings"},"id":1},
				{"result":5,"error":null,"id":2},
				{"result":null,"error":{"code":-32001,"message":"method \"generatetoaddress\" is allowed only on regtest nodes: this node's entry says regtest, but the node reports chain \"main\"; fix the node's network in the node settings"},"id":3}]`,
			asked: []string{"getblockchaininfo", "getnetworkinfo", "getblockcount"},
		},
		{
			name:  "node answers getblockchaininfo without a chain: refused",
			bci:   `{"blocks":5}`,
			body:  `{"id":1,"method":"generatetoaddress","params":[1,"x"]}`,
			want:  `{"result":null,"error":{"code":-32001,"message":"method \"generatetoaddress\" is allowed only on regtest nodes, and this node did not say which chain it is on (getblockchaininfo): test the node in the node settings"},"id":1}`,
			asked: []string{"getblockchaininfo"},
		},
		{
			name:  "entry and node both say regtest: generatetoaddress goes through",
			bci:   `{"chain":"regtest","blocks":5,"headers":5}`,
			body:  `{"id":1,"method":"generatetoaddress","params":[1,"x"]}`,
			want:  `{"result":["0000000000000000000000000000000000000000000000000000000000000001"],"error":null,"id":1}`,
			asked: []string{"getblockchaininfo", "getnetworkinfo", "generatetoaddress"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeCore{}
			srv := fake.serve(t, tc.bci)
			r := newRelay(t, Options{})
			id := r.add("says regtest", srv.URL, "regtest", "u", "p")
			status, body := r.post(id, tc.body)
			require.Equal(t, 200, status, body)
			require.JSONEq(t, tc.want, body)
			require.Equal(t, tc.asked, fake.asked())
		})
	}
}
