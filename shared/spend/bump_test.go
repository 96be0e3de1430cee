package spend

import (
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/wallet"
)

// requireBIP125 checks a signed replacement against the signed original
// with the real sizes: rule 3 (fee at least the original's), rule 4 (plus
// the 1 sat/vB incremental relay fee for the replacement's size), rule 6
// (a higher fee rate), and signalling.
func requireBIP125(t *testing.T, oldFee int64, old *wire.MsgTx, newFee int64, repl *wire.MsgTx) {
	t.Helper()
	require.GreaterOrEqual(t, newFee, oldFee+coinselect.DefaultIncrementalRelayFeeRate.Fee(vsize(repl)), "BIP125 rules 3 and 4")
	require.Greater(t, newFee*vsize(old), oldFee*vsize(repl), "BIP125 rule 6: higher fee rate")
	for _, in := range repl.TxIn {
		require.Equal(t, uint32(psbt.SequenceRBF), in.Sequence)
	}
	spent := map[wire.OutPoint]bool{}
	for _, in := range repl.TxIn {
		spent[in.PreviousOutPoint] = true
	}
	for _, in := range old.TxIn {
		require.True(t, spent[in.PreviousOutPoint], "the replacement spends every input of the original: %s", in.PreviousOutPoint)
	}
}

func statusOf(t *testing.T, w *wallet.Wallet, txid string) wallet.TxStatus {
	for _, d := range w.Transactions(100) {
		if d.Txid == txid {
			return d.Status
		}
	}
	t.Fatalf("transaction %s is not in the wallet", txid)
	return ""
}

func TestBumpThenCancelProduceValidBIP125Replacements(t *testing.T) {
	devs := devices(t)
	for _, wc := range walletCases {
		t.Run(wc.name, func(t *testing.T) {
			c, _ := funded(t, wc.desc(devs))
			out := outsideAddress(t)
			orig, err := Build(c.w, Request{Recipients: []Recipient{{Address: out, Amount: 30_000_000}}, FeeRate: 2_000, Seed: 1})
			require.NoError(t, err)
			origTx := checkSigned(t, c, wc, devs, orig, 2_000)
			c.mempool(origTx)

			bump, err := Bump(c.w, ReplaceRequest{Txid: orig.ID, FeeRate: 6_000, AntiFeeSnipingHeight: 13})
			require.NoError(t, err)
			require.Equal(t, orig.ID, bump.Replaces)
			require.Equal(t, orig.Inputs, bump.Inputs, "the change pays: no input added")
			require.Equal(t, int64(30_000_000), bump.Sent, "the recipient gets the same amount")
			require.Equal(t, orig.Change.Index, bump.Change.Index, "the original's change address is kept")
			require.Equal(t, orig.Change.Amount-(bump.Fee-orig.Fee), bump.Change.Amount)
			require.Equal(t, orig.VSize, bump.VSize)
			require.Equal(t, coinselect.FeeRate(6_000).Fee(bump.VSize), bump.Fee)
			require.True(t, bump.Analysis.Outputs[bump.Change.Output].Change)
			require.Equal(t, uint32(13), bump.PSBT.UnsignedTx.LockTime)
			require.Contains(t, bump.Warnings[0], "replaces transaction "+orig.ID)
			bumpTx := checkSigned(t, c, wc, devs, bump, 6_000)
			requireBIP125(t, orig.Fee, origTx, bump.Fee, bumpTx)
			c.mempool(bumpTx)
			require.Equal(t, wallet.StatusReplaced, statusOf(t, c.w, orig.ID))
			require.Equal(t, wallet.Balance{Confirmed: 50_000_000, TrustedPending: bump.Change.Amount}, c.w.Balance())

			// The replaced original cannot be bumped again.
			_, err = Bump(c.w, ReplaceRequest{Txid: orig.ID, FeeRate: 10_000})
			require.EqualError(t, err, "transaction "+orig.ID+" was already replaced by "+bump.ID+": bump that one instead")
			// Nor at a rate that is not higher.
			_, err = Bump(c.w, ReplaceRequest{Txid: bump.ID, FeeRate: 6_000})
			require.ErrorContains(t, err, "must be higher than the current")

			cancel, err := Cancel(c.w, ReplaceRequest{Txid: bump.ID, FeeRate: 12_000})
			require.NoError(t, err)
			require.Equal(t, bump.ID, cancel.Replaces)
			require.Equal(t, bump.Inputs, cancel.Inputs)
			require.Len(t, cancel.PSBT.UnsignedTx.TxOut, 1)
			require.Equal(t, int64(0), cancel.Sent)
			require.Equal(t, bump.Change.Index, cancel.Change.Index)
			require.True(t, cancel.Analysis.Outputs[0].Change, "everything goes back to the wallet's proven change")
			require.Equal(t, int64(100_000_000)-cancel.Fee, cancel.Change.Amount)
			cancelTx := checkSigned(t, c, wc, devs, cancel, 12_000)
			requireBIP125(t, bump.Fee, bumpTx, cancel.Fee, cancelTx)
			c.mine(cancelTx)
			require.Equal(t, wallet.Balance{Confirmed: 150_000_000 - cancel.Fee}, c.w.Balance())
			require.Equal(t, wallet.StatusConflicted, statusOf(t, c.w, bump.ID))

			_, err = Bump(c.w, ReplaceRequest{Txid: cancel.ID, FeeRate: 20_000})
			require.EqualError(t, err, "transaction "+cancel.ID+" is already confirmed (block 13): a confirmed transaction cannot be replaced")
			_, err = Cancel(c.w, ReplaceRequest{Txid: cancel.ID, FeeRate: 20_000})
			require.ErrorContains(t, err, "is already confirmed (block 13)")
		})
	}
}

