//go:build !js && !wasip1

package spend

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/internal/regtest/btcdsync"
	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/feeest"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/wallet"
)

// recorder remembers the methods called through it.
type recorder struct {
	chainsync.Caller
	methods []string
}

func (r *recorder) CallBatch(ctx context.Context, reqs []chainsync.Request) ([]chainsync.Response, error) {
	for _, q := range reqs {
		r.methods = append(r.methods, q.Method)
	}
	return r.Caller.CallBatch(ctx, reqs)
}

// fundFromCoinbase spends the mature coinbase of block height (P2PKH of the
// node's mining key) to the outputs, the rest minus fee back to the miner.
func fundFromCoinbase(t *testing.T, node *regtest.Node, height int32, fee int64, outs ...*wire.TxOut) *wire.MsgTx {
	var hash, raw string
	require.NoError(t, json.Unmarshal(node.MustRPC("getblockhash", height), &hash))
	require.NoError(t, json.Unmarshal(node.MustRPC("getblock", hash, 0), &raw))
	b, err := hex.DecodeString(raw)
	require.NoError(t, err)
	var blk wire.MsgBlock
	require.NoError(t, blk.Deserialize(bytes.NewReader(b)))
	cb := blk.Transactions[0]
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash(), Index: 0}, Sequence: wire.MaxTxInSequenceNum})
	rest := cb.TxOut[0].Value - fee
	for _, o := range outs {
		tx.AddTxOut(o)
		rest -= o.Value
	}
	back, err := txscript.PayToAddrScript(node.MiningAddress)
	require.NoError(t, err)
	tx.AddTxOut(wire.NewTxOut(rest, back))
	sig, err := txscript.SignatureScript(tx, 0, cb.TxOut[0].PkScript, txscript.SigHashAll, node.MiningKey, true)
	require.NoError(t, err)
	tx.TxIn[0].SignatureScript = sig
	return tx
}

func broadcast(t *testing.T, node *regtest.Node, tx *wire.MsgTx) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, tx.Serialize(&buf))
	var txid string
	require.NoError(t, json.Unmarshal(node.MustRPC("sendrawtransaction", hex.EncodeToString(buf.Bytes())), &txid))
	require.Equal(t, tx.TxHash().String(), txid)
}

func mempoolOf(t *testing.T, node *regtest.Node) []string {
	var ids []string
	require.NoError(t, json.Unmarshal(node.MustRPC("getrawmempool"), &ids))
	slices.Sort(ids)
	return ids
}

func tipHeight(t *testing.T, node *regtest.Node) uint32 {
	var h uint32
	require.NoError(t, json.Unmarshal(node.MustRPC("getblockcount"), &h))
	return h
}

