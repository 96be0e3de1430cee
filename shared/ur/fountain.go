package ur

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strconv"
)

// Limits a decoder enforces before allocating anything for a message, so a
// hostile or corrupt QR cannot make it reserve absurd amounts of memory or
// time. A 100-input PSBT is a few tens of kilobytes; these leave ample room.
const (
	// MaxMessageLen is the largest message (CBOR payload) a Decoder accepts.
	MaxMessageLen = 8 << 20
	// MaxSeqLen is the largest number of fragments a Decoder accepts.
	MaxSeqLen = 8192
)

// Part is one fountain-coded part of a multi-part UR (BCR-2020-005): the
// CBOR array [seqNum, seqLen, messageLen, checksum, data].
type Part struct {
	SeqNum     uint32
	SeqLen     int
	MessageLen int
	Checksum   uint32
	Data       []byte
}

// CBOR serialises the part as bc-ur does.
func (p Part) CBOR() []byte {
	b := appendHead(nil, majorArray, 5)
	b = appendHead(b, majorUint, uint64(p.SeqNum))
	b = appendHead(b, majorUint, uint64(p.SeqLen))
	b = appendHead(b, majorUint, uint64(p.MessageLen))
	b = appendHead(b, majorUint, uint64(p.Checksum))
	return appendBytes(b, p.Data)
}

// String is bc-ur's Part::description(), used by its test vectors.
func (p Part) String() string {
	return fmt.Sprintf("seqNum:%d, seqLen:%d, messageLen:%d, checksum:%d, data:%x", p.SeqNum, p.SeqLen, p.MessageLen, p.Checksum, p.Data)
}

// ParsePart reads the CBOR of a fountain part and checks that its header
// is self-consistent and within MaxMessageLen and MaxSeqLen.
func ParsePart(cbor []byte) (Part, error) {
	item, err := decodeCBOR(cbor)
	if err != nil {
		return Part{}, fmt.Errorf("UR part header: %w", err)
	}
	if item.major != majorArray || len(item.items) != 5 {
		return Part{}, errors.New("UR part header must be a CBOR array of 5 items [seqNum, seqLen, messageLen, checksum, data]")
	}
	var v [4]uint64
	names := [4]string{"seqNum", "seqLen", "messageLen", "checksum"}
	for i := range v {
		if v[i], err = item.items[i].asUint(); err != nil {
			return Part{}, fmt.Errorf("UR part header %s: %w", names[i], err)
		}
	}
	data, err := item.items[4].asBytes()
	if err != nil {
		return Part{}, fmt.Errorf("UR part data: %w", err)
	}
	switch {
	case v[0] == 0 || v[0] > math.MaxUint32:
		return Part{}, fmt.Errorf("UR part seqNum %d is out of range 1..%d", v[0], uint32(math.MaxUint32))
	case v[1] == 0 || v[1] > MaxSeqLen:
		return Part{}, fmt.Errorf("UR part seqLen %d is out of range 1..%d: refusing a message split into that many fragments", v[1], MaxSeqLen)
	case v[2] == 0 || v[2] > MaxMessageLen:
		return Part{}, fmt.Errorf("UR part messageLen %d is out of range 1..%d bytes: refusing to assemble it", v[2], MaxMessageLen)
	case v[3] > math.MaxUint32:
		return Part{}, fmt.Errorf("UR part checksum %d does not fit in 32 bits", v[3])
	case len(data) == 0:
		return Part{}, errors.New("UR part has no data")
	}
	// A conforming encoder splits messageLen bytes into seqLen fragments of
	// len(data) bytes each, the last one zero-padded.
	if want := (v[2] + uint64(len(data)) - 1) / uint64(len(data)); want != v[1] {
		return Part{}, fmt.Errorf("UR part header is inconsistent: %d bytes in fragments of %d make %d fragments, not seqLen %d", v[2], len(data), want, v[1])
	}
	return Part{SeqNum: uint32(v[0]), SeqLen: int(v[1]), MessageLen: int(v[2]), Checksum: uint32(v[3]), Data: data}, nil
}

// FindNominalFragmentLength is bc-ur's choice of fragment length: the
// smallest number of equal fragments not longer than maxFragmentLen, each
// at least minFragmentLen long.
func FindNominalFragmentLength(messageLen, minFragmentLen, maxFragmentLen int) (int, error) {
	if messageLen <= 0 || minFragmentLen <= 0 || maxFragmentLen < minFragmentLen {
		return 0, fmt.Errorf("fragment length: need messageLen > 0 and 0 < min (%d) <= max (%d)", minFragmentLen, maxFragmentLen)
	}
	maxCount := messageLen / minFragmentLen
	fragmentLen := 0
	for count := 1; count <= maxCount; count++ {
		fragmentLen = (messageLen + count - 1) / count
		if fragmentLen <= maxFragmentLen {
			break
		}
	}
	if fragmentLen == 0 {
		// bc-ur asserts here; a message shorter than minFragmentLen is
		// sent as one fragment.
		fragmentLen = messageLen
	}
	return fragmentLen, nil
}

