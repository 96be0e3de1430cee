package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/feeest"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/wasm/relay"
)

// FeesParams asks for fee estimates: confirmation targets in blocks
// (default feeest.DefaultTargets), a manual rate in sat/vB that overrides
// the estimates, and Core's conservative estimate mode (node only). Source
// is "node" or the base URL of a mempool.space-compatible server (asked
// through the relay's GET /api/fees); empty means the fee_source of the
// config (Settings), and "node" when there is none. The node is reached
// through NodeParams; a fee server needs only the relay and its session.
type FeesParams struct {
	NodeParams
	Targets      []int   `json:"targets,omitempty"`
	Manual       float64 `json:"manual,omitempty"`
	Conservative bool    `json:"conservative,omitempty"`
	Source       string  `json:"source,omitempty"`
}

// FeeTarget is the fee rate for one confirmation target, in sat/kvB and
// sat/vB.
type FeeTarget struct {
	feeest.Estimate
	FeeRateSatVB float64 `json:"fee_rate_sat_vb"`
}

// FeesResult is feeest.Estimates with sat/vB rates. Source is node,
// mempool (the fee server answered), manual or fallback; Server is the
// fee server's base URL when one was asked.
type FeesResult struct {
	Targets       []FeeTarget        `json:"targets"`
	MinRelay      coinselect.FeeRate `json:"min_relay"`
	MinRelaySatVB float64            `json:"min_relay_sat_vb"`
	Source        feeest.Source      `json:"source"`
	Server        string             `json:"server,omitempty"`
	Notice        string             `json:"notice,omitempty"`
}

// feeSource returns the source asked: p.Source, else the config's.
func (s *syncer) feeSource(p FeesParams) string {
	src := strings.TrimSpace(p.Source)
	if src == "" && s.src != nil {
		if e, err := s.src(); err == nil && e != nil {
			src = e.Config().FeeSource
		}
	}
	if src == "" {
		src = manager.FeeSourceNode
	}
	return src
}

func (s *syncer) fees(ctx context.Context, p FeesParams) (FeesResult, error) {
	opts := feeest.Options{Targets: p.Targets, Conservative: p.Conservative}
	if p.Manual > 0 {
		var err error
		if opts.Manual, err = coinselect.ParseFeeRate(p.Manual); err != nil {
			return FeesResult{}, WithCode(err, CodeBadParams, "give the fee rate in sat/vB")
		}
	}
	source := s.feeSource(p)
	if source != manager.FeeSourceNode {
		return s.mempoolFees(ctx, p, source, opts)
	}
	c, err := s.caller(p.NodeParams)
	if err != nil {
		return FeesResult{}, err
	}
	est, err := feeest.Fetch(ctx, c, opts)
	if err != nil {
		return FeesResult{}, WithHint(fmt.Errorf("no fee estimate: %w", err), "check the relay and node status, or enter a fee rate by hand")
	}
	return feesResult(est, ""), nil
}

// mempoolFees asks the relay for the fee server's recommendation. A failure
// is an error (there is no silent fall back to the node, as feeest.Fetch
// does not fall back either): the message names the server and the hint
// says what to do.
func (s *syncer) mempoolFees(ctx context.Context, p FeesParams, source string, opts feeest.Options) (FeesResult, error) {
	const hint = "check the fee server's address in Settings or choose your node as the fee source; or enter a fee rate by hand"
	body, err := relay.Fees(ctx, s.transport, p.Relay, p.CSRF, p.Token, source)
	if err != nil {
		var he *relay.HTTPError
		if errors.As(err, &he) && he.Hint != "" && he.Status != 401 {
			// The relay's hint is in the message; add what the user can do here.
			return FeesResult{}, WithHint(fmt.Errorf("no fee estimate from the fee server %s: %w", source, err), "choose your node as the fee source in Settings, or enter a fee rate by hand")
		}
		return FeesResult{}, WithHint(fmt.Errorf("no fee estimate from the fee server %s: %w", source, err), hint)
	}
	rec, err := feeest.ParseRecommended(body)
	if err != nil {
		return FeesResult{}, WithHint(fmt.Errorf("no fee estimate from the fee server %s: %w", source, err), hint)
	}
	est, err := rec.Estimates(opts)
	if err != nil {
		return FeesResult{}, WithCode(err, CodeBadParams, "give confirmation targets from 1 to 1008 blocks")
	}
	return feesResult(est, source), nil
}

func feesResult(est feeest.Estimates, server string) FeesResult {
	out := FeesResult{MinRelay: est.MinRelay, MinRelaySatVB: est.MinRelay.SatPerVByte(), Source: est.Source, Server: server, Notice: est.Notice, Targets: []FeeTarget{}}
	for _, t := range est.Targets {
		out.Targets = append(out.Targets, FeeTarget{Estimate: t, FeeRateSatVB: t.FeeRate.SatPerVByte()})
	}
	return out
}
