package feeest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/coinselect"
)

// scripted answers each method from a table, keyed "method target" (or the
// method alone), and records the batches it was sent.
type scripted struct {
	answers map[string]chainsync.Response
	batches [][]chainsync.Request
	fail    error
}

func (s *scripted) CallBatch(_ context.Context, reqs []chainsync.Request) ([]chainsync.Response, error) {
	s.batches = append(s.batches, reqs)
	if s.fail != nil {
		return nil, s.fail
	}
	out := make([]chainsync.Response, len(reqs))
	for i, r := range reqs {
		key := r.Method
		if len(r.Params) > 0 && r.Method != "getmempoolinfo" {
			key = fmt.Sprintf("%s %v", r.Method, r.Params[0])
		}
		a, ok := s.answers[key]
		if !ok {
			a, ok = s.answers[r.Method]
		}
		if !ok {
			a = chainsync.Response{Error: &chainsync.RPCError{Code: -32601, Message: "Method not found"}}
		}
		out[i] = a
	}
	return out, nil
}

func ok(v string) chainsync.Response { return chainsync.Response{Result: json.RawMessage(v)} }

func rpcErr(code int, msg string) chainsync.Response {
	return chainsync.Response{Error: &chainsync.RPCError{Code: code, Message: msg}}
}

// Core's answers, in the shapes of its RPC documentation (estimatesmartfee
// feerate in BTC/kvB, getmempoolinfo fees in BTC/kvB).
var (
	coreNoData  = ok(`{"errors":["Insufficient data or no feerate found"],"blocks":0}`)
	coreMempool = ok(`{"loaded":true,"size":12,"bytes":3400,"usage":20000,"maxmempool":300000000,"mempoolminfee":0.00001000,"minrelaytxfee":0.00001000,"unbroadcastcount":0,"fullrbf":false}`)
)

func rates(e Estimates) []coinselect.FeeRate {
	out := make([]coinselect.FeeRate, len(e.Targets))
	for i, t := range e.Targets {
		out[i] = t.FeeRate
	}
	return out
}

