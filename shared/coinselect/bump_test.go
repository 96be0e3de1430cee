package coinselect

import (
	"testing"

	"github.com/btcsuite/btcd/wire"

	"github.com/stretchr/testify/require"
)

// pending100k is a 1-in 2-out P2WPKH transaction paying 50,000 with 48,590 change: fee 1410,
// 141 vB, 10 sat/vB.
func pending100k() PendingTx {
	return PendingTx{Inputs: []UTXO{wpkh(1, 100_000)}, Recipients: pay(50_000), ChangeValue: 48_590}
}

func bumpParams(rate FeeRate) Params {
	return Params{FeeRate: rate, LongTermFeeRate: SatPerVByte(10), DiscardFeeRate: SatPerVByte(3), ChangeType: P2WPKH, Seed: 1}
}

func TestPendingTxFacts(t *testing.T) {
	p := pending100k()
	require.Equal(t, int64(1410), p.Fee())
	v, err := p.VSize(P2WPKH)
	require.NoError(t, err)
	require.Equal(t, int64(141), v)
}

func TestBumpFee(t *testing.T) {
	unconf := wpkh(8, 30_000)
	unconf.Confirmations = 0
	tests := []struct {
		name    string
		req     BumpRequest
		inputs  []int64
		change  int64
		fee     int64
		vsize   int64
		algo    Algorithm
		errText string
	}{
		{
			// 141 vB x 20 = 2820 taken from the change.
			name:   "change pays the higher fee",
			req:    BumpRequest{Params: bumpParams(SatPerVByte(20)), Original: pending100k()},
			inputs: []int64{100_000}, change: 47_180, fee: 2_820, vsize: 141, algo: AlgorithmManual,
		},
		{
			// 10.5 sat/vB gives 1481 < 1410 + 141 (rule 4): the fee is raised to 1551.
			name:   "rule 4 raises the fee to old fee plus incremental relay fee",
			req:    BumpRequest{Params: bumpParams(10_500), Original: pending100k()},
			inputs: []int64{100_000}, change: 48_449, fee: 1_551, vsize: 141, algo: AlgorithmManual,
		},
		{
			// 52,000 in, 50,000 out, no change: fee 2000 over 110 vB. At 40 sat/vB a confirmed
			// coin is added (the unconfirmed one may not be, BIP125 rule 2): 209 vB = 8360.
			name: "inputs added when there is no change to reduce",
			req: BumpRequest{Params: bumpParams(SatPerVByte(40)),
				Original:  PendingTx{Inputs: []UTXO{wpkh(1, 52_000)}, Recipients: pay(50_000)},
				Available: []UTXO{unconf, wpkh(9, 30_000)}},
			inputs: []int64{52_000, 30_000}, change: 23_640, fee: 8_360, vsize: 209, algo: AlgorithmLargestFirst,
		},
		{
			name:    "fee rate not higher is refused",
			req:     BumpRequest{Params: bumpParams(SatPerVByte(10)), Original: pending100k()},
			errText: "cannot bump the fee: the new fee rate 10 sat/vB must be higher than the current 10 sat/vB (BIP125 rule 6)",
		},
		{
			name: "only unconfirmed coins to add",
			req: BumpRequest{Params: bumpParams(SatPerVByte(40)),
				Original: PendingTx{Inputs: []UTXO{wpkh(1, 52_000)}, Recipients: pay(50_000)}, Available: []UTXO{unconf}},
			errText: "cannot bump the fee: insufficient funds: need 50000 sats plus about 4400 sats fee, spendable 52000 sats (30000 sats unconfirmed)",
		},
		{
			name:    "original without inputs",
			req:     BumpRequest{Params: bumpParams(SatPerVByte(40)), Original: PendingTx{Recipients: pay(50_000)}},
			errText: "cannot bump the fee: the transaction to replace has no inputs",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := BumpFee(tc.req)
			if tc.errText != "" {
				require.EqualError(t, err, tc.errText)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.inputs, values(res.Inputs))
			require.Equal(t, tc.req.Original.Recipients, res.Outputs)
			require.Equal(t, tc.change, res.Change)
			require.Equal(t, tc.fee, res.Fee)
			require.Equal(t, tc.vsize, res.VSize)
			require.Equal(t, tc.algo, res.Algorithm)
			oldV, err := tc.req.Original.VSize(P2WPKH)
			require.NoError(t, err)
			require.Zero(t, replacementShortfall(res.Fee, res.VSize, tc.req.Original.Fee(), oldV, DefaultIncrementalRelayFeeRate))
		})
	}
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name    string
		rate    FeeRate
		out     int64
		fee     int64
		errText string
	}{
		// 1 in 1 out = 110 vB x 20.
		{"cancel at 20 sat/vB", SatPerVByte(20), 97_800, 2_200, ""},
		// 110 x 11 = 1210 < 1410 + 110: raised to 1520 (rule 4).
		{"cancel just above the old rate pays rule 4", SatPerVByte(11), 98_480, 1_520, ""},
		{"cancel below the old rate", SatPerVByte(5), 0, 0, "cannot cancel: the new fee rate 5 sat/vB must be higher than the current 10 sat/vB (BIP125 rule 6)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Cancel(CancelRequest{Params: bumpParams(tc.rate), Original: pending100k()})
			if tc.errText != "" {
				require.EqualError(t, err, tc.errText)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []int64{100_000}, values(res.Inputs))
			require.Len(t, res.Outputs, 1)
			require.Equal(t, P2WPKH, res.Outputs[0].Type)
			require.Equal(t, tc.out, res.Outputs[0].Value)
			require.Equal(t, tc.fee, res.Fee)
			require.Equal(t, int64(110), res.VSize)
			require.Zero(t, res.Change)
		})
	}
}

