package psbt

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Finalize builds the final scriptSig and witness of every input that has
// enough signatures (BIP174 Input Finalizer): P2PKH, P2WPKH, P2SH-P2WPKH,
// multisig under P2SH, P2WSH and P2SH-P2WSH (signatures in the order of the
// public keys in the script, exactly m of them; sortedmulti scripts already
// hold sorted keys), taproot key path, and taproot script path for pk() and
// multi_a leaves (BIP342; an empty push for each key that does not sign).
// Every partial signature is verified against the input's sighash first and
// a bad one is skipped. Finalized inputs lose their partial data as BIP174
// asks. It returns the number of inputs that are final afterwards; it is an
// error only when an input is malformed, not when signatures are missing
// (see IsComplete).
func Finalize(p *Packet) (int, error) {
	if p == nil || p.UnsignedTx == nil {
		return 0, errors.New("no PSBT to finalize")
	}
	if err := bpsbt.VerifyInputOutputLen(p, false, false); err != nil {
		return 0, fmt.Errorf("PSBT is malformed: %w", err)
	}
	chk := newSigChecker(p)
	final := 0
	for i := range p.Inputs {
		in := &p.Inputs[i]
		if len(in.FinalScriptSig) != 0 || len(in.FinalScriptWitness) != 0 {
			final++
			continue
		}
		sigScript, witness, err := finalizeInput(p, i, chk)
		if err != nil {
			return final, err
		}
		if sigScript == nil && witness == nil {
			continue
		}
		if witness != nil {
			var b bytes.Buffer
			if err := bpsbt.WriteTxWitness(&b, witness); err != nil {
				return final, fmt.Errorf("input %d: %w", i, err)
			}
			in.FinalScriptWitness = b.Bytes()
		}
		in.FinalScriptSig = sigScript
		clearPartial(in)
		final++
	}
	return final, nil
}

// IsComplete reports whether every input is finalized (BIP174: ready for
// the Transaction Extractor).
func IsComplete(p *Packet) bool {
	for _, in := range p.Inputs {
		if len(in.FinalScriptSig) == 0 && len(in.FinalScriptWitness) == 0 {
			return false
		}
	}
	return len(p.Inputs) > 0
}

func clearPartial(in *bpsbt.PInput) {
	in.PartialSigs = nil
	in.SighashType = 0
	in.RedeemScript = nil
	in.WitnessScript = nil
	in.Bip32Derivation = nil
	in.TaprootKeySpendSig = nil
	in.TaprootScriptSpendSig = nil
	in.TaprootLeafScript = nil
	in.TaprootBip32Derivation = nil
	in.TaprootInternalKey = nil
	in.TaprootMerkleRoot = nil
}

func pushScript(data ...[]byte) ([]byte, error) {
	b := txscript.NewScriptBuilder()
	for _, d := range data {
		if len(d) == 0 {
			b.AddOp(txscript.OP_0)
		} else {
			b.AddData(d)
		}
	}
	return b.Script()
}

