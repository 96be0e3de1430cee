package wallet

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

func TestNewDerivesGapLimitScriptsOnBothKeychains(t *testing.T) {
	f := newFixture(t)
	w, cs := f.wallet(0)
	require.Equal(t, uint32(DefaultGapLimit), w.Params().GapLimit)
	require.Equal(t, map[Keychain]uint32{Receive: 20, Change: 20}, cs.Derived)
	require.Equal(t, 40, w.ScriptCount())
	for _, k := range []Keychain{Receive, Change} {
		for _, i := range []uint32{0, 7, 19} {
			kc, idx, ok := w.IsMine(f.script(k, i))
			require.True(t, ok, "%s/%d", k, i)
			require.Equal(t, k, kc)
			require.Equal(t, i, idx)
		}
		_, _, ok := w.IsMine(f.script(k, 20))
		require.False(t, ok, "index 20 is past the gap")
	}
	_, _, ok := w.IsMine(externalScript)
	require.False(t, ok)
	require.NotNil(t, cs.Params)
	require.Equal(t, "regtest", cs.Params.Network)
}

func TestNewRejectsBadParams(t *testing.T) {
	f := newFixture(t)
	single := "wpkh(" + f.account.String() + "/0/*)"
	for _, tc := range []struct {
		name string
		p    Params
		err  string
	}{
		{"single-path descriptor alone", Params{Receive: single, Network: "regtest"}, "multipath"},
		{"same receive and change", Params{Receive: single, Change: single, Network: "regtest"}, "are the same"},
		{"not ranged", Params{Receive: "wpkh(" + f.account.String() + "/0/1)", Change: single, Network: "regtest"}, "no /* wildcard"},
		{"unknown network", Params{Receive: f.desc, Network: "moon"}, "network"},
		{"testnet key on mainnet", Params{Receive: f.desc, Network: "main"}, "does not fit network"},
		{"negative birthday", Params{Receive: f.desc, Network: "regtest", Birthday: -1}, "negative"},
		{"huge gap", Params{Receive: f.desc, Network: "regtest", GapLimit: 1 << 20}, "too large"},
		{"garbage descriptor", Params{Receive: "wpkh(", Network: "regtest"}, "receive descriptor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := New(tc.p)
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestTwoDescriptorsEqualOneMultipath(t *testing.T) {
	f := newFixture(t)
	two, _, err := New(Params{Receive: "wpkh(" + f.account.String() + "/0/*)", Change: "wpkh(" + f.account.String() + "/1/*)", Network: "regtest"})
	require.NoError(t, err)
	one, _ := f.wallet(0)
	require.Equal(t, one.Scripts(), two.Scripts())
}

func TestReceiveConfirmAndSpendGivesExactBalances(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	applyChain(t, w, "a", 0, 9)

	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 100_000_000}, out{externalScript, 5_000})
	_, err := w.ApplyBlock(block("a", 10, fund))
	require.NoError(t, err)
	require.Equal(t, Balance{Confirmed: 100_000_000}, w.Balance())

	incoming := mkTx([]wire.OutPoint{extOutpoint(2)}, out{f.script(Receive, 1), 50_000_000})
	spend := mkTx([]wire.OutPoint{op(fund, 0)}, out{externalScript, 30_000_000}, out{f.script(Change, 0), 69_990_000})
	_, err = w.ApplyMempool([]*wire.MsgTx{incoming, spend}, time.Unix(1700010000, 0))
	require.NoError(t, err)
	require.Equal(t, Balance{TrustedPending: 69_990_000, UntrustedPending: 50_000_000}, w.Balance())
	require.Equal(t, int64(69_990_000), w.Balance().Spendable())
	require.Equal(t, int64(119_990_000), w.Balance().Total())

	txs := w.Transactions(11)
	require.Len(t, txs, 3)
	require.Equal(t, fund.TxHash().String(), txs[0].Txid)
	require.Equal(t, StatusConfirmed, txs[0].Status)
	require.Equal(t, int32(2), txs[0].Confirmations)
	require.Equal(t, int64(100_000_000), txs[0].Net)
	require.False(t, txs[0].FeeKnown, "the funding inputs are not the wallet's")
	byID := map[string]TxDetails{}
	for _, d := range txs {
		byID[d.Txid] = d
	}
	s := byID[spend.TxHash().String()]
	require.Equal(t, StatusPending, s.Status)
	require.Equal(t, int64(-30_010_000), s.Net)
	require.Equal(t, int64(100_000_000), s.Sent)
	require.Equal(t, int64(69_990_000), s.Received)
	require.True(t, s.FeeKnown)
	require.Equal(t, int64(10_000), s.Fee)
	require.Equal(t, int64(113), s.VSize, "4 version + 1 + 41 input + 1 + 2x31 outputs + 4 locktime, no witness")
	require.Equal(t, int32(0), s.Confirmations)

	utxos := w.UTXOs()
	require.Len(t, utxos, 2)
	raw, err := json.Marshal(utxos[0])
	require.NoError(t, err)
	require.Contains(t, string(raw), `"outpoint":"`+utxos[0].OutPoint.String()+`"`)
	require.Contains(t, string(raw), `"script_pubkey":"0014`)
	for _, u := range utxos {
		require.False(t, u.Confirmed)
		if u.Keychain == Change {
			require.True(t, u.Trusted)
			require.Equal(t, int64(69_990_000), u.Value)
		} else {
			require.False(t, u.Trusted)
			require.Equal(t, uint32(1), u.Index)
		}
	}

	// Both confirm in block 11.
	_, err = w.ApplyBlock(block("a", 11, spend, incoming))
	require.NoError(t, err)
	require.Equal(t, Balance{Confirmed: 119_990_000}, w.Balance())
}

func TestChildInSameBlockAsParentIsFoundWhateverTheOrder(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 10_000})
	// The child only spends: it is relevant only once the parent is known.
	child := mkTx([]wire.OutPoint{op(fund, 0)}, out{externalScript, 9_000})
	_, err := w.ApplyBlock(block("a", 1, child, fund))
	require.NoError(t, err)
	require.True(t, w.HasTx(child.TxHash().String()))
	require.Equal(t, Balance{}, w.Balance())
	require.Empty(t, w.UTXOs())
}

