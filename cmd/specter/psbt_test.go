package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/stretchr/testify/require"
)

const testMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// psbtFixture is a regtest wpkh wallet of the test mnemonic and an unsigned
// PSBT spending one of its coins, written to a file.
type psbtFixture struct {
	dir, desc, file string
	fp              keys.Fingerprint
}

func newPSBTFixture(t *testing.T) psbtFixture {
	t.Helper()
	master, err := keys.MasterFromMnemonic(testMnemonic, "", network.Regtest)
	require.NoError(t, err)
	fp, err := keys.MasterFingerprint(master)
	require.NoError(t, err)
	acct := master
	path := keys.Path{84 + keys.Hardened, 1 + keys.Hardened, keys.Hardened}
	for _, s := range path {
		acct, err = acct.Derive(s)
		require.NoError(t, err)
	}
	pub, err := acct.Neuter()
	require.NoError(t, err)
	desc := fmt.Sprintf("wpkh([%s/%s]%s/<0;1>/*)", fp, path, pub)
	d, err := descriptor.Parse(desc)
	require.NoError(t, err)
	w, err := psbt.NewWallet(network.Regtest, d)
	require.NoError(t, err)
	recv, err := w.Branches[0].Derive(4)
	require.NoError(t, err)
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte("coin")), Index: 0}})
	prev.AddTxOut(wire.NewTxOut(200_000, recv.ScriptPubKey))
	p, err := psbt.Create(w, psbt.CreateOptions{
		Inputs:  []psbt.UTXO{{OutPoint: wire.OutPoint{Hash: prev.TxHash(), Index: 0}, Value: 200_000, Branch: 0, Index: 4, PrevTx: prev}},
		Outputs: []psbt.Recipient{{Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Amount: 120_000}},
		Change:  &psbt.ChangeOutput{Branch: 1, Index: 2, Amount: 79_000},
	})
	require.NoError(t, err)
	text, err := psbt.EncodeBase64(p)
	require.NoError(t, err)
	dir := t.TempDir()
	file := filepath.Join(dir, "unsigned.psbt")
	require.NoError(t, os.WriteFile(file, []byte(text+"\n"), 0o600))
	return psbtFixture{dir: dir, desc: desc, file: file, fp: fp}
}

func runCmd(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestPSBTDecodeJSONProvesChangeWithTheDescriptor(t *testing.T) {
	fx := newPSBTFixture(t)
	code, out, errOut := runCmd("", "psbt", "decode", fx.file, "--json", "--network", "regtest", "--descriptor", fx.desc)
	require.Equal(t, 0, code, errOut)
	var a psbt.Analysis
	require.NoError(t, json.Unmarshal([]byte(out), &a))
	require.Equal(t, int64(1_000), a.Fee)
	require.Equal(t, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", a.Outputs[0].Address)
	require.False(t, a.Outputs[0].Change)
	require.True(t, a.Outputs[1].Change)
	require.Equal(t, uint32(2), a.Outputs[1].AddrIndex)
	require.Equal(t, []string{fx.fp.String()}, a.Inputs[0].Cosigners)
	require.Empty(t, a.Warnings)
}

func TestPSBTDecodeTextSummaryFromStdin(t *testing.T) {
	fx := newPSBTFixture(t)
	data, err := os.ReadFile(fx.file)
	require.NoError(t, err)
	code, out, errOut := runCmd(string(data), "psbt", "decode", "--network", "regtest", "-")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "Inputs (1):\n  #0 ")
	require.Contains(t, out, ":0 0.00200000 BTC wpkh 0 of 1 signatures\n")
	require.Contains(t, out, "  #0 bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080 0.00120000 BTC\n")
	require.Contains(t, out, "Fee: 0.00001000 BTC, about 141 vB, 7.09 sat/vB\n")
	require.Contains(t, out, "  #1 bcrt1q2vma00td2g9llw8hwa8ny3r774rtt7ae3q2e44 0.00079000 BTC\n")
	require.Contains(t, out, "Complete: no\n")
	require.Contains(t, out, "Cosigner xpub: ["+fx.fp.String()+"/84h/1h/0h]tpub")
	require.NotContains(t, out, "change", "without --descriptor nothing is called change")

	// Without --network, the tpub global xpub selects testnet addresses.
	code, out, errOut = runCmd(string(data), "psbt", "decode", "-")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "  #0 tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx 0.00120000 BTC\n")
}

