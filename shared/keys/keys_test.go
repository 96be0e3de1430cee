package keys

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePathAcceptsAllHardenedMarkers(t *testing.T) {
	for _, in := range []string{"m/48'/1'/0'/2'", "48h/1h/0h/2h", "m/48H/1'/0h/2'", "/48'/1'/0'/2'"} {
		p, err := ParsePath(in)
		require.NoError(t, err, in)
		require.Equal(t, Path{48 + Hardened, 1 + Hardened, Hardened, 2 + Hardened}, p, in)
		require.Equal(t, "48h/1h/0h/2h", p.String())
		require.Equal(t, "48'/1'/0'/2'", p.StringApostrophe())
	}
	p, err := ParsePath("m")
	require.NoError(t, err)
	require.Empty(t, p)
}

func TestParsePathRejectsBadSteps(t *testing.T) {
	for in, msg := range map[string]string{
		"m/2147483648": `derivation path "2147483648": step "2147483648" is out of range: indexes go from 0 to 2147483647`,
		"m/1//2":       `derivation path "1//2": step "" is not a decimal index`,
		"m/01":         `derivation path "01": step "01" is not a decimal index`,
		"m/x'":         `derivation path "x'": step "x" is not a decimal index`,
	} {
		_, err := ParsePath(in)
		require.EqualError(t, err, msg, in)
	}
}

func TestParseOrigin(t *testing.T) {
	o, err := ParseOrigin("[D34DB33F/48'/0'/0'/2']")
	require.NoError(t, err)
	require.Equal(t, "d34db33f/48h/0h/0h/2h", o.String())
	require.Equal(t, Fingerprint{0xd3, 0x4d, 0xb3, 0x3f}, o.Fingerprint)
	require.Equal(t, o.Fingerprint, FingerprintFromUint32(o.Fingerprint.Uint32()))
	_, err = ParseOrigin("[d34db3/0]")
	require.ErrorContains(t, err, "must be 8 hex digits")
}

// SLIP-132 vectors: the same BIP84 account key of the BIP84 test mnemonic
// ("abandon ... about") as zpub and xpub.
func TestParseExtendedKeyNormalisesSLIP132(t *testing.T) {
	const zpub = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
	const xpub = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	k, err := ParseExtendedKey(zpub)
	require.NoError(t, err)
	require.Equal(t, FormatZ, k.Format)
	require.False(t, k.Testnet)
	require.Equal(t, xpub, k.Key.String())
	back, err := ConvertVersion(k.Key, FormatZ, false)
	require.NoError(t, err)
	require.Equal(t, zpub, back)
}

func TestParseExtendedKeyErrorsSayWhatIsWrong(t *testing.T) {
	_, err := ParseExtendedKey("xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6W")
	require.ErrorContains(t, err, "not valid base58check")
	_, err = ParseExtendedKey("hello")
	require.Error(t, err)
}

func TestPathFingerprintOriginTravelAsJSONText(t *testing.T) {
	type doc struct {
		Origin Origin      `json:"origin"`
		FP     Fingerprint `json:"fp"`
		Path   Path        `json:"path"`
		Empty  Path        `json:"empty"`
	}
	o, err := ParseOrigin("[D34DB33F/48'/1'/0'/2']")
	require.NoError(t, err)
	in := doc{Origin: o, FP: Fingerprint{0x73, 0xc5, 0xda, 0x0a}, Path: Path{0, 1}, Empty: Path{}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"origin":"d34db33f/48h/1h/0h/2h","fp":"73c5da0a","path":"0/1","empty":""}`, string(b))
	var out doc
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)
	require.ErrorContains(t, json.Unmarshal([]byte(`{"fp":"73c5da"}`), &out), `fingerprint "73c5da" must be 8 hex digits`)
	require.ErrorContains(t, json.Unmarshal([]byte(`{"origin":"73c5da0a/x"}`), &out), `step "x" is not a decimal index`)
}