func TestBumpAddsAConfirmedCoinWhenTheChangeCannotPay(t *testing.T) {
	devs := devices(t)
	wc := walletCases[1]
	c, _ := funded(t, wc.desc(devs))
	// Spend the 1 BTC coin almost entirely: the change is too small for a
	// much higher fee.
	orig, err := Build(c.w, Request{Recipients: []Recipient{{Address: outsideAddress(t), Amount: 99_990_000}}, FeeRate: 1_000,
		CoinControl: CoinControl{MustUse: []wire.OutPoint{{Hash: mustHash(t, c), Index: 0}}, UseOnly: true}})
	require.NoError(t, err)
	require.Len(t, orig.Inputs, 1)
	origTx := checkSigned(t, c, wc, devs, orig, 1_000)
	c.mempool(origTx)
	// At 100 sat/vB the change is dropped into the fee (Core's feebumper):
	// the transaction shrinks to 99 vB and pays the whole 10,000 sats left.
	drop, err := Bump(c.w, ReplaceRequest{Txid: orig.ID, FeeRate: 100_000})
	require.NoError(t, err)
	require.Nil(t, drop.Change)
	require.Equal(t, orig.Inputs, drop.Inputs)
	require.Equal(t, int64(10_000), drop.Fee)
	require.Equal(t, int64(99), drop.VSize)
	require.Len(t, drop.Warnings, 1)
	require.Contains(t, drop.Warnings[0], "replaces transaction "+orig.ID)
	requireBIP125(t, orig.Fee, origTx, drop.Fee, checkSigned(t, c, wc, devs, drop, 100_000))
	c.w.UnlockID(drop.ID) // discarded

	// At 150 sat/vB 10,000 sats are not enough: the 0.5 BTC coin is added.
	bump, err := Bump(c.w, ReplaceRequest{Txid: orig.ID, FeeRate: 150_000})
	require.NoError(t, err)
	require.Len(t, bump.Inputs, 2, "the 0.5 BTC coin is added")
	require.Equal(t, orig.Inputs[0], bump.Inputs[0])
	require.Equal(t, int64(99_990_000), bump.Sent)
	require.Equal(t, coinselect.FeeRate(150_000).Fee(bump.VSize), bump.Fee)
	bumpTx := checkSigned(t, c, wc, devs, bump, 150_000)
	requireBIP125(t, orig.Fee, origTx, bump.Fee, bumpTx)
}