// partitionMessage splits message into fragments of fragmentLen bytes, the
// last one zero-padded.
func partitionMessage(message []byte, fragmentLen int) [][]byte {
	var out [][]byte
	for off := 0; off < len(message); off += fragmentLen {
		f := make([]byte, fragmentLen)
		copy(f, message[off:])
		out = append(out, f)
	}
	return out
}

func xorInto(dst, src []byte) {
	for i := range dst {
		dst[i] ^= src[i]
	}
}

// FountainEncoder produces an endless sequence of parts for a message
// (BCR-2020-005 Luby-transform code). The first SeqLen parts carry the
// fragments in order; later parts mix several fragments.
type FountainEncoder struct {
	messageLen  int
	checksum    uint32
	fragmentLen int
	fragments   [][]byte
	seqNum      uint32
}

// NewFountainEncoder prepares message for parts of at most maxFragmentLen
// data bytes (bc-ur defaults: firstSeqNum 0, minFragmentLen 10).
func NewFountainEncoder(message []byte, maxFragmentLen int, firstSeqNum uint32, minFragmentLen int) (*FountainEncoder, error) {
	if len(message) == 0 {
		return nil, errors.New("fountain encoder: the message is empty")
	}
	if len(message) > math.MaxUint32 {
		return nil, errors.New("fountain encoder: the message is longer than 4 GiB")
	}
	fl, err := FindNominalFragmentLength(len(message), minFragmentLen, maxFragmentLen)
	if err != nil {
		return nil, fmt.Errorf("fountain encoder: %w", err)
	}
	return &FountainEncoder{
		messageLen:  len(message),
		checksum:    crc32.ChecksumIEEE(message),
		fragmentLen: fl,
		fragments:   partitionMessage(message, fl),
		seqNum:      firstSeqNum,
	}, nil
}

// SeqLen is the number of fragments.
func (e *FountainEncoder) SeqLen() int { return len(e.fragments) }

// SeqNum is the sequence number of the last part produced.
func (e *FountainEncoder) SeqNum() uint32 { return e.seqNum }

// IsComplete reports whether enough parts have been produced to carry the
// whole message once.
func (e *FountainEncoder) IsComplete() bool { return uint64(e.seqNum) >= uint64(len(e.fragments)) }

// IsSinglePart reports whether the message fits in one fragment.
func (e *FountainEncoder) IsSinglePart() bool { return len(e.fragments) == 1 }

// NextPart returns the next part (sequence numbers wrap at 2^32 as in
// bc-ur).
func (e *FountainEncoder) NextPart() Part {
	e.seqNum++
	data := make([]byte, e.fragmentLen)
	for _, i := range chooseFragments(e.seqNum, len(e.fragments), e.checksum) {
		xorInto(data, e.fragments[i])
	}
	return Part{SeqNum: e.seqNum, SeqLen: len(e.fragments), MessageLen: e.messageLen, Checksum: e.checksum, Data: data}
}

// ErrChecksum reports a reassembled message whose CRC-32 differs from the
// one announced in its parts: some part was corrupt.
var ErrChecksum = errors.New("the reassembled message does not match its checksum: a part was corrupt; scan again")

// ErrPartMismatch reports a part that belongs to another message than the
// parts received before it (different length, checksum or fragment size).
var ErrPartMismatch = errors.New("this part belongs to a different message than the parts scanned before")

type mixedPart struct {
	indexes []int // sorted
	data    []byte
}

func indexKey(idx []int) string {
	b := make([]byte, 0, len(idx)*4)
	for _, i := range idx {
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ',')
	}
	return string(b)
}

// FountainDecoder reassembles a message from parts received in any order,
// with duplicates and mixed parts, as bc-ur's FountainDecoder does:
// mixed parts are reduced by XOR with every known fragment until they
// become simple.
type FountainDecoder struct {
	started     bool
	seqLen      int
	messageLen  int
	checksum    uint32
	fragmentLen int

	simple    map[int][]byte
	mixed     map[string]mixedPart
	mixedKeys []string // insertion order, for deterministic reduction
	queue     []mixedPart
	processed int

	result []byte
	err    error
}

// NewFountainDecoder returns an empty decoder.
func NewFountainDecoder() *FountainDecoder {
	return &FountainDecoder{simple: map[int][]byte{}, mixed: map[string]mixedPart{}}
}

