package walletfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzImport feeds arbitrary data to Import: it must return a setup or an
// error, never panic, and a setup it returns must export to the descriptor
// format and import back to the same descriptor.
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*"))
	more, _ := filepath.Glob(filepath.Join("testdata", "bip129", "*", "*"))
	for _, name := range append(files, more...) {
		if strings.HasSuffix(name, ".md") {
			continue
		}
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("wsh(sortedmulti(1,xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8/0/*))"))
	f.Add([]byte("Policy: 1 of 1\nDerivation: m\nFormat: P2WSH\n00000000: xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8\n"))
	f.Add([]byte("BSMS 1.0\nwsh(pk(xpub/**))\n/0/*,/1/*\nbc1q"))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := ImportWith(data, Options{BSMSToken: "a54044308ceac9b7"})
		if err != nil {
			if imp != nil {
				t.Fatalf("a result with an error: %v", err)
			}
			return
		}
		out, err := Export(imp.Setup, FormatDescriptor)
		if err != nil {
			t.Fatalf("an imported setup does not export: %v\n%+v", err, imp.Setup)
		}
		back, err := ImportWith(out, Options{Network: imp.Setup.Network})
		if err != nil {
			t.Fatalf("the exported descriptor does not import: %v\n%s", err, out)
		}
		if back.Setup.Descriptor != imp.Setup.Descriptor {
			t.Fatalf("descriptor changed on the round trip: %s -> %s", imp.Setup.Descriptor, back.Setup.Descriptor)
		}
	})
}

// FuzzParseKeyRecord feeds arbitrary text to the BIP129 round 1 key record
// parser: an error or a verified record, never a panic; a record it
// accepts writes back (String) to text that parses to the same record.
func FuzzParseKeyRecord(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "bip129", "*", "signer_*_key.bsms"))
	for _, name := range names {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("BSMS 1.0\n00\n[00000000/48'/0'/0'/2']xpub\nA\nsig")
	f.Add("BSMS 1.0\n00\n[00000000]02" + strings.Repeat("11", 32) + "\nA\nH")
	f.Fuzz(func(t *testing.T, text string) {
		rec, err := ParseKeyRecord(text)
		if err != nil {
			if rec != nil {
				t.Fatalf("a record with an error: %v", err)
			}
			return
		}
		back, err := ParseKeyRecord(rec.String())
		if err != nil {
			t.Fatalf("an accepted record does not parse back: %v\n%s", err, rec.String())
		}
		if back.String() != rec.String() || back.KeyExpression() != rec.KeyExpression() {
			t.Fatalf("the record changed on the round trip:\n%s\n%s", rec.String(), back.String())
		}
	})
}

// FuzzDecryptBSMS feeds arbitrary data to the BIP129 decryption with the
// BIP's standard-mode TOKEN: an error or bytes whose MAC verified, never a
// panic; what it decrypts encrypts back to the same data.
func FuzzDecryptBSMS(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "bip129", "standard", "*.dat"))
	for _, name := range names {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("00")
	f.Add(strings.Repeat("ab", 33))
	tok, err := ParseToken("a54044308ceac9b7")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) {
		plain, err := DecryptBSMS(tok, data)
		if err != nil {
			return
		}
		again, err := EncryptBSMS(tok, plain)
		if err != nil {
			t.Fatalf("decrypted data does not encrypt: %v", err)
		}
		if again != strings.ToLower(strings.TrimSpace(data)) {
			t.Fatalf("encrypting what was decrypted gives other data:\n%s\n%s", data, again)
		}
	})
}
