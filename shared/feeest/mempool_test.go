package feeest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/coinselect"
)

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func TestParseRecommendedReadsRealAnswers(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Recommended
	}{
		{"mempool-space-docs-quiet.json", Recommended{FastestFee: 5, HalfHourFee: 4, HourFee: 3, EconomyFee: 2, MinimumFee: 1}},
		{"mempool-space-busy.json", Recommended{FastestFee: 31, HalfHourFee: 29, HourFee: 27, EconomyFee: 14, MinimumFee: 7}},
		{"mempool-legacy-three-tiers.json", Recommended{FastestFee: 1, HalfHourFee: 1, HourFee: 1}},
		{"mempool-legacy-no-blocks.json", Recommended{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := ParseRecommended(readSample(t, tc.file))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestEstimatesFromRealAnswersMapTiersToDefaultTargets(t *testing.T) {
	for _, tc := range []struct {
		file     string
		targets  []Estimate
		minRelay coinselect.FeeRate
		source   Source
		notice   string
	}{
		{"mempool-space-docs-quiet.json", []Estimate{
			{Target: 1, FeeRate: 5000, Blocks: 1}, {Target: 3, FeeRate: 4000, Blocks: 3},
			{Target: 6, FeeRate: 3000, Blocks: 6}, {Target: 144, FeeRate: 2000, Blocks: 144},
		}, 1000, FromMempool, ""},
		{"mempool-space-busy.json", []Estimate{
			{Target: 1, FeeRate: 31000, Blocks: 1}, {Target: 3, FeeRate: 29000, Blocks: 3},
			{Target: 6, FeeRate: 27000, Blocks: 6}, {Target: 144, FeeRate: 14000, Blocks: 144},
		}, 7000, FromMempool, ""},
		{"mempool-legacy-three-tiers.json", []Estimate{
			{Target: 1, FeeRate: 1000, Blocks: 1}, {Target: 3, FeeRate: 1000, Blocks: 3},
			{Target: 6, FeeRate: 1000, Blocks: 6}, {Target: 144, FeeRate: 1000, Blocks: 6},
		}, 0, FromMempool, ""},
		{"mempool-legacy-no-blocks.json", []Estimate{
			{Target: 1, FeeRate: 1000, Filled: true}, {Target: 3, FeeRate: 1000, Filled: true},
			{Target: 6, FeeRate: 1000, Filled: true}, {Target: 144, FeeRate: 1000, Filled: true},
		}, 0, FromFallback, "the fee server has no fee estimate (its mempool may be empty or still loading); using 1 sat/vB; set a fee rate by hand"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r, err := ParseRecommended(readSample(t, tc.file))
			require.NoError(t, err)
			e, err := r.Estimates(Options{})
			require.NoError(t, err)
			require.Equal(t, Estimates{Targets: tc.targets, MinRelay: tc.minRelay, Source: tc.source, Notice: tc.notice}, e)
		})
	}
}

func TestEstimatesScenarios(t *testing.T) {
	busy := Recommended{FastestFee: 31, HalfHourFee: 29, HourFee: 27, EconomyFee: 14, MinimumFee: 7}
	for _, tc := range []struct {
		name string
		r    Recommended
		opts Options
		want Estimates
	}{
		{"targets between tiers take the faster tier", busy, Options{Targets: []int{2, 5, 7, 1008}}, Estimates{
			Targets: []Estimate{{Target: 2, FeeRate: 31000, Blocks: 1}, {Target: 5, FeeRate: 29000, Blocks: 3},
				{Target: 7, FeeRate: 27000, Blocks: 6}, {Target: 1008, FeeRate: 14000, Blocks: 144}},
			MinRelay: 7000, Source: FromMempool}},
		{"sub-sat/vB rates keep their precision", Recommended{FastestFee: 2.5, HalfHourFee: 1.2, HourFee: 0.5, EconomyFee: 0.25, MinimumFee: 0.1}, Options{}, Estimates{
			Targets: []Estimate{{Target: 1, FeeRate: 2500, Blocks: 1}, {Target: 3, FeeRate: 1200, Blocks: 3},
				{Target: 6, FeeRate: 500, Blocks: 6}, {Target: 144, FeeRate: 250, Blocks: 144}},
			MinRelay: 100, Source: FromMempool}},
		{"rates below minimumFee are raised to it", Recommended{FastestFee: 3, HalfHourFee: 2, HourFee: 1, EconomyFee: 1, MinimumFee: 1.5}, Options{Targets: []int{1, 6}}, Estimates{
			Targets:  []Estimate{{Target: 1, FeeRate: 3000, Blocks: 1}, {Target: 6, FeeRate: 1500, Blocks: 6, Floored: true}},
			MinRelay: 1500, Source: FromMempool}},
		{"an empty fast tier takes the fastest tier with a rate", Recommended{FastestFee: 0, HalfHourFee: 4, HourFee: 3}, Options{Targets: []int{1, 3}}, Estimates{
			Targets: []Estimate{{Target: 1, FeeRate: 4000, Blocks: 3, Filled: true}, {Target: 3, FeeRate: 4000, Blocks: 3}},
			Source:  FromMempool, Notice: "the fee server has no estimate for 1 block(s); the nearest tier's rate is shown instead"}},
		{"a manual rate wins and is checked against minimumFee", busy, Options{Targets: []int{2}, Manual: 3500}, Estimates{
			Targets:  []Estimate{{Target: 2, FeeRate: 3500, Filled: true}},
			MinRelay: 7000, Source: FromManual,
			Notice: "the fee rate set by hand (3.5 sat/vB) is below the fee server's minimum fee (7 sat/vB): the transaction may not be relayed; raise it"}},
		{"no rate at all uses the fallback raised to minimumFee", Recommended{MinimumFee: 2}, Options{Targets: []int{6}, Fallback: 1500}, Estimates{
			Targets:  []Estimate{{Target: 6, FeeRate: 2000, Filled: true}},
			MinRelay: 2000, Source: FromFallback,
			Notice: "the fee server has no fee estimate (its mempool may be empty or still loading); using 2 sat/vB; set a fee rate by hand"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.r.Estimates(tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestEstimatesRefusesBadOptions(t *testing.T) {
	r := Recommended{FastestFee: 2, HalfHourFee: 1, HourFee: 1}
	for _, tc := range []struct {
		name string
		opts Options
		err  string
	}{
		{"target zero", Options{Targets: []int{0}}, "confirmation target 0 blocks is out of range: use 1 to 1008"},
		{"target beyond 1008", Options{Targets: []int{1009}}, "confirmation target 1009 blocks is out of range: use 1 to 1008"},
		{"negative manual rate", Options{Manual: -1}, "fee rate out of range: give 0 to 100000 sat/vB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Estimates(tc.opts)
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestParseRecommendedRefusesBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, body, err string
	}{
		{"an HTML page", `<html>Not found</html>`, "the fee server's answer is not JSON (invalid character '<' looking for beginning of value): is the address a mempool.space-compatible server?"},
		{"an array", `[1,2,3]`, "the fee server's answer is a JSON array, not an object with fastestFee, halfHourFee and hourFee: is the address a mempool.space-compatible server?"},
		{"null", `null`, "the fee server's answer has no fastestFee: is the address a mempool.space-compatible server (it must answer /api/v1/fees/recommended)?"},
		{"missing hourFee", `{"fastestFee":5,"halfHourFee":4}`, "the fee server's answer has no hourFee: is the address a mempool.space-compatible server (it must answer /api/v1/fees/recommended)?"},
		{"a rate as a string", `{"fastestFee":"5","halfHourFee":4,"hourFee":3}`, "the fee server's fastestFee is a JSON string, not a number"},
		{"a negative rate", `{"fastestFee":5,"halfHourFee":4,"hourFee":-3}`, "the fee server's hourFee -3 sat/vB is out of range (0 to 100000)"},
		{"an absurd rate", `{"fastestFee":5e6,"halfHourFee":4,"hourFee":3}`, "the fee server's fastestFee 5e+06 sat/vB is out of range (0 to 100000)"},
		{"an absurd minimumFee", `{"fastestFee":5,"halfHourFee":4,"hourFee":3,"minimumFee":100001}`, "the fee server's minimumFee 100001 sat/vB is out of range (0 to 100000)"},
		{"data after the object", `{"fastestFee":5,"halfHourFee":4,"hourFee":3}{}`, "the fee server's answer is not JSON (invalid character '{' after top-level value): is the address a mempool.space-compatible server?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRecommended([]byte(tc.body))
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestParseRecommendedIgnoresUnknownFields(t *testing.T) {
	r, err := ParseRecommended([]byte(`{"fastestFee":3,"halfHourFee":2,"hourFee":1,"economyFee":1,"minimumFee":1,"source":"https://mempool.space","fetched_at":"2026-01-01T00:00:00Z"}`))
	require.NoError(t, err)
	require.Equal(t, Recommended{FastestFee: 3, HalfHourFee: 2, HourFee: 1, EconomyFee: 1, MinimumFee: 1}, r)
}

func FuzzParseRecommended(f *testing.F) {
	for _, name := range []string{"mempool-space-docs-quiet.json", "mempool-space-busy.json", "mempool-legacy-three-tiers.json", "mempool-legacy-no-blocks.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"fastestFee":0.5,"halfHourFee":1e5,"hourFee":0}`))
	f.Add([]byte(`{"fastestFee":"1"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseRecommended(body)
		if err != nil {
			return
		}
		// A parsed answer encodes and parses back to itself.
		again, err := json.Marshal(r)
		require.NoError(t, err)
		back, err := ParseRecommended(again)
		require.NoError(t, err)
		require.Equal(t, r, back)
		e, err := r.Estimates(Options{})
		require.NoError(t, err)
		require.Len(t, e.Targets, len(DefaultTargets()))
		for _, est := range e.Targets {
			require.Greater(t, est.FeeRate, coinselect.FeeRate(0))
			require.LessOrEqual(t, est.FeeRate, coinselect.MaxFeeRate)
			require.GreaterOrEqual(t, est.FeeRate, e.MinRelay)
		}
	})
}
