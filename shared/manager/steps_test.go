package manager

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// stepsWallet is a 1-of-2 wsh wallet named name in a new engine over st,
// for plays of a sync's saved batches.
func stepsWallet(t *testing.T, st store.Store, name string) (*Engine, string) {
	t.Helper()
	e := openEngine(t, st)
	a := addDevice(t, e, "A", TypeOther, keyA).ID
	b := addDevice(t, e, "B", TypeOther, keyB).ID
	res, err := e.CreateWallet(context.Background(), WalletSpec{Name: name, ScriptType: ScriptWSH, M: 1, DeviceIDs: []string{a, b}, Network: network.Main})
	require.NoError(t, err)
	return e, res.Wallet.ID
}

// stepHash and stepBlock are the made-up chain of those plays.
func stepHash(h int32) string { return fmt.Sprintf("%064x", h) }

func stepBlock(h int32) wallet.Block {
	return wallet.Block{Height: h, Hash: stepHash(h), PrevHash: stepHash(h - 1)}
}

// TestUpdateInStepsKeepsTheSavedBatchesOfAnInterruptedSync plays a sync of
// three batches (checkpoints at blocks 999, 1999 and 2999) that saves two
// and fails on the third: the engine keeps the second checkpoint, one
// change set per save is in the store, and an engine reopened from the
// store (a reload) has the same tip.
func TestUpdateInStepsKeepsTheSavedBatchesOfAnInterruptedSync(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e, id := stepsWallet(t, st, "Steps")
	hash, block := stepHash, stepBlock
	tip := func(e *Engine) wallet.Checkpoint {
		var cp wallet.Checkpoint
		require.NoError(t, e.View(id, func(w *wallet.Wallet) error { cp, _ = w.Tip(); return nil }))
		return cp
	}
	countSets := func() int {
		recs, err := st.List(ctx, store.ChangeSets)
		require.NoError(t, err)
		return len(recs)
	}
	before := countSets()

	errNode := errors.New("the node went away")
	err := e.UpdateInSteps(ctx, id, func(w *wallet.Wallet, save func(wallet.ChangeSet) error) error {
		for _, h := range []int32{999, 1999, 2999} {
			cs, err := w.ApplyBlock(block(h))
			require.NoError(t, err)
			if h == 2999 {
				return errNode // applied but not saved
			}
			require.NoError(t, save(cs))
			require.NoError(t, save(wallet.ChangeSet{}), "an empty change set is not stored")
		}
		return nil
	})
	require.ErrorIs(t, err, errNode)
	require.Equal(t, wallet.Checkpoint{Height: 1999, Hash: hash(1999)}, tip(e))
	require.Equal(t, before+2, countSets(), "one stored change set per saved batch")
	require.Equal(t, wallet.Checkpoint{Height: 1999, Hash: hash(1999)}, tip(openEngine(t, st)))

	// The next run goes on from the saved tip and keeps everything.
	require.NoError(t, e.UpdateInSteps(ctx, id, func(w *wallet.Wallet, save func(wallet.ChangeSet) error) error {
		cs, err := w.ApplyBlock(block(2999))
		require.NoError(t, err)
		return save(cs)
	}))
	require.Equal(t, wallet.Checkpoint{Height: 2999, Hash: hash(2999)}, tip(e))
	require.Equal(t, wallet.Checkpoint{Height: 2999, Hash: hash(2999)}, tip(openEngine(t, st)))

	// A failing store stops the run with a storage error; nothing unsaved stays.
	fs := &failingStore{Store: store.NewMemory()}
	fe, fid := stepsWallet(t, fs, "Steps")
	fs.setFail(true)
	err = fe.UpdateInSteps(ctx, fid, func(w *wallet.Wallet, save func(wallet.ChangeSet) error) error {
		cs, err := w.ApplyBlock(block(999))
		require.NoError(t, err)
		return save(cs)
	})
	require.ErrorIs(t, err, errDiskFull)
	require.NoError(t, fe.View(fid, func(w *wallet.Wallet) error {
		_, ok := w.Tip()
		require.False(t, ok, "the unsaved checkpoint was dropped")
		return nil
	}))

	require.ErrorIs(t, e.UpdateInSteps(ctx, "nope", nil), ErrNotFound)
}

