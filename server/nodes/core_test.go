package nodes

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// coreReplay answers JSON-RPC calls with Bitcoin Core responses shaped as
// Core's RPC help documents them (getblockchaininfo, getnetworkinfo,
// getindexinfo of Core 27), so the Core branches of the node test run here
// without a bitcoind; the btcd branches run against a real btcd.
func coreReplay(t *testing.T, answers map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "core" || p != "pass" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&req))
		res, ok := answers[req.Method]
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusNotFound) // Core answers unknown methods with 404 and a JSON-RPC error
			_, _ = w.Write([]byte(`{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":` + string(req.ID) + `}`))
			return
		}
		_, _ = w.Write([]byte(`{"result":` + res + `,"error":null,"id":` + string(req.ID) + `}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

const coreNetworkInfo = `{"version":270100,"subversion":"/Satoshi:27.1.0/","protocolversion":70016,"connections":10}`

func TestNodeTestReadsCoreSyncStateAndFilterIndex(t *testing.T) {
	cases := []struct {
		name        string
		answers     map[string]string
		synced      Check
		filterIndex Check
		progress    float64
	}{
		{
			name: "synced with a synced filter index",
			answers: map[string]string{
				"getblockchaininfo": `{"chain":"main","blocks":870000,"headers":870000,"bestblockhash":"00","verificationprogress":0.99999912,"initialblockdownload":false}`,
				"getnetworkinfo":    coreNetworkInfo,
				"getindexinfo":      `{"basic block filter index":{"synced":true,"best_block_height":870000}}`,
			},
			synced:      Check{StatusOK, "synced at height 870000"},
			filterIndex: Check{StatusOK, "basic (BIP158) block filter index, synced"},
			progress:    0.99999912,
		},
		{
			name: "initial block download, filter index still building",
			answers: map[string]string{
				"getblockchaininfo": `{"chain":"main","blocks":500000,"headers":870000,"bestblockhash":"00","verificationprogress":0.4215,"initialblockdownload":true}`,
				"getnetworkinfo":    coreNetworkInfo,
				"getindexinfo":      `{"basic block filter index":{"synced":false,"best_block_height":499000}}`,
			},
			synced:      Check{StatusFail, "still syncing: 500000 of 870000 blocks, 42.15% verified; balances will be incomplete until it finishes"},
			filterIndex: Check{StatusFail, "the block filter index is still being built (at height 499000)"},
			progress:    0.4215,
		},
		{
			name: "no filter index configured",
			answers: map[string]string{
				"getblockchaininfo": `{"chain":"main","blocks":870000,"headers":870000,"bestblockhash":"00","verificationprogress":1,"initialblockdownload":false}`,
				"getnetworkinfo":    coreNetworkInfo,
				"getindexinfo":      `{"txindex":{"synced":true,"best_block_height":870000}}`,
			},
			synced:      Check{StatusOK, "synced at height 870000"},
			filterIndex: Check{StatusFail, "no block filter index: add blockfilterindex=1 to bitcoin.conf and restart; until then wallets are scanned block by block"},
			progress:    1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := coreReplay(t, tc.answers)
			m, _ := newManager(t)
			r, err := m.TestNew(context.Background(), NewNode{Name: "core", URL: srv.URL, Network: "main", User: "core", Password: "pass"})
			require.NoError(t, err)
			require.True(t, r.OK)
			require.Equal(t, Core, r.Flavour)
			require.Equal(t, Check{StatusOK, "Bitcoin Core /Satoshi:27.1.0/ (270100)"}, r.Version)
			require.Equal(t, tc.synced, r.Synced)
			require.Equal(t, tc.filterIndex, r.FilterIndex)
			require.Equal(t, tc.progress, r.VerificationProgress)
		})
	}
}
