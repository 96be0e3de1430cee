package bridge

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
)

// MaxAddresses is the most addresses one descriptor.addresses call derives.
const MaxAddresses = 1000

// RegisterEngine adds the engine methods that need no storage:
// descriptor.* (BIP380-389), keys.* (BIP32, BIP39, SLIP-132, vendor export
// files), psbt.* (BIP174/BIP371), coinselect.select and qr.* (BC-UR, BBQr;
// scan sessions are kept in memory).
func RegisterEngine(r *Registry) {
	Register(r, "descriptor.normalize", "parses an output descriptor (BIP380-389) and returns its normalised form with checksum and what it describes", descriptorNormalize)
	Register(r, "descriptor.addresses", "derives addresses of a descriptor branch (BIP380-389) on a network", descriptorAddresses)
	Register(r, "keys.parseExport", "reads the xpub export file or key expression text of a hardware wallet", keysParseExport)
	Register(r, "keys.validateMnemonic", "checks a BIP39 mnemonic and says which word is wrong", keysValidateMnemonic)
	Register(r, "keys.completeWord", "lists the BIP39 words that start with a prefix", keysCompleteWord)
	Register(r, "keys.newMnemonic", "draws a new BIP39 mnemonic of 12 to 24 words", keysNewMnemonic)
	Register(r, "psbt.decode", "reads a PSBT (BIP174; base64, hex or binary as base64) and returns it as base64 with its txid and completeness", psbtDecode)
	Register(r, "psbt.analyse", "describes a PSBT for review: amounts, fee, signatures, change proven by the wallet's descriptors, warnings", psbtAnalyse)
	Register(r, "psbt.combine", "merges PSBTs of the same transaction (BIP174 Combiner)", psbtCombine)
	Register(r, "psbt.finalize", "finalizes the inputs that have enough signatures and extracts the transaction when complete (BIP174)", psbtFinalize)
	Register(r, "coinselect.select", "chooses the inputs and change of a payment (branch and bound, single random draw)", coinSelect)
	RegisterQR(r)
	RegisterAirgap(r)
}

func parseNetwork(s string) (network.Network, error) {
	if s == "" {
		return "", WithCode(errors.New("no network given"), CodeBadParams, `set "network" to main, test, signet or regtest`)
	}
	n, err := network.Parse(s)
	if err != nil {
		return "", WithHint(err, "use main, test, signet or regtest")
	}
	return n, nil
}

func parseDescriptor(s string) (*descriptor.Descriptor, error) {
	d, err := descriptor.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, WithHint(fmt.Errorf("invalid descriptor: %w", err), "check the descriptor as exported by your wallet; the #checksum may be left out")
	}
	return d, nil
}

// DescriptorParams names a descriptor and, optionally, the network its keys
// must belong to.
type DescriptorParams struct {
	Descriptor string `json:"descriptor"`
	Network    string `json:"network,omitempty"`
}

// DescriptorKey is one key expression of a descriptor (BIP380).
type DescriptorKey struct {
	Expression string `json:"expression"`
	Origin     string `json:"origin,omitempty"`
	Xpub       string `json:"xpub"`
	Private    bool   `json:"private"`
}

// DescriptorInfo is the result of descriptor.normalize.
type DescriptorInfo struct {
	// Descriptor is the normalised descriptor with its "#checksum".
	Descriptor string `json:"descriptor"`
	Checksum   string `json:"checksum"`
	// Public is the descriptor without private keys, set only when it has some.
	Public     string          `json:"public,omitempty"`
	ScriptType string          `json:"script_type"`
	IsRange    bool            `json:"is_range"`
	Branches   int             `json:"branches"`
	M          int             `json:"m"`
	N          int             `json:"n"`
	Private    bool            `json:"has_private_keys"`
	Keys       []DescriptorKey `json:"keys"`
}

