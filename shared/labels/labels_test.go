package labels

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	txA  = "f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd"
	txB  = "f546156d9044844e02b181026a1a407abfca62e7ea1159f87bbeaa77b4286c74"
	addr = "bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func str(s string) *string { return &s }
func boolp(b bool) *bool   { return &b }

func TestBIP329VectorsParseToTheirRecords(t *testing.T) {
	s, rep, err := Parse(readTestdata(t, "bip329_vectors.jsonl"))
	require.NoError(t, err)
	require.Equal(t, Report{Records: 7, Added: 7}, rep)
	require.Equal(t, []Record{
		{Type: "tx", Ref: txB, Label: str("Account #1 Transaction"), Origin: "wpkh([d34db33f/84'/0'/1'])"},
		{Type: "tx", Ref: txA, Label: str("Transaction"), Origin: "wpkh([d34db33f/84'/0'/0'])"},
		{Type: "addr", Ref: addr, Label: str("Address")},
		{Type: "pubkey", Ref: "0283409659355b6d1cc3c32decd5d561abaac86c37a353b52895a5e6c196d6f448", Label: str("Public Key")},
		{Type: "input", Ref: txA + ":0", Label: str("Input")},
		{Type: "output", Ref: txA + ":1", Label: str("Output"), Spendable: boolp(false)},
		{Type: "xpub", Ref: "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8", Label: str("Extended Public Key")},
	}, s.Records())
}

func TestBIP329VectorsExportSortedAndStable(t *testing.T) {
	s, _, err := Parse(readTestdata(t, "bip329_vectors.jsonl"))
	require.NoError(t, err)
	want := string(readTestdata(t, "bip329_vectors.export.jsonl"))
	require.Equal(t, want, string(s.Export()))
	// The export reads back to the same set and exports the same bytes.
	again, rep, err := Parse(s.Export())
	require.NoError(t, err)
	require.Equal(t, 7, rep.Added)
	require.Equal(t, want, string(again.Export()))
	// Import order does not change the export.
	lines := strings.Split(strings.TrimSpace(string(readTestdata(t, "bip329_vectors.jsonl"))), "\n")
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	rev, _, err := Parse([]byte(strings.Join(lines, "\n")))
	require.NoError(t, err)
	require.Equal(t, want, string(rev.Export()))
}

func TestBIP329AdditionalFieldsAreKept(t *testing.T) {
	s, rep, err := Parse(readTestdata(t, "bip329_additional.jsonl"))
	require.NoError(t, err)
	require.Empty(t, rep.Errors)
	require.Equal(t, 3, rep.Added)
	tx, ok := s.Get("tx", txA, "")
	require.True(t, ok)
	require.Equal(t, map[string]json.RawMessage{
		"height": json.RawMessage(`800000`), "time": json.RawMessage(`"2025-01-23T11:40:35Z"`),
		"fee": json.RawMessage(`1234`), "value": json.RawMessage(`-50000`), "rate": json.RawMessage(`{"USD":105620.00}`),
	}, tx.Extra)
	require.Equal(t, `{"type":"tx","ref":"`+txA+`","label":"Transaction","fee":1234,"height":800000,"rate":{"USD":105620.00},"time":"2025-01-23T11:40:35Z","value":-50000}`+"\n"+
		`{"type":"addr","ref":"`+addr+`","label":"Address","heights":[],"keypath":"/1/123"}`+"\n"+
		`{"type":"output","ref":"`+txA+`:1","fmv":{"USD":1233.45},"height":800000,"time":"2025-01-23T11:40:35Z","value":50000}`+"\n",
		string(s.Export()))
}

