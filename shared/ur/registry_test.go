package ur

import (
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
)

type registryVectors struct {
	Bytes struct {
		UR, CBOR, Data string
	} `json:"bytes"`
	CryptoPSBT struct {
		UR   string `json:"ur"`
		PSBT string `json:"psbt"`
	} `json:"crypto_psbt"`
	HDKey []struct {
		Name, UR, CBOR string
		ExtendedKey    string `json:"extended_key"`
	} `json:"hdkey"`
	CryptoOutput []struct {
		Name, UR, CBOR, Descriptor string
	} `json:"crypto_output"`
	Account struct {
		Mnemonic          string   `json:"mnemonic"`
		MasterFingerprint string   `json:"master_fingerprint"`
		V1UR              string   `json:"crypto_account_ur"`
		V1CBOR            string   `json:"crypto_account_cbor"`
		V2UR              string   `json:"account_descriptor_ur"`
		Descriptors       []string `json:"descriptors"`
	} `json:"account"`
}

func loadRegistry(t *testing.T) registryVectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/bcr-registry-vectors.json")
	require.NoError(t, err)
	var v registryVectors
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestBytesUR_BCR2020006Vector(t *testing.T) {
	v := loadRegistry(t).Bytes
	u, err := Decode(v.UR)
	require.NoError(t, err)
	require.Equal(t, TypeBytes, u.Type)
	require.Equal(t, v.CBOR, hex.EncodeToString(u.CBOR))
	data, err := DecodeBytes(u)
	require.NoError(t, err)
	require.Equal(t, v.Data, hex.EncodeToString(data))
	s, err := Encode(EncodeBytes(data))
	require.NoError(t, err)
	require.Equal(t, v.UR, s)
}

func TestCryptoPSBT_BCR2020006VectorDecodeAndEncode(t *testing.T) {
	v := loadRegistry(t).CryptoPSBT
	u, err := Decode(v.UR)
	require.NoError(t, err)
	psbt, err := DecodePSBT(u)
	require.NoError(t, err)
	require.Equal(t, v.PSBT, hex.EncodeToString(psbt))

	s, err := Encode(EncodePSBT(psbt, true))
	require.NoError(t, err)
	require.Equal(t, v.UR, s)

	// Version 2 type name carries the same CBOR.
	v2 := EncodePSBT(psbt, false)
	require.Equal(t, TypePSBT, v2.Type)
	require.Equal(t, u.CBOR, v2.CBOR)
	back, err := DecodePSBT(v2)
	require.NoError(t, err)
	require.Equal(t, psbt, back)

	_, err = DecodePSBT(UR{Type: TypeBytes, CBOR: u.CBOR})
	require.ErrorContains(t, err, "expected a crypto-psbt")
}

func TestCryptoPSBT_MultiPartAnimatedRoundTrip(t *testing.T) {
	psbt := mustHex(t, loadRegistry(t).CryptoPSBT.PSBT)
	enc, err := NewEncoder(EncodePSBT(psbt, true), 40)
	require.NoError(t, err)
	require.Equal(t, 5, enc.SeqLen())
	dec := NewDecoder()
	for i := 0; !dec.IsComplete(); i++ {
		part := enc.NextPart()
		require.True(t, strings.HasPrefix(part, "ur:crypto-psbt/"), part)
		if i%2 == 0 { // lose every other frame: fountain parts make up for it
			continue
		}
		require.NoError(t, dec.ReceivePart(strings.ToUpper(part)))
		require.Less(t, i, 200)
	}
	u, err := dec.Result()
	require.NoError(t, err)
	got, err := DecodePSBT(u)
	require.NoError(t, err)
	require.Equal(t, psbt, got)
}

func TestHDKey_BCR2020007Vectors(t *testing.T) {
	for _, c := range loadRegistry(t).HDKey {
		t.Run(c.Name, func(t *testing.T) {
			u, err := Decode(c.UR)
			require.NoError(t, err)
			require.Equal(t, c.CBOR, hex.EncodeToString(u.CBOR))
			k, err := DecodeHDKey(u)
			require.NoError(t, err)
			x, err := k.ExtendedKey()
			require.NoError(t, err)
			require.Equal(t, c.ExtendedKey, x)
		})
	}
	u, _ := Decode(loadRegistry(t).HDKey[1].UR)
	k, err := DecodeHDKey(u)
	require.NoError(t, err)
	require.True(t, k.Testnet())
	require.Equal(t, "44'/1'/1'/0/1", k.Origin.String())
	require.Equal(t, "e9181cf3", k.ParentFingerprint.String())
	p, err := k.Origin.Path()
	require.NoError(t, err)
	require.Equal(t, "44h/1h/1h/0/1", p.String())
	// No source fingerprint: the key expression has no origin.
	ke, err := k.KeyExpression(nil)
	require.NoError(t, err)
	require.Equal(t, loadRegistry(t).HDKey[1].ExtendedKey, ke)
	// With a master fingerprint supplied the origin is written.
	fp := keys.Fingerprint{0xd3, 0x4d, 0xb3, 0x3f}
	ke, err = k.KeyExpression(&fp)
	require.NoError(t, err)
	require.Equal(t, "[d34db33f/44'/1'/1'/0/1]"+loadRegistry(t).HDKey[1].ExtendedKey, ke)
}

