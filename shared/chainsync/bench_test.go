package chainsync

import (
	"context"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/shared/wallet"
)

// BenchmarkSyncFilters syncs a wallet watching 200 scripts (gap limit 100
// on both keychains) over 1,000 blocks of 10 transactions each, 20 of them
// paying the wallet, from an in-memory node through the JSON-RPC adapter:
// filter matching, block download and apply, no network.
func BenchmarkSyncFilters(b *testing.B) {
	const blocks, perBlock, gap = 1000, 10, 100
	k := newKeyring(b)
	c := newMemChain(b)
	n := 0
	for h := 1; h < blocks; h++ {
		var txs []*wire.MsgTx
		for range perBlock {
			n++
			txs = append(txs, pay(n, externalScript, int64(n)))
		}
		if h%50 == 0 {
			txs = append(txs, pay(-h, k.script(wallet.Receive, uint32(h/50)), 1000))
		}
		c.mine(b, txs...)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		w := k.wallet(gap, 0)
		c.requests = 0
		b.StartTimer()
		res, err := Sync(context.Background(), w, &RPCSource{Caller: c}, Options{SkipMempool: true})
		if err != nil {
			b.Fatal(err)
		}
		if res.Scanned != blocks || w.Balance().Confirmed != 19*1000 {
			b.Fatal(fmt.Sprintf("scanned %d, balance %+v", res.Scanned, w.Balance()))
		}
		b.ReportMetric(float64(c.requests), "rpc-requests/op")
		b.ReportMetric(float64(w.ScriptCount()), "scripts")
	}
}