// mustHash is the funding transaction's txid (the wallet's first).
func mustHash(t *testing.T, c *chain) (h [32]byte) {
	for _, u := range c.w.UTXOs() {
		if u.Value == 100_000_000 {
			return u.OutPoint.Hash
		}
	}
	t.Fatal("no 1 BTC coin")
	return h
}

func TestReplaceRefusals(t *testing.T) {
	devs := devices(t)
	wc := walletCases[0]
	out := outsideAddress(t)

	t.Run("not signalling BIP125 unless full RBF", func(t *testing.T) {
		c, _ := funded(t, wc.desc(devs))
		orig, err := Build(c.w, Request{Recipients: []Recipient{{Address: out, Amount: 1_000_000}}, FeeRate: 1_000, NoRBF: true})
		require.NoError(t, err)
		require.False(t, orig.Analysis.RBF)
		origTx := checkSigned(t, c, wc, devs, orig, 1_000)
		c.mempool(origTx)
		_, err = Bump(c.w, ReplaceRequest{Txid: orig.ID, FeeRate: 5_000})
		require.EqualError(t, err, "transaction "+orig.ID+" does not signal replaceability (BIP125): nodes will refuse a replacement unless they run full RBF; set full RBF if yours does, or speed it up with CPFP on its change")
		bump, err := Bump(c.w, ReplaceRequest{Txid: orig.ID, FeeRate: 5_000, FullRBF: true})
		require.NoError(t, err)
		requireBIP125(t, orig.Fee, origTx, bump.Fee, checkSigned(t, c, wc, devs, bump, 5_000))
	})
	t.Run("incoming payment: inputs are not the wallet's", func(t *testing.T) {
		c, _ := funded(t, wc.desc(devs))
		in := externalTx(5, wire.NewTxOut(20_000_000, c.script(wallet.Receive, 3)))
		c.mempool(in)
		_, err := Bump(c.w, ReplaceRequest{Txid: in.TxHash().String(), FeeRate: 5_000})
		require.EqualError(t, err, "input 0 of transaction "+in.TxHash().String()+" spends a coin that is not this wallet's: only the sender can replace it (to speed up an incoming payment, use CPFP)")
	})
	t.Run("a pending child spends its change", func(t *testing.T) {
		c, _ := funded(t, wc.desc(devs))
		parent, err := Build(c.w, Request{Recipients: []Recipient{{Address: out, Amount: 1_000_000}}, FeeRate: 1_000, Seed: 1})
		require.NoError(t, err)
		c.mempool(checkSigned(t, c, wc, devs, parent, 1_000))
		changeOut := wire.OutPoint{Hash: parent.PSBT.UnsignedTx.TxHash(), Index: parent.Change.Output}
		child, err := Build(c.w, Request{Recipients: []Recipient{{Address: out, Amount: 1_000_000}}, FeeRate: 1_000,
			CoinControl: CoinControl{MustUse: []wire.OutPoint{changeOut}, UseOnly: true}})
		require.NoError(t, err)
		require.Contains(t, child.Warnings, "input "+changeOut.String()+" is unconfirmed: this transaction cannot confirm before the one that created it")
		c.mempool(checkSigned(t, c, wc, devs, child, 1_000))
		_, err = Bump(c.w, ReplaceRequest{Txid: parent.ID, FeeRate: 5_000})
		require.EqualError(t, err, "transaction "+child.ID+" spends an output of "+parent.ID+": replacing "+parent.ID+" would evict it; bump "+child.ID+" instead (CPFP)")
	})
	t.Run("unknown transaction", func(t *testing.T) {
		c, _ := funded(t, wc.desc(devs))
		_, err := Cancel(c.w, ReplaceRequest{Txid: "00" + outsideTxid[2:], FeeRate: 5_000})
		require.ErrorContains(t, err, "is not in this wallet: sync the wallet or check the txid")
	})
}