func TestMempoolConflictLosesToConfirmedTransaction(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 1_000_000})
	_, err := w.ApplyBlock(block("a", 1, fund))
	require.NoError(t, err)
	// A pays us change; B (confirmed) spends the same coin elsewhere.
	a := mkTx([]wire.OutPoint{op(fund, 0)}, out{f.script(Change, 0), 990_000})
	_, err = w.ApplyMempool([]*wire.MsgTx{a}, time.Unix(1700000000, 0))
	require.NoError(t, err)
	require.Equal(t, Balance{TrustedPending: 990_000}, w.Balance())
	b := mkTx([]wire.OutPoint{op(fund, 0)}, out{externalScript, 980_000})
	_, err = w.ApplyBlock(block("a", 2, b))
	require.NoError(t, err)
	require.Equal(t, Balance{}, w.Balance())
	for _, d := range w.Transactions(2) {
		switch d.Txid {
		case a.TxHash().String():
			require.Equal(t, StatusConflicted, d.Status)
			require.Equal(t, b.TxHash().String(), d.ConflictWinner)
		case b.TxHash().String():
			require.Equal(t, StatusConfirmed, d.Status)
			require.Equal(t, int64(-1_000_000), d.Net)
			require.Equal(t, int64(20_000), d.Fee)
		}
	}
	require.Empty(t, w.PendingTxids())
}

