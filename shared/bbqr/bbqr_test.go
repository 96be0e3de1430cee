package bbqr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type specTables struct {
	SizeEstimates []struct {
		Version, Chars, Payload, Split2, Split5, Split10, Split20 int
	} `json:"size_estimates"`
	Capacity       []int `json:"qr_alnum_capacity_L"`
	ExampleHeaders struct {
		Parts      int   `json:"parts"`
		HexDigits  []int `json:"hex_digits"`
		TotalBytes int   `json:"total_bytes"`
	} `json:"example_headers"`
	RealScan struct {
		FileType      string   `json:"file_type"`
		Contains      []string `json:"contains"`
		DecodedLength int      `json:"decoded_length"`
		DecodedPrefix string   `json:"decoded_prefix"`
	} `json:"real_scan"`
}

func loadTables(t *testing.T) specTables {
	t.Helper()
	raw, err := os.ReadFile("testdata/bbqr-spec-tables.json")
	require.NoError(t, err)
	var s specTables
	require.NoError(t, json.Unmarshal(raw, &s))
	return s
}

func realScanLines(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("testdata/real-scan.txt")
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return lines
}

func TestJoin_RealScanFromReferenceRepo(t *testing.T) {
	want := loadTables(t).RealScan
	lines := realScanLines(t)
	require.Len(t, lines, 26)
	ft, data, err := Join(lines)
	require.NoError(t, err)
	require.Equal(t, want.FileType, string(rune(ft)))
	require.Equal(t, UnicodeText, ft)
	for _, s := range want.Contains {
		require.Contains(t, string(data), s)
	}
	require.Len(t, data, want.DecodedLength)
	require.True(t, strings.HasPrefix(string(data), want.DecodedPrefix))

	// Same result from the 8 distinct parts in reverse order.
	distinct := map[string]bool{}
	var uniq []string
	for _, l := range lines {
		if !distinct[l] {
			distinct[l] = true
			uniq = append(uniq, l)
		}
	}
	require.Len(t, uniq, 8)
	slices.Reverse(uniq)
	_, data2, err := Join(uniq)
	require.NoError(t, err)
	require.Equal(t, data, data2)
}

func TestJoiner_RealScanProgressAndMissingParts(t *testing.T) {
	lines := realScanLines(t)
	j := NewJoiner()
	for _, l := range lines[:5] { // parts 01, 03, 04, 05, 06
		require.NoError(t, j.Add(l))
	}
	require.Equal(t, 8, j.Total())
	require.Equal(t, 5, j.Received())
	require.False(t, j.IsComplete())
	require.Equal(t, []int{0, 2, 7}, j.Missing())
	_, _, err := j.Result()
	require.EqualError(t, err, "BBQr series incomplete: 3 of 8 parts missing (part 1, 3, 8): keep scanning")
	for _, l := range lines[5:] {
		require.NoError(t, j.Add(l))
	}
	require.True(t, j.IsComplete())
	ft, _, err := j.Result()
	require.NoError(t, err)
	require.Equal(t, UnicodeText, ft)
}

func TestJoin_SpecExampleHeaders2150BytePSBT(t *testing.T) {
	ex := loadTables(t).ExampleHeaders
	data := randomBytes(rand.New(rand.NewPCG(7, 7)), ex.TotalBytes, false)
	copy(data, "psbt\xff")
	hexed := strings.ToUpper(fmt.Sprintf("%x", data))
	var parts []string
	off := 0
	for i, n := range ex.HexDigits {
		parts = append(parts, fmt.Sprintf("B$HP03%02d", i)+hexed[off:off+n])
		off += n
	}
	require.Equal(t, len(hexed), off)
	require.Len(t, parts[0], 2008)
	ft, got, err := Join([]string{parts[2], parts[0], parts[1]})
	require.NoError(t, err)
	require.Equal(t, PSBT, ft)
	require.Equal(t, data, got)
}

