// Package bbqr implements Coinkite's BBQr "Better Bitcoin QR" protocol
// (BBQr.md, coinkite/BBQr): binary data split over a series of QR codes
// in alphanumeric mode, each starting with the 8-character header
// "B$" + encoding + file type + total parts + part index (two base-36
// digits each), joinable in any order. Splitting follows the reference
// implementation's choice of QR version and part size.
package bbqr

import (
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// HeaderLen is the length of the header at the start of every part.
const HeaderLen = 8

// MaxParts is the largest number of parts ("ZZ" in base 36).
const MaxParts = 1295

// Encoding is the third header character: how the data is written.
type Encoding byte

// Encodings of BBQr.md; receivers must accept all three.
const (
	Hex    Encoding = 'H' // upper-case hexadecimal
	Base32 Encoding = '2' // RFC 4648 base32 without padding
	Zlib   Encoding = 'Z' // raw deflate (wbits=10), then base32
)

func (e Encoding) valid() bool { return e == Hex || e == Base32 || e == Zlib }

// FileType is the fourth header character: what the data is.
type FileType byte

// File types of BBQr.md.
const (
	PSBT        FileType = 'P' // BIP174 PSBT
	Transaction FileType = 'T' // signed wire transaction
	JSON        FileType = 'J' // JSON
	CBOR        FileType = 'C' // CBOR
	UnicodeText FileType = 'U' // UTF-8 text
	Binary      FileType = 'B' // generic binary
	Executable  FileType = 'X' // executable / experimental
)

var fileTypeNames = map[FileType]string{
	PSBT: "PSBT", Transaction: "Transaction", JSON: "JSON", CBOR: "CBOR",
	UnicodeText: "Unicode Text", Binary: "Binary", Executable: "Executable",
}

// String is the human name of the file type.
func (f FileType) String() string {
	if n, ok := fileTypeNames[f]; ok {
		return n
	}
	return fmt.Sprintf("unknown type %q", string(rune(f)))
}

// Valid reports whether f is a file type BBQr.md defines.
func (f FileType) Valid() bool { _, ok := fileTypeNames[f]; return ok }

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// base36 returns the two-digit upper-case base-36 form of n (0..1295).
func base36(n int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	return string([]byte{digits[n/36], digits[n%36]})
}

func parseBase36(s string) (int, bool) {
	if len(s) != 2 {
		return 0, false
	}
	n := 0
	for i := 0; i < 2; i++ {
		c := s[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		default:
			return 0, false
		}
		n = n*36 + d
	}
	return n, true
}

// Header is the parsed 8-character prefix of a part.
type Header struct {
	Encoding Encoding
	FileType FileType
	Total    int // number of parts in the series
	Index    int // this part, 0-based
}

// ParseHeader reads the header of one scanned part.
func ParseHeader(part string) (Header, error) {
	if len(part) < HeaderLen {
		return Header{}, fmt.Errorf("BBQr part is %d characters, shorter than the %d-character header", len(part), HeaderLen)
	}
	if part[:2] != "B$" {
		return Header{}, errors.New(`not a BBQr part: it must start with "B$"`)
	}
	h := Header{Encoding: Encoding(part[2]), FileType: FileType(part[3])}
	if !h.Encoding.valid() {
		return Header{}, fmt.Errorf("BBQr encoding %q is unknown: expected H, 2 or Z", part[2:3])
	}
	if !h.FileType.Valid() {
		return Header{}, fmt.Errorf("BBQr file type %q is unknown: expected one of P, T, J, C, U, B, X", part[3:4])
	}
	var ok bool
	if h.Total, ok = parseBase36(part[4:6]); !ok || h.Total < 1 {
		return Header{}, fmt.Errorf("BBQr part count %q must be two base-36 digits, at least 01", part[4:6])
	}
	if h.Index, ok = parseBase36(part[6:8]); !ok {
		return Header{}, fmt.Errorf("BBQr part index %q must be two base-36 digits", part[6:8])
	}
	if h.Index >= h.Total {
		return Header{}, fmt.Errorf("BBQr part index %d is outside a series of %d parts", h.Index, h.Total)
	}
	return h, nil
}

// Joiner collects the parts of one BBQr series scanned in any order, with
// repeats, and decodes the data once all parts are in.
type Joiner struct {
	first  *Header
	prefix string
	parts  map[int]string
}

// NewJoiner returns an empty joiner.
func NewJoiner() *Joiner { return &Joiner{parts: map[int]string{}} }

// Add takes one scanned part. An error means the part was rejected
// (malformed, from another series, or a repeat with different content);
// the joiner keeps its state.
func (j *Joiner) Add(part string) error {
	part = strings.TrimSpace(part)
	h, err := ParseHeader(part)
	if err != nil {
		return err
	}
	if j.first == nil {
		j.first = &h
		j.prefix = part[:6]
	} else if part[:6] != j.prefix {
		return fmt.Errorf("BBQr part %q belongs to another series than %q (encoding, file type and part count must match)", part[:6], j.prefix)
	}
	body := part[HeaderLen:]
	if prev, ok := j.parts[h.Index]; ok {
		if prev != body {
			return fmt.Errorf("BBQr part %d was scanned twice with different content", h.Index+1)
		}
		return nil
	}
	j.parts[h.Index] = body
	return nil
}

// Received is the number of distinct parts received.
func (j *Joiner) Received() int { return len(j.parts) }

// Total is the number of parts in the series, 0 before the first part.
func (j *Joiner) Total() int {
	if j.first == nil {
		return 0
	}
	return j.first.Total
}

// IsComplete reports whether every part has been received.
func (j *Joiner) IsComplete() bool { return j.first != nil && len(j.parts) == j.first.Total }

// Missing lists the 0-based indexes of the parts not yet received.
func (j *Joiner) Missing() []int {
	var out []int
	for i := 0; i < j.Total(); i++ {
		if _, ok := j.parts[i]; !ok {
			out = append(out, i)
		}
	}
	return out
}

// Result decodes the complete series.
func (j *Joiner) Result() (FileType, []byte, error) {
	if j.first == nil {
		return 0, nil, errors.New("no BBQr part scanned yet")
	}
	if miss := j.Missing(); len(miss) > 0 {
		names := make([]string, 0, min(len(miss), 10))
		for _, m := range miss[:min(len(miss), 10)] {
			names = append(names, fmt.Sprint(m+1))
		}
		more := ""
		if len(miss) > 10 {
			more = fmt.Sprintf(" and %d more", len(miss)-10)
		}
		return 0, nil, fmt.Errorf("BBQr series incomplete: %d of %d parts missing (part %s%s): keep scanning", len(miss), j.first.Total, strings.Join(names, ", "), more)
	}
	bodies := make([]string, j.first.Total)
	for i := range bodies {
		bodies[i] = j.parts[i]
	}
	data, err := decodeData(bodies, j.first.Encoding)
	if err != nil {
		return 0, nil, err
	}
	return j.first.FileType, data, nil
}

// Join decodes a complete series given in any order, repeats allowed
// (coinkite/BBQr join_qrs).
func Join(parts []string) (FileType, []byte, error) {
	j := NewJoiner()
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		if err := j.Add(p); err != nil {
			return 0, nil, err
		}
	}
	return j.Result()
}

