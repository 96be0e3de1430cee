package regtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStartMinesAndAnswersRPC(t *testing.T) {
	n := Start(t)
	var count int
	require.NoError(t, json.Unmarshal(n.MustRPC("getblockcount"), &count))
	require.Equal(t, 0, count)

	hashes := n.Generate(3)
	require.Len(t, hashes, 3)
	require.NoError(t, json.Unmarshal(n.MustRPC("getblockcount"), &count))
	require.Equal(t, 3, count)

	var info struct {
		Chain string `json:"chain"`
	}
	require.NoError(t, json.Unmarshal(n.MustRPC("getblockchaininfo"), &info))
	require.Equal(t, "regtest", info.Chain)

	// The coinbase of block 1 pays the harness's mining address.
	var block struct {
		RawTx []struct {
			Vout []struct {
				ScriptPubKey struct {
					Address string `json:"address"`
				} `json:"scriptPubKey"`
			} `json:"vout"`
		} `json:"rawtx"`
	}
	require.NoError(t, json.Unmarshal(n.MustRPC("getblock", hashes[0], 2), &block))
	require.Equal(t, n.MiningAddress.EncodeAddress(), block.RawTx[0].Vout[0].ScriptPubKey.Address)
	require.Equal(t, n.MiningAddress.EncodeAddress(), n.CoinbaseAddress(hashes[0]))

	_, err := n.RPC("nosuchmethod")
	require.EqualError(t, err, "btcd RPC error -32601: Method not found")

	n.Stop()
	_, err = n.RPC("getblockcount")
	require.Error(t, err)
}

func TestFreePortsAreDistinct(t *testing.T) {
	ports, err := FreePorts(3)
	require.NoError(t, err)
	require.Len(t, ports, 3)
	require.NotEqual(t, ports[0], ports[1])
	require.NotEqual(t, ports[1], ports[2])
	require.NotEqual(t, ports[0], ports[2])
}

func TestStartPicksNewPortsWhenAPortWasTakenBeforeBtcdBoundIt(t *testing.T) {
	// Another process takes the RPC port chosen for btcd before btcd binds it.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { taken.Close() })
	takenPort := taken.Addr().(*net.TCPAddr).Port
	picks := 0
	pick := func(count int) ([]int, error) {
		picks++
		ports, err := FreePorts(count)
		if picks == 1 {
			ports[0] = takenPort
		}
		return ports, err
	}

	n, attempts := startWith(t, Options{}, pick)
	require.Equal(t, 2, attempts)
	require.Equal(t, 2, picks)
	require.NotEqual(t, takenPort, n.RPCPort)
	require.Equal(t, fmt.Sprintf("http://127.0.0.1:%d", n.RPCPort), n.URL)
	var count int
	require.NoError(t, json.Unmarshal(n.MustRPC("getblockcount"), &count))
	require.Equal(t, 0, count)
}

func TestFreePortsAreDistinctAndBelowTheEphemeralRange(t *testing.T) {
	lo := ephemeralLow()
	ports, err := FreePorts(20)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, p := range ports {
		if lo > 20000 { // else the range is too small and the kernel chooses
			require.GreaterOrEqual(t, p, 20000)
			require.Less(t, p, lo)
		}
		require.False(t, seen[p], "port %d twice", p)
		seen[p] = true
	}
}