// TestSendAndBumpOnBtcdRegtest runs the whole cycle against a real btcd:
// a 2-of-3 wsh wallet funded from a mined coinbase, synced with
// shared/chainsync, a send signed by two devices and broadcast, mined,
// synced with exact balances, then a second send replaced by a fee bump
// that btcd accepts in place of the original.
func TestSendAndBumpOnBtcdRegtest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a btcd node")
	}
	node := regtest.Start(t)
	node.Generate(regtest.SegwitHeight + 8) // SegWit active, coinbases up to 340 mature
	// The sync below scans whole blocks: it asks for no getblockfilter.
	caller := btcdsync.Caller{Batch: node.CoreBatch}
	src := &chainsync.RPCSource{Caller: caller}
	devs := devices(t)
	w, _, err := wallet.New(wallet.Params{Receive: wshDescriptor(devs), Network: "regtest"})
	require.NoError(t, err)
	sync := func() {
		t.Helper()
		_, err := chainsync.Sync(context.Background(), w, src, chainsync.Options{Mode: chainsync.Scan, BatchSize: 200})
		require.NoError(t, err)
	}

	// btcd has no estimatesmartfee: feeest falls back to estimatefee, which
	// has nothing after blocks without transactions.
	rec := &recorder{Caller: caller}
	est, err := feeest.Fetch(context.Background(), rec, feeest.Options{})
	require.NoError(t, err)
	require.Equal(t, []string{"getmempoolinfo", "estimatesmartfee", "estimatesmartfee", "estimatesmartfee", "estimatesmartfee",
		"estimatefee", "estimatefee", "estimatefee", "estimatefee"}, rec.methods)
	require.Equal(t, feeest.FromFallback, est.Source)
	require.Equal(t, "the node has no fee estimate yet (it needs to see more blocks); using 1 sat/vB; set a fee rate by hand", est.Notice)
	require.Equal(t, coinselect.FeeRate(0), est.MinRelay, "btcd's getmempoolinfo has no relay fee")

	// Fund receive/0 with 1 BTC from the coinbase of block 1.
	recv, _, err := w.NextReceiveAddress()
	require.NoError(t, err)
	fundScript, err := CheckAddress(recv.Address, "regtest")
	require.NoError(t, err)
	fund := fundFromCoinbase(t, node, 1, 10_000, wire.NewTxOut(100_000_000, fundScript))
	broadcast(t, node, fund)
	node.Generate(1)
	sync()
	require.Equal(t, wallet.Balance{Confirmed: 100_000_000}, w.Balance())

	// An outside address: a fresh key's P2WPKH.
	outKey, err := btcec.NewPrivateKey()
	require.NoError(t, err)
	outAddr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(outKey.PubKey().SerializeCompressed()), network.Regtest.Params())
	require.NoError(t, err)

	// First send: 0.3 BTC at 2 sat/vB, signed by devices 1 and 2.
	height := tipHeight(t, node)
	rate := coinselect.FeeRate(2_000)
	first, err := Build(w, Request{Recipients: []Recipient{{Address: outAddr.EncodeAddress(), Amount: 30_000_000}}, FeeRate: rate,
		AntiFeeSnipingHeight: height, Estimate: est.For(6)})
	require.NoError(t, err)
	firstTx := sign(t, first.PSBT, devs[0], devs[1])
	require.Equal(t, first.Fee, verify(t, w, firstTx))
	var accept []struct {
		Txid    string `json:"txid"`
		Allowed bool   `json:"allowed"`
	}
	var buf bytes.Buffer
	require.NoError(t, firstTx.Serialize(&buf))
	require.NoError(t, json.Unmarshal(node.MustRPC("testmempoolaccept", []string{hex.EncodeToString(buf.Bytes())}, 0.1), &accept))
	require.Len(t, accept, 1)
	require.True(t, accept[0].Allowed)
	broadcast(t, node, firstTx)
	sync()
	require.Equal(t, wallet.Balance{TrustedPending: first.Change.Amount}, w.Balance())
	node.Generate(1)
	sync()
	require.Equal(t, wallet.Balance{Confirmed: 100_000_000 - 30_000_000 - first.Fee}, w.Balance())
	var details wallet.TxDetails
	for _, d := range w.Transactions(int32(height + 1)) {
		if d.Txid == first.ID {
			details = d
		}
	}
	require.Equal(t, wallet.StatusConfirmed, details.Status)
	require.Equal(t, first.Fee, details.Fee)
	require.Equal(t, -30_000_000-first.Fee, details.Net)
	require.Equal(t, int32(1), details.Confirmations)

	// Second send at 1 sat/vB, then a bump to 4 sat/vB that btcd accepts
	// in place of it (BIP125).
	second, err := Build(w, Request{Recipients: []Recipient{{Address: outAddr.EncodeAddress(), Amount: 20_000_000}}, FeeRate: 1_000,
		AntiFeeSnipingHeight: tipHeight(t, node)})
	require.NoError(t, err)
	secondTx := sign(t, second.PSBT, devs[1], devs[2])
	broadcast(t, node, secondTx)
	sync()
	require.Equal(t, []string{second.ID}, mempoolOf(t, node))
	bump, err := Bump(w, ReplaceRequest{Txid: second.ID, FeeRate: 4_000, AntiFeeSnipingHeight: tipHeight(t, node)})
	require.NoError(t, err)
	bumpTx := sign(t, bump.PSBT, devs[0], devs[2])
	require.Equal(t, bump.Fee, verify(t, w, bumpTx))
	requireBIP125(t, second.Fee, secondTx, bump.Fee, bumpTx)
	broadcast(t, node, bumpTx)
	require.Equal(t, []string{bump.ID}, mempoolOf(t, node), "btcd replaced the original")
	sync()
	require.Equal(t, wallet.Balance{TrustedPending: bump.Change.Amount}, w.Balance())
	require.NotEqual(t, wallet.StatusPending, statusOf(t, w, second.ID))
	node.Generate(1)
	sync()
	require.Equal(t, wallet.Balance{Confirmed: 100_000_000 - 30_000_000 - first.Fee - 20_000_000 - bump.Fee}, w.Balance())
	require.Equal(t, wallet.StatusConfirmed, statusOf(t, w, bump.ID))
	require.Empty(t, mempoolOf(t, node))
}