func TestRBFReplacementWinsAndOrphansTheOriginalsChild(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 1_000_000})
	_, err := w.ApplyBlock(block("a", 1, fund))
	require.NoError(t, err)
	orig := mkTx([]wire.OutPoint{op(fund, 0)}, out{externalScript, 500_000}, out{f.script(Change, 0), 499_000})
	child := mkTx([]wire.OutPoint{op(orig, 1)}, out{f.script(Change, 1), 498_000})
	_, err = w.ApplyMempool([]*wire.MsgTx{orig, child}, time.Unix(1000, 0))
	require.NoError(t, err)
	require.Equal(t, Balance{TrustedPending: 498_000}, w.Balance())

	bump := mkTx([]wire.OutPoint{op(fund, 0)}, out{externalScript, 500_000}, out{f.script(Change, 2), 495_000})
	_, err = w.ApplyMempool([]*wire.MsgTx{bump}, time.Unix(2000, 0))
	require.NoError(t, err)
	require.Equal(t, Balance{TrustedPending: 495_000}, w.Balance())
	st := map[string]TxDetails{}
	for _, d := range w.Transactions(1) {
		st[d.Txid] = d
	}
	require.Equal(t, StatusReplaced, st[orig.TxHash().String()].Status)
	require.Equal(t, bump.TxHash().String(), st[orig.TxHash().String()].ConflictWinner)
	require.Equal(t, StatusReplaced, st[child.TxHash().String()].Status)
	require.Equal(t, bump.TxHash().String(), st[child.TxHash().String()].ConflictWinner)
	require.Equal(t, StatusPending, st[bump.TxHash().String()].Status)
	require.Equal(t, []string{bump.TxHash().String()}, w.PendingTxids())
}

func TestEvictedTransactionIsDroppedUntilSeenAgain(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	in := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 70_000})
	_, err := w.ApplyMempool([]*wire.MsgTx{in}, time.Unix(1000, 0))
	require.NoError(t, err)
	require.Equal(t, Balance{UntrustedPending: 70_000}, w.Balance())
	cs := w.ApplyEvicted([]string{in.TxHash().String(), "00" + in.TxHash().String()[2:]}, time.Unix(2000, 0))
	require.Equal(t, map[string]int64{in.TxHash().String(): 2000}, cs.Evicted)
	require.Equal(t, Balance{}, w.Balance())
	require.Equal(t, StatusDropped, w.Transactions(0)[0].Status)
	_, err = w.ApplyMempool([]*wire.MsgTx{in}, time.Unix(3000, 0))
	require.NoError(t, err)
	require.Equal(t, Balance{UntrustedPending: 70_000}, w.Balance())
}

func TestDisconnectUndoesAReorgAndTheNewChainDecides(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	applyChain(t, w, "a", 0, 4)
	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 1_000_000})
	_, err := w.ApplyBlock(block("a", 5, fund))
	require.NoError(t, err)
	applyChain(t, w, "a", 6, 6)
	require.Equal(t, Balance{Confirmed: 1_000_000}, w.Balance())

	// The node switched to fork b at height 5: the wallet refuses it first.
	_, err = w.ApplyBlock(Block{Height: 5, Hash: blockHash("b", 5), PrevHash: blockHash("a", 4)})
	require.True(t, errors.Is(err, ErrReorg), "%v", err)
	_, err = w.ApplyBlock(Block{Height: 7, Hash: blockHash("b", 7), PrevHash: blockHash("b", 6)})
	require.True(t, errors.Is(err, ErrReorg), "%v", err)

	cs := w.Disconnect(4)
	require.Equal(t, map[int32]string{5: "", 6: ""}, cs.Checkpoints)
	tip, ok := w.Tip()
	require.True(t, ok)
	require.Equal(t, Checkpoint{Height: 4, Hash: blockHash("a", 4)}, tip)
	// Disconnected, the funding transaction is pending again.
	require.Equal(t, Balance{UntrustedPending: 1_000_000}, w.Balance())
	require.Equal(t, StatusPending, w.Transactions(4)[0].Status)

	// Fork b double-spends the funding coin's source away from us.
	thief := mkTx([]wire.OutPoint{extOutpoint(1)}, out{externalScript, 999_000})
	_, err = w.ApplyBlock(Block{Height: 5, Hash: blockHash("b", 5), PrevHash: blockHash("a", 4), Txs: []*wire.MsgTx{thief}})
	require.NoError(t, err)
	require.False(t, w.HasTx(thief.TxHash().String()), "an unrelated tx is not kept")
	// The thief is not ours, so the wallet cannot see the conflict; once the
	// mempool pass reports the funding tx missing it is dropped.
	w.ApplyEvicted(w.PendingTxids(), time.Unix(5000, 0))
	require.Equal(t, Balance{}, w.Balance())

	// If instead the new chain confirms it again, it is confirmed at the new place.
	_, err = w.ApplyBlock(Block{Height: 6, Hash: blockHash("b", 6), PrevHash: blockHash("b", 5), Time: 42, Txs: []*wire.MsgTx{fund}})
	require.NoError(t, err)
	require.Equal(t, Balance{Confirmed: 1_000_000}, w.Balance())
	d := w.Transactions(6)[0]
	require.Equal(t, int32(6), d.Height)
	require.Equal(t, blockHash("b", 6), d.BlockHash)
	require.Equal(t, int32(1), d.Confirmations)
}

