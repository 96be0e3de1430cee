package psbt

import (
	"bytes"
	"fmt"
	"math"
	"sort"

	"github.com/btcsuite/btcd/btcutil"
	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// DefaultMaxFeeRate is the fee rate (sat/vB) above which Analyse warns that
// the fee is absurd.
const DefaultMaxFeeRate = 1000

// AnalyseOptions tunes Analyse: network for addresses, wallet descriptors
// (BIP380/BIP389) for proofs of ownership, fee rate threshold.
type AnalyseOptions struct {
	// Network names addresses; mainnet when empty.
	Network network.Network
	// Wallet, when given, proves change outputs against its descriptors.
	Wallet *Wallet
	// MaxFeeRate in sat/vB; DefaultMaxFeeRate when 0.
	MaxFeeRate float64
	// WatchedUpTo is, per wallet branch (0 receive, 1 change, as in
	// Wallet.Branches), the highest address index the wallet watches: the
	// number of addresses handed out or used plus the gap limit, minus one
	// (BIP44's gap limit). A change output proven at a higher index is
	// flagged Unwatched with a warning, since a sync would never see the
	// funds. 0, or a branch missing from the slice, means no bound (the
	// CLI, which has no wallet state).
	WatchedUpTo []uint32
}

// Analysis is what a user should see before signing or broadcasting a PSBT
// (BIP174): amounts, fee, signatures, ownership and warnings.
type Analysis struct {
	TxID        string           `json:"txid"`
	Version     int32            `json:"version"`
	LockTime    uint32           `json:"locktime"`
	RBF         bool             `json:"rbf"`
	Inputs      []InputAnalysis  `json:"inputs"`
	Outputs     []OutputAnalysis `json:"outputs"`
	InputTotal  int64            `json:"input_total"`
	OutputTotal int64            `json:"output_total"`
	// Sent is the total of outputs that are not proven change.
	Sent     int64 `json:"sent"`
	FeeKnown bool  `json:"fee_known"`
	Fee      int64 `json:"fee"`
	// VSize is the final virtual size: exact when every input is final,
	// otherwise estimated from the scripts (72-byte ECDSA signatures).
	VSize          int      `json:"vsize"`
	VSizeEstimated bool     `json:"vsize_estimated"`
	FeeRate        float64  `json:"fee_rate"`
	Complete       bool     `json:"complete"`
	GlobalXpubs    []string `json:"global_xpubs,omitempty"`
	Warnings       []string `json:"warnings"`
}

// InputAnalysis describes one PSBT input (BIP174 input map).
type InputAnalysis struct {
	Index       int      `json:"index"`
	OutPoint    string   `json:"outpoint"`
	Sequence    uint32   `json:"sequence"`
	AmountKnown bool     `json:"amount_known"`
	Amount      int64    `json:"amount"`
	ScriptType  string   `json:"script_type"`
	Address     string   `json:"address,omitempty"`
	Finalized   bool     `json:"finalized"`
	Required    int      `json:"signatures_required"`
	Signatures  int      `json:"signatures"`
	SignedBy    []string `json:"signed_by"`
	Cosigners   []string `json:"cosigners"`
	// Ours is true when the wallet's descriptor, derived at the input's
	// claimed path, gives exactly the spent script (only with a Wallet).
	Ours bool `json:"ours"`
}

// OutputAnalysis describes one PSBT output (BIP174 output map).
type OutputAnalysis struct {
	Index   int    `json:"index"`
	Address string `json:"address,omitempty"`
	Script  string `json:"script"`
	Amount  int64  `json:"amount"`
	// Change is true only when the wallet's own descriptor, derived at the
	// output's claimed branch and index, gives exactly this script.
	Change bool `json:"change"`
	// ClaimsOurs is true when the output's derivations name one of the
	// wallet's master fingerprints.
	ClaimsOurs bool   `json:"claims_ours"`
	Branch     int    `json:"branch,omitempty"`
	AddrIndex  uint32 `json:"address_index,omitempty"`
	Dust       bool   `json:"dust"`
	// Unwatched is true for proven change beyond AnalyseOptions.WatchedUpTo:
	// the output is the wallet's, but the wallet does not watch that
	// address, so it would not see the funds.
	Unwatched bool `json:"unwatched,omitempty"`
}

// Analyse describes a PSBT for review (BIP174 roles do not define this; it is
// what Specter shows): per input the amount, script type, signatures present
// and required and which master fingerprints signed; per output the address,
// amount and whether it is change proven by the wallet's descriptors; the
// fee and fee rate (estimating the final size of unsigned inputs); and
// warnings: unknown fee, absurd fee, dust outputs, outputs that claim to be
// ours but are not, inconsistent UTXO information.
func Analyse(p *Packet, opts AnalyseOptions) (*Analysis, error) {
	if p == nil || p.UnsignedTx == nil {
		return nil, fmt.Errorf("no PSBT to analyse")
	}
	if err := bpsbt.VerifyInputOutputLen(p, false, false); err != nil {
		return nil, fmt.Errorf("PSBT is malformed: %w", err)
	}
	net := opts.Network
	if net == "" {
		net = network.Main
	}
	params := net.Params()
	maxRate := opts.MaxFeeRate
	if maxRate <= 0 {
		maxRate = DefaultMaxFeeRate
	}
	tx := p.UnsignedTx
	a := &Analysis{TxID: tx.TxHash().String(), Version: tx.Version, LockTime: tx.LockTime, Warnings: []string{}}
	if xp, err := GlobalXpubs(p); err == nil {
		for _, x := range xp {
			a.GlobalXpubs = append(a.GlobalXpubs, "["+x.Origin.String()+"]"+x.Key.String())
		}
	}
	fps := map[keys.Fingerprint]bool{}
	if opts.Wallet != nil {
		fps = opts.Wallet.fingerprints()
	}
	chk := newSigChecker(p)
	a.FeeKnown = true
	allFinal := len(p.Inputs) > 0
	estimated := false
	inSizes := make([]coinselect.InputSize, 0, len(tx.TxIn))
	for i, txIn := range tx.TxIn {
		in := &p.Inputs[i]
		ia := InputAnalysis{Index: i, OutPoint: txIn.PreviousOutPoint.String(), Sequence: txIn.Sequence, SignedBy: []string{}, Cosigners: []string{}}
		if SignalsRBF(txIn.Sequence) {
			a.RBF = true
		}
		out, err := prevOut(p, i)
		if err != nil {
			a.FeeKnown = false
			a.Warnings = append(a.Warnings, err.Error())
		} else {
			ia.AmountKnown, ia.Amount = true, out.Value
			a.InputTotal += out.Value
			ia.Address = scriptAddress(out.PkScript, params)
		}
		ia.Finalized = len(in.FinalScriptSig) != 0 || len(in.FinalScriptWitness) != 0
		if !ia.Finalized {
			allFinal = false
		}
		var pk []byte
		if out != nil {
			pk = out.PkScript
		}
		var bad map[string]bool
		if out != nil && !ia.Finalized {
			bad = badSignatures(p, i, out, chk)
			if len(bad) > 0 {
				a.Warnings = append(a.Warnings, fmt.Sprintf("input %d carries %d invalid signature(s): they cannot be used, the cosigner must sign again", i, len(bad)))
			}
		}
		sz := inputSize(in, pk, bad)
		ia.ScriptType = sz.kind
		ia.Required, ia.Signatures = sz.required, sz.signatures
		ia.SignedBy, ia.Cosigners = signers(in, bad)
		if opts.Wallet != nil && out != nil {
			own := proveOwnership(in.Bip32Derivation, in.TaprootBip32Derivation, out.PkScript, opts.Wallet, fps)
			ia.Ours = own.proven
			if !own.proven && !ia.Finalized {
				a.Warnings = append(a.Warnings, fmt.Sprintf("input %d is not proven to belong to this wallet: its script is not the wallet's at the path its derivations give", i))
			}
		}
		if in.SighashType != 0 && in.SighashType != txscript.SigHashAll && in.SighashType != txscript.SigHashDefault {
			a.Warnings = append(a.Warnings, fmt.Sprintf("input %d asks for sighash type 0x%x instead of SIGHASH_ALL: signatures would not commit to the whole transaction", i, uint32(in.SighashType)))
		}
		if !sz.known {
			estimated = true
		}
		if !ia.Finalized {
			estimated = true
		}
		inSizes = append(inSizes, coinselect.InputSize{
			Weight:  coinselect.WitnessScaleFactor*(40+coinselect.VarIntSize(uint64(sz.scriptSig))+int64(sz.scriptSig)) + int64(sz.witness),
			Witness: sz.witness > 0,
		})
		a.Inputs = append(a.Inputs, ia)
	}
	outLens := make([]int, 0, len(tx.TxOut))
	for i, o := range tx.TxOut {
		oa := OutputAnalysis{Index: i, Script: fmt.Sprintf("%x", o.PkScript), Amount: o.Value, Address: scriptAddress(o.PkScript, params)}
		outLens = append(outLens, len(o.PkScript))
		a.OutputTotal += o.Value
		if isDust(o) {
			oa.Dust = true
			a.Warnings = append(a.Warnings, fmt.Sprintf("output %d pays %d sat, below the dust limit of its script type: nodes will not relay it", i, o.Value))
		}
		if opts.Wallet != nil {
			po := &p.Outputs[i]
			own := proveOwnership(po.Bip32Derivation, po.TaprootBip32Derivation, o.PkScript, opts.Wallet, fps)
			oa.ClaimsOurs, oa.Change, oa.Branch, oa.AddrIndex = own.claims, own.proven, own.branch, own.index
			if oa.ClaimsOurs && !oa.Change {
				a.Warnings = append(a.Warnings, fmt.Sprintf("output %d claims to belong to this wallet (its key derivations carry our fingerprints) but its script is not the wallet's at that path: it is NOT change, check the PSBT's origin", i))
			}
			if oa.Change && oa.Branch < len(opts.WatchedUpTo) {
				if bound := opts.WatchedUpTo[oa.Branch]; bound != 0 && oa.AddrIndex > bound {
					oa.Unwatched = true
					a.Warnings = append(a.Warnings, fmt.Sprintf("change output %d pays to %s address #%d, beyond the wallet's watched addresses (up to #%d): the wallet would not see these funds; do not sign unless you raise the gap limit", i, branchName(oa.Branch), oa.AddrIndex, bound))
				}
			}
		}
		if !oa.Change {
			a.Sent += o.Value
		}
		a.Outputs = append(a.Outputs, oa)
	}
	a.Complete = allFinal
	a.VSize = int(coinselect.TxVSize(inSizes, outLens))
	a.VSizeEstimated = estimated
	if a.FeeKnown {
		a.Fee = a.InputTotal - a.OutputTotal
		if a.Fee < 0 {
			a.Warnings = append(a.Warnings, fmt.Sprintf("outputs exceed inputs by %d sat: this transaction is invalid", -a.Fee))
		} else if a.VSize > 0 {
			a.FeeRate = math.Round(float64(a.Fee)/float64(a.VSize)*100) / 100
			if a.FeeRate > maxRate {
				a.Warnings = append(a.Warnings, fmt.Sprintf("absurd fee: %.2f sat/vB is above %.0f sat/vB", a.FeeRate, maxRate))
			}
			sent := a.Sent
			if sent == 0 {
				sent = a.OutputTotal
			}
			if a.Fee > sent {
				a.Warnings = append(a.Warnings, fmt.Sprintf("absurd fee: the fee (%d sat) is more than the amount sent (%d sat)", a.Fee, sent))
			}
		}
	} else {
		a.Warnings = append(a.Warnings, "the fee cannot be computed: some inputs lack UTXO information")
	}
	return a, nil
}

// branchName names a wallet branch (BIP44 change level) for messages.
func branchName(b int) string {
	switch b {
	case 0:
		return "receive"
	case 1:
		return "change"
	}
	return fmt.Sprintf("branch %d", b)
}

func scriptAddress(script []byte, params *chaincfg.Params) string {
	if len(script) > 0 && script[0] == txscript.OP_RETURN {
		return "OP_RETURN"
	}
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(script, params)
	if err != nil || len(addrs) != 1 {
		return ""
	}
	switch addrs[0].(type) {
	case *btcutil.AddressPubKey:
		return ""
	}
	return addrs[0].EncodeAddress()
}

// isDust applies Bitcoin Core's dust rule (coinselect.DustThreshold) at the
// 3 sat/vB dust relay fee.
func isDust(o *wire.TxOut) bool {
	if len(o.PkScript) > 0 && o.PkScript[0] == txscript.OP_RETURN {
		return false
	}
	return o.Value < coinselect.DustThreshold(len(o.PkScript), txscript.IsWitnessProgram(o.PkScript), false, coinselect.DefaultDustRelayFeeRate)
}

func fpString(v uint32) string { return keys.FingerprintFromUint32(v).String() }

// signers returns the fingerprints that signed the input and all that could.
func signers(in *bpsbt.PInput, bad map[string]bool) (signed, all []string) {
	s, c := map[string]bool{}, map[string]bool{}
	for _, d := range in.Bip32Derivation {
		c[fpString(d.MasterKeyFingerprint)] = true
		if hasPartialSig(in, d.PubKey) && !bad[string(d.PubKey)] {
			s[fpString(d.MasterKeyFingerprint)] = true
		}
	}
	for _, d := range in.TaprootBip32Derivation {
		c[fpString(d.MasterKeyFingerprint)] = true
		if len(in.TaprootKeySpendSig) != 0 && !bad[keyPathSig] && bytes.Equal(d.XOnlyPubKey, in.TaprootInternalKey) {
			s[fpString(d.MasterKeyFingerprint)] = true
		}
		for _, sig := range in.TaprootScriptSpendSig {
			if bytes.Equal(sig.XOnlyPubKey, d.XOnlyPubKey) && !bad[string(sig.XOnlyPubKey)+string(sig.LeafHash)] {
				s[fpString(d.MasterKeyFingerprint)] = true
			}
		}
	}
	return sortedKeys(s), sortedKeys(c)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sizeInfo is an input's script type, signatures and final sizes.
type sizeInfo struct {
	kind                 string
	required, signatures int
	scriptSig, witness   int // bytes of scriptSig; weight units of witness
	known                bool
}

// ecdsaSigLen is a DER signature with its sighash byte, worst case.
const ecdsaSigLen = coinselect.ECDSASigLen

func varBytes(n int) int { return wire.VarIntSerializeSize(uint64(n)) + n }

// inputSize works out the input's type and final sizes; for a final input
// the sizes are exact.
func inputSize(in *bpsbt.PInput, pk []byte, bad map[string]bool) sizeInfo {
	info := sizeInfo{kind: "unknown"}
	if len(in.FinalScriptSig) != 0 || len(in.FinalScriptWitness) != 0 {
		info.kind, info.known = kindOf(in, pk), true
		info.scriptSig = len(in.FinalScriptSig)
		info.witness = len(in.FinalScriptWitness)
		return info
	}
	script := pk
	wrapped := false
	if txscript.IsPayToScriptHash(pk) && len(in.RedeemScript) != 0 {
		script, wrapped = in.RedeemScript, true
	}
	for _, s := range in.PartialSigs {
		if !bad[string(s.PubKey)] {
			info.signatures++
		}
	}
	switch {
	case pk == nil:
		return info
	case txscript.IsPayToPubKeyHash(script):
		info.kind, info.required, info.known = "pkh", 1, true
		info.scriptSig = coinselect.P2PKHInput().ScriptSigLen
	case txscript.IsPayToWitnessPubKeyHash(script):
		info.kind, info.required, info.known = "wpkh", 1, true
		shape := coinselect.P2WPKHInput()
		if wrapped {
			info.kind, shape = "sh-wpkh", coinselect.P2SHP2WPKHInput()
		}
		info.scriptSig, info.witness = shape.ScriptSigLen, int(shape.WitnessWeight())
	case txscript.IsPayToWitnessScriptHash(script):
		info.kind = "wsh"
		if wrapped {
			info.kind, info.scriptSig = "sh-wsh", coinselect.PushLen(34)
		}
		if m, _, ok := parseMultisig(in.WitnessScript); ok {
			info.required, info.known = m, true
			// CHECKMULTISIG's extra empty item, m signatures, the script
			// as it is (its keys may be uncompressed).
			items := []int{0}
			for range m {
				items = append(items, ecdsaSigLen)
			}
			items = append(items, len(in.WitnessScript))
			info.witness = int(coinselect.InputShape{Witness: items}.WitnessWeight())
		}
	case txscript.IsPayToTaproot(script):
		info.kind = "tr"
		taprootSize(in, &info, bad)
	case wrapped:
		info.kind = "sh"
		if m, _, ok := parseMultisig(script); ok {
			info.required, info.known = m, true
			info.scriptSig = 1 + m*coinselect.PushLen(ecdsaSigLen) + coinselect.PushLen(len(script))
		}
	}
	return info
}

func kindOf(in *bpsbt.PInput, pk []byte) string {
	switch {
	case txscript.IsPayToPubKeyHash(pk):
		return "pkh"
	case txscript.IsPayToWitnessPubKeyHash(pk):
		return "wpkh"
	case txscript.IsPayToWitnessScriptHash(pk):
		return "wsh"
	case txscript.IsPayToTaproot(pk):
		return "tr"
	case txscript.IsPayToScriptHash(pk):
		// The redeem script is the last push of the final scriptSig.
		var redeem []byte
		tok := txscript.MakeScriptTokenizer(0, in.FinalScriptSig)
		for tok.Next() {
			redeem = tok.Data()
		}
		switch {
		case txscript.IsPayToWitnessPubKeyHash(redeem):
			return "sh-wpkh"
		case txscript.IsPayToWitnessScriptHash(redeem):
			return "sh-wsh"
		}
		return "sh"
	}
	return "unknown"
}

// numsH is BIP341's provably unspendable internal key H.
const numsH = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"

func taprootSize(in *bpsbt.PInput, info *sizeInfo, bad map[string]bool) {
	keyPath := false
	for _, d := range in.TaprootBip32Derivation {
		if bytes.Equal(d.XOnlyPubKey, in.TaprootInternalKey) && len(d.Bip32Path) > 0 && fmt.Sprintf("%x", d.XOnlyPubKey) != numsH {
			keyPath = true
		}
	}
	if len(in.TaprootKeySpendSig) != 0 && !bad[keyPathSig] {
		info.required, info.signatures, info.known = 1, 1, true
		info.witness = 1 + varBytes(len(in.TaprootKeySpendSig))
		return
	}
	best, bestHave, bestM := -1, 0, 0
	for _, l := range in.TaprootLeafScript {
		m, pubs, ok := tapLeafKeys(l.Script)
		if !ok {
			continue
		}
		w := 1 + m*varBytes(64) + (len(pubs) - m) + varBytes(len(l.Script)) + varBytes(len(l.ControlBlock))
		lh := leafHash(l.LeafVersion, l.Script)
		have := 0
		for _, s := range in.TaprootScriptSpendSig {
			if bytes.Equal(s.LeafHash, lh[:]) && !bad[string(s.XOnlyPubKey)+string(s.LeafHash)] {
				have++
			}
		}
		// Prefer a satisfied leaf, then the most signed one, then the smallest.
		better := best < 0
		if !better {
			done, bestDone := have >= m, bestHave >= bestM
			switch {
			case done != bestDone:
				better = done
			case !done && have != bestHave:
				better = have > bestHave
			default:
				better = w < best
			}
		}
		if better {
			best, bestHave, bestM = w, have, m
			info.required, info.signatures = m, have
		}
	}
	switch {
	case keyPath && (best < 0 || info.signatures == 0):
		info.required, info.signatures, info.known = 1, 0, true
		info.witness = int(coinselect.P2TRKeyPathInput().WitnessWeight())
	case best >= 0:
		info.known, info.witness = true, best
	default:
		info.witness = int(coinselect.P2TRKeyPathInput().WitnessWeight())
	}
}

// ownership is the result of proving a script against the wallet.
type ownership struct {
	claims, proven bool
	branch         int
	index          uint32
}

// proveOwnership decides whether script is the wallet's own: for every
// derivation naming a wallet fingerprint, the wallet's branches are derived
// at the claimed index and the script must match exactly, with the claimed
// key and path among the derived keys.
func proveOwnership(ders []*bpsbt.Bip32Derivation, tapDers []*bpsbt.TaprootBip32Derivation, script []byte, w *Wallet, fps map[keys.Fingerprint]bool) ownership {
	type claim struct {
		pub  []byte
		fp   keys.Fingerprint
		path []uint32
	}
	var claims []claim
	for _, d := range ders {
		claims = append(claims, claim{d.PubKey, keys.FingerprintFromUint32(d.MasterKeyFingerprint), d.Bip32Path})
	}
	for _, d := range tapDers {
		claims = append(claims, claim{d.XOnlyPubKey, keys.FingerprintFromUint32(d.MasterKeyFingerprint), d.Bip32Path})
	}
	var own ownership
	for _, c := range claims {
		if !fps[c.fp] {
			continue
		}
		own.claims = true
		if len(c.path) == 0 || c.path[len(c.path)-1] >= keys.Hardened {
			continue
		}
		index := c.path[len(c.path)-1]
		for b := range w.Branches {
			der, err := w.derive(b, index)
			if err != nil || !bytes.Equal(der.ScriptPubKey, script) {
				continue
			}
			for _, k := range der.Keys {
				if bytes.Equal(k.PubKey, c.pub) && k.Origin.Fingerprint == c.fp && pathEqual(k.Origin.Path, c.path) {
					own.proven, own.branch, own.index = true, b, index
					return own
				}
			}
		}
	}
	return own
}

func pathEqual(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keyPathSig marks an invalid taproot key path signature in badSignatures.
const keyPathSig = "key path"

// badSignatures verifies every partial signature of input i against its
// sighash and returns the invalid ones: ECDSA by public key, tapscript by
// x-only key and leaf hash, the key path signature as keyPathSig.
func badSignatures(p *Packet, i int, out *wire.TxOut, chk *sigChecker) map[string]bool {
	in := &p.Inputs[i]
	bad := map[string]bool{}
	if txscript.IsPayToTaproot(out.PkScript) {
		if len(in.TaprootKeySpendSig) != 0 && !chk.schnorrOK(i, in, nil, out.PkScript[2:], in.TaprootKeySpendSig) {
			bad[keyPathSig] = true
		}
		for _, s := range in.TaprootScriptSpendSig {
			leaf, err := bpsbt.FindLeafScript(in, s.LeafHash)
			sig := s.Signature
			if s.SigHash != txscript.SigHashDefault {
				sig = append(append([]byte{}, sig...), byte(s.SigHash))
			}
			if err != nil {
				bad[string(s.XOnlyPubKey)+string(s.LeafHash)] = true
				continue
			}
			tl := txscript.NewTapLeaf(leaf.LeafVersion, leaf.Script)
			if !chk.schnorrOK(i, in, &tl, s.XOnlyPubKey, sig) {
				bad[string(s.XOnlyPubKey)+string(s.LeafHash)] = true
			}
		}
		return bad
	}
	code, segwit, ok := scriptCode(in, out.PkScript)
	if !ok {
		return bad
	}
	for _, s := range in.PartialSigs {
		if !chk.ecdsaOK(i, in, code, segwit, out.Value, s.PubKey, s.Signature) {
			bad[string(s.PubKey)] = true
		}
	}
	return bad
}