const outsideTxid = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

func TestCPFP(t *testing.T) {
	devs := devices(t)
	for _, wc := range walletCases {
		t.Run(wc.name+": incoming payment", func(t *testing.T) {
			c, _ := funded(t, wc.desc(devs))
			parent := externalTx(7, wire.NewTxOut(20_000_000, c.script(wallet.Receive, 4)))
			c.mempool(parent)
			txid := parent.TxHash().String()
			const parentFee, parentVSize = 200, 95 // 10 + a 42-byte input (1-byte scriptSig) + a 43-byte output: 95 bytes, no witness
			require.Equal(t, int64(parentVSize), vsize(parent))
			target := coinselect.FeeRate(10_000)

			_, err := CPFP(c.w, CPFPRequest{Txid: txid, FeeRate: target})
			require.EqualError(t, err, "the fee of transaction "+txid+" is unknown to the wallet (it spends coins that are not the wallet's): give it from the node (getmempoolentry fees.base)")
			_, err = CPFP(c.w, CPFPRequest{Txid: txid, FeeRate: 2_000, ParentFee: 200})
			require.EqualError(t, err, "transaction "+txid+" already pays 2.105 sat/vB, not less than the target 2 sat/vB: choose a higher target")

			child, err := CPFP(c.w, CPFPRequest{Txid: txid, FeeRate: target, ParentFee: parentFee})
			require.NoError(t, err)
			require.Equal(t, []wire.OutPoint{{Hash: parent.TxHash(), Index: 0}}, child.Inputs)
			require.Equal(t, coinselect.CPFPChildFee(parentVSize, parentFee, child.VSize, target), child.Fee)
			require.Equal(t, coinselect.FeeRateOf(parentFee+child.Fee, parentVSize+child.VSize), child.PackageFeeRate)
			require.GreaterOrEqual(t, child.PackageFeeRate, target)
			require.Equal(t, int64(20_000_000)-child.Fee, child.Change.Amount)
			require.True(t, child.Analysis.Outputs[0].Change)
			require.Contains(t, child.Warnings, "input "+child.Inputs[0].String()+" is unconfirmed: this transaction cannot confirm before the one that created it")
			childTx := checkSigned(t, c, wc, devs, child, target)
			require.GreaterOrEqual(t, coinselect.FeeRateOf(parentFee+child.Fee, parentVSize+vsize(childTx)), target, "the package reaches the target with the real size")

			c.mine(parent, childTx)
			_, err = CPFP(c.w, CPFPRequest{Txid: txid, FeeRate: target, ParentFee: parentFee})
			require.EqualError(t, err, "transaction "+txid+" is confirmed, not waiting in the mempool: only an unconfirmed transaction can be sped up")
		})
	}
	t.Run("our own send: the wallet knows the fee", func(t *testing.T) {
		wc := walletCases[0]
		c, _ := funded(t, wc.desc(devs))
		send, err := Build(c.w, Request{Recipients: []Recipient{{Address: outsideAddress(t), Amount: 1_000_000}}, FeeRate: 1_000, NoRBF: true, Seed: 1})
		require.NoError(t, err)
		sendTx := checkSigned(t, c, wc, devs, send, 1_000)
		c.mempool(sendTx)
		child, err := CPFP(c.w, CPFPRequest{Txid: send.ID, FeeRate: 8_000})
		require.NoError(t, err)
		require.Equal(t, []wire.OutPoint{{Hash: sendTx.TxHash(), Index: send.Change.Output}}, child.Inputs, "the change output")
		require.Equal(t, coinselect.CPFPChildFee(vsize(sendTx), send.Fee, child.VSize, 8_000), child.Fee)
		checkSigned(t, c, wc, devs, child, 8_000)
	})
}
