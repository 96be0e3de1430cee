package keys

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"
)

type bip32Vectors struct {
	Valid []struct {
		Name   string `json:"name"`
		Seed   string `json:"seed"`
		Chains []struct {
			Path string `json:"path"`
			Xpub string `json:"xpub"`
			Xprv string `json:"xprv"`
		} `json:"chains"`
	} `json:"valid"`
	Invalid []struct {
		Reason string `json:"reason"`
		Key    string `json:"key"`
		Error  string `json:"error"`
	} `json:"invalid"`
}

func loadBIP32Vectors(t *testing.T) bip32Vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/bip32.json")
	require.NoError(t, err)
	var v bip32Vectors
	require.NoError(t, json.Unmarshal(data, &v))
	return v
}

// TestBIP32VectorsDeriveAndParse derives every chain of BIP32 test vectors 1
// to 4 from the seed, compares both serialisations, checks that public
// derivation agrees on unhardened steps, and parses each key back.
func TestBIP32VectorsDeriveAndParse(t *testing.T) {
	v := loadBIP32Vectors(t)
	require.Len(t, v.Valid, 4)
	for _, vec := range v.Valid {
		t.Run(vec.Name, func(t *testing.T) {
			seed, err := hex.DecodeString(vec.Seed)
			require.NoError(t, err)
			master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
			require.NoError(t, err)
			for _, c := range vec.Chains {
				path, err := ParsePath(c.Path)
				require.NoError(t, err, c.Path)
				priv := master
				for _, step := range path {
					priv, err = priv.Derive(step)
					require.NoError(t, err, c.Path)
				}
				require.Equal(t, c.Xprv, priv.String(), c.Path)
				pub, err := priv.Neuter()
				require.NoError(t, err)
				require.Equal(t, c.Xpub, pub.String(), c.Path)

				if n := len(path); n > 0 && path[n-1] < Hardened {
					parent := master
					for _, step := range path[:n-1] {
						parent, err = parent.Derive(step)
						require.NoError(t, err)
					}
					parentPub, err := parent.Neuter()
					require.NoError(t, err)
					child, err := parentPub.Derive(path[n-1])
					require.NoError(t, err)
					require.Equal(t, c.Xpub, child.String(), "CKDpub of "+c.Path)
				}

				k, err := ParseExtendedKey(c.Xpub)
				require.NoError(t, err, c.Xpub)
				require.Equal(t, c.Xpub, k.Key.String())
				require.Equal(t, FormatX, k.Format)
				require.False(t, k.Key.IsPrivate())
				require.Equal(t, uint8(len(path)), k.Key.Depth())

				k, err = ParseExtendedKey(c.Xprv)
				require.NoError(t, err, c.Xprv)
				require.Equal(t, c.Xprv, k.Key.String())
				require.True(t, k.Key.IsPrivate())
			}
		})
	}
}

// TestBIP32Vector5InvalidKeysRejected feeds every invalid key of BIP32 test
// vector 5 to ParseExtendedKey and checks the error names the defect.
func TestBIP32Vector5InvalidKeysRejected(t *testing.T) {
	v := loadBIP32Vectors(t)
	require.Len(t, v.Invalid, 16)
	for _, bad := range v.Invalid {
		t.Run(bad.Reason, func(t *testing.T) {
			k, err := ParseExtendedKey(bad.Key)
			require.Nil(t, k)
			require.ErrorContains(t, err, bad.Error)
		})
	}
}

func TestParseExtendedKeyTestnetSLIP132(t *testing.T) {
	// BIP84's account key re-encoded as vpub keeps its key data and reads
	// back as a tpub.
	const xpub = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	k, err := ParseExtendedKey(xpub)
	require.NoError(t, err)
	vpub, err := ConvertVersion(k.Key, FormatZ, true)
	require.NoError(t, err)
	require.Equal(t, "vpub", vpub[:4])
	back, err := ParseExtendedKey(vpub)
	require.NoError(t, err)
	require.True(t, back.Testnet)
	require.Equal(t, FormatZ, back.Format)
	require.Equal(t, "tpub", back.Key.String()[:4])
	tpub, err := ConvertVersion(back.Key, FormatX, true)
	require.NoError(t, err)
	require.Equal(t, back.Key.String(), tpub)
}

func TestExtendedKeyVersionNameFollowsSLIP132(t *testing.T) {
	const xpub = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	k, err := ParseExtendedKey(xpub)
	require.NoError(t, err)
	for _, tc := range []struct {
		f       Format
		testnet bool
		want    string
	}{
		{FormatX, false, "xpub"}, {FormatY, false, "ypub"}, {FormatZ, false, "zpub"}, {FormatYMult, false, "Ypub"}, {FormatZMult, false, "Zpub"},
		{FormatX, true, "tpub"}, {FormatY, true, "upub"}, {FormatZ, true, "vpub"}, {FormatYMult, true, "Upub"}, {FormatZMult, true, "Vpub"},
	} {
		s, err := ConvertVersion(k.Key, tc.f, tc.testnet)
		require.NoError(t, err)
		require.Equal(t, tc.want, s[:4])
		back, err := ParseExtendedKey(s)
		require.NoError(t, err)
		require.Equal(t, tc.want, back.VersionName())
	}
	priv, err := ParseExtendedKey("xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi")
	require.NoError(t, err)
	require.Equal(t, "xprv", priv.VersionName())
}

func TestFingerprintBigEndianUint32MatchesHDKeychainParentFingerprint(t *testing.T) {
	// BIP32 test vector 1: seed 000102030405060708090a0b0c0d0e0f, master
	// fingerprint 3442193e; m/0h names it as its parent.
	seed, err := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	require.NoError(t, err)
	master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	require.NoError(t, err)
	fp, err := MasterFingerprint(master)
	require.NoError(t, err)
	require.Equal(t, "3442193e", fp.String())
	require.Equal(t, uint32(0x3442193e), fp.BigEndianUint32())
	child, err := master.Derive(hdkeychain.HardenedKeyStart)
	require.NoError(t, err)
	require.Equal(t, child.ParentFingerprint(), fp.BigEndianUint32())
	require.Equal(t, uint32(0x3e194234), fp.Uint32())
}