func descriptorNormalize(_ context.Context, p DescriptorParams) (*DescriptorInfo, error) {
	d, err := parseDescriptor(p.Descriptor)
	if err != nil {
		return nil, err
	}
	if p.Network != "" {
		net, err := parseNetwork(p.Network)
		if err != nil {
			return nil, err
		}
		if err := d.CheckNetwork(net); err != nil {
			return nil, WithHint(err, "the keys are for another network: pick the wallet's network or export the keys for this one")
		}
	}
	s := d.String()
	info := &DescriptorInfo{
		Descriptor: s,
		Checksum:   s[strings.LastIndexByte(s, '#')+1:],
		ScriptType: d.ScriptType().String(),
		IsRange:    d.IsRange(),
		Branches:   d.PathCount(),
		Private:    d.HasPrivateKeys(),
		Keys:       []DescriptorKey{},
	}
	info.M, info.N = d.Threshold()
	if info.Private {
		pub, err := d.Public()
		if err != nil {
			return nil, WithHint(err, "this descriptor's private keys have no public form here; export a public descriptor instead")
		}
		info.Public = pub.String()
	}
	for _, k := range d.Keys() {
		dk := DescriptorKey{Expression: k.String(), Xpub: k.Xpub, Private: k.Private}
		if k.Origin != nil {
			dk.Origin = k.Origin.String()
		}
		if k.Private {
			// Never hand a private key expression to the page.
			dk.Expression = ""
		}
		info.Keys = append(info.Keys, dk)
	}
	return info, nil
}

// AddressesParams asks for Count addresses of a descriptor's Branch (0
// receive, 1 change of a BIP389 <0;1> descriptor) from index Start.
type AddressesParams struct {
	Descriptor string `json:"descriptor"`
	Network    string `json:"network"`
	Branch     int    `json:"branch"`
	Start      uint32 `json:"start"`
	Count      int    `json:"count"`
}

// Address is one derived address.
type Address struct {
	Index   uint32 `json:"index"`
	Address string `json:"address"`
	Script  string `json:"script"`
}

// AddressesResult is the result of descriptor.addresses.
type AddressesResult struct {
	Addresses []Address `json:"addresses"`
}

func descriptorAddresses(_ context.Context, p AddressesParams) (*AddressesResult, error) {
	net, err := parseNetwork(p.Network)
	if err != nil {
		return nil, err
	}
	d, err := parseDescriptor(p.Descriptor)
	if err != nil {
		return nil, err
	}
	if d.ScriptType() == descriptor.Combo {
		return nil, WithHint(errors.New("combo() gives several scripts per index"), "write pkh(KEY), wpkh(KEY) or sh(wpkh(KEY)) for the addresses you want")
	}
	if p.Branch < 0 || p.Branch >= d.PathCount() {
		return nil, WithHint(fmt.Errorf("branch %d does not exist: the descriptor has %d", p.Branch, d.PathCount()),
			"use branch 0 for receive and 1 for change of a <0;1> descriptor")
	}
	if d, err = d.Branch(p.Branch); err != nil {
		return nil, err
	}
	count := p.Count
	if !d.IsRange() {
		if p.Start != 0 || count > 1 {
			return nil, WithHint(errors.New("the descriptor has no /* wildcard, so it has a single address"), "ask for start 0 and count 1")
		}
		count = 1
	}
	if count < 1 || count > MaxAddresses {
		return nil, WithCode(fmt.Errorf("count %d is out of range", p.Count), CodeBadParams, fmt.Sprintf("ask for 1 to %d addresses", MaxAddresses))
	}
	if uint64(p.Start)+uint64(count) > 1<<31 {
		return nil, WithHint(fmt.Errorf("start %d with count %d goes past index 2147483647, the last unhardened index", p.Start, count), "lower start or count")
	}
	out := &AddressesResult{Addresses: make([]Address, 0, count)}
	for i := p.Start; i < p.Start+uint32(count); i++ {
		addr, err := d.Address(i, net)
		if errors.Is(err, descriptor.ErrWrongNetwork) {
			return nil, WithHint(fmt.Errorf("index %d: %w", i, err), "the keys are for another network: pick the wallet's network or export the keys for this one")
		}
		if err != nil {
			return nil, WithHint(fmt.Errorf("index %d: %w", i, err), "this script has no address form (pk(), bare multisig or a non-standard raw script): a wallet needs pkh, wpkh, sh, wsh or tr")
		}
		der, err := d.Derive(i)
		if err != nil {
			return nil, fmt.Errorf("index %d: %w", i, err)
		}
		out.Addresses = append(out.Addresses, Address{Index: i, Address: addr, Script: hex.EncodeToString(der.ScriptPubKey)})
	}
	return out, nil
}

// TextParams carries a text such as a file's content.
type TextParams struct {
	Text string `json:"text"`
}

