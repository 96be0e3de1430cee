package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIconsRegularHaveTransparentCornersMaskableAreOpaque(t *testing.T) {
	cases := []struct {
		name     string
		size     int
		maskable bool
		corner   uint8 // alpha of the top-left pixel
	}{
		{"regular 192", 192, false, 0},
		{"regular 512", 512, false, 0},
		{"maskable 512 fills the safe-zone square", 512, true, 255},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := draw(tc.size, tc.maskable)
			require.Equal(t, tc.size, img.Bounds().Dx())
			require.Equal(t, tc.size, img.Bounds().Dy())
			require.Equal(t, tc.corner, img.NRGBAAt(0, 0).A)
			require.Equal(t, background, img.NRGBAAt(tc.size/2, tc.size/2), "the centre is the theme background")
			// The top key dot is orange (signed), at the ring's top.
			scale := 1.0
			if tc.maskable {
				scale = 0.8
			}
			y := int((0.5 - 0.28*scale) * float64(tc.size))
			require.Equal(t, accent, img.NRGBAAt(tc.size/2, y))
		})
	}
}