func TestFetch(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answers  map[string]chainsync.Response
		opts     Options
		want     []coinselect.FeeRate
		source   Source
		minRelay coinselect.FeeRate
		notice   string
		batches  int
		filled   []bool
		floored  []bool
		blocks   []int
	}{
		{
			name: "Core with estimates for every target converts BTC/kvB to sat/vB",
			answers: map[string]chainsync.Response{
				"getmempoolinfo":       coreMempool,
				"estimatesmartfee 1":   ok(`{"feerate":0.00052345,"blocks":2}`),
				"estimatesmartfee 3":   ok(`{"feerate":0.00020000,"blocks":3}`),
				"estimatesmartfee 6":   ok(`{"feerate":0.00012001,"blocks":6}`),
				"estimatesmartfee 144": ok(`{"feerate":0.00001012,"blocks":144}`),
			},
			want:     []coinselect.FeeRate{52_345, 20_000, 12_001, 1_012},
			source:   FromNode,
			minRelay: 1_000,
			batches:  1,
			filled:   []bool{false, false, false, false},
			floored:  []bool{false, false, false, false},
			blocks:   []int{2, 3, 6, 144},
		},
		{
			name: "Core estimate below mempoolminfee is raised to the floor",
			answers: map[string]chainsync.Response{
				"getmempoolinfo":   ok(`{"mempoolminfee":0.00002500,"minrelaytxfee":0.00001000}`),
				"estimatesmartfee": ok(`{"feerate":0.00001000,"blocks":2}`),
			},
			opts:     Options{Targets: []int{2}},
			want:     []coinselect.FeeRate{2_500},
			source:   FromNode,
			minRelay: 2_500,
			batches:  1,
			filled:   []bool{false},
			floored:  []bool{true},
			blocks:   []int{2},
		},
		{
			name: "Core without data for some targets fills them from the nearest target",
			answers: map[string]chainsync.Response{
				"getmempoolinfo":       coreMempool,
				"estimatesmartfee 1":   coreNoData,
				"estimatesmartfee 3":   coreNoData,
				"estimatesmartfee 6":   ok(`{"feerate":0.00003000,"blocks":6}`),
				"estimatesmartfee 144": ok(`{"feerate":0.00001500,"blocks":144}`),
			},
			want:     []coinselect.FeeRate{3_000, 3_000, 3_000, 1_500},
			source:   FromNode,
			minRelay: 1_000,
			notice:   "the node has no estimate for 1, 3 block(s); the nearest target's rate is shown instead",
			batches:  1,
			filled:   []bool{true, true, false, false},
			floored:  []bool{false, false, false, false},
			blocks:   []int{6, 6, 6, 144},
		},
		{
			name:     "Core without any data (fresh regtest) falls back and says so",
			answers:  map[string]chainsync.Response{"getmempoolinfo": coreMempool, "estimatesmartfee": coreNoData},
			want:     []coinselect.FeeRate{1_000, 1_000, 1_000, 1_000},
			source:   FromFallback,
			minRelay: 1_000,
			notice:   "the node has no fee estimate yet (it needs to see more blocks); using 1 sat/vB; set a fee rate by hand",
			batches:  1,
			filled:   []bool{true, true, true, true},
			floored:  []bool{false, false, false, false},
			blocks:   []int{0, 0, 0, 0},
		},
		{
			name:     "fallback is raised to the node's floor",
			answers:  map[string]chainsync.Response{"getmempoolinfo": ok(`{"mempoolminfee":0.00005,"minrelaytxfee":0.00001}`), "estimatesmartfee": coreNoData},
			opts:     Options{Targets: []int{6}, Fallback: 2_000},
			want:     []coinselect.FeeRate{5_000},
			source:   FromFallback,
			minRelay: 5_000,
			notice:   "the node has no fee estimate yet (it needs to see more blocks); using 5 sat/vB; set a fee rate by hand",
			batches:  1,
			filled:   []bool{true},
			floored:  []bool{false},
			blocks:   []int{0},
		},
		{
			name: "btcd: estimatesmartfee unknown, estimatefee answers BTC/kB (targets capped at 25)",
			answers: map[string]chainsync.Response{
				"getmempoolinfo": ok(`{"size":3,"bytes":700}`),
				"estimatefee 1":  ok(`0.0002`),
				"estimatefee 3":  ok(`0.00015`),
				"estimatefee 6":  ok(`-1`),
				"estimatefee 25": ok(`0.00001234`),
			},
			want:    []coinselect.FeeRate{20_000, 15_000, 15_000, 1_234},
			source:  FromNode,
			notice:  "the node has no estimate for 6 block(s); the nearest target's rate is shown instead",
			batches: 2,
			filled:  []bool{false, false, true, false},
			floored: []bool{false, false, false, false},
			blocks:  []int{1, 3, 3, 25},
		},
		{
			name: "btcd with too few blocks seen: estimatefee errors, fallback",
			answers: map[string]chainsync.Response{
				"getmempoolinfo": ok(`{"size":0,"bytes":0}`),
				"estimatefee":    rpcErr(-1, "not enough blocks have been observed"),
			},
			opts:    Options{Flavour: Btcd, Targets: []int{1, 6}},
			want:    []coinselect.FeeRate{1_000, 1_000},
			source:  FromFallback,
			notice:  "the node has no fee estimate yet (it needs to see more blocks); using 1 sat/vB; set a fee rate by hand",
			batches: 2,
			filled:  []bool{true, true},
			floored: []bool{false, false},
			blocks:  []int{0, 0},
		},
		{
			name:     "manual rate overrides every target and asks only the floor",
			answers:  map[string]chainsync.Response{"getmempoolinfo": coreMempool},
			opts:     Options{Manual: 12_500, Targets: []int{1, 144}},
			want:     []coinselect.FeeRate{12_500, 12_500},
			source:   FromManual,
			minRelay: 1_000,
			batches:  1,
			filled:   []bool{true, true},
			floored:  []bool{false, false},
			blocks:   []int{0, 0},
		},
		{
			name:     "manual rate below the floor is kept with a notice",
			answers:  map[string]chainsync.Response{"getmempoolinfo": ok(`{"mempoolminfee":0.00002,"minrelaytxfee":0.00001}`)},
			opts:     Options{Manual: 1_500, Targets: []int{3}},
			want:     []coinselect.FeeRate{1_500},
			source:   FromManual,
			minRelay: 2_000,
			notice:   "the fee rate set by hand (1.5 sat/vB) is below the node's minimum relay fee (2 sat/vB): the transaction would not be relayed; raise it",
			batches:  1,
			filled:   []bool{true},
			floored:  []bool{false},
			blocks:   []int{0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &scripted{answers: tc.answers}
			e, err := Fetch(context.Background(), s, tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, rates(e))
			require.Equal(t, tc.source, e.Source)
			require.Equal(t, tc.minRelay, e.MinRelay)
			require.Equal(t, tc.notice, e.Notice)
			require.Len(t, s.batches, tc.batches)
			for i, est := range e.Targets {
				require.Equal(t, tc.filled[i], est.Filled, "target %d filled", est.Target)
				require.Equal(t, tc.floored[i], est.Floored, "target %d floored", est.Target)
				require.Equal(t, tc.blocks[i], est.Blocks, "target %d blocks", est.Target)
			}
		})
	}
}

