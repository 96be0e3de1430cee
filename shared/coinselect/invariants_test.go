package coinselect

import (
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// checkInvariants asserts what must hold for every successful selection.
func checkInvariants(t testing.TB, req Request, res *Result) {
	t.Helper()
	rp, err := resolve(req.Params)
	require.NoError(t, err)
	must := map[wire.OutPoint]bool{}
	for _, o := range req.MustUse {
		must[o] = true
	}
	seen := map[wire.OutPoint]bool{}
	var in int64
	for _, u := range res.Inputs {
		require.False(t, seen[u.OutPoint], "coin used twice")
		seen[u.OutPoint] = true
		in += u.Value
		if !must[u.OutPoint] {
			require.False(t, req.UseOnly, "coin outside the chosen set")
			require.False(t, u.Frozen, "frozen coin selected")
			require.False(t, u.Locked, "locked coin selected")
			if u.Confirmations < 1 {
				require.True(t, u.OwnChange || req.AllowUnconfirmed, "unconfirmed coin selected")
			}
		}
	}
	for o := range must {
		require.True(t, seen[o], "chosen coin not used")
	}
	var out int64
	var lens []int
	for i, o := range res.Outputs {
		out += o.Value
		l, err := o.scriptLen()
		require.NoError(t, err)
		lens = append(lens, l)
		d, err := o.Dust(rp.dustRelay)
		require.NoError(t, err)
		require.GreaterOrEqual(t, o.Value, d, "output %d is dust", i)
		if !o.SendMax && !o.SubtractFee {
			require.Equal(t, req.Outputs[i].Value, o.Value, "fixed output changed")
		}
	}
	if res.Change > 0 {
		require.GreaterOrEqual(t, res.Change, rp.minViableChange, "change below the minimum viable change")
		require.GreaterOrEqual(t, res.Change, rp.changeDust)
		lens = append(lens, rp.changeScriptLen)
	}
	require.Equal(t, in, out+res.Change+res.Fee, "value not conserved")
	w := TxWeight(sizes(res.Inputs), lens)
	require.Equal(t, w, res.Weight)
	require.Equal(t, VSize(w), res.VSize)
	need := rp.rate.Fee(res.VSize)
	require.GreaterOrEqual(t, res.Fee, need, "fee rate not met")
	if res.Change == 0 && res.Algorithm != AlgorithmSendMax {
		// Without change the overpayment is bounded by what a change output would have been
		// worth, plus rounding of the per-input estimates (at most 1 vB each and 4 vB fixed,
		// and each separately rounded-up fee at most 1 sat more).
		slack := rp.rate.Fee(int64(len(res.Inputs))+4) + int64(len(res.Inputs)) + 2
		bound := max(rp.costOfChange, rp.minViableChange+rp.changeFee) + slack
		require.LessOrEqual(t, res.Fee-need, bound, "too much excess given to the fee")
	}
	require.LessOrEqual(t, res.Weight, int64(MaxStandardTxWeight))
}