func TestGapLimitGrowsAsScriptsAreUsedWithinOneBlock(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(5)
	require.Equal(t, 10, w.ScriptCount())
	// Index 8 is beyond the first gap: only found after index 4 is used,
	// although its transaction comes first in the block.
	pay8 := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 8), 800})
	pay4 := mkTx([]wire.OutPoint{extOutpoint(2)}, out{f.script(Receive, 4), 400})
	pay3c := mkTx([]wire.OutPoint{extOutpoint(3)}, out{f.script(Change, 3), 300})
	cs, err := w.ApplyBlock(block("a", 1, pay8, pay4, pay3c))
	require.NoError(t, err)
	require.Equal(t, map[Keychain]uint32{Receive: 14, Change: 9}, cs.Derived)
	require.Len(t, cs.Txs, 3)
	require.Equal(t, Balance{Confirmed: 1500}, w.Balance())
	require.Equal(t, 23, w.ScriptCount())
	used := w.Addresses(Receive, UsedOnly)
	require.Len(t, used, 2)
	require.Equal(t, uint32(4), used[0].Index)
	require.Equal(t, uint32(8), used[1].Index)
	require.Equal(t, int64(800), used[1].Balance)
	require.Len(t, w.Addresses(Receive, AllAddresses), 9)
	// Every address listed is the wallet descriptor's own at that index.
	for _, k := range []Keychain{Receive, Change} {
		for _, a := range w.Addresses(k, AllAddresses) {
			want, err := w.desc[k].Address(a.Index, "regtest")
			require.NoError(t, err)
			require.Equal(t, want, a.Address)
		}
	}
	require.Len(t, w.Addresses(Change, AllAddresses), 4)
	require.Len(t, w.Addresses(Receive, UnusedOnly), 7)
}

func TestNextReceiveAddressReturnsFirstUnusedAndRevealsIt(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(3)
	a, cs, err := w.NextReceiveAddress()
	require.NoError(t, err)
	require.Equal(t, uint32(0), a.Index)
	require.Equal(t, map[Keychain]uint32{Receive: 1}, cs.Revealed)
	require.Equal(t, map[Keychain]uint32{Receive: 4}, cs.Derived)
	want, err := w.desc[Receive].Address(0, "regtest")
	require.NoError(t, err)
	require.Equal(t, want, a.Address)
	require.Regexp(t, "^bcrt1q", a.Address)

	again, cs, err := w.NextReceiveAddress()
	require.NoError(t, err)
	require.Equal(t, a, again, "unused: the same address again")
	require.True(t, cs.IsEmpty())

	_, err = w.ApplyMempool([]*wire.MsgTx{mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 1})}, time.Unix(1, 0))
	require.NoError(t, err)
	b, _, err := w.NextReceiveAddress()
	require.NoError(t, err)
	require.Equal(t, uint32(1), b.Index)
	require.Equal(t, []AddressInfo{{Address: b.Address, Keychain: Receive, Index: 1}}, w.Addresses(Receive, UnusedOnly))

	c, _, err := w.NextChangeAddress()
	require.NoError(t, err)
	require.Equal(t, AddressInfo{Address: c.Address, Keychain: Change, Index: 0}, c)
	kc, idx, ok := w.IsMine(f.script(Change, 0))
	require.True(t, ok)
	require.Equal(t, Change, kc)
	require.Equal(t, uint32(0), idx)
}

