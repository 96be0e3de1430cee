package bridge

import (
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
)

//go:embed testdata API.md
var testdataFS embed.FS

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := testdataFS.ReadFile("testdata/" + name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

type bip84Vectors struct {
	Mnemonic          string `json:"mnemonic"`
	AccountPath       string `json:"account_path"`
	MasterFingerprint string `json:"master_fingerprint"`
	AccountXprv       string `json:"account_xprv"`
	Receive, Change   []struct {
		Index   uint32 `json:"index"`
		PubKey  string `json:"pubkey"`
		Address string `json:"address"`
	}
}

func engine() *Registry {
	r := NewRegistry()
	RegisterEngine(r)
	return r
}

func ok[T any](t *testing.T, r *Registry, method string, params any) T {
	t.Helper()
	res, e := call(t, r, method, params)
	require.Nil(t, e, "%s failed: %+v", method, e)
	var out T
	require.NoError(t, json.Unmarshal(res, &out))
	return out
}

func fails(t *testing.T, r *Registry, method string, params any) *Error {
	t.Helper()
	_, e := call(t, r, method, params)
	require.NotNil(t, e, "%s should fail", method)
	return e
}

// p2wpkh is the BIP141 output script of a compressed public key, computed
// independently of the descriptor package.
func p2wpkh(t *testing.T, pubHex string) string {
	pub, err := hex.DecodeString(pubHex)
	require.NoError(t, err)
	return "0014" + hex.EncodeToString(btcutil.Hash160(pub))
}

func TestBIP84VectorsThroughDescriptorMethods(t *testing.T) {
	var v bip84Vectors
	loadJSON(t, "bip84.json", &v)
	r := engine()
	priv := "wpkh([" + v.MasterFingerprint + "/" + v.AccountPath + "]" + v.AccountXprv + "/<0;1>/*)"
	info := ok[DescriptorInfo](t, r, "descriptor.normalize", DescriptorParams{Descriptor: priv, Network: "main"})
	require.True(t, info.Private)
	require.Equal(t, "wpkh", info.ScriptType)
	require.True(t, info.IsRange)
	require.Equal(t, 2, info.Branches)
	require.Equal(t, 1, info.M)
	require.Equal(t, 1, info.N)
	require.Len(t, info.Keys, 1)
	require.Empty(t, info.Keys[0].Expression, "a private key expression must not reach the page")
	require.True(t, info.Keys[0].Private)
	require.Equal(t, "73c5da0a/84h/0h/0h", info.Keys[0].Origin)
	require.True(t, strings.HasPrefix(info.Public, "wpkh([73c5da0a/84h/0h/0h]xpub"), info.Public)
	require.NotContains(t, info.Public, "prv")

	pub := ok[DescriptorInfo](t, r, "descriptor.normalize", DescriptorParams{Descriptor: info.Public})
	require.False(t, pub.Private)
	require.Empty(t, pub.Public)
	require.Equal(t, info.Public, pub.Descriptor)
	require.Equal(t, "[73c5da0a/84h/0h/0h]"+pub.Keys[0].Xpub+"/<0;1>/*", pub.Keys[0].Expression)

	for branch, want := range [][]struct {
		Index   uint32 `json:"index"`
		PubKey  string `json:"pubkey"`
		Address string `json:"address"`
	}{v.Receive, v.Change} {
		for _, desc := range []string{priv, info.Public} {
			got := ok[AddressesResult](t, r, "descriptor.addresses", AddressesParams{Descriptor: desc, Network: "main", Branch: branch, Count: len(want)})
			require.Len(t, got.Addresses, len(want))
			for i, w := range want {
				require.Equal(t, Address{Index: w.Index, Address: w.Address, Script: p2wpkh(t, w.PubKey)}, got.Addresses[i], "branch %d index %d", branch, i)
			}
		}
	}
	second := ok[AddressesResult](t, r, "descriptor.addresses", AddressesParams{Descriptor: info.Public, Network: "main", Start: 1, Count: 1})
	require.Equal(t, []Address{{Index: 1, Address: v.Receive[1].Address, Script: p2wpkh(t, v.Receive[1].PubKey)}}, second.Addresses)

	// The account key as a [origin]xpub line, as a user pastes it.
	keys := ok[struct {
		Keys []map[string]string `json:"keys"`
	}](t, r, "keys.parseExport", TextParams{Text: "[73c5da0a/84'/0'/0']" + pub.Keys[0].Xpub + "\n"})
	require.Equal(t, []map[string]string{{"origin": "73c5da0a/84h/0h/0h", "xpub": pub.Keys[0].Xpub, "script_hint": "wpkh", "label": "", "source": "key-expressions"}}, keys.Keys)
}

func TestDescriptorNormalizeBIP380ChecksumVector(t *testing.T) {
	r := engine()
	for _, in := range []string{"raw(deadbeef)", "raw(deadbeef)#89f8spxm", "  raw(DEADBEEF)  "} {
		got := ok[json.RawMessage](t, r, "descriptor.normalize", DescriptorParams{Descriptor: in})
		require.JSONEq(t, `{"descriptor":"raw(deadbeef)#89f8spxm","checksum":"89f8spxm","script_type":"raw","is_range":false,
			"branches":1,"m":0,"n":0,"has_private_keys":false,"keys":[]}`, string(got), in)
	}
}

func TestDescriptorMethodsRefuseBadInputWithAHint(t *testing.T) {
	const xpubDesc = "wpkh(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/*)"
	r := engine()
	for name, tc := range map[string]struct {
		method string
		params any
		want   Error
	}{
		"bad checksum": {"descriptor.normalize", DescriptorParams{Descriptor: "raw(deadbeef)#89f8spxx"}, Error{Code: CodeFailed,
			Hint: "check the descriptor as exported by your wallet; the #checksum may be left out"}},
		"mainnet key on testnet": {"descriptor.normalize", DescriptorParams{Descriptor: xpubDesc, Network: "test"}, Error{Code: CodeFailed,
			Hint: "the keys are for another network: pick the wallet's network or export the keys for this one"}},
		"unknown network": {"descriptor.normalize", DescriptorParams{Descriptor: xpubDesc, Network: "moon"}, Error{Code: CodeFailed,
			Hint: "use main, test, signet or regtest"}},
		"no network": {"descriptor.addresses", AddressesParams{Descriptor: xpubDesc, Count: 1}, Error{Code: CodeBadParams,
			Message: "no network given", Hint: `set "network" to main, test, signet or regtest`}},
		"count zero": {"descriptor.addresses", AddressesParams{Descriptor: xpubDesc, Network: "main"}, Error{Code: CodeBadParams,
			Message: "count 0 is out of range", Hint: "ask for 1 to 1000 addresses"}},
		"count too large": {"descriptor.addresses", AddressesParams{Descriptor: xpubDesc, Network: "main", Count: 1001}, Error{Code: CodeBadParams,
			Message: "count 1001 is out of range", Hint: "ask for 1 to 1000 addresses"}},
		"change branch of a single-path descriptor": {"descriptor.addresses", AddressesParams{Descriptor: xpubDesc, Network: "main", Branch: 1, Count: 1}, Error{Code: CodeFailed,
			Message: "branch 1 does not exist: the descriptor has 1", Hint: "use branch 0 for receive and 1 for change of a <0;1> descriptor"}},
		"past the last unhardened index": {"descriptor.addresses", AddressesParams{Descriptor: xpubDesc, Network: "main", Start: 1<<31 - 1, Count: 2}, Error{Code: CodeFailed,
			Message: "start 2147483647 with count 2 goes past index 2147483647, the last unhardened index", Hint: "lower start or count"}},
		"several addresses of a non-ranged descriptor": {"descriptor.addresses", AddressesParams{Descriptor: "raw(0014751e76e8199196d454941c45d1b3a323f1433bd6)", Network: "main", Count: 2}, Error{Code: CodeFailed,
			Message: "the descriptor has no /* wildcard, so it has a single address", Hint: "ask for start 0 and count 1"}},
		"script without an address": {"descriptor.addresses", AddressesParams{Descriptor: "raw(deadbeef)", Network: "main", Count: 1}, Error{Code: CodeFailed,
			Message: "index 0: script deadbeef has no address form", Hint: "this script has no address form (pk(), bare multisig or a non-standard raw script): a wallet needs pkh, wpkh, sh, wsh or tr"}},
		"testnet key asked for mainnet addresses": {"descriptor.addresses", AddressesParams{Network: "main", Count: 1,
			Descriptor: "wpkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/*)"}, Error{Code: CodeFailed,
			Hint: "the keys are for another network: pick the wallet's network or export the keys for this one"}},
		"combo": {"descriptor.addresses", AddressesParams{Descriptor: "combo(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)", Network: "main", Count: 1}, Error{Code: CodeFailed,
			Message: "combo() gives several scripts per index", Hint: "write pkh(KEY), wpkh(KEY) or sh(wpkh(KEY)) for the addresses you want"}},
	} {
		t.Run(name, func(t *testing.T) {
			e := fails(t, r, tc.method, tc.params)
			require.Equal(t, tc.want.Code, e.Code)
			require.Equal(t, tc.want.Hint, e.Hint)
			if tc.want.Message != "" {
				require.Equal(t, tc.want.Message, e.Message)
			}
			require.NotEmpty(t, e.Message)
		})
	}
}

func TestSingleAddressOfANonRangedDescriptor(t *testing.T) {
	// BIP173's P2WPKH example script (the key hash of the generator point).
	got := ok[AddressesResult](t, engine(), "descriptor.addresses", AddressesParams{Descriptor: "raw(0014751e76e8199196d454941c45d1b3a323f1433bd6)", Network: "main"})
	require.Equal(t, []Address{{Index: 0, Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Script: "0014751e76e8199196d454941c45d1b3a323f1433bd6"}}, got.Addresses)
}

func TestMnemonicMethods(t *testing.T) {
	var v bip84Vectors
	loadJSON(t, "bip84.json", &v)
	r := engine()
	require.Equal(t, MnemonicCheck{Valid: true}, ok[MnemonicCheck](t, r, "keys.validateMnemonic", MnemonicParams{Mnemonic: v.Mnemonic}))
	bad := ok[MnemonicCheck](t, r, "keys.validateMnemonic", MnemonicParams{Mnemonic: strings.Replace(v.Mnemonic, "about", "abot", 1)})
	require.False(t, bad.Valid)
	require.Equal(t, "unknown_word", bad.Problem.Kind)
	require.Equal(t, 12, bad.Problem.Position)
	require.Equal(t, "abot", bad.Problem.Word)
	require.Equal(t, "about", bad.Problem.Suggestion)
	sum := ok[MnemonicCheck](t, r, "keys.validateMnemonic", MnemonicParams{Mnemonic: strings.Replace(v.Mnemonic, "about", "abandon", 1)})
	require.Equal(t, "checksum", sum.Problem.Kind)
	count := ok[MnemonicCheck](t, r, "keys.validateMnemonic", MnemonicParams{Mnemonic: "abandon abandon"})
	require.Equal(t, "word_count", count.Problem.Kind)
	require.Equal(t, 2, count.Problem.Count)

	require.Equal(t, WordsResult{Words: []string{"zone", "zoo"}}, ok[WordsResult](t, r, "keys.completeWord", PrefixParams{Prefix: "zo"}))
	require.Equal(t, WordsResult{Words: []string{}}, ok[WordsResult](t, r, "keys.completeWord", PrefixParams{Prefix: "qq"}))

	for _, n := range []int{12, 24} {
		m := ok[MnemonicParams](t, r, "keys.newMnemonic", NewMnemonicParams{Words: n})
		require.Len(t, strings.Fields(m.Mnemonic), n)
		require.Equal(t, MnemonicCheck{Valid: true}, ok[MnemonicCheck](t, r, "keys.validateMnemonic", m))
	}
	e := fails(t, r, "keys.newMnemonic", NewMnemonicParams{Words: 13})
	require.Equal(t, Error{Message: "a BIP39 mnemonic cannot have 13 words", Hint: "ask for 12, 15, 18, 21 or 24 words", Code: CodeBadParams}, *e)
}

type roleVectors struct {
	Combiner []struct {
		Combine []string `json:"combine"`
		Result  string   `json:"result"`
	} `json:"combiner"`
	Finalizer []struct {
		Finalize string `json:"finalize"`
		Result   string `json:"result"`
	} `json:"finalizer"`
	Extractor []struct {
		Extract string `json:"extract"`
		Result  string `json:"result"`
	} `json:"extractor"`
}

func TestBIP174RoleVectorsThroughPSBTMethods(t *testing.T) {
	var v roleVectors
	loadJSON(t, "bip174_roles.json", &v)
	r := engine()
	require.NotEmpty(t, v.Combiner)
	for _, c := range v.Combiner {
		got := ok[PSBTSummary](t, r, "psbt.combine", CombineParams{PSBTs: c.Combine})
		// Map order is free in BIP174: compare the canonical re-encoding.
		want := ok[PSBTSummary](t, r, "psbt.decode", PSBTParams{PSBT: c.Result})
		require.Equal(t, want, got)
		require.False(t, got.Complete)
	}
	require.NotEmpty(t, v.Finalizer)
	for _, f := range v.Finalizer {
		got := ok[FinalizeResult](t, r, "psbt.finalize", PSBTParams{PSBT: f.Finalize})
		require.Equal(t, f.Result, got.PSBT)
		require.Equal(t, 2, got.Finalized)
		require.Equal(t, 2, got.Inputs)
		require.True(t, got.Complete)
	}
	require.NotEmpty(t, v.Extractor)
	for _, x := range v.Extractor {
		got := ok[FinalizeResult](t, r, "psbt.finalize", PSBTParams{PSBT: x.Extract})
		require.Equal(t, x.Result, got.TxHex)
		require.True(t, got.Complete)
		require.Equal(t, x.Extract, got.PSBT)

		// The same PSBT given as hex decodes to the same base64.
		raw, err := base64.StdEncoding.DecodeString(x.Extract)
		require.NoError(t, err)
		dec := ok[PSBTSummary](t, r, "psbt.decode", PSBTParams{PSBT: hex.EncodeToString(raw)})
		require.Equal(t, x.Extract, dec.PSBT)
		require.True(t, dec.Complete)
		require.Equal(t, got.TxID, dec.TxID)
	}
}

func TestPSBTAnalyseOfTheFinalizedVector(t *testing.T) {
	var v roleVectors
	loadJSON(t, "bip174_roles.json", &v)
	r := engine()
	a := ok[map[string]any](t, r, "psbt.analyse", AnalyseParams{PSBT: v.Finalizer[0].Result, Network: "test"})
	require.Equal(t, true, a["complete"])
	require.Equal(t, true, a["fee_known"])
	require.Len(t, a["inputs"], 2)
	require.Len(t, a["outputs"], 2)
	in, out, fee := a["input_total"].(float64), a["output_total"].(float64), a["fee"].(float64)
	require.Equal(t, in-out, fee)
}

func TestPSBTMethodsRefuseBadInput(t *testing.T) {
	r := engine()
	e := fails(t, r, "psbt.decode", PSBTParams{PSBT: "not a psbt"})
	require.Equal(t, "give the PSBT as base64 or hex, as the signer or wallet exported it", e.Hint)
	e = fails(t, r, "psbt.combine", CombineParams{})
	require.Equal(t, Error{Message: "no PSBT to combine", Hint: "give at least one PSBT", Code: CodeBadParams}, *e)
	e = fails(t, r, "psbt.analyse", AnalyseParams{PSBT: "cHNidP8=", Network: ""})
	require.Equal(t, CodeBadParams, e.Code)
}

func TestCoinSelectSendMaxPaysExactlyTheFee(t *testing.T) {
	r := engine()
	const addr = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
	op := strings.Repeat("11", 32) + ":0"
	got := ok[SelectResult](t, r, "coinselect.select", SelectParams{
		Network: "main", FeeRate: 2, Wallet: SpendShape{ScriptType: "wpkh"},
		UTXOs:   []CoinJSON{{OutPoint: op, Value: 100_000, Confirmations: 3}},
		Outputs: []PaymentJSON{{Address: addr, SendMax: true}},
	})
	// Weight: header 40 + segwit marker 2, one P2WPKH input 164 + witness
	// 108 (72-byte signature, 33-byte key), one P2WPKH output 124: 438,
	// so 110 vB and 220 sats at 2 sat/vB. Waste: the input's 68 vB at
	// 2 sat/vB minus at the 10 sat/vB long-term rate, -544.
	require.Equal(t, SelectResult{Inputs: []string{op}, Outputs: []PaymentJSON{{Address: addr, Amount: 100_000 - 220, SendMax: true}},
		Fee: 220, FeeRate: 2, VSize: 110, Weight: 438, Algorithm: "send-max", Waste: -544}, got)
}

func TestCoinSelectExplainsShortfallsAndBadParams(t *testing.T) {
	r := engine()
	const addr = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
	op := strings.Repeat("22", 32) + ":1"
	base := SelectParams{Network: "main", FeeRate: 1, Wallet: SpendShape{ScriptType: "wsh", M: 2, N: 3},
		UTXOs: []CoinJSON{{OutPoint: op, Value: 50_000, Confirmations: 1}, {OutPoint: strings.Repeat("33", 32) + ":0", Value: 70_000, Confirmations: 1, Frozen: true}}}

	p := base
	p.Outputs = []PaymentJSON{{Address: addr, Amount: 60_000}}
	e := fails(t, r, "coinselect.select", p)
	require.Equal(t, "lower the amount or the fee rate, or unfreeze coins", e.Hint)
	require.Contains(t, e.Message, "70000 sats frozen")

	p.Outputs = []PaymentJSON{{Address: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", Amount: 1000}}
	e = fails(t, r, "coinselect.select", p)
	require.Equal(t, "recipient 1: \"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx\" is not an address of the main network", e.Message)

	p = base
	p.Wallet = SpendShape{ScriptType: "wpkh", M: 2, N: 3}
	e = fails(t, r, "coinselect.select", p)
	require.Equal(t, Error{Code: CodeBadParams, Message: "script type wpkh with 2-of-3 keys is not a wallet kind",
		Hint: "single-key wallets use pkh, sh-wpkh, wpkh or tr; multisig ones sh, sh-wsh, wsh or tr with m and n"}, *e)

	p = base
	p.UTXOs = []CoinJSON{{OutPoint: "nope", Value: 1}}
	e = fails(t, r, "coinselect.select", p)
	require.Equal(t, CodeBadParams, e.Code)
	require.Equal(t, "write outpoints as txid:vout", e.Hint)
}

// TestPSBTAnalyseBoundsChangeByTheWatchedAddresses: psbt.analyse with
// watched_up_to flags change proven past the wallet's watched addresses
// (unwatched, and a warning); without it the change is plain proven change.
func TestPSBTAnalyseBoundsChangeByTheWatchedAddresses(t *testing.T) {
	var v bip84Vectors
	loadJSON(t, "bip84.json", &v)
	r := engine()
	priv := "wpkh([" + v.MasterFingerprint + "/" + v.AccountPath + "]" + v.AccountXprv + "/<0;1>/*)"
	pubDesc := ok[DescriptorInfo](t, r, "descriptor.normalize", DescriptorParams{Descriptor: priv, Network: "main"}).Public
	d, err := descriptor.Parse(pubDesc)
	require.NoError(t, err)
	w, err := psbt.NewWallet(network.Main, d)
	require.NoError(t, err)
	recv, err := w.Branches[0].Derive(0)
	require.NoError(t, err)
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte("coin")), Index: 0}})
	prev.AddTxOut(wire.NewTxOut(100_000, recv.ScriptPubKey))
	p, err := psbt.Create(w, psbt.CreateOptions{
		Inputs:  []psbt.UTXO{{OutPoint: wire.OutPoint{Hash: prev.TxHash(), Index: 0}, Value: 100_000, Branch: 0, Index: 0, PrevTx: prev}},
		Outputs: []psbt.Recipient{{Address: "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", Amount: 50_000}},
		Change:  &psbt.ChangeOutput{Branch: 1, Index: 30, Amount: 49_000},
	})
	require.NoError(t, err)
	b64, err := psbt.EncodeBase64(p)
	require.NoError(t, err)

	a := ok[psbt.Analysis](t, r, "psbt.analyse", AnalyseParams{PSBT: b64, Network: "main", Descriptors: []string{pubDesc}, WatchedUpTo: []uint32{20, 20}})
	require.True(t, a.Outputs[1].Change)
	require.True(t, a.Outputs[1].Unwatched)
	require.Equal(t, []string{"change output 1 pays to change address #30, beyond the wallet's watched addresses (up to #20): the wallet would not see these funds; do not sign unless you raise the gap limit"}, a.Warnings)

	a = ok[psbt.Analysis](t, r, "psbt.analyse", AnalyseParams{PSBT: b64, Network: "main", Descriptors: []string{pubDesc}})
	require.True(t, a.Outputs[1].Change)
	require.False(t, a.Outputs[1].Unwatched)
	require.Empty(t, a.Warnings)
}