// KeysResult is the result of keys.parseExport.
type KeysResult struct {
	Keys []keys.KeyExport `json:"keys"`
}

func keysParseExport(_ context.Context, p TextParams) (*KeysResult, error) {
	ks, err := keys.ParseExport([]byte(p.Text))
	if err != nil {
		return nil, WithHint(err, "paste [fingerprint/path]xpub lines, or upload the xpub export file of the device")
	}
	return &KeysResult{Keys: ks}, nil
}

// MnemonicParams carries a BIP39 mnemonic.
type MnemonicParams struct {
	Mnemonic string `json:"mnemonic"`
}

// MnemonicProblem says what is wrong with a mnemonic (keys.MnemonicError).
type MnemonicProblem struct {
	Message string `json:"message"`
	// Kind is "unknown_word", "word_count" or "checksum".
	Kind       string `json:"kind"`
	Position   int    `json:"position,omitempty"`
	Word       string `json:"word,omitempty"`
	Suggestion string `json:"suggestion,omitempty"`
	Count      int    `json:"count"`
}

// MnemonicCheck is the result of keys.validateMnemonic.
type MnemonicCheck struct {
	Valid   bool             `json:"valid"`
	Problem *MnemonicProblem `json:"problem,omitempty"`
}

func keysValidateMnemonic(_ context.Context, p MnemonicParams) (*MnemonicCheck, error) {
	err := keys.ValidateMnemonic(p.Mnemonic)
	if err == nil {
		return &MnemonicCheck{Valid: true}, nil
	}
	var me *keys.MnemonicError
	if !errors.As(err, &me) {
		return nil, err
	}
	pr := &MnemonicProblem{Message: me.Error(), Position: me.Position, Word: me.Word, Suggestion: me.Suggestion, Count: me.Count}
	switch {
	case errors.Is(err, keys.ErrUnknownWord):
		pr.Kind = "unknown_word"
	case errors.Is(err, keys.ErrWordCount):
		pr.Kind = "word_count"
	case errors.Is(err, keys.ErrChecksum):
		pr.Kind = "checksum"
	}
	return &MnemonicCheck{Problem: pr}, nil
}

// PrefixParams carries the start of a word.
type PrefixParams struct {
	Prefix string `json:"prefix"`
}

// WordsResult lists BIP39 words.
type WordsResult struct {
	Words []string `json:"words"`
}

func keysCompleteWord(_ context.Context, p PrefixParams) (*WordsResult, error) {
	w := keys.CompleteWord(p.Prefix)
	if w == nil {
		w = []string{}
	}
	return &WordsResult{Words: w}, nil
}

// NewMnemonicParams asks for a mnemonic of Words words (12, 15, 18, 21 or 24).
type NewMnemonicParams struct {
	Words int `json:"words"`
}

func keysNewMnemonic(_ context.Context, p NewMnemonicParams) (*MnemonicParams, error) {
	if p.Words < 12 || p.Words > 24 || p.Words%3 != 0 {
		return nil, WithCode(fmt.Errorf("a BIP39 mnemonic cannot have %d words", p.Words), CodeBadParams, "ask for 12, 15, 18, 21 or 24 words")
	}
	m, err := keys.NewMnemonic(p.Words / 3 * 32)
	if err != nil {
		return nil, err
	}
	return &MnemonicParams{Mnemonic: m}, nil
}

// PSBTParams carries one PSBT as base64 (BIP174's text form) or hex.
type PSBTParams struct {
	PSBT string `json:"psbt"`
}

func decodePSBT(s string) (*psbt.Packet, error) {
	p, err := psbt.Decode([]byte(s))
	if err != nil {
		return nil, WithHint(err, "give the PSBT as base64 or hex, as the signer or wallet exported it")
	}
	return p, nil
}

// PSBTSummary is the result of psbt.decode and psbt.combine.
type PSBTSummary struct {
	PSBT     string `json:"psbt"`
	TxID     string `json:"txid"`
	Inputs   int    `json:"inputs"`
	Outputs  int    `json:"outputs"`
	Complete bool   `json:"complete"`
}

func summarise(p *psbt.Packet) (*PSBTSummary, error) {
	s, err := psbt.EncodeBase64(p)
	if err != nil {
		return nil, err
	}
	return &PSBTSummary{PSBT: s, TxID: p.UnsignedTx.TxHash().String(), Inputs: len(p.Inputs), Outputs: len(p.Outputs), Complete: psbt.IsComplete(p)}, nil
}

