package psbt

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/specterpwa/specter/shared/keys"
)

// SignResult tells what Sign did.
type SignResult struct {
	// Signatures is the number of signatures added, over all inputs.
	Signatures int
	// Inputs lists the indexes of the inputs that received a signature.
	Inputs []int
}

// Sign signs every input of the PSBT that the master key can sign: inputs
// whose BIP32 derivations (BIP174) or taproot BIP32 derivations (BIP371)
// carry the master key's fingerprint and whose derived key is the one
// listed. It makes ECDSA signatures for P2PKH, P2SH (multisig), P2WPKH,
// P2SH-P2WPKH, P2WSH and P2SH-P2WSH inputs (BIP143 for segwit v0), and
// Schnorr signatures for taproot inputs (BIP341/342): on the key path with
// the BIP341 tweak (using PSBT_IN_TAP_MERKLE_ROOT) and on every script leaf
// the derivation names. Only SIGHASH_ALL (SIGHASH_DEFAULT for taproot) is
// used. An input whose UTXO information is missing or inconsistent is never
// signed: Sign then returns an error and leaves the PSBT unchanged.
func Sign(p *Packet, master *hdkeychain.ExtendedKey) (SignResult, error) {
	var res SignResult
	if p == nil || p.UnsignedTx == nil {
		return res, errors.New("no PSBT to sign")
	}
	if !master.IsPrivate() {
		return res, errors.New("signing needs a private master key, not an xpub")
	}
	if master.Depth() != 0 {
		return res, errors.New("signing needs the BIP32 master key (depth 0), derived from the seed")
	}
	if err := bpsbt.VerifyInputOutputLen(p, false, false); err != nil {
		return res, fmt.Errorf("PSBT is malformed: %w", err)
	}
	fp, err := keys.MasterFingerprint(master)
	if err != nil {
		return res, err
	}
	// Plan first: refuse before touching anything if an input we would sign
	// is not safe to sign.
	type job struct {
		idx  int
		plan *inputPlan
	}
	var jobs []job
	fetch, allKnown := fetcher(p)
	for i := range p.Inputs {
		in := &p.Inputs[i]
		if len(in.FinalScriptSig) != 0 || len(in.FinalScriptWitness) != 0 {
			continue
		}
		if !hasFingerprint(in, fp) {
			continue
		}
		plan, err := planInput(p, i, master, fp, allKnown)
		if err != nil {
			return SignResult{}, err
		}
		if plan != nil {
			jobs = append(jobs, job{i, plan})
		}
	}
	if len(jobs) == 0 {
		return res, nil
	}
	sigHashes := txscript.NewTxSigHashes(p.UnsignedTx, fetch)
	type added struct {
		idx     int
		partial []*bpsbt.PartialSig
		keySig  []byte
		script  []*bpsbt.TaprootScriptSpendSig
	}
	var all []added
	for _, j := range jobs {
		a := added{idx: j.idx}
		for _, k := range j.plan.ecdsa {
			var sig []byte
			if j.plan.segwit {
				sig, err = txscript.RawTxInWitnessSignature(p.UnsignedTx, sigHashes, j.idx, j.plan.amount, j.plan.scriptCode, txscript.SigHashAll, k.priv)
			} else {
				sig, err = txscript.RawTxInSignature(p.UnsignedTx, j.idx, j.plan.scriptCode, txscript.SigHashAll, k.priv)
			}
			if err != nil {
				return SignResult{}, fmt.Errorf("input %d: signing failed: %w", j.idx, err)
			}
			a.partial = append(a.partial, &bpsbt.PartialSig{PubKey: k.pub, Signature: sig})
		}
		if j.plan.keyPath != nil {
			sig, err := txscript.RawTxInTaprootSignature(p.UnsignedTx, sigHashes, j.idx, j.plan.amount, j.plan.pkScript, j.plan.merkleRoot, txscript.SigHashDefault, j.plan.keyPath)
			if err != nil {
				return SignResult{}, fmt.Errorf("input %d: taproot key path signing failed: %w", j.idx, err)
			}
			a.keySig = sig
		}
		for _, l := range j.plan.leaves {
			leaf := txscript.NewTapLeaf(l.leaf.LeafVersion, l.leaf.Script)
			sig, err := txscript.RawTxInTapscriptSignature(p.UnsignedTx, sigHashes, j.idx, j.plan.amount, j.plan.pkScript, leaf, txscript.SigHashDefault, l.priv)
			if err != nil {
				return SignResult{}, fmt.Errorf("input %d: taproot script path signing failed: %w", j.idx, err)
			}
			h := leaf.TapHash()
			a.script = append(a.script, &bpsbt.TaprootScriptSpendSig{XOnlyPubKey: l.xonly, LeafHash: h[:], Signature: sig, SigHash: txscript.SigHashDefault})
		}
		all = append(all, a)
	}
	for _, a := range all {
		in := &p.Inputs[a.idx]
		n := len(a.partial) + len(a.script)
		in.PartialSigs = append(in.PartialSigs, a.partial...)
		in.TaprootScriptSpendSig = append(in.TaprootScriptSpendSig, a.script...)
		if a.keySig != nil {
			in.TaprootKeySpendSig = a.keySig
			n++
		}
		if n > 0 {
			res.Signatures += n
			res.Inputs = append(res.Inputs, a.idx)
		}
	}
	return res, nil
}

