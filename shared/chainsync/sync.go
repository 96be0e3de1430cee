package chainsync

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/shared/wallet"
)

// Mode chooses how blocks are found.
type Mode int

const (
	// Auto uses BIP158 filters and falls back to scanning every block when
	// the node has no filter index.
	Auto Mode = iota
	// Filters uses BIP158 filters only and fails without a filter index.
	Filters
	// Scan downloads every block (no filter index needed).
	Scan
)

// Progress is reported after each batch of blocks.
type Progress struct {
	// Stage is "blocks" while scanning and "mempool" for the mempool pass.
	Stage string `json:"stage"`
	// Scanned and Total count blocks of this sync.
	Scanned int `json:"scanned"`
	Total   int `json:"total"`
	// Height is the last block scanned; TipHeight the node's tip.
	Height    int32 `json:"height"`
	TipHeight int32 `json:"tip_height"`
	// Matched counts the blocks downloaded because their filter matched.
	Matched int `json:"matched"`
	// Rate is blocks scanned per second so far; ETA the time left at it.
	Rate float64       `json:"rate"`
	ETA  time.Duration `json:"eta"`
}

// Options tune a sync. The zero value syncs with filters where available.
type Options struct {
	Mode Mode
	// BatchSize is the number of block hashes and filters asked per batch
	// (default 1000). Batches end at multiples of BatchSize, so an
	// interrupted sync resumes on the same boundaries.
	BatchSize int
	// SkipMempool leaves out the mempool pass.
	SkipMempool bool
	// Now gives the time mempool sightings are stamped with (default
	// time.Now).
	Now func() time.Time
	// Progress, when set, is called after each batch.
	Progress func(Progress)
	// Mempool, when set, remembers the mempool transactions found not to
	// concern the wallet, so that the next sync does not download them
	// again. Keep one per wallet between syncs.
	Mempool *MempoolCache
	// Persist, when set, receives each step's change set before the sync
	// goes on; an error stops the sync. A store that appends them can
	// resume an interrupted sync with wallet.FromChangeSet.
	Persist func(wallet.ChangeSet) error
}

// MempoolCache holds txids of mempool transactions that do not concern a
// wallet. The zero value is ready to use. It forgets everything when the
// wallet's scripts change (a new script could make one relevant).
type MempoolCache struct {
	scripts    int
	irrelevant map[string]bool
}

// Result sums up a sync.
type Result struct {
	// Changes is the merge of every change set the sync produced.
	Changes wallet.ChangeSet
	Tip     Tip
	// Scanned is the number of blocks checked, Matched the number
	// downloaded and applied because they concern the wallet (or, without
	// filters, every block downloaded).
	Scanned, Matched int
	// UsedFilters is false when the sync scanned whole blocks.
	UsedFilters bool
	// Reorg is true when checkpoints disagreed with the node; the blocks
	// above ForkHeight were disconnected.
	Reorg      bool
	ForkHeight int32
}

type syncer struct {
	w      *wallet.Wallet
	src    ChainSource
	opts   Options
	res    *Result
	start  time.Time
	total  int
	failed error
}

// maxRestarts bounds the restarts when the node reorganises during a sync.
const maxRestarts = 3

// Sync brings w up to the node's tip: reorg check against the checkpoints,
// BIP158 filters (or every block) from the last checkpoint or the
// birthday, and the mempool. It stops at ctx's cancellation with the
// changes made so far (every applied block is persisted first), from which
// a later Sync resumes.
func Sync(ctx context.Context, w *wallet.Wallet, src ChainSource, opts Options) (Result, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	res := Result{UsedFilters: opts.Mode != Scan, ForkHeight: -1}
	s := &syncer{w: w, src: src, opts: opts, res: &res, start: opts.Now()}
	var err error
	for range maxRestarts {
		err = s.blocks(ctx)
		if !errors.Is(err, wallet.ErrReorg) {
			break
		}
	}
	if err == nil && !opts.SkipMempool {
		err = s.mempool(ctx)
	}
	return res, err
}

// keep merges a change set into the result and persists it.
func (s *syncer) keep(cs wallet.ChangeSet) error {
	if cs.IsEmpty() {
		return nil
	}
	s.res.Changes.Merge(cs)
	if s.opts.Persist != nil {
		if err := s.opts.Persist(cs); err != nil {
			return fmt.Errorf("saving the sync's progress: %w", err)
		}
	}
	return nil
}

