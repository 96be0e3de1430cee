package coinselect

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// BenchmarkSelect10000UTXOs selects a typical 0.01 BTC payment at 10 sat/vB from 10,000
// confirmed coins of mixed script types and values between 1,000 sats and 1 BTC.
func BenchmarkSelect10000UTXOs(b *testing.B) {
	r := rand.New(rand.NewPCG(10_000, 1))
	us := make([]UTXO, 10_000)
	for i := range us {
		// Log-uniform values: 10^3 .. 10^8 sats.
		v := int64(1000)
		for e := r.IntN(5); e > 0; e-- {
			v *= 10
		}
		v += r.Int64N(v * 9)
		us[i] = NewUTXO(wire.OutPoint{Index: uint32(i)}, v, 3, propertyShapes[r.IntN(len(propertyShapes))])
	}
	req := Request{Params: Params{FeeRate: SatPerVByte(10), ChangeType: P2WPKH, Seed: 1}, UTXOs: us, Outputs: pay(1_000_000)}
	res, err := Select(req)
	require.NoError(b, err)
	checkInvariants(b, req, res)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Select(req); err != nil {
			b.Fatal(err)
		}
	}
}
