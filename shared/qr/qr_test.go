package qr

import (
	"bytes"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/bbqr"
)

// decodePNG reads a QR code back with ZXing (the Go port), as a camera
// would.
func decodePNG(t *testing.T, data []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
	require.NoError(t, err)
	return res.GetText()
}

const urPart = "ur:crypto-psbt/1-3/lpadaxcsencylobemohsgmoyadhdeynteelblrcygldwvarflojtcywyjytpdkfwprylienshnjnpluypmamtkmybsjkspvseesawmrltdlnlgkplfbkqzzoglfeoyaegsnedtrowsdpgtimmwzspfqdjkhshyfzckrdkbflcasscaadrpvkkbgydsfxwkocgefxtaegcsmwyljeyjwsmkbsotaajt"

func TestEncode_ZXingReadsBackEveryLevelAndMode(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"upper-case UR part (alphanumeric)", strings.ToUpper(urPart)},
		{"lower-case UR part (byte)", urPart},
		{"digits only (numeric)", "12345678901234567890123456789"},
		{"mixed segments", "bitcoin:BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ?index=12"},
		{"UTF-8 wallet name", "addwallet Fée&wsh(sortedmulti(2,A,B))"},
	}
	for _, tc := range tests {
		for _, level := range []Level{Low, Medium, Quartile, High} {
			t.Run(tc.name+" level "+level.String(), func(t *testing.T) {
				c, err := Encode(tc.text, level)
				require.NoError(t, err)
				require.Equal(t, level, c.Level)
				require.Len(t, c.Modules, 17+4*c.Version+2*QuietZone)
				img, err := c.PNG(4 * len(c.Modules))
				require.NoError(t, err)
				require.Equal(t, tc.text, decodePNG(t, img))
			})
		}
	}
}

func TestEncode_UpperCaseURUsesAlphanumericModeAndASmallerVersion(t *testing.T) {
	upper, err := Encode(strings.ToUpper(urPart), Low)
	require.NoError(t, err)
	lower, err := Encode(urPart, Low)
	require.NoError(t, err)
	// 241 characters at level L: byte mode needs version 10 (230 bytes of
	// version 9 < 241 <= 271); alphanumeric mode version 8 (224 of version 7
	// < 241 <= 279)
	require.Len(t, urPart, 241)
	require.Equal(t, 8, upper.Version)
	require.Equal(t, 10, lower.Version)
	require.True(t, IsAlphanumeric(strings.ToUpper(urPart)))
	require.False(t, IsAlphanumeric(urPart))
}

func TestEncode_BBQrPartsFitTheVersionBBQrChose(t *testing.T) {
	data := bytes.Repeat([]byte("multisig setup text, 2 of 3\n"), 80)
	for _, enc := range []bbqr.Encoding{bbqr.Hex, bbqr.Base32, bbqr.Zlib} {
		for _, maxV := range []int{7, 12, 20} {
			split, err := bbqr.SplitData(data, bbqr.UnicodeText, bbqr.SplitOptions{Encoding: enc, MaxVersion: maxV})
			require.NoError(t, err)
			for _, part := range split.Parts {
				c, err := Encode(part, Low)
				require.NoError(t, err)
				require.LessOrEqual(t, c.Version, split.Version, "part %s", part[:8])
			}
		}
	}
}

func TestIsAlphanumeric_Table5Characters(t *testing.T) {
	require.True(t, IsAlphanumeric("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"))
	for _, s := range []string{"a", "#", "?", "=", "&", "é", "\n", "_"} {
		require.False(t, IsAlphanumeric("AB"+s), s)
	}
}

func TestEncode_RejectsWhatCannotBeAQRCode(t *testing.T) {
	_, err := Encode("", Medium)
	require.EqualError(t, err, "nothing to show as a QR code: the text is empty")
	_, err = Encode("x", Level(7))
	require.EqualError(t, err, "QR error correction level 7 is unknown: use Low, Medium, Quartile or High")
	_, err = Encode(strings.Repeat("x", 2954), Low)
	require.ErrorContains(t, err, "2954 characters do not fit in one QR code at level L")
	_, err = Encode(strings.Repeat("x", 8000), Low)
	require.EqualError(t, err, "8000 characters do not fit in one QR code (at most 4296 alphanumeric or 2953 bytes): show it as an animated QR or a file")
	// byte mode's maximum at L does fit
	c, err := Encode(strings.Repeat("x", 2953), Low)
	require.NoError(t, err)
	require.Equal(t, 40, c.Version)
}

func TestMatrix_IsTheCodesModules(t *testing.T) {
	m, err := Matrix("HELLO", Medium)
	require.NoError(t, err)
	require.Len(t, m, 21+2*QuietZone)
	for i := 0; i < QuietZone; i++ {
		require.Equal(t, make([]bool, len(m)), m[i], "quiet zone row %d", i)
	}
	// the finder pattern's top-left corner is dark
	require.True(t, m[QuietZone][QuietZone])
}

func TestSVG_AccessibleAndDrawsEveryDarkModule(t *testing.T) {
	text := "bitcoin:tb1qxyz?index=3&label=<Vault>"
	svg, err := SVG(text, "Address 3 of <Vault>")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 37 37" shape-rendering="crispEdges" role="img" aria-labelledby="qr-title qr-desc"><title id="qr-title">Address 3 of &lt;Vault&gt;</title><desc id="qr-desc">QR code version 3, error correction M</desc>`), svg)
	require.True(t, strings.HasSuffix(svg, `"/></svg>`))

	// redraw the grid from the path's runs
	c, err := Encode(text, Medium)
	require.NoError(t, err)
	got := make([][]bool, len(c.Modules))
	for i := range got {
		got[i] = make([]bool, len(c.Modules))
	}
	re := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		x, y, run := atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3])
		require.Equal(t, m[3], m[4])
		for i := 0; i < run; i++ {
			got[y][x+i] = true
		}
	}
	require.Equal(t, c.Modules, got)

	def, err := SVG("A", "")
	require.NoError(t, err)
	require.Contains(t, def, `<title id="qr-title">QR code</title>`)
}

func atoi(t *testing.T, s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestPNG_WholePixelModulesForPrinting(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		wantWidth int
	}{
		{"300 px for 41 modules gives 7 px modules", 300, 287},
		{"exact multiple", 369, 369},
		{"smaller than the grid gives 1 px modules", 10, 41},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// 31 bytes at level H: version 4, 33 modules and the quiet zone
			data, err := PNG("descriptor backup text, level H", tc.size)
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(data))
			require.NoError(t, err)
			require.Equal(t, tc.wantWidth, img.Bounds().Dx())
			require.Equal(t, tc.wantWidth, img.Bounds().Dy())
			if tc.wantWidth >= 4*41 {
				require.Equal(t, "descriptor backup text, level H", decodePNG(t, data))
			}
		})
	}
	_, err := PNG("x", 0)
	require.EqualError(t, err, "QR image size 0 pixels is outside 1..8192")
}
