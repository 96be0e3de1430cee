package feeest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/specterpwa/specter/shared/coinselect"
)

// FromMempool: a mempool.space-compatible server's recommended fees
// (GET /api/v1/fees/recommended), asked through the relay.
const FromMempool Source = "mempool"

// MempoolPath is the path of the recommended-fees endpoint of mempool.space's
// REST API, appended to a server's base URL (https://mempool.space,
// https://mempool.space/testnet, an own instance).
const MempoolPath = "/api/v1/fees/recommended"

// maxSatPerVByte is coinselect.MaxFeeRate in sat/vB.
const maxSatPerVByte = float64(coinselect.MaxFeeRate) / 1000

// Recommended is the answer of mempool.space's GET /api/v1/fees/recommended:
// fee rates in sat/vB. FastestFee aims at the next block, HalfHourFee at
// about three blocks, HourFee at about six, EconomyFee at no hurry (mempool
// computes it as min(2 x minimumFee, hourFee)); MinimumFee is the server's
// node's mempool minimum fee (its relay floor). Older mempool backends answer
// only the first three; 0 means the server has no estimate for that tier.
type Recommended struct {
	FastestFee  float64 `json:"fastestFee"`
	HalfHourFee float64 `json:"halfHourFee"`
	HourFee     float64 `json:"hourFee"`
	EconomyFee  float64 `json:"economyFee,omitempty"`
	MinimumFee  float64 `json:"minimumFee,omitempty"`
}

// recommendedJSON has pointers so that a missing field is told apart from 0.
type recommendedJSON struct {
	FastestFee  *float64 `json:"fastestFee"`
	HalfHourFee *float64 `json:"halfHourFee"`
	HourFee     *float64 `json:"hourFee"`
	EconomyFee  *float64 `json:"economyFee"`
	MinimumFee  *float64 `json:"minimumFee"`
}

// ParseRecommended reads an answer of mempool.space's
// GET /api/v1/fees/recommended: a JSON object whose fastestFee, halfHourFee
// and hourFee are numbers (economyFee and minimumFee may be missing, as from
// older servers; other fields are ignored), every rate from 0 to 100,000
// sat/vB. The error says what is wrong with the answer.
func ParseRecommended(body []byte) (Recommended, error) {
	var raw recommendedJSON
	if err := json.Unmarshal(body, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field == "" {
				return Recommended{}, fmt.Errorf("the fee server's answer is a JSON %s, not an object with fastestFee, halfHourFee and hourFee: is the address a mempool.space-compatible server?", te.Value)
			}
			return Recommended{}, fmt.Errorf("the fee server's %s is a JSON %s, not a number", te.Field, te.Value)
		}
		return Recommended{}, fmt.Errorf("the fee server's answer is not JSON (%v): is the address a mempool.space-compatible server?", err)
	}
	var out Recommended
	for _, f := range []struct {
		name     string
		v        *float64
		dst      *float64
		required bool
	}{
		{"fastestFee", raw.FastestFee, &out.FastestFee, true},
		{"halfHourFee", raw.HalfHourFee, &out.HalfHourFee, true},
		{"hourFee", raw.HourFee, &out.HourFee, true},
		{"economyFee", raw.EconomyFee, &out.EconomyFee, false},
		{"minimumFee", raw.MinimumFee, &out.MinimumFee, false},
	} {
		if f.v == nil {
			if f.required {
				return Recommended{}, fmt.Errorf("the fee server's answer has no %s: is the address a mempool.space-compatible server (it must answer %s)?", f.name, MempoolPath)
			}
			continue
		}
		v := *f.v
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > maxSatPerVByte {
			return Recommended{}, fmt.Errorf("the fee server's %s %v sat/vB is out of range (0 to %v)", f.name, v, maxSatPerVByte)
		}
		*f.dst = v
	}
	return out, nil
}

