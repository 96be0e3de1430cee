package coinselect

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

const cent = 1_000_000

// coreCoin builds a candidate like Core's MakeCoin in coinselection_tests.cpp: the amount
// is the effective value, the input is vbytes large.
func coreCoin(effective int64, rate FeeRate, vbytes int64) Coin {
	return Coin{Amount: effective, Fee: rate.Fee(vbytes), LongTermFee: FeeRate(10_000).Fee(vbytes), Weight: 4 * vbytes}
}

func coreCoins(amounts []int64, rate FeeRate) []Coin {
	out := make([]Coin, len(amounts))
	for i, a := range amounts {
		out[i] = coreCoin(a, rate, 68)
	}
	return out
}

func selectedAmounts(coins []Coin, idx []int) []int64 {
	var out []int64
	for _, i := range idx {
		out = append(out, coins[i].Amount)
	}
	slices.Sort(out)
	return out
}

const coreCostOfChange = 359

func TestBranchAndBoundCoreVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/core_bnb_cases.json")
	require.NoError(t, err)
	var vec struct {
		Feerates     []FeeRate `json:"feerates_sat_per_kvb"`
		CostOfChange int64     `json:"cost_of_change"`
		Pool         []int64   `json:"pool"`
		Cases        []struct {
			Name     string  `json:"name"`
			Target   int64   `json:"target"`
			Expected []int64 `json:"expected"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &vec))
	require.Len(t, vec.Cases, 10)
	for _, rate := range vec.Feerates {
		t.Run(fmt.Sprintf("Empty UTXO pool at %d sat per kvB", rate), func(t *testing.T) {
			_, ok, _ := BranchAndBound(nil, cent, vec.CostOfChange, MaxStandardTxWeight)
			require.False(t, ok)
		})
		for _, tc := range vec.Cases {
			t.Run(fmt.Sprintf("%s at %d sat per kvB", tc.Name, rate), func(t *testing.T) {
				coins := coreCoins(vec.Pool, rate)
				idx, ok, _ := BranchAndBound(coins, tc.Target, vec.CostOfChange, MaxStandardTxWeight)
				if tc.Expected == nil {
					require.False(t, ok)
					require.Nil(t, idx)
					return
				}
				require.True(t, ok)
				require.Equal(t, tc.Expected, selectedAmounts(coins, idx))
			})
		}
	}
}

func TestBranchAndBoundCoreGeneratedPools(t *testing.T) {
	for _, rate := range []FeeRate{0, 1, 5_000, 10_000, 25_000, 59_764, 500_000, 999_000, 1_500_000} {
		t.Run(fmt.Sprintf("Skip equivalent input sets among 50000 clones at %d sat per kvB", rate), func(t *testing.T) {
			amounts := []int64{2 * cent, 7 * cent, 7 * cent}
			for i := 0; i < 50_000; i++ {
				amounts = append(amounts, 5*cent)
			}
			coins := coreCoins(amounts, rate)
			idx, ok, _ := BranchAndBound(coins, 16*cent, coreCostOfChange, MaxStandardTxWeight)
			require.True(t, ok)
			require.Equal(t, []int64{2 * cent, 7 * cent, 7 * cent}, selectedAmounts(coins, idx))
		})
		// Eight smallest of 17 similar coins are found; with 18 the 100,000-try limit stops
		// the search first.
		var doppel, expected []int64
		for i := int64(0); i < 17; i++ {
			if i < 8 {
				doppel = append(doppel, cent+i)
				expected = append(expected, cent+i)
			} else {
				doppel = append(doppel, cent+coreCostOfChange+i)
			}
		}
		t.Run(fmt.Sprintf("Combine smallest 8 of 17 unique UTXOs at %d sat per kvB", rate), func(t *testing.T) {
			coins := coreCoins(doppel, rate)
			idx, ok, _ := BranchAndBound(coins, 8*cent, coreCostOfChange, MaxStandardTxWeight)
			require.True(t, ok)
			require.Equal(t, expected, selectedAmounts(coins, idx))
		})
		t.Run(fmt.Sprintf("Exhaust looking for smallest 8 of 18 unique UTXOs at %d sat per kvB", rate), func(t *testing.T) {
			coins := coreCoins(append(slices.Clone(doppel), cent+coreCostOfChange+17), rate)
			_, ok, _ := BranchAndBound(coins, 8*cent, coreCostOfChange, MaxStandardTxWeight)
			require.False(t, ok)
		})
	}
}

// Core's bnb_feerate_sensitivity_test: below the long-term fee rate more inputs are cheaper
// now than later, above it fewer inputs win.
func TestBranchAndBoundFeerateSensitivity(t *testing.T) {
	low := coreCoins([]int64{2 * cent, 3 * cent, 5 * cent, 10 * cent}, 5_000)
	high := coreCoins([]int64{2 * cent, 3 * cent, 5 * cent, 10 * cent}, 25_000)
	tests := []struct {
		name     string
		coins    []Coin
		target   int64
		expected []int64
	}{
		{"Select many inputs at low feerates", low, 10 * cent, []int64{2 * cent, 3 * cent, 5 * cent}},
		{"Select one input at high feerates", high, 10 * cent, []int64{10 * cent}},
		{"Prefer two heavy inputs over two light inputs at low feerates",
			append(slices.Clone(low), coreCoin(6*cent, 5_000, 500), coreCoin(7*cent, 5_000, 500)), 13 * cent, []int64{6 * cent, 7 * cent}},
		{"Prefer two light inputs over two heavy inputs at high feerates",
			append(slices.Clone(high), coreCoin(6*cent, 25_000, 500), coreCoin(7*cent, 25_000, 500)), 13 * cent, []int64{3 * cent, 10 * cent}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			idx, ok, _ := BranchAndBound(tc.coins, tc.target, coreCostOfChange, MaxStandardTxWeight)
			require.True(t, ok)
			require.Equal(t, tc.expected, selectedAmounts(tc.coins, idx))
		})
	}
}

func TestBranchAndBoundWeightLimit(t *testing.T) {
	coins := coreCoins([]int64{cent, 3 * cent, 5 * cent}, 5_000)
	// {1, 3} needs 2 x 272 WU; a limit of 300 WU leaves no changeless solution.
	_, ok, exceeded := BranchAndBound(coins, 4*cent, coreCostOfChange, 300)
	require.False(t, ok)
	require.True(t, exceeded)
	idx, ok, _ := BranchAndBound(coins, 3*cent, coreCostOfChange, 300)
	require.True(t, ok)
	require.Equal(t, []int64{3 * cent}, selectedAmounts(coins, idx))
}

// Core's waste_test (coinselector_tests.cpp): fee 100 and long-term fee 60 per input,
// change cost 125, two inputs of 1 and 2 BTC, target 2 BTC.
func TestWasteCoreVectors(t *testing.T) {
	const (
		coin      = 100_000_000
		fee       = 100
		feeDiff   = 40
		changeCst = 125
		target    = 2 * coin
	)
	inputs := func(lt int64) []Coin {
		return []Coin{{Amount: coin - fee, Fee: fee, LongTermFee: lt}, {Amount: 2*coin - fee, Fee: fee, LongTermFee: lt}}
	}
	excess := int64(3*coin - 2*fee - target)
	tests := []struct {
		name   string
		coins  []Coin
		target int64
		change bool
		waste  int64
	}{
		{"with change: change cost and fee difference", inputs(fee - feeDiff), target, true, 2*feeDiff + changeCst},
		{"without change: excess and fee difference", inputs(fee - feeDiff), target, false, 2*feeDiff + excess},
		{"fee equals long-term fee: only the change cost", inputs(fee), target, true, changeCst},
		{"fee equals long-term fee without change: only the excess", inputs(fee), target, false, excess},
		{"fee below long-term fee: negative input waste", inputs(fee + feeDiff), target, true, -2*feeDiff + changeCst},
		{"fee below long-term fee without change", inputs(fee + feeDiff), target, false, -2*feeDiff + excess},
		{"exact target without change: only the fee difference", inputs(fee - feeDiff), 3*coin - 2*fee, false, 2 * feeDiff},
		{"no waste when fees equal and target is exact", inputs(fee), 3*coin - 2*fee, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.waste, Waste(tc.coins, tc.target, tc.change, changeCst))
		})
	}
}

func TestSingleRandomDrawAndLargestFirst(t *testing.T) {
	coins := coreCoins([]int64{cent, 3 * cent, 5 * cent}, 5_000)
	t.Run("largest first takes 5 then 3", func(t *testing.T) {
		idx, ok, _ := LargestFirstSelect(coins, 6*cent, MaxStandardTxWeight)
		require.True(t, ok)
		require.Equal(t, []int{2, 1}, idx)
	})
	t.Run("largest first fails above the total", func(t *testing.T) {
		_, ok, _ := LargestFirstSelect(coins, 9*cent+1, MaxStandardTxWeight)
		require.False(t, ok)
	})
	t.Run("random draw reaches the target for every seed", func(t *testing.T) {
		for seed := uint64(0); seed < 50; seed++ {
			idx, ok, _ := SingleRandomDraw(coins, 6*cent, MaxStandardTxWeight, newRand(seed))
			require.True(t, ok)
			var sum int64
			for _, i := range idx {
				sum += coins[i].Amount
			}
			require.GreaterOrEqual(t, sum, int64(6*cent))
		}
	})
	t.Run("random draw is reproducible from the seed", func(t *testing.T) {
		a, _, _ := SingleRandomDraw(coins, 2*cent, MaxStandardTxWeight, newRand(7))
		b, _, _ := SingleRandomDraw(coins, 2*cent, MaxStandardTxWeight, newRand(7))
		require.Equal(t, a, b)
	})
	t.Run("random draw drops the smallest coins above the weight limit", func(t *testing.T) {
		// Only one 272 WU input fits: whatever the order, the 5 CENT coin must remain.
		for seed := uint64(0); seed < 20; seed++ {
			idx, ok, _ := SingleRandomDraw(coins, 4*cent, 300, newRand(seed))
			require.True(t, ok)
			require.Equal(t, []int64{5 * cent}, selectedAmounts(coins, idx))
		}
	})
	t.Run("random draw fails above the total", func(t *testing.T) {
		_, ok, _ := SingleRandomDraw(coins, 9*cent+1, MaxStandardTxWeight, newRand(1))
		require.False(t, ok)
	})
}