func TestPSBTSignFinalizeExtractCycle(t *testing.T) {
	fx := newPSBTFixture(t)
	mfile := filepath.Join(fx.dir, "mnemonic.txt")
	require.NoError(t, os.WriteFile(mfile, []byte(testMnemonic+"\n"), 0o600))

	// The mnemonic from a file, the PSBT written in binary to a file.
	signedBin := filepath.Join(fx.dir, "signed.bin")
	code, out, errOut := runCmd("", "psbt", "sign", "--mnemonic-file", mfile, "--network", "regtest", "--binary", "--out", signedBin, fx.file)
	require.Equal(t, 0, code, errOut)
	require.Empty(t, out)
	require.Equal(t, fmt.Sprintf("key %s added 1 signature(s) to 1 input(s)\n", fx.fp), errOut)
	raw, err := os.ReadFile(signedBin)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(raw, []byte("psbt\xff")))

	// The mnemonic from standard input gives the same signature (RFC6979).
	code, signedB64, errOut := runCmd(testMnemonic, "psbt", "sign", fx.file)
	require.Equal(t, 0, code, errOut)
	p, err := psbt.Decode([]byte(signedB64))
	require.NoError(t, err)
	q, err := psbt.Decode(raw)
	require.NoError(t, err)
	require.Equal(t, q.Inputs[0].PartialSigs[0].Signature, p.Inputs[0].PartialSigs[0].Signature)

	// Combine the unsigned and the signed PSBTs, finalize, extract.
	code, combined, errOut := runCmd("", "psbt", "combine", fx.file, signedBin)
	require.Equal(t, 0, code, errOut)
	code, final, errOut := runCmd(combined, "psbt", "finalize", "-")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "1 of 1 inputs final\n", errOut)
	code, txHex, errOut := runCmd(final, "psbt", "extract", "-")
	require.Equal(t, 0, code, errOut)
	b, err := hex.DecodeString(strings.TrimSpace(txHex))
	require.NoError(t, err)
	var tx wire.MsgTx
	require.NoError(t, tx.Deserialize(bytes.NewReader(b)))
	require.Len(t, tx.TxIn[0].Witness, 2)
	require.Equal(t, p.UnsignedTx.TxHash(), tx.TxHash())
}

func TestPSBTBadInputIsAUsageError(t *testing.T) {
	fx := newPSBTFixture(t)
	garbage := filepath.Join(fx.dir, "garbage.txt")
	require.NoError(t, os.WriteFile(garbage, []byte("hello"), 0o600))
	v2 := "cHNidP8BAgQCAAAAAQQBAQEFAQIB+wQCAAAAAAEAUgIAAAABwaolbiFLlqGCL5PeQr/ztfP/jQUZMG41FddRWl6AWxIAAAAAAP////8BGMaaOwAAAAAWABSwo68UQghBJpPKfRZoUrUtsK7wbgAAAAABAR8Yxpo7AAAAABYAFLCjrxRCCEEmk8p9FmhStS2wrvBuAQ4gCwrZIUGcHIcZc11y3HOfnqngY40f5MHu8PmUQISBX8gBDwQAAAAAACICAtYB+EhGpnVfd2vgDj2d6PsQrMk1+4PEX7AWLUytWreSGPadhz5UAACAAQAAgAAAAIAAAAAAKgAAAAEDCAAIry8AAAAAAQQWABTEMPZMR1baMQ29GghVcu8pmSYnLAAiAgLjb7/1PdU0Bwz4/TlmFGgPNXqbhdtzQL8c+nRdKtezQBj2nYc+VAAAgAEAAIAAAACAAQAAAGQAAAABAwiLvesLAAAAAAEEFgAUTdGTrJZKVqwbnhzKhFT+L0dPhRMA"
	for name, c := range map[string]struct {
		stdin string
		args  []string
		msg   string
	}{
		"no subcommand":              {"", []string{"psbt"}, "psbt needs a subcommand"},
		"unknown subcommand":         {"", []string{"psbt", "frobnicate"}, `unknown psbt subcommand "frobnicate"`},
		"not a PSBT":                 {"", []string{"psbt", "decode", garbage}, "is neither binary, hex nor valid base64"},
		"missing file":               {"", []string{"psbt", "decode", filepath.Join(fx.dir, "nope")}, "reading "},
		"PSBT version 2":             {v2, []string{"psbt", "decode", "-"}, "export the transaction as PSBT version 0"},
		"binary without out":         {"", []string{"psbt", "finalize", "--binary", fx.file}, "--binary needs --out FILE"},
		"mnemonic as an argument":    {"", []string{"psbt", "sign", "--mnemonic", testMnemonic, fx.file}, "flag provided but not defined: -mnemonic"},
		"stdin for PSBT and words":   {"", []string{"psbt", "sign", "-"}, "the mnemonic must come from --mnemonic-file"},
		"combine needs two":          {"", []string{"psbt", "combine", fx.file}, "combine needs at least two PSBT files"},
		"bad mnemonic":               {"abandon abandon", []string{"psbt", "sign", fx.file}, "mnemonic: 2 words"},
		"bad network":                {"", []string{"psbt", "decode", "--network", "moon", fx.file}, `unknown network "moon"`},
		"two files for decode":       {"", []string{"psbt", "decode", fx.file, fx.file}, "decode needs exactly one PSBT file"},
		"descriptor that is invalid": {"", []string{"psbt", "decode", "--descriptor", "wpkh(", fx.file}, "--descriptor:"},
	} {
		code, out, errOut := runCmd(c.stdin, c.args...)
		require.Equal(t, 2, code, name)
		require.Empty(t, out, name)
		require.Contains(t, errOut, c.msg, name)
		require.True(t, strings.HasPrefix(errOut, "specter psbt: "), name)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "%s: one line: %q", name, errOut)
	}
}

// TestPSBTExtractOfAnUnfinishedPSBTIsBadInput: extracting a PSBT whose
// inputs are not finalized is bad input (exit status 2, one line naming the
// inputs and saying to run finalize first), as the CLI contract says.
func TestPSBTExtractOfAnUnfinishedPSBTIsBadInput(t *testing.T) {
	fx := newPSBTFixture(t)
	code, out, errOut := runCmd("", "psbt", "extract", fx.file)
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Equal(t, "specter psbt: input 0 is not finalized: collect the missing signatures and run 'specter psbt finalize' on the PSBT first, then extract\n", errOut)
}
