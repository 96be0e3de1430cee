//go:build !js

package bridge

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/server/fees"
	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/feeest"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/store"
)

// feesRelay is a relay with the real GET /api/fees handler (server/fees)
// behind a CSRF check, and a node RPC route answering getmempoolinfo and
// estimatesmartfee as Bitcoin Core documents them.
func feesRelay(t *testing.T, allowPrivate bool) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	h := fees.New(fees.Config{AllowPrivate: allowPrivate}).Handler()
	mux.HandleFunc("/api/fees", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-CSRF-Token") != "tok" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":"CSRF token missing"}`))
			return
		}
		h.ServeHTTP(w, r)
	})
	mux.HandleFunc("/api/nodes/n1/rpc", func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		var reqs []struct {
			ID     int    `json:"id"`
			Method string `json:"method"`
		}
		require.NoError(t, json.Unmarshal(raw, &reqs))
		out := make([]map[string]any, len(reqs))
		for i, q := range reqs {
			var result any = map[string]any{"feerate": 0.00002, "blocks": 2}
			if q.Method == "getmempoolinfo" {
				result = map[string]any{"mempoolminfee": 0.00001, "minrelaytxfee": 0.00001}
			}
			out[i] = map[string]any{"id": q.ID, "result": result, "error": nil}
		}
		require.NoError(t, json.NewEncoder(w).Encode(out))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestFeesEstimateAsksTheConfiguredSource: the node by default; the
// mempool.space-compatible server of the config's fee_source through the
// relay's /api/fees once Settings name one (Source and Server say so); a
// "source" param wins over the config; a failing server is an error that
// names it, with a hint.
func TestFeesEstimateAsksTheConfiguredSource(t *testing.T) {
	mempool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/fees/recommended":
			_, _ = w.Write([]byte(`{"fastestFee":31,"halfHourFee":29,"hourFee":27,"economyFee":14,"minimumFee":7}`))
		case "/broken/api/v1/fees/recommended":
			_, _ = w.Write([]byte(`{"fastestFee":"soon"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer mempool.Close()
	relaySrv := feesRelay(t, true)
	r := managerRegistry(t, store.NewMemory())
	np := NodeParams{Relay: relaySrv.URL, NodeID: "n1", CSRF: "tok"}

	nodeRates := FeesResult{MinRelay: 1000, MinRelaySatVB: 1, Source: feeest.FromNode, Targets: []FeeTarget{
		{Estimate: feeest.Estimate{Target: 1, FeeRate: 2000, Blocks: 2}, FeeRateSatVB: 2},
		{Estimate: feeest.Estimate{Target: 3, FeeRate: 2000, Blocks: 2}, FeeRateSatVB: 2},
	}}
	require.Equal(t, nodeRates, ok[FeesResult](t, r, "fees.estimate", FeesParams{NodeParams: np, Targets: []int{1, 3}}))

	cfg := ok[manager.Config](t, r, "config.get", nil)
	cfg.FeeSource = mempool.URL
	ok[manager.Config](t, r, "config.set", cfg)
	mempoolRates := FeesResult{MinRelay: 7000, MinRelaySatVB: 7, Source: feeest.FromMempool, Server: mempool.URL, Targets: []FeeTarget{
		{Estimate: feeest.Estimate{Target: 1, FeeRate: 31000, Blocks: 1}, FeeRateSatVB: 31},
		{Estimate: feeest.Estimate{Target: 3, FeeRate: 29000, Blocks: 3}, FeeRateSatVB: 29},
		{Estimate: feeest.Estimate{Target: 6, FeeRate: 27000, Blocks: 6}, FeeRateSatVB: 27},
		{Estimate: feeest.Estimate{Target: 144, FeeRate: 14000, Blocks: 144}, FeeRateSatVB: 14},
	}}
	require.Equal(t, mempoolRates, ok[FeesResult](t, r, "fees.estimate", FeesParams{NodeParams: np}))
	// A fee server needs no node.
	require.Equal(t, mempoolRates, ok[FeesResult](t, r, "fees.estimate", FeesParams{NodeParams: NodeParams{Relay: relaySrv.URL, CSRF: "tok"}}))

	// A manual rate below the server's minimum fee is flagged.
	manual := ok[FeesResult](t, r, "fees.estimate", FeesParams{NodeParams: np, Manual: 3, Targets: []int{2}})
	require.Equal(t, feeest.FromManual, manual.Source)
	require.Equal(t, coinselect.FeeRate(3000), manual.Targets[0].FeeRate)
	require.Equal(t, "the fee rate set by hand (3 sat/vB) is below the fee server's minimum fee (7 sat/vB): the transaction may not be relayed; raise it", manual.Notice)

	// The param wins over the config.
	require.Equal(t, nodeRates, ok[FeesResult](t, r, "fees.estimate", FeesParams{NodeParams: np, Targets: []int{1, 3}, Source: "node"}))

	e := fails(t, r, "fees.estimate", FeesParams{NodeParams: np, Source: mempool.URL + "/broken"})
	require.Equal(t, "no fee estimate from the fee server "+mempool.URL+"/broken: the relay answered 502: "+mempool.URL+"/broken: the fee server's fastestFee is a JSON string, not a number "+
		"(check that the address is a mempool.space-compatible server, or choose your node as the fee source)", e.Message)
	require.Equal(t, "choose your node as the fee source in Settings, or enter a fee rate by hand", e.Hint)

	e = fails(t, r, "fees.estimate", FeesParams{NodeParams: NodeParams{Relay: relaySrv.URL}})
	require.Equal(t, "no fee estimate from the fee server "+mempool.URL+": the relay answered 403: CSRF token missing (reload the page to renew the session)", e.Message)
	require.Equal(t, "check the fee server's address in Settings or choose your node as the fee source; or enter a fee rate by hand", e.Hint)

	// A relay that keeps to public fee servers says how to allow a local one.
	strict := feesRelay(t, false)
	e = fails(t, r, "fees.estimate", FeesParams{NodeParams: NodeParams{Relay: strict.URL, CSRF: "tok"}})
	require.Contains(t, e.Message, "the relay answered 403: the fee server's address 127.0.0.1 is a loopback or private address, which this relay does not fetch from (")
	require.Contains(t, e.Message, "--fees-allow-private")
}