// forkPoint compares the wallet's checkpoints with the node's chain and
// disconnects what the node no longer has. It returns the first height to
// scan.
func (s *syncer) forkPoint(ctx context.Context, tip Tip) (int32, error) {
	birthday := s.w.Params().Birthday
	cps := s.w.Checkpoints()
	if len(cps) == 0 {
		return birthday, nil
	}
	// The tip alone first (the usual case: no reorg), then 50 at a time.
	fork := int32(-1)
	found := false
	for i, chunk := 0, 1; i < len(cps) && !found; i, chunk = i+chunk, 50 {
		part := cps[i:min(i+chunk, len(cps))]
		var heights []int32
		for _, cp := range part {
			if cp.Height <= tip.Height {
				heights = append(heights, cp.Height)
			}
		}
		if len(heights) == 0 {
			continue
		}
		hashes, err := s.src.BlockHashes(ctx, heights)
		if err != nil {
			return 0, fmt.Errorf("checking the wallet's checkpoints against the node: %w", err)
		}
		if len(hashes) != len(heights) {
			return 0, fmt.Errorf("the node sent %d block hashes for %d heights", len(hashes), len(heights))
		}
		byHeight := make(map[int32]string, len(heights))
		for j, h := range heights {
			byHeight[h] = hashes[j]
		}
		for _, cp := range part {
			if byHeight[cp.Height] == cp.Hash {
				fork, found = cp.Height, true
				break
			}
		}
	}
	if fork == cps[0].Height {
		return max(fork+1, birthday), nil
	}
	s.res.Reorg, s.res.ForkHeight = true, fork
	if err := s.keep(s.w.Disconnect(fork)); err != nil {
		return 0, err
	}
	return max(fork+1, birthday), nil
}

func (s *syncer) blocks(ctx context.Context) error {
	tip, err := s.src.Tip(ctx)
	if err != nil {
		return fmt.Errorf("asking the node for its tip: %w", err)
	}
	s.res.Tip = tip
	from, err := s.forkPoint(ctx, tip)
	if err != nil {
		return err
	}
	s.total = s.res.Scanned + int(max(0, tip.Height-from+1))
	var prevHeader string
	for from <= tip.Height {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sync cancelled at height %d: %w", from-1, err)
		}
		b := int32(s.opts.BatchSize)
		to := min((from/b+1)*b-1, tip.Height)
		heights := make([]int32, 0, to-from+2)
		if from > 0 {
			heights = append(heights, from-1)
		}
		for h := from; h <= to; h++ {
			heights = append(heights, h)
		}
		hashes, err := s.src.BlockHashes(ctx, heights)
		if err != nil {
			return fmt.Errorf("asking block hashes %d-%d: %w", from, to, err)
		}
		if len(hashes) != len(heights) {
			return fmt.Errorf("the node sent %d block hashes for %d heights", len(hashes), len(heights))
		}
		prev := ""
		if from > 0 {
			prev, hashes = hashes[0], hashes[1:]
		}
		// The node may reorganise while we scan: the batch must build on
		// what the wallet already holds, or the sync starts over from the
		// fork point.
		if cp, ok := s.w.CheckpointAt(from - 1); ok && cp != prev {
			return fmt.Errorf("the node's block %d changed during the sync (%s, was %s): %w", from-1, prev, cp, wallet.ErrReorg)
		}
		if s.res.UsedFilters {
			prevHeader, err = s.filterBatch(ctx, from, prev, hashes, prevHeader)
			if errors.Is(err, ErrNoFilters) && s.opts.Mode == Auto {
				s.res.UsedFilters = false
				continue // the same batch again, by scanning
			}
		} else {
			err = s.scanBatch(ctx, from, prev, hashes)
		}
		if err != nil {
			return err
		}
		// A checkpoint at the batch's end makes the scan resumable there.
		if cp, ok := s.w.Tip(); !ok || cp.Height < to {
			before := prev
			if len(hashes) > 1 {
				before = hashes[len(hashes)-2]
			}
			cs, err := s.w.ApplyBlock(wallet.Block{Height: to, Hash: hashes[len(hashes)-1], PrevHash: before})
			if err != nil {
				return err
			}
			if err := s.keep(cs); err != nil {
				return err
			}
		}
		s.res.Scanned += int(to - from + 1)
		s.report("blocks", to, tip.Height)
		from = to + 1
	}
	return nil
}

