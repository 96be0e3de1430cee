package coinselect

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/wire"
)

// FuzzSelect builds a wallet and payment from the fuzzer's numbers and checks that Select
// never panics, returns only documented errors, and keeps the invariants on success.
func FuzzSelect(f *testing.F) {
	f.Add(uint64(1), uint8(10), uint32(20_000), uint64(1_000_000), uint8(0))
	f.Add(uint64(2), uint8(1), uint32(0), uint64(294), uint8(1))
	f.Add(uint64(3), uint8(200), uint32(1_000), uint64(50_000_000), uint8(2))
	f.Add(uint64(4), uint8(0), uint32(5_000), uint64(1), uint8(3))
	f.Add(uint64(5), uint8(40), uint32(100_000_000), uint64(2_100_000_000_000_000), uint8(7))
	f.Fuzz(func(t *testing.T, seed uint64, nCoins uint8, rate uint32, amount uint64, mode uint8) {
		r := rand.New(rand.NewPCG(seed, uint64(mode)))
		req := randomRequest(r, int(nCoins))
		req.FeeRate = FeeRate(rate)
		req.Outputs[0].Value = int64(amount % (maxMoney + 2))
		req.Outputs[0].SubtractFee = mode&1 == 1
		req.Outputs[0].SendMax = mode&2 == 2
		if mode&4 == 4 && len(req.UTXOs) > 0 {
			req.MustUse = []wire.OutPoint{req.UTXOs[0].OutPoint}
			req.UseOnly = mode&8 == 8
		}
		res, err := Select(req)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		checkInvariants(t, req, res)
	})
}

// FuzzBranchAndBound checks the search never panics and any solution lies in the window.
func FuzzBranchAndBound(f *testing.F) {
	f.Add(uint64(1), uint8(20), int64(1_000_000), int64(359))
	f.Add(uint64(2), uint8(3), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, target, costOfChange int64) {
		if target < 0 || costOfChange < 0 || target > maxMoney || costOfChange > maxMoney {
			return
		}
		r := rand.New(rand.NewPCG(seed, 0))
		coins := make([]Coin, n)
		for i := range coins {
			coins[i] = Coin{Amount: 1 + r.Int64N(1_000_000), Fee: r.Int64N(2_000), LongTermFee: r.Int64N(2_000), Weight: 272}
		}
		idx, ok, _ := BranchAndBound(coins, target, costOfChange, MaxStandardTxWeight)
		if !ok {
			return
		}
		var sum int64
		seen := map[int]bool{}
		for _, i := range idx {
			if seen[i] {
				t.Fatalf("coin %d selected twice", i)
			}
			seen[i] = true
			sum += coins[i].Amount
		}
		if sum < target || sum > target+costOfChange {
			t.Fatalf("selection %d outside [%d, %d]", sum, target, target+costOfChange)
		}
	})
}

// FuzzBumpFee replaces a fuzzer-built pending transaction and checks the BIP125 rules hold
// whenever a replacement is returned, and that nothing panics otherwise.
func FuzzBumpFee(f *testing.F) {
	f.Add(uint64(1), uint8(1), int64(100_000), int64(50_000), int64(48_590), uint32(20_000), uint8(0))
	f.Add(uint64(2), uint8(2), int64(52_000), int64(50_000), int64(0), uint32(40_000), uint8(3))
	f.Add(uint64(3), uint8(0), int64(1), int64(-5), int64(-1), uint32(0), uint8(255))
	f.Fuzz(func(t *testing.T, seed uint64, nIn uint8, inValue, payValue, change int64, rate uint32, nAvail uint8) {
		r := rand.New(rand.NewPCG(seed, 9))
		orig := PendingTx{Recipients: []Output{{Type: outputTypes[r.IntN(len(outputTypes))], Value: payValue}}, ChangeValue: change}
		for i := 0; i < int(nIn%8); i++ {
			orig.Inputs = append(orig.Inputs, NewUTXO(wire.OutPoint{Index: uint32(i)}, inValue, int64(r.IntN(2)), propertyShapes[r.IntN(len(propertyShapes))]))
		}
		var avail []UTXO
		for i := 0; i < int(nAvail%16); i++ {
			avail = append(avail, NewUTXO(wire.OutPoint{Index: uint32(100 + i)}, 1+r.Int64N(1_000_000), int64(r.IntN(3)), P2WPKHInput()))
		}
		req := BumpRequest{Params: Params{FeeRate: FeeRate(rate), ChangeType: P2WPKH, MaxFee: maxMoney, Seed: seed}, Original: orig, Available: avail}
		res, err := BumpFee(req)
		if err != nil {
			return
		}
		oldV, err := orig.VSize(P2WPKH)
		if err != nil {
			t.Fatal(err)
		}
		if s := replacementShortfall(res.Fee, res.VSize, orig.Fee(), oldV, DefaultIncrementalRelayFeeRate); s != 0 {
			t.Fatalf("replacement short of %d sats", s)
		}
		var in, out int64
		for _, u := range res.Inputs {
			in += u.Value
		}
		for _, o := range res.Outputs {
			out += o.Value
		}
		if in != out+res.Change+res.Fee {
			t.Fatalf("value not conserved: %d in, %d out, %d change, %d fee", in, out, res.Change, res.Fee)
		}
	})
}
