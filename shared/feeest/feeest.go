// Package feeest asks the node for fee estimates, for the send screen: Bitcoin
// Core's estimatesmartfee (feerate in BTC/kvB for a confirmation target) or
// btcd's estimatefee (BTC/kB), the minimum relay fee floor from
// getmempoolinfo (mempoolminfee, minrelaytxfee), a manual sat/vB override,
// and a clear fallback when the node has no estimate yet.
//
// It talks to the node through chainsync.Caller (one JSON-RPC batch per
// question), does no I/O of its own and builds for js/wasm. Fee rates are
// coinselect.FeeRate values (sat/kvB integers, shown in sat/vB), so they go
// straight into coin selection.
package feeest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/coinselect"
)

// defaultTargets are the confirmation targets (in blocks) asked by default:
// next block, about 30 minutes, about an hour, about a day.
var defaultTargets = []int{1, 3, 6, 144}

// DefaultTargets returns the confirmation targets asked when Options.Targets
// is empty: 1, 3, 6 and 144 blocks.
func DefaultTargets() []int { return append([]int(nil), defaultTargets...) }

// DefaultFallback is the fee rate used when the node has no estimate and no
// manual rate is set: 1 sat/vB, Bitcoin Core's default minimum relay fee
// (DEFAULT_MIN_RELAY_TX_FEE), raised to the node's floor when it has one.
const DefaultFallback = coinselect.FeeRate(1000)

// btcdMaxTarget is the longest target btcd's estimatefee answers
// (estimateFeeDepth in btcd's mempool/estimatefee.go).
const btcdMaxTarget = 25

// maxTarget is Core's longest confirmation target (estimatesmartfee).
const maxTarget = 1008

// Flavour says which RPC dialect to ask in.
type Flavour int

const (
	// Auto asks estimatesmartfee and, if the node does not know the
	// method (btcd), estimatefee.
	Auto Flavour = iota
	// Core asks estimatesmartfee only (Bitcoin Core, or the relay, which
	// translates it for btcd).
	Core
	// Btcd asks estimatefee only (btcd without the relay's translation).
	Btcd
)

// Source says where the fee rates of an Estimates come from.
type Source string

const (
	// FromNode: the node's estimates.
	FromNode Source = "node"
	// FromManual: the rate the user set by hand (Options.Manual).
	FromManual Source = "manual"
	// FromFallback: the node has no estimate; Options.Fallback is used.
	FromFallback Source = "fallback"
)

// Options tune Fetch.
type Options struct {
	// Targets are the confirmation targets in blocks (1 to 1008); empty
	// means DefaultTargets.
	Targets []int
	// Flavour picks the RPC dialect; Auto by default.
	Flavour Flavour
	// Manual, when above zero, is the fee rate the user set by hand: every
	// target gets it, and the node is asked only for its relay floor.
	Manual coinselect.FeeRate
	// Fallback is used when the node has no estimate; zero means
	// DefaultFallback.
	Fallback coinselect.FeeRate
	// Conservative asks estimatesmartfee's "conservative" mode instead of
	// "economical" (Core's default since v28; the engine's transactions
	// signal BIP125, so a low estimate can be bumped later).
	Conservative bool
}

// resolve checks opts and fills in the defaults: the targets (DefaultTargets
// when empty) and the fallback rate (DefaultFallback when zero).
func (opts Options) resolve() (targets []int, fallback coinselect.FeeRate, err error) {
	targets = opts.Targets
	if len(targets) == 0 {
		targets = DefaultTargets()
	}
	for _, t := range targets {
		if t < 1 || t > maxTarget {
			return nil, 0, fmt.Errorf("confirmation target %d blocks is out of range: use 1 to %d", t, maxTarget)
		}
	}
	fallback = opts.Fallback
	if fallback == 0 {
		fallback = DefaultFallback
	}
	if fallback < 0 || fallback > coinselect.MaxFeeRate || opts.Manual < 0 || opts.Manual > coinselect.MaxFeeRate {
		return nil, 0, fmt.Errorf("fee rate out of range: give 0 to %s", coinselect.MaxFeeRate)
	}
	return targets, fallback, nil
}

// Estimate is the fee rate for one confirmation target.
type Estimate struct {
	// Target is the confirmation target asked, in blocks.
	Target int `json:"target"`
	// FeeRate is the rate to pay (sat/kvB; String shows sat/vB).
	FeeRate coinselect.FeeRate `json:"fee_rate"`
	// Blocks is the target the node's estimate is actually for (Core may
	// answer for a nearby target); 0 when it is not the node's.
	Blocks int `json:"blocks"`
	// Filled is true when the node had no estimate for this target and the
	// nearest target's estimate, the manual rate or the fallback was used.
	Filled bool `json:"filled"`
	// Floored is true when the node's estimate was below its minimum relay
	// fee and was raised to it.
	Floored bool `json:"floored"`
}