// satPerVByteToRate converts a rate in sat/vB into sat/kvB, rounded to the
// nearest sat/kvB; 0 (no estimate) gives false.
func satPerVByteToRate(v float64) (coinselect.FeeRate, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v > maxSatPerVByte {
		return 0, false
	}
	r := coinselect.FeeRate(math.Round(v * 1000))
	return r, r > 0
}

// mempoolTiers are the confirmation targets (in blocks) of Recommended's
// tiers: fastestFee 1, halfHourFee 3, hourFee 6, economyFee 144.
var mempoolTiers = []int{1, 3, 6, 144}

func (r Recommended) tierRates() []coinselect.FeeRate {
	out := make([]coinselect.FeeRate, len(mempoolTiers))
	for i, v := range []float64{r.FastestFee, r.HalfHourFee, r.HourFee, r.EconomyFee} {
		out[i], _ = satPerVByteToRate(v)
	}
	return out
}

// Estimates maps the server's tiers onto the confirmation targets of opts
// (DefaultTargets when empty; opts.Manual and opts.Fallback as in Fetch,
// Flavour and Conservative do not apply). A target of t blocks gets the tier
// with a rate whose horizon is the longest not longer than t (fastestFee 1,
// halfHourFee 3, hourFee 6, economyFee 144 blocks), so the rate offered aims
// at least as fast as asked; Blocks is that horizon. When no tier that fast
// has a rate (0 or missing), the fastest tier with one is used, Filled is set
// and Notice names the target.
// MinRelay is minimumFee, and rates are raised to it (Floored). When no tier
// has a rate, every target gets the fallback and Notice says so.
func (r Recommended) Estimates(opts Options) (Estimates, error) {
	targets, fallback, err := opts.resolve()
	if err != nil {
		return Estimates{}, err
	}
	e := Estimates{Targets: make([]Estimate, len(targets))}
	e.MinRelay, _ = satPerVByteToRate(r.MinimumFee)
	if opts.Manual > 0 {
		e.Source = FromManual
		for i, t := range targets {
			e.Targets[i] = Estimate{Target: t, FeeRate: opts.Manual, Filled: true}
		}
		if e.MinRelay > 0 && opts.Manual < e.MinRelay {
			e.Notice = fmt.Sprintf("the fee rate set by hand (%s) is below the fee server's minimum fee (%s): the transaction may not be relayed; raise it", opts.Manual, e.MinRelay)
		}
		return e, nil
	}
	tiers := r.tierRates()
	have := false
	for _, rate := range tiers {
		have = have || rate > 0
	}
	if !have {
		rate := max(fallback, e.MinRelay)
		e.Source = FromFallback
		e.Notice = fmt.Sprintf("the fee server has no fee estimate (its mempool may be empty or still loading); using %s; set a fee rate by hand", rate)
		for i, t := range targets {
			e.Targets[i] = Estimate{Target: t, FeeRate: rate, Filled: true}
		}
		return e, nil
	}
	e.Source = FromMempool
	var filled []string
	for i, t := range targets {
		tier, fill := -1, false
		for j, h := range mempoolTiers {
			if h <= t && tiers[j] > 0 {
				tier = j
			}
		}
		if tier < 0 {
			// No tier at least as fast has a rate: the fastest with one.
			for j := len(tiers) - 1; j >= 0; j-- {
				if tiers[j] > 0 {
					tier = j
				}
			}
			fill = true
			filled = append(filled, fmt.Sprint(t))
		}
		est := Estimate{Target: t, FeeRate: tiers[tier], Blocks: mempoolTiers[tier], Filled: fill}
		if e.MinRelay > 0 && est.FeeRate < e.MinRelay {
			est.FeeRate, est.Floored = e.MinRelay, true
		}
		e.Targets[i] = est
	}
	if len(filled) > 0 {
		e.Notice = fmt.Sprintf("the fee server has no estimate for %s block(s); the nearest tier's rate is shown instead", strings.Join(filled, ", "))
	}
	return e, nil
}
