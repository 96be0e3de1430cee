package wallet

import (
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// TestBIP329VectorsImportExportRoundTrip imports BIP329's test vector
// export, checks every record landed, exports, and imports the export
// into a fresh wallet.
func TestBIP329VectorsImportExportRoundTrip(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	data, err := os.ReadFile("testdata/bip329-vectors.jsonl")
	require.NoError(t, err)
	cs, rep, err := w.ImportBIP329(data)
	require.NoError(t, err)
	require.Equal(t, ImportReport{Imported: 7}, rep)
	require.Len(t, cs.Labels, 7)
	const out1 = "f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd:1"
	require.Equal(t, map[string]bool{out1: true}, cs.Frozen)
	require.Equal(t, Label{Type: "tx", Ref: "f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd", Label: "Transaction", Origin: "wpkh([d34db33f/84'/0'/0'])"},
		cs.Labels["tx:f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd"])

	exported, err := w.ExportBIP329()
	require.NoError(t, err)
	// Sorted as shared/labels exports: types in BIP329's order, then ref.
	want := `{"type":"tx","ref":"f546156d9044844e02b181026a1a407abfca62e7ea1159f87bbeaa77b4286c74","label":"Account #1 Transaction","origin":"wpkh([d34db33f/84'/0'/1'])"}
{"type":"tx","ref":"f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd","label":"Transaction","origin":"wpkh([d34db33f/84'/0'/0'])"}
{"type":"addr","ref":"bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c","label":"Address"}
{"type":"pubkey","ref":"0283409659355b6d1cc3c32decd5d561abaac86c37a353b52895a5e6c196d6f448","label":"Public Key"}
{"type":"input","ref":"f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd:0","label":"Input"}
{"type":"output","ref":"f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd:1","label":"Output","spendable":false}
{"type":"xpub","ref":"xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8","label":"Extended Public Key"}
`
	require.Equal(t, want, string(exported))

	fresh, _ := f.wallet(0)
	_, rep, err = fresh.ImportBIP329(exported)
	require.NoError(t, err)
	require.Equal(t, 7, rep.Imported)
	require.Equal(t, w.Labels(), fresh.Labels())
	require.Equal(t, w.State().Frozen, fresh.State().Frozen)

	// A frozen output without a label is exported too, and unfrozen by
	// "spendable": true.
	_, _, err = fresh.ImportBIP329([]byte(`{"type":"output","ref":"` + strings.Repeat("ab", 32) + `:7","spendable":false}`))
	require.NoError(t, err)
	again, err := fresh.ExportBIP329()
	require.NoError(t, err)
	require.Contains(t, string(again), `{"type":"output","ref":"`+strings.Repeat("ab", 32)+`:7","spendable":false}`)
	_, _, err = fresh.ImportBIP329([]byte(`{"type":"output","ref":"` + strings.Repeat("AB", 32) + `:7","spendable":true}`))
	require.NoError(t, err)
	require.Equal(t, map[string]bool{out1: true}, fresh.State().Frozen)
}

func TestBIP329ImportSkipsBadLinesAndKeepsTheRest(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	txid := strings.Repeat("0f", 32)
	data := strings.Join([]string{
		`not json`,
		`{"type":"tx","ref":"abc","label":"short txid"}`,
		`{"type":"wallet","ref":"x","label":"unknown type: ignored"}`,
		`{"type":"tx","ref":"` + txid + `","label":"` + strings.Repeat("é", 300) + `","spendable":true}`,
		``,
		`{"type":"output","ref":"` + txid + `:x","label":"bad index"}`,
		`{"type":"addr","ref":"bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c"}`,
		`{"type":"addr","ref":"bcrt1qexample","label":"not an address"}`,
	}, "\n")
	cs, rep, err := w.ImportBIP329([]byte(data))
	require.NoError(t, err)
	require.Equal(t, 1, rep.Imported)
	require.Len(t, rep.Problems, 6)
	require.Contains(t, rep.Problems[0], "line 1: not a JSON object")
	require.Equal(t, `line 2: tx ref "abc" is not a transaction id (64 hex digits): skipped`, rep.Problems[1])
	require.Equal(t, `line 4: "spendable" only applies to outputs: ignored on a tx record`, rep.Problems[2])
	require.Equal(t, "line 4: label of tx "+txid+" truncated to 255 characters", rep.Problems[3])
	require.Equal(t, `line 6: output ref "`+txid+`:x" is not txid:index (64 hex digits, a colon, a decimal index): skipped`, rep.Problems[4])
	require.Equal(t, `line 8: addr ref "bcrt1qexample" is not a Bitcoin address (base58 or bech32) of mainnet, testnet, signet or regtest: skipped`, rep.Problems[5])
	require.Equal(t, strings.Repeat("é", 255), cs.Labels["tx:"+txid].Label)
	require.Empty(t, cs.Frozen)
}

// TestBIP329LabelsGoThroughSharedLabels checks that SetLabel validates and
// normalises with shared/labels, that Labels and the export share its
// order, and that frozen outputs without a label sort among the outputs.
func TestBIP329LabelsGoThroughSharedLabels(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	txid := strings.Repeat("ab", 32)
	_, err := w.SetLabel(Label{Type: "tx", Ref: strings.ToUpper(txid), Label: "rent"})
	require.NoError(t, err)
	_, err = w.SetLabel(Label{Type: "output", Ref: txid + ":10", Label: "change"})
	require.NoError(t, err)
	_, err = w.SetLabel(Label{Type: "addr", Ref: "bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c", Label: "donations"})
	require.NoError(t, err)
	_, err = w.SetLabel(Label{Type: "tx", Ref: "abc", Label: "x"})
	require.EqualError(t, err, `tx ref "abc" is not a transaction id (64 hex digits)`)
	_, err = w.SetLabel(Label{Type: "tx", Ref: txid, Label: "x", Origin: "wpkh(xpub)"})
	require.EqualError(t, err, `origin "wpkh(xpub)" holds no key origin [fingerprint/path]`)
	_, err = w.SetLabel(Label{Type: "coin", Ref: "x", Label: "y"})
	require.EqualError(t, err, `label type "coin" is not a BIP329 type: use one of tx, addr, pubkey, input, output, xpub`)
	op, err := wire.NewOutPointFromString(txid + ":9")
	require.NoError(t, err)
	w.SetFrozen(*op, true)

	require.Equal(t, []Label{
		{Type: "tx", Ref: txid, Label: "rent"},
		{Type: "addr", Ref: "bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c", Label: "donations"},
		{Type: "output", Ref: txid + ":10", Label: "change"},
	}, w.Labels())
	out, err := w.ExportBIP329()
	require.NoError(t, err)
	require.Equal(t, `{"type":"tx","ref":"`+txid+`","label":"rent"}
{"type":"addr","ref":"bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c","label":"donations"}
{"type":"output","ref":"`+txid+`:9","spendable":false}
{"type":"output","ref":"`+txid+`:10","label":"change"}
`, string(out))

	// An empty label removes a stored one; later lines of an import win.
	_, _, err = w.ImportBIP329([]byte(`{"type":"tx","ref":"` + txid + `","label":""}` + "\n" +
		`{"type":"addr","ref":"bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c","label":"first"}` + "\n" +
		`{"type":"addr","ref":"bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c","label":"second"}`))
	require.NoError(t, err)
	require.Equal(t, []Label{
		{Type: "addr", Ref: "bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c", Label: "second"},
		{Type: "output", Ref: txid + ":10", Label: "change"},
	}, w.Labels())
}

func TestBIP329ImportOfSomethingElseIsAnErrorAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	w, _ := f.wallet(0)
	before := w.State()
	cs, rep, err := w.ImportBIP329([]byte("date,txid,label\n2024-01-01,abc,rent\n"))
	require.EqualError(t, err, `reading the BIP329 label file: this is not a BIP329 label file: no line is a JSON object; BIP329 files hold one {"type": ..., "ref": ..., "label": ...} record per line`)
	require.Equal(t, ChangeSet{}, cs)
	require.Equal(t, ImportReport{}, rep)
	require.Equal(t, before, w.State())
}

// FuzzImportBIP329 feeds arbitrary files to the BIP329 importer.
func FuzzImportBIP329(f *testing.F) {
	seed, err := os.ReadFile("testdata/bip329-vectors.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("{\"type\":\"output\",\"ref\":\":\",\"spendable\":false}\n\xff"))
	fx := newFixture(&testing.T{})
	w, _, err := New(Params{Receive: fx.desc, Network: "regtest", GapLimit: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, _, err := w.ImportBIP329(data); err != nil {
			return
		}
		if _, err := w.ExportBIP329(); err != nil {
			t.Fatalf("export after a successful import: %v", err)
		}
	})
}
