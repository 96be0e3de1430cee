package coinselect

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

var propertyShapes = func() []InputShape {
	wsh, _ := P2WSHMultisigInput(2, 3)
	shwsh, _ := P2SHP2WSHMultisigInput(2, 3)
	sh, _ := P2SHMultisigInput(2, 3)
	ma, _ := TaprootMultiAInput(2, 3, 1)
	return []InputShape{P2PKHInput(), P2SHP2WPKHInput(), P2WPKHInput(), P2TRKeyPathInput(), wsh, shwsh, sh, ma}
}()

var outputTypes = []ScriptType{P2PKH, P2SH, P2WPKH, P2WSH, P2TR}

// randomRequest builds a wallet and payment from r: mixed script types and values spread
// over five orders of magnitude, some frozen, locked or unconfirmed coins, and sometimes
// manual coin control, fee subtraction or send-max.
func randomRequest(r *rand.Rand, nCoins int) Request {
	req := Request{Params: Params{
		FeeRate:         FeeRate(r.Int64N(200_000)),
		LongTermFeeRate: FeeRate(1 + r.Int64N(30_000)),
		DiscardFeeRate:  FeeRate(r.Int64N(20_000)),
		ChangeType:      outputTypes[r.IntN(len(outputTypes))],
		MinChange:       r.Int64N(3) * r.Int64N(100_000),
		MaxFee:          maxMoney,
		Seed:            r.Uint64(),
	}}
	if req.ChangeType == P2SH || req.ChangeType == P2WSH {
		req.ChangeSpendWeight = propertyShapes[4].Weight()
	}
	for i := 0; i < nCoins; i++ {
		s := propertyShapes[r.IntN(len(propertyShapes))]
		u := NewUTXO(wire.OutPoint{Index: uint32(i)}, 1+r.Int64N(10)*r.Int64N(1_000_000)+r.Int64N(10_000), int64(r.IntN(4)), s)
		u.Frozen = r.IntN(10) == 0
		u.Locked = r.IntN(10) == 0
		u.OwnChange = r.IntN(2) == 0
		req.UTXOs = append(req.UTXOs, u)
	}
	req.AllowUnconfirmed = r.IntN(4) == 0
	nOut := 1 + r.IntN(3)
	for i := 0; i < nOut; i++ {
		req.Outputs = append(req.Outputs, Output{Type: outputTypes[r.IntN(len(outputTypes))], Value: 546 + r.Int64N(3_000_000)})
	}
	switch r.IntN(6) {
	case 0:
		req.Outputs[0].SubtractFee = true
	case 1:
		req.Outputs[len(req.Outputs)-1].SendMax = true
	}
	if nCoins > 0 && r.IntN(4) == 0 {
		req.MustUse = []wire.OutPoint{req.UTXOs[r.IntN(nCoins)].OutPoint}
		req.UseOnly = r.IntN(2) == 0
	}
	return req
}

// knownError reports whether err is one of the errors Select returns for a valid request.
func knownError(err error) bool {
	return errors.Is(err, ErrInsufficientFunds) || errors.Is(err, ErrDustOutput) || errors.Is(err, ErrTooLarge)
}

func TestSelectProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 42))
	succeeded := 0
	for i := 0; i < 400; i++ {
		req := randomRequest(r, 1+r.IntN(60))
		t.Run(fmt.Sprintf("random wallet %d", i), func(t *testing.T) {
			res, err := Select(req)
			if err != nil {
				require.True(t, knownError(err), err.Error())
				return
			}
			succeeded++
			checkInvariants(t, req, res)
		})
	}
	// The generator must exercise the success path, not only errors.
	require.Greater(t, succeeded, 200)
}

func TestBumpFeeProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 200; i++ {
		var inputs []UTXO
		for j := 0; j < 1+r.IntN(3); j++ {
			inputs = append(inputs, NewUTXO(wire.OutPoint{Index: uint32(j)}, 20_000+r.Int64N(500_000), 0, propertyShapes[r.IntN(len(propertyShapes))]))
		}
		orig := PendingTx{Inputs: inputs, Recipients: []Output{{Type: P2TR, Value: 10_000 + r.Int64N(10_000)}}}
		oldV, err := orig.VSize(P2WPKH)
		require.NoError(t, err)
		oldRate := 1 + r.Int64N(20)
		orig.ChangeValue = sumValues(inputs) - orig.Recipients[0].Value - oldRate*oldV
		if orig.ChangeValue < 294 {
			orig.ChangeValue = 0
		}
		var avail []UTXO
		for j := 0; j < r.IntN(5); j++ {
			avail = append(avail, NewUTXO(wire.OutPoint{Index: uint32(100 + j)}, 1000+r.Int64N(200_000), int64(r.IntN(3)), P2WPKHInput()))
		}
		newRate := SatPerVByte(oldRate) + FeeRate(1+r.Int64N(50_000))
		t.Run(fmt.Sprintf("random replacement %d", i), func(t *testing.T) {
			req := BumpRequest{Params: Params{FeeRate: newRate, ChangeType: P2WPKH, MaxFee: maxMoney, Seed: uint64(i)}, Original: orig, Available: avail}
			res, err := BumpFee(req)
			if err != nil {
				require.True(t, errors.Is(err, ErrInsufficientFunds) || errors.Is(err, ErrDustOutput), err.Error())
				return
			}
			oldFee := orig.Fee()
			require.Zero(t, replacementShortfall(res.Fee, res.VSize, oldFee, oldV, DefaultIncrementalRelayFeeRate))
			require.GreaterOrEqual(t, res.Fee, newRate.Fee(res.VSize))
			require.Equal(t, orig.Recipients, res.Outputs)
			for j, u := range inputs {
				require.Equal(t, u.OutPoint, res.Inputs[j].OutPoint, "original inputs kept first")
			}
			for _, u := range res.Inputs[len(inputs):] {
				require.GreaterOrEqual(t, u.Confirmations, int64(1), "unconfirmed input added (BIP125 rule 2)")
			}
		})
	}
}
