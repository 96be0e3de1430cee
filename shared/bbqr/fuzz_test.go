package bbqr

import (
	"strings"
	"testing"
)

// FuzzJoin splits arbitrary text into scanned lines and joins them: it
// must never panic, and a successful join of a split must round-trip.
func FuzzJoin(f *testing.F) {
	f.Add("B$HP0100AABB")
	f.Add("B$2U0200GE\nB$2U0201GE")
	f.Add("B$ZU0100" + b32.EncodeToString(compress([]byte("hello hello hello hello"))))
	f.Add("B$ZB0100" + b32.EncodeToString([]byte{0x63, 0x18, 0x05, 0xa3, 0x60, 0x14, 0x0c}))
	f.Add("B$HPZZZY00")
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		j := NewJoiner()
		for _, l := range lines {
			_ = j.Add(l)
		}
		_ = j.Missing()
		ft, data, err := j.Result()
		if err != nil {
			return
		}
		if !ft.Valid() {
			t.Fatalf("joined with invalid file type %q", ft)
		}
		if len(data) > MaxDecompressedLen {
			t.Fatalf("output %d bytes over the limit", len(data))
		}
	})
}

// FuzzSplitJoin checks that anything split joins back to the same bytes.
func FuzzSplitJoin(f *testing.F) {
	f.Add([]byte("psbt\xff"), byte('Z'), 5)
	f.Add([]byte(strings.Repeat("abc", 500)), byte('H'), 1)
	f.Add([]byte{0, 1, 2, 3}, byte('2'), 40)
	f.Fuzz(func(t *testing.T, data []byte, enc byte, maxV int) {
		if len(data) == 0 || len(data) > 20000 {
			return
		}
		e := []Encoding{Hex, Base32, Zlib}[int(enc)%3]
		v := maxV%40 + 1
		if v < 1 {
			v += 40
		}
		s, err := SplitData(data, Binary, SplitOptions{Encoding: e, MaxVersion: v})
		if err != nil {
			return // may not fit in 1295 parts of a small version
		}
		ft, got, err := Join(s.Parts)
		if err != nil || ft != Binary || string(got) != string(data) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}
