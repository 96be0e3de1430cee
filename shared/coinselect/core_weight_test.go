package coinselect

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const btc = 100_000_000

func zeroFeeCoins(values ...[2]int64) []Coin {
	var out []Coin
	for _, v := range values {
		for i := int64(0); i < v[0]; i++ {
			out = append(out, Coin{Amount: v[1], Weight: 272})
		}
	}
	return out
}

// Core's srd_tests (coinselector_tests.cpp), at a zero fee rate with P2WPKH coins.
func TestSingleRandomDrawCoreCases(t *testing.T) {
	t.Run("insufficient funds selects all coins and fails", func(t *testing.T) {
		coins := zeroFeeCoins([2]int64{10, btc}, [2]int64{10, 2 * btc})
		_, ok, exceeded := SingleRandomDraw(coins, 49.5*btc+ChangeLower, 10_000, newRand(1))
		require.False(t, ok)
		require.False(t, exceeded)
	})
	t.Run("max weight exceeded", func(t *testing.T) {
		coins := zeroFeeCoins([2]int64{10, btc}, [2]int64{10, 2 * btc})
		_, ok, exceeded := SingleRandomDraw(coins, 49.5*btc+ChangeLower, 3000, newRand(1))
		require.False(t, ok)
		require.True(t, exceeded)
	})
	t.Run("some coins surpass the max weight while others do not", func(t *testing.T) {
		coins := zeroFeeCoins([2]int64{60, 33 * btc / 100}, [2]int64{10, 2 * btc})
		for seed := uint64(0); seed < 20; seed++ {
			idx, ok, _ := SingleRandomDraw(coins, 2533*btc/100+ChangeLower, 10_000, newRand(seed))
			require.True(t, ok)
			var sum, weight int64
			for _, i := range idx {
				sum += coins[i].Amount
				weight += coins[i].Weight
			}
			require.GreaterOrEqual(t, sum, int64(2533*btc/100+ChangeLower))
			require.LessOrEqual(t, weight, int64(10_000))
		}
	})
}

// Core's check_max_selection_weight (coinselector_tests.cpp) through Select.
func TestSelectCoreMaxWeightScenarios(t *testing.T) {
	wallet := func(groups ...[2]int64) []UTXO {
		var us []UTXO
		for _, g := range groups {
			for i := int64(0); i < g[0]; i++ {
				us = append(us, wpkh(uint32(len(us)), g[1]))
			}
		}
		return us
	}
	params := Params{FeeRate: 0, ChangeType: P2WPKH, Seed: 3}
	has := func(us []UTXO, v int64) bool {
		for _, u := range us {
			if u.Value == v {
				return true
			}
		}
		return false
	}
	t.Run("the 50 BTC coin is chosen because 1500 small ones would be too large", func(t *testing.T) {
		req := Request{Params: params, UTXOs: wallet([2]int64{1515, 3_300_000}, [2]int64{1, 50 * btc}), Outputs: pay(49.5 * btc)}
		res, err := Select(req)
		require.NoError(t, err)
		require.True(t, has(res.Inputs, 50*btc))
		checkInvariants(t, req, res)
	})
	t.Run("a mix of coins keeps the transaction standard", func(t *testing.T) {
		req := Request{Params: params, UTXOs: wallet([2]int64{400, 6_250_000}, [2]int64{2000, 2_500_000}), Outputs: pay(49.5 * btc)}
		res, err := Select(req)
		require.NoError(t, err)
		require.True(t, has(res.Inputs, 6_250_000))
		require.True(t, has(res.Inputs, 2_500_000))
		checkInvariants(t, req, res)
	})
	t.Run("1515 coins of 0.033 BTC cannot pay 49.5 BTC within the weight limit", func(t *testing.T) {
		_, err := Select(Request{Params: params, UTXOs: wallet([2]int64{1515, 3_300_000}), Outputs: pay(49.5 * btc)})
		require.ErrorIs(t, err, ErrTooLarge)
	})
}
