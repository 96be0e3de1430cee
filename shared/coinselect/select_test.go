package coinselect

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

func op(i uint32) wire.OutPoint {
	return wire.OutPoint{Hash: chainhash.Hash{0xaa, byte(i >> 8), byte(i)}, Index: i}
}

// wpkh is a confirmed P2WPKH coin (68 vB input) with outpoint op(i).
func wpkh(i uint32, value int64) UTXO { return NewUTXO(op(i), value, 6, P2WPKHInput()) }

// params20 is the hand-computed setup used below: 20 sat/vB, long-term 10 sat/vB, discard
// 3 sat/vB, P2WPKH change. Per P2WPKH input: fee 1360, long-term fee 680 (waste +680).
// Change: output fee 620, spending it later 204, cost of change 824, minimum viable change
// max(205, dust 294) = 294. Fixed part with one P2WPKH output: 41.5 -> 42 vB = 840 sats.
func params20() Params {
	return Params{FeeRate: SatPerVByte(20), LongTermFeeRate: SatPerVByte(10), DiscardFeeRate: SatPerVByte(3),
		ChangeType: P2WPKH, Seed: 1}
}

func pay(v int64) []Output { return []Output{{Type: P2WPKH, Value: v}} }

func values(us []UTXO) []int64 {
	var out []int64
	for _, u := range us {
		out = append(out, u.Value)
	}
	return out
}