func TestFrozenLockedAndImmatureBalances(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	coinbase := wire.NewMsgTx(1)
	coinbase.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, []byte{1, 1}, nil))
	coinbase.AddTxOut(wire.NewTxOut(5_000_000_000, f.script(Receive, 2)))
	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 1000}, out{f.script(Receive, 1), 2000}, out{f.script(Receive, 3), 4000})
	_, err := w.ApplyBlock(block("a", 1, coinbase, fund))
	require.NoError(t, err)
	require.Equal(t, Balance{Confirmed: 7000, Immature: 5_000_000_000}, w.Balance())

	w.SetFrozen(op(fund, 0), true)
	_, err = w.Lock([]wire.OutPoint{op(fund, 1)}, "psbt-1")
	require.NoError(t, err)
	require.Equal(t, Balance{Confirmed: 4000, Frozen: 1000, Locked: 2000, Immature: 5_000_000_000}, w.Balance())
	spendable := w.Spendable()
	require.Len(t, spendable, 1)
	require.Equal(t, op(fund, 2), spendable[0].OutPoint)
	_, err = w.Lock(nil, "")
	require.ErrorContains(t, err, "id of the pending PSBT")

	applyChain(t, w, "a", 2, 100)
	require.Equal(t, Balance{Confirmed: 5_000_004_000, Frozen: 1000, Locked: 2000}, w.Balance(), "mature after 100 confirmations")

	w.UnlockID("psbt-1")
	w.SetFrozen(op(fund, 0), false)
	require.Equal(t, Balance{Confirmed: 5_000_007_000}, w.Balance())
	require.Len(t, w.Spendable(), 4)
	require.Empty(t, w.State().Frozen)
	require.Empty(t, w.State().Locked)
}

func TestLabelsAndHistoryCSV(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 150_000_000})
	_, err := w.ApplyBlock(Block{Height: 1, Hash: blockHash("a", 1), PrevHash: blockHash("a", 0), Time: 1700000000, Txs: []*wire.MsgTx{fund}})
	require.NoError(t, err)
	spend := mkTx([]wire.OutPoint{op(fund, 0)}, out{externalScript, 100_000_000}, out{f.script(Change, 0), 49_998_000})
	_, err = w.ApplyMempool([]*wire.MsgTx{spend}, time.Unix(1700003600, 0))
	require.NoError(t, err)
	replaced := mkTx([]wire.OutPoint{extOutpoint(9)}, out{f.script(Receive, 1), 1})
	_, err = w.ApplyMempool([]*wire.MsgTx{replaced}, time.Unix(1700003000, 0))
	require.NoError(t, err)
	w.ApplyEvicted([]string{replaced.TxHash().String()}, time.Unix(1700003700, 0))

	_, err = w.SetLabel(Label{Type: "tx", Ref: fund.TxHash().String(), Label: "salary, march"})
	require.NoError(t, err)
	_, err = w.SetLabel(Label{Type: "tx", Ref: spend.TxHash().String(), Label: "=cmd()"})
	require.NoError(t, err)
	_, err = w.SetLabel(Label{Type: "wallet", Ref: "x", Label: "y"})
	require.ErrorContains(t, err, "not a BIP329 type")
	_, err = w.SetLabel(Label{Type: "addr", Label: "y"})
	require.ErrorContains(t, err, "needs a reference")

	got, err := w.HistoryCSV(3)
	require.NoError(t, err)
	want := "date,txid,label,amount,fee,balance,confirmations\n" +
		"2023-11-14T22:13:20Z," + fund.TxHash().String() + ",\"salary, march\",1.50000000,,1.50000000,3\n" +
		"2023-11-14T23:13:20Z," + spend.TxHash().String() + ",'=cmd(),-1.00002000,0.00002000,0.49998000,0\n"
	require.Equal(t, want, string(got))

	_, err = w.SetLabel(Label{Type: "tx", Ref: fund.TxHash().String()})
	require.NoError(t, err)
	require.Equal(t, []Label{{Type: "tx", Ref: spend.TxHash().String(), Label: "=cmd()"}}, w.Labels())
}