func (s *syncer) report(stage string, height, tip int32) {
	if s.opts.Progress == nil {
		return
	}
	p := Progress{Stage: stage, Scanned: s.res.Scanned, Total: s.total, Height: height, TipHeight: tip, Matched: s.res.Matched}
	if el := s.opts.Now().Sub(s.start).Seconds(); el > 0 {
		p.Rate = float64(p.Scanned) / el
		if p.Rate > 0 {
			p.ETA = time.Duration(float64(p.Total-p.Scanned) / p.Rate * float64(time.Second))
		}
	}
	s.opts.Progress(p)
}

// filterBatch matches the batch's filters against the wallet's scripts and
// applies the matching blocks in height order. When a block reveals new
// scripts (gap limit), the rest of the batch is matched again with them.
// It returns the last filter header for the next batch's chain check.
func (s *syncer) filterBatch(ctx context.Context, from int32, prev string, hashes []string, prevHeader string) (string, error) {
	raw, err := s.src.BlockFilters(ctx, hashes)
	if err != nil {
		return "", fmt.Errorf("asking block filters %d-%d: %w", from, from+int32(len(hashes))-1, err)
	}
	if len(raw) != len(hashes) {
		return "", fmt.Errorf("the node sent %d block filters for %d blocks", len(raw), len(hashes))
	}
	filters := make([]*Filter, len(raw))
	for i, r := range raw {
		if filters[i], err = ParseFilter(hashes[i], r.Filter); err != nil {
			return "", err
		}
		// Each header commits to the previous one (BIP157): a node that
		// serves filters inconsistent with their headers is caught.
		if prevHeader != "" {
			want, err := filters[i].Header(prevHeader)
			if err != nil {
				return "", err
			}
			if want != r.Header {
				return "", fmt.Errorf("the block filter of height %d does not match its filter header chain (got header %s, computed %s): the node's filter index is inconsistent", from+int32(i), r.Header, want)
			}
		}
		prevHeader = r.Header
	}
	scripts := s.w.Scripts()
	known := make(map[string]bool, len(scripts))
	for _, sc := range scripts {
		known[string(sc)] = true
	}
	matched := make([]bool, len(hashes))
	for j := range hashes {
		if matched[j], err = filters[j].MatchAny(scripts); err != nil {
			return "", fmt.Errorf("block %d: %w", from+int32(j), err)
		}
	}
	fetched := map[int]string{}
	for j := range hashes {
		if !matched[j] {
			continue
		}
		if _, ok := fetched[j]; !ok {
			if err := s.prefetch(ctx, hashes, matched, j, fetched); err != nil {
				return "", err
			}
		}
		count := s.w.ScriptCount()
		if err := s.applyRaw(from+int32(j), hashes[j], fetched[j]); err != nil {
			return "", err
		}
		delete(fetched, j)
		s.res.Matched++
		if s.w.ScriptCount() == count {
			continue
		}
		// The block revealed new scripts (gap limit): match the rest of
		// the batch against them only; earlier matches stay valid.
		var fresh [][]byte
		for _, sc := range s.w.Scripts() {
			if !known[string(sc)] {
				known[string(sc)] = true
				fresh = append(fresh, sc)
			}
		}
		for k := j + 1; k < len(hashes); k++ {
			if matched[k] {
				continue
			}
			if matched[k], err = filters[k].MatchAny(fresh); err != nil {
				return "", fmt.Errorf("block %d: %w", from+int32(k), err)
			}
		}
	}
	return prevHeader, nil
}

// prefetchBlocks bounds the matched blocks held in memory ahead of the one
// being applied.
const prefetchBlocks = 20

// prefetch downloads, in one call, the next matched blocks from index j on.
func (s *syncer) prefetch(ctx context.Context, hashes []string, matched []bool, j int, fetched map[int]string) error {
	var ask []string
	var idx []int
	for k := j; k < len(hashes) && len(ask) < prefetchBlocks; k++ {
		if _, ok := fetched[k]; matched[k] && !ok {
			ask = append(ask, hashes[k])
			idx = append(idx, k)
		}
	}
	blocks, err := s.src.Blocks(ctx, ask)
	if err != nil {
		return fmt.Errorf("downloading %d matching blocks: %w", len(ask), err)
	}
	if len(blocks) != len(ask) {
		return fmt.Errorf("the node sent %d of %d blocks", len(blocks), len(ask))
	}
	for n, k := range idx {
		fetched[k] = blocks[n]
	}
	return nil
}

