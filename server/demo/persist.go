package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/server/internal/atomicfile"
	"github.com/specterpwa/specter/server/nodes"
)

// btcd deletes its regtest block database at every start (btcd's
// removeRegressionDB), so the demo keeps the chain itself: every block in
// blocks.hex (one serialized block in hex per line, line i is height i+1),
// submitted again after btcd starts, which restores the same chain with the
// same block hashes; and the mempool in mempool.hex at shutdown, sent again
// after the blocks.
const (
	blocksFile  = "blocks.hex"
	mempoolFile = "mempool.hex"
	// rpcBatch is the number of requests per JSON-RPC batch when saving
	// and restoring.
	rpcBatch = 100
)

// batch sends one JSON-RPC batch of calls with the same method and returns
// the results in order; an error object in any answer fails the batch.
func (d *Demo) batch(ctx context.Context, method string, params [][]any) ([]json.RawMessage, error) {
	type req struct {
		JSONRPC string `json:"jsonrpc"`
		ID      int    `json:"id"`
		Method  string `json:"method"`
		Params  []any  `json:"params"`
	}
	out := make([]json.RawMessage, 0, len(params))
	for start := 0; start < len(params); start += rpcBatch {
		end := min(start+rpcBatch, len(params))
		reqs := make([]req, 0, end-start)
		for i, p := range params[start:end] {
			reqs = append(reqs, req{"1.0", i, method, p})
		}
		body, err := json.Marshal(reqs)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", method, err)
		}
		_, raw, err := d.client.Post(ctx, body)
		if err != nil {
			return nil, fmt.Errorf("demo node %s: %w", method, err)
		}
		var got []struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *nodes.RPCError `json:"error"`
		}
		if err := json.Unmarshal(raw, &got); err != nil {
			return nil, fmt.Errorf("demo node %s answered %.100q: %w", method, raw, err)
		}
		if len(got) != end-start {
			return nil, fmt.Errorf("demo node %s: %d answers to %d requests", method, len(got), end-start)
		}
		res := make([]json.RawMessage, end-start)
		for _, g := range got {
			if g.ID < 0 || g.ID >= len(res) {
				return nil, fmt.Errorf("demo node %s: answer id %d out of range", method, g.ID)
			}
			if g.Error != nil {
				return nil, fmt.Errorf("demo node %s: %w", method, g.Error)
			}
			res[g.ID] = g.Result
		}
		out = append(out, res...)
	}
	return out, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}

// restoreChain submits the saved blocks to the freshly started btcd.
func (d *Demo) restoreChain(ctx context.Context) error {
	path := filepath.Join(d.dir, blocksFile)
	blocks, err := readLines(path)
	if err != nil {
		return fmt.Errorf("reading the saved demo chain: %w", err)
	}
	var height int32
	if err := d.call(ctx, &height, "getblockcount"); err != nil {
		return err
	}
	if int(height) < len(blocks) {
		params := make([][]any, 0, len(blocks)-int(height))
		for _, b := range blocks[height:] {
			params = append(params, []any{b})
		}
		res, err := d.batch(ctx, "submitblock", params)
		if err != nil {
			return fmt.Errorf("restoring the saved demo chain: %w", err)
		}
		for i, r := range res {
			if s := strings.TrimSpace(string(r)); s != "null" && s != "" {
				return fmt.Errorf("restoring the saved demo chain: block %d was refused (%s): remove %s to start a fresh demo chain", int(height)+i+1, s, d.dir)
			}
		}
		if err := d.call(ctx, &height, "getblockcount"); err != nil {
			return err
		}
		if int(height) != len(blocks) {
			return fmt.Errorf("restoring the saved demo chain: the node is at height %d after %d saved blocks: remove %s to start a fresh demo chain", height, len(blocks), d.dir)
		}
		d.log.Info("demo: restored the saved regtest chain", "height", height)
	}
	d.saved, d.loaded = len(blocks), true
	if len(blocks) > 0 {
		if d.lastHash, err = blockHash(blocks[len(blocks)-1]); err != nil {
			return fmt.Errorf("the saved demo chain's last block: %w", err)
		}
	}
	return nil
}

// blockHash is the hash of a serialized block in hex (of its 80-byte header).
func blockHash(blockHex string) (string, error) {
	if len(blockHex) < 160 {
		return "", errors.New("a block shorter than its header")
	}
	raw, err := hex.DecodeString(blockHex[:160])
	if err != nil {
		return "", fmt.Errorf("a block that is not hex: %w", err)
	}
	var h wire.BlockHeader
	if err := h.Deserialize(bytes.NewReader(raw)); err != nil {
		return "", err
	}
	return h.BlockHash().String(), nil
}

