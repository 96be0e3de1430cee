//go:build !js && !wasip1

package chainsync

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/shared/wallet"
)

// TestAutoSyncScansBlocksOnBtcdStartedWithNocfilters syncs one wallet
// against two real btcds on the same chain: one with its BIP158 filter
// index, and one started with --nocfilters that follows the first over P2P.
// btcd without filters answers getcfilter with -5 "The CF index must be
// enabled for this command"; the dialect layer (CoreBatch, as the relay's
// rpcproxy) makes it Core's -1 "Index is not enabled for filtertype basic",
// so Auto mode falls back to scanning blocks and ends with the same wallet.
func TestAutoSyncScansBlocksOnBtcdStartedWithNocfilters(t *testing.T) {
	withFilters := regtest.Start(t)
	withFilters.Generate(regtest.SegwitHeight + 8)
	k := newKeyring(t)
	m := &miner{t: t, node: withFilters}
	const fee = 10_000
	m.send(m.fund(fee, wire.MaxTxInSequenceNum, out{k.script(wallet.Receive, 0), 100_000_000}, out{k.script(wallet.Receive, 12), 20_000_000}))
	m.send(m.fund(fee, wire.MaxTxInSequenceNum, out{k.script(wallet.Receive, 25), 3_000_000}))
	withFilters.Generate(1)
	m.send(m.fund(fee, wire.MaxTxInSequenceNum, out{k.script(wallet.Receive, 3), 400_000}))
	withFilters.Generate(2)
	tip := tipOf(t, withFilters)

	noFilters := regtest.StartWith(t, regtest.Options{ExtraArgs: []string{
		"--nocfilters", fmt.Sprintf("--connect=127.0.0.1:%d", withFilters.P2PPort),
	}})
	require.Eventually(t, func() bool { return tipOf(t, noFilters) == tip }, 60*time.Second, 50*time.Millisecond,
		"the btcd without filters follows the other's chain over P2P")

	_, err := noFilters.RPC("getcfilter", jsonString(t, noFilters.MustRPC("getbestblockhash")), 0)
	require.EqualError(t, err, "btcd RPC error -5: The CF index must be enabled for this command")
	answers, err := noFilters.CoreBatch(context.Background(), []regtest.Call{{Method: "getblockfilter", Params: []any{jsonString(t, noFilters.MustRPC("getbestblockhash")), "basic"}}})
	require.NoError(t, err)
	require.Equal(t, &regtest.RPCError{Code: -1, Message: "Index is not enabled for filtertype basic"}, answers[0].Error)

	opts := Options{BatchSize: 100, Now: fixedNow}
	filtered := k.wallet(0, 0)
	res, err := Sync(context.Background(), filtered, &RPCSource{Caller: btcdCaller{node: withFilters}}, opts)
	require.NoError(t, err)
	require.True(t, res.UsedFilters)
	require.Equal(t, wallet.Balance{Confirmed: 123_400_000}, filtered.Balance())

	scanned := k.wallet(0, 0)
	res, err = Sync(context.Background(), scanned, &RPCSource{Caller: btcdCaller{node: noFilters}}, opts)
	require.NoError(t, err, "Auto mode falls back to scanning blocks")
	require.False(t, res.UsedFilters)
	require.Equal(t, tip, res.Tip.Height)
	require.Equal(t, int(tip)+1, res.Scanned)
	require.Equal(t, filtered.Balance(), scanned.Balance())
	require.Equal(t, filtered.UTXOs(), scanned.UTXOs())
	require.Equal(t, filtered.State(), scanned.State())
}

func jsonString(t *testing.T, raw []byte) string {
	t.Helper()
	var s string
	require.NoError(t, json.Unmarshal(raw, &s))
	return s
}