// finalizeInput returns the final scriptSig and witness of input i, or nils
// when it cannot be finalized yet.
func finalizeInput(p *Packet, i int, chk *sigChecker) ([]byte, wire.TxWitness, error) {
	in := &p.Inputs[i]
	out, err := prevOut(p, i)
	if err != nil {
		return nil, nil, nil // nothing to finalize without the spent output
	}
	script := out.PkScript
	if txscript.IsPayToTaproot(script) {
		w := finalizeTaproot(in, script[2:], func(leaf *txscript.TapLeaf, xonly, sig []byte) bool {
			return chk.schnorrOK(i, in, leaf, xonly, sig)
		})
		return nil, w, nil
	}
	var redeemPush []byte
	if txscript.IsPayToScriptHash(script) {
		if len(in.RedeemScript) == 0 || !bytes.Equal(script[2:22], btcutil.Hash160(in.RedeemScript)) {
			return nil, nil, nil
		}
		redeemPush = in.RedeemScript
		script = in.RedeemScript
	}
	wrap := func(items ...[]byte) ([]byte, error) {
		if redeemPush == nil {
			return nil, nil
		}
		return pushScript(append(items, redeemPush)...)
	}
	// valid checks a partial signature against the sighash of this input.
	valid := func(scriptCode []byte, segwit bool) func(pub, sig []byte) bool {
		return func(pub, sig []byte) bool {
			return chk.ecdsaOK(i, in, scriptCode, segwit, out.Value, pub, sig)
		}
	}
	switch {
	case txscript.IsPayToPubKeyHash(script):
		sig, pub := sigForHash(in, script[3:23], valid(script, false))
		if sig == nil {
			return nil, nil, nil
		}
		s, err := pushScript(sig, pub)
		return s, nil, err
	case txscript.IsPayToWitnessPubKeyHash(script):
		sig, pub := sigForHash(in, script[2:], valid(p2pkhScript(script[2:]), true))
		if sig == nil {
			return nil, nil, nil
		}
		s, err := wrap()
		return s, wire.TxWitness{sig, pub}, err
	case txscript.IsPayToWitnessScriptHash(script):
		h := sha256.Sum256(in.WitnessScript)
		if len(in.WitnessScript) == 0 || !bytes.Equal(script[2:], h[:]) {
			return nil, nil, nil
		}
		sigs := multisigSigs(in, in.WitnessScript, valid(in.WitnessScript, true))
		if sigs == nil {
			return nil, nil, nil
		}
		w := append(wire.TxWitness{nil}, sigs...)
		w = append(w, in.WitnessScript)
		s, err := wrap()
		return s, w, err
	case redeemPush != nil:
		sigs := multisigSigs(in, script, valid(script, false))
		if sigs == nil {
			return nil, nil, nil
		}
		s, err := wrap(append([][]byte{nil}, sigs...)...)
		return s, nil, err
	}
	return nil, nil, nil
}

func sigForHash(in *bpsbt.PInput, h []byte, valid func(pub, sig []byte) bool) (sig, pub []byte) {
	for _, s := range in.PartialSigs {
		if bytes.Equal(btcutil.Hash160(s.PubKey), h) && valid(s.PubKey, s.Signature) {
			return s.Signature, s.PubKey
		}
	}
	return nil, nil
}

// parseMultisig reads OP_m <key>... OP_n OP_CHECKMULTISIG.
func parseMultisig(script []byte) (m int, pubs [][]byte, ok bool) {
	tok := txscript.MakeScriptTokenizer(0, script)
	var ops []byte
	var datas [][]byte
	for tok.Next() {
		ops = append(ops, tok.Opcode())
		datas = append(datas, tok.Data())
	}
	if tok.Err() != nil || len(ops) < 4 || ops[len(ops)-1] != txscript.OP_CHECKMULTISIG {
		return 0, nil, false
	}
	if !isSmallInt(ops[0]) || !isSmallInt(ops[len(ops)-2]) {
		return 0, nil, false
	}
	m = smallInt(ops[0])
	n := smallInt(ops[len(ops)-2])
	pubs = datas[1 : len(datas)-2]
	if n != len(pubs) || m < 1 || m > n {
		return 0, nil, false
	}
	for _, pk := range pubs {
		if len(pk) != 33 && len(pk) != 65 {
			return 0, nil, false
		}
	}
	return m, pubs, true
}

func isSmallInt(op byte) bool {
	return op == txscript.OP_0 || (op >= txscript.OP_1 && op <= txscript.OP_16)
}

func smallInt(op byte) int {
	if op == txscript.OP_0 {
		return 0
	}
	return int(op-txscript.OP_1) + 1
}

// multisigSigs returns m signatures in the order of the script's keys, or nil.
func multisigSigs(in *bpsbt.PInput, script []byte, valid func(pub, sig []byte) bool) [][]byte {
	m, pubs, ok := parseMultisig(script)
	if !ok {
		return nil
	}
	var sigs [][]byte
	for _, pk := range pubs {
		for _, s := range in.PartialSigs {
			if bytes.Equal(s.PubKey, pk) && valid(s.PubKey, s.Signature) {
				sigs = append(sigs, s.Signature)
				break
			}
		}
		if len(sigs) == m {
			return sigs
		}
	}
	return nil
}