func TestFetchSendsCoreParameters(t *testing.T) {
	s := &scripted{answers: map[string]chainsync.Response{"getmempoolinfo": coreMempool, "estimatesmartfee": coreNoData}}
	_, err := Fetch(context.Background(), s, Options{Targets: []int{2, 12}, Conservative: true})
	require.NoError(t, err)
	require.Equal(t, [][]chainsync.Request{{
		{Method: "getmempoolinfo", Params: []any{}},
		{Method: "estimatesmartfee", Params: []any{2, "conservative"}},
		{Method: "estimatesmartfee", Params: []any{12, "conservative"}},
	}}, s.batches)
}

func TestFetchTransportErrorStillGivesTheFallback(t *testing.T) {
	s := &scripted{fail: errors.New("connection refused")}
	e, err := Fetch(context.Background(), s, Options{Targets: []int{1}})
	require.ErrorContains(t, err, "asking the node for fee estimates: connection refused")
	require.Equal(t, FromFallback, e.Source)
	require.Equal(t, []coinselect.FeeRate{1_000}, rates(e))

	e, err = Fetch(context.Background(), s, Options{Targets: []int{1}, Manual: 7_000})
	require.Error(t, err)
	require.Equal(t, FromManual, e.Source)
	require.Equal(t, []coinselect.FeeRate{7_000}, rates(e))
}

func TestFetchRejectsBadOptions(t *testing.T) {
	s := &scripted{}
	for _, tc := range []struct {
		name string
		opts Options
		err  string
	}{
		{"target zero", Options{Targets: []int{0}}, "confirmation target 0 blocks is out of range: use 1 to 1008"},
		{"target past Core's limit", Options{Targets: []int{1009}}, "confirmation target 1009 blocks is out of range"},
		{"negative manual rate", Options{Manual: -1}, "fee rate out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fetch(context.Background(), s, tc.opts)
			require.ErrorContains(t, err, tc.err)
		})
	}
	_, err := Fetch(context.Background(), nil, Options{})
	require.ErrorContains(t, err, "no node to ask")
}

func TestEstimatesFor(t *testing.T) {
	e := Estimates{Targets: []Estimate{{Target: 1, FeeRate: 9_000}, {Target: 6, FeeRate: 4_000}, {Target: 144, FeeRate: 1_000}}}
	for _, tc := range []struct {
		target int
		want   coinselect.FeeRate
	}{{1, 9_000}, {2, 4_000}, {6, 4_000}, {7, 1_000}, {144, 1_000}, {1000, 1_000}} {
		require.Equal(t, tc.want, e.For(tc.target), "target %d", tc.target)
	}
	require.Equal(t, coinselect.FeeRate(0), Estimates{}.For(3))
}

// FuzzFetchAnswers feeds arbitrary node answers to the parser: it must not
// panic, and every target must get a rate within coinselect's range.
func FuzzFetchAnswers(f *testing.F) {
	f.Add(`{"feerate":0.0001,"blocks":2}`, `{"mempoolminfee":0.00001}`, `0.0002`)
	f.Add(`{"errors":["x"],"blocks":0}`, `{}`, `-1`)
	f.Add(`{"feerate":1e308}`, `{"minrelaytxfee":"x"}`, `null`)
	f.Add(`[]`, `3`, `"0.1"`)
	f.Fuzz(func(t *testing.T, smart, mempool, btcd string) {
		for _, fl := range []Flavour{Core, Btcd} {
			s := &scripted{answers: map[string]chainsync.Response{
				"getmempoolinfo": ok(mempool), "estimatesmartfee": ok(smart), "estimatefee": ok(btcd),
			}}
			e, err := Fetch(context.Background(), s, Options{Flavour: fl})
			require.NoError(t, err)
			require.Len(t, e.Targets, 4)
			for _, est := range e.Targets {
				require.Greater(t, est.FeeRate, coinselect.FeeRate(0))
				require.LessOrEqual(t, est.FeeRate, coinselect.MaxFeeRate)
			}
		}
	})
}
