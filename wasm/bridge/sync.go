package bridge

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/wallet"
	"github.com/specterpwa/specter/wasm/relay"
)

// NodeParams names the node reached through the relay: the relay's base URL
// (the page's origin when it served the page), the node's id on the relay,
// and the session: the CSRF token of the cookie session of the page's own
// relay (the page reads it from its cookie), or the bearer token another
// relay answered at login (it then gets no cookie or CSRF token).
type NodeParams struct {
	Relay  string `json:"relay"`
	NodeID string `json:"node_id"`
	CSRF   string `json:"csrf,omitempty"`
	Token  string `json:"token,omitempty"`
}

// SyncParams syncs a wallet with a node.
type SyncParams struct {
	ID string `json:"id"`
	NodeParams
	SkipMempool bool `json:"skip_mempool,omitempty"`
	// BatchSize is the number of blocks scanned and saved per batch
	// (chainsync.Options.BatchSize; 0 means 1000).
	BatchSize int `json:"batch_size,omitempty"`
}

// SyncResult sums up a sync and gives the new balance.
type SyncResult struct {
	Tip         chainsync.Tip  `json:"tip"`
	Scanned     int            `json:"scanned"`
	Matched     int            `json:"matched"`
	UsedFilters bool           `json:"used_filters"`
	Reorg       bool           `json:"reorg"`
	ForkHeight  int32          `json:"fork_height,omitempty"`
	Balance     wallet.Balance `json:"balance"`
	// ClearedPSBTs counts the pending PSBTs the sync found broadcast or
	// double-spent, deleted with their coin locks
	// (manager.ClearStalePSBTs).
	ClearedPSBTs int `json:"cleared_psbts"`
}

// SyncProgress is the data of a "sync.progress" event, sent after each batch
// of blocks (chainsync.Progress; eta in nanoseconds, eta_seconds for people).
type SyncProgress struct {
	WalletID string `json:"wallet_id"`
	chainsync.Progress
	ETASeconds float64 `json:"eta_seconds"`
}

// BroadcastParams sends a transaction: a finalized PSBT or the raw
// transaction in hex.
type BroadcastParams struct {
	NodeParams
	PSBT  string `json:"psbt,omitempty"`
	TxHex string `json:"tx_hex,omitempty"`
}

// BroadcastResult is the txid the node accepted.
type BroadcastResult struct {
	TxID string `json:"txid"`
}

type syncer struct {
	transport relay.Transport
	registry  *Registry
	src       EngineSource // for the config's fee source (fees.estimate)

	mu      sync.Mutex
	mempool map[string]*chainsync.MempoolCache // by wallet id
	running map[string]*runningSync            // by wallet id
	turns   map[string]chan struct{}           // by wallet id: one sync at a time
}

