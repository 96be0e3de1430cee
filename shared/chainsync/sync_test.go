package chainsync

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/wallet"
)

var fixedNow = func() time.Time { return time.Unix(1800000000, 0) }

// scenario is a 30-block chain (0..29) with payments that a gap limit of 5
// finds only by extending the watched scripts as they are used:
//
//	 3: receive/4  1000
//	12: receive/13 4000 (before receive/8 in the block: found on re-check)
//	12: receive/8  2000 (watched only once receive/4 is used)
//	14: receive/17 32000 (watched only after block 12: the batch is matched again)
//	15: change/2   8000
//	16: spends receive/4's coin: 900 out, 100 fee
//	20: receive/30 16000 (past the gap: never found)
type scenario struct {
	chain *memChain
	keys  *keyring
	txs   map[string]*wire.MsgTx
}

func newScenario(t testing.TB) *scenario {
	k := newKeyring(t)
	c := newMemChain(t)
	s := &scenario{chain: c, keys: k, txs: map[string]*wire.MsgTx{}}
	s.txs["r4"] = pay(1, k.script(wallet.Receive, 4), 1000)
	s.txs["r13"] = pay(2, k.script(wallet.Receive, 13), 4000)
	s.txs["r8"] = pay(3, k.script(wallet.Receive, 8), 2000)
	s.txs["r17"] = pay(4, k.script(wallet.Receive, 17), 32000)
	s.txs["c2"] = pay(5, k.script(wallet.Change, 2), 8000)
	spend := wire.NewMsgTx(2)
	spend.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: s.txs["r4"].TxHash(), Index: 0}, nil, nil))
	spend.AddTxOut(wire.NewTxOut(900, externalScript))
	s.txs["spend"] = spend
	s.txs["r30"] = pay(6, k.script(wallet.Receive, 30), 16000)
	for h := int32(1); h <= 29; h++ {
		switch h {
		case 3:
			c.mine(t, s.txs["r4"])
		case 12:
			c.mine(t, s.txs["r13"], s.txs["r8"])
		case 14:
			c.mine(t, s.txs["r17"])
		case 15:
			c.mine(t, s.txs["c2"])
		case 16:
			c.mine(t, s.txs["spend"])
		case 20:
			c.mine(t, s.txs["r30"])
		default:
			c.mine(t)
		}
	}
	return s
}

func statusOf(w *wallet.Wallet, tx *wire.MsgTx) wallet.TxStatus {
	for _, d := range w.Transactions(1000) {
		if d.Txid == tx.TxHash().String() {
			return d.Status
		}
	}
	return ""
}

func TestSyncWithFiltersFindsPaymentsPastTheFirstGapAndFetchesOnlyMatchingBlocks(t *testing.T) {
	s := newScenario(t)
	w := s.keys.wallet(5, 0)
	src := &RPCSource{Caller: s.chain}
	var reports []Progress
	res, err := Sync(context.Background(), w, src, Options{BatchSize: 10, Now: fixedNow, Progress: func(p Progress) { reports = append(reports, p) }})
	require.NoError(t, err)
	require.True(t, res.UsedFilters)
	require.False(t, res.Reorg)
	require.Equal(t, 30, res.Scanned)
	require.Equal(t, 5, res.Matched, "blocks 3, 12, 14, 15 and 16")
	require.Equal(t, Tip{Height: 29, Hash: s.chain.blocks[29].BlockHash().String()}, res.Tip)
	require.Equal(t, wallet.Balance{Confirmed: 4000 + 2000 + 32000 + 8000}, w.Balance())
	require.Equal(t, wallet.StatusConfirmed, statusOf(w, s.txs["spend"]))
	require.False(t, w.HasTx(s.txs["r30"].TxHash().String()), "receive/30 is past the gap limit")
	require.Len(t, w.UTXOs(), 4)
	var heights []int32
	for _, cp := range w.Checkpoints() {
		heights = append(heights, cp.Height)
	}
	require.Equal(t, []int32{29, 19, 16, 15, 14, 12, 9, 3}, heights)

	// Progress: one report per batch, then the mempool pass.
	require.Len(t, reports, 4)
	require.Equal(t, Progress{Stage: "blocks", Scanned: 10, Total: 30, Height: 9, TipHeight: 29, Matched: 1}, reports[0])
	require.Equal(t, 30, reports[2].Scanned)
	require.Equal(t, "mempool", reports[3].Stage)

	// A second sync has nothing to do but check the tip.
	before := s.chain.requests
	res, err = Sync(context.Background(), w, src, Options{BatchSize: 10, Now: fixedNow})
	require.NoError(t, err)
	require.Equal(t, 0, res.Scanned)
	require.True(t, res.Changes.IsEmpty(), "%+v", res.Changes)
	require.Equal(t, 4, s.chain.requests-before, "tip (2), checkpoint hash (1), mempool (1)")
	reqs, trips := src.Stats()
	require.Positive(t, reqs)
	require.Positive(t, trips)
}