func TestLineErrorsNameTheLineAndTheProblem(t *testing.T) {
	data := strings.Join([]string{
		`{"type": "tx", "ref": "` + txA + `", "label": "ok"}`,
		``,
		`{"type": "foo", "ref": "x", "label": "y"}`,
		`not json`,
		`{"type": "tx", "ref": "abc"}`,
		`{"type": "input", "ref": "` + txA + `:01"}`,
		`{"type": "addr", "ref": "bc1qnotanaddress"}`,
		`{"type": "pubkey", "ref": "02` + strings.Repeat("00", 32) + `"}`,
		`{"type": "tx", "ref": "` + txA + `", "spendable": false}`,
		`{"type": "tx", "ref": "` + txA + `", "origin": "wpkh(xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8)"}`,
		`{"type": "output", "ref": "` + txA + `:0", "spendable": "false"}`,
		`{"ref": "` + txA + `"}`,
		`{"type": "tx", "ref": "` + txA + `", "label": 5}`,
		`{"type": "tx", "ref": "` + txA + `", "height": "tall"}`,
		`{"type": "xpub", "ref": "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"}`,
		`{"type": "tx", "ref": "` + txA + `"} {"type": "tx"}`,
		`{"type": "addr", "ref": " "}`,
		`{"type": "coin", "spendable": "no"}`,
	}, "\n")
	s, rep, err := Parse([]byte(data))
	require.NoError(t, err)
	// Lines 1 and 9 hold records (line 9 without its "spendable"), lines 3
	// and 18 unknown types that BIP329 asks importers to ignore.
	require.Equal(t, 2, rep.Records)
	require.Equal(t, 1, rep.Added)
	require.Equal(t, 1, rep.Unchanged)
	require.Equal(t, 2, rep.Ignored)
	require.Equal(t, 1, s.Len())
	require.Equal(t, []LineError{{Line: 9, Err: `"spendable" only applies to outputs: ignored on a tx record`}}, rep.Warnings)
	var got []string
	for _, e := range rep.Errors {
		got = append(got, e.Error())
	}
	require.Equal(t, []string{
		"line 4: not a JSON object: each line must be one {...} record",
		`line 5: tx ref "abc" is not a transaction id (64 hex digits)`,
		`line 6: input ref "` + txA + `:01" is not txid:index (64 hex digits, a colon, a decimal index)`,
		`line 7: addr ref "bc1qnotanaddress" is not a Bitcoin address (base58 or bech32) of mainnet, testnet, signet or regtest`,
		`line 8: pubkey ref "02` + strings.Repeat("00", 32) + `" is not a point on secp256k1`,
		`line 10: origin "wpkh(xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ES…" must be an abbreviated descriptor such as wpkh([d34db33f/84'/0'/0']) without keys or checksum; 'M' is not allowed`,
		`line 11: "spendable" must be true or false, not "\"false\""`,
		`line 12: "type" is missing: every record needs "type" and "ref"`,
		`line 13: "label" must be a string, not "5"`,
		`line 14: "height" must be an integer, not "\"tall\""`,
		`line 15: xpub ref is a private key: BIP329 defines no private key types, remove it from the file`,
		`line 16: more than one JSON value on the line: write one record per line`,
		`line 17: a label of type addr needs a reference (BIP329 "ref")`,
	}, got)
}

func TestMergeLaterLinesWinAndOmittedFieldsStay(t *testing.T) {
	s := New()
	rep, err := s.Import([]byte(strings.Join([]string{
		`{"type": "output", "ref": "` + txA + `:1", "label": "first"}`,
		`{"type": "output", "ref": "` + strings.ToUpper(txA) + `:1", "spendable": false}`,
		`{"type": "output", "ref": "` + txA + `:1", "label": "second"}`,
		`{"type": "output", "ref": "` + txA + `:1", "label": "second"}`,
		`{"type": "tx", "ref": "` + txA + `", "label": "wallet 0", "origin": "wpkh([d34db33f/84'/0'/0'])"}`,
		`{"type": "tx", "ref": "` + txA + `", "label": "wallet 1", "origin": "wpkh([d34db33f/84'/0'/1'])"}`,
	}, "\n")))
	require.NoError(t, err)
	require.Equal(t, Report{Records: 6, Added: 3, Updated: 2, Unchanged: 1}, rep)
	out, ok := s.Get("output", txA+":1", "")
	require.True(t, ok)
	require.Equal(t, Record{Type: "output", Ref: txA + ":1", Label: str("second"), Spendable: boolp(false)}, out)
	w1, ok := s.Get("tx", txA, "wpkh([d34db33f/84'/0'/1'])")
	require.True(t, ok)
	require.Equal(t, "wallet 1", w1.LabelText())

	// A second import into the same set merges too.
	rep, err = s.Import([]byte(`{"type": "output", "ref": "` + txA + `:1", "spendable": true}` + "\n"))
	require.NoError(t, err)
	require.Equal(t, Report{Records: 1, Updated: 1}, rep)
	out, _ = s.Get("output", txA+":1", "")
	require.Equal(t, "second", out.LabelText())
	require.True(t, *out.Spendable)

	// An empty label is a label: it replaces the stored one.
	_, err = s.Import([]byte(`{"type": "output", "ref": "` + txA + `:1", "label": ""}`))
	require.NoError(t, err)
	out, _ = s.Get("output", txA+":1", "")
	require.Equal(t, str(""), out.Label)
}

