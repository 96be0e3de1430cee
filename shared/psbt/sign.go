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

// SignResult tells what Sign or SignWithKeys did (BIP174 Signer).
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
// used. The signatures are added to p. An input whose UTXO information is
// missing or inconsistent is never signed: Sign then returns an error and
// leaves the PSBT unchanged.
func Sign(p *Packet, master *hdkeychain.ExtendedKey) (SignResult, error) {
	if !master.IsPrivate() {
		return SignResult{}, errors.New("signing needs a private master key, not an xpub")
	}
	if master.Depth() != 0 {
		return SignResult{}, errors.New("signing needs the BIP32 master key (depth 0), derived from the seed")
	}
	fp, err := keys.MasterFingerprint(master)
	if err != nil {
		return SignResult{}, err
	}
	return sign(p, &masterSource{master: master, fp: fp, parents: map[string]*hdkeychain.ExtendedKey{}})
}

// SignWithKeys is the BIP174 Signer for bare private keys (such as imported
// WIF keys): it signs every input whose script holds one of the keys
// (or its hash), whatever the derivations say, with the same checks and
// script types as Sign. Taproot keys sign the key path when they are the
// internal key and every leaf script that contains them.
func SignWithKeys(p *Packet, privs []*btcec.PrivateKey) (SignResult, error) {
	if len(privs) == 0 {
		return SignResult{}, errors.New("no private keys to sign with")
	}
	return sign(p, rawSource(privs))
}

// keySource finds the private keys that may sign an input.
type keySource interface {
	ecdsaKeys(in *bpsbt.PInput) ([]ecdsaKey, error)
	tapKeys(in *bpsbt.PInput) ([]tapKey, error)
}

type ecdsaKey struct {
	priv *btcec.PrivateKey
	pub  []byte
}

// tapKey is a taproot signing key: keyPath when it may sign as the internal
// key, and the hashes of the leaves it may sign.
type tapKey struct {
	priv       *btcec.PrivateKey
	xonly      []byte
	keyPath    bool
	leafHashes [][]byte
}

type masterSource struct {
	master *hdkeychain.ExtendedKey
	fp     keys.Fingerprint
	// parents caches the parent key of each path derived in this signing
	// session: sibling addresses share it, so a 100-input spend derives the
	// account path once instead of 100 times.
	parents map[string]*hdkeychain.ExtendedKey
}

// derive returns the private key at path from the master.
func (m *masterSource) derive(path []uint32) (*btcec.PrivateKey, error) {
	if len(path) == 0 {
		return m.master.ECPrivKey()
	}
	parentPath := keys.Path(path[:len(path)-1])
	id := parentPath.String()
	parent, ok := m.parents[id]
	if !ok {
		parent = m.master
		for _, step := range parentPath {
			var err error
			if parent, err = parent.Derive(step); err != nil {
				return nil, fmt.Errorf("deriving %s: %w", keys.Path(path), err)
			}
		}
		m.parents[id] = parent
	}
	k, err := parent.Derive(path[len(path)-1])
	if err != nil {
		return nil, fmt.Errorf("deriving %s: %w", keys.Path(path), err)
	}
	return k.ECPrivKey()
}

func (m *masterSource) ecdsaKeys(in *bpsbt.PInput) ([]ecdsaKey, error) {
	var out []ecdsaKey
	for _, d := range in.Bip32Derivation {
		if d.MasterKeyFingerprint != m.fp.Uint32() {
			continue
		}
		priv, err := m.derive(d.Bip32Path)
		if err != nil {
			return nil, err
		}
		pub := priv.PubKey().SerializeCompressed()
		if bytes.Equal(pub, d.PubKey) { // else: same fingerprint, another key
			out = append(out, ecdsaKey{priv, pub})
		}
	}
	return out, nil
}