// ReceivePart adds a part. It returns ErrPartMismatch for a part of another
// message (the part is ignored and decoding can go on). Parts arriving
// after completion are ignored.
func (d *FountainDecoder) ReceivePart(p Part) error {
	if d.IsComplete() {
		return nil
	}
	if p.SeqNum == 0 || p.SeqLen <= 0 || p.SeqLen > MaxSeqLen || p.MessageLen <= 0 || p.MessageLen > MaxMessageLen || len(p.Data) == 0 ||
		(p.MessageLen+len(p.Data)-1)/len(p.Data) != p.SeqLen {
		return fmt.Errorf("fountain part header is invalid (seqNum %d, seqLen %d, messageLen %d, %d data bytes)", p.SeqNum, p.SeqLen, p.MessageLen, len(p.Data))
	}
	if !d.started {
		d.started = true
		d.seqLen, d.messageLen, d.checksum, d.fragmentLen = p.SeqLen, p.MessageLen, p.Checksum, len(p.Data)
	} else if p.SeqLen != d.seqLen || p.MessageLen != d.messageLen || p.Checksum != d.checksum || len(p.Data) != d.fragmentLen {
		return ErrPartMismatch
	}
	idx := chooseFragments(p.SeqNum, p.SeqLen, p.Checksum)
	slices.Sort(idx)
	d.queue = append(d.queue, mixedPart{indexes: idx, data: append([]byte(nil), p.Data...)})
	for !d.IsComplete() && len(d.queue) > 0 {
		q := d.queue[0]
		d.queue = d.queue[1:]
		if len(q.indexes) == 1 {
			d.processSimple(q)
		} else {
			d.processMixed(q)
		}
	}
	d.processed++
	return nil
}

func (d *FountainDecoder) processSimple(p mixedPart) {
	i := p.indexes[0]
	if _, ok := d.simple[i]; ok {
		return
	}
	d.simple[i] = p.data
	if len(d.simple) == d.seqLen {
		msg := make([]byte, 0, d.seqLen*d.fragmentLen)
		for j := 0; j < d.seqLen; j++ {
			msg = append(msg, d.simple[j]...)
		}
		msg = msg[:d.messageLen]
		if crc32.ChecksumIEEE(msg) == d.checksum {
			d.result = msg
		} else {
			d.err = ErrChecksum
		}
		d.queue = nil
		return
	}
	d.reduceMixedBy(p)
}

// reduce returns a reduced by b when b's fragments are a strict subset of
// a's, else a unchanged.
func reduce(a, b mixedPart) mixedPart {
	if len(b.indexes) >= len(a.indexes) {
		return a
	}
	rest := make([]int, 0, len(a.indexes)-len(b.indexes))
	j := 0
	for _, x := range a.indexes {
		if j < len(b.indexes) && b.indexes[j] == x {
			j++
			continue
		}
		if j < len(b.indexes) && b.indexes[j] < x {
			return a // b has an index a lacks
		}
		rest = append(rest, x)
	}
	if j != len(b.indexes) {
		return a
	}
	data := append([]byte(nil), a.data...)
	xorInto(data, b.data)
	return mixedPart{indexes: rest, data: data}
}

func (d *FountainDecoder) reduceMixedBy(p mixedPart) {
	keys := d.mixedKeys
	d.mixedKeys = nil
	newMixed := map[string]mixedPart{}
	for _, k := range keys {
		r := reduce(d.mixed[k], p)
		if len(r.indexes) == 1 {
			d.queue = append(d.queue, r)
			continue
		}
		nk := indexKey(r.indexes)
		if _, dup := newMixed[nk]; !dup {
			d.mixedKeys = append(d.mixedKeys, nk)
		}
		newMixed[nk] = r
	}
	d.mixed = newMixed
}

func (d *FountainDecoder) processMixed(p mixedPart) {
	if _, dup := d.mixed[indexKey(p.indexes)]; dup {
		return
	}
	for i, data := range d.simple {
		p = reduce(p, mixedPart{indexes: []int{i}, data: data})
	}
	for _, k := range d.mixedKeys {
		p = reduce(p, d.mixed[k])
	}
	if len(p.indexes) == 1 {
		d.queue = append(d.queue, p)
		return
	}
	d.reduceMixedBy(p)
	k := indexKey(p.indexes)
	if _, dup := d.mixed[k]; !dup {
		d.mixedKeys = append(d.mixedKeys, k)
	}
	d.mixed[k] = p
}

// IsComplete reports whether the message was reassembled or failed its
// checksum.
func (d *FountainDecoder) IsComplete() bool { return d.result != nil || d.err != nil }

// Result returns the message once complete, or ErrChecksum, or an error
// saying that more parts are needed.
func (d *FountainDecoder) Result() ([]byte, error) {
	switch {
	case d.result != nil:
		return d.result, nil
	case d.err != nil:
		return nil, d.err
	default:
		return nil, errors.New("the message is not complete yet: keep scanning")
	}
}

// ExpectedPartCount is the number of fragments of the message being
// decoded (0 before the first part).
func (d *FountainDecoder) ExpectedPartCount() int { return d.seqLen }

// EstimatedPercentComplete is bc-ur's progress estimate in [0, 1].
func (d *FountainDecoder) EstimatedPercentComplete() float64 {
	if d.IsComplete() {
		return 1
	}
	if !d.started {
		return 0
	}
	return min(0.99, float64(d.processed)/(float64(d.seqLen)*1.75))
}
