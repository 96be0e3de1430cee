package descriptor

import (
	"testing"

	"github.com/specterpwa/specter/shared/network"
)

// BenchmarkDeriveWshSortedMulti2of3 derives 10,000 testnet addresses of a
// 2-of-3 wsh(sortedmulti) per iteration, as a wallet rescan would.
func BenchmarkDeriveWshSortedMulti2of3(b *testing.B) {
	desc := "wsh(sortedmulti(2"
	for seed := byte(1); seed <= 3; seed++ {
		tpub, fp := testAccount(b, seed)
		desc += ",[" + fp.String() + "/48h/1h/0h/2h]" + tpub + "/0/*"
	}
	desc += "))"
	d, err := Parse(desc)
	if err != nil {
		b.Fatal(err)
	}
	const perIteration = 10000
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i := uint32(0); i < perIteration; i++ {
			if _, err := d.Address(i, network.Test); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perIteration), "ns/address")
}
