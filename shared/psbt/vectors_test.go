package psbt

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v))
}

// TestCoreInvalidPSBTsAreRejected runs Bitcoin Core's (and BIP174's) invalid
// PSBTs: each must fail to decode with an error, never a panic.
func TestCoreInvalidPSBTsAreRejected(t *testing.T) {
	var f struct{ Invalid []string }
	loadJSON(t, "rpc_psbt_invalid.json", &f)
	require.Len(t, f.Invalid, 41)
	for i, s := range f.Invalid {
		_, err := Decode([]byte(s))
		require.Error(t, err, "invalid vector %d decoded: %s", i, s)
	}
}

// TestCoreValidPSBTsDecodeAndRoundTrip runs Bitcoin Core's (BIP174's and
// BIP371's) valid PSBTs: each decodes, analyses, and re-serialises to a PSBT
// that decodes to the same bytes again.
func TestCoreValidPSBTsDecodeAndRoundTrip(t *testing.T) {
	var f struct{ Valid []string }
	loadJSON(t, "rpc_psbt_valid.json", &f)
	require.Len(t, f.Valid, 19)
	for i, s := range f.Valid {
		p, err := Decode([]byte(s))
		require.NoError(t, err, "valid vector %d", i)
		_, err = Analyse(p, AnalyseOptions{})
		require.NoError(t, err, "valid vector %d", i)
		raw, err := Serialize(p)
		require.NoError(t, err)
		q, err := Parse(raw)
		require.NoError(t, err, "valid vector %d after a round trip", i)
		again, err := Serialize(q)
		require.NoError(t, err)
		require.Equal(t, raw, again, "valid vector %d serialises stably", i)
	}
}

// TestGlobalXpubsFromCoreVector reads the two PSBT_GLOBAL_XPUB entries of
// Core's valid vector (kept by btcutil/psbt as global unknowns).
func TestGlobalXpubsFromCoreVector(t *testing.T) {
	var f struct{ Valid []string }
	loadJSON(t, "rpc_psbt_valid.json", &f)
	p, err := Decode([]byte(f.Valid[8]))
	require.NoError(t, err)
	xp, err := GlobalXpubs(p)
	require.NoError(t, err)
	require.Len(t, xp, 2)
	require.Equal(t, "d90c6a4f/174h/0h", xp[0].Origin.String())
	require.Equal(t, "d90c6a4f/174h/1h", xp[1].Origin.String())
	require.Equal(t, uint8(2), xp[0].Key.Depth())

	// Adding the same key again changes nothing; the entries survive a round trip.
	require.NoError(t, AddGlobalXpub(p, xp[0].Key, xp[0].Origin))
	back := roundTrip(t, p)
	xp2, err := GlobalXpubs(back)
	require.NoError(t, err)
	require.Equal(t, xp[0].Key.String(), xp2[0].Key.String())
	require.Len(t, xp2, 2)
}

// TestBIP371TapTreeFromCoreVector decodes the PSBT_OUT_TAP_TREE of Core's
// valid taproot vector and writes it back byte for byte.
func TestBIP371TapTreeFromCoreVector(t *testing.T) {
	var f struct{ Valid []string }
	loadJSON(t, "rpc_psbt_valid.json", &f)
	p, err := Decode([]byte(f.Valid[18]))
	require.NoError(t, err)
	tree := p.Outputs[0].TaprootTapTree
	leaves, err := ParseTapTree(tree)
	require.NoError(t, err)
	require.Len(t, leaves, 3)
	require.Equal(t, []uint8{2, 2, 1}, []uint8{leaves[0].Depth, leaves[1].Depth, leaves[2].Depth})
	require.Equal(t, uint8(0xc0), leaves[0].LeafVersion)
	require.Equal(t, tree, EncodeTapTree(leaves))
	require.Len(t, p.Outputs[0].TaprootBip32Derivation, 4)
}

func TestParseTapTreeRejectsIncompleteTrees(t *testing.T) {
	leaf := func(depth byte) []byte { return []byte{depth, 0xc0, 1, 0x51} }
	for name, tree := range map[string][]byte{
		"single leaf at depth 1":       leaf(1),
		"two leaves at depths 1 and 2": append(leaf(1), leaf(2)...),
		"odd leaf version":             {0, 0xc1, 1, 0x51},
		"leaf after a complete tree":   append(leaf(0), leaf(0)...),
		"truncated script":             {0, 0xc0, 5, 0x51},
		"empty tree":                   {},
		"depth over 128":               leaf(129),
	} {
		_, err := ParseTapTree(tree)
		require.Error(t, err, name)
	}
	_, err := ParseTapTree(append(append(leaf(1), leaf(2)...), leaf(2)...))
	require.NoError(t, err)
}

