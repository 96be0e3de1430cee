//go:build unix

package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/internal/regtest/rpcrelay"
	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/wallet"
	"github.com/specterpwa/specter/wasm/relay"
)

const syncPage = `
import { createEngine } from "/js/engine-client.js";
const out = {};
try {
  const params = await (await fetch("/params.json")).json();
  const engine = createEngine("/js/engine-worker.js");
  await engine.ready;
  const w = await engine.call("wallets.importDescriptor", { name: "Demo", descriptor: params.descriptor, network: "regtest" });
  out.first = w.first_address;
  out.progress = [];
  engine.on("sync.progress", (p) => out.progress.push(p));
  out.sync = await engine.call("wallets.sync", { id: w.wallet.id, relay: location.origin, node_id: params.node, csrf: "tok" });
  out.txs = (await engine.call("wallets.transactions", { id: w.wallet.id })).transactions.length;
} catch (e) {
  out.error = e.message + " (" + e.hint + ")";
}
await fetch("/post/result", { method: "POST", body: JSON.stringify(out) });
`

// TestWalletSyncFromTheWorker syncs a wallet from the engine's Web Worker:
// fetch from the worker to the relay's JSON-RPC proxy (under the relay's CSP)
// in front of btcd regtest.
func TestWalletSyncFromTheWorker(t *testing.T) {
	h := newHarness(t)
	if _, err := regtest.EnsureBtcd(); err != nil {
		t.Skipf("btcd is not installed (make deps installs it): %v", err)
	}
	master, err := keys.MasterFromMnemonic("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "", network.Regtest)
	require.NoError(t, err)
	acc, err := keys.DeriveAccount(master, keys.ScriptWPKH, network.Regtest, 0)
	require.NoError(t, err)
	desc := "wpkh([" + acc.Origin.String() + "]" + acc.Xpub + "/<0;1>/*)"
	d, err := descriptor.Parse(desc)
	require.NoError(t, err)
	recv, err := d.Branch(0)
	require.NoError(t, err)
	first, err := recv.Address(0, network.Regtest)
	require.NoError(t, err)

	node := regtest.StartWith(t, regtest.Options{ExtraArgs: []string{"--miningaddr=" + first}})
	const blocks = 120 // all with the 50 BTC subsidy
	hashes := node.Generate(blocks)
	var ours int
	for _, hash := range hashes {
		if node.CoinbaseAddress(hash) == first {
			ours++
		}
	}
	require.Greater(t, ours, 0)

	api, nodeID := rpcrelay.Handler(t, node, "tok")
	h.mux.Handle("/api/", api)
	params, err := json.Marshal(map[string]string{"descriptor": desc, "node": nodeID})
	require.NoError(t, err)
	h.mux.HandleFunc("/params.json", func(w http.ResponseWriter, r *http.Request) { w.Write(params) })

	h.open(h.page("sync", syncPage))
	var got struct {
		First string `json:"first"`
		Sync  struct {
			Tip struct {
				Height int32  `json:"height"`
				Hash   string `json:"hash"`
			} `json:"tip"`
			Matched int              `json:"matched"`
			Balance map[string]int64 `json:"balance"`
		} `json:"sync"`
		Progress []struct {
			WalletID  string `json:"wallet_id"`
			Stage     string `json:"stage"`
			Height    int32  `json:"height"`
			TipHeight int32  `json:"tip_height"`
		} `json:"progress"`
		Txs   int    `json:"txs"`
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(h.wait("result", 3*time.Minute), &got))
	require.Empty(t, got.Error)
	require.Equal(t, first, got.First)
	require.Equal(t, int32(blocks), got.Sync.Tip.Height)
	require.Equal(t, hashes[len(hashes)-1], got.Sync.Tip.Hash)
	// Matched counts the blocks whose BIP158 filter matched a watched script:
	// the coinbases paying the wallet plus any filter false positive. A native
	// sync of the same descriptor over the same relay must match exactly the
	// same blocks.
	ref, _, err := wallet.New(wallet.Params{Receive: desc, Network: string(network.Regtest)})
	require.NoError(t, err)
	c, err := relay.New(h.srv.URL, nodeID, "tok", relay.DefaultTransport())
	require.NoError(t, err)
	native, err := chainsync.Sync(context.Background(), ref, &chainsync.RPCSource{Caller: c}, chainsync.Options{})
	require.NoError(t, err)
	require.Equal(t, native.Matched, got.Sync.Matched)
	require.GreaterOrEqual(t, got.Sync.Matched, ours)
	require.Equal(t, ours, got.Txs)
	require.NotEmpty(t, got.Progress, "sync.progress events reach the page")
	last := got.Progress[len(got.Progress)-1]
	require.NotEmpty(t, last.WalletID)
	require.Equal(t, int32(blocks), last.TipHeight)
	var total int64
	for _, v := range got.Sync.Balance {
		total += v
	}
	require.Equal(t, int64(ours)*50*100_000_000, total)
}
