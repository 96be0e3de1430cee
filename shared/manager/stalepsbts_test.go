package manager

import (
	"context"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// spendTx is a transaction of another coordinator spending ins (not the
// one testPSBT builds for the same inputs: its output differs).
func spendTx(value int64, ins ...wire.OutPoint) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for _, in := range ins {
		tx.AddTxIn(wire.NewTxIn(&in, nil, nil))
	}
	tx.AddTxOut(wire.NewTxOut(value, append([]byte{0x00, 0x14}, make([]byte, 20)...)))
	return tx
}

func lockedOutpoints(t *testing.T, e *Engine, walletID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, e.View(walletID, func(w *wallet.Wallet) error {
		for op, id := range w.State().Locked {
			if id != "" {
				out[op] = id
			}
		}
		return nil
	}))
	return out
}

func TestSyncClearsPendingPSBTsAlreadyBroadcastOrBeatenByAConfirmedSpendAndKeepsTheRest(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	fullEngine(t, st) // wallet "vault" with pending "Rent" on outpoints the wallet does not know
	failing := &failingStore{Store: st}
	e, err := Open(ctx, failing, testOptions())
	require.NoError(t, err)

	// Five coins of the wallet, confirmed in block 800001.
	var script []byte
	require.NoError(t, e.View("vault", func(w *wallet.Wallet) error { script = w.Scripts()[0]; return nil }))
	fund := wire.NewMsgTx(2)
	fund.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{9}}, nil, nil))
	for range 5 {
		fund.AddTxOut(wire.NewTxOut(100_000, script))
	}
	coin := func(i uint32) wire.OutPoint { return wire.OutPoint{Hash: fund.TxHash(), Index: i} }
	block := func(height int32, txs ...*wire.MsgTx) {
		require.NoError(t, e.Update(ctx, "vault", func(w *wallet.Wallet) (wallet.ChangeSet, error) {
			prev, ok := w.CheckpointAt(height - 1)
			if !ok {
				prev = chainhash.Hash{}.String()
			}
			return w.ApplyBlock(wallet.Block{Height: height, Hash: chainhash.Hash{byte(height)}.String(), PrevHash: prev,
				Time: testClock.Unix(), Txs: txs})
		}))
	}
	mempool := func(at time.Time, txs ...*wire.MsgTx) {
		require.NoError(t, e.Update(ctx, "vault", func(w *wallet.Wallet) (wallet.ChangeSet, error) { return w.ApplyMempool(txs, at) }))
	}
	block(800001, fund)

	// A transaction of another coordinator spending coin 4 is in the
	// mempool before the replacement built for it.
	original := spendTx(90_000, coin(4))
	mempool(testClock.Add(-time.Minute), original)
	save := func(name string, ins ...wire.OutPoint) PendingPSBT {
		p, err := e.SavePSBT(ctx, "vault", name, []byte(testPSBT(t, ins...)))
		require.NoError(t, err)
		return p
	}
	broadcast := save("Broadcast", coin(0))
	doubleSpent := save("Double spent", coin(1))
	mined := save("Beaten by a block", coin(2))
	waiting := save("Waiting", coin(3))
	replacement := save("Replacement", coin(4))
	var rent PendingPSBT
	all, err := e.PSBTs("vault")
	require.NoError(t, err)
	for _, p := range all {
		if p.Name == "Rent" {
			rent = p
		}
	}
	require.Equal(t, []string{outpoint(1, 0).String(), outpoint(2, 1).String()}, rent.Inputs)

	// Nothing happened yet: nothing is cleared.
	cleared, err := e.ClearStalePSBTs(ctx, "vault")
	require.NoError(t, err)
	require.Nil(t, cleared)

	// The sync sees Broadcast's own transaction and a conflicting spend of
	// coin 1 in the mempool, and a block with a spend of coin 2.
	own := wire.NewMsgTx(2)
	own.AddTxIn(&wire.TxIn{PreviousOutPoint: coin(0), Sequence: wire.MaxTxInSequenceNum - 2})
	own.AddTxOut(wire.NewTxOut(50_000, append([]byte{0x00, 0x14}, make([]byte, 20)...)))
	require.Equal(t, broadcast.ID, own.TxHash().String())
	rival := spendTx(80_000, coin(1))
	mempool(testClock.Add(time.Minute), own, rival)
	block(800002, spendTx(70_000, coin(2)))

	failing.setFail(true)
	_, err = e.ClearStalePSBTs(ctx, "vault")
	require.ErrorIs(t, err, ErrStorage)
	all, err = e.PSBTs("vault")
	require.NoError(t, err)
	require.Len(t, all, 6, "a failed store write clears nothing")
	require.Len(t, lockedOutpoints(t, e, "vault"), 7, "coins 0 to 4 and Rent's two inputs stay locked")
	failing.setFail(false)

	// Broadcast (its own transaction seen) and the one beaten by a block go;
	// the one whose rival is still unconfirmed keeps its signatures.
	cleared, err = e.ClearStalePSBTs(ctx, "vault")
	require.NoError(t, err)
	require.ElementsMatch(t, []PendingPSBT{broadcast, mined}, cleared)
	kept, err := e.PSBTs("vault")
	require.NoError(t, err)
	require.ElementsMatch(t, []PendingPSBT{rent, doubleSpent, waiting, replacement}, kept)
	// The rival confirms: now it is double spent for good.
	block(800003, rival)
	cleared, err = e.ClearStalePSBTs(ctx, "vault")
	require.NoError(t, err)
	require.Equal(t, []PendingPSBT{doubleSpent}, cleared)
	kept, err = e.PSBTs("vault")
	require.NoError(t, err)
	require.ElementsMatch(t, []PendingPSBT{rent, waiting, replacement}, kept)
	want := map[string]string{coin(3).String(): waiting.ID, coin(4).String(): replacement.ID,
		outpoint(1, 0).String(): rent.ID, outpoint(2, 1).String(): rent.ID}
	require.Equal(t, want, lockedOutpoints(t, e, "vault"))

	// The store holds the same: a reopened engine agrees, and a second
	// pass has nothing left to clear.
	again := openEngine(t, st)
	reopened, err := again.PSBTs("vault")
	require.NoError(t, err)
	require.Equal(t, kept, reopened)
	require.Equal(t, want, lockedOutpoints(t, again, "vault"))
	cleared, err = again.ClearStalePSBTs(ctx, "vault")
	require.NoError(t, err)
	require.Nil(t, cleared)
	_, err = again.ClearStalePSBTs(ctx, "nope")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestPendingPSBTKeepsItsBuilderWarningsAcrossSignedCopiesAndReloads(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := fullEngine(t, st)
	warn := []string{"absurd fee: 600 sat/vB is above 500 sat/vB", "recipient 2 pays the same address as recipient 1"}
	p, err := e.SavePSBT(ctx, "vault", "Gift", []byte(testPSBT(t, outpoint(7, 0))), warn...)
	require.NoError(t, err)
	require.Equal(t, warn, p.Warnings)

	// A more-signed copy saved without warnings keeps them.
	again, err := e.SavePSBT(ctx, "vault", "", []byte(p.PSBT))
	require.NoError(t, err)
	require.Equal(t, p, again)
	got, err := openEngine(t, st).PSBT("vault", p.ID)
	require.NoError(t, err)
	require.Equal(t, p, got)

	// New warnings replace the old ones.
	again, err = e.SavePSBT(ctx, "vault", "", []byte(p.PSBT), "only this")
	require.NoError(t, err)
	require.Equal(t, []string{"only this"}, again.Warnings)

	// A record written before warnings existed loads without them.
	var rent PendingPSBT
	all, err := e.PSBTs("vault")
	require.NoError(t, err)
	for _, x := range all {
		if x.Name == "Rent" {
			rent = x
		}
	}
	raw, err := st.Get(ctx, store.PSBTs, psbtKey("vault", rent.ID))
	require.NoError(t, err)
	require.NotContains(t, string(raw), "warnings")
	old, err := openEngine(t, st).PSBT("vault", rent.ID)
	require.NoError(t, err)
	require.Nil(t, old.Warnings)
	require.Equal(t, rent, old)
}