func TestCryptoOutput_BCR2020010Vectors(t *testing.T) {
	for i, c := range loadRegistry(t).CryptoOutput {
		t.Run(c.Name, func(t *testing.T) {
			u, err := Decode(c.UR)
			require.NoError(t, err)
			require.Equal(t, TypeCryptoOutput, u.Type)
			require.Equal(t, c.CBOR, hex.EncodeToString(u.CBOR))
			d, err := DecodeOutputDescriptor(u)
			require.NoError(t, err)
			got, err := d.Descriptor(nil)
			require.NoError(t, err)
			switch i {
			case 3:
				// The published xpub has child number fffffffe, which no
				// CBOR field carries: every other byte must match.
				pub := c.Descriptor[strings.Index(c.Descriptor, "xpub"):strings.Index(c.Descriptor, "/1/*")]
				ours := got[strings.Index(got, "xpub"):strings.Index(got, "/1/*")]
				require.Equal(t, strings.Replace(c.Descriptor, pub, ours, 1), got)
				a, b := base58.Decode(pub), base58.Decode(ours)
				require.Equal(t, a[:9], b[:9], "version, depth 4, parent 78412e3a")
				require.Equal(t, []byte{0xff, 0xff, 0xff, 0xfe}, a[9:13])
				require.Equal(t, []byte{0, 0, 0, 0}, b[9:13])
				require.Equal(t, a[13:78], b[13:78], "chain code and key")
			case 4:
				// The CBOR gives the second key origin [bd16bee5/0], which
				// the published text omits; the xpubs match exactly.
				want := strings.Replace(c.Descriptor, ",xpub69H7", ",[bd16bee5/0]xpub69H7", 1)
				require.Equal(t, want, got)
				require.Equal(t, 1, d.Script.Inner.Threshold)
				require.Len(t, d.Keys, 2)
			default:
				require.Equal(t, c.Descriptor, got)
			}
		})
	}
}

func TestAccount_BCR2020015And2023019SameAccount(t *testing.T) {
	v := loadRegistry(t).Account
	for name, s := range map[string]string{"crypto-account v1": v.V1UR, "account-descriptor v2": v.V2UR} {
		t.Run(name, func(t *testing.T) {
			u, err := Decode(s)
			require.NoError(t, err)
			if name == "crypto-account v1" {
				require.Equal(t, v.V1CBOR, hex.EncodeToString(u.CBOR))
			}
			a, err := DecodeAccount(u)
			require.NoError(t, err)
			require.Equal(t, v.MasterFingerprint, a.MasterFingerprint.String())
			ds, err := a.Descriptors()
			require.NoError(t, err)
			require.Equal(t, v.Descriptors, ds)
		})
	}
}

// TestAccount_XpubsMatchBIP39Derivation derives the account keys from the
// published mnemonic independently (BIP39 seed, BIP32 derivation) and
// checks them against what the crypto-account UR decodes to.
func TestAccount_XpubsMatchBIP39Derivation(t *testing.T) {
	v := loadRegistry(t).Account
	seed, err := pbkdf2.Key(sha512.New, v.Mnemonic, []byte("mnemonic"), 2048, 64)
	require.NoError(t, err)
	master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	require.NoError(t, err)
	u, err := Decode(v.V1UR)
	require.NoError(t, err)
	a, err := DecodeAccount(u)
	require.NoError(t, err)
	for _, o := range a.Outputs {
		k := o.Keys[0].HDKey
		require.NotNil(t, k)
		path, err := k.Origin.Path()
		require.NoError(t, err)
		key := master
		for _, step := range path {
			key, err = key.Derive(step)
			require.NoError(t, err)
		}
		pub, err := key.Neuter()
		require.NoError(t, err)
		x, err := k.ExtendedKey()
		require.NoError(t, err)
		require.Equal(t, pub.String(), x, path.String())
	}
	mpub, _ := master.ECPubKey()
	require.Equal(t, v.MasterFingerprint, hex.EncodeToString(btcutil.Hash160(mpub.SerializeCompressed())[:4]))
}