func TestVersionChars_ReferenceCapacityTable(t *testing.T) {
	tables := loadTables(t)
	for v := 1; v <= 40; v++ {
		got, err := VersionChars(v)
		require.NoError(t, err)
		require.Equal(t, tables.Capacity[v-1], got, "version %d", v)
	}
	for _, row := range tables.SizeEstimates {
		got, _ := VersionChars(row.Version)
		require.Equal(t, row.Chars, got, "version %d", row.Version)
		require.Equal(t, row.Payload, (got-HeaderLen)/2, "hex payload, version %d", row.Version)
	}
	_, err := VersionChars(41)
	require.Error(t, err)
}

// TestSplit_SpecSizeEstimates: at each version of the table, exactly
// N*payload bytes in hex need N parts and one byte more needs N+1.
func TestSplit_SpecSizeEstimates(t *testing.T) {
	for _, row := range loadTables(t).SizeEstimates {
		for n, size := range map[int]int{1: row.Payload, 2: row.Split2, 5: row.Split5, 10: row.Split10, 20: row.Split20} {
			t.Run(fmt.Sprintf("v%d_%dparts", row.Version, n), func(t *testing.T) {
				opts := SplitOptions{Encoding: Hex, MinVersion: row.Version, MaxVersion: row.Version}
				s, err := SplitData(make([]byte, size), Binary, opts)
				require.NoError(t, err)
				require.Len(t, s.Parts, n)
				require.Equal(t, row.Version, s.Version)
				for _, p := range s.Parts {
					require.LessOrEqual(t, len(p), row.Chars)
				}
				s, err = SplitData(make([]byte, size+1), Binary, opts)
				require.NoError(t, err)
				require.Len(t, s.Parts, n+1)
			})
		}
	}
}

func TestSplit_HeaderAndPartLayout(t *testing.T) {
	data := bytes.Repeat([]byte{0xab}, 3000)
	s, err := SplitData(data, Transaction, SplitOptions{Encoding: Hex, MaxVersion: 20})
	require.NoError(t, err)
	// 6000 hex digits; v20 holds 1249-8=1241, rounded down to 1240: 5 parts.
	require.Equal(t, 20, s.Version)
	require.Equal(t, Hex, s.Encoding)
	require.Len(t, s.Parts, 5)
	for i, p := range s.Parts {
		require.Equal(t, fmt.Sprintf("B$HT05%02d", i), p[:8])
		if i < 4 {
			require.Len(t, p, 8+1240)
		}
	}
	require.Len(t, s.Parts[4], 8+6000-4*1240)
}