func TestSelectScenarios(t *testing.T) {
	frozen := wpkh(10, 3_000_000)
	frozen.Frozen = true
	tests := []struct {
		name    string
		req     Request
		inputs  []int64
		outputs []int64
		change  int64
		fee     int64
		vsize   int64
		waste   int64
		algo    Algorithm
	}{
		{
			// target 2,997,800 + 840 = 2,998,640 = effective value of the 3M coin: no excess.
			name:    "exact match is changeless by branch and bound",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1_000_000), wpkh(2, 3_000_000), wpkh(3, 5_000_000)}, Outputs: pay(2_997_800)},
			inputs:  []int64{3_000_000},
			outputs: []int64{2_997_800},
			fee:     2_200, vsize: 110, waste: 680, algo: AlgorithmBnB,
		},
		{
			// 500 sats excess (< cost of change 824) goes to the fee: waste 680 + 500.
			name:    "excess below the cost of change goes to the fee",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1_000_000), wpkh(2, 3_000_000), wpkh(3, 5_000_000)}, Outputs: pay(2_997_300)},
			inputs:  []int64{3_000_000},
			outputs: []int64{2_997_300},
			fee:     2_700, vsize: 110, waste: 1_180, algo: AlgorithmBnB,
		},
		{
			// One coin: BnB finds no changeless set, SRD takes it. 141 vB at 20 = 2820.
			name:    "single random draw with change",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(3, 5_000_000)}, Outputs: pay(3_500_000)},
			inputs:  []int64{5_000_000},
			outputs: []int64{3_500_000},
			change:  1_497_180, fee: 2_820, vsize: 141, waste: 680 + 824, algo: AlgorithmSRD,
		},
		{
			// SRD needs target + 50,000 + 620 = 4,001,460 > 3,997,280 available: largest first.
			// 2 in 2 out: 208.5 -> 209 vB = 4180.
			name:    "largest first is the last resort",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1_000_000), wpkh(2, 3_000_000)}, Outputs: pay(3_950_000)},
			inputs:  []int64{3_000_000, 1_000_000},
			outputs: []int64{3_950_000},
			change:  45_820, fee: 4_180, vsize: 209, waste: 1_360 + 824, algo: AlgorithmLargestFirst,
		},
		{
			// Both coins give 820 sats over the target: inside BnB's window, no change.
			name:    "two coins changeless within the window",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1_000_000), wpkh(2, 3_000_000)}, Outputs: pay(3_995_620)},
			inputs:  []int64{3_000_000, 1_000_000},
			outputs: []int64{3_995_620},
			fee:     4_380, vsize: 178, waste: 1_360 + 820, algo: AlgorithmBnB,
		},
		{
			// A frozen coin chosen by hand is used; it alone pays: manual selection.
			name:    "frozen coin used when chosen explicitly",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1_000_000), frozen}, Outputs: pay(2_997_800), MustUse: []wire.OutPoint{frozen.OutPoint}},
			inputs:  []int64{3_000_000},
			outputs: []int64{2_997_800},
			fee:     2_200, vsize: 110, waste: 680, algo: AlgorithmManual,
		},
		{
			// The chosen 1M coin is not enough; the 5M coin is added (SRD), change made.
			// 2 in 2 out = 209 vB.
			name:    "must-use coin completed by the algorithms",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1_000_000), wpkh(3, 5_000_000)}, Outputs: pay(3_000_000), MustUse: []wire.OutPoint{op(1)}},
			inputs:  []int64{1_000_000, 5_000_000},
			outputs: []int64{3_000_000},
			change:  2_995_820, fee: 4_180, vsize: 209, waste: 1_360 + 824, algo: AlgorithmSRD,
		},
		{
			// The fee comes out of the payment: 141 vB x 20 = 2820; change is 5M - 3M.
			name:    "subtract fee from the only output",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(3, 5_000_000)}, Outputs: []Output{{Type: P2WPKH, Value: 3_000_000, SubtractFee: true}}},
			inputs:  []int64{5_000_000},
			outputs: []int64{2_997_180},
			change:  2_000_000, fee: 2_820, vsize: 141, waste: 680 + 824, algo: AlgorithmSRD,
		},
		{
			// 20.001 sat/vB x 172 vB = 3440.172 -> 3441: 1720 each, the first pays 1 more.
			// Input fee 1361, change output fee 621.
			name: "subtract fee split evenly with the remainder on the first",
			req: Request{Params: func() Params { p := params20(); p.FeeRate = 20_001; return p }(), UTXOs: []UTXO{wpkh(3, 5_000_000)},
				Outputs: []Output{{Type: P2WPKH, Value: 1_000_000, SubtractFee: true}, {Type: P2WPKH, Value: 1_000_000, SubtractFee: true}}},
			inputs:  []int64{5_000_000},
			outputs: []int64{998_279, 998_280},
			change:  3_000_000, fee: 3_441, vsize: 172, waste: (1361 - 680) + (621 + 204), algo: AlgorithmSRD,
		},
		{
			// All confirmed coins to one output: 2 in 1 out = 177.5 -> 178 vB = 3560.
			name:    "send max skips the frozen coin",
			req:     Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1_000_000), wpkh(2, 3_000_000), frozen}, Outputs: []Output{{Type: P2WPKH, SendMax: true}}},
			inputs:  []int64{1_000_000, 3_000_000},
			outputs: []int64{3_996_440},
			fee:     3_560, vsize: 178, waste: 1_360, algo: AlgorithmSendMax,
		},
		{
			// With a fixed 1M payment to P2TR: 220.5 -> 221 vB = 4420.
			name: "send max next to a fixed payment",
			req: Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1_000_000), wpkh(2, 3_000_000)},
				Outputs: []Output{{Type: P2TR, Value: 1_000_000}, {Type: P2WPKH, SendMax: true}}},
			inputs:  []int64{1_000_000, 3_000_000},
			outputs: []int64{1_000_000, 2_995_580},
			fee:     4_420, vsize: 221, waste: 1_360, algo: AlgorithmSendMax,
		},
		{
			// Our own unconfirmed change is trusted; a stranger's unconfirmed coin is not.
			name: "unconfirmed own change is spendable",
			req: Request{Params: params20(), UTXOs: []UTXO{
				{OutPoint: op(1), Value: 1_000_000, InputWeight: 272, Witness: true, Confirmations: 0},
				{OutPoint: op(2), Value: 3_000_000, InputWeight: 272, Witness: true, Confirmations: 0, OwnChange: true},
			}, Outputs: pay(2_997_800)},
			inputs:  []int64{3_000_000},
			outputs: []int64{2_997_800},
			fee:     2_200, vsize: 110, waste: 680, algo: AlgorithmBnB,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Select(tc.req)
			require.NoError(t, err)
			require.Equal(t, tc.inputs, values(res.Inputs))
			var outs []int64
			for _, o := range res.Outputs {
				outs = append(outs, o.Value)
			}
			require.Equal(t, tc.outputs, outs)
			require.Equal(t, tc.change, res.Change)
			require.Equal(t, tc.fee, res.Fee)
			require.Equal(t, tc.vsize, res.VSize)
			require.Equal(t, tc.waste, res.Waste)
			require.Equal(t, tc.algo, res.Algorithm)
			checkInvariants(t, tc.req, res)
		})
	}
}

