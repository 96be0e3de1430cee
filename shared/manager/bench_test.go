package manager

import (
	"testing"

	"github.com/specterpwa/specter/shared/network"
)

// BenchmarkSealSeedDefaultCost measures one scrypt (N=2^17, r=8, p=1) plus
// AES-GCM sealing: the time a user waits to create or unlock a hot device.
func BenchmarkSealSeedDefaultCost(b *testing.B) {
	for b.Loop() {
		if _, err := sealSeed(GoAESGCM{}, seedPlain{Mnemonic: "abandon"}, "correct horse battery", network.Main, DefaultScryptN); err != nil {
			b.Fatal(err)
		}
	}
}
