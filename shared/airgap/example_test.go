package airgap_test

import (
	"encoding/hex"
	"fmt"

	"github.com/specterpwa/specter/shared/airgap"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/psbt"
)

// A PSBT goes to a Keystone as its default format, and what the camera
// reads back, in any order, is reassembled.
func Example() {
	// the BCR-2020-006 crypto-psbt example
	raw, _ := hex.DecodeString("70736274ff01009a020000000258e87a21b56daf0c23be8e7070456c336f7cbaa5c8757924f545887bb2abdd750000000000ffffffff838d0427d0ec650a68aa46bb0b098aea4422c071b2ca78352a077959d07cea1d0100000000ffffffff0270aaf00800000000160014d85c2b71d0060b09c9886aeb815e50991dda124d00e1f5050000000016001400aea9a2e5f0f876a588df5546e8742d1d87008f000000000000000000")
	profile, _ := airgap.ProfileFor(manager.TypeKeystone, airgap.ModelAny)
	frames, _ := airgap.Frames(airgap.Payload{Kind: airgap.KindPSBT, Data: raw}, profile.Default, airgap.DensityLow)
	fmt.Println(profile.Default, len(frames), frames[0][:22])

	c := airgap.NewCollector()
	for i := len(frames) - 1; i >= 0; i-- {
		p, _ := c.Add(frames[i])
		fmt.Printf("%d of %d\n", p.Received, p.Total)
	}
	got, _ := c.Result()
	packet, err := psbt.Decode(got.Data)
	fmt.Println(got.Kind, got.Source, err == nil && packet != nil)
	// Output:
	// ur 3 UR:CRYPTO-PSBT/1-3/LPA
	// 1 of 3
	// 2 of 3
	// 3 of 3
	// psbt ur:crypto-psbt true
}