// Estimates are the fee rates for the send screen.
type Estimates struct {
	// Targets holds one Estimate per target asked, in the order asked.
	Targets []Estimate `json:"targets"`
	// MinRelay is the node's floor: the higher of getmempoolinfo's
	// mempoolminfee and minrelaytxfee; 0 when the node does not say
	// (btcd).
	MinRelay coinselect.FeeRate `json:"min_relay"`
	// Source says whether the rates are the node's, the user's or the
	// fallback.
	Source Source `json:"source"`
	// Notice is a sentence for the user when the rates are not the node's
	// (fallback) or something about them needs attention.
	Notice string `json:"notice,omitempty"`
}

// For returns the fee rate of the shortest target asked that is at least
// target blocks (or the longest target asked when target is beyond them).
func (e Estimates) For(target int) coinselect.FeeRate {
	best := -1
	for i, t := range e.Targets {
		if t.Target >= target && (best < 0 || t.Target < e.Targets[best].Target) {
			best = i
		}
	}
	if best < 0 {
		for i, t := range e.Targets {
			if best < 0 || t.Target > e.Targets[best].Target {
				best = i
			}
		}
	}
	if best < 0 {
		return 0
	}
	return e.Targets[best].FeeRate
}

// btcPerKvBToRate converts a fee rate in BTC per 1000 vbytes (Core's and
// btcd's RPC unit) into sat/kvB, rounding to the nearest satoshi.
func btcPerKvBToRate(btc float64) (coinselect.FeeRate, bool) {
	if math.IsNaN(btc) || math.IsInf(btc, 0) || btc <= 0 {
		return 0, false
	}
	r := coinselect.FeeRate(math.Round(btc * 1e8))
	if r <= 0 || r > coinselect.MaxFeeRate {
		return 0, false
	}
	return r, true
}

// smartFee is Core's estimatesmartfee answer.
type smartFee struct {
	FeeRate *float64 `json:"feerate"`
	Errors  []string `json:"errors"`
	Blocks  int      `json:"blocks"`
}

// mempoolInfo is the part of getmempoolinfo that sets the relay floor
// (Core only; btcd answers size and bytes).
type mempoolInfo struct {
	MempoolMinFee *float64 `json:"mempoolminfee"`
	MinRelayTxFee *float64 `json:"minrelaytxfee"`
}

const rpcMethodNotFound = -32601

// Fetch asks the node for an estimate per target and for its relay floor in
// one batch (two when Auto must fall back to btcd's estimatefee) and returns
// the rates to offer. A target the node cannot estimate (Core's "errors",
// btcd's -1 or error) takes the nearest target's estimate; when none has
// one, every target gets the fallback rate and Notice says so. Estimates are
// raised to the relay floor. With a manual rate every target gets it.
//
// On a transport error the returned Estimates still hold the manual or
// fallback rate (Source and Notice say which), so the send screen can go on,
// and the error says what failed.
func Fetch(ctx context.Context, c chainsync.Caller, opts Options) (Estimates, error) {
	targets, fallback, err := opts.resolve()
	if err != nil {
		return Estimates{}, err
	}
	if c == nil {
		return Estimates{}, errors.New("no node to ask for fee estimates: connect a node or set a fee rate by hand")
	}

	reqs := []chainsync.Request{{Method: "getmempoolinfo", Params: []any{}}}
	if opts.Manual == 0 && opts.Flavour != Btcd {
		reqs = append(reqs, smartRequests(targets, opts.Conservative)...)
	}
	res, err := c.CallBatch(ctx, reqs)
	if err == nil && len(res) != len(reqs) {
		err = fmt.Errorf("the node answered %d of %d requests", len(res), len(reqs))
	}
	if err != nil {
		return failed(targets, opts.Manual, fallback), fmt.Errorf("asking the node for fee estimates: %w", err)
	}
	var e Estimates
	e.MinRelay = floorOf(res[0])
	rates := make([]*Estimate, len(targets))
	switch {
	case opts.Manual > 0:
	case opts.Flavour == Btcd || methodMissing(res[1:]):
		btcd, err := askBtcd(ctx, c, targets)
		if err != nil {
			return failed(targets, opts.Manual, fallback), err
		}
		rates = btcd
	default:
		for i, r := range res[1:] {
			rates[i] = parseSmart(targets[i], r)
		}
	}
	return finish(e, targets, rates, opts.Manual, fallback), nil
}

func smartRequests(targets []int, conservative bool) []chainsync.Request {
	mode := "economical"
	if conservative {
		mode = "conservative"
	}
	out := make([]chainsync.Request, len(targets))
	for i, t := range targets {
		out[i] = chainsync.Request{Method: "estimatesmartfee", Params: []any{t, mode}}
	}
	return out
}

func methodMissing(res []chainsync.Response) bool {
	for _, r := range res {
		if r.Error != nil && r.Error.Code == rpcMethodNotFound {
			return true
		}
	}
	return false
}

