// Package btcdsync connects shared/chainsync to a btcd node in tests: Caller
// is a chainsync.Caller that sends the engine's JSON-RPC batches, in Bitcoin
// Core's dialect, through regtest's CoreBatch (which turns getblockfilter
// into btcd's getcfilter and getcfilterheader, BIP 157/158).
//
// shared/chainsync's own in-package tests cannot import this package (it
// imports shared/chainsync); they adapt regtest.Node.CoreBatch themselves.
package btcdsync

import (
	"context"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/shared/chainsync"
)

// Caller implements chainsync.Caller with Batch, a regtest.Node's or a
// regtest.Endpoint's CoreBatch.
type Caller struct {
	Batch func(ctx context.Context, calls []regtest.Call) ([]regtest.Answer, error)
}

// CallBatch implements chainsync.Caller: the answers come in request order.
func (c Caller) CallBatch(ctx context.Context, reqs []chainsync.Request) ([]chainsync.Response, error) {
	calls := make([]regtest.Call, len(reqs))
	for i, r := range reqs {
		calls[i] = regtest.Call(r)
	}
	answers, err := c.Batch(ctx, calls)
	if err != nil {
		return nil, err
	}
	res := make([]chainsync.Response, len(answers))
	for i, a := range answers {
		res[i] = chainsync.Response{Result: a.Result, Error: (*chainsync.RPCError)(a.Error)}
	}
	return res, nil
}
