package ur

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// UR is a Uniform Resource (BCR-2020-005): a registry type and the CBOR
// encoding of a value of that type.
type UR struct {
	Type string
	CBOR []byte
}

// IsValidType reports whether t is a well-formed UR type: lower-case
// letters, digits and hyphens (BCR-2020-005).
func IsValidType(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Encode returns the single-part string "ur:type/bytewords".
func Encode(u UR) (string, error) {
	if !IsValidType(u.Type) {
		return "", fmt.Errorf("UR type %q must be lower-case letters, digits and hyphens", u.Type)
	}
	return "ur:" + u.Type + "/" + EncodeBytewords(Minimal, u.CBOR), nil
}

// Encoder produces the parts of a multi-part UR (BCR-2020-005): when the
// message fits in one fragment every part is the single-part UR, otherwise
// "ur:type/seqNum-seqLen/bytewords" fountain parts, endlessly.
type Encoder struct {
	ur       UR
	fountain *FountainEncoder
}

// NewEncoder prepares u for parts carrying at most maxFragmentLen bytes of
// CBOR each (bc-ur UREncoder with firstSeqNum 0 and minFragmentLen 10).
// Wallets commonly use 100 to 400 bytes per QR frame.
func NewEncoder(u UR, maxFragmentLen int) (*Encoder, error) {
	return NewEncoderWithOptions(u, maxFragmentLen, 0, 10)
}

// NewEncoderWithOptions is NewEncoder with bc-ur's firstSeqNum and
// minFragmentLen parameters.
func NewEncoderWithOptions(u UR, maxFragmentLen int, firstSeqNum uint32, minFragmentLen int) (*Encoder, error) {
	if !IsValidType(u.Type) {
		return nil, fmt.Errorf("UR type %q must be lower-case letters, digits and hyphens", u.Type)
	}
	f, err := NewFountainEncoder(u.CBOR, maxFragmentLen, firstSeqNum, minFragmentLen)
	if err != nil {
		return nil, fmt.Errorf("UR %s: %w", u.Type, err)
	}
	return &Encoder{ur: u, fountain: f}, nil
}

// NextPart returns the next UR string to show.
func (e *Encoder) NextPart() string {
	p := e.fountain.NextPart()
	if e.fountain.IsSinglePart() {
		s, _ := Encode(e.ur) // type validated in the constructor
		return s
	}
	return EncodePart(e.ur.Type, p)
}

// SeqLen is the number of fragments (parts needed at the very least).
func (e *Encoder) SeqLen() int { return e.fountain.SeqLen() }

// IsSinglePart reports whether the UR fits in one part.
func (e *Encoder) IsSinglePart() bool { return e.fountain.IsSinglePart() }

// IsComplete reports whether every fragment has been emitted once.
func (e *Encoder) IsComplete() bool { return e.fountain.IsComplete() }

// EncodePart formats one fountain part as "ur:type/seqNum-seqLen/body".
func EncodePart(urType string, p Part) string {
	return "ur:" + urType + "/" + strconv.FormatUint(uint64(p.SeqNum), 10) + "-" + strconv.Itoa(p.SeqLen) + "/" + EncodeBytewords(Minimal, p.CBOR())
}

// parsed is a UR string split into its components.
type parsed struct {
	urType string
	seqNum uint64
	seqLen uint64
	body   string
}

// maxURStringLen bounds the text of one scanned part; a version 40 QR
// holds at most 4296 alphanumeric characters.
const maxURStringLen = 1 << 20

func parse(s string) (parsed, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxURStringLen {
		return parsed{}, fmt.Errorf("UR text is %d characters long, more than %d: not a UR part", len(s), maxURStringLen)
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "ur:") {
		return parsed{}, errors.New(`not a UR: the text must start with "ur:"`)
	}
	comps := strings.Split(lower[3:], "/")
	var p parsed
	switch len(comps) {
	case 2:
		p.urType, p.body = comps[0], comps[1]
	case 3:
		p.urType, p.body = comps[0], comps[2]
		num, length, ok := strings.Cut(comps[1], "-")
		var err1, err2 error
		p.seqNum, err1 = strconv.ParseUint(num, 10, 32)
		p.seqLen, err2 = strconv.ParseUint(length, 10, 32)
		if !ok || err1 != nil || err2 != nil || p.seqNum == 0 || p.seqLen == 0 {
			return parsed{}, fmt.Errorf("UR sequence %q must be two positive numbers like 3-10", comps[1])
		}
	default:
		return parsed{}, errors.New(`UR must look like "ur:type/data" or "ur:type/n-m/data"`)
	}
	if !IsValidType(p.urType) {
		return parsed{}, fmt.Errorf("UR type %q must be letters, digits and hyphens", p.urType)
	}
	if p.body == "" {
		return parsed{}, errors.New("UR has no data after the type")
	}
	return p, nil
}

// Decode reads a single-part UR string (any letter case).
func Decode(s string) (UR, error) {
	p, err := parse(s)
	if err != nil {
		return UR{}, err
	}
	if p.seqNum != 0 {
		return UR{}, fmt.Errorf("this is part %d of %d of a multi-part UR: scan all parts with a Decoder", p.seqNum, p.seqLen)
	}
	cbor, err := DecodeBytewords(Minimal, p.body)
	if err != nil {
		return UR{}, fmt.Errorf("UR %s: %w", p.urType, err)
	}
	return UR{Type: p.urType, CBOR: cbor}, nil
}

// Decoder collects the parts of a single- or multi-part UR scanned in any
// order, with repeats, until the message is complete (BCR-2020-005).
type Decoder struct {
	urType   string
	fountain *FountainDecoder
	result   *UR
	err      error
}

// NewDecoder returns an empty decoder.
func NewDecoder() *Decoder { return &Decoder{fountain: NewFountainDecoder()} }

// ReceivePart adds one scanned UR string. An error means this part was
// rejected (malformed, of another type or message); the decoder keeps its
// state and further parts can be scanned. Parts after completion are
// ignored.
func (d *Decoder) ReceivePart(s string) error {
	if d.IsComplete() {
		return nil
	}
	p, err := parse(s)
	if err != nil {
		return err
	}
	if d.urType != "" && p.urType != d.urType {
		return fmt.Errorf("UR part of type %s does not belong to the %s being scanned", p.urType, d.urType)
	}
	cbor, err := DecodeBytewords(Minimal, p.body)
	if err != nil {
		return fmt.Errorf("UR %s: %w", p.urType, err)
	}
	if p.seqNum == 0 {
		d.urType = p.urType
		d.result = &UR{Type: p.urType, CBOR: cbor}
		return nil
	}
	part, err := ParsePart(cbor)
	if err != nil {
		return err
	}
	if uint64(part.SeqNum) != p.seqNum || uint64(part.SeqLen) != p.seqLen {
		return fmt.Errorf("UR part says %d-%d outside but %d-%d inside: the part is corrupt", p.seqNum, p.seqLen, part.SeqNum, part.SeqLen)
	}
	if err := d.fountain.ReceivePart(part); err != nil {
		return err
	}
	d.urType = p.urType
	if d.fountain.IsComplete() {
		msg, err := d.fountain.Result()
		if err != nil {
			d.err = err
		} else {
			d.result = &UR{Type: p.urType, CBOR: msg}
		}
	}
	return nil
}

// IsComplete reports whether the UR was reassembled or failed.
func (d *Decoder) IsComplete() bool { return d.result != nil || d.err != nil }

// Result returns the UR once complete.
func (d *Decoder) Result() (UR, error) {
	switch {
	case d.result != nil:
		return *d.result, nil
	case d.err != nil:
		return UR{}, d.err
	default:
		return UR{}, errors.New("the UR is not complete yet: keep scanning")
	}
}

// ExpectedPartCount is the number of fragments of the UR being scanned, 0
// before the first multi-part part.
func (d *Decoder) ExpectedPartCount() int { return d.fountain.ExpectedPartCount() }

// EstimatedPercentComplete is a progress estimate in [0, 1] for display.
func (d *Decoder) EstimatedPercentComplete() float64 {
	if d.IsComplete() {
		return 1
	}
	return d.fountain.EstimatedPercentComplete()
}