func parseSmart(target int, r chainsync.Response) *Estimate {
	if r.Error != nil {
		return nil
	}
	var sf smartFee
	if json.Unmarshal(r.Result, &sf) != nil || sf.FeeRate == nil {
		return nil
	}
	rate, ok := btcPerKvBToRate(*sf.FeeRate)
	if !ok {
		return nil
	}
	blocks := sf.Blocks
	if blocks <= 0 {
		blocks = target
	}
	return &Estimate{Target: target, FeeRate: rate, Blocks: blocks}
}

// askBtcd asks btcd's estimatefee for each target (at most 25 blocks).
func askBtcd(ctx context.Context, c chainsync.Caller, targets []int) ([]*Estimate, error) {
	reqs := make([]chainsync.Request, len(targets))
	for i, t := range targets {
		reqs[i] = chainsync.Request{Method: "estimatefee", Params: []any{min(t, btcdMaxTarget)}}
	}
	res, err := c.CallBatch(ctx, reqs)
	if err == nil && len(res) != len(reqs) {
		err = fmt.Errorf("the node answered %d of %d requests", len(res), len(reqs))
	}
	if err != nil {
		return nil, fmt.Errorf("asking the node for fee estimates (estimatefee): %w", err)
	}
	out := make([]*Estimate, len(targets))
	for i, r := range res {
		var btc float64
		if r.Error != nil || json.Unmarshal(r.Result, &btc) != nil {
			continue
		}
		if rate, ok := btcPerKvBToRate(btc); ok {
			out[i] = &Estimate{Target: targets[i], FeeRate: rate, Blocks: min(targets[i], btcdMaxTarget)}
		}
	}
	return out, nil
}

func floorOf(r chainsync.Response) coinselect.FeeRate {
	if r.Error != nil {
		return 0
	}
	var mi mempoolInfo
	if json.Unmarshal(r.Result, &mi) != nil {
		return 0
	}
	var floor coinselect.FeeRate
	for _, v := range []*float64{mi.MempoolMinFee, mi.MinRelayTxFee} {
		if v == nil {
			continue
		}
		if rate, ok := btcPerKvBToRate(*v); ok && rate > floor {
			floor = rate
		}
	}
	return floor
}

// failed is what Fetch returns with a transport error: the manual rate or
// the fallback for every target.
func failed(targets []int, manual, fallback coinselect.FeeRate) Estimates {
	return finish(Estimates{}, targets, make([]*Estimate, len(targets)), manual, fallback)
}

// finish fills the targets the node could not estimate and applies the
// manual rate, the fallback and the floor.
func finish(e Estimates, targets []int, rates []*Estimate, manual, fallback coinselect.FeeRate) Estimates {
	e.Targets = make([]Estimate, len(targets))
	if manual > 0 {
		e.Source = FromManual
		for i, t := range targets {
			e.Targets[i] = Estimate{Target: t, FeeRate: manual, Filled: true}
		}
		if e.MinRelay > 0 && manual < e.MinRelay {
			e.Notice = fmt.Sprintf("the fee rate set by hand (%s) is below the node's minimum relay fee (%s): the transaction would not be relayed; raise it", manual, e.MinRelay)
		}
		return e
	}
	have := false
	for _, r := range rates {
		have = have || r != nil
	}
	if !have {
		rate := max(fallback, e.MinRelay)
		e.Source = FromFallback
		e.Notice = fmt.Sprintf("the node has no fee estimate yet (it needs to see more blocks); using %s; set a fee rate by hand", rate)
		for i, t := range targets {
			e.Targets[i] = Estimate{Target: t, FeeRate: rate, Filled: true}
		}
		return e
	}
	e.Source = FromNode
	var filled []string
	for i, t := range targets {
		if r := rates[i]; r != nil {
			e.Targets[i] = *r
		} else {
			e.Targets[i] = nearest(rates, targets, i)
			filled = append(filled, fmt.Sprint(t))
		}
		if e.MinRelay > 0 && e.Targets[i].FeeRate < e.MinRelay {
			e.Targets[i].FeeRate, e.Targets[i].Floored = e.MinRelay, true
		}
	}
	if len(filled) > 0 {
		e.Notice = fmt.Sprintf("the node has no estimate for %s block(s); the nearest target's rate is shown instead", strings.Join(filled, ", "))
	}
	return e
}

// nearest returns, for target i without an estimate, the estimate of the
// closest target (by block count; the shorter one, which pays more, on a
// tie) with one.
func nearest(rates []*Estimate, targets []int, i int) Estimate {
	best := -1
	dist := func(j int) int {
		d := targets[j] - targets[i]
		if d < 0 {
			d = -d
		}
		return d
	}
	for j, r := range rates {
		if r == nil {
			continue
		}
		if best < 0 || dist(j) < dist(best) || dist(j) == dist(best) && targets[j] < targets[best] {
			best = j
		}
	}
	out := *rates[best]
	out.Target, out.Filled = targets[i], true
	return out
}