func TestCPFPChildFee(t *testing.T) {
	tests := []struct {
		name                       string
		parentV, parentFee, childV int64
		target                     FeeRate
		fee                        int64
	}{
		// 10 x (200 + 110) - 200.
		{"child pays for a 1 sat/vB parent", 200, 200, 110, SatPerVByte(10), 2_900},
		// The parent already pays 20 sat/vB: the child still pays 10 x 110 on its own.
		{"parent above target", 200, 4_000, 110, SatPerVByte(10), 1_100},
		// 2.5 x 341 = 852.5 -> 853; minus 0.
		{"zero-fee parent at a fractional rate", 200, 0, 141, 2_500, 853},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.fee, CPFPChildFee(tc.parentV, tc.parentFee, tc.childV, tc.target))
		})
	}
}

func TestCPFP(t *testing.T) {
	spend := wpkh(3, 50_000)
	spend.Confirmations = 0
	res, err := CPFP(CPFPRequest{Params: bumpParams(SatPerVByte(10)), ParentVSize: 200, ParentFee: 200, Spend: spend})
	require.NoError(t, err)
	require.Equal(t, int64(110), res.Child.VSize)
	require.Equal(t, int64(2_900), res.Child.Fee)
	require.Equal(t, int64(47_100), res.Child.Outputs[0].Value)
	require.Equal(t, SatPerVByte(10), res.PackageFeeRate)

	_, err = CPFP(CPFPRequest{Params: bumpParams(SatPerVByte(10)), ParentVSize: 200, ParentFee: 200, Spend: wpkh(4, 3_000)})
	require.EqualError(t, err, "cannot bump with a child: the output of 3000 sats is too small to pay for the parent: output 0 would receive only 100 sats after the fee, below the dust threshold of 294 sats: add coins or lower the fee rate")

	_, err = CPFP(CPFPRequest{Params: bumpParams(SatPerVByte(10)), ParentVSize: 0, ParentFee: 200, Spend: spend})
	require.EqualError(t, err, "cannot bump with a child: parent size 0 vB and fee 200 sats are not valid")
}

func TestReplacementShortfall(t *testing.T) {
	tests := []struct {
		name                             string
		newFee, newV, oldFee, oldV, want int64
	}{
		{"rules met", 2_820, 141, 1_410, 141, 0},
		// 1410 + 141 = 1551.
		{"rule 4 short by 70", 1_481, 141, 1_410, 141, 70},
		// Bigger replacement: rule 4 needs 1410 + 209 = 1619, rule 6 needs 1410*209/141 + 1 = 2091.
		{"rule 6 binds for a larger replacement", 1_700, 209, 1_410, 141, 391},
		// 21M BTC over 60 vB cannot be beaten by a 100,000 vB replacement within 21M BTC.
		{"absurd original fee does not overflow", 0, 100_000, maxMoney, 60, maxMoney},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, replacementShortfall(tc.newFee, tc.newV, tc.oldFee, tc.oldV, DefaultIncrementalRelayFeeRate))
		})
	}
}

func TestSelectRejectsNonStandardManualSelection(t *testing.T) {
	var us []UTXO
	var ops []wire.OutPoint
	for i := uint32(0); i < 700; i++ {
		us = append(us, NewUTXO(op(i), 100_000, 6, P2PKHInput()))
		ops = append(ops, op(i))
	}
	_, err := Select(Request{Params: bumpParams(1000), UTXOs: us, MustUse: ops, UseOnly: true, Outputs: pay(1_000_000)})
	require.ErrorIs(t, err, ErrTooLarge)
}