func randomBytes(r *rand.Rand, n int, lowEntropy bool) []byte {
	if lowEntropy {
		return bytes.Repeat([]byte{'A'}, n)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestSplitJoin_ReferenceLoopback mirrors the reference test_loopback:
// every encoding, sizes, maximum versions and entropies, joined shuffled.
func TestSplitJoin_ReferenceLoopback(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, enc := range []Encoding{0, Hex, Base32, Zlib} {
		for _, size := range []int{10, 100, 2000, 10000, 50000} {
			for _, maxV := range []int{11, 29, 40} {
				for _, low := range []bool{true, false} {
					name := fmt.Sprintf("enc%q_size%d_maxv%d_low%v", string(rune(enc)), size, maxV, low)
					data := randomBytes(r, size, low)
					s, err := SplitData(data, PSBT, SplitOptions{Encoding: enc, MaxVersion: maxV})
					require.NoError(t, err, name)
					require.LessOrEqual(t, s.Version, maxV, name)
					if enc != 0 && s.Encoding != enc {
						require.Equal(t, Zlib, enc, name)
						require.Equal(t, Base32, s.Encoding, name)
					}
					capChars, _ := VersionChars(s.Version)
					for _, p := range s.Parts {
						require.LessOrEqual(t, len(p), capChars, name)
					}
					parts := slices.Clone(s.Parts)
					r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
					ft, got, err := Join(parts)
					require.NoError(t, err, name)
					require.Equal(t, PSBT, ft)
					require.Equal(t, data, got, name)
				}
			}
		}
	}
}

// TestSplit_ReferenceEdge27 mirrors test_edge27: sizes around the
// version 27 hex capacity of 1062 bytes, at most 2 parts.
func TestSplit_ReferenceEdge27(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, enc := range []Encoding{Hex, Base32, Zlib} {
		for size := 1060; size < 1080; size++ {
			for _, low := range []bool{true, false} {
				data := randomBytes(r, size, low)
				s, err := SplitData(data, Transaction, SplitOptions{Encoding: enc, MaxSplit: 2, MinVersion: 27, MaxVersion: 27})
				require.NoError(t, err)
				require.Equal(t, 27, s.Version)
				switch enc {
				case Hex:
					want := 2
					if size <= 1062 {
						want = 1
					}
					require.Len(t, s.Parts, want, "size %d", size)
				case Zlib:
					require.Len(t, s.Parts, 1)
					if low {
						require.Less(t, len(s.Parts[0]), 100)
					}
				case Base32:
					require.Len(t, s.Parts, 1)
				}
				_, got, err := Join(s.Parts)
				require.NoError(t, err)
				require.Equal(t, data, got)
			}
		}
	}
}

func TestSplit_ReferenceMinSplit(t *testing.T) {
	data := randomBytes(rand.New(rand.NewPCG(5, 6)), 10000, false)
	for minSplit := 2; minSplit < 10; minSplit++ {
		s, err := SplitData(data, Transaction, SplitOptions{Encoding: Base32, MinSplit: minSplit})
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(s.Parts), minSplit)
		ft, got, err := Join(s.Parts)
		require.NoError(t, err)
		require.Equal(t, Transaction, ft)
		require.Equal(t, data, got)
	}
}

// TestSplit_ReferenceMaxSize mirrors test_maxsize: the largest series,
// 1295 version-40 parts.
func TestSplit_ReferenceMaxSize(t *testing.T) {
	nc := 4296 - 8
	for enc, pkt := range map[Encoding]int{Hex: nc / 2, Base32: nc * 5 / 8} {
		data := randomBytes(rand.New(rand.NewPCG(8, 9)), pkt*MaxParts, false)
		s, err := SplitData(data, Transaction, SplitOptions{Encoding: enc, MinVersion: 40})
		require.NoError(t, err)
		require.Equal(t, 40, s.Version)
		require.Len(t, s.Parts, MaxParts)
		require.Equal(t, "ZZ", s.Parts[0][4:6])
		require.Equal(t, "ZY", s.Parts[MaxParts-1][6:8])
		_, got, err := Join(s.Parts)
		require.NoError(t, err)
		require.Equal(t, data, got)
		_, err = SplitData(append(data, 1), Transaction, SplitOptions{Encoding: enc, MinVersion: 40})
		require.ErrorContains(t, err, "do not fit")
	}
}

func TestBase36_ReferenceRange(t *testing.T) {
	for n := 0; n <= MaxParts; n++ {
		s := base36(n)
		require.Len(t, s, 2)
		require.Equal(t, strings.ToUpper(s), s)
		back, ok := parseBase36(s)
		require.True(t, ok)
		require.Equal(t, n, back)
	}
	_, ok := parseBase36("0$")
	require.False(t, ok)
}

func TestZlib_OutputStaysWithin1KiBWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	block := randomBytes(r, 1024, false)
	// Repeats at distance 1024 and 1500: only the first may be referenced.
	data := append(append(append([]byte{}, block...), block...), randomBytes(r, 476, false)...)
	data = append(data, data[1024:1024+600]...)
	z := encodeFixed(lz77(data))
	maxDist, out, err := inflateFixedForTest(z)
	require.NoError(t, err)
	require.Equal(t, data, out)
	require.LessOrEqual(t, maxDist, WindowSize)
	require.Equal(t, WindowSize, maxDist, "the distance-1024 repeat is used")
	got, err := decompress(z)
	require.NoError(t, err)
	require.Equal(t, data, got)
}