func TestBatchAnswersInRequestOrderAndCoreBatchTranslatesGetblockfilter(t *testing.T) {
	n := Start(t)
	hashes := n.Generate(2)
	ctx := context.Background()

	answers, err := n.Batch(ctx, []Call{
		{Method: "getblockhash", Params: []any{2}},
		{Method: "getblockcount"},
		{Method: "nosuchmethod"},
		{Method: "getblockhash", Params: []any{1}},
	})
	require.NoError(t, err)
	require.Equal(t, []Answer{
		{Result: json.RawMessage(`"` + hashes[1] + `"`)},
		{Result: json.RawMessage(`2`)},
		{Result: json.RawMessage(`null`), Error: &RPCError{Code: -32601, Message: "Method not found"}},
		{Result: json.RawMessage(`"` + hashes[0] + `"`)},
	}, answers)

	var filter, header string
	require.NoError(t, json.Unmarshal(n.MustRPC("getcfilter", hashes[1], 0), &filter))
	require.NoError(t, json.Unmarshal(n.MustRPC("getcfilterheader", hashes[1], 0), &header))
	unknown := strings.Repeat("00", 32)
	answers, err = n.CoreBatch(ctx, []Call{
		{Method: "getblockcount"},
		{Method: "getblockfilter", Params: []any{hashes[1], "basic"}},
		{Method: "getblockfilter", Params: []any{unknown, "basic"}},
		{Method: "getblockhash", Params: []any{0}},
	})
	require.NoError(t, err)
	require.Len(t, answers, 4)
	require.Equal(t, Answer{Result: json.RawMessage(`2`)}, answers[0])
	require.Equal(t, Answer{Result: json.RawMessage(`{"filter":"` + filter + `","header":"` + header + `"}`)}, answers[1])
	require.Nil(t, answers[2].Result)
	require.Equal(t, &RPCError{Code: -5, Message: "Block not found"}, answers[2].Error)
	var genesis string
	require.NoError(t, json.Unmarshal(answers[3].Result, &genesis))
	require.Equal(t, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206", genesis)

	wrong := n.Endpoint()
	wrong.Password = "wrong"
	_, err = wrong.Batch(ctx, []Call{{Method: "getblockcount"}})
	require.ErrorContains(t, err, "getblockcount: btcd answered HTTP 401, not a JSON-RPC batch")

	got, err := n.Batch(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestEndpointBatchOrdersAnswersByIDAndRefusesAnIncompleteBatch(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(ids []int) []map[string]any
		want    []Answer
		wantErr string
	}{
		{
			name: "answers in reverse order are put back in request order",
			answer: func(ids []int) []map[string]any {
				var out []map[string]any
				for i := len(ids) - 1; i >= 0; i-- {
					out = append(out, map[string]any{"id": ids[i], "result": ids[i] * 10, "error": nil})
				}
				return out
			},
			want: []Answer{{Result: json.RawMessage(`0`)}, {Result: json.RawMessage(`10`)}, {Result: json.RawMessage(`20`)}},
		},
		{
			name: "an answer missing is an error",
			answer: func(ids []int) []map[string]any {
				return []map[string]any{{"id": ids[0], "result": 1}, {"id": ids[1], "result": 2}}
			},
			wantErr: "a: btcd answered 2 of 3 requests",
		},
		{
			name: "a repeated id is an error",
			answer: func(ids []int) []map[string]any {
				return []map[string]any{{"id": 0, "result": 1}, {"id": 0, "result": 2}, {"id": 2, "result": 3}}
			},
			wantErr: "a: btcd's batch answer has a missing, unexpected or repeated id",
		},
		{
			name: "an id outside the batch is an error",
			answer: func(ids []int) []map[string]any {
				return []map[string]any{{"id": 0, "result": 1}, {"id": 1, "result": 2}, {"id": 3, "result": 3}}
			},
			wantErr: "a: btcd's batch answer has a missing, unexpected or repeated id",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var reqs []struct {
					JSONRPC string `json:"jsonrpc"`
					ID      int    `json:"id"`
					Params  []any  `json:"params"`
				}
				if err := json.NewDecoder(r.Body).Decode(&reqs); err != nil {
					w.WriteHeader(http.StatusBadRequest)
					return
				}
				var ids []int
				for _, q := range reqs {
					if q.JSONRPC != "1.0" || q.Params == nil {
						w.WriteHeader(http.StatusBadRequest)
						return
					}
					ids = append(ids, q.ID)
				}
				_ = json.NewEncoder(w).Encode(tc.answer(ids))
			}))
			defer srv.Close()
			e := Endpoint{URL: srv.URL, User: "u", Password: "p", Client: srv.Client()}
			got, err := e.Batch(context.Background(), []Call{{Method: "a"}, {Method: "b"}, {Method: "c"}})
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
