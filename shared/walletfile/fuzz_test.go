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