func TestSyncWithoutFilterIndexScansEveryBlockWithTheSameResult(t *testing.T) {
	s := newScenario(t)
	withFilters := s.keys.wallet(5, 0)
	_, err := Sync(context.Background(), withFilters, &RPCSource{Caller: s.chain}, Options{BatchSize: 10, Now: fixedNow})
	require.NoError(t, err)

	s.chain.noFilters = true
	_, err = Sync(context.Background(), s.keys.wallet(5, 0), &RPCSource{Caller: s.chain}, Options{Mode: Filters, Now: fixedNow})
	require.ErrorIs(t, err, ErrNoFilters)

	for _, mode := range []Mode{Auto, Scan} {
		w := s.keys.wallet(5, 0)
		res, err := Sync(context.Background(), w, &RPCSource{Caller: s.chain}, Options{Mode: mode, BatchSize: 10, Now: fixedNow})
		require.NoError(t, err)
		require.False(t, res.UsedFilters)
		require.Equal(t, 30, res.Matched, "every block downloaded")
		require.Equal(t, withFilters.Balance(), w.Balance())
		require.Equal(t, withFilters.UTXOs(), w.UTXOs())
		require.Equal(t, withFilters.Transactions(29), w.Transactions(29))
	}
}

func TestSyncBirthdaySkipsEarlierBlocks(t *testing.T) {
	s := newScenario(t)
	w := s.keys.wallet(20, 13)
	res, err := Sync(context.Background(), w, &RPCSource{Caller: s.chain}, Options{BatchSize: 10, Now: fixedNow})
	require.NoError(t, err)
	require.Equal(t, 17, res.Scanned)
	// Blocks 3 and 12 are before the birthday; the spend of receive/4's
	// coin is seen (its prevout script matches) but pays nothing back.
	require.Equal(t, wallet.Balance{Confirmed: 32000 + 8000 + 16000}, w.Balance())
}

func TestSyncUndoesA15BlockReorg(t *testing.T) {
	s := newScenario(t)
	w := s.keys.wallet(5, 0)
	src := &RPCSource{Caller: s.chain}
	_, err := Sync(context.Background(), w, src, Options{BatchSize: 10, Now: fixedNow})
	require.NoError(t, err)
	require.Equal(t, int64(46000), w.Balance().Total())

	// The node switches to a longer chain from height 15 where the change
	// payment never happens and the spend confirms at 17.
	s.chain.truncate(15)
	for h := int32(15); h <= 31; h++ {
		if h == 17 {
			s.chain.mine(t, s.txs["spend"])
		} else {
			s.chain.mine(t)
		}
	}
	res, err := Sync(context.Background(), w, src, Options{BatchSize: 10, Now: fixedNow})
	require.NoError(t, err)
	require.True(t, res.Reorg)
	require.Equal(t, int32(14), res.ForkHeight)
	require.Equal(t, 17, res.Scanned, "15..31 rescanned")
	require.Equal(t, wallet.Balance{Confirmed: 4000 + 2000 + 32000}, w.Balance())
	require.Equal(t, wallet.StatusDropped, statusOf(w, s.txs["c2"]), "disconnected and missing from the mempool")
	for _, d := range w.Transactions(31) {
		if d.Txid == s.txs["spend"].TxHash().String() {
			require.Equal(t, int32(17), d.Height)
			require.Equal(t, s.chain.blocks[17].BlockHash().String(), d.BlockHash)
			require.Equal(t, int32(15), d.Confirmations)
		}
	}
	tip, _ := w.Tip()
	require.Equal(t, wallet.Checkpoint{Height: 31, Hash: s.chain.blocks[31].BlockHash().String()}, tip)
}

