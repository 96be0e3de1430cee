package walletfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/specterpwa/specter/shared/keys"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/network"
)

type bip129Vectors struct {
	Tokens []struct {
		Mode          string `json:"mode"`
		Hex           string `json:"hex"`
		Decimal       string `json:"decimal"`
		Mnemonic      string `json:"mnemonic"`
		EncryptionKey string `json:"encryption_key"`
		HMACKey       string `json:"hmac_key"`
	} `json:"tokens"`
	Encrypted []struct {
		Dat       string `json:"dat"`
		Token     string `json:"token"`
		Plaintext string `json:"plaintext"`
	} `json:"encrypted"`
	KeyRecords []struct {
		File        string `json:"file"`
		PrivateKey  string `json:"private_key"`
		Fingerprint string `json:"fingerprint"`
		Path        string `json:"path"`
		Key         string `json:"key"`
		Description string `json:"description"`
	} `json:"key_records"`
	DescriptorRecords []struct {
		File         string `json:"file"`
		M            int    `json:"m"`
		N            int    `json:"n"`
		FirstAddress string `json:"first_address"`
		Ranged       bool   `json:"ranged"`
	} `json:"descriptor_records"`
}

func loadBIP129(t *testing.T) bip129Vectors {
	t.Helper()
	var v bip129Vectors
	require.NoError(t, json.Unmarshal(readTestdata(t, "bip129/vectors.json"), &v))
	require.Len(t, v.KeyRecords, 9)
	require.Len(t, v.DescriptorRecords, 4)
	require.Len(t, v.Encrypted, 9)
	return v
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func TestBIP129KeyRecordsVerify(t *testing.T) {
	v := loadBIP129(t)
	for _, kr := range v.KeyRecords {
		t.Run(kr.File, func(t *testing.T) {
			rec, err := ParseKeyRecord(string(readTestdata(t, "bip129/"+kr.File)))
			require.NoError(t, err)
			require.Equal(t, kr.Fingerprint, rec.Origin.Fingerprint.String())
			require.Equal(t, kr.Path, rec.Origin.Path.String())
			require.Equal(t, kr.Key, rec.Key)
			require.Equal(t, kr.Description, rec.Description)
			dev := rec.Device()
			require.Equal(t, kr.Key, dev.Xpub)
			require.Equal(t, kr.Description, dev.Name)
		})
	}
}

func TestBIP129KeyRecordTamperedIsRefused(t *testing.T) {
	text := string(readTestdata(t, "bip129/no-encryption/signer_1_key.bsms"))
	cases := map[string]string{
		"description changed":    strings.Replace(text, "Signer 1 key", "Signer 9 key", 1),
		"token changed":          strings.Replace(text, "\n00\n", "\na54044308ceac9b7\n", 1),
		"signature of another":   strings.Replace(text, "IB7v+qi1b+Xrwm/3bF+Rjl8QbIJ/FMQ40kUsOOQo1SqUWn5QlFWbBD8BKPRetfo1L1N7DmYjVscZNsmMrqRJGWw=", "HzUa4Z76PFHMl54flIIF3XKiHZ+KbWjjxCEG5G3ZqZSqTd6OgTiFFLqq9PXJXdfYm6/cnL8IVWQgjFF9DQhIqQs=", 1),
		"origin path of 3 steps": strings.Replace(text, "[1cf0bf7e/48'/0'/0'/2']", "[1cf0bf7e/48'/0'/2']", 1),
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKeyRecord(bad)
			require.Error(t, err)
		})
	}
	_, err := ParseKeyRecord(strings.Replace(text, "BSMS 1.0", "BSMS 2.0", 1))
	require.ErrorContains(t, err, `only "BSMS 1.0" records are supported`)
	_, err = ParseKeyRecord(strings.Replace(text, "Signer 1 key", "Signer 9 key", 1))
	require.ErrorIs(t, err, ErrBadSignature)
}

func TestBIP129DescriptorRecordsImportAndExportExactly(t *testing.T) {
	v := loadBIP129(t)
	for _, dr := range v.DescriptorRecords {
		t.Run(dr.File, func(t *testing.T) {
			data := readTestdata(t, "bip129/"+dr.File)
			f, err := Detect(data)
			require.NoError(t, err)
			require.Equal(t, FormatBSMS, f)
			imp, err := Import(data)
			require.NoError(t, err)
			s := imp.Setup
			require.Equal(t, network.Main, s.Network)
			require.Equal(t, dr.M, s.M)
			require.Equal(t, dr.N, s.N)
			require.Len(t, s.Devices, dr.N)
			require.Equal(t, dr.Ranged, strings.Contains(s.Descriptor, "/<0;1>/*"))
			out, err := Export(s, FormatBSMS)
			require.NoError(t, err)
			require.Equal(t, string(data), string(out), "re-export must reproduce the BIP's record byte for byte")
		})
	}
}

