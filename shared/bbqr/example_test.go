package bbqr_test

import (
	"bytes"
	"fmt"

	"github.com/specterpwa/specter/shared/bbqr"
)

// Split a PSBT into BBQr frames no denser than QR version 15, then join
// the frames as a camera delivers them: out of order, with repeats.
func Example() {
	psbt := append([]byte("psbt\xff"), bytes.Repeat([]byte{0x00, 0x11, 0x22, 0x33}, 1000)...)
	split, err := bbqr.SplitData(psbt, bbqr.PSBT, bbqr.SplitOptions{Encoding: bbqr.Hex, MaxVersion: 15})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("version", split.Version, "parts", len(split.Parts), split.Parts[0][:8])
	j := bbqr.NewJoiner()
	for _, i := range []int{3, 0, 3, 2, 1, 4, 5, 6, 7, 8, 9, 10} {
		if i < len(split.Parts) {
			_ = j.Add(split.Parts[i])
		}
	}
	ft, data, err := j.Result()
	fmt.Println(ft, bytes.Equal(data, psbt), err)
	// Output:
	// version 15 parts 11 B$HP0B00
	// PSBT true <nil>
}
