package keys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseExport: any input either fails with an error or yields public
// keys whose origin path length equals their depth and whose Xpub reads
// back as the same standard key.
func FuzzParseExport(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "exports", "*"))
	require.NoError(f, err)
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"xfp": "0F056943", "p2wsh_deriv": "m/48'/1'/0'/2'", "p2wsh": ""}`))
	f.Add([]byte(`{"x1/": {"xpub": "", "ckcc_xfp": -1}}`))
	f.Add([]byte("[00000000]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ex, err := ParseExport(data)
		if err != nil {
			require.Nil(t, ex)
			require.NotEmpty(t, err.Error())
			return
		}
		require.NotEmpty(t, ex)
		for _, e := range ex {
			k, err := ParseExtendedKey(e.Xpub)
			require.NoError(t, err)
			require.False(t, k.Key.IsPrivate())
			require.Equal(t, FormatX, k.Format)
			require.Equal(t, e.Xpub, k.Key.String())
			require.Equal(t, len(e.Origin.Path), int(k.Key.Depth()))
			require.NotEmpty(t, e.Source)
		}
	})
}

// FuzzParseExtendedKey: any string either fails or gives a key whose
// standard serialisation parses back to itself and, for public keys,
// converts back to the exact input form.
func FuzzParseExtendedKey(f *testing.F) {
	v := bip32VectorsForFuzz(f)
	for _, s := range v {
		f.Add(s)
	}
	f.Add("zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs")
	f.Add("Vpub5mtnnUUL8u4oyRf5d2NZJqDypgmpx8FontedpqxNyjXTi6fLp8fmpp2wedS6UyuNpDgLDoVH23c6rYpFSEfB9jhdbD8gek2stjxhwJeE1Eq")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseExtendedKey(s)
		if err != nil {
			require.Nil(t, k)
			return
		}
		std := k.Key.String()
		again, err := ParseExtendedKey(std)
		require.NoError(t, err)
		require.Equal(t, std, again.Key.String())
		if !k.Key.IsPrivate() {
			back, err := ConvertVersion(k.Key, k.Format, k.Testnet)
			require.NoError(t, err)
			require.Equal(t, strings.TrimSpace(s), back)
		}
	})
}

func bip32VectorsForFuzz(f *testing.F) []string {
	data, err := os.ReadFile("testdata/bip32.json")
	require.NoError(f, err)
	var out []string
	for _, field := range strings.Split(string(data), `"`) {
		if len(field) > 100 && !strings.Contains(field, " ") {
			out = append(out, field)
		}
	}
	require.NotEmpty(f, out)
	return out
}

// FuzzEntropyFromMnemonic: any text either fails with a *MnemonicError or
// decodes to entropy that encodes back to the normalised mnemonic.
func FuzzEntropyFromMnemonic(f *testing.F) {
	f.Add("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	f.Add("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote")
	f.Add("abandon xyz")
	f.Add("ＡＢＡＮＤＯＮ")
	f.Fuzz(func(t *testing.T, m string) {
		entropy, err := EntropyFromMnemonic(m)
		if err != nil {
			var me *MnemonicError
			require.ErrorAs(t, err, &me)
			return
		}
		back, err := MnemonicFromEntropy(entropy)
		require.NoError(t, err)
		require.Equal(t, strings.Join(normaliseMnemonic(m), " "), back)
	})
}

// FuzzParseOrigin: any text either fails or gives an origin whose String
// form parses back to the same origin.
func FuzzParseOrigin(f *testing.F) {
	f.Add("[d34db33f/48'/0'/0'/2']")
	f.Add("73c5da0a/84h/0h/0h")
	f.Add("[00000000]")
	f.Add("[0f056943/2147483648]")
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOrigin(s)
		if err != nil {
			return
		}
		again, err := ParseOrigin(o.String())
		require.NoError(t, err)
		require.Equal(t, o.String(), again.String())
	})
}
