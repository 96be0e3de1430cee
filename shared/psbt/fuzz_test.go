package psbt

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"
)

// FuzzDecodeAnalyse feeds arbitrary bytes to Decode and, when they decode,
// to Analyse, Finalize and Combine: none of them may panic.
func FuzzDecodeAnalyse(f *testing.F) {
	var seeds struct{ Valid, Invalid []string }
	for _, name := range []string{"rpc_psbt_valid.json", "rpc_psbt_invalid.json"} {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		if err := json.Unmarshal(raw, &seeds); err != nil {
			f.Fatal(err)
		}
	}
	for _, s := range append(seeds.Valid, seeds.Invalid...) {
		if raw, err := base64.StdEncoding.DecodeString(s); err == nil {
			f.Add(raw)
		}
	}
	// BIP370's and BIP371's vectors (version 2 PSBTs, version 0 PSBTs with
	// version 2 fields, taproot fields of bad sizes).
	for _, name := range []string{"bip370.json", "bip371.json"} {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		var vs struct{ Invalid, Valid, Timelock []struct{ Base64 string } }
		if err := json.Unmarshal(raw, &vs); err != nil {
			f.Fatal(err)
		}
		for _, v := range append(append(vs.Invalid, vs.Valid...), vs.Timelock...) {
			if raw, err := base64.StdEncoding.DecodeString(v.Base64); err == nil {
				f.Add(raw)
			}
		}
	}
	f.Add([]byte("psbt\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data)
		if err != nil {
			return
		}
		if _, err := Analyse(p, AnalyseOptions{}); err != nil {
			t.Fatalf("a decoded PSBT must analyse: %v", err)
		}
		raw, err := Serialize(p)
		if err != nil {
			t.Fatalf("a decoded PSBT must serialise: %v", err)
		}
		if _, err := Parse(raw); err != nil {
			t.Fatalf("a re-serialised PSBT must parse again: %v", err)
		}
		if _, err := Combine(p, p); err != nil {
			t.Fatalf("a PSBT must combine with itself: %v", err)
		}
		_, _ = Finalize(p)
		_, _ = Extract(p)
	})
}