func hasFingerprint(in *bpsbt.PInput, fp keys.Fingerprint) bool {
	for _, d := range in.Bip32Derivation {
		if d.MasterKeyFingerprint == fp.Uint32() {
			return true
		}
	}
	for _, d := range in.TaprootBip32Derivation {
		if d.MasterKeyFingerprint == fp.Uint32() {
			return true
		}
	}
	return false
}

type ecdsaKey struct {
	priv *btcec.PrivateKey
	pub  []byte
}

type leafKey struct {
	leaf  *bpsbt.TaprootTapLeafScript
	priv  *btcec.PrivateKey
	xonly []byte
}

// inputPlan is what signing one input needs.
type inputPlan struct {
	amount     int64
	pkScript   []byte
	scriptCode []byte
	segwit     bool
	ecdsa      []ecdsaKey
	keyPath    *btcec.PrivateKey
	merkleRoot []byte
	leaves     []leafKey
}

func derive(master *hdkeychain.ExtendedKey, path []uint32) (*btcec.PrivateKey, error) {
	k := master
	for _, step := range path {
		var err error
		if k, err = k.Derive(step); err != nil {
			return nil, fmt.Errorf("deriving %s: %w", keys.Path(path), err)
		}
	}
	return k.ECPrivKey()
}

// planInput checks input i and lists the keys to sign it with. It returns an
// error when the input is ours but unsafe to sign, nil when there is nothing
// for this key to sign.
func planInput(p *Packet, i int, master *hdkeychain.ExtendedKey, fp keys.Fingerprint, allKnown bool) (*inputPlan, error) {
	in := &p.Inputs[i]
	if in.SighashType != 0 && in.SighashType != txscript.SigHashAll && in.SighashType != txscript.SigHashDefault {
		return nil, fmt.Errorf("input %d asks for sighash type 0x%x: only SIGHASH_ALL is signed, ask the sender for a standard PSBT", i, uint32(in.SighashType))
	}
	out, err := prevOut(p, i)
	if err != nil {
		return nil, fmt.Errorf("refusing to sign: %w", err)
	}
	plan := &inputPlan{amount: out.Value, pkScript: out.PkScript}
	script := out.PkScript
	if txscript.IsPayToTaproot(script) {
		return planTaproot(p, i, plan, master, fp, allKnown)
	}
	if txscript.IsPayToScriptHash(script) {
		if len(in.RedeemScript) == 0 {
			return nil, fmt.Errorf("refusing to sign input %d: it spends a P2SH output but the PSBT has no redeem script", i)
		}
		if !bytes.Equal(script[2:22], btcutil.Hash160(in.RedeemScript)) {
			return nil, fmt.Errorf("refusing to sign input %d: the redeem script does not hash to the spent P2SH output", i)
		}
		script = in.RedeemScript
	}
	switch {
	case txscript.IsPayToWitnessPubKeyHash(script):
		plan.segwit = true
	case txscript.IsPayToWitnessScriptHash(script):
		if len(in.WitnessScript) == 0 {
			return nil, fmt.Errorf("refusing to sign input %d: it spends a P2WSH output but the PSBT has no witness script", i)
		}
		h := sha256.Sum256(in.WitnessScript)
		if !bytes.Equal(script[2:], h[:]) {
			return nil, fmt.Errorf("refusing to sign input %d: the witness script does not hash to the spent P2WSH output", i)
		}
		plan.segwit = true
		plan.scriptCode = in.WitnessScript
	case txscript.IsWitnessProgram(script):
		return nil, fmt.Errorf("refusing to sign input %d: unknown witness version", i)
	default:
		if in.NonWitnessUtxo == nil {
			return nil, fmt.Errorf("refusing to sign input %d: it is a legacy (non-segwit) input and the PSBT lacks its previous transaction (non-witness UTXO)", i)
		}
		plan.scriptCode = script
	}
	for _, d := range in.Bip32Derivation {
		if d.MasterKeyFingerprint != fp.Uint32() {
			continue
		}
		priv, err := derive(master, d.Bip32Path)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		pub := priv.PubKey().SerializeCompressed()
		if !bytes.Equal(pub, d.PubKey) {
			continue // same fingerprint, another key (other passphrase?)
		}
		if hasPartialSig(in, pub) {
			continue
		}
		if txscript.IsPayToWitnessPubKeyHash(script) {
			if !bytes.Equal(script[2:], btcutil.Hash160(pub)) {
				continue
			}
			plan.scriptCode = p2pkhScript(btcutil.Hash160(pub))
		} else if !bytes.Contains(plan.scriptCode, pub) && !bytes.Contains(plan.scriptCode, btcutil.Hash160(pub)) {
			continue
		}
		plan.ecdsa = append(plan.ecdsa, ecdsaKey{priv, pub})
	}
	if len(plan.ecdsa) == 0 {
		return nil, nil
	}
	return plan, nil
}