func TestSyncMempoolPassSeesUnconfirmedThenConfirmed(t *testing.T) {
	s := newScenario(t)
	w := s.keys.wallet(5, 0)
	src := &RPCSource{Caller: s.chain}
	in := pay(9, s.keys.script(wallet.Receive, 1), 500)
	s.chain.mempool = append(s.chain.mempool, in, pay(10, externalScript, 1))
	_, err := Sync(context.Background(), w, src, Options{BatchSize: 10, Now: fixedNow})
	require.NoError(t, err)
	require.Equal(t, int64(500), w.Balance().UntrustedPending)
	require.Equal(t, wallet.StatusPending, statusOf(w, in))
	require.Equal(t, 1, len(w.PendingTxids()), "the stranger's transaction is not kept")

	// With a cache, a stranger's mempool transaction is downloaded once.
	cache := &MempoolCache{}
	_, err = Sync(context.Background(), w, src, Options{BatchSize: 10, Now: fixedNow, Mempool: cache})
	require.NoError(t, err)
	require.Equal(t, map[string]bool{s.chain.mempool[1].TxHash().String(): true}, cache.irrelevant)
	before := s.chain.requests
	_, err = Sync(context.Background(), w, src, Options{BatchSize: 10, Now: fixedNow, Mempool: cache})
	require.NoError(t, err)
	require.Equal(t, 4, s.chain.requests-before, "tip (2), checkpoint (1), getrawmempool (1): no getrawtransaction")

	s.chain.mine(t, in)
	_, err = Sync(context.Background(), w, src, Options{BatchSize: 10, Now: fixedNow, Mempool: cache})
	require.NoError(t, err)
	require.Equal(t, wallet.Balance{Confirmed: 46500}, w.Balance())
	require.Equal(t, map[string]bool{s.chain.mempool[0].TxHash().String(): true}, cache.irrelevant, "still in the mempool")
}

func TestSyncResumesAfterCancelWithTheSameStateAsOneRun(t *testing.T) {
	s := newScenario(t)
	s.chain.mempool = append(s.chain.mempool, pay(9, s.keys.script(wallet.Change, 0), 700))
	src := &RPCSource{Caller: s.chain}
	oneRun := s.keys.wallet(5, 0)
	_, err := Sync(context.Background(), oneRun, src, Options{BatchSize: 10, Now: fixedNow})
	require.NoError(t, err)

	// The interrupted run: a store keeps every change set; the sync is
	// cancelled after its first batch, as a reload would.
	w, first, err := wallet.New(wallet.Params{Receive: s.keys.descriptor(), Network: "regtest", GapLimit: 5})
	require.NoError(t, err)
	stored := first
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Sync(ctx, w, src, Options{BatchSize: 10, Now: fixedNow,
		Persist:  func(cs wallet.ChangeSet) error { stored.Merge(cs); return nil },
		Progress: func(Progress) { cancel() }})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "sync cancelled at height 9")
	require.Equal(t, 10, res.Scanned)

	resumed, err := wallet.FromChangeSet(stored)
	require.NoError(t, err)
	tip, _ := resumed.Tip()
	require.Equal(t, int32(9), tip.Height)
	res, err = Sync(context.Background(), resumed, src, Options{BatchSize: 10, Now: fixedNow})
	require.NoError(t, err)
	require.Equal(t, 20, res.Scanned, "resumed at height 10")
	require.Equal(t, oneRun.State(), resumed.State())
	require.Equal(t, wallet.Balance{Confirmed: 46000, TrustedPending: 0, UntrustedPending: 700}, resumed.Balance())
}

func TestSyncRejectsFiltersThatBreakTheirHeaderChain(t *testing.T) {
	s := newScenario(t)
	s.chain.badHeader = 5
	_, err := Sync(context.Background(), s.keys.wallet(5, 0), &RPCSource{Caller: s.chain}, Options{Now: fixedNow})
	require.ErrorContains(t, err, "block filter of height 5 does not match its filter header chain")
}

type failingCaller struct{}

func (failingCaller) CallBatch(context.Context, []Request) ([]Response, error) {
	return nil, errors.New("connection refused")
}