// bip370File is testdata/bip370.json: BIP370's test vectors.
type bip370File struct {
	V2Valid string `json:"v2_valid"`
	Invalid []struct {
		Case    string
		V2Field string `json:"v2_field"`
		Base64  string
	}
	Valid []struct {
		Case   string
		Base64 string
	}
	Timelock []struct {
		Case     string
		Locktime *uint32
		Base64   string
	}
}

// TestBIP370VersionTwoIsRefusedWithAClearMessage checks a BIP370 vector is
// refused with ErrVersion2, whose text tells the user to export version 0.
func TestBIP370VersionTwoIsRefusedWithAClearMessage(t *testing.T) {
	var f bip370File
	loadJSON(t, "bip370.json", &f)
	_, err := Decode([]byte(f.V2Valid))
	require.ErrorIs(t, err, ErrVersion2)
	require.Contains(t, err.Error(), "export the transaction as PSBT version 0")
}

// TestBIP370InvalidVectorsAreRefusedNamingTheProblem runs every invalid PSBT
// of BIP370. A version 0 PSBT carrying a version 2 field is refused as
// malformed, naming the field (not as "a version 2 PSBT", which it is not);
// the version 0 PSBT with PSBT_GLOBAL_VERSION 2 is refused naming the
// version 0 unsigned transaction it carries; the malformed version 2 PSBTs
// are refused as version 2, which this engine cannot read.
func TestBIP370InvalidVectorsAreRefusedNamingTheProblem(t *testing.T) {
	var f bip370File
	loadJSON(t, "bip370.json", &f)
	require.Len(t, f.Invalid, 21)
	for _, v := range f.Invalid {
		t.Run(v.Case, func(t *testing.T) {
			_, err := Decode([]byte(v.Base64))
			require.Error(t, err)
			switch {
			case v.V2Field == "PSBT_GLOBAL_VERSION":
				require.EqualError(t, err, "a version 2 PSBT carries PSBT_GLOBAL_UNSIGNED_TX, a version 0 field: "+malformedAdvice)
			case strings.HasPrefix(v.V2Field, "PSBT_GLOBAL_"):
				require.EqualError(t, err, "a version 0 PSBT carries "+v.V2Field+", a version 2 field: "+malformedAdvice)
			case strings.HasPrefix(v.V2Field, "PSBT_IN_"):
				require.EqualError(t, err, "PSBT input 0: a version 0 PSBT carries "+v.V2Field+", a version 2 field: "+malformedAdvice)
			case strings.HasPrefix(v.V2Field, "PSBT_OUT_"):
				require.EqualError(t, err, "PSBT output 0: a version 0 PSBT carries "+v.V2Field+", a version 2 field: "+malformedAdvice)
			default:
				require.ErrorIs(t, err, ErrVersion2)
			}
			if v.V2Field != "" {
				require.NotErrorIs(t, err, ErrVersion2, "a version 0 PSBT is not called version 2")
			}
		})
	}
	require.Contains(t, malformedAdvice, "the file is malformed")
}

// TestBIP370ValidVectorsAreRefusedAsVersion2 runs every valid PSBT of BIP370
// (and those of its timelock section): each is a version 2 PSBT, which
// btcutil/psbt cannot read, so each is refused with ErrVersion2.
func TestBIP370ValidVectorsAreRefusedAsVersion2(t *testing.T) {
	var f bip370File
	loadJSON(t, "bip370.json", &f)
	require.Len(t, f.Valid, 14)
	require.Len(t, f.Timelock, 10)
	for _, v := range f.Valid {
		_, err := Decode([]byte(v.Base64))
		require.ErrorIs(t, err, ErrVersion2, v.Case)
	}
	for _, v := range f.Timelock {
		_, err := Decode([]byte(v.Base64))
		require.ErrorIs(t, err, ErrVersion2, v.Case)
	}
}