func hasPartialSig(in *bpsbt.PInput, pub []byte) bool {
	for _, s := range in.PartialSigs {
		if bytes.Equal(s.PubKey, pub) {
			return true
		}
	}
	return false
}

func p2pkhScript(h []byte) []byte {
	s, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).
		AddData(h).AddOp(txscript.OP_EQUALVERIFY).AddOp(txscript.OP_CHECKSIG).Script()
	return s
}

func planTaproot(p *Packet, i int, plan *inputPlan, master *hdkeychain.ExtendedKey, fp keys.Fingerprint, allKnown bool) (*inputPlan, error) {
	in := &p.Inputs[i]
	if !allKnown {
		return nil, fmt.Errorf("refusing to sign taproot input %d: BIP341 signatures commit to every input's amount and script, and some inputs lack UTXO information", i)
	}
	outputKey := plan.pkScript[2:]
	if len(in.TaprootMerkleRoot) != 0 {
		plan.merkleRoot = in.TaprootMerkleRoot
	} else {
		plan.merkleRoot = []byte{}
	}
	for _, d := range in.TaprootBip32Derivation {
		if d.MasterKeyFingerprint != fp.Uint32() {
			continue
		}
		priv, err := derive(master, d.Bip32Path)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		xonly := schnorr.SerializePubKey(priv.PubKey())
		if !bytes.Equal(xonly, d.XOnlyPubKey) {
			continue
		}
		if bytes.Equal(xonly, in.TaprootInternalKey) && in.TaprootKeySpendSig == nil {
			tweaked := txscript.ComputeTaprootOutputKey(priv.PubKey(), plan.merkleRoot)
			if !bytes.Equal(schnorr.SerializePubKey(tweaked), outputKey) {
				return nil, fmt.Errorf("refusing to sign input %d: the internal key tweaked with the merkle root is not the spent output's key", i)
			}
			plan.keyPath = priv
		}
		for _, lh := range d.LeafHashes {
			leaf, err := bpsbt.FindLeafScript(in, lh)
			if err != nil {
				return nil, fmt.Errorf("input %d: the derivation names leaf %x, but the PSBT has no such leaf script", i, lh)
			}
			if hasTapScriptSig(in, xonly, lh) {
				continue
			}
			cb, err := txscript.ParseControlBlock(leaf.ControlBlock)
			if err != nil {
				return nil, fmt.Errorf("input %d: bad control block: %w", i, err)
			}
			if err := txscript.VerifyTaprootLeafCommitment(cb, outputKey, leaf.Script); err != nil {
				return nil, fmt.Errorf("refusing to sign input %d: the leaf script is not committed to by the spent output: %w", i, err)
			}
			plan.leaves = append(plan.leaves, leafKey{leaf: leaf, priv: priv, xonly: xonly})
		}
	}
	if plan.keyPath == nil && len(plan.leaves) == 0 {
		return nil, nil
	}
	return plan, nil
}

func hasTapScriptSig(in *bpsbt.PInput, xonly, leafHash []byte) bool {
	for _, s := range in.TaprootScriptSpendSig {
		if bytes.Equal(s.XOnlyPubKey, xonly) && bytes.Equal(s.LeafHash, leafHash) {
			return true
		}
	}
	return false
}