func TestSyncReportsTransportErrors(t *testing.T) {
	k := newKeyring(t)
	_, err := Sync(context.Background(), k.wallet(5, 0), &RPCSource{Caller: failingCaller{}}, Options{})
	require.EqualError(t, err, "asking the node for its tip: getblockcount: connection refused")
}

func TestSyncStartsOverWhenTheNodeReorganisesDuringTheScan(t *testing.T) {
	s := newScenario(t)
	w := s.keys.wallet(5, 0)
	reorged := false
	res, err := Sync(context.Background(), w, &RPCSource{Caller: s.chain}, Options{BatchSize: 10, Now: fixedNow,
		Progress: func(p Progress) {
			if reorged || p.Height != 9 {
				return
			}
			// After the first batch the node drops blocks 2..29: the payment
			// at 3 vanishes from the chain; the rest is mined again.
			reorged = true
			s.chain.truncate(2)
			for h := int32(2); h <= 29; h++ {
				switch h {
				case 12:
					s.chain.mine(t, s.txs["r13"], s.txs["r8"])
				default:
					s.chain.mine(t)
				}
			}
		}})
	require.NoError(t, err)
	require.True(t, reorged)
	require.True(t, res.Reorg)
	require.Equal(t, int32(-1), res.ForkHeight, "checkpoints 3 and 9 both left the chain: rescan from the birthday")
	// Receive/4's payment left the chain, but scripts once watched stay
	// watched (as in BDK), so receive/8 and receive/13 are still found.
	require.Equal(t, wallet.Balance{Confirmed: 6000}, w.Balance())
	require.Equal(t, wallet.StatusDropped, statusOf(w, s.txs["r4"]))
	tip, _ := w.Tip()
	require.Equal(t, s.chain.hashes[29], tip.Hash)
}

func TestSyncProgressReportsRateAndTimeLeft(t *testing.T) {
	s := newScenario(t)
	clock := time.Unix(1800000000, 0)
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	var reports []Progress
	_, err := Sync(context.Background(), s.keys.wallet(5, 0), &RPCSource{Caller: s.chain}, Options{BatchSize: 10, Now: now, SkipMempool: true,
		Progress: func(p Progress) { reports = append(reports, p) }})
	require.NoError(t, err)
	require.Len(t, reports, 3)
	// Start at t+1s; the first report at t+2s: 10 blocks in 1 s, 20 left.
	require.Equal(t, Progress{Stage: "blocks", Scanned: 10, Total: 30, Height: 9, TipHeight: 29, Matched: 1, Rate: 10, ETA: 2 * time.Second}, reports[0])
	require.Equal(t, Progress{Stage: "blocks", Scanned: 30, Total: 30, Height: 29, TipHeight: 29, Matched: 5, Rate: 10, ETA: 0}, reports[2])
}

// hostileCaller answers getblock and getrawtransaction with fuzz data.
type hostileCaller struct {
	*memChain
	data string
}

func (h hostileCaller) CallBatch(ctx context.Context, reqs []Request) ([]Response, error) {
	res, err := h.memChain.CallBatch(ctx, reqs)
	if err != nil {
		return nil, err
	}
	for i, r := range reqs {
		if r.Method == "getblock" || r.Method == "getrawtransaction" {
			res[i] = ok(h.data)
		}
	}
	return res, nil
}

// FuzzSyncWithHostileNode: whatever a node sends as blocks and mempool
// transactions, the sync fails with an error or succeeds; it never panics.
func FuzzSyncWithHostileNode(f *testing.F) {
	s := newScenario(f)
	s.chain.mempool = append(s.chain.mempool, pay(9, externalScript, 1))
	f.Add(rawHex(s.chain.blocks[3]))
	f.Add(rawHex(s.txs["r4"]))
	f.Add("00")
	f.Add("zz")
	desc := s.keys.descriptor()
	f.Fuzz(func(t *testing.T, data string) {
		w, _, err := wallet.New(wallet.Params{Receive: desc, Network: "regtest", GapLimit: 5})
		require.NoError(t, err)
		_, _ = Sync(context.Background(), w, &RPCSource{Caller: hostileCaller{s.chain, data}}, Options{BatchSize: 10, Now: fixedNow})
	})
}