func TestFormatBTC(t *testing.T) {
	for _, tc := range []struct {
		sats int64
		want string
	}{{0, "0.00000000"}, {1, "0.00000001"}, {-150_000_000, "-1.50000000"}, {2_100_000_000_000_000, "21000000.00000000"}} {
		require.Equal(t, tc.want, FormatBTC(tc.sats))
	}
}

// TestChangeSetsReplayedGiveAnIdenticalWallet persists every change set as
// JSON the way a store would, merges them and rebuilds the wallet.
func TestChangeSetsReplayedGiveAnIdenticalWallet(t *testing.T) {
	f := newFixture(t)
	w, first := f.wallet(4)
	var stored [][]byte
	keep := func(cs ChangeSet) {
		raw, err := json.Marshal(cs)
		require.NoError(t, err)
		stored = append(stored, raw)
	}
	must := func(cs ChangeSet, err error) ChangeSet {
		require.NoError(t, err)
		return cs
	}
	keep(first)
	keep(applyChain(t, w, "a", 0, 3))
	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 3), 1_000_000}, out{f.script(Receive, 6), 7})
	keep(must(w.ApplyBlock(block("a", 4, fund))))
	orig := mkTx([]wire.OutPoint{op(fund, 0)}, out{externalScript, 400_000}, out{f.script(Change, 0), 590_000})
	keep(must(w.ApplyMempool([]*wire.MsgTx{orig}, time.Unix(100, 0))))
	bump := mkTx([]wire.OutPoint{op(fund, 0)}, out{externalScript, 400_000}, out{f.script(Change, 1), 580_000})
	keep(must(w.ApplyMempool([]*wire.MsgTx{bump}, time.Unix(200, 0))))
	keep(must(w.ApplyBlock(block("a", 5, bump))))
	keep(w.Disconnect(4))
	keep(must(w.ApplyBlock(Block{Height: 5, Hash: blockHash("b", 5), PrevHash: blockHash("a", 4), Time: 9})))
	keep(must(w.ApplyBlock(block("b", 6, bump))))
	keep(must(w.SetLabel(Label{Type: "tx", Ref: bump.TxHash().String(), Label: "rent"})))
	keep(w.SetFrozen(op(fund, 1), true))
	keep(must(w.Lock([]wire.OutPoint{op(bump, 1)}, "p1")))
	keep(must(w.ReserveChange(2, "p1")))
	keep(must(w.ReserveChange(3, "p2")))
	keep(w.UnlockID("p2"))
	_, cs, err := w.NextReceiveAddress()
	require.NoError(t, err)
	keep(cs)

	var merged ChangeSet
	for _, raw := range stored {
		var cs ChangeSet
		require.NoError(t, json.Unmarshal(raw, &cs))
		merged.Merge(cs)
	}
	r, err := FromChangeSet(merged)
	require.NoError(t, err)
	require.Equal(t, w.State(), r.State())
	require.Equal(t, map[uint32]string{2: "p1"}, r.State().ChangeReserved)
	require.Equal(t, w.Balance(), r.Balance())
	require.Equal(t, Balance{Frozen: 7, Locked: 580_000}, r.Balance())
	require.Equal(t, w.UTXOs(), r.UTXOs())
	require.Equal(t, w.Transactions(6), r.Transactions(6))
	require.Equal(t, w.Scripts(), r.Scripts())
	for _, k := range []Keychain{Receive, Change} {
		require.Equal(t, w.Addresses(k, AllAddresses), r.Addresses(k, AllAddresses))
	}
	require.Equal(t, w.Checkpoints(), r.Checkpoints())
	// The whole state also survives one JSON round trip.
	raw, err := json.Marshal(w.State())
	require.NoError(t, err)
	var again ChangeSet
	require.NoError(t, json.Unmarshal(raw, &again))
	r2, err := FromChangeSet(again)
	require.NoError(t, err)
	require.Equal(t, w.State(), r2.State())
}

