package labels

import (
	"bytes"
	"testing"
)

// FuzzImport feeds arbitrary data to Parse: it must never panic, every
// error must name a line that exists, and what it keeps must export and
// re-import to the same bytes.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"bip329_vectors.jsonl", "bip329_vectors.export.jsonl", "bip329_additional.jsonl"} {
		b, err := readFile(name)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"type":"output","ref":"f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd:1","spendable":true,"x":[1,{"y":null}]}`))
	f.Add([]byte("{\"type\":\"tx\"}\n\n\r\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, rep, err := Parse(data)
		if err != nil {
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, e := range rep.Errors {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("error on line %d of %d", e.Line, lines)
			}
		}
		if rep.Added+rep.Updated+rep.Unchanged != rep.Records || s.Len() != rep.Added {
			t.Fatalf("inconsistent report %+v for %d records", rep, s.Len())
		}
		out := s.Export()
		again, rep2, err := Parse(out)
		if err != nil || len(rep2.Errors) > 0 {
			t.Fatalf("the export does not re-import: %v %v\n%s", err, rep2.Errors, out)
		}
		if !bytes.Equal(out, again.Export()) {
			t.Fatalf("export not stable:\n%s\n%s", out, again.Export())
		}
	})
}