func psbtDecode(_ context.Context, p PSBTParams) (*PSBTSummary, error) {
	pk, err := decodePSBT(p.PSBT)
	if err != nil {
		return nil, err
	}
	return summarise(pk)
}

// AnalyseParams asks for the analysis of a PSBT, optionally against a
// wallet's descriptors: one BIP389 <0;1> descriptor, or receive then change.
type AnalyseParams struct {
	PSBT        string   `json:"psbt"`
	Network     string   `json:"network"`
	Descriptors []string `json:"descriptors,omitempty"`
	MaxFeeRate  float64  `json:"max_fee_rate,omitempty"`
	// WatchedUpTo is, per branch (receive, change), the highest address
	// index the wallet watches: psbt.AnalyseOptions.WatchedUpTo.
	WatchedUpTo []uint32 `json:"watched_up_to,omitempty"`
}

func psbtAnalyse(_ context.Context, p AnalyseParams) (*psbt.Analysis, error) {
	net, err := parseNetwork(p.Network)
	if err != nil {
		return nil, err
	}
	pk, err := decodePSBT(p.PSBT)
	if err != nil {
		return nil, err
	}
	opts := psbt.AnalyseOptions{Network: net, MaxFeeRate: p.MaxFeeRate, WatchedUpTo: p.WatchedUpTo}
	if len(p.Descriptors) > 0 {
		descs := make([]*descriptor.Descriptor, len(p.Descriptors))
		for i, s := range p.Descriptors {
			if descs[i], err = parseDescriptor(s); err != nil {
				return nil, err
			}
		}
		if opts.Wallet, err = psbt.NewWallet(net, descs...); err != nil {
			return nil, WithHint(err, "give the wallet's <0;1> descriptor, or its receive and change descriptors in that order")
		}
	}
	a, err := psbt.Analyse(pk, opts)
	if err != nil {
		return nil, WithHint(err, "the PSBT is inconsistent; ask the sender for a fresh export")
	}
	return a, nil
}

// CombineParams carries PSBTs of one transaction to merge.
type CombineParams struct {
	PSBTs []string `json:"psbts"`
}

func psbtCombine(_ context.Context, p CombineParams) (*PSBTSummary, error) {
	if len(p.PSBTs) == 0 {
		return nil, WithCode(errors.New("no PSBT to combine"), CodeBadParams, "give at least one PSBT")
	}
	packets := make([]*psbt.Packet, len(p.PSBTs))
	for i, s := range p.PSBTs {
		pk, err := decodePSBT(s)
		if err != nil {
			return nil, fmt.Errorf("PSBT %d: %w", i+1, err)
		}
		packets[i] = pk
	}
	c, err := psbt.Combine(packets...)
	if err != nil {
		return nil, WithHint(err, "combine only PSBTs signed from the same transaction")
	}
	return summarise(c)
}

// FinalizeResult is the result of psbt.finalize: the PSBT with its final
// inputs and, when every input is final, the network transaction.
type FinalizeResult struct {
	PSBT      string `json:"psbt"`
	Finalized int    `json:"finalized_inputs"`
	Inputs    int    `json:"inputs"`
	Complete  bool   `json:"complete"`
	TxHex     string `json:"tx_hex,omitempty"`
	TxID      string `json:"txid"`
}

func psbtFinalize(_ context.Context, p PSBTParams) (*FinalizeResult, error) {
	pk, err := decodePSBT(p.PSBT)
	if err != nil {
		return nil, err
	}
	n, err := psbt.Finalize(pk)
	if err != nil {
		return nil, WithHint(err, "the PSBT is malformed; ask the signer for a fresh export")
	}
	s, err := psbt.EncodeBase64(pk)
	if err != nil {
		return nil, err
	}
	res := &FinalizeResult{PSBT: s, Finalized: n, Inputs: len(pk.Inputs), Complete: psbt.IsComplete(pk), TxID: pk.UnsignedTx.TxHash().String()}
	if res.Complete {
		tx, err := psbt.Extract(pk)
		if err != nil {
			return nil, WithHint(err, "the signatures do not make a valid transaction; do not broadcast it")
		}
		var b strings.Builder
		if err := tx.Serialize(hexWriter{&b}); err != nil {
			return nil, err
		}
		res.TxHex = b.String()
	}
	return res, nil
}