func TestOutputsSortNumericallyByIndex(t *testing.T) {
	s := New()
	for _, i := range []string{"10", "2", "0"} {
		require.NoError(t, s.Put(Record{Type: TypeOutput, Ref: txA + ":" + i, Label: str("o" + i)}))
	}
	require.NoError(t, s.Put(Record{Type: TypeOutput, Ref: txB + ":1", Label: str("b")}))
	var refs []string
	for _, r := range s.Records() {
		refs = append(refs, r.Ref)
	}
	require.Equal(t, []string{txB + ":1", txA + ":0", txA + ":2", txA + ":10"}, refs)
	require.True(t, s.Delete(TypeOutput, txA+":2", ""))
	require.False(t, s.Delete(TypeOutput, txA+":2", ""))
	require.Equal(t, 3, s.Len())
	require.Error(t, s.Put(Record{Type: "label", Ref: "x"}))
}

func TestUnicodeAndEscapesRoundTrip(t *testing.T) {
	// Specter Desktop's test_bip329_labels.py label with quotes, a
	// backslash and an escaped newline.
	label := "München – Rücklage ₿ \"quoted\" \\ path\nnext <b>&"
	s := New()
	require.NoError(t, s.Put(Record{Type: TypeAddr, Ref: addr, Label: &label}))
	out := s.Export()
	require.Equal(t, 1, strings.Count(string(out), "\n"), "one line per record")
	require.Contains(t, string(out), "München – Rücklage ₿")
	require.Contains(t, string(out), "<b>&")
	back, rep, err := Parse(out)
	require.NoError(t, err)
	require.Empty(t, rep.Errors)
	r, ok := back.Get(TypeAddr, addr, "")
	require.True(t, ok)
	require.Equal(t, label, r.LabelText())
}

func TestNotALabelFile(t *testing.T) {
	_, _, err := Parse([]byte("hello\nworld\n"))
	require.ErrorContains(t, err, "this is not a BIP329 label file")
	_, _, err = Parse([]byte("\xff\xfe{}\n"))
	require.NoError(t, err, "a bad line is reported, not fatal")
	s, rep, err := Parse(nil)
	require.NoError(t, err)
	require.Equal(t, 0, s.Len())
	require.Equal(t, Report{}, rep)
}

func readFile(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }

func TestRecordJSONRoundTrip(t *testing.T) {
	in := Record{Type: TypeOutput, Ref: txA + ":1", Label: str("x"), Spendable: boolp(true), Extra: map[string]json.RawMessage{"value": json.RawMessage(`5`)}}
	b, err := json.Marshal([]Record{in})
	require.NoError(t, err)
	require.Equal(t, `[{"type":"output","ref":"`+txA+`:1","label":"x","spendable":true,"value":5}]`, string(b))
	var out []Record
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, []Record{in}, out)
	require.EqualError(t, json.Unmarshal([]byte(`[{"type":"nope","ref":"x"}]`), &out), `label type "nope" is not a BIP329 type: use one of tx, addr, pubkey, input, output, xpub`)
	// Decoding a Record is strict where an import is lenient.
	require.EqualError(t, json.Unmarshal([]byte(`[{"type":"tx","ref":"`+txA+`","spendable":true}]`), &out), `"spendable" applies to output records only, not to a tx record`)
	rep := Report{Records: 1, Errors: []LineError{{Line: 2, Err: "bad"}}}
	b, err = json.Marshal(rep)
	require.NoError(t, err)
	require.Equal(t, `{"records":1,"added":0,"updated":0,"unchanged":0,"errors":[{"line":2,"error":"bad"}]}`, string(b))
}

