// Package ur implements Uniform Resources for air-gapped signers:
// BCR-2020-005 (UR strings and multi-part fountain codes), BCR-2020-012
// (Bytewords with a CRC32 checksum) and the registry types of BCR-2020-006
// used by Bitcoin wallets: crypto-psbt/psbt, bytes, crypto-hdkey/hdkey
// (BCR-2020-007), crypto-output/output-descriptor (BCR-2020-010 and
// BCR-2023-010) and crypto-account/account-descriptor (BCR-2020-015 and
// BCR-2023-019). It follows the reference implementation
// BlockchainCommons/bc-ur bit for bit, so parts it produces are accepted by
// Keystone, Passport, SeedSigner, Jade, Sparrow and the other bc-ur users.
package ur

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// BytewordsStyle selects one of the three Bytewords encodings of
// BCR-2020-012.
type BytewordsStyle int

const (
	// Standard separates four-letter words with spaces.
	Standard BytewordsStyle = iota
	// URI separates four-letter words with hyphens.
	URI
	// Minimal writes the first and last letter of each word with no
	// separator; it is the form used inside UR strings.
	Minimal
)

// bytewordsList is the 256 words of BCR-2020-012, four letters each, in
// byte order.
const bytewordsList = "ableacidalsoapexaquaarchatomauntawayaxisbackbaldbarnbeltbetabiasbluebodybragbrewbulbbuzzcalmcashcatschefcityclawcodecolacookcostcruxcurlcuspcyandarkdatadaysdelidicedietdoordowndrawdropdrumdulldutyeacheasyechoedgeepicevenexamexiteyesfactfairfernfigsfilmfishfizzflapflewfluxfoxyfreefrogfuelfundgalagamegeargemsgiftgirlglowgoodgraygrimgurugushgyrohalfhanghardhawkheathelphighhillholyhopehornhutsicedideaidleinchinkyintoirisironitemjadejazzjoinjoltjowljudojugsjumpjunkjurykeepkenokeptkeyskickkilnkingkitekiwiknoblamblavalazyleaflegsliarlimplionlistlogoloudloveluaulucklungmainmanymathmazememomenumeowmildmintmissmonknailnavyneednewsnextnoonnotenumbobeyoboeomitonyxopenovalowlspaidpartpeckplaypluspoempoolposepuffpumapurrquadquizraceramprealredorichroadrockroofrubyruinrunsrustsafesagascarsetssilkskewslotsoapsolosongstubsurfswantacotasktaxitenttiedtimetinytoiltombtoystriptunatwinuglyundouniturgeuservastveryvetovialvibeviewvisavoidvowswallwandwarmwaspwavewaxywebswhatwhenwhizwolfworkyankyawnyellyogayurtzapszerozestzinczonezoom"

// minimalIndex maps the first and last letters of a word (a-z each) to
// the byte value plus one; zero marks a pair that is not a byteword.
var minimalIndex = func() (t [26 * 26]uint16) {
	for i := 0; i < 256; i++ {
		w := bytewordsList[i*4 : i*4+4]
		t[int(w[0]-'a')*26+int(w[3]-'a')] = uint16(i + 1)
	}
	return t
}()

// crc32Bytes returns the CRC-32 (ISO-HDLC, as zlib) of data, big-endian,
// as bc-ur appends it.
func crc32Bytes(data []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
}

// EncodeBytewords encodes data followed by its CRC-32 in the given style
// (BCR-2020-012).
func EncodeBytewords(style BytewordsStyle, data []byte) string {
	buf := append(append([]byte(nil), data...), crc32Bytes(data)...)
	var b strings.Builder
	for i, v := range buf {
		w := bytewordsList[int(v)*4 : int(v)*4+4]
		switch style {
		case Minimal:
			b.WriteByte(w[0])
			b.WriteByte(w[3])
		case URI:
			if i > 0 {
				b.WriteByte('-')
			}
			b.WriteString(w)
		default:
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	return b.String()
}

// ErrBytewordsChecksum reports Bytewords whose CRC-32 does not match: the
// text was damaged or mistyped.
var ErrBytewordsChecksum = errors.New("bytewords checksum mismatch: the data was damaged or mistyped")

// DecodeBytewords decodes Bytewords text in the given style, checks and
// strips its CRC-32 (BCR-2020-012). Letters may be upper or lower case.
func DecodeBytewords(style BytewordsStyle, s string) ([]byte, error) {
	s = strings.ToLower(s)
	var words []string
	switch style {
	case Minimal:
		if len(s)%2 != 0 {
			return nil, fmt.Errorf("minimal bytewords must have an even number of letters, found %d", len(s))
		}
		words = make([]string, 0, len(s)/2)
		for i := 0; i < len(s); i += 2 {
			words = append(words, s[i:i+2])
		}
	case URI:
		words = strings.Split(s, "-")
	default:
		words = strings.Split(s, " ")
	}
	buf := make([]byte, 0, len(words))
	for i, w := range words {
		v, ok := decodeWord(w, style == Minimal)
		if !ok {
			return nil, fmt.Errorf("bytewords: word %d %q is not a byteword", i+1, w)
		}
		buf = append(buf, v)
	}
	if len(buf) < 5 {
		return nil, fmt.Errorf("bytewords: %d bytes is too short to hold data and its 4-byte checksum", len(buf))
	}
	body, sum := buf[:len(buf)-4], buf[len(buf)-4:]
	if string(crc32Bytes(body)) != string(sum) {
		return nil, ErrBytewordsChecksum
	}
	return body, nil
}

func decodeWord(w string, minimal bool) (byte, bool) {
	want := 4
	if minimal {
		want = 2
	}
	if len(w) != want {
		return 0, false
	}
	x, y := w[0], w[len(w)-1]
	if x < 'a' || x > 'z' || y < 'a' || y > 'z' {
		return 0, false
	}
	v := minimalIndex[int(x-'a')*26+int(y-'a')]
	if v == 0 {
		return 0, false
	}
	b := byte(v - 1)
	if !minimal && w != bytewordsList[int(b)*4:int(b)*4+4] {
		return 0, false
	}
	return b, true
}
