package ur

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

type bcurVectors struct {
	CRC32 []struct {
		Input string `json:"input"`
		Hex   string `json:"hex"`
	} `json:"crc32"`
	Bytewords1 struct {
		Input       []byte            `json:"-"`
		InputInts   []int             `json:"input"`
		Standard    string            `json:"standard"`
		URI         string            `json:"uri"`
		Minimal     string            `json:"minimal"`
		BadChecksum map[string]string `json:"bad_checksum"`
		TooShort    []string          `json:"too_short_standard"`
	} `json:"bytewords_1"`
	Bytewords2 struct {
		InputInts []int  `json:"input"`
		Standard  string `json:"standard"`
		Minimal   string `json:"minimal"`
	} `json:"bytewords_2"`
	RNG1               []uint64 `json:"rng_1_wolf_mod_100"`
	RNG2               []uint64 `json:"rng_2_crc_wolf_mod_100"`
	RNG3               []uint64 `json:"rng_3_wolf_next_int_1_10"`
	FindFragmentLength []struct {
		MessageLen int `json:"message_len"`
		Min        int `json:"min"`
		Max        int `json:"max"`
		Want       int `json:"want"`
	} `json:"find_fragment_length"`
	RandomSampler struct {
		Probs   []float64 `json:"probs"`
		Samples []int     `json:"samples"`
	} `json:"random_sampler"`
	Shuffle         [][]int  `json:"shuffle_wolf_1_to_10"`
	Partition       []string `json:"partition_and_join_1024_min10_max100"`
	ChooseDegree    []int    `json:"choose_degree_1024_nonces_1_to_200"`
	ChooseFragments [][]int  `json:"choose_fragments_1024_seq_1_to_30"`
	XOR             map[string]string
	FountainParts   []string `json:"fountain_encoder_256_max30"`
	FountainCBOR    []string `json:"fountain_encoder_cbor_256_max30"`
	SinglePartUR    string   `json:"single_part_ur_50"`
	URParts         []string `json:"ur_encoder_256_max30"`
}

func loadVectors(t *testing.T) bcurVectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/bc-ur-test-vectors.json")
	require.NoError(t, err)
	var v bcurVectors
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

func ints2bytes(in []int) []byte {
	out := make([]byte, len(in))
	for i, v := range in {
		out[i] = byte(v)
	}
	return out
}

// makeMessage is bc-ur test-utils make_message: Xoshiro256(seed).next_data(n).
func makeMessage(n int, seed string) []byte {
	return NewXoshiro256([]byte(seed)).NextData(n)
}

// makeMessageUR is bc-ur make_message_ur: the message as a CBOR byte
// string of UR type bytes.
func makeMessageUR(n int, seed string) UR {
	return UR{Type: "bytes", CBOR: appendBytes(nil, makeMessage(n, seed))}
}

func TestCRC32_BCURVectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.CRC32 {
		require.Equal(t, c.Hex, hex.EncodeToString(crc32Bytes([]byte(c.Input))), c.Input)
	}
}

func TestBytewords_BCURVector1_AllStylesAndFailures(t *testing.T) {
	v := loadVectors(t).Bytewords1
	in := ints2bytes(v.InputInts)
	styles := []struct {
		name  string
		style BytewordsStyle
		text  string
	}{{"standard", Standard, v.Standard}, {"uri", URI, v.URI}, {"minimal", Minimal, v.Minimal}}
	for _, s := range styles {
		t.Run("encode_decode_"+s.name, func(t *testing.T) {
			require.Equal(t, s.text, EncodeBytewords(s.style, in))
			got, err := DecodeBytewords(s.style, s.text)
			require.NoError(t, err)
			require.Equal(t, in, got)
		})
		t.Run("bad_checksum_"+s.name, func(t *testing.T) {
			_, err := DecodeBytewords(s.style, v.BadChecksum[s.name])
			require.ErrorIs(t, err, ErrBytewordsChecksum)
		})
	}
	for _, short := range v.TooShort {
		_, err := DecodeBytewords(Standard, short)
		require.Error(t, err, "too short %q", short)
	}
}