func TestBIP129DescriptorRecordWrongAddressIsRefused(t *testing.T) {
	text := string(readTestdata(t, "bip129/no-encryption/my_multisig_wallet.bsms"))
	// The change branch's first address, or another wallet's first address.
	bad := strings.Replace(text, "bc1qrgc6p3kylfztu06ysl752gwwuekhvtfh9vr7zg43jvu60mutamcsv948ej", "bc1qhs4u273g4azq7kqqpe6vh5wfhasfmrq7nheyzsnq77humd7rwtkqagvakf", 1)
	_, err := Import([]byte(bad))
	require.ErrorContains(t, err, "but the descriptor's receive address 0 is bc1qrgc6p3kylfztu06ysl752gwwuekhvtfh9vr7zg43jvu60mutamcsv948ej")
	_, err = Import([]byte(strings.Replace(text, "/0/*,/1/*", "/0/*,/2/*", 1)))
	require.ErrorContains(t, err, "path restrictions")
	_, err = Import([]byte(strings.Replace(text, "/0/*,/1/*", bsmsNoRestrictions, 1)))
	require.ErrorContains(t, err, "template")
}

func TestBIP129TokensDeriveTheBIPsKeys(t *testing.T) {
	v := loadBIP129(t)
	for _, tv := range v.Tokens {
		t.Run(tv.Hex, func(t *testing.T) {
			tok, err := ParseToken(tv.Hex)
			require.NoError(t, err)
			dec, err := TokenFromDecimal(tv.Decimal)
			require.NoError(t, err)
			require.Equal(t, tok, dec)
			require.Equal(t, tv.Decimal, tok.Decimal())
			if tv.Mnemonic != "" {
				fromWords, err := TokenFromMnemonic(tv.Mnemonic)
				require.NoError(t, err)
				require.Equal(t, tok, fromWords)
				require.Equal(t, tv.Mnemonic, tok.Mnemonic())
			}
			back, err := TokenFromMnemonic(tok.Mnemonic())
			require.NoError(t, err)
			require.Equal(t, tok, back)
			key, err := tok.EncryptionKey()
			require.NoError(t, err)
			require.Equal(t, tv.EncryptionKey, hex.EncodeToString(key))
			hk := sha256.Sum256(key)
			require.Equal(t, tv.HMACKey, hex.EncodeToString(hk[:]))
		})
	}
}

func TestBIP129DecryptAndEncryptTheBIPsRecords(t *testing.T) {
	v := loadBIP129(t)
	for _, ev := range v.Encrypted {
		t.Run(ev.Dat, func(t *testing.T) {
			tok, err := ParseToken(ev.Token)
			require.NoError(t, err)
			dat := string(readTestdata(t, "bip129/"+ev.Dat))
			want := readTestdata(t, "bip129/"+ev.Plaintext)
			pt, err := DecryptBSMS(tok, dat)
			require.NoError(t, err)
			require.Equal(t, string(want), string(pt))
			enc, err := EncryptBSMS(tok, want)
			require.NoError(t, err)
			require.Equal(t, dat, enc)
		})
	}
}

func TestBIP129EncryptedRecordImportNeedsItsToken(t *testing.T) {
	dat := readTestdata(t, "bip129/standard/my_multisig_wallet.dat")
	f, err := Detect(dat)
	require.NoError(t, err)
	require.Equal(t, FormatBSMS, f)
	_, err = Import(dat)
	require.ErrorIs(t, err, ErrEncrypted)
	_, err = ImportWith(dat, Options{BSMSToken: "a54044308ceac9b8"})
	require.ErrorIs(t, err, ErrBSMSAuth)
	imp, err := ImportWith(dat, Options{BSMSToken: "a54044308ceac9b7"})
	require.NoError(t, err)
	require.Equal(t, 2, imp.Setup.M)
	require.Equal(t, "b7868815", imp.Setup.Devices[0].Fingerprint.String())
	// A flipped ciphertext bit fails the MAC.
	b := []byte(string(dat))
	if b[100] == '0' {
		b[100] = '1'
	} else {
		b[100] = '0'
	}
	_, err = ImportWith(b, Options{BSMSToken: "a54044308ceac9b7"})
	require.ErrorIs(t, err, ErrBSMSAuth)
}

func TestBIP129TokenForms(t *testing.T) {
	for _, bad := range []string{"", "0", "01", "abc", "a54044308ceac9", "zz"} {
		_, err := ParseToken(bad)
		require.Error(t, err, bad)
	}
	tok, err := ParseToken("00")
	require.NoError(t, err)
	require.False(t, tok.Encrypted())
	_, err = tok.EncryptionKey()
	require.Error(t, err)
	_, err = TokenFromDecimal("-5")
	require.Error(t, err)
	_, err = TokenFromDecimal("340282366920938463463374607431768211456") // 2^128
	require.ErrorContains(t, err, "larger than 128 bits")
	small, err := TokenFromDecimal("1")
	require.NoError(t, err)
	require.Equal(t, "0000000000000001", small.String())
}

