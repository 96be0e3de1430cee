package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/specterpwa/specter/shared/network"
	"github.com/stretchr/testify/require"
)

type bip39Vectors struct {
	Passphrase string      `json:"passphrase"`
	English    [][4]string `json:"english"`
}

func loadBIP39Vectors(t *testing.T) bip39Vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/bip39.json")
	require.NoError(t, err)
	var v bip39Vectors
	require.NoError(t, json.Unmarshal(data, &v))
	require.Len(t, v.English, 24)
	require.Equal(t, "TREZOR", v.Passphrase)
	return v
}

func TestBIP39WordListIsTheOfficialEnglishList(t *testing.T) {
	sum := sha256.Sum256([]byte(bip39EnglishText))
	require.Equal(t, "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda", hex.EncodeToString(sum[:]))
	require.Len(t, bip39Words, 2048)
	require.Len(t, bip39Index, 2048)
}

// TestBIP39TrezorVectors checks entropy -> mnemonic -> entropy, the seed
// with passphrase "TREZOR" and the BIP32 root key of every English vector.
func TestBIP39TrezorVectors(t *testing.T) {
	v := loadBIP39Vectors(t)
	for _, vec := range v.English {
		entropyHex, mnemonic, seedHex, xprv := vec[0], vec[1], vec[2], vec[3]
		t.Run(mnemonic[:strings.IndexByte(mnemonic, ' ')]+"_"+entropyHex[:8], func(t *testing.T) {
			entropy, err := hex.DecodeString(entropyHex)
			require.NoError(t, err)
			got, err := MnemonicFromEntropy(entropy)
			require.NoError(t, err)
			require.Equal(t, mnemonic, got)

			back, err := EntropyFromMnemonic(mnemonic)
			require.NoError(t, err)
			require.Equal(t, entropy, back)
			require.NoError(t, ValidateMnemonic(mnemonic))

			seed, err := SeedFromMnemonic(mnemonic, v.Passphrase)
			require.NoError(t, err)
			require.Equal(t, seedHex, hex.EncodeToString(seed))

			master, err := MasterFromMnemonic(mnemonic, v.Passphrase, network.Main)
			require.NoError(t, err)
			require.Equal(t, xprv, master.String())
		})
	}
}

func TestNewMnemonicProducesValidMnemonicsOfEachLength(t *testing.T) {
	for bits, words := range map[int]int{128: 12, 160: 15, 192: 18, 224: 21, 256: 24} {
		m, err := NewMnemonic(bits)
		require.NoError(t, err)
		require.Len(t, strings.Fields(m), words)
		require.NoError(t, ValidateMnemonic(m))
		entropy, err := EntropyFromMnemonic(m)
		require.NoError(t, err)
		require.Len(t, entropy, bits/8)
	}
	for _, bits := range []int{0, 96, 127, 129, 288} {
		_, err := NewMnemonic(bits)
		require.EqualError(t, err, "mnemonic entropy of "+itoa(bits)+" bits: BIP39 takes 128, 160, 192, 224 or 256 bits")
	}
	_, err := MnemonicFromEntropy(make([]byte, 17))
	require.EqualError(t, err, "mnemonic entropy of 136 bits: BIP39 takes 128, 160, 192, 224 or 256 bits")
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestValidateMnemonicErrorsArePrecise(t *testing.T) {
	const about = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	for _, tc := range []struct {
		name, mnemonic string
		kind           error
		position       int
		word, suggest  string
		msg            string
	}{
		{"unknown word with no close match", strings.Replace(about, "about", "xyz", 1), ErrUnknownWord, 12, "xyz", "",
			`mnemonic: unknown word "xyz" at position 12: it is not in the BIP39 English word list`},
		{"typo one letter off", "abandon abandn abandon abandon abandon abandon abandon abandon abandon abandon abandon about", ErrUnknownWord, 2, "abandn", "abandon",
			`mnemonic: unknown word "abandn" at position 2: it is not in the BIP39 English word list; did you mean "abandon"?`},
		{"transposed letters", strings.Replace(about, "about", "abuot", 1), ErrUnknownWord, 12, "abuot", "about",
			`mnemonic: unknown word "abuot" at position 12: it is not in the BIP39 English word list; did you mean "about"?`},
		{"four letter abbreviation", strings.Replace(about, "about", "abou", 1), ErrUnknownWord, 12, "abou", "about",
			`mnemonic: unknown word "abou" at position 12: it is not in the BIP39 English word list; did you mean "about"?`},
		{"eleven words", strings.TrimSuffix(about, " about"), ErrWordCount, 0, "", "",
			"mnemonic: 11 words: a BIP39 mnemonic has 12, 15, 18, 21 or 24 words; check that no word is missing or doubled"},
		{"empty", "   ", ErrWordCount, 0, "", "",
			"mnemonic: 0 words: a BIP39 mnemonic has 12, 15, 18, 21 or 24 words; check that no word is missing or doubled"},
		{"bad checksum", strings.Replace(about, "about", "abandon", 1), ErrChecksum, 0, "", "",
			"mnemonic: the 12 words are all in the word list but the checksum does not match: a word is probably mistyped or in the wrong order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateMnemonic(tc.mnemonic)
			require.EqualError(t, err, tc.msg)
			require.True(t, errors.Is(err, tc.kind))
			var me *MnemonicError
			require.True(t, errors.As(err, &me))
			require.Equal(t, tc.position, me.Position)
			require.Equal(t, tc.word, me.Word)
			require.Equal(t, tc.suggest, me.Suggestion)
			_, err = SeedFromMnemonic(tc.mnemonic, "")
			require.ErrorIs(t, err, tc.kind)
		})
	}
}