func TestBytewords_BCURVector2_UpperCaseAccepted(t *testing.T) {
	v := loadVectors(t).Bytewords2
	in := ints2bytes(v.InputInts)
	require.Equal(t, v.Standard, EncodeBytewords(Standard, in))
	require.Equal(t, v.Minimal, EncodeBytewords(Minimal, in))
	got, err := DecodeBytewords(Standard, v.Standard)
	require.NoError(t, err)
	require.Equal(t, in, got)
	got, err = DecodeBytewords(Minimal, v.Minimal)
	require.NoError(t, err)
	require.Equal(t, in, got)
	upper, err := DecodeBytewords(Minimal, "AEADAOLAZMJENDEOTI")
	require.NoError(t, err)
	require.Equal(t, []byte{0, 1, 2, 128, 255}, upper)
}

func TestBytewords_InvalidWordsRejected(t *testing.T) {
	for name, c := range map[string]struct {
		style BytewordsStyle
		text  string
	}{
		"minimal odd length":          {Minimal, "aeadaolazojendeot"},
		"minimal not a word":          {Minimal, "aeadaolazojendeoqq"},
		"standard wrong middle":       {Standard, "abxe acid also lava zero jade need echo taxi"},
		"standard three letters":      {Standard, "abl acid also lava zero jade need echo taxi"},
		"uri non-letter":              {URI, "able-acid-also-lava-zero-jade-need-echo-tax1"},
		"standard double space empty": {Standard, "able  acid also lava zero jade need echo taxi"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeBytewords(c.style, c.text)
			require.Error(t, err)
		})
	}
}

func TestXoshiro256_BCURVectors(t *testing.T) {
	v := loadVectors(t)
	collect := func(rng *Xoshiro256, f func(*Xoshiro256) uint64) []uint64 {
		out := make([]uint64, 100)
		for i := range out {
			out[i] = f(rng)
		}
		return out
	}
	mod100 := func(r *Xoshiro256) uint64 { return r.Next() % 100 }
	require.Equal(t, v.RNG1, collect(NewXoshiro256([]byte("Wolf")), mod100), "seeded with \"Wolf\"")
	require.Equal(t, v.RNG2, collect(NewXoshiro256FromCRC(crc32.ChecksumIEEE([]byte("Wolf"))), mod100), "seeded with CRC32(\"Wolf\")")
	require.Equal(t, v.RNG3, collect(NewXoshiro256([]byte("Wolf")), func(r *Xoshiro256) uint64 { return r.NextInt(1, 10) }), "next_int(1,10)")
}

func TestFindNominalFragmentLength_BCURVectors(t *testing.T) {
	for _, c := range loadVectors(t).FindFragmentLength {
		got, err := FindNominalFragmentLength(c.MessageLen, c.Min, c.Max)
		require.NoError(t, err)
		require.Equal(t, c.Want, got)
	}
	_, err := FindNominalFragmentLength(10, 5, 4)
	require.Error(t, err)
}

func TestRandomSampler_BCURVector(t *testing.T) {
	v := loadVectors(t).RandomSampler
	s := newRandomSampler(v.Probs)
	rng := NewXoshiro256([]byte("Wolf"))
	got := make([]int, 500)
	for i := range got {
		got[i] = s.next(rng)
	}
	require.Equal(t, v.Samples, got)
}

func TestShuffle_BCURVector(t *testing.T) {
	rng := NewXoshiro256([]byte("Wolf"))
	values := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	var got [][]int
	for i := 0; i < 10; i++ {
		got = append(got, shuffled(values, rng))
	}
	require.Equal(t, loadVectors(t).Shuffle, got)
}