func TestBIP129SignKeyRecordReproducesTheVectors(t *testing.T) {
	v := loadBIP129(t)
	for _, kr := range v.KeyRecords {
		t.Run(kr.File, func(t *testing.T) {
			want := string(readTestdata(t, "bip129/"+kr.File))
			parsed, err := ParseKeyRecord(want)
			require.NoError(t, err)
			require.Equal(t, want, parsed.String())
			wif, err := btcutil.DecodeWIF(kr.PrivateKey)
			require.NoError(t, err)
			rec, err := SignKeyRecord(parsed.Token, parsed.Origin, kr.Key, kr.Description, wif.PrivKey)
			require.NoError(t, err)
			require.Equal(t, want, rec.String(), "RFC6979 signing gives the BIP's signature")
			_, err = SignKeyRecord(parsed.Token, parsed.Origin, kr.Key, strings.Repeat("x", 81), wif.PrivKey)
			require.ErrorContains(t, err, "BIP129 allows 80")
		})
	}
	other, err := btcutil.DecodeWIF(v.KeyRecords[1].PrivateKey)
	require.NoError(t, err)
	tok, _ := ParseToken("00")
	o := keys.Origin{}
	_, err = SignKeyRecord(tok, o, v.KeyRecords[0].Key, "x", other.PrivKey)
	require.ErrorContains(t, err, "does not belong")
}

func TestBIP129KeyRecordIsNotAWalletSetup(t *testing.T) {
	data := readTestdata(t, "bip129/standard/signer_1_key.bsms")
	f, err := Detect(data)
	require.NoError(t, err)
	require.Equal(t, FormatBSMS, f)
	_, err = Import(data)
	require.ErrorContains(t, err, "this is a round 1 key record (one signer's key), not a wallet's descriptor record: read it with ParseKeyRecord")
	// Decrypted from its .dat with the session TOKEN, it verifies.
	tok, err := ParseToken("a54044308ceac9b7")
	require.NoError(t, err)
	pt, err := DecryptBSMS(tok, string(readTestdata(t, "bip129/standard/signer_1_key.dat")))
	require.NoError(t, err)
	rec, err := ParseKeyRecord(string(pt))
	require.NoError(t, err)
	require.Equal(t, tok, rec.Token)
	require.Equal(t, "[b7868815/48h/0h/0h/2h]xpub6FA5rfxJc94K1kNtxRby1hoHwi7YDyTWwx1KUR3FwskaF6HzCbZMz3zQwGnCqdiFeMTPV3YneTGS2YQPiuNYsSvtggWWMQpEJD4jXU7ZzEh", rec.KeyExpression())
}

func TestBIP129CoordinatorBuildsTheBIPsDescriptorRecords(t *testing.T) {
	cases := []struct {
		dir, script string
		m           int
		sorted      bool
		signers     int
	}{
		{"no-encryption-pubkeys", "wsh", 1, true, 2},
		{"no-encryption", "wsh", 2, true, 2},
		{"standard", "wsh", 2, true, 2},
		{"extended", "sh-wsh", 2, false, 3},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			var recs []*KeyRecord
			for i := 1; i <= c.signers; i++ {
				rec, err := ParseKeyRecord(string(readTestdata(t, "bip129/"+c.dir+"/signer_"+string(rune('0'+i))+"_key.bsms")))
				require.NoError(t, err)
				recs = append(recs, rec)
			}
			s, err := SetupFromKeyRecords("my multisig wallet", c.script, c.m, c.sorted, recs, network.Main)
			require.NoError(t, err)
			require.Equal(t, "Signer 1 key", s.Devices[0].Name)
			out, err := Export(s, FormatBSMS)
			require.NoError(t, err)
			require.Equal(t, string(readTestdata(t, "bip129/"+c.dir+"/my_multisig_wallet.bsms")), string(out))
			_, err = SetupFromKeyRecords("dup", c.script, 1, c.sorted, []*KeyRecord{recs[0], recs[0]}, network.Main)
			require.ErrorContains(t, err, "hold the same key")
			_, err = SetupFromKeyRecords("net", c.script, 1, c.sorted, recs, network.Test)
			if c.dir != "no-encryption-pubkeys" {
				require.ErrorContains(t, err, "the wallet is to be on test, but its keys are for main")
			} else {
				require.NoError(t, err, "plain public keys fit every network")
			}
		})
	}
}

func TestBIP129TokenWordsErrors(t *testing.T) {
	_, err := TokenFromMnemonic("pipe acquire around border prosper")
	require.ErrorContains(t, err, "6 words (STANDARD) or 12 (EXTENDED), not 5")
	_, err = TokenFromMnemonic("pipe acquire around border prosper swim")
	require.ErrorContains(t, err, "checksum does not match")
	_, err = TokenFromMnemonic("pipe acquire around border prosper swiftly")
	require.ErrorContains(t, err, `TOKEN word 6 "swiftly" is not in the BIP39 English list`)
	// 64 zero bits; SHA256 of eight zero bytes starts 0xaf, so the checksum bits are 0b10: word 2, "able".
	require.Equal(t, "abandon abandon abandon abandon abandon able", Token(make([]byte, 8)).Mnemonic())
}