// TestDecodeAcceptsBinaryHexAndWrappedBase64 reads one PSBT in every form a
// file or a paste may carry.
func TestDecodeAcceptsBinaryHexAndWrappedBase64(t *testing.T) {
	var f struct{ Valid []string }
	loadJSON(t, "rpc_psbt_valid.json", &f)
	want, err := DecodeBase64(f.Valid[1])
	require.NoError(t, err)
	raw, err := Serialize(want)
	require.NoError(t, err)
	wrapped := ""
	for i := 0; i < len(f.Valid[1]); i += 64 {
		wrapped += f.Valid[1][i:min(i+64, len(f.Valid[1]))] + "\r\n"
	}
	for name, in := range map[string][]byte{
		"binary":          raw,
		"hex":             []byte(" " + hex.EncodeToString(raw) + "\n"),
		"wrapped base64":  []byte(wrapped),
		"base64 and CRLF": []byte(f.Valid[1] + "\r\n"),
	} {
		p, err := Decode(in)
		require.NoError(t, err, name)
		got, err := Serialize(p)
		require.NoError(t, err)
		require.Equal(t, raw, got, name)
	}
	_, err = Decode([]byte("70736274ffzz"))
	require.ErrorContains(t, err, "looks like hex but is not valid hex")
	_, err = Decode([]byte("   "))
	require.ErrorContains(t, err, "PSBT is empty")
	_, err = Decode([]byte("aGVsbG8="))
	require.ErrorContains(t, err, "not a PSBT")
}

// TestCoreInvalidWithMessage runs the version-0 entries of Core's
// "invalid_with_msg" section and checks our error says the same thing.
func TestCoreInvalidWithMessage(t *testing.T) {
	var f struct {
		InvalidWithMsg [][2]string `json:"invalid_with_msg"`
	}
	loadJSON(t, "rpc_psbt_invalid.json", &f)
	require.Len(t, f.InvalidWithMsg, 2)
	ours := map[string]string{
		"Input Taproot BIP32 keypath has an invalid length": "taproot BIP32 derivation value",
		"Output Taproot tree must not be empty":             "taproot tree is empty",
	}
	for _, v := range f.InvalidWithMsg {
		_, err := Decode([]byte(v[0]))
		require.ErrorContains(t, err, ours[v[1]], v[1])
	}
}

// TestBIP371VectorsMissingFromCoresCopy runs the BIP371 vectors that Core's
// rpc_psbt.json copy lacks: the key path signature of 66 bytes and the
// script path signature of 63 bytes are refused naming the field; the script
// path input with signatures decodes, analyses and round-trips, its three
// PSBT_IN_TAP_SCRIPT_SIG entries kept.
func TestBIP371VectorsMissingFromCoresCopy(t *testing.T) {
	var f struct {
		Invalid, Valid []struct{ Case, Base64 string }
	}
	loadJSON(t, "bip371.json", &f)
	require.Len(t, f.Invalid, 2)
	require.Len(t, f.Valid, 1)
	wantErr := []string{
		"PSBT input 0: taproot key signature must be 64 or 65 bytes, not 66",
		"PSBT input 0: taproot script signature must be 64 or 65 bytes, not 63",
	}
	for i, v := range f.Invalid {
		_, err := Decode([]byte(v.Base64))
		require.EqualError(t, err, wantErr[i], v.Case)
	}
	p, err := Decode([]byte(f.Valid[0].Base64))
	require.NoError(t, err, f.Valid[0].Case)
	_, err = Analyse(p, AnalyseOptions{})
	require.NoError(t, err)
	in := p.Inputs[0]
	require.Len(t, in.TaprootScriptSpendSig, 3)
	require.Len(t, in.TaprootLeafScript, 3)
	require.Len(t, in.TaprootBip32Derivation, 4)
	require.Equal(t, "f0362e2f75a6f420a5bde3eb221d96ae6720cf25f81890c95b1d775acb515e65", hex.EncodeToString(in.TaprootMerkleRoot))
	raw, err := Serialize(p)
	require.NoError(t, err)
	q, err := Parse(raw)
	require.NoError(t, err)
	again, err := Serialize(q)
	require.NoError(t, err)
	require.Equal(t, raw, again)
	require.Equal(t, f.Valid[0].Base64, base64.StdEncoding.EncodeToString(raw), "btcutil writes the BIP's own serialisation back")
}
