package psbt

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkSign100Input2of3 signs a 100-input 2-of-3 P2WSH spend with one key.
func BenchmarkSign100Input2of3(b *testing.B) {
	devs := threeDevices(b)
	w := wshWallet(b, devs)
	var utxos []UTXO
	var total int64
	for i := uint32(0); i < 100; i++ {
		u := fund(b, w, i, 10_000)
		utxos = append(utxos, u)
		total += u.Value
	}
	p, err := Create(w, CreateOptions{
		Inputs:  utxos,
		Outputs: []Recipient{{Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Amount: total - 20_000}},
	})
	require.NoError(b, err)
	raw, err := Serialize(p)
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		q, err := Parse(raw)
		require.NoError(b, err)
		b.StartTimer()
		res, err := Sign(q, devs[1].master)
		require.NoError(b, err)
		require.Equal(b, 100, res.Signatures)
	}
}
