package nodes

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

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
			r := testReplayed(t, http.StatusInternalServerError, tc.answers, nil)
			require.Equal(t, Core, r.Flavour)
			require.Equal(t, Check{StatusOK, "Bitcoin Core /Satoshi:27.1.0/ (270100)"}, r.Version)
			require.Equal(t, tc.synced, r.Synced)
			require.Equal(t, tc.filterIndex, r.FilterIndex)
			require.Equal(t, tc.progress, r.VerificationProgress)
		})
	}
}