// TestCPFPChildConfirmsItsParentOnBtcdRegtest speeds up an incoming payment
// that pays a low fee with a child of its output (CPFP): the child, signed
// by two devices, is accepted by btcd next to its unconfirmed parent, btcd's
// mempool shows the fees and sizes the package rate was computed from, and
// one block confirms both.
func TestCPFPChildConfirmsItsParentOnBtcdRegtest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a btcd node")
	}
	node := regtest.Start(t)
	node.Generate(regtest.SegwitHeight + 8)
	src := &chainsync.RPCSource{Caller: btcdsync.Caller{Batch: node.CoreBatch}}
	devs := devices(t)
	w, _, err := wallet.New(wallet.Params{Receive: wshDescriptor(devs), Network: "regtest"})
	require.NoError(t, err)
	sync := func() {
		t.Helper()
		_, err := chainsync.Sync(context.Background(), w, src, chainsync.Options{Mode: chainsync.Scan, BatchSize: 200})
		require.NoError(t, err)
	}

	// The parent: 1 BTC from the coinbase of block 1 to receive/0, paying
	// 300 sat (about 1.3 sat/vB, just above btcd's 1 sat/vB relay minimum).
	recv, _, err := w.NextReceiveAddress()
	require.NoError(t, err)
	fundScript, err := CheckAddress(recv.Address, "regtest")
	require.NoError(t, err)
	const parentFee = 300
	parent := fundFromCoinbase(t, node, 1, parentFee, wire.NewTxOut(100_000_000, fundScript))
	broadcast(t, node, parent)
	sync()
	require.Equal(t, wallet.Balance{UntrustedPending: 100_000_000}, w.Balance())

	// The wallet does not know the parent's fee (it spends a coin that is
	// not the wallet's): it is given, as getmempoolentry's fees.base would.
	target := coinselect.FeeRate(10_000)
	_, err = CPFP(w, CPFPRequest{Txid: parent.TxHash().String(), FeeRate: target})
	require.EqualError(t, err, "the fee of transaction "+parent.TxHash().String()+" is unknown to the wallet (it spends coins that are not the wallet's): give it from the node (getmempoolentry fees.base)")
	child, err := CPFP(w, CPFPRequest{Txid: parent.TxHash().String(), FeeRate: target, ParentFee: parentFee, AntiFeeSnipingHeight: tipHeight(t, node)})
	require.NoError(t, err)
	require.GreaterOrEqual(t, child.PackageFeeRate, target)
	childTx := sign(t, child.PSBT, devs[0], devs[1])
	require.Equal(t, child.Fee, verify(t, w, childTx))
	require.Equal(t, parent.TxHash(), childTx.TxIn[0].PreviousOutPoint.Hash)
	broadcast(t, node, childTx)

	// btcd's mempool holds both; the child depends on the parent. btcd has
	// no package relay and checks each transaction's own rate against its
	// relay minimum; the package rate is computed here from btcd's fees and
	// sizes and reaches the target (a signature one byte shorter than the
	// estimate only raises it).
	want := []string{parent.TxHash().String(), childTx.TxHash().String()}
	slices.Sort(want)
	require.Equal(t, want, mempoolOf(t, node))
	var entries map[string]struct {
		Vsize   int64    `json:"vsize"`
		Fee     float64  `json:"fee"`
		Depends []string `json:"depends"`
	}
	require.NoError(t, json.Unmarshal(node.MustRPC("getrawmempool", true), &entries))
	p, c := entries[parent.TxHash().String()], entries[childTx.TxHash().String()]
	require.Equal(t, []string{parent.TxHash().String()}, c.Depends)
	require.Empty(t, p.Depends)
	pFee, err := btcutil.NewAmount(p.Fee)
	require.NoError(t, err)
	cFee, err := btcutil.NewAmount(c.Fee)
	require.NoError(t, err)
	require.Equal(t, btcutil.Amount(parentFee), pFee)
	require.Equal(t, btcutil.Amount(child.Fee), cFee)
	require.Equal(t, vsize(parent), p.Vsize)
	require.Equal(t, vsize(childTx), c.Vsize)
	require.LessOrEqual(t, c.Vsize, child.VSize, "the estimate is an upper bound")
	require.Less(t, coinselect.FeeRateOf(parentFee, p.Vsize), target, "the parent alone is below the target")
	require.GreaterOrEqual(t, coinselect.FeeRateOf(parentFee+child.Fee, p.Vsize+c.Vsize), child.PackageFeeRate)

	// One block confirms both.
	hashes := node.Generate(1)
	require.Empty(t, mempoolOf(t, node))
	for _, tx := range []*wire.MsgTx{parent, childTx} {
		var got struct {
			BlockHash     string `json:"blockhash"`
			Confirmations int64  `json:"confirmations"`
		}
		require.NoError(t, json.Unmarshal(node.MustRPC("getrawtransaction", tx.TxHash().String(), 1), &got))
		require.Equal(t, hashes[0], got.BlockHash, tx.TxHash().String())
		require.Equal(t, int64(1), got.Confirmations)
	}
	sync()
	require.Equal(t, wallet.Balance{Confirmed: 100_000_000 - child.Fee}, w.Balance())
	require.Equal(t, wallet.StatusConfirmed, statusOf(t, w, parent.TxHash().String()))
	require.Equal(t, wallet.StatusConfirmed, statusOf(t, w, child.ID))
}