// turn waits until no other sync of the wallet runs (syncs of one wallet
// take turns: each scans from where the last one saved), or ctx ends; the
// returned function ends the turn.
func (s *syncer) turn(ctx context.Context, id string) (func(), error) {
	s.mu.Lock()
	ch := s.turns[id]
	if ch == nil {
		ch = make(chan struct{}, 1)
		s.turns[id] = ch
	}
	s.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// runningSync is a wallets.sync call in progress, cancellable by
// wallets.cancelSync.
type runningSync struct{ cancel context.CancelFunc }

// CancelSyncResult tells whether a sync of the wallet was running.
type CancelSyncResult struct {
	Cancelled bool `json:"cancelled"`
}

// cancelSync cancels the running sync of a wallet, if any: it ends with
// code "cancelled" and keeps the batches saved so far.
func (s *syncer) cancelSync(_ context.Context, p IDParams) (CancelSyncResult, error) {
	if p.ID == "" {
		return CancelSyncResult{}, WithCode(errors.New("no wallet id"), CodeBadParams, `give {"id": ...} of the wallet`)
	}
	s.mu.Lock()
	run := s.running[p.ID]
	s.mu.Unlock()
	if run != nil {
		run.cancel()
	}
	return CancelSyncResult{Cancelled: run != nil}, nil
}

// track makes ctx cancellable by wallets.cancelSync for the wallet.
func (s *syncer) track(ctx context.Context, id string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	run := &runningSync{cancel: cancel}
	s.mu.Lock()
	s.running[id] = run
	s.mu.Unlock()
	return ctx, func() {
		s.mu.Lock()
		if s.running[id] == run {
			delete(s.running, id)
		}
		s.mu.Unlock()
		cancel()
	}
}

func (s *syncer) caller(p NodeParams) (*relay.Caller, error) {
	c, err := relay.New(p.Relay, p.NodeID, p.CSRF, s.transport)
	if err != nil {
		return nil, WithCode(err, CodeBadParams, "give the relay's address and the id of one of its nodes")
	}
	return c.WithToken(p.Token), nil
}

func (s *syncer) cache(id string) *chainsync.MempoolCache {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mempool[id]
	if c == nil {
		c = &chainsync.MempoolCache{}
		s.mempool[id] = c
	}
	return c
}

// RegisterNode adds the methods that reach the user's node through the
// relay: wallets.sync (BIP158 filters or blocks, then the mempool, with
// chainsync) and wallets.cancelSync, tx.broadcast and fees.estimate. t nil means
// relay.DefaultTransport() (fetch in the browser).
func RegisterNode(r *Registry, src EngineSource, t relay.Transport) {
	s := &syncer{transport: t, registry: r, src: src, mempool: map[string]*chainsync.MempoolCache{}, running: map[string]*runningSync{}, turns: map[string]chan struct{}{}}
	stateful(r, src, "wallets.sync", "brings a wallet up to the node's tip through the relay (block filters, blocks, mempool), saving each batch", s.sync)
	Register(r, "wallets.cancelSync", "cancels the running sync of a wallet (the batches saved so far are kept)", s.cancelSync)
	Register(r, "tx.broadcast", "sends a finalized PSBT or a raw transaction to the node through the relay", s.broadcast)
	Register(r, "fees.estimate", "asks the node, or the mempool.space-compatible server of the fee source setting (through the relay), for fee rates per confirmation target (with a relay floor and a fallback)", s.fees)
}

func (s *syncer) sync(ctx context.Context, e *manager.Engine, p SyncParams) (SyncResult, error) {
	c, err := s.caller(p.NodeParams)
	if err != nil {
		return SyncResult{}, err
	}
	if p.BatchSize < 0 {
		return SyncResult{}, WithCode(fmt.Errorf("batch size %d is negative", p.BatchSize), CodeBadParams, "leave batch_size out (1000 blocks) or give a positive number")
	}
	var (
		out     SyncResult
		from    int32 = -1 // the wallet's tip before the sync
		saved   int32 = -1 // the last saved batch's end
		tip     int32 = -1
		saveErr error
	)
	endTurn, err := s.turn(ctx, p.ID)
	if err != nil {
		return SyncResult{}, syncCancelled(-1, -1)
	}
	defer endTurn()
	ctx, done := s.track(ctx, p.ID)
	defer done()
	// A failed save stops the scan through scanCtx.
	scanCtx, stop := context.WithCancel(ctx)
	defer stop()
	err = e.UpdateInSteps(ctx, p.ID, func(w *wallet.Wallet, save func(wallet.ChangeSet) error) error {
		if cp, ok := w.Tip(); ok {
			from = cp.Height
		}
		saved = from
		// chainsync persists every applied block and each batch's
		// checkpoint; they are gathered and stored once per batch, when
		// the batch's progress is reported.
		var pending wallet.ChangeSet
		persist := func(cs wallet.ChangeSet) error {
			pending.Merge(cs)
			return nil
		}
		progress := func(pr chainsync.Progress) {
			tip = pr.TipHeight
			if saveErr == nil && !pending.IsEmpty() {
				if err := save(pending); err != nil {
					saveErr = err
					stop()
				} else if pr.Stage == "blocks" {
					saved = pr.Height
				}
				pending = wallet.ChangeSet{}
			}
			s.registry.Emit("sync.progress", SyncProgress{WalletID: p.ID, Progress: pr, ETASeconds: pr.ETA.Seconds()})
		}
		res, err := chainsync.Sync(scanCtx, w, &chainsync.RPCSource{Caller: c}, chainsync.Options{SkipMempool: p.SkipMempool,
			Mempool: s.cache(p.ID), Progress: progress, Persist: persist, BatchSize: p.BatchSize})
		if res.Tip.Height > 0 {
			tip = res.Tip.Height
		}
		if saveErr != nil {
			return saveErr
		}
		if err != nil {
			return err
		}
		if err := save(pending); err != nil {
			return err
		}
		out = SyncResult{Tip: res.Tip, Scanned: res.Scanned, Matched: res.Matched, UsedFilters: res.UsedFilters,
			Reorg: res.Reorg, ForkHeight: res.ForkHeight}
		return nil
	})
	if err == nil {
		err = s.clearStale(ctx, e, p.ID, &out)
	}
	if err == nil {
		// The balance of the wallet everyone reads: it has the sync's
		// blocks and whatever was locked or frozen while it ran.
		err = e.View(p.ID, func(w *wallet.Wallet) error { out.Balance = w.Balance(); return nil })
	}
	if err != nil {
		if ctx.Err() != nil {
			return SyncResult{}, syncCancelled(saved, tip)
		}
		var me *manager.Error
		if errors.As(err, &me) {
			return SyncResult{}, err
		}
		return SyncResult{}, WithHint(fmt.Errorf("the sync stopped: %w", err), "check the relay and node status, then sync again: it resumes where it stopped")
	}
	return out, nil
}

// syncCancelled is the error of a sync cancelled by the caller: the blocks
// up to saved are kept and the next sync goes on after them.
func syncCancelled(saved, tip int32) error {
	msg := fmt.Sprintf("sync cancelled at block %d of %d; the blocks up to %d are saved", saved, tip, saved)
	if saved < 0 {
		msg = fmt.Sprintf("sync cancelled before its first batch (the node's tip is block %d); nothing was saved", tip)
		if tip < 0 {
			msg = "sync cancelled before the node answered; nothing was saved"
		}
	}
	return WithCode(errors.New(msg), CodeCancelled, "sync again to go on from there")
}

func (s *syncer) broadcast(ctx context.Context, p BroadcastParams) (BroadcastResult, error) {
	txHex := strings.TrimSpace(p.TxHex)
	switch {
	case p.PSBT != "" && txHex != "":
		return BroadcastResult{}, WithCode(errors.New("give either a PSBT or a transaction"), CodeBadParams, `set "psbt" or "tx_hex"`)
	case p.PSBT != "":
		pk, err := decodePSBT(p.PSBT)
		if err != nil {
			return BroadcastResult{}, err
		}
		if _, err := psbt.Finalize(pk); err != nil {
			return BroadcastResult{}, WithHint(err, "the PSBT is malformed; ask the signer for a fresh export")
		}
		if !psbt.IsComplete(pk) {
			return BroadcastResult{}, WithHint(errors.New("the PSBT is not fully signed"), "collect the missing signatures first")
		}
		tx, err := psbt.Extract(pk)
		if err != nil {
			return BroadcastResult{}, WithHint(err, "the signatures do not make a valid transaction; do not broadcast it")
		}
		var b strings.Builder
		if err := tx.Serialize(hexWriter{&b}); err != nil {
			return BroadcastResult{}, err
		}
		txHex = b.String()
	case txHex == "":
		return BroadcastResult{}, WithCode(errors.New("nothing to broadcast"), CodeBadParams, `set "psbt" or "tx_hex"`)
	default:
		if _, err := hex.DecodeString(txHex); err != nil {
			return BroadcastResult{}, WithCode(fmt.Errorf("the transaction is not hex: %w", err), CodeBadParams, "give the raw transaction in hex")
		}
	}
	c, err := s.caller(p.NodeParams)
	if err != nil {
		return BroadcastResult{}, err
	}
	res, err := c.CallBatch(ctx, []chainsync.Request{{Method: "sendrawtransaction", Params: []any{txHex}}})
	if err != nil {
		return BroadcastResult{}, WithHint(fmt.Errorf("the transaction was not sent: %w", err), "check the relay and node status and try again")
	}
	if res[0].Error != nil {
		return BroadcastResult{}, WithHint(fmt.Errorf("the node refused the transaction: %w", res[0].Error), "the coins may be spent already or the fee too low; sync the wallet and check the transaction")
	}
	var txid string
	if err := json.Unmarshal(res[0].Result, &txid); err != nil {
		return BroadcastResult{}, fmt.Errorf("the node's answer to sendrawtransaction is not a txid: %.80q", res[0].Result)
	}
	return BroadcastResult{TxID: txid}, nil
}

// clearStale drops the pending PSBTs the finished sync made stale (their
// transaction seen, or their coins spent by another) and their coin locks.
func (s *syncer) clearStale(ctx context.Context, e *manager.Engine, walletID string, out *SyncResult) error {
	cleared, err := e.ClearStalePSBTs(ctx, walletID)
	out.ClearedPSBTs = len(cleared)
	return err
}
