package qr

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzEncode checks that any text either encodes to a square grid of the
// size its version implies or is refused with an error, never a panic.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", "A", "12345", "UR:BYTES/HDCXLKAHSSQZWFVSLOFZOXWKRE", "B$ZP0100FMUE", "\x00\xff", "bitcoin:tb1q?index=1"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, level uint8) {
		c, err := Encode(text, Level(level%5))
		if err != nil {
			return
		}
		require.GreaterOrEqual(t, c.Version, 1)
		require.LessOrEqual(t, c.Version, 40)
		n := 17 + 4*c.Version + 2*QuietZone
		require.Len(t, c.Modules, n)
		for _, row := range c.Modules {
			require.Len(t, row, n)
		}
	})
}