func (m *masterSource) tapKeys(in *bpsbt.PInput) ([]tapKey, error) {
	var out []tapKey
	for _, d := range in.TaprootBip32Derivation {
		if d.MasterKeyFingerprint != m.fp.Uint32() {
			continue
		}
		priv, err := m.derive(d.Bip32Path)
		if err != nil {
			return nil, err
		}
		xonly := schnorr.SerializePubKey(priv.PubKey())
		if bytes.Equal(xonly, d.XOnlyPubKey) {
			out = append(out, tapKey{priv: priv, xonly: xonly, keyPath: bytes.Equal(xonly, in.TaprootInternalKey), leafHashes: d.LeafHashes})
		}
	}
	return out, nil
}

type rawSource []*btcec.PrivateKey

func (r rawSource) ecdsaKeys(*bpsbt.PInput) ([]ecdsaKey, error) {
	out := make([]ecdsaKey, 0, len(r))
	for _, k := range r {
		out = append(out, ecdsaKey{k, k.PubKey().SerializeCompressed()})
	}
	return out, nil
}

func (r rawSource) tapKeys(in *bpsbt.PInput) ([]tapKey, error) {
	var out []tapKey
	for _, k := range r {
		xonly := schnorr.SerializePubKey(k.PubKey())
		tk := tapKey{priv: k, xonly: xonly, keyPath: bytes.Equal(xonly, in.TaprootInternalKey)}
		for _, l := range in.TaprootLeafScript {
			if _, pubs, ok := tapLeafKeys(l.Script); ok {
				for _, pk := range pubs {
					if bytes.Equal(pk, xonly) {
						h := leafHash(l.LeafVersion, l.Script)
						tk.leafHashes = append(tk.leafHashes, h[:])
						break
					}
				}
			}
		}
		if tk.keyPath || len(tk.leafHashes) > 0 {
			out = append(out, tk)
		}
	}
	return out, nil
}