// tapLeafKeys reads a pk() leaf (<key> OP_CHECKSIG) or a multi_a leaf
// (<k1> OP_CHECKSIG <k2> OP_CHECKSIGADD ... <m> OP_NUMEQUAL).
func tapLeafKeys(script []byte) (m int, pubs [][]byte, ok bool) {
	tok := txscript.MakeScriptTokenizer(0, script)
	type op struct {
		code byte
		data []byte
	}
	var ops []op
	for tok.Next() {
		ops = append(ops, op{tok.Opcode(), tok.Data()})
	}
	if tok.Err() != nil || len(ops) < 2 {
		return 0, nil, false
	}
	if len(ops) == 2 && len(ops[0].data) == 32 && ops[1].code == txscript.OP_CHECKSIG {
		return 1, [][]byte{ops[0].data}, true
	}
	if len(ops)%2 != 0 || ops[len(ops)-1].code != txscript.OP_NUMEQUAL {
		return 0, nil, false
	}
	body := ops[:len(ops)-2]
	for j := 0; j < len(body); j += 2 {
		want := byte(txscript.OP_CHECKSIGADD)
		if j == 0 {
			want = txscript.OP_CHECKSIG
		}
		if len(body[j].data) != 32 || body[j+1].code != want {
			return 0, nil, false
		}
		pubs = append(pubs, body[j].data)
	}
	th := ops[len(ops)-2]
	switch {
	case th.code >= txscript.OP_1 && th.code <= txscript.OP_16:
		m = smallInt(th.code)
	case len(th.data) > 0 && len(th.data) <= 2:
		for k := len(th.data) - 1; k >= 0; k-- {
			m = m<<8 | int(th.data[k])
		}
	default:
		return 0, nil, false
	}
	if m < 1 || m > len(pubs) {
		return 0, nil, false
	}
	return m, pubs, true
}

func finalizeTaproot(in *bpsbt.PInput, outputKey []byte, valid func(leaf *txscript.TapLeaf, xonly, sig []byte) bool) wire.TxWitness {
	if len(in.TaprootKeySpendSig) != 0 && valid(nil, outputKey, in.TaprootKeySpendSig) {
		return wire.TxWitness{in.TaprootKeySpendSig}
	}
	var best wire.TxWitness
	size := -1
	for _, leaf := range in.TaprootLeafScript {
		cb, err := txscript.ParseControlBlock(leaf.ControlBlock)
		if err != nil || txscript.VerifyTaprootLeafCommitment(cb, outputKey, leaf.Script) != nil {
			continue
		}
		m, pubs, ok := tapLeafKeys(leaf.Script)
		if !ok {
			continue
		}
		lh := leafHash(leaf.LeafVersion, leaf.Script)
		tl := txscript.NewTapLeaf(leaf.LeafVersion, leaf.Script)
		sigs := make([][]byte, len(pubs))
		have := 0
		for k, pk := range pubs {
			if have == m {
				break
			}
			for _, s := range in.TaprootScriptSpendSig {
				if bytes.Equal(s.XOnlyPubKey, pk) && bytes.Equal(s.LeafHash, lh[:]) {
					sig := s.Signature
					if s.SigHash != txscript.SigHashDefault {
						sig = append(append([]byte{}, s.Signature...), byte(s.SigHash))
					}
					if !valid(&tl, pk, sig) {
						continue
					}
					sigs[k] = sig
					have++
					break
				}
			}
		}
		if have < m {
			continue
		}
		// The first key's signature is consumed first: it goes on top.
		var w wire.TxWitness
		for k := len(sigs) - 1; k >= 0; k-- {
			w = append(w, sigs[k])
		}
		w = append(w, leaf.Script, leaf.ControlBlock)
		if s := w.SerializeSize(); size < 0 || s < size {
			best, size = w, s
		}
	}
	return best
}

// sigChecker verifies partial signatures before the finalizer uses them, so
// that a bad signature from one cosigner cannot spoil an input that has
// enough good ones.
type sigChecker struct {
	p        *Packet
	fetch    txscript.PrevOutputFetcher
	allKnown bool
	hashes   *txscript.TxSigHashes
}