func TestLinesKeepLineNumbersAndLineOrder(t *testing.T) {
	data := "\ufeff" + strings.Join([]string{
		`{"type": "tx", "ref": "` + txA + `", "label": "b", "origin": "wpkh([d34db33f/84'/0'/1'])"}`,
		`{"type": "wallet", "ref": "x", "label": "a later BIP329 type"}`,
		"",
		`{"type": "tx", "ref": "` + strings.ToUpper(txA) + `", "label": "a", "spendable": true}` + "\r",
		`{"type": "tx", "ref": "abc"}`,
		"\xff",
	}, "\n")
	lines, err := Lines([]byte(data))
	require.NoError(t, err)
	require.Len(t, lines, 5)
	require.Equal(t, Line{N: 1, Record: Record{Type: TypeTx, Ref: txA, Label: str("b"), Origin: "wpkh([d34db33f/84'/0'/1'])"}}, lines[0])
	require.Equal(t, Line{N: 2, Ignored: true}, lines[1])
	require.Equal(t, Line{N: 4, Record: Record{Type: TypeTx, Ref: txA, Label: str("a")},
		Warnings: []string{`"spendable" only applies to outputs: ignored on a tx record`}}, lines[2])
	require.Equal(t, 5, lines[3].N)
	require.EqualError(t, lines[3].Err, `tx ref "abc" is not a transaction id (64 hex digits)`)
	require.Equal(t, 6, lines[4].N)
	require.EqualError(t, lines[4].Err, "the line is not UTF-8 text")

	// Data that is not a label file is an error, with its lines.
	lines, err = Lines([]byte("hello\n\nworld"))
	require.ErrorContains(t, err, "this is not a BIP329 label file")
	require.Len(t, lines, 2)
	require.Equal(t, 3, lines[1].N)
	_, err = Lines(make([]byte, MaxImportSize+1))
	require.EqualError(t, err, "the label file is 67108865 bytes; at most 67108864 are read: split it")
}

func TestTruncateLabelToBIP329SuggestedLength(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		cut            bool
	}{
		{"ascii at the limit is kept", strings.Repeat("a", 255), strings.Repeat("a", 255), false},
		{"ascii over the limit is cut", strings.Repeat("a", 256), strings.Repeat("a", 255), true},
		{"characters are counted, not bytes", strings.Repeat("é", 255), strings.Repeat("é", 255), false},
		{"multi-byte characters are cut whole", strings.Repeat("₿", 300), strings.Repeat("₿", 255), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Record{Type: TypeTx, Ref: txA, Label: str(tc.in)}
			require.Equal(t, tc.cut, r.TruncateLabel(MaxLabelLength))
			require.Equal(t, tc.want, *r.Label)
		})
	}
	none := Record{Type: TypeTx, Ref: txA}
	require.False(t, none.TruncateLabel(MaxLabelLength))
	require.Nil(t, none.Label)
}

func TestExportSortsRecordsInBIP329TypeOrder(t *testing.T) {
	out, err := Export([]Record{
		{Type: TypeXpub, Ref: "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8", Label: str("x")},
		{Type: TypeOutput, Ref: txA + ":10", Spendable: boolp(false)},
		{Type: TypeOutput, Ref: txA + ":9", Label: str("o")},
		{Type: TypeAddr, Ref: addr, Label: str("a")},
		{Type: TypeTx, Ref: txA, Label: str("t1"), Origin: "wpkh([d34db33f/84'/0'/1'])"},
		{Type: TypeTx, Ref: txA, Label: str("t0"), Origin: "wpkh([d34db33f/84'/0'/0'])"},
	})
	require.NoError(t, err)
	require.Equal(t, `{"type":"tx","ref":"`+txA+`","label":"t0","origin":"wpkh([d34db33f/84'/0'/0'])"}
{"type":"tx","ref":"`+txA+`","label":"t1","origin":"wpkh([d34db33f/84'/0'/1'])"}
{"type":"addr","ref":"`+addr+`","label":"a"}
{"type":"output","ref":"`+txA+`:9","label":"o"}
{"type":"output","ref":"`+txA+`:10","spendable":false}
{"type":"xpub","ref":"xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8","label":"x"}
`, string(out))
	require.Equal(t, 1, Compare(Record{Type: TypeXpub, Ref: "a"}, Record{Type: TypeTx, Ref: "b"}))
	require.Equal(t, 0, Compare(Record{Type: TypeTx, Ref: txA}, Record{Type: TypeTx, Ref: txA}))
	require.Equal(t, -1, Compare(Record{Type: TypeTx, Ref: txB}, Record{Type: TypeAddr, Ref: addr}))

	_, err = Export([]Record{{Type: TypeTx, Ref: txA, Extra: map[string]json.RawMessage{"fee": json.RawMessage(`{`)}}})
	require.ErrorContains(t, err, `exporting the tx label of "`+txA+`": field "fee"`)
}