func TestMnemonicInputIsForgivingAboutCaseAndSpacing(t *testing.T) {
	const about = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	messy := "  ABANDON abandon\tabandon abandon\nabandon abandon abandon abandon abandon abandon Abandon  about \n"
	require.NoError(t, ValidateMnemonic(messy))
	a, err := SeedFromMnemonic(about, "TREZOR")
	require.NoError(t, err)
	b, err := SeedFromMnemonic(messy, "TREZOR")
	require.NoError(t, err)
	require.Equal(t, a, b)
}

// TestSeedFromMnemonicNormalisesPassphraseNFKD: BIP39 NFKD-normalises the
// passphrase, so composed "é" (U+00E9), decomposed "e\u0301" and the
// compatibility ligature "ﬁ" vs "fi" give the same seeds.
func TestSeedFromMnemonicNormalisesPassphraseNFKD(t *testing.T) {
	const about = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	composed, err := SeedFromMnemonic(about, "caf\u00e9")
	require.NoError(t, err)
	decomposed, err := SeedFromMnemonic(about, "cafe\u0301")
	require.NoError(t, err)
	require.Equal(t, composed, decomposed)
	lig, err := SeedFromMnemonic(about, "\ufb01le")
	require.NoError(t, err)
	plain, err := SeedFromMnemonic(about, "file")
	require.NoError(t, err)
	require.Equal(t, plain, lig)
	other, err := SeedFromMnemonic(about, "cafe")
	require.NoError(t, err)
	require.NotEqual(t, composed, other)
}

// TestBIP39SeedNFKDJapaneseVectors runs the Japanese vectors through the
// seed function: their words are separated by U+3000 and their
// passphrase "㍍ガバヴァぱばぐゞちぢ十人十色" changes under NFKD, so a seed that
// matches proves both normalisations. (Only the English list is shipped,
// so the word check is not part of this test.)
func TestBIP39SeedNFKDJapaneseVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/bip39_jp.json")
	require.NoError(t, err)
	var v struct {
		Vectors []struct {
			Phrase, Salt, Seed string
			Xprv               string `json:"bip32_xprv"`
		} `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(data, &v))
	require.Len(t, v.Vectors, 3)
	for _, vec := range v.Vectors {
		seed, err := mnemonicSeed(vec.Phrase, vec.Salt)
		require.NoError(t, err)
		require.Equal(t, vec.Seed, hex.EncodeToString(seed))
		master, err := hdkeychain.NewMaster(seed, network.Main.Params())
		require.NoError(t, err)
		require.Equal(t, vec.Xprv, master.String())
	}
}

func TestMasterFromMnemonicVersionBytesAndFingerprint(t *testing.T) {
	const about = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	for net, prefix := range map[network.Network]string{network.Main: "xprv", network.Test: "tprv", network.Signet: "tprv", network.Regtest: "tprv"} {
		m, err := MasterFromMnemonic(about, "", net)
		require.NoError(t, err)
		require.Equal(t, prefix, m.String()[:4], net)
		fp, err := MasterFingerprint(m)
		require.NoError(t, err)
		// The well-known fingerprint of the "abandon … about" wallet
		// without passphrase (BIP84/BIP86 test vectors' master).
		require.Equal(t, "73c5da0a", fp.String(), net)
	}
	m, err := MasterFromMnemonic(about, "", network.Main)
	require.NoError(t, err)
	child, err := m.Derive(Hardened)
	require.NoError(t, err)
	_, err = MasterFingerprint(child)
	require.EqualError(t, err, "master fingerprint: the key is at depth 1, not a master key (depth 0)")
	_, err = MasterFromMnemonic("abandon", "", network.Main)
	require.ErrorIs(t, err, ErrWordCount)
}

func TestCompleteWordNarrowsToOneWordAtFourLetters(t *testing.T) {
	require.Equal(t, []string{"about", "above"}, CompleteWord("abo"))
	require.Equal(t, []string{"about"}, CompleteWord("ABOU"))
	require.Equal(t, []string{"zone", "zoo"}, CompleteWord("zo"))
	require.Nil(t, CompleteWord("xyz"))
	require.Nil(t, CompleteWord(" "))
	for _, w := range bip39Words {
		require.Equal(t, []string{w}, CompleteWord(w[:min(4, len(w))])[:1], w)
		if len(w) >= 4 {
			require.Len(t, CompleteWord(w[:4]), 1, w)
		}
	}
}
