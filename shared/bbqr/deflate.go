package bbqr

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"sort"
)

// BBQr's "Z" encoding is zlib raw deflate with wbits=10 (BBQr.md,
// "Advanced Encodings"): back-references reach at most 1024 bytes, so a
// receiver with a 1 KiB window can inflate it. Go's compress/flate always
// searches a 32 KiB window and has no setting for it, so its LZ77 output
// could be refused by Coldcard and other embedded receivers. This file
// holds a small deflate encoder (RFC 1951) whose matches never reach back
// more than WindowSize bytes, written with fixed or dynamic Huffman codes,
// whichever is shorter; compress/flate in Huffman-only mode (no
// back-references at all) is tried as well. Decoding uses compress/flate,
// which accepts every valid stream whatever window it was made with.

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

func hash3(b []byte) uint32 {
	return (uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])) * 2654435761 >> (32 - hashBits)
}

// token is one LZ77 step: a literal byte (length 0) or a back-reference.
type token struct {
	length uint16
	dist   uint16
	lit    byte
}

// lz77 turns data into literals and matches whose distance never exceeds
// WindowSize (hash chains with one step of lazy evaluation).
func lz77(data []byte) []token {
	tokens := make([]token, 0, len(data)/2+1)
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
		insert(i)
		if l > 0 {
			// Lazy evaluation: prefer a longer match starting one later.
			if l2, _ := longest(i + 1); l2 > l {
				tokens = append(tokens, token{lit: data[i]})
				i++
				continue
			}
			tokens = append(tokens, token{length: uint16(l), dist: uint16(d)})
			for k := i + 1; k < i+l; k++ {
				insert(k)
			}
			i += l
			continue
		}
		tokens = append(tokens, token{lit: data[i]})
		i++
	}
	return tokens
}

func lengthCode(length int) int {
	li := 0
	for li+1 < len(lengthBase) && int(lengthBase[li+1]) <= length {
		li++
	}
	return li
}

func distCode(dist int) int {
	di := 0
	for di+1 < len(distBase) && int(distBase[di+1]) <= dist {
		di++
	}
	return di
}

// encodeFixed writes tokens as one final block with the fixed Huffman
// code (RFC 1951 section 3.2.6).
func encodeFixed(tokens []token) []byte {
	w := &bitWriter{}
	w.bits(1, 1) // BFINAL
	w.bits(1, 2) // BTYPE 01: fixed Huffman
	for _, t := range tokens {
		if t.length == 0 {
			w.literalLength(int(t.lit))
			continue
		}
		li, di := lengthCode(int(t.length)), distCode(int(t.dist))
		w.literalLength(257 + li)
		w.bits(uint32(int(t.length)-int(lengthBase[li])), uint(lengthExtra[li]))
		w.huff(uint32(di), 5)
		w.bits(uint32(int(t.dist)-int(distBase[di])), uint(distExtra[di]))
	}
	w.literalLength(256)
	return w.flush()
}

// huffmanLengths returns code lengths of at most maxLen bits for the
// given symbol frequencies (Huffman's algorithm; frequencies are flattened
// and the tree rebuilt until it fits). A lone used symbol gets length 1.
func huffmanLengths(freq []int, maxLen int) []uint8 {
	lengths := make([]uint8, len(freq))
	f := append([]int(nil), freq...)
	for {
		type node struct{ weight, left, right, sym int }
		var nodes []node
		var live []int
		for s, v := range f {
			if v > 0 {
				nodes = append(nodes, node{weight: v, left: -1, right: -1, sym: s})
				live = append(live, len(nodes)-1)
			}
		}
		if len(live) == 0 {
			return lengths
		}
		if len(live) == 1 {
			lengths[nodes[0].sym] = 1
			return lengths
		}
		for len(live) > 1 {
			sort.Slice(live, func(a, b int) bool {
				if nodes[live[a]].weight != nodes[live[b]].weight {
					return nodes[live[a]].weight < nodes[live[b]].weight
				}
				return live[a] < live[b]
			})
			a, b := live[0], live[1]
			nodes = append(nodes, node{weight: nodes[a].weight + nodes[b].weight, left: a, right: b, sym: -1})
			live = append(live[2:], len(nodes)-1)
		}
		for i := range lengths {
			lengths[i] = 0
		}
		deepest := 0
		var walk func(n, depth int)
		walk = func(n, depth int) {
			if nodes[n].sym >= 0 {
				lengths[nodes[n].sym] = uint8(depth)
				deepest = max(deepest, depth)
				return
			}
			walk(nodes[n].left, depth+1)
			walk(nodes[n].right, depth+1)
		}
		walk(live[0], 0)
		if deepest <= maxLen {
			return lengths
		}
		for i, v := range f {
			if v > 0 {
				f[i] = v/2 + 1
			}
		}
	}
}