func newSigChecker(p *Packet) *sigChecker {
	fetch, all := fetcher(p)
	return &sigChecker{p: p, fetch: fetch, allKnown: all, hashes: txscript.NewTxSigHashes(p.UnsignedTx, fetch)}
}

// wantHashType is the sighash type the input's signatures must carry.
func wantHashType(in *bpsbt.PInput, def txscript.SigHashType) txscript.SigHashType {
	if in.SighashType != 0 {
		return in.SighashType
	}
	return def
}

// ecdsaOK verifies a DER signature with its sighash byte (BIP143 for
// segwit v0, the legacy algorithm otherwise).
func (c *sigChecker) ecdsaOK(i int, in *bpsbt.PInput, scriptCode []byte, segwit bool, amount int64, pub, sig []byte) bool {
	if len(sig) < 2 {
		return false
	}
	hashType := txscript.SigHashType(sig[len(sig)-1])
	if hashType != wantHashType(in, txscript.SigHashAll) {
		return false
	}
	parsed, err := ecdsa.ParseDERSignature(sig[:len(sig)-1])
	if err != nil {
		return false
	}
	key, err := btcec.ParsePubKey(pub)
	if err != nil {
		return false
	}
	var hash []byte
	if segwit {
		hash, err = txscript.CalcWitnessSigHash(scriptCode, c.hashes, hashType, c.p.UnsignedTx, i, amount)
	} else {
		hash, err = txscript.CalcSignatureHash(scriptCode, hashType, c.p.UnsignedTx, i)
	}
	return err == nil && parsed.Verify(hash, key)
}

// schnorrOK verifies a BIP340 signature on the key path (leaf nil; xonly is
// then the output key) or on a tapscript leaf (BIP341/342). Without every
// input's UTXO the sighash cannot be computed and the signature is taken
// as is: Extract verifies the whole transaction anyway.
func (c *sigChecker) schnorrOK(i int, in *bpsbt.PInput, leaf *txscript.TapLeaf, xonly, sig []byte) bool {
	if !c.allKnown {
		return true
	}
	hashType := txscript.SigHashDefault
	switch len(sig) {
	case 64:
	case 65:
		hashType = txscript.SigHashType(sig[64])
		if hashType == txscript.SigHashDefault {
			return false
		}
	default:
		return false
	}
	if in.SighashType != 0 && hashType != in.SighashType {
		return false
	}
	parsed, err := schnorr.ParseSignature(sig[:64])
	if err != nil {
		return false
	}
	key, err := schnorr.ParsePubKey(xonly)
	if err != nil {
		return false
	}
	var hash []byte
	if leaf == nil {
		hash, err = txscript.CalcTaprootSignatureHash(c.hashes, hashType, c.p.UnsignedTx, i, c.fetch)
	} else {
		hash, err = txscript.CalcTapscriptSignaturehash(c.hashes, hashType, c.p.UnsignedTx, i, c.fetch, *leaf)
	}
	return err == nil && parsed.Verify(hash, key)
}

// scriptCode returns what ECDSA signatures of an input commit to: the
// script code and whether the BIP143 (segwit v0) algorithm applies. ok is
// false when the scripts the PSBT gives do not match the spent output.
func scriptCode(in *bpsbt.PInput, pk []byte) (code []byte, segwit, ok bool) {
	script := pk
	if txscript.IsPayToScriptHash(pk) {
		if len(in.RedeemScript) == 0 || !bytes.Equal(pk[2:22], btcutil.Hash160(in.RedeemScript)) {
			return nil, false, false
		}
		script = in.RedeemScript
	}
	switch {
	case txscript.IsPayToWitnessPubKeyHash(script):
		return p2pkhScript(script[2:]), true, true
	case txscript.IsPayToWitnessScriptHash(script):
		h := sha256.Sum256(in.WitnessScript)
		if len(in.WitnessScript) == 0 || !bytes.Equal(script[2:], h[:]) {
			return nil, false, false
		}
		return in.WitnessScript, true, true
	case txscript.IsWitnessProgram(script):
		return nil, false, false
	}
	return script, false, true
}