// decodeData decodes the ordered part bodies; each must decode to whole
// bytes on its own, as BBQr.md requires.
func decodeData(bodies []string, enc Encoding) ([]byte, error) {
	var raw []byte
	for i, b := range bodies {
		var chunk []byte
		var err error
		if enc == Hex {
			if len(b)%2 != 0 {
				return nil, fmt.Errorf("BBQr part %d has an odd number of hex digits", i+1)
			}
			chunk, err = hex.DecodeString(b)
		} else {
			if r := len(b) % 8; r == 1 || r == 3 || r == 6 {
				return nil, fmt.Errorf("BBQr part %d has %d base32 characters, which is not a whole number of bytes", i+1, len(b))
			}
			chunk, err = b32.DecodeString(b)
		}
		if err != nil {
			return nil, fmt.Errorf("BBQr part %d is not valid %s: %w", i+1, encodingName(enc), err)
		}
		raw = append(raw, chunk...)
	}
	if enc == Zlib {
		return decompress(raw)
	}
	return raw, nil
}

func encodingName(e Encoding) string {
	switch e {
	case Hex:
		return "hex"
	case Zlib:
		return "base32 (zlib)"
	default:
		return "base32"
	}
}

// encodeData writes raw in the requested encoding; Zlib falls back to
// Base32 when compression does not make the data smaller (as the
// reference does). It returns the encoding used, the text and the
// granularity at which the text may be split (2 hex digits, 8 base32
// characters = 5 bytes).
func encodeData(raw []byte, enc Encoding) (Encoding, string, int) {
	if enc == Hex {
		return Hex, strings.ToUpper(hex.EncodeToString(raw)), 2
	}
	if enc == Zlib {
		if z := compress(raw); len(z) < len(raw) {
			raw = z
		} else {
			enc = Base32
		}
	}
	return enc, b32.EncodeToString(raw), 8
}

