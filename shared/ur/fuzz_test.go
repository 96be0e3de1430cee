package ur

import (
	"encoding/hex"
	"strings"
	"testing"
)

// FuzzDecoderReceivePart feeds arbitrary scanned text to a Decoder, twice
// and then a valid part: it must never panic, and a rejected part must
// leave the decoder usable.
func FuzzDecoderReceivePart(f *testing.F) {
	f.Add("ur:bytes/1-9/lpadascfadaxcywenbpljkhdcahkadaemejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtdkgslpgh")
	f.Add("ur:bytes/10-9/lpbkascfadaxcywenbpljkhdcahkadaemejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtwdkiplzs")
	f.Add("ur:bytes/gdaebycpeofygoiyktlonlpkrksfutwyzmwmfyeozs")
	f.Add("UR:CRYPTO-PSBT/1-3/LPADAXCFAXHL")
	f.Add("ur:bytes/4294967295-8192/aeae")
	f.Add("ur:/")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		d := NewDecoder()
		err1 := d.ReceivePart(s)
		err2 := d.ReceivePart(s)
		if (err1 == nil) != (err2 == nil) && !d.IsComplete() {
			t.Fatalf("same part accepted once and refused once: %v / %v", err1, err2)
		}
		if d.IsComplete() {
			if _, err := d.Result(); err == nil && err1 != nil {
				t.Fatalf("completed although the part was refused: %v", err1)
			}
		}
		_ = d.EstimatedPercentComplete()
		_ = d.ReceivePart("ur:bytes/1-9/lpadascfadaxcywenbpljkhdcahkadaemejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtdkgslpgh")
	})
}

// FuzzParsePart checks that any CBOR accepted as a part header is within
// the documented limits and round-trips.
func FuzzParsePart(f *testing.F) {
	f.Add(mustHexF("8501091901001a0167aa07581d916ec65cf77cadf55cd7f9cda1a1030026ddd42e905b77adc36e4f2d3c"))
	f.Add(mustHexF("850c0818641a12345678450105030305"))
	f.Add(mustHexF("85011a7fffffff1a7fffffff0141ff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePart(b)
		if err != nil {
			return
		}
		if p.SeqLen > MaxSeqLen || p.MessageLen > MaxMessageLen || p.SeqNum == 0 || len(p.Data) == 0 {
			t.Fatalf("limits not enforced: %v", p)
		}
		d := NewFountainDecoder()
		if err := d.ReceivePart(p); err != nil {
			t.Fatalf("decoder refused a part ParsePart accepted: %v", err)
		}
		back, err := ParsePart(p.CBOR())
		if err != nil || back.String() != p.String() {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

// FuzzBytewords checks decoding never panics and that whatever decodes
// re-encodes to the same text (lower case).
func FuzzBytewords(f *testing.F) {
	f.Add("aeadaolazmjendeoti", 2)
	f.Add("able acid also lava zoom jade need echo taxi", 0)
	f.Add("able-acid-also-lava-zoom-jade-need-echo-taxi", 1)
	f.Fuzz(func(t *testing.T, s string, style int) {
		st := BytewordsStyle(((style % 3) + 3) % 3)
		b, err := DecodeBytewords(st, s)
		if err != nil {
			return
		}
		if got := EncodeBytewords(st, b); got != strings.ToLower(s) {
			t.Fatalf("re-encoding %q gave %q", s, got)
		}
	})
}

// FuzzRegistryDecoders runs every registry decoder over arbitrary CBOR and
// the descriptor writer over whatever decodes.
func FuzzRegistryDecoders(f *testing.F) {
	for _, h := range []string{
		"d90193d9012fa503582102d2b36900396c9282fa14628566582f206a5dd0bcc8d5e892611806cafb0301f0045820637807030d55d01f9a0cb3a7839515d796bd07706386a6eddf06cc29a65a0e2906d90130a30186182cf500f500f5021ad34db33f030407d90130a1018401f480f4081a78412e3a",
		"d90190d90196a201020282d90132a1035821022f01e5e15cca351daff3843fb70f3c2f0a1bdd05e5af888a67784ef3e10a2a01d90132a103582103acd484e2f0c7f65309ad178a9f559abde09796974c57e714c35f110dfc27ccbe",
		"a2011a37b5eed40281d99d74a20167706b68284030290281d99d6fa403582103eb3e2863911826374de86c231a4b76f0b89dfa174afb78d7f478199884d9dd320458206456a5df2db0f6d9af72b2a1af4b25f45200ed6fcc29c3440b311d4796b70b5b06d99d70a20186182cf500f500f5021a37b5eed4081a99f9cdf7",
		"a301f503582100e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35045820873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508",
		"5000112233445566778899aabbccddeeff",
	} {
		f.Add(mustHexF(h))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := DecodeHDKey(UR{TypeHDKey, b}); err == nil {
			_, _ = k.KeyExpression(nil)
		}
		if d, err := DecodeOutputDescriptor(UR{TypeCryptoOutput, b}); err == nil {
			_, _ = d.Descriptor(nil)
		}
		if a, err := DecodeAccount(UR{TypeCryptoAccount, b}); err == nil {
			_, _ = a.Descriptors()
		}
		_, _ = DecodePSBT(UR{TypeCryptoPSBT, b})
	})
}

func mustHexF(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzFountainDecoderAnyPartOrder encodes a message, feeds the decoder the
// parts named by seqNums in that order (repeats and gaps included) and
// checks the reduction logic: whenever the decoder completes, it returns
// exactly the message.
func FuzzFountainDecoderAnyPartOrder(f *testing.F) {
	f.Add([]byte("The quick brown fox jumps over the lazy dog, again and again."), uint8(7), []byte{9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 1, 2})
	f.Add(make([]byte, 300), uint8(31), []byte{200, 150, 100, 50, 25, 12, 6, 3, 1})
	f.Fuzz(func(t *testing.T, msg []byte, maxFrag uint8, seqNums []byte) {
		if len(msg) == 0 || len(msg) > 4000 || maxFrag < 10 {
			return
		}
		enc, err := NewFountainEncoder(msg, int(maxFrag), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		// Pre-compute parts 1..255 by running the encoder.
		parts := make([]Part, 256)
		for i := 1; i < 256; i++ {
			parts[i] = enc.NextPart()
		}
		d := NewFountainDecoder()
		for _, s := range seqNums {
			if s == 0 {
				continue
			}
			if err := d.ReceivePart(parts[s]); err != nil {
				t.Fatalf("part %d refused: %v", s, err)
			}
			if d.IsComplete() {
				got, err := d.Result()
				if err != nil || string(got) != string(msg) {
					t.Fatalf("completed with wrong result (err %v)", err)
				}
				return
			}
		}
	})
}