type hexWriter struct{ b *strings.Builder }

func (w hexWriter) Write(p []byte) (int, error) {
	w.b.WriteString(hex.EncodeToString(p))
	return len(p), nil
}

// SpendShape describes how the wallet's coins are spent, for size estimates:
// the script type of keys.ScriptType (pkh, sh-wpkh, wpkh, tr, sh, sh-wsh, wsh)
// and, for multisig, M and N; TapDepth is the depth of a tr() multi_a leaf.
type SpendShape struct {
	ScriptType string `json:"script_type"`
	M          int    `json:"m,omitempty"`
	N          int    `json:"n,omitempty"`
	TapDepth   int    `json:"tap_depth,omitempty"`
}

func (s SpendShape) resolve() (coinselect.ScriptType, coinselect.InputShape, error) {
	st, err := keys.ParseScriptType(s.ScriptType)
	if err != nil {
		return 0, coinselect.InputShape{}, WithCode(err, CodeBadParams, "use pkh, sh-wpkh, wpkh, tr, sh, sh-wsh or wsh")
	}
	multi := s.N > 1
	var shape coinselect.InputShape
	switch {
	case st == keys.ScriptPKH && !multi:
		return coinselect.P2PKH, coinselect.P2PKHInput(), nil
	case st == keys.ScriptSHWPKH && !multi:
		return coinselect.P2SHP2WPKH, coinselect.P2SHP2WPKHInput(), nil
	case st == keys.ScriptWPKH && !multi:
		return coinselect.P2WPKH, coinselect.P2WPKHInput(), nil
	case st == keys.ScriptTR && !multi:
		return coinselect.P2TR, coinselect.P2TRKeyPathInput(), nil
	case st == keys.ScriptTR:
		shape, err = coinselect.TaprootMultiAInput(s.M, s.N, s.TapDepth)
		return coinselect.P2TR, shape, err
	case st == keys.ScriptSH && multi:
		shape, err = coinselect.P2SHMultisigInput(s.M, s.N)
		return coinselect.P2SH, shape, err
	case st == keys.ScriptSHWSH && multi:
		shape, err = coinselect.P2SHP2WSHMultisigInput(s.M, s.N)
		return coinselect.P2SHP2WSH, shape, err
	case st == keys.ScriptWSH && multi:
		shape, err = coinselect.P2WSHMultisigInput(s.M, s.N)
		return coinselect.P2WSH, shape, err
	}
	return 0, shape, WithCode(fmt.Errorf("script type %s with %d-of-%d keys is not a wallet kind", st, s.M, s.N), CodeBadParams,
		"single-key wallets use pkh, sh-wpkh, wpkh or tr; multisig ones sh, sh-wsh, wsh or tr with m and n")
}

// CoinJSON is a wallet coin for coinselect.select.
type CoinJSON struct {
	OutPoint      string `json:"outpoint"`
	Value         int64  `json:"value"`
	Confirmations int64  `json:"confirmations"`
	Frozen        bool   `json:"frozen,omitempty"`
	Locked        bool   `json:"locked,omitempty"`
	OwnChange     bool   `json:"own_change,omitempty"`
}

// PaymentJSON is one payment of coinselect.select: an address and amount in
// satoshis; SubtractFee and SendMax as in coinselect.Output.
type PaymentJSON struct {
	Address     string `json:"address"`
	Amount      int64  `json:"amount"`
	SubtractFee bool   `json:"subtract_fee,omitempty"`
	SendMax     bool   `json:"send_max,omitempty"`
}

// SelectParams is a payment to fund from the wallet's coins.
type SelectParams struct {
	Network          string        `json:"network"`
	FeeRate          float64       `json:"fee_rate"`
	Wallet           SpendShape    `json:"wallet"`
	UTXOs            []CoinJSON    `json:"utxos"`
	Outputs          []PaymentJSON `json:"outputs"`
	MustUse          []string      `json:"must_use,omitempty"`
	UseOnly          bool          `json:"use_only,omitempty"`
	AllowUnconfirmed bool          `json:"allow_unconfirmed,omitempty"`
	MinChange        int64         `json:"min_change,omitempty"`
	MaxFee           int64         `json:"max_fee,omitempty"`
}