func TestRegistry_MalformedInputsRejected(t *testing.T) {
	cases := map[string]struct {
		u   UR
		dec func(UR) error
		msg string
	}{
		"hdkey without key-data": {UR{TypeCryptoHDKey, mustHex(t, "a10401")}, decHDKey, "no key-data"},
		"hdkey short key":        {UR{TypeCryptoHDKey, mustHex(t, "a1034102")}, decHDKey, "33 bytes"},
		"hdkey not a map":        {UR{TypeHDKey, mustHex(t, "01")}, decHDKey, "must be a map"},
		"hdkey off-curve key":    {UR{TypeHDKey, mustHex(t, "a1035821020000000000000000000000000000000000000000000000000000000000000005")}, decHDKey, "not a valid secp256k1"},
		"output unknown tag":     {UR{TypeCryptoOutput, mustHex(t, "d9019f01")}, decOutput, "400..410"},
		"multi threshold 0":      {UR{TypeCryptoOutput, mustHex(t, "d90196a20100028180")}, decOutput, "threshold"},
		"private eckey":          {UR{TypeCryptoOutput, mustHex(t, "d90192d90132a202f5035820"+strings.Repeat("11", 32))}, decOutput, "private"},
		"account no fingerprint": {UR{TypeCryptoAccount, mustHex(t, "a10280")}, decAccount, "master fingerprint"},
		"psbt not bytes":         {UR{TypeCryptoPSBT, mustHex(t, "6161")}, decPSBT, "byte string"},
		"truncated cbor":         {UR{TypeCryptoPSBT, mustHex(t, "5801")}, decPSBT, "ends early"},
		"trailing cbor":          {UR{TypeCryptoPSBT, mustHex(t, "410000")}, decPSBT, "unexpected bytes"},
		"indefinite length":      {UR{TypeCryptoPSBT, mustHex(t, "5f41ff")}, decPSBT, "indefinite"},
		"wrong type":             {UR{TypeBytes, mustHex(t, "a0")}, decAccount, "expected a crypto-account"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			require.ErrorContains(t, c.dec(c.u), c.msg)
		})
	}
}

func decHDKey(u UR) error   { _, err := DecodeHDKey(u); return err }
func decOutput(u UR) error  { _, err := DecodeOutputDescriptor(u); return err }
func decAccount(u UR) error { _, err := DecodeAccount(u); return err }
func decPSBT(u UR) error    { _, err := DecodePSBT(u); return err }

func TestOutputDescriptorV3_BCR2023010Vectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/bcr-registry-vectors.json")
	require.NoError(t, err)
	var v struct {
		V3 struct {
			Vectors []struct {
				Name, CBOR, Descriptor, Error string
				NameField                     string `json:"name_field"`
			}
		} `json:"output_descriptor_v3"`
	}
	require.NoError(t, json.Unmarshal(raw, &v))
	require.Len(t, v.V3.Vectors, 4)
	for _, c := range v.V3.Vectors {
		t.Run(c.Name, func(t *testing.T) {
			u := UR{Type: TypeOutputDescriptor, CBOR: mustHex(t, c.CBOR)}
			d, err := DecodeOutputDescriptor(u)
			if c.Error != "" {
				require.ErrorContains(t, err, c.Error)
				return
			}
			require.NoError(t, err)
			got, err := d.Descriptor(nil)
			require.NoError(t, err)
			require.Equal(t, c.Descriptor, got)
			require.Equal(t, c.NameField, d.Name)
			// Through a UR string and back, as a signer would show it.
			s, err := Encode(u)
			require.NoError(t, err)
			back, err := Decode(s)
			require.NoError(t, err)
			d2, err := DecodeOutputDescriptor(back)
			require.NoError(t, err)
			got2, err := d2.Descriptor(nil)
			require.NoError(t, err)
			require.Equal(t, got, got2)
		})
	}
}

func TestCryptoOutput_V1AddressAndPairChildren(t *testing.T) {
	// 307({1: 305({2: 1}), 2: 2, 3: h'4efd...'}) as a BCR-2020-010 addr().
	u := UR{Type: TypeCryptoOutput, CBOR: mustHex(t, "d90133a301d90131a10201020203544efd3ded47d967e4122982422c9d84db60503972")}
	d, err := DecodeOutputDescriptor(u)
	require.NoError(t, err)
	got, err := d.Descriptor(nil)
	require.NoError(t, err)
	require.Equal(t, "addr(tb1qfm7nmm28m9n7gy3fsfpze8vymds9qwtjwn4w7y)", got)

	// wpkh(hdkey) with children <0;1>/* in the version 1 tags.
	k := "d9012fa4035821021c0b479ecf6e67713ddf0c43b634592f51c037b6f951fb1dc6361a98b1e5735e0458206b3a4cfb6a45f6305efe6e0e976b5d26ba27f7c344d7fc7abef7be2d06d52dfd06d90130a201881830f500f500f502f5021adc56727607d90130a101838400f401f480f4"
	d, err = DecodeOutputDescriptor(UR{Type: TypeCryptoOutput, CBOR: mustHex(t, "d90194"+k)})
	require.NoError(t, err)
	got, err = d.Descriptor(nil)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(got, "wpkh([dc567276/48'/0'/0'/2']xpub"), got)
	require.True(t, strings.HasSuffix(got, "/<0;1>/*)"), got)
	require.Equal(t, ChildPair, d.Keys[0].HDKey.Children.Components[0].Kind)
	require.Equal(t, ChildWildcard, d.Keys[0].HDKey.Children.Components[1].Kind)
}

func TestCryptoOutput_PrivateHDKeyRefused(t *testing.T) {
	// pkh(303(BCR-2020-007 test vector 1, a private master key))
	master := "a301f503582100e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35045820873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508"
	_, err := DecodeOutputDescriptor(UR{Type: TypeCryptoOutput, CBOR: mustHex(t, "d90193d9012f"+master)})
	require.ErrorContains(t, err, "refusing a private hdkey")
}
