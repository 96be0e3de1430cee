// Command icons draws the PWA's app icons (W3C Web App Manifest "icons",
// with a "maskable" variant whose artwork stays inside the 80% safe zone) as
// PNG files: a 2-of-3 multisig mark, three key dots on a ring, on the theme
// colour. Run from the repository root: go run ./internal/tools/icons web/icons
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// Theme colours, the same as manifest.json's theme_color and background_color.
var (
	background = color.NRGBA{0x11, 0x18, 0x27, 0xff} // #111827
	accent     = color.NRGBA{0xf7, 0x93, 0x1a, 0xff} // #f7931a
	light      = color.NRGBA{0xe5, 0xe7, 0xeb, 0xff} // #e5e7eb
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: icons OUTDIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	for _, icon := range []struct {
		name     string
		size     int
		maskable bool
	}{
		{"icon-192.png", 192, false},
		{"icon-512.png", 512, false},
		{"maskable-512.png", 512, true},
	} {
		if err := write(filepath.Join(dir, icon.name), draw(icon.size, icon.maskable)); err != nil {
			fmt.Fprintln(os.Stderr, "icons:", err)
			os.Exit(1)
		}
	}
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return f.Close()
}

// draw renders the icon with 4x4 supersampling. A regular icon is a rounded
// square on a transparent background; a maskable one fills the whole square
// and keeps the mark within the central 80% circle.
func draw(size int, maskable bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	scale := 1.0
	if maskable {
		scale = 0.8
	}
	const ss = 4
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					px := (float64(x) + (float64(sx)+0.5)/ss) / s
					py := (float64(y) + (float64(sy)+0.5)/ss) / s
					c, ok := sample(px, py, scale, maskable)
					if !ok {
						continue
					}
					r += float64(c.R)
					g += float64(c.G)
					b += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / (ss * ss))})
		}
	}
	return img
}

// sample returns the colour at (x, y) in unit coordinates, or false where the
// icon is transparent.
func sample(x, y, scale float64, maskable bool) (color.NRGBA, bool) {
	if !maskable && !inRoundedSquare(x, y, 0.18) {
		return color.NRGBA{}, false
	}
	// Map into the mark's own coordinates, centred, scaled into the safe zone.
	mx, my := (x-0.5)/scale, (y-0.5)/scale
	d := math.Hypot(mx, my)
	const ring, ringW, dotR = 0.28, 0.035, 0.085
	for i := 0; i < 3; i++ {
		ang := -math.Pi/2 + float64(i)*2*math.Pi/3
		cx, cy := ring*math.Cos(ang), ring*math.Sin(ang)
		if math.Hypot(mx-cx, my-cy) <= dotR {
			if i < 2 { // two of three keys signed
				return accent, true
			}
			return light, true
		}
	}
	if math.Abs(d-ring) <= ringW/2 {
		return light, true
	}
	return background, true
}

func inRoundedSquare(x, y, radius float64) bool {
	dx := math.Max(math.Max(radius-x, x-(1-radius)), 0)
	dy := math.Max(math.Max(radius-y, y-(1-radius)), 0)
	return dx*dx+dy*dy <= radius*radius
}