// SelectResult is the funded payment.
type SelectResult struct {
	Inputs    []string      `json:"inputs"`
	Outputs   []PaymentJSON `json:"outputs"`
	Change    int64         `json:"change"`
	Fee       int64         `json:"fee"`
	FeeRate   float64       `json:"fee_rate"`
	VSize     int64         `json:"vsize"`
	Weight    int64         `json:"weight"`
	Waste     int64         `json:"waste"`
	Algorithm string        `json:"algorithm"`
}

func coinSelect(_ context.Context, p SelectParams) (*SelectResult, error) {
	net, err := parseNetwork(p.Network)
	if err != nil {
		return nil, err
	}
	changeType, shape, err := p.Wallet.resolve()
	if err != nil {
		return nil, err
	}
	rate, err := coinselect.ParseFeeRate(p.FeeRate)
	if err != nil {
		return nil, WithHint(err, "give the fee rate in sat/vB, e.g. 2.5")
	}
	var seed [8]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, fmt.Errorf("coin selection needs random numbers: %w", err)
	}
	req := coinselect.Request{
		Params: coinselect.Params{
			FeeRate: rate, ChangeType: changeType, ChangeSpendWeight: shape.Weight(),
			MinChange: p.MinChange, MaxFee: p.MaxFee, Seed: binary.LittleEndian.Uint64(seed[:]),
		},
		UseOnly: p.UseOnly, AllowUnconfirmed: p.AllowUnconfirmed,
	}
	for i, c := range p.UTXOs {
		op, err := coinselect.ParseOutPoint(c.OutPoint)
		if err != nil {
			return nil, WithCode(fmt.Errorf("coin %d: %w", i+1, err), CodeBadParams, "write outpoints as txid:vout")
		}
		u := coinselect.NewUTXO(op, c.Value, c.Confirmations, shape)
		u.Frozen, u.Locked, u.OwnChange = c.Frozen, c.Locked, c.OwnChange
		req.UTXOs = append(req.UTXOs, u)
	}
	for i, s := range p.MustUse {
		op, err := coinselect.ParseOutPoint(s)
		if err != nil {
			return nil, WithCode(fmt.Errorf("chosen coin %d: %w", i+1, err), CodeBadParams, "write outpoints as txid:vout")
		}
		req.MustUse = append(req.MustUse, op)
	}
	for i, o := range p.Outputs {
		script, err := addressScript(o.Address, net)
		if err != nil {
			return nil, fmt.Errorf("recipient %d: %w", i+1, err)
		}
		req.Outputs = append(req.Outputs, coinselect.Output{Value: o.Amount, Script: script, SubtractFee: o.SubtractFee, SendMax: o.SendMax})
	}
	res, err := coinselect.Select(req)
	if err != nil {
		switch {
		case errors.Is(err, coinselect.ErrInsufficientFunds):
			return nil, WithHint(err, "lower the amount or the fee rate, or unfreeze coins")
		case errors.Is(err, coinselect.ErrDustOutput):
			return nil, WithHint(err, "raise the amount: nodes do not relay outputs this small")
		}
		return nil, WithHint(err, "check the amounts and the fee rate")
	}
	out := &SelectResult{Change: res.Change, Fee: res.Fee, FeeRate: res.FeeRate().SatPerVByte(), VSize: res.VSize,
		Weight: res.Weight, Waste: res.Waste, Algorithm: string(res.Algorithm), Inputs: []string{}, Outputs: []PaymentJSON{}}
	for _, u := range res.Inputs {
		out.Inputs = append(out.Inputs, u.OutPoint.String())
	}
	for i, o := range res.Outputs {
		out.Outputs = append(out.Outputs, PaymentJSON{Address: p.Outputs[i].Address, Amount: o.Value,
			SubtractFee: o.SubtractFee, SendMax: o.SendMax})
	}
	return out, nil
}

// addressScript returns the output script paying to addr (BIP173/BIP350 or
// base58) after checking that addr belongs to net.
func addressScript(addr string, net network.Network) ([]byte, error) {
	params := net.Params()
	a, err := btcutil.DecodeAddress(strings.TrimSpace(addr), params)
	if err != nil {
		return nil, WithHint(fmt.Errorf("%q is not a valid address: %w", addr, err), "copy the address again from the recipient")
	}
	if !a.IsForNet(params) {
		return nil, WithHint(fmt.Errorf("%q is not an address of the %s network", addr, net), "ask the recipient for an address of this network")
	}
	return txscript.PayToAddrScript(a)
}