// qrAlnumCapacityL is the number of alphanumeric characters a QR code of
// version 1..40 holds at error correction level L (the pyqrcode table the
// reference uses; index 0 unused).
var qrAlnumCapacityL = [41]int{0,
	25, 47, 77, 114, 154, 195, 224, 279, 335, 395,
	468, 535, 619, 667, 758, 854, 938, 1046, 1153, 1249,
	1352, 1460, 1588, 1704, 1853, 1990, 2132, 2223, 2369, 2520,
	2677, 2840, 3009, 3183, 3351, 3537, 3729, 3927, 4087, 4296}

// VersionChars is the number of alphanumeric characters (header
// included) a QR code of the given version holds at error correction
// level L.
func VersionChars(version int) (int, error) {
	if version < 1 || version > 40 {
		return 0, fmt.Errorf("QR version %d is outside 1..40", version)
	}
	return qrAlnumCapacityL[version], nil
}

// SplitOptions choose how data is split; zero fields take the reference
// defaults (Zlib, 1..1295 parts, versions 5..40).
type SplitOptions struct {
	Encoding   Encoding
	MinSplit   int
	MaxSplit   int
	MinVersion int
	MaxVersion int
}

// Split is a series ready to show.
type Split struct {
	Version  int      // QR version every part fits in (ECC level L, alphanumeric mode)
	Encoding Encoding // encoding used (Zlib may fall back to Base32)
	Parts    []string
}

// numQRNeeded is the reference num_qr_needed: parts needed at this
// version, and the characters of data per part.
func numQRNeeded(version, length, splitMod int) (count, perEach int) {
	baseCap := qrAlnumCapacityL[version] - HeaderLen
	adjusted := baseCap - baseCap%splitMod
	est := (length + adjusted - 1) / adjusted
	if est == 1 {
		return 1, length
	}
	if (est-1)*adjusted+baseCap >= length {
		return est, adjusted
	}
	return est + 1, adjusted
}

// SplitData encodes data and splits it into parts as the reference
// split_qrs does: among versions MinVersion..MaxVersion, the fewest parts,
// then the lowest version.
func SplitData(data []byte, ft FileType, opts SplitOptions) (*Split, error) {
	if !ft.Valid() {
		return nil, fmt.Errorf("BBQr file type %q is unknown: use one of P, T, J, C, U, B, X", string(rune(ft)))
	}
	if len(data) == 0 {
		return nil, errors.New("nothing to split: the data is empty")
	}
	if opts.Encoding == 0 {
		opts.Encoding = Zlib
	}
	if opts.MinSplit == 0 {
		opts.MinSplit = 1
	}
	if opts.MaxSplit == 0 {
		opts.MaxSplit = MaxParts
	}
	if opts.MinVersion == 0 {
		opts.MinVersion = 5
	}
	if opts.MaxVersion == 0 {
		opts.MaxVersion = 40
	}
	opts.MinVersion = min(opts.MinVersion, opts.MaxVersion)
	switch {
	case !opts.Encoding.valid():
		return nil, fmt.Errorf("BBQr encoding %q is unknown: use H, 2 or Z", string(rune(opts.Encoding)))
	case opts.MinVersion < 1 || opts.MaxVersion > 40:
		return nil, fmt.Errorf("QR versions %d..%d are outside 1..40", opts.MinVersion, opts.MaxVersion)
	case opts.MinSplit < 1 || opts.MaxSplit > MaxParts || opts.MinSplit > opts.MaxSplit:
		return nil, fmt.Errorf("part counts %d..%d must lie within 1..%d", opts.MinSplit, opts.MaxSplit, MaxParts)
	}
	enc, encoded, splitMod := encodeData(data, opts.Encoding)
	type option struct{ version, count, perEach int }
	var options []option
	for v := opts.MinVersion; v <= opts.MaxVersion; v++ {
		count, perEach := numQRNeeded(v, len(encoded), splitMod)
		if count >= opts.MinSplit && count <= opts.MaxSplit {
			options = append(options, option{v, count, perEach})
		}
	}
	if len(options) == 0 {
		return nil, fmt.Errorf("%d bytes do not fit in %d..%d QR codes of versions %d..%d", len(data), opts.MinSplit, opts.MaxSplit, opts.MinVersion, opts.MaxVersion)
	}
	sort.SliceStable(options, func(a, b int) bool {
		if options[a].count != options[b].count {
			return options[a].count < options[b].count
		}
		return options[a].version < options[b].version
	})
	best := options[0]
	s := &Split{Version: best.version, Encoding: enc}
	for n, off := 0, 0; off < len(encoded); n, off = n+1, off+best.perEach {
		s.Parts = append(s.Parts, "B$"+string(rune(enc))+string(rune(ft))+base36(best.count)+base36(n)+encoded[off:min(off+best.perEach, len(encoded))])
	}
	if len(s.Parts) != best.count {
		return nil, fmt.Errorf("internal error: split into %d parts, header says %d", len(s.Parts), best.count)
	}
	return s, nil
}