// restoreMempool sends the saved mempool transactions again, in passes
// until none more is accepted (a child saved before its parent is accepted
// in a later pass). Transactions the chain now refuses are dropped.
func (d *Demo) restoreMempool(ctx context.Context) error {
	path := filepath.Join(d.dir, mempoolFile)
	txs, err := readLines(path)
	if err != nil {
		return fmt.Errorf("reading the saved demo mempool: %w", err)
	}
	for len(txs) > 0 {
		var left []string
		for _, tx := range txs {
			if err := d.call(ctx, nil, "sendrawtransaction", tx); err != nil {
				if !isRPCError(err) {
					return err
				}
				left = append(left, tx)
			}
		}
		if len(left) == len(txs) {
			break
		}
		txs = left
	}
	return nil
}

// SaveChain appends the blocks mined since the last save to blocks.hex
// (synced to disk), so a restart restores them. When the last saved block
// is no longer on the node's chain (a reorg, by invalidateblock), it writes
// the whole chain again.
func (d *Demo) SaveChain(ctx context.Context) error {
	d.saveMu.Lock()
	defer d.saveMu.Unlock()
	if !d.loaded {
		return errors.New("the demo chain is not restored yet: nothing is saved")
	}
	var height int32
	if err := d.call(ctx, &height, "getblockcount"); err != nil {
		return err
	}
	rewrite := false
	if d.saved > 0 && int(height) >= d.saved {
		var hash string
		if err := d.call(ctx, &hash, "getblockhash", d.saved); err != nil {
			return err
		}
		rewrite = hash != d.lastHash
	} else if d.saved > 0 {
		rewrite = true
	}
	if rewrite {
		d.log.Info("demo: the chain was reorganised; saving it again from the start")
		d.saved = 0
	}
	if int(height) <= d.saved {
		return nil
	}
	params := make([][]any, 0, int(height)-d.saved)
	for h := d.saved + 1; h <= int(height); h++ {
		params = append(params, []any{h})
	}
	hashes, err := d.batch(ctx, "getblockhash", params)
	if err != nil {
		return err
	}
	for i, h := range hashes {
		var hash string
		if err := json.Unmarshal(h, &hash); err != nil {
			return fmt.Errorf("demo node getblockhash answered %.100q: %w", h, err)
		}
		params[i] = []any{hash, 0}
	}
	raws, err := d.batch(ctx, "getblock", params)
	if err != nil {
		return err
	}
	var b strings.Builder
	last := ""
	for i, r := range raws {
		var hexBlock string
		if err := json.Unmarshal(r, &hexBlock); err != nil {
			return fmt.Errorf("demo node getblock answered %.100q: %w", r, err)
		}
		b.WriteString(hexBlock)
		b.WriteByte('\n')
		if i == len(raws)-1 {
			last = params[i][0].(string)
		}
	}
	path := filepath.Join(d.dir, blocksFile)
	if d.saved == 0 {
		if err := atomicfile.Write(path, []byte(b.String()), 0o600); err != nil {
			return fmt.Errorf("saving the demo chain: %w", err)
		}
		d.saved, d.lastHash = int(height), last
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("saving the demo chain: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("saving the demo chain: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("saving the demo chain: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("saving the demo chain: %w", err)
	}
	d.saved, d.lastHash = int(height), last
	return nil
}

// saveMempool writes the mempool's transactions to mempool.hex.
func (d *Demo) saveMempool(ctx context.Context) error {
	var txids []string
	if err := d.call(ctx, &txids, "getrawmempool"); err != nil {
		return err
	}
	params := make([][]any, len(txids))
	for i, id := range txids {
		params[i] = []any{id, 0}
	}
	raws, err := d.batch(ctx, "getrawtransaction", params)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, r := range raws {
		var tx string
		if err := json.Unmarshal(r, &tx); err != nil {
			return fmt.Errorf("demo node getrawtransaction answered %.100q: %w", r, err)
		}
		b.WriteString(tx)
		b.WriteByte('\n')
	}
	if err := atomicfile.Write(filepath.Join(d.dir, mempoolFile), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("saving the demo mempool: %w", err)
	}
	return nil
}