func sign(p *Packet, src keySource) (SignResult, error) {
	var res SignResult
	if p == nil || p.UnsignedTx == nil {
		return res, errors.New("no PSBT to sign")
	}
	if err := bpsbt.VerifyInputOutputLen(p, false, false); err != nil {
		return res, fmt.Errorf("PSBT is malformed: %w", err)
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
		plan, err := planInput(p, i, src, allKnown)
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
			var err error
			if j.plan.segwit {
				sig, err = signWitnessV0(p.UnsignedTx, sigHashes, j.idx, j.plan.amount, j.plan.scriptCodeFor(k.pub), k.priv)
			} else {
				sig, err = signLegacy(p.UnsignedTx, j.idx, j.plan.scriptCode, k.priv)
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
	p2wpkh     bool
	segwit     bool
	ecdsa      []ecdsaKey
	keyPath    *btcec.PrivateKey
	merkleRoot []byte
	leaves     []leafKey
}

// scriptCodeFor is the BIP143 scriptCode: for P2WPKH the P2PKH script of the
// key, otherwise the witness script.
func (pl *inputPlan) scriptCodeFor(pub []byte) []byte {
	if pl.p2wpkh {
		return p2pkhScript(btcutil.Hash160(pub))
	}
	return pl.scriptCode
}

// planInput checks input i and lists the keys to sign it with. It returns an
// error when the input is ours but unsafe to sign, nil when there is nothing
// for these keys to sign.
func planInput(p *Packet, i int, src keySource, allKnown bool) (*inputPlan, error) {
	in := &p.Inputs[i]
	ecdsaKeys, err := src.ecdsaKeys(in)
	if err != nil {
		return nil, fmt.Errorf("input %d: %w", i, err)
	}
	tapKeys, err := src.tapKeys(in)
	if err != nil {
		return nil, fmt.Errorf("input %d: %w", i, err)
	}
	if len(ecdsaKeys) == 0 && len(tapKeys) == 0 {
		return nil, nil
	}
	out, err := prevOut(p, i)
	if err != nil {
		if _, raw := src.(rawSource); raw && in.NonWitnessUtxo == nil && in.WitnessUtxo == nil {
			return nil, nil // bare keys claim no input: nothing to refuse
		}
		return nil, fmt.Errorf("refusing to sign: %w", err)
	}
	if in.SighashType != 0 && in.SighashType != txscript.SigHashAll && in.SighashType != txscript.SigHashDefault {
		return nil, fmt.Errorf("input %d asks for sighash type 0x%x: only SIGHASH_ALL is signed, ask the sender for a standard PSBT", i, uint32(in.SighashType))
	}
	plan := &inputPlan{amount: out.Value, pkScript: out.PkScript}
	script := out.PkScript
	if txscript.IsPayToTaproot(script) {
		return planTaproot(p, i, plan, tapKeys, allKnown)
	}
	if len(ecdsaKeys) == 0 {
		return nil, nil
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
		plan.segwit, plan.p2wpkh = true, true
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
		plan.scriptCode = script
	}
	for _, k := range ecdsaKeys {
		if hasPartialSig(in, k.pub) {
			continue
		}
		if plan.p2wpkh {
			if !bytes.Equal(script[2:], btcutil.Hash160(k.pub)) {
				continue
			}
		} else if !scriptHasKey(plan.scriptCode, k.pub) {
			continue
		}
		plan.ecdsa = append(plan.ecdsa, k)
	}
	if len(plan.ecdsa) == 0 {
		return nil, nil
	}
	if !plan.segwit && in.NonWitnessUtxo == nil {
		return nil, fmt.Errorf("refusing to sign input %d: it is a legacy (non-segwit) input and the PSBT lacks its previous transaction (non-witness UTXO)", i)
	}
	return plan, nil
}

// scriptHasKey reports whether the script pushes the key or its HASH160.
func scriptHasKey(script, pub []byte) bool {
	h := btcutil.Hash160(pub)
	tok := txscript.MakeScriptTokenizer(0, script)
	for tok.Next() {
		if d := tok.Data(); bytes.Equal(d, pub) || bytes.Equal(d, h) {
			return true
		}
	}
	return false
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

func planTaproot(p *Packet, i int, plan *inputPlan, tapKeys []tapKey, allKnown bool) (*inputPlan, error) {
	in := &p.Inputs[i]
	if len(tapKeys) == 0 {
		return nil, nil
	}
	if !allKnown {
		return nil, fmt.Errorf("refusing to sign taproot input %d: BIP341 signatures commit to every input's amount and script, and some inputs lack UTXO information", i)
	}
	outputKey := plan.pkScript[2:]
	plan.merkleRoot = []byte{}
	if len(in.TaprootMerkleRoot) != 0 {
		plan.merkleRoot = in.TaprootMerkleRoot
	}
	for _, k := range tapKeys {
		if k.keyPath && in.TaprootKeySpendSig == nil && plan.keyPath == nil {
			tweaked := txscript.ComputeTaprootOutputKey(k.priv.PubKey(), plan.merkleRoot)
			if !bytes.Equal(schnorr.SerializePubKey(tweaked), outputKey) {
				return nil, fmt.Errorf("refusing to sign input %d: the internal key tweaked with the merkle root is not the spent output's key", i)
			}
			plan.keyPath = k.priv
		}
		for _, lh := range k.leafHashes {
			leaf, err := bpsbt.FindLeafScript(in, lh)
			if err != nil {
				return nil, fmt.Errorf("input %d: the derivation names leaf %x, but the PSBT has no such leaf script", i, lh)
			}
			if hasTapScriptSig(in, k.xonly, lh) {
				continue
			}
			cb, err := txscript.ParseControlBlock(leaf.ControlBlock)
			if err != nil {
				return nil, fmt.Errorf("input %d: bad control block: %w", i, err)
			}
			if err := txscript.VerifyTaprootLeafCommitment(cb, outputKey, leaf.Script); err != nil {
				return nil, fmt.Errorf("refusing to sign input %d: the leaf script is not committed to by the spent output: %w", i, err)
			}
			plan.leaves = append(plan.leaves, leafKey{leaf: leaf, priv: k.priv, xonly: k.xonly})
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
