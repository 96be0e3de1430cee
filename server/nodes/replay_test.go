package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// nodeReplay answers JSON-RPC calls with a result or an error per method, as
// a node of errStatus's kind answers them: Bitcoin Core sends an error with
// HTTP 500 (404 and "Method not found" for an unknown method), btcd with
// HTTP 200. The shapes are those of Core's RPC help and of btcd v0.24.2's
// rpcserver.go, so branches of the node test that need a node the harness
// cannot make (Core, a mainnet btcd behind, an old Core) run here; the
// other btcd branches run against a real btcd.
func nodeReplay(t *testing.T, errStatus int, results map[string]string, rpcErrors map[string]RPCError) *httptest.Server {
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
		w.Header().Set("Content-Type", "application/json")
		if res, ok := results[req.Method]; ok {
			_, _ = w.Write([]byte(`{"result":` + res + `,"error":null,"id":` + string(req.ID) + `}`))
			return
		}
		e, ok := rpcErrors[req.Method]
		if !ok {
			e = RPCError{Code: MethodNotFound, Message: "Method not found"}
		}
		status := errStatus
		if e.Code == MethodNotFound && errStatus != http.StatusOK {
			status = http.StatusNotFound
		}
		w.WriteHeader(status)
		raw, err := json.Marshal(e)
		require.NoError(t, err)
		_, _ = w.Write([]byte(`{"result":null,"error":` + string(raw) + `,"id":` + string(req.ID) + `}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// testReplayed runs the node test on the main-network node nodeReplay plays
// (with its arguments), as the user "core" with password "pass", and
// requires the test to pass.
func testReplayed(t *testing.T, errStatus int, results map[string]string, rpcErrors map[string]RPCError) TestResult {
	t.Helper()
	srv := nodeReplay(t, errStatus, results, rpcErrors)
	m, _ := newManager(t)
	r, err := m.TestNew(context.Background(), NewNode{Name: "replayed", URL: srv.URL, Network: "main", User: "core", Password: "pass"})
	require.NoError(t, err)
	require.True(t, r.OK)
	return r
}

// btcd v0.24.2's answers to version and getinfo.
const (
	btcdVersion = `{"btcdjsonrpcapi":{"versionstring":"1.3.0","major":1,"minor":3,"patch":0,"prerelease":"","buildmetadata":""}}`
	btcdGetInfo = `{"version":240200,"protocolversion":70016,"blocks":870000,"timeoffset":0,"connections":8,"proxy":"","difficulty":1,"testnet":false,"relayfee":0.00001,"errors":""}`
)

func TestNodeTestReadsBtcdSyncStateAndFilterIndexFromAMainnetBtcd(t *testing.T) {
	bci := `{"chain":"mainnet","blocks":870000,"headers":870000,"bestblockhash":"00000000000000000001a2b3"}`
	header := func(age time.Duration) string {
		return fmt.Sprintf(`{"hash":"00000000000000000001a2b3","confirmations":1,"height":870000,"version":536870912,"time":%d}`, time.Now().Unix()-int64(age/time.Second))
	}
	cases := []struct {
		name        string
		tipAge      time.Duration // 0: getblockheader fails
		results     map[string]string
		rpcErrors   map[string]RPCError
		synced      Check
		filterIndex Check
	}{
		{
			name:        "tip two days old: probably still syncing",
			tipAge:      48 * time.Hour,
			results:     map[string]string{"getblockchaininfo": bci, "version": btcdVersion, "getinfo": btcdGetInfo, "getcfilter": `"0142"`},
			synced:      Check{StatusFail, "probably still syncing: the tip at height 870000 is 48h0m0s old"},
			filterIndex: Check{StatusOK, "btcd serves basic (BIP158) block filters"},
		},
		{
			name:        "tip ten minutes old: synced",
			tipAge:      10 * time.Minute,
			results:     map[string]string{"getblockchaininfo": bci, "version": btcdVersion, "getinfo": btcdGetInfo, "getcfilter": `"0142"`},
			synced:      Check{StatusOK, "synced at height 870000 (tip 10m0s old)"},
			filterIndex: Check{StatusOK, "btcd serves basic (BIP158) block filters"},
		},
		{
			name:        "started with --nocfilters: no block filter index",
			tipAge:      time.Minute,
			results:     map[string]string{"getblockchaininfo": bci, "version": btcdVersion, "getinfo": btcdGetInfo},
			rpcErrors:   map[string]RPCError{"getcfilter": {Code: -5, Message: "The CF index must be enabled for this command"}},
			synced:      Check{StatusOK, "synced at height 870000 (tip 1m0s old)"},
			filterIndex: Check{StatusFail, "no block filter index (getcfilter on the tip: RPC error -5: The CF index must be enabled for this command): start btcd without --nocfilters; until then wallets are scanned block by block"},
		},
		{
			name:        "getblockheader fails: sync state unknown",
			results:     map[string]string{"getblockchaininfo": bci, "version": btcdVersion, "getinfo": btcdGetInfo, "getcfilter": `"0142"`},
			rpcErrors:   map[string]RPCError{"getblockheader": {Code: -5, Message: "Block not found"}},
			synced:      Check{StatusFail, "getblockheader on the tip failed: RPC error -5: Block not found"},
			filterIndex: Check{StatusOK, "btcd serves basic (BIP158) block filters"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tipAge > 0 {
				// Header times are whole seconds and the node test rounds
				// the tip's age to the second: start early in a second so
				// that the age is tipAge plus well under half a second.
				if frac := time.Duration(time.Now().Nanosecond()); frac > 200*time.Millisecond {
					time.Sleep(time.Second - frac)
				}
				tc.results["getblockheader"] = header(tc.tipAge)
			}
			r := testReplayed(t, http.StatusOK, tc.results, tc.rpcErrors)
			require.Equal(t, Btcd, r.Flavour)
			require.Equal(t, Check{StatusOK, "main"}, r.Network)
			require.Equal(t, Check{StatusOK, "btcd 0.24.2"}, r.Version)
			require.Equal(t, tc.synced, r.Synced)
			require.Equal(t, tc.filterIndex, r.FilterIndex)
		})
	}
}

func TestNodeTestFallsBackToGetblockfilterOnCoreBefore021(t *testing.T) {
	// Bitcoin Core 0.20 has getblockfilter (since 0.19) but no getindexinfo
	// (0.21): the node test tries the filter of the tip instead.
	bci := `{"chain":"main","blocks":650000,"headers":650000,"bestblockhash":"0000000000000000000a1b2c","verificationprogress":0.99999990,"initialblockdownload":false}`
	ni := `{"version":200100,"subversion":"/Satoshi:0.20.1/","protocolversion":70015,"connections":10}`
	cases := []struct {
		name        string
		results     map[string]string
		rpcErrors   map[string]RPCError
		filterIndex Check
	}{
		{
			name:        "blockfilterindex=1: the tip's filter is served",
			results:     map[string]string{"getblockchaininfo": bci, "getnetworkinfo": ni, "getblockfilter": `{"filter":"0142","header":"00aa"}`},
			filterIndex: Check{StatusOK, "basic (BIP158) block filters are served"},
		},
		{
			name:        "no blockfilterindex: Core's index-not-enabled error",
			results:     map[string]string{"getblockchaininfo": bci, "getnetworkinfo": ni},
			rpcErrors:   map[string]RPCError{"getblockfilter": {Code: -1, Message: "Index is not enabled for filtertype basic"}},
			filterIndex: Check{StatusFail, "no block filter index (RPC error -1: Index is not enabled for filtertype basic): add blockfilterindex=1 to bitcoin.conf and restart; until then wallets are scanned block by block"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := testReplayed(t, http.StatusInternalServerError, tc.results, tc.rpcErrors)
			require.Equal(t, Core, r.Flavour)
			require.Equal(t, Check{StatusOK, "Bitcoin Core /Satoshi:0.20.1/ (200100)"}, r.Version)
			require.Equal(t, Check{StatusOK, "synced at height 650000"}, r.Synced)
			require.Equal(t, tc.filterIndex, r.FilterIndex)
			require.Equal(t, int64(200100), r.VersionNumber)
		})
	}
}
