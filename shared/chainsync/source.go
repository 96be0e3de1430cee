// Package chainsync brings a wallet.Wallet up to date with a node, without
// any node wallet: it reads BIP158 compact block filters from the wallet's
// last checkpoint (or birthday), fetches only the blocks whose filter
// matches the wallet's scripts, falls back to scanning every block when the
// node has no filter index, detects reorgs against the wallet's checkpoint
// chain, and finishes with a mempool pass. It talks to the node through the
// ChainSource interface (batched calls); RPCSource implements it over a
// JSON-RPC batch Caller in Bitcoin Core's dialect. The package does no I/O
// of its own and builds for js/wasm.
package chainsync

import (
	"context"
	"errors"
)

// Tip is the node's best block.
type Tip struct {
	Height int32  `json:"height"`
	Hash   string `json:"hash"`
}

// BlockFilter is a BIP158 basic filter in the shape of Bitcoin Core's
// getblockfilter answer: the serialised filter (N as CompactSize, then the
// Golomb-coded set) and the filter header, both hex, the header in RPC
// (reversed) byte order.
type BlockFilter struct {
	Filter string `json:"filter"`
	Header string `json:"header"`
}

// ErrNoFilters is returned (wrapped) by ChainSource.BlockFilters when the
// node keeps no BIP158 filter index (Core without blockfilterindex=1); the
// sync then scans every block instead.
var ErrNoFilters = errors.New("the node has no BIP158 block filter index")

// ChainSource answers the sync's questions about the node's chain. Every
// method takes a batch and answers in the same order; implementations
// should make one round trip per call where the transport allows.
type ChainSource interface {
	// Tip returns the best block's height and hash.
	Tip(ctx context.Context) (Tip, error)
	// BlockHashes returns the hash (RPC hex) of the block at each height.
	BlockHashes(ctx context.Context, heights []int32) ([]string, error)
	// BlockFilters returns the BIP158 basic filter of each block, or an
	// error wrapping ErrNoFilters.
	BlockFilters(ctx context.Context, hashes []string) ([]BlockFilter, error)
	// Blocks returns each block serialised, in hex (getblock verbosity 0).
	Blocks(ctx context.Context, hashes []string) ([]string, error)
	// Mempool returns the txids in the node's mempool.
	Mempool(ctx context.Context) ([]string, error)
	// RawTransactions returns each transaction serialised, in hex; an empty
	// string for one that is no longer known (it left the mempool).
	RawTransactions(ctx context.Context, txids []string) ([]string, error)
}