func TestFromChangeSetRejectsBrokenStores(t *testing.T) {
	f := newFixture(t)
	w, first := f.wallet(0)
	_, err := FromChangeSet(ChangeSet{})
	require.ErrorContains(t, err, "no parameters")
	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 0), 1})
	cs, err := w.ApplyBlock(block("a", 1, fund))
	require.NoError(t, err)
	for name, mutate := range map[string]func(c *ChangeSet){
		"tx not hex":    func(c *ChangeSet) { c.Txs[fund.TxHash().String()] = "zz" },
		"tx truncated":  func(c *ChangeSet) { c.Txs[fund.TxHash().String()] = "0200" },
		"txid mismatch": func(c *ChangeSet) { c.Txs["00"+fund.TxHash().String()[2:]] = c.Txs[fund.TxHash().String()] },
		"keychain 7":    func(c *ChangeSet) { c.Derived = map[Keychain]uint32{7: 1} },
	} {
		t.Run(name, func(t *testing.T) {
			var c ChangeSet
			c.Merge(first)
			c.Merge(cs)
			c.Txs = map[string]string{fund.TxHash().String(): c.Txs[fund.TxHash().String()]}
			mutate(&c)
			_, err := FromChangeSet(c)
			require.Error(t, err)
		})
	}
}

// TestApplyBringsACopyUpToDateAndReplaysHarmlessly: a sync's copy of the
// wallet receives a payment and a reorg; its change sets applied to the
// original (in order, one of them twice) give the copy's state exactly,
// while a label set on the original meanwhile is kept; a change set of
// another wallet is refused.
func TestApplyBringsACopyUpToDateAndReplaysHarmlessly(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	applyChain(t, w, "a", 0, 4)
	work, err := FromChangeSet(w.State())
	require.NoError(t, err)

	fund := mkTx([]wire.OutPoint{extOutpoint(1)}, out{f.script(Receive, 15), 1_000_000})
	var sets []ChangeSet
	cs, err := work.ApplyBlock(block("a", 5, fund))
	require.NoError(t, err)
	sets = append(sets, cs)
	sets = append(sets, work.Disconnect(4))
	cs, err = work.ApplyBlock(Block{Height: 5, Hash: blockHash("b", 5), PrevHash: blockHash("a", 4), Txs: []*wire.MsgTx{fund}})
	require.NoError(t, err)
	sets = append(sets, cs)

	label := Label{Type: "tx", Ref: fund.TxHash().String(), Label: "salary"}
	_, err = w.SetLabel(label)
	require.NoError(t, err)
	for _, cs := range append(sets, sets[2]) {
		require.NoError(t, w.Apply(cs))
	}
	require.Equal(t, []Label{label}, w.Labels())
	got, want := w.State(), work.State()
	got.Labels = nil
	require.Equal(t, want, got)
	require.Equal(t, Balance{Confirmed: 1_000_000}, w.Balance())
	require.Len(t, w.Scripts(), 2*20+16, "receive/15 is used: 20 more receive scripts are watched")
	require.Equal(t, map[Keychain]uint32{Receive: w.Derived(Receive), Change: w.Derived(Change)}, w.State().Derived)
	require.Equal(t, uint32(36), w.Derived(Receive))
	require.Equal(t, uint32(0), w.Derived(Keychain(2)))
	require.Equal(t, work.Scripts(), w.Scripts(), "receive/15 used: the gap was extended the same way")

	other := newFixture(t)
	other.desc = "wpkh(" + other.account.String() + "/<1;0>/*)"
	ow, ocs := other.wallet(0)
	require.NotNil(t, ow)
	require.ErrorContains(t, w.Apply(ocs), "belongs to another wallet")
}