func TestJoin_ClearErrors(t *testing.T) {
	good, err := SplitData(bytes.Repeat([]byte("0123456789"), 300), JSON, SplitOptions{Encoding: Hex, MaxVersion: 10})
	require.NoError(t, err)
	require.Greater(t, len(good.Parts), 2)
	p0, p1 := good.Parts[0], good.Parts[1]
	cases := map[string]struct {
		parts []string
		msg   string
	}{
		"no parts":            {nil, "no BBQr part"},
		"not BBQr":            {[]string{"ur:bytes/abc"}, `start with "B$"`},
		"short":               {[]string{"B$HP01"}, "shorter than"},
		"bad encoding":        {[]string{"B$QP0100AA"}, "encoding"},
		"bad file type":       {[]string{"B$HQ0100AA"}, "file type"},
		"zero parts":          {[]string{"B$HP0000AA"}, "at least 01"},
		"index out of series": {[]string{"B$HP0202AA"}, "outside a series of 2"},
		"mixed series":        {[]string{p0, "B$2J" + p1[4:]}, "another series"},
		"dup differs":         {[]string{p0, p0[:len(p0)-2] + "00"}, "twice with different content"},
		"missing":             {[]string{p0, p1}, "missing"},
		"odd hex":             {[]string{"B$HP0100ABC"}, "odd number"},
		"bad hex":             {[]string{"B$HP0100ZZ"}, "not valid hex"},
		"bad base32 length":   {[]string{"B$2P0100A"}, "whole number of bytes"},
		"bad base32":          {[]string{"B$2P0100A1"}, "not valid base32"},
		"bad zlib":            {[]string{"B$ZP0100" + b32.EncodeToString([]byte{0xff, 0xff, 0xff})}, "zlib"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := Join(c.parts)
			require.ErrorContains(t, err, c.msg)
		})
	}
}

func TestSplit_RejectsBadOptions(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		ft   FileType
		opts SplitOptions
		msg  string
	}{
		"empty":        {nil, PSBT, SplitOptions{}, "empty"},
		"file type":    {[]byte{1}, 'Q', SplitOptions{}, "file type"},
		"encoding":     {[]byte{1}, PSBT, SplitOptions{Encoding: 'Q'}, "encoding"},
		"version":      {[]byte{1}, PSBT, SplitOptions{MaxVersion: 41}, "outside 1..40"},
		"split range":  {[]byte{1}, PSBT, SplitOptions{MinSplit: 3, MaxSplit: 2}, "part counts"},
		"cannot split": {[]byte{1}, PSBT, SplitOptions{MinSplit: 2}, "do not fit"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := SplitData(c.data, c.ft, c.opts)
			require.ErrorContains(t, err, c.msg)
		})
	}
}

func TestZlib_TokensNeverReachBeyondWindowAndBothCodesInflate(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	for n := 0; n < 60; n++ {
		size := 1 + r.IntN(6000)
		alphabet := 1 + r.IntN(256)
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(r.IntN(alphabet))
		}
		tokens := lz77(data)
		pos := 0
		for _, tk := range tokens {
			if tk.length == 0 {
				pos++
				continue
			}
			require.LessOrEqual(t, int(tk.dist), WindowSize)
			require.LessOrEqual(t, int(tk.dist), pos)
			require.GreaterOrEqual(t, int(tk.length), minMatch)
			pos += int(tk.length)
		}
		require.Equal(t, size, pos)
		for name, z := range map[string][]byte{"fixed": encodeFixed(tokens), "dynamic": encodeDynamic(tokens), "best": compress(data)} {
			got, err := decompress(z)
			require.NoError(t, err, "%s size %d alphabet %d", name, size, alphabet)
			require.Equal(t, data, got, name)
		}
	}
}

// TestZlib_AsSmallAsTheReferenceOnRealScan compresses the text carried by
// real-scan.txt and compares with what the reference encoder sent.
func TestZlib_AsSmallAsTheReferenceOnRealScan(t *testing.T) {
	lines := realScanLines(t)
	_, text, err := Join(lines)
	require.NoError(t, err)
	j := NewJoiner()
	for _, l := range lines {
		require.NoError(t, j.Add(l))
	}
	var refLen int
	for i := 0; i < j.Total(); i++ {
		refLen += len(j.parts[i]) * 5 / 8
	}
	ours := compress(text)
	t.Logf("reference zlib: %d bytes, ours: %d bytes, text %d bytes", refLen, len(ours), len(text))
	require.LessOrEqual(t, len(ours), refLen)
	got, err := decompress(ours)
	require.NoError(t, err)
	require.Equal(t, text, got)
}
