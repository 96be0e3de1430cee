package btcdsync

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/shared/chainsync"
)

func TestCallerPassesRequestsAndAnswersThroughInOrder(t *testing.T) {
	var sent []regtest.Call
	c := Caller{Batch: func(_ context.Context, calls []regtest.Call) ([]regtest.Answer, error) {
		sent = calls
		return []regtest.Answer{
			{Result: json.RawMessage(`{"filter":"01","header":"02"}`)},
			{Error: &regtest.RPCError{Code: -32601, Message: "Method not found"}},
		}, nil
	}}
	got, err := c.CallBatch(context.Background(), []chainsync.Request{
		{Method: "getblockfilter", Params: []any{"aa", "basic"}},
		{Method: "nosuchmethod"},
	})
	require.NoError(t, err)
	require.Equal(t, []regtest.Call{{Method: "getblockfilter", Params: []any{"aa", "basic"}}, {Method: "nosuchmethod"}}, sent)
	require.Equal(t, []chainsync.Response{
		{Result: json.RawMessage(`{"filter":"01","header":"02"}`)},
		{Error: &chainsync.RPCError{Code: -32601, Message: "Method not found"}},
	}, got)
	require.EqualError(t, got[1].Error, "node RPC error -32601: Method not found")
}

func TestCallerReturnsTheBatchError(t *testing.T) {
	c := Caller{Batch: func(context.Context, []regtest.Call) ([]regtest.Answer, error) {
		return nil, errors.New("getblockhash: btcd answered HTTP 401, not a JSON-RPC batch")
	}}
	got, err := c.CallBatch(context.Background(), []chainsync.Request{{Method: "getblockhash", Params: []any{1}}})
	require.EqualError(t, err, "getblockhash: btcd answered HTTP 401, not a JSON-RPC batch")
	require.Nil(t, got)
}