// scanBatch downloads every block of the batch and applies those with a
// wallet transaction.
func (s *syncer) scanBatch(ctx context.Context, from int32, prev string, hashes []string) error {
	const chunk = 10
	for i := 0; i < len(hashes); i += chunk {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sync cancelled at height %d: %w", from+int32(i)-1, err)
		}
		part := hashes[i:min(i+chunk, len(hashes))]
		blocks, err := s.src.Blocks(ctx, part)
		if err != nil {
			return fmt.Errorf("downloading blocks %d-%d: %w", from+int32(i), from+int32(i+len(part))-1, err)
		}
		if len(blocks) != len(part) {
			return fmt.Errorf("the node sent %d of %d blocks", len(blocks), len(part))
		}
		for k, raw := range blocks {
			s.res.Matched++
			if err := s.applyRaw(from+int32(i+k), part[k], raw); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyRaw decodes a block, checks it is the block asked for, and applies
// it when one of its transactions concerns the wallet.
func (s *syncer) applyRaw(height int32, hash, rawHex string) error {
	raw, err := hex.DecodeString(rawHex)
	if err != nil {
		return fmt.Errorf("the node sent block %s not in hex", hash)
	}
	var blk wire.MsgBlock
	if err := blk.Deserialize(bytes.NewReader(raw)); err != nil {
		return fmt.Errorf("the node sent block %s that does not decode: %w", hash, err)
	}
	if got := blk.BlockHash().String(); got != hash {
		return fmt.Errorf("the node sent block %s when %s at height %d was asked", got, hash, height)
	}
	relevant := false
	for _, tx := range blk.Transactions {
		if s.w.IsRelevant(tx) {
			relevant = true
			break
		}
	}
	if !relevant {
		return nil
	}
	cs, err := s.w.ApplyBlock(wallet.Block{
		Height: height, Hash: hash, PrevHash: blk.Header.PrevBlock.String(),
		Time: blk.Header.Timestamp.Unix(), Txs: blk.Transactions,
	})
	if err != nil {
		return err
	}
	return s.keep(cs)
}

// mempool applies the wallet's transactions found in the node's mempool
// and marks pending ones missing from it as evicted.
func (s *syncer) mempool(ctx context.Context) error {
	txids, err := s.src.Mempool(ctx)
	if err != nil {
		return fmt.Errorf("asking the node's mempool: %w", err)
	}
	cache := s.opts.Mempool
	if cache != nil && (cache.irrelevant == nil || cache.scripts != s.w.ScriptCount()) {
		cache.irrelevant, cache.scripts = map[string]bool{}, s.w.ScriptCount()
	}
	var txs []*wire.MsgTx
	var unknown []string
	for _, id := range txids {
		if tx, ok := s.w.Tx(id); ok {
			txs = append(txs, tx)
		} else if cache == nil || !cache.irrelevant[id] {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		raws, err := s.src.RawTransactions(ctx, unknown)
		if err != nil {
			return fmt.Errorf("downloading %d mempool transactions: %w", len(unknown), err)
		}
		if len(raws) != len(unknown) {
			return fmt.Errorf("the node sent %d of %d mempool transactions", len(raws), len(unknown))
		}
		for i, r := range raws {
			if r == "" {
				continue // left the mempool meanwhile
			}
			b, err := hex.DecodeString(r)
			if err != nil {
				return fmt.Errorf("the node sent mempool transaction %s not in hex", unknown[i])
			}
			tx := new(wire.MsgTx)
			if err := tx.Deserialize(bytes.NewReader(b)); err != nil {
				return fmt.Errorf("mempool transaction %s does not decode: %w", unknown[i], err)
			}
			txs = append(txs, tx)
		}
	}
	now := s.opts.Now()
	cs, err := s.w.ApplyMempool(txs, now)
	if err != nil {
		return err
	}
	if err := s.keep(cs); err != nil {
		return err
	}
	in := make(map[string]bool, len(txids))
	for _, id := range txids {
		in[id] = true
	}
	if cache != nil {
		for id := range cache.irrelevant {
			if !in[id] {
				delete(cache.irrelevant, id) // left the mempool
			}
		}
		if cache.scripts == s.w.ScriptCount() {
			for _, tx := range txs {
				if id := tx.TxHash().String(); !s.w.HasTx(id) {
					cache.irrelevant[id] = true
				}
			}
		} else {
			cache.irrelevant, cache.scripts = map[string]bool{}, s.w.ScriptCount()
		}
	}
	var gone []string
	for _, id := range s.w.PendingTxids() {
		if !in[id] {
			gone = append(gone, id)
		}
	}
	if err := s.keep(s.w.ApplyEvicted(gone, now)); err != nil {
		return err
	}
	s.report("mempool", s.res.Tip.Height, s.res.Tip.Height)
	return nil
}
