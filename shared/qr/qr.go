// Package qr draws QR codes (ISO/IEC 18004) for the PWA: a module grid the
// UI paints on a canvas, an accessible SVG, and a PNG for printed backups.
//
// The encoder (github.com/skip2/go-qrcode) splits the text into numeric,
// alphanumeric and byte segments and merges them where that is shorter, so
// text made only of the 45 alphanumeric characters (0-9, A-Z, space and
// $%*+-./:) is written in alphanumeric mode: 5.5 bits a character instead of
// 8. Upper-case BC-UR parts (BCR-2020-005 recommends upper case for QR) and
// BBQr parts (BBQr.md: base32 or hex, always upper case) therefore take the
// smallest QR version; IsAlphanumeric tells whether a text qualifies.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Level is the error correction level of ISO/IEC 18004 (section 6.5.1):
// the share of the symbol that can be damaged and still read.
type Level int

// Error correction levels.
const (
	// Low (L) recovers about 7%: the level of animated QR sequences (BBQr.md
	// and BC-UR wallets use L to keep each frame small).
	Low Level = iota
	// Medium (M) recovers about 15%: the usual level for a static QR code.
	Medium
	// Quartile (Q) recovers about 25%.
	Quartile
	// High (H) recovers about 30%: for printed backups that may be damaged.
	High
)

// QuietZone is the light border, in modules, that ISO/IEC 18004 (section
// 6.3.8) requires around a symbol. Matrix includes it.
const QuietZone = 4

// maxTextLen bounds the text: a version 40 symbol holds 7089 digits at most.
const maxTextLen = 7089

func (l Level) recovery() (qrcode.RecoveryLevel, error) {
	switch l {
	case Low:
		return qrcode.Low, nil
	case Medium:
		return qrcode.Medium, nil
	case Quartile:
		return qrcode.High, nil // go-qrcode names Q "High"
	case High:
		return qrcode.Highest, nil // and H "Highest"
	}
	return 0, fmt.Errorf("QR error correction level %d is unknown: use Low, Medium, Quartile or High", int(l))
}

// String is the level's letter (L, M, Q or H).
func (l Level) String() string {
	if l >= Low && l <= High {
		return string("LMQH"[l])
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// Code is an encoded QR symbol.
type Code struct {
	// Version is the symbol version, 1 to 40 (21 to 177 modules a side).
	Version int
	// Level is the error correction level.
	Level Level
	// Modules is the module grid, Modules[y][x] true for a dark module,
	// with the QuietZone border included on every side.
	Modules [][]bool
}

// IsAlphanumeric reports whether every character of s is one of the 45 of
// the QR alphanumeric mode (ISO/IEC 18004 table 5): such text is encoded at
// 5.5 bits a character. Lower-case letters are not among them.
func IsAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || strings.IndexByte(" $%*+-./:", c) >= 0) {
			return false
		}
	}
	return true
}

// Encode encodes text at the given level in the smallest version that
// holds it, choosing numeric, alphanumeric or byte mode per segment.
func Encode(text string, level Level) (*Code, error) {
	rl, err := level.recovery()
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, errors.New("nothing to show as a QR code: the text is empty")
	}
	if len(text) > maxTextLen {
		return nil, fmt.Errorf("%d characters do not fit in one QR code (at most 4296 alphanumeric or 2953 bytes): show it as an animated QR or a file", len(text))
	}
	q, err := qrcode.New(text, rl)
	if err != nil {
		return nil, fmt.Errorf("%d characters do not fit in one QR code at level %s: lower the error correction level, or show it as an animated QR or a file (%v)", len(text), level, err)
	}
	return &Code{Version: q.VersionNumber, Level: level, Modules: q.Bitmap()}, nil
}

// Matrix returns the module grid of text (see Code.Modules) for the UI to
// draw on a canvas or as SVG.
func Matrix(text string, level Level) ([][]bool, error) {
	c, err := Encode(text, level)
	if err != nil {
		return nil, err
	}
	return c.Modules, nil
}

// SVG returns text as a QR code at level Medium in a standalone SVG
// document: one path of unit squares on a white background, scalable to
// any size, with role="img", a <title> (the accessible name, title) and a
// <desc> giving the text encoded. An empty title becomes "QR code".
func SVG(text, title string) (string, error) {
	c, err := Encode(text, Medium)
	if err != nil {
		return "", err
	}
	return c.SVG(title), nil
}

// SVG writes the code as an SVG document (see the function SVG).
func (c *Code) SVG(title string) string {
	if title == "" {
		title = "QR code"
	}
	n := len(c.Modules)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-labelledby="qr-title qr-desc">`, n, n)
	fmt.Fprintf(&b, `<title id="qr-title">%s</title><desc id="qr-desc">%s</desc>`, html.EscapeString(title), html.EscapeString(c.describe()))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range c.Modules {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}

func (c *Code) describe() string {
	return fmt.Sprintf("QR code version %d, error correction %s", c.Version, c.Level)
}

// PNG returns text as a QR code at level High in a black-and-white PNG
// image of about size pixels a side, for printing: every module is the same
// whole number of pixels (at least 1), so the image is the largest multiple
// of the module count not above size, or the module count itself when size
// is smaller.
func PNG(text string, size int) ([]byte, error) {
	c, err := Encode(text, High)
	if err != nil {
		return nil, err
	}
	return c.PNG(size)
}

// PNG draws the code (see the function PNG).
func (c *Code) PNG(size int) ([]byte, error) {
	n := len(c.Modules)
	if size <= 0 || size > 8192 {
		return nil, fmt.Errorf("QR image size %d pixels is outside 1..8192", size)
	}
	scale := max(size/n, 1)
	img := image.NewPaletted(image.Rect(0, 0, n*scale, n*scale), color.Palette{color.White, color.Black})
	for y, row := range c.Modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				off := img.PixOffset(x*scale, y*scale+dy)
				for dx := 0; dx < scale; dx++ {
					img.Pix[off+dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("writing the QR image: %w", err)
	}
	return buf.Bytes(), nil
}