// TestTheWalletStaysUsableWhileASyncRuns: between two saved batches the
// wallet can be read and labelled (the sync works on its own copy, without
// the engine's lock), the label set meanwhile survives the sync's next
// batch, and a wallet deleted during a sync makes its next save fail with
// ErrNotFound instead of writing to a wallet that is gone.
func TestTheWalletStaysUsableWhileASyncRuns(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e, id := stepsWallet(t, st, "Busy")
	hash, block := stepHash, stepBlock
	label := wallet.Label{Type: "tx", Ref: hash(7), Label: "rent"}

	require.NoError(t, e.UpdateInSteps(ctx, id, func(w *wallet.Wallet, save func(wallet.ChangeSet) error) error {
		cs, err := w.ApplyBlock(block(999))
		require.NoError(t, err)
		require.NoError(t, save(cs))
		// Mid-sync, on the engine (this would wait forever if the sync
		// held the engine's lock): the saved batch is visible and a
		// label is stored.
		var tip wallet.Checkpoint
		require.NoError(t, e.View(id, func(w *wallet.Wallet) error { tip, _ = w.Tip(); return nil }))
		require.Equal(t, wallet.Checkpoint{Height: 999, Hash: hash(999)}, tip)
		require.NoError(t, e.SetLabel(ctx, id, label))
		cs, err = w.ApplyBlock(block(1999))
		require.NoError(t, err)
		return save(cs)
	}))
	for _, eng := range []*Engine{e, openEngine(t, st)} {
		require.NoError(t, eng.View(id, func(w *wallet.Wallet) error {
			cp, _ := w.Tip()
			require.Equal(t, wallet.Checkpoint{Height: 1999, Hash: hash(1999)}, cp)
			require.Equal(t, []wallet.Label{label}, w.Labels())
			return nil
		}))
	}

	err := e.UpdateInSteps(ctx, id, func(w *wallet.Wallet, save func(wallet.ChangeSet) error) error {
		require.NoError(t, e.DeleteWallet(ctx, id))
		cs, err := w.ApplyBlock(block(2999))
		require.NoError(t, err)
		return save(cs)
	})
	require.ErrorIs(t, err, ErrNotFound)
	recs, err := st.List(ctx, store.ChangeSets)
	require.NoError(t, err)
	require.Empty(t, recs, "the deleted wallet's change sets are gone and the sync wrote none")
}

// TestASyncAndUserEditsRunConcurrently: a sync saving 50 batches in one
// goroutine while another labels the wallet and reads it: both finish, no
// label and no batch is lost (run with -race to check the locking), and an
// engine reopened from the store agrees.
func TestASyncAndUserEditsRunConcurrently(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e, id := stepsWallet(t, st, "Concurrent")
	const batches = 50
	done := make(chan error, 1)
	go func() {
		done <- e.UpdateInSteps(ctx, id, func(w *wallet.Wallet, save func(wallet.ChangeSet) error) error {
			for h := int32(1); h <= batches; h++ {
				cs, err := w.ApplyBlock(stepBlock(h))
				if err != nil {
					return err
				}
				if err := save(cs); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	var labels []wallet.Label
	for i := range batches {
		l := wallet.Label{Type: "tx", Ref: stepHash(int32(1000 + i)), Label: fmt.Sprintf("label %d", i)}
		require.NoError(t, e.SetLabel(ctx, id, l))
		labels = append(labels, l)
		require.NoError(t, e.View(id, func(w *wallet.Wallet) error { _, _ = w.Tip(); return nil }))
	}
	require.NoError(t, <-done)
	for _, eng := range []*Engine{e, openEngine(t, st)} {
		require.NoError(t, eng.View(id, func(w *wallet.Wallet) error {
			cp, _ := w.Tip()
			require.Equal(t, wallet.Checkpoint{Height: batches, Hash: stepHash(batches)}, cp)
			require.ElementsMatch(t, labels, w.Labels())
			return nil
		}))
	}
}