// canonicalCodes assigns RFC 1951 canonical codes to code lengths.
func canonicalCodes(lengths []uint8) []uint32 {
	var count [16]uint32
	for _, l := range lengths {
		if l > 0 {
			count[l]++
		}
	}
	var next [16]uint32
	code := uint32(0)
	for bits := 1; bits < 16; bits++ {
		code = (code + count[bits-1]) << 1
		next[bits] = code
	}
	codes := make([]uint32, len(lengths))
	for s, l := range lengths {
		if l > 0 {
			codes[s] = next[l]
			next[l]++
		}
	}
	return codes
}

var codeLengthOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// encodeDynamic writes tokens as one final block with Huffman codes built
// for them (RFC 1951 section 3.2.7), as zlib does for all but tiny inputs.
func encodeDynamic(tokens []token) []byte {
	litFreq := make([]int, 286)
	distFreq := make([]int, 30)
	for _, t := range tokens {
		if t.length == 0 {
			litFreq[t.lit]++
		} else {
			litFreq[257+lengthCode(int(t.length))]++
			distFreq[distCode(int(t.dist))]++
		}
	}
	litFreq[256] = 1
	usedDist := false
	for _, v := range distFreq {
		usedDist = usedDist || v > 0
	}
	if !usedDist {
		distFreq[0] = 1 // one unused code of length 1, as zlib writes
	}
	litLen := huffmanLengths(litFreq, 15)
	distLen := huffmanLengths(distFreq, 15)
	litCodes, distCodes := canonicalCodes(litLen), canonicalCodes(distLen)
	hlit := 286
	for hlit > 257 && litLen[hlit-1] == 0 {
		hlit--
	}
	hdist := 30
	for hdist > 1 && distLen[hdist-1] == 0 {
		hdist--
	}
	// Run-length code the concatenated code lengths (symbols 16, 17, 18).
	type clItem struct{ sym, extra, nbits int }
	all := append(append([]uint8(nil), litLen[:hlit]...), distLen[:hdist]...)
	var items []clItem
	for i := 0; i < len(all); {
		l := all[i]
		run := 1
		for i+run < len(all) && all[i+run] == l {
			run++
		}
		switch {
		case l == 0 && run >= 11:
			n := min(run, 138)
			items = append(items, clItem{18, n - 11, 7})
			i += n
		case l == 0 && run >= 3:
			items = append(items, clItem{17, run - 3, 3})
			i += run
		case l != 0 && run >= 4:
			items = append(items, clItem{int(l), 0, 0})
			n := min(run-1, 6)
			items = append(items, clItem{16, n - 3, 2})
			i += 1 + n
		default:
			items = append(items, clItem{int(l), 0, 0})
			i++
		}
	}
	clFreq := make([]int, 19)
	for _, it := range items {
		clFreq[it.sym]++
	}
	clLen := huffmanLengths(clFreq, 7)
	clCodes := canonicalCodes(clLen)
	hclen := 19
	for hclen > 4 && clLen[codeLengthOrder[hclen-1]] == 0 {
		hclen--
	}
	w := &bitWriter{}
	w.bits(1, 1) // BFINAL
	w.bits(2, 2) // BTYPE 10: dynamic Huffman
	w.bits(uint32(hlit-257), 5)
	w.bits(uint32(hdist-1), 5)
	w.bits(uint32(hclen-4), 4)
	for i := 0; i < hclen; i++ {
		w.bits(uint32(clLen[codeLengthOrder[i]]), 3)
	}
	for _, it := range items {
		w.huff(clCodes[it.sym], uint(clLen[it.sym]))
		if it.nbits > 0 {
			w.bits(uint32(it.extra), uint(it.nbits))
		}
	}
	for _, t := range tokens {
		if t.length == 0 {
			w.huff(litCodes[t.lit], uint(litLen[t.lit]))
			continue
		}
		li, di := lengthCode(int(t.length)), distCode(int(t.dist))
		w.huff(litCodes[257+li], uint(litLen[257+li]))
		w.bits(uint32(int(t.length)-int(lengthBase[li])), uint(lengthExtra[li]))
		w.huff(distCodes[di], uint(distLen[di]))
		w.bits(uint32(int(t.dist)-int(distBase[di])), uint(distExtra[di]))
	}
	w.huff(litCodes[256], uint(litLen[256]))
	return w.flush()
}

// compress returns the shortest of the window-limited LZ77 tokens written
// with the fixed or with dynamic Huffman codes, and compress/flate's
// Huffman-only stream; all inflate with wbits=10.
func compress(data []byte) []byte {
	tokens := lz77(data)
	best := encodeFixed(tokens)
	if d := encodeDynamic(tokens); len(d) < len(best) {
		best = d
	}
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
