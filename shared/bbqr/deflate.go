package bbqr

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
)

// BBQr's "Z" encoding is zlib raw deflate with wbits=10 (BBQr.md,
// "Advanced Encodings"): back-references reach at most 1024 bytes, so a
// receiver with a 1 KiB window can inflate it. Go's compress/flate always
// searches a 32 KiB window and has no setting for it, so its LZ77 output
// could be refused by Coldcard and other embedded receivers. This file
// holds a small deflate encoder (RFC 1951) whose matches never reach back
// more than WindowSize bytes, written with the fixed Huffman code; the
// caller also tries compress/flate in Huffman-only mode (no
// back-references at all) and keeps the shorter stream. Decoding uses
// compress/flate, which accepts every valid stream.

// WindowSize is the largest back-reference distance BBQr allows (2^10).
const WindowSize = 1 << 10

const (
	minMatch  = 3
	maxMatch  = 258
	hashBits  = 12
	maxChain  = 128
	goodMatch = 64 // stop searching once a match this long is found
)

var lengthBase = [...]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
var lengthExtra = [...]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
var distBase = [...]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769}
var distExtra = [...]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8}

// bitWriter writes deflate's LSB-first bit stream.
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	w.acc |= uint64(v) << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

// huff writes a Huffman code of n bits, most significant bit first.
func (w *bitWriter) huff(code uint32, n uint) {
	var rev uint32
	for i := uint(0); i < n; i++ {
		rev = rev<<1 | (code>>i)&1
	}
	w.bits(rev, n)
}

func (w *bitWriter) flush() []byte {
	if w.nacc > 0 {
		w.out = append(w.out, byte(w.acc))
	}
	return w.out
}

// literalLength writes literal/length symbol sym with the fixed code.
func (w *bitWriter) literalLength(sym int) {
	switch {
	case sym < 144:
		w.huff(uint32(0x30+sym), 8)
	case sym < 256:
		w.huff(uint32(0x190+sym-144), 9)
	case sym < 280:
		w.huff(uint32(sym-256), 7)
	default:
		w.huff(uint32(0xc0+sym-280), 8)
	}
}

func (w *bitWriter) match(length, dist int) {
	li := 0
	for li+1 < len(lengthBase) && int(lengthBase[li+1]) <= length {
		li++
	}
	w.literalLength(257 + li)
	w.bits(uint32(length-int(lengthBase[li])), uint(lengthExtra[li]))
	di := 0
	for di+1 < len(distBase) && int(distBase[di+1]) <= dist {
		di++
	}
	w.huff(uint32(di), 5)
	w.bits(uint32(dist-int(distBase[di])), uint(distExtra[di]))
}

func hash3(b []byte) uint32 {
	return (uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])) * 2654435761 >> (32 - hashBits)
}

// deflateWindow compresses data into one final fixed-Huffman deflate block
// whose back-references never exceed WindowSize.
func deflateWindow(data []byte) []byte {
	w := &bitWriter{out: make([]byte, 0, len(data)/2+16)}
	w.bits(1, 1) // BFINAL
	w.bits(1, 2) // BTYPE 01: fixed Huffman
	head := make([]int32, 1<<hashBits)
	for i := range head {
		head[i] = -1
	}
	prev := make([]int32, len(data))
	insert := func(i int) {
		if i+minMatch <= len(data) {
			h := hash3(data[i:])
			prev[i] = head[h]
			head[h] = int32(i)
		}
	}
	longest := func(i int) (int, int) {
		if i+minMatch > len(data) {
			return 0, 0
		}
		bestLen, bestDist := 0, 0
		limit := min(maxMatch, len(data)-i)
		for j, chain := int(head[hash3(data[i:])]), 0; j >= 0 && i-j <= WindowSize && chain < maxChain; j, chain = int(prev[j]), chain+1 {
			n := 0
			for n < limit && data[j+n] == data[i+n] {
				n++
			}
			if n > bestLen {
				bestLen, bestDist = n, i-j
				if n >= goodMatch || n == limit {
					break
				}
			}
		}
		if bestLen < minMatch {
			return 0, 0
		}
		return bestLen, bestDist
	}
	i := 0
	for i < len(data) {
		l, d := longest(i)
		if l > 0 && i+1 < len(data) {
			// Lazy evaluation: prefer a longer match starting one later.
			insert(i)
			if l2, _ := longest(i + 1); l2 > l {
				w.literalLength(int(data[i]))
				i++
				continue
			}
			w.match(l, d)
			for k := i + 1; k < i+l; k++ {
				insert(k)
			}
			i += l
			continue
		}
		insert(i)
		w.literalLength(int(data[i]))
		i++
	}
	w.literalLength(256) // end of block
	return w.flush()
}

// compress returns the shorter of the window-limited LZ77 stream and
// compress/flate's Huffman-only stream; both inflate with wbits=10.
func compress(data []byte) []byte {
	best := deflateWindow(data)
	var buf bytes.Buffer
	if fw, err := flate.NewWriter(&buf, flate.HuffmanOnly); err == nil {
		if _, err := fw.Write(data); err == nil && fw.Close() == nil && buf.Len() < len(best) {
			best = buf.Bytes()
		}
	}
	return best
}

// MaxDecompressedLen bounds what a "Z" series may inflate to, so a
// malicious series cannot exhaust memory (deflate expands up to ~1000x).
const MaxDecompressedLen = 16 << 20

// decompress inflates a raw deflate stream.
func decompress(data []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(data))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, MaxDecompressedLen+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errors.New("the zlib data ends early: a part is damaged")
		}
		return nil, fmt.Errorf("the zlib data is not valid deflate: %w", err)
	}
	if len(out) > MaxDecompressedLen {
		return nil, fmt.Errorf("the zlib data inflates to more than %d bytes: refusing it", MaxDecompressedLen)
	}
	return out, nil
}