func TestSelectErrors(t *testing.T) {
	frozen := wpkh(2, 3_000_000)
	frozen.Frozen = true
	locked := wpkh(3, 5_000_000)
	locked.Locked = true
	unconf := wpkh(4, 2_000_000)
	unconf.Confirmations = 0
	own := wpkh(5, 500_000)
	own.Confirmations, own.OwnChange = 0, true
	wallet := []UTXO{wpkh(1, 1_000_000), frozen, locked, unconf, own}
	tests := []struct {
		name string
		req  Request
		is   error
		msg  string
	}{
		{
			// Spendable 1.5M; fee 840 + 2 x 1360.
			name: "insufficient funds says what is frozen, locked and unconfirmed",
			req:  Request{Params: params20(), UTXOs: wallet, Outputs: pay(2_000_000)},
			is:   ErrInsufficientFunds,
			msg:  "insufficient funds: need 2000000 sats plus about 3560 sats fee, spendable 1500000 sats (3000000 sats frozen, 5000000 sats locked by pending transactions, 2000000 sats unconfirmed)",
		},
		{
			name: "exactly these coins are not enough",
			req:  Request{Params: params20(), UTXOs: wallet, Outputs: pay(2_000_000), MustUse: []wire.OutPoint{op(1)}, UseOnly: true},
			is:   ErrInsufficientFunds,
			msg:  "insufficient funds: need 2000000 sats plus about 2200 sats fee, spendable 1000000 sats",
		},
		{
			name: "coins worth less than their fee are reported",
			req:  Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1000)}, Outputs: []Output{{Type: P2WPKH, SendMax: true}}},
			is:   ErrInsufficientFunds,
			msg:  "insufficient funds: need 0 sats plus about 840 sats fee, spendable 1000 sats (1000 sats in coins worth less than their spending fee)",
		},
		{
			name: "dust payment",
			req:  Request{Params: params20(), UTXOs: wallet, Outputs: pay(293)},
			is:   ErrDustOutput,
			msg:  "output 0 of 293 sats is below the dust threshold of 294 sats: send at least 294 sats",
		},
		{
			// 141 vB x 20 = 2820 taken from 3000 leaves 180 < 294.
			name: "dust after subtracting the fee",
			req:  Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 5_000_000)}, Outputs: []Output{{Type: P2WPKH, Value: 3000, SubtractFee: true}}},
			is:   ErrDustOutput,
			msg:  "output 0 would be 180 sats after subtracting its share of the fee, below the dust threshold of 294 sats: send more or do not subtract the fee from it",
		},
		{
			// 2 in 1 out: 178 vB x 20 = 3560; 3800 - 3560 = 240 < 294.
			name: "send max leaving dust",
			req:  Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1900), wpkh(2, 1900)}, Outputs: []Output{{Type: P2WPKH, SendMax: true}}},
			is:   ErrDustOutput,
			msg:  "output 0 would receive only 240 sats after the fee, below the dust threshold of 294 sats: add coins or lower the fee rate",
		},
		{
			name: "unknown chosen coin",
			req:  Request{Params: params20(), UTXOs: wallet, Outputs: pay(10_000), MustUse: []wire.OutPoint{op(9)}},
			msg:  "coin " + op(9).String() + " chosen for spending is not among the wallet's coins: refresh the wallet and choose again",
		},
		{
			name: "coin listed twice",
			req:  Request{Params: params20(), UTXOs: []UTXO{wpkh(1, 1000), wpkh(1, 1000)}, Outputs: pay(10_000)},
			msg:  "coin " + op(1).String() + " is listed twice",
		},
		{
			name: "no outputs",
			req:  Request{Params: params20(), UTXOs: wallet},
			msg:  "no outputs: add at least one recipient",
		},
		{
			name: "two send-max outputs",
			req:  Request{Params: params20(), UTXOs: wallet, Outputs: []Output{{Type: P2WPKH, SendMax: true}, {Type: P2TR, SendMax: true}}},
			msg:  "outputs 0 and 1 both ask for the maximum: only one output can receive the rest",
		},
		{
			name: "use only with nothing chosen",
			req:  Request{Params: params20(), UTXOs: wallet, Outputs: pay(10_000), UseOnly: true},
			msg:  "no coins chosen: pick the coins to spend or turn off manual coin control",
		},
		{
			name: "multisig change needs its spend weight",
			req:  Request{Params: Params{FeeRate: 1000, ChangeType: P2WSH}, UTXOs: wallet, Outputs: pay(10_000)},
			msg:  "change spend weight is needed for p2wsh change: p2wsh is not a single-key script type: give the input shape of the multisig (e.g. P2WSHMultisigInput(m, n))",
		},
		{
			name: "negative fee rate",
			req:  Request{Params: Params{FeeRate: -1, ChangeType: P2WPKH}, UTXOs: wallet, Outputs: pay(10_000)},
			msg:  "fee rate -0.001 sat/vB is out of range: give 0 to 100000 sat/vB",
		},
		{
			name: "fee above the maximum",
			req:  Request{Params: Params{FeeRate: SatPerVByte(20), ChangeType: P2WPKH, MaxFee: 2000}, UTXOs: wallet, Outputs: pay(10_000)},
			msg:  "fee of 2820 sats exceeds the maximum of 2000 sats: lower the fee rate or raise the limit",
		},
		{
			name: "input weight missing",
			req:  Request{Params: params20(), UTXOs: []UTXO{{OutPoint: op(1), Value: 1000}}, Outputs: pay(10_000)},
			msg:  "coin " + op(1).String() + " has an invalid input weight of 0: use an InputShape helper to compute it",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Select(tc.req)
			require.EqualError(t, err, tc.msg)
			if tc.is != nil {
				require.True(t, errors.Is(err, tc.is))
			}
		})
	}
}

func TestSelectTooManyInputs(t *testing.T) {
	// 2000 P2PKH coins of 10,000 sats: 2000 x 596 WU > 400,000, and one payment needs most.
	var us []UTXO
	for i := uint32(0); i < 2000; i++ {
		us = append(us, NewUTXO(op(i), 10_000, 6, P2PKHInput()))
	}
	_, err := Select(Request{Params: Params{FeeRate: SatPerVByte(1), ChangeType: P2WPKH, Seed: 1}, UTXOs: us, Outputs: pay(15_000_000)})
	require.ErrorIs(t, err, ErrTooLarge)
}

func TestSelectReproducibleFromSeed(t *testing.T) {
	var us []UTXO
	for i := uint32(0); i < 200; i++ {
		us = append(us, wpkh(i, int64(10_000+i*7_919)))
	}
	req := Request{Params: params20(), UTXOs: us, Outputs: pay(1_234_567)}
	a, err := Select(req)
	require.NoError(t, err)
	b, err := Select(req)
	require.NoError(t, err)
	require.Equal(t, a, b)
}
