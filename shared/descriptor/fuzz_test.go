package descriptor

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// descriptorLike finds descriptor strings in the testdata files for the seed corpus.
var descriptorLike = regexp.MustCompile(`"((?:pk|pkh|wpkh|sh|wsh|multi|sortedmulti|combo|raw|addr|tr)\([^"]*)"`)

// FuzzParse checks that Parse never panics on any input and that whatever it
// accepts prints (String) to a descriptor that parses back to the same text,
// and that deriving it never panics.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range descriptorLike.FindAllSubmatch(raw, -1) {
			f.Add(string(m[1]))
		}
	}
	for _, s := range []string{"", "#", "pk()", "tr(,)", "tr(a,{})", "sh(wsh(", "multi(1,[)", "wpkh([deadbeef/0h]/*)", "{pk(a),pk(b)}", "raw(00)#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		out := d.String()
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but its String %q does not parse: %v", s, out, err)
		}
		if again.String() != out {
			t.Fatalf("String is not stable: %q then %q", out, again.String())
		}
		if pub, err := d.Public(); err == nil {
			back, err := Parse(pub.String())
			if err != nil || back.String() != pub.String() || back.HasPrivateKeys() {
				t.Fatalf("Public of %q gives %q, which does not round-trip (%v)", s, pub.String(), err)
			}
		}
		_ = d.Keys()
		_, _ = d.Threshold()
		_ = d.ScriptType()
		_ = d.IsRange()
		b, err := d.Branch(d.PathCount() - 1)
		if err != nil {
			t.Fatalf("Branch(%d) of a %d-path descriptor: %v", d.PathCount()-1, d.PathCount(), err)
		}
		_, _ = b.DeriveAll(1)
		_, _ = b.Address(1, "main")
	})
}