func TestPartitionAndJoin_BCURVector(t *testing.T) {
	msg := makeMessage(1024, "Wolf")
	fl, err := FindNominalFragmentLength(len(msg), 10, 100)
	require.NoError(t, err)
	frags := partitionMessage(msg, fl)
	var hexes []string
	var joined []byte
	for _, f := range frags {
		hexes = append(hexes, hex.EncodeToString(f))
		joined = append(joined, f...)
	}
	require.Equal(t, loadVectors(t).Partition, hexes)
	require.Equal(t, msg, joined[:len(msg)])
}

func TestChooseDegree_BCURVector(t *testing.T) {
	msg := makeMessage(1024, "Wolf")
	fl, _ := FindNominalFragmentLength(len(msg), 10, 100)
	n := len(partitionMessage(msg, fl))
	var got []int
	for nonce := 1; nonce <= 200; nonce++ {
		got = append(got, chooseDegree(n, NewXoshiro256([]byte(fmt.Sprintf("Wolf-%d", nonce)))))
	}
	require.Equal(t, loadVectors(t).ChooseDegree, got)
}

func TestChooseFragments_BCURVector(t *testing.T) {
	msg := makeMessage(1024, "Wolf")
	fl, _ := FindNominalFragmentLength(len(msg), 10, 100)
	n := len(partitionMessage(msg, fl))
	var got [][]int
	for seq := uint32(1); seq <= 30; seq++ {
		idx := chooseFragments(seq, n, crc32.ChecksumIEEE(msg))
		slices.Sort(idx)
		got = append(got, idx)
	}
	require.Equal(t, loadVectors(t).ChooseFragments, got)
}

func TestXOR_BCURVector(t *testing.T) {
	v := loadVectors(t).XOR
	rng := NewXoshiro256([]byte("Wolf"))
	d1, d2 := rng.NextData(10), rng.NextData(10)
	require.Equal(t, v["data1"], hex.EncodeToString(d1))
	require.Equal(t, v["data2"], hex.EncodeToString(d2))
	d3 := append([]byte(nil), d1...)
	xorInto(d3, d2)
	require.Equal(t, v["xor"], hex.EncodeToString(d3))
	xorInto(d3, d1)
	require.Equal(t, d2, d3)
}

func TestFountainEncoder_BCURVectorDescriptionsAndCBOR(t *testing.T) {
	v := loadVectors(t)
	enc, err := NewFountainEncoder(makeMessage(256, "Wolf"), 30, 0, 10)
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		p := enc.NextPart()
		require.Equal(t, v.FountainParts[i], p.String(), "part %d", i+1)
		require.Equal(t, v.FountainCBOR[i], hex.EncodeToString(p.CBOR()), "part %d cbor", i+1)
		back, err := ParsePart(p.CBOR())
		require.NoError(t, err)
		require.Equal(t, p, back)
	}
}

func TestFountainEncoder_IsCompleteAfterSeqLenParts(t *testing.T) {
	enc, err := NewFountainEncoder(makeMessage(256, "Wolf"), 30, 0, 10)
	require.NoError(t, err)
	n := 0
	for !enc.IsComplete() {
		enc.NextPart()
		n++
	}
	require.Equal(t, enc.SeqLen(), n)
	require.Equal(t, 9, n)
}

func TestFountainDecoder_BCUR32767BytesFirstSeq100(t *testing.T) {
	msg := makeMessage(32767, "Wolf")
	enc, err := NewFountainEncoder(msg, 1000, 100, 10)
	require.NoError(t, err)
	dec := NewFountainDecoder()
	n := 0
	for !dec.IsComplete() {
		require.NoError(t, dec.ReceivePart(enc.NextPart()))
		n++
		require.Less(t, n, 1000, "decoder never completed")
	}
	got, err := dec.Result()
	require.NoError(t, err)
	require.Equal(t, msg, got)
}

