package chainsync

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
)

// Request is one JSON-RPC call of a batch (Bitcoin Core's JSON-RPC dialect).
type Request struct {
	Method string `json:"method"`
	Params []any  `json:"params"`
}

// RPCError is a JSON-RPC error object.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error formats the node's error code and message.
func (e *RPCError) Error() string { return fmt.Sprintf("node RPC error %d: %s", e.Code, e.Message) }

// Response is the answer to one Request: Result, or Error.
type Response struct {
	Result json.RawMessage `json:"result"`
	Error  *RPCError       `json:"error"`
}

// Caller sends a batch of JSON-RPC requests in one round trip and returns
// the responses in request order. The relay's proxy client implements it in
// the browser; tests implement it over HTTP.
type Caller interface {
	CallBatch(ctx context.Context, reqs []Request) ([]Response, error)
}

// Bitcoin Core's error codes the adapter recognises.
const (
	rpcMethodNotFound   = -32601
	rpcMiscError        = -1
	rpcInvalidAddrOrKey = -5 // "No such mempool or blockchain transaction"
)

// RPCSource is a ChainSource over a Caller speaking Bitcoin Core's RPC:
// getblockcount, getbestblockhash, getblockhash, getblockfilter (basic),
// getblock (verbosity 0), getrawmempool and getrawtransaction.
type RPCSource struct {
	// Caller sends the batches.
	Caller Caller
	// MaxBatch caps the requests per round trip (default 500).
	MaxBatch int
	// MaxBlockBatch caps the blocks fetched per round trip (default 10;
	// a block is up to 8 MB of hex).
	MaxBlockBatch int

	calls, batches atomic.Int64
}

// Stats returns how many JSON-RPC requests and round trips the source made.
func (s *RPCSource) Stats() (requests, roundTrips int64) { return s.calls.Load(), s.batches.Load() }

func (s *RPCSource) call(ctx context.Context, reqs []Request, max int) ([]Response, error) {
	out := make([]Response, 0, len(reqs))
	for start := 0; start < len(reqs); start += max {
		end := min(start+max, len(reqs))
		s.batches.Add(1)
		s.calls.Add(int64(end - start))
		res, err := s.Caller.CallBatch(ctx, reqs[start:end])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", reqs[start].Method, err)
		}
		if len(res) != end-start {
			return nil, fmt.Errorf("%s: the node answered %d of %d batched requests", reqs[start].Method, len(res), end-start)
		}
		out = append(out, res...)
	}
	return out, nil
}

func (s *RPCSource) batchSize() int {
	if s.MaxBatch > 0 {
		return s.MaxBatch
	}
	return 500
}

func decode[T any](r Response, what string) (T, error) {
	var v T
	if r.Error != nil {
		return v, fmt.Errorf("%s: %w", what, r.Error)
	}
	if err := json.Unmarshal(r.Result, &v); err != nil {
		return v, fmt.Errorf("%s: unexpected answer %.100q: %w", what, r.Result, err)
	}
	return v, nil
}

// Tip asks getblockcount and getbestblockhash in one batch.
func (s *RPCSource) Tip(ctx context.Context) (Tip, error) {
	res, err := s.call(ctx, []Request{{Method: "getblockcount", Params: []any{}}, {Method: "getbestblockhash", Params: []any{}}}, 2)
	if err != nil {
		return Tip{}, err
	}
	h, err := decode[int32](res[0], "getblockcount")
	if err != nil {
		return Tip{}, err
	}
	hash, err := decode[string](res[1], "getbestblockhash")
	if err != nil {
		return Tip{}, err
	}
	return Tip{Height: h, Hash: hash}, nil
}

// BlockHashes batches getblockhash.
func (s *RPCSource) BlockHashes(ctx context.Context, heights []int32) ([]string, error) {
	reqs := make([]Request, len(heights))
	for i, h := range heights {
		reqs[i] = Request{Method: "getblockhash", Params: []any{h}}
	}
	res, err := s.call(ctx, reqs, s.batchSize())
	if err != nil {
		return nil, err
	}
	out := make([]string, len(res))
	for i, r := range res {
		if out[i], err = decode[string](r, fmt.Sprintf("getblockhash %d", heights[i])); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BlockFilters batches getblockfilter HASH "basic".
func (s *RPCSource) BlockFilters(ctx context.Context, hashes []string) ([]BlockFilter, error) {
	reqs := make([]Request, len(hashes))
	for i, h := range hashes {
		reqs[i] = Request{Method: "getblockfilter", Params: []any{h, "basic"}}
	}
	res, err := s.call(ctx, reqs, s.batchSize())
	if err != nil {
		return nil, err
	}
	out := make([]BlockFilter, len(res))
	for i, r := range res {
		if e := r.Error; e != nil && (e.Code == rpcMethodNotFound ||
			e.Code == rpcMiscError && strings.Contains(strings.ToLower(e.Message), "index is not enabled")) {
			return nil, fmt.Errorf("getblockfilter: %w (%s)", ErrNoFilters, e.Message)
		}
		if out[i], err = decode[BlockFilter](r, "getblockfilter "+hashes[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Blocks batches getblock HASH 0.
func (s *RPCSource) Blocks(ctx context.Context, hashes []string) ([]string, error) {
	reqs := make([]Request, len(hashes))
	for i, h := range hashes {
		reqs[i] = Request{Method: "getblock", Params: []any{h, 0}}
	}
	max := s.MaxBlockBatch
	if max <= 0 {
		max = 10
	}
	res, err := s.call(ctx, reqs, max)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(res))
	for i, r := range res {
		if out[i], err = decode[string](r, "getblock "+hashes[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Mempool calls getrawmempool.
func (s *RPCSource) Mempool(ctx context.Context) ([]string, error) {
	res, err := s.call(ctx, []Request{{Method: "getrawmempool", Params: []any{}}}, 1)
	if err != nil {
		return nil, err
	}
	return decode[[]string](res[0], "getrawmempool")
}

// RawTransactions batches getrawtransaction TXID 0; a transaction the node
// no longer knows (error -5) comes back as "".
func (s *RPCSource) RawTransactions(ctx context.Context, txids []string) ([]string, error) {
	reqs := make([]Request, len(txids))
	for i, id := range txids {
		reqs[i] = Request{Method: "getrawtransaction", Params: []any{id, 0}}
	}
	res, err := s.call(ctx, reqs, s.batchSize())
	if err != nil {
		return nil, err
	}
	out := make([]string, len(res))
	for i, r := range res {
		if r.Error != nil && r.Error.Code == rpcInvalidAddrOrKey {
			continue
		}
		if out[i], err = decode[string](r, "getrawtransaction "+txids[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var _ ChainSource = (*RPCSource)(nil)
