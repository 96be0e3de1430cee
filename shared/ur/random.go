package ur

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// Xoshiro256 is the xoshiro256** 1.0 generator seeded as bc-ur seeds it:
// the four state words are the big-endian words of SHA-256(seed). The
// fountain code of BCR-2020-005 draws part mixes from it, so encoder and
// decoder must agree on every bit.
type Xoshiro256 struct {
	s [4]uint64
}

// NewXoshiro256 seeds the generator with SHA-256 of seed (bc-ur
// Xoshiro256(const ByteVector&) and Xoshiro256(const std::string&)).
func NewXoshiro256(seed []byte) *Xoshiro256 {
	d := sha256.Sum256(seed)
	var x Xoshiro256
	for i := range x.s {
		x.s[i] = binary.BigEndian.Uint64(d[i*8:])
	}
	return &x
}

// NewXoshiro256FromCRC seeds the generator with SHA-256 of the big-endian
// bytes of a CRC-32 (bc-ur Xoshiro256(uint32_t)).
func NewXoshiro256FromCRC(crc uint32) *Xoshiro256 {
	return NewXoshiro256(binary.BigEndian.AppendUint32(nil, crc))
}

// Next returns the next 64-bit output.
func (x *Xoshiro256) Next() uint64 {
	s := &x.s
	result := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return result
}

// NextDouble returns Next()/2^64 as bc-ur computes it, in [0, 1].
func (x *Xoshiro256) NextDouble() float64 {
	return float64(x.Next()) / 18446744073709551616.0
}

// NextInt returns an integer in [low, high] as bc-ur computes it.
func (x *Xoshiro256) NextInt(low, high uint64) uint64 {
	return uint64(x.NextDouble()*float64(high-low+1)) + low
}

// NextByte returns a byte (bc-ur next_byte).
func (x *Xoshiro256) NextByte() byte { return byte(x.NextInt(0, 255)) }

// NextData returns n bytes (bc-ur next_data).
func (x *Xoshiro256) NextData(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = x.NextByte()
	}
	return out
}

// randomSampler is Vose's alias method exactly as bc-ur's RandomSampler
// builds it (index lists walked in reverse order).
type randomSampler struct {
	probs   []float64
	aliases []int
}

func newRandomSampler(weights []float64) *randomSampler {
	n := len(weights)
	var sum float64
	for _, w := range weights {
		sum += w
	}
	p := make([]float64, n)
	for i, w := range weights {
		p[i] = w * float64(n) / sum
	}
	var small, large []int
	for i := n - 1; i >= 0; i-- {
		if p[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	probs := make([]float64, n)
	aliases := make([]int, n)
	for len(small) > 0 && len(large) > 0 {
		a := small[len(small)-1]
		small = small[:len(small)-1]
		g := large[len(large)-1]
		large = large[:len(large)-1]
		probs[a] = p[a]
		aliases[a] = g
		p[g] += p[a] - 1
		if p[g] < 1 {
			small = append(small, g)
		} else {
			large = append(large, g)
		}
	}
	for _, i := range large {
		probs[i] = 1
	}
	for _, i := range small {
		probs[i] = 1
	}
	return &randomSampler{probs: probs, aliases: aliases}
}

func (r *randomSampler) next(rng *Xoshiro256) int {
	r1 := rng.NextDouble()
	r2 := rng.NextDouble()
	i := int(float64(len(r.probs)) * r1)
	if i >= len(r.probs) { // r1 rounds to 1.0 once in 2^54 draws; bc-ur reads past its table
		i = len(r.probs) - 1
	}
	if r2 < r.probs[i] {
		return i
	}
	return r.aliases[i]
}

// shuffled is bc-ur's Fisher-Yates variant: draw an index into the
// remaining items, remove it, append it.
func shuffled[T any](items []T, rng *Xoshiro256) []T {
	remaining := append([]T(nil), items...)
	out := make([]T, 0, len(items))
	for len(remaining) > 0 {
		i := int(rng.NextInt(0, uint64(len(remaining)-1)))
		if i >= len(remaining) { // NextDouble rounded to 1.0, see randomSampler.next
			i = len(remaining) - 1
		}
		out = append(out, remaining[i])
		remaining = append(remaining[:i], remaining[i+1:]...)
	}
	return out
}

// chooseDegree draws how many fragments a mixed part combines.
func chooseDegree(seqLen int, rng *Xoshiro256) int {
	w := make([]float64, seqLen)
	for i := range w {
		w[i] = 1.0 / float64(i+1)
	}
	return newRandomSampler(w).next(rng) + 1
}

// chooseFragments returns the fragment indexes (unsorted, as drawn) mixed
// into part seqNum of a message of seqLen fragments with the given CRC-32.
// Parts 1..seqLen are the pure fragments in order.
func chooseFragments(seqNum uint32, seqLen int, checksum uint32) []int {
	if uint64(seqNum) <= uint64(seqLen) {
		return []int{int(seqNum) - 1}
	}
	seed := binary.BigEndian.AppendUint32(nil, seqNum)
	seed = binary.BigEndian.AppendUint32(seed, checksum)
	rng := NewXoshiro256(seed)
	degree := chooseDegree(seqLen, rng)
	idx := make([]int, seqLen)
	for i := range idx {
		idx[i] = i
	}
	return shuffled(idx, rng)[:degree]
}