func TestFountainDecoder_ShuffledMixedPartsWithDuplicates(t *testing.T) {
	msg := makeMessage(5000, "Wolf")
	enc, err := NewFountainEncoder(msg, 200, 0, 10)
	require.NoError(t, err)
	var parts []Part
	for i := 0; i < 3*enc.SeqLen(); i++ {
		p := enc.NextPart()
		if p.SeqNum <= uint32(enc.SeqLen()) && p.SeqNum%3 == 0 {
			continue // drop a third of the pure fragments: the mixes must fill in
		}
		parts = append(parts, p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	dec := NewFountainDecoder()
	for _, p := range parts {
		require.NoError(t, dec.ReceivePart(p))
		require.NoError(t, dec.ReceivePart(p)) // duplicate is ignored
		if dec.IsComplete() {
			break
		}
	}
	got, err := dec.Result()
	require.NoError(t, err)
	require.Equal(t, msg, got)
}

func TestFountainDecoder_CorruptFragmentFailsChecksum(t *testing.T) {
	msg := makeMessage(256, "Wolf")
	enc, err := NewFountainEncoder(msg, 30, 0, 10)
	require.NoError(t, err)
	dec := NewFountainDecoder()
	for i := 0; i < enc.SeqLen(); i++ {
		p := enc.NextPart()
		if i == 4 {
			p.Data[0] ^= 1
		}
		require.NoError(t, dec.ReceivePart(p))
	}
	require.True(t, dec.IsComplete())
	_, err = dec.Result()
	require.ErrorIs(t, err, ErrChecksum)
}

func TestFountainDecoder_PartOfOtherMessageRejected(t *testing.T) {
	a, _ := NewFountainEncoder(makeMessage(256, "Wolf"), 30, 0, 10)
	b, _ := NewFountainEncoder(makeMessage(256, "Fox"), 30, 0, 10)
	dec := NewFountainDecoder()
	require.NoError(t, dec.ReceivePart(a.NextPart()))
	require.ErrorIs(t, dec.ReceivePart(b.NextPart()), ErrPartMismatch)
	_, err := dec.Result()
	require.ErrorContains(t, err, "not complete")
	require.Equal(t, 9, dec.ExpectedPartCount())
}

func TestFountainCBOR_BCURRoundTrip(t *testing.T) {
	p := Part{SeqNum: 12, SeqLen: 8, MessageLen: 100, Checksum: 0x12345678, Data: []byte{1, 5, 3, 3, 5}}
	// bc-ur's test_fountain_cbor uses a header no encoder would produce
	// (100 bytes in 5-byte fragments is 20, not 8): the CBOR round-trips,
	// and ParsePart refuses the inconsistency.
	require.Equal(t, "850c0818641a12345678450105030305", hex.EncodeToString(p.CBOR()))
	_, err := ParsePart(p.CBOR())
	require.ErrorContains(t, err, "inconsistent")
}

func TestSinglePartUR_BCURVector(t *testing.T) {
	u := makeMessageUR(50, "Wolf")
	s, err := Encode(u)
	require.NoError(t, err)
	require.Equal(t, loadVectors(t).SinglePartUR, s)
	back, err := Decode(s)
	require.NoError(t, err)
	require.Equal(t, u, back)
	// Case-insensitive, as QR alphanumeric mode transmits upper case.
	back, err = Decode(upper(s))
	require.NoError(t, err)
	require.Equal(t, u, back)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func TestUREncoder_BCURVectorParts(t *testing.T) {
	enc, err := NewEncoder(makeMessageUR(256, "Wolf"), 30)
	require.NoError(t, err)
	want := loadVectors(t).URParts
	for i := range want {
		require.Equal(t, want[i], enc.NextPart(), "part %d", i+1)
	}
}

func TestURDecoder_BCURVectorPartsInAnyOrder(t *testing.T) {
	u := makeMessageUR(256, "Wolf")
	want := loadVectors(t).URParts
	// Only mixed parts 10..20 plus pure parts 1 and 5, reversed.
	var parts []string
	parts = append(parts, want[9:]...)
	parts = append(parts, want[0], want[4])
	slices.Reverse(parts)
	dec := NewDecoder()
	for _, p := range parts {
		require.NoError(t, dec.ReceivePart(p))
		if dec.IsComplete() {
			break
		}
	}
	got, err := dec.Result()
	require.NoError(t, err)
	require.Equal(t, u, got)
	require.Equal(t, 1.0, dec.EstimatedPercentComplete())
}

func TestMultipartUR_BCUR32767BytesFirstSeq100(t *testing.T) {
	u := makeMessageUR(32767, "Wolf")
	enc, err := NewEncoderWithOptions(u, 1000, 100, 10)
	require.NoError(t, err)
	dec := NewDecoder()
	for n := 0; !dec.IsComplete(); n++ {
		require.Less(t, n, 1000)
		require.NoError(t, dec.ReceivePart(enc.NextPart()))
	}
	got, err := dec.Result()
	require.NoError(t, err)
	require.Equal(t, u, got)
}

func TestURDecoder_SinglePartThroughDecoder(t *testing.T) {
	dec := NewDecoder()
	require.NoError(t, dec.ReceivePart(loadVectors(t).SinglePartUR))
	got, err := dec.Result()
	require.NoError(t, err)
	require.Equal(t, makeMessageUR(50, "Wolf"), got)
}

func TestURDecoder_RejectsBadParts(t *testing.T) {
	parts := loadVectors(t).URParts
	cases := map[string]struct {
		part string
		msg  string
	}{
		"not a UR":                {"bytes/1-9/lt", `start with "ur:"`},
		"bad sequence":            {"ur:bytes/1-x/ltadascfadaxcy", "two positive numbers"},
		"zero sequence":           {"ur:bytes/0-9/ltadascfadaxcy", "two positive numbers"},
		"too many components":     {"ur:bytes/1/2/3", "ur:type/data"},
		"bad type":                {"ur:by_tes/abcd", "letters, digits"},
		"checksum damaged":        {parts[0][:len(parts[0])-2] + "aa", "checksum"},
		"sequence disagrees":      {"ur:bytes/2-9/" + parts[0][len("ur:bytes/1-9/"):], "outside"},
		"multi-part given Decode": {parts[0], ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if name == "multi-part given Decode" {
				_, err := Decode(c.part)
				require.ErrorContains(t, err, "scan all parts")
				return
			}
			dec := NewDecoder()
			require.ErrorContains(t, dec.ReceivePart(c.part), c.msg)
			require.False(t, dec.IsComplete())
		})
	}
	dec := NewDecoder()
	require.NoError(t, dec.ReceivePart(parts[0]))
	other := "ur:crypto-psbt/" + parts[1][len("ur:bytes/"):]
	require.ErrorContains(t, dec.ReceivePart(other), "does not belong")
}

func TestURDecoder_RefusesAbsurdHeaders(t *testing.T) {
	mk := func(seqNum, seqLen, msgLen uint64, data []byte) string {
		b := appendHead(nil, majorArray, 5)
		b = appendHead(b, majorUint, seqNum)
		b = appendHead(b, majorUint, seqLen)
		b = appendHead(b, majorUint, msgLen)
		b = appendHead(b, majorUint, 1)
		b = appendBytes(b, data)
		return fmt.Sprintf("ur:bytes/%d-%d/%s", seqNum, seqLen, EncodeBytewords(Minimal, b))
	}
	for name, c := range map[string]struct {
		part, msg string
	}{
		"huge seqLen":       {mk(1, 1<<31, 1<<31, []byte{1}), "seqLen"},
		"huge messageLen":   {mk(1, 1, 1<<40, make([]byte, 1)), "messageLen"},
		"inconsistent":      {mk(1, 3, 10, make([]byte, 2)), "inconsistent"},
		"empty data":        {mk(1, 1, 1, nil), "no data"},
		"seqNum over 32bit": {"ur:bytes/4294967296-1/aeae", "two positive numbers"},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorContains(t, NewDecoder().ReceivePart(c.part), c.msg)
		})
	}
}
