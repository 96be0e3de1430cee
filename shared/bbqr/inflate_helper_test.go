package bbqr

import "errors"

// inflateFixedForTest decodes one final fixed-Huffman deflate block (RFC
// 1951 section 3.2.6), the only form deflateWindow writes, and reports the
// largest back-reference distance used, so tests can prove the stream
// inflates with a 1 KiB window (BBQr wbits=10).
func inflateFixedForTest(z []byte) (maxDist int, out []byte, err error) {
	pos := 0 // bit position
	bit := func() (uint32, error) {
		if pos/8 >= len(z) {
			return 0, errors.New("stream ends early")
		}
		b := uint32(z[pos/8]>>(pos%8)) & 1
		pos++
		return b, nil
	}
	bitsLSB := func(n int) (uint32, error) {
		var v uint32
		for i := 0; i < n; i++ {
			b, err := bit()
			if err != nil {
				return 0, err
			}
			v |= b << i
		}
		return v, nil
	}
	huff := func(n int) (uint32, error) {
		var v uint32
		for i := 0; i < n; i++ {
			b, err := bit()
			if err != nil {
				return 0, err
			}
			v = v<<1 | b
		}
		return v, nil
	}
	hdr, err := bitsLSB(3)
	if err != nil || hdr != 3 {
		return 0, nil, errors.New("not a final fixed-Huffman block")
	}
	for {
		code, err := huff(7)
		if err != nil {
			return 0, nil, err
		}
		var sym int
		switch {
		case code <= 0x17:
			sym = 256 + int(code)
		default:
			b, err := huff(1)
			if err != nil {
				return 0, nil, err
			}
			code = code<<1 | b
			switch {
			case code >= 0x30 && code <= 0xbf:
				sym = int(code - 0x30)
			case code >= 0xc0 && code <= 0xc7:
				sym = 280 + int(code-0xc0)
			default:
				b, err := huff(1)
				if err != nil {
					return 0, nil, err
				}
				sym = 144 + int(code<<1|b) - 0x190
			}
		}
		switch {
		case sym < 256:
			out = append(out, byte(sym))
		case sym == 256:
			return maxDist, out, nil
		default:
			li := sym - 257
			if li >= len(lengthBase) {
				return 0, nil, errors.New("bad length symbol")
			}
			e, err := bitsLSB(int(lengthExtra[li]))
			if err != nil {
				return 0, nil, err
			}
			length := int(lengthBase[li]) + int(e)
			dc, err := huff(5)
			if err != nil {
				return 0, nil, err
			}
			if int(dc) >= len(distBase) {
				return 0, nil, errors.New("distance code beyond 1 KiB window")
			}
			e, err = bitsLSB(int(distExtra[dc]))
			if err != nil {
				return 0, nil, err
			}
			dist := int(distBase[dc]) + int(e)
			if dist > len(out) {
				return 0, nil, errors.New("distance before start of data")
			}
			maxDist = max(maxDist, dist)
			for i := 0; i < length; i++ {
				out = append(out, out[len(out)-dist])
			}
		}
	}
}
