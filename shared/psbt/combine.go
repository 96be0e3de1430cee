package psbt

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Combine merges PSBTs of the same unsigned transaction (BIP174 Combiner):
// the union of every global, input and output map. Where two PSBTs hold
// different values for the same key, the first one given wins. The inputs
// are not changed; a new packet is returned.
func Combine(psbts ...*Packet) (*Packet, error) {
	if len(psbts) == 0 {
		return nil, errors.New("nothing to combine: give at least one PSBT")
	}
	for i, p := range psbts {
		if p == nil || p.UnsignedTx == nil {
			return nil, fmt.Errorf("PSBT %d is empty", i+1)
		}
		if err := bpsbt.VerifyInputOutputLen(p, false, false); err != nil {
			return nil, fmt.Errorf("PSBT %d is malformed: %w", i+1, err)
		}
	}
	first, err := Serialize(psbts[0])
	if err != nil {
		return nil, err
	}
	out, err := Parse(first)
	if err != nil {
		return nil, fmt.Errorf("PSBT 1: %w", err)
	}
	var want bytes.Buffer
	_ = psbts[0].UnsignedTx.SerializeNoWitness(&want)
	for n, p := range psbts[1:] {
		var got bytes.Buffer
		_ = p.UnsignedTx.SerializeNoWitness(&got)
		if !bytes.Equal(want.Bytes(), got.Bytes()) {
			return nil, fmt.Errorf("PSBT %d is for another transaction (%s, not %s): only PSBTs of the same unsigned transaction can be combined", n+2, p.UnsignedTx.TxHash(), psbts[0].UnsignedTx.TxHash())
		}
		out.Unknowns = mergeUnknowns(out.Unknowns, p.Unknowns)
		for i := range p.Inputs {
			mergeInput(&out.Inputs[i], &p.Inputs[i])
		}
		for i := range p.Outputs {
			mergeOutput(&out.Outputs[i], &p.Outputs[i])
		}
	}
	return out, nil
}

func mergeUnknowns(a, b []*bpsbt.Unknown) []*bpsbt.Unknown {
	for _, u := range b {
		found := false
		for _, x := range a {
			if bytes.Equal(x.Key, u.Key) {
				found = true
				break
			}
		}
		if !found {
			a = append(a, &bpsbt.Unknown{Key: clone(u.Key), Value: clone(u.Value)})
		}
	}
	return a
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func mergeInput(a, b *bpsbt.PInput) {
	if a.NonWitnessUtxo == nil && b.NonWitnessUtxo != nil {
		a.NonWitnessUtxo = b.NonWitnessUtxo.Copy()
	}
	if a.WitnessUtxo == nil && b.WitnessUtxo != nil {
		a.WitnessUtxo = wire.NewTxOut(b.WitnessUtxo.Value, clone(b.WitnessUtxo.PkScript))
	}
	for _, s := range b.PartialSigs {
		if !hasPartialSig(a, s.PubKey) {
			a.PartialSigs = append(a.PartialSigs, &bpsbt.PartialSig{PubKey: clone(s.PubKey), Signature: clone(s.Signature)})
		}
	}
	if a.SighashType == 0 {
		a.SighashType = b.SighashType
	}
	if a.RedeemScript == nil {
		a.RedeemScript = clone(b.RedeemScript)
	}
	if a.WitnessScript == nil {
		a.WitnessScript = clone(b.WitnessScript)
	}
	a.Bip32Derivation = mergeDerivations(a.Bip32Derivation, b.Bip32Derivation)
	if a.FinalScriptSig == nil {
		a.FinalScriptSig = clone(b.FinalScriptSig)
	}
	if a.FinalScriptWitness == nil {
		a.FinalScriptWitness = clone(b.FinalScriptWitness)
	}
	if a.TaprootKeySpendSig == nil {
		a.TaprootKeySpendSig = clone(b.TaprootKeySpendSig)
	}
	for _, s := range b.TaprootScriptSpendSig {
		if !hasTapScriptSig(a, s.XOnlyPubKey, s.LeafHash) {
			c := *s
			a.TaprootScriptSpendSig = append(a.TaprootScriptSpendSig, &c)
		}
	}
	for _, l := range b.TaprootLeafScript {
		found := false
		for _, x := range a.TaprootLeafScript {
			if bytes.Equal(x.ControlBlock, l.ControlBlock) {
				found = true
				break
			}
		}
		if !found {
			c := *l
			a.TaprootLeafScript = append(a.TaprootLeafScript, &c)
		}
	}
	a.TaprootBip32Derivation = mergeTapDerivations(a.TaprootBip32Derivation, b.TaprootBip32Derivation)
	if a.TaprootInternalKey == nil {
		a.TaprootInternalKey = clone(b.TaprootInternalKey)
	}
	if a.TaprootMerkleRoot == nil {
		a.TaprootMerkleRoot = clone(b.TaprootMerkleRoot)
	}
	a.Unknowns = mergeUnknowns(a.Unknowns, b.Unknowns)
	// A final input carries no partial data (BIP174).
	if len(a.FinalScriptSig) != 0 || len(a.FinalScriptWitness) != 0 {
		clearPartial(a)
	}
}

// mergeDerivations adds to a the derivations of b for keys a lacks.
func mergeDerivations(a, b []*bpsbt.Bip32Derivation) []*bpsbt.Bip32Derivation {
	return mergeByKey(a, b, func(d *bpsbt.Bip32Derivation) []byte { return d.PubKey })
}

// mergeTapDerivations adds to a the BIP371 derivations of b for x-only keys
// a lacks.
func mergeTapDerivations(a, b []*bpsbt.TaprootBip32Derivation) []*bpsbt.TaprootBip32Derivation {
	return mergeByKey(a, b, func(d *bpsbt.TaprootBip32Derivation) []byte { return d.XOnlyPubKey })
}

// mergeByKey appends to a a copy of each entry of b whose key no entry of a
// has.
func mergeByKey[T any](a, b []*T, key func(*T) []byte) []*T {
	for _, d := range b {
		found := false
		for _, x := range a {
			if bytes.Equal(key(x), key(d)) {
				found = true
				break
			}
		}
		if !found {
			c := *d
			a = append(a, &c)
		}
	}
	return a
}

func mergeOutput(a, b *bpsbt.POutput) {
	if a.RedeemScript == nil {
		a.RedeemScript = clone(b.RedeemScript)
	}
	if a.WitnessScript == nil {
		a.WitnessScript = clone(b.WitnessScript)
	}
	a.Bip32Derivation = mergeDerivations(a.Bip32Derivation, b.Bip32Derivation)
	if a.TaprootInternalKey == nil {
		a.TaprootInternalKey = clone(b.TaprootInternalKey)
	}
	if a.TaprootTapTree == nil {
		a.TaprootTapTree = clone(b.TaprootTapTree)
	}
	a.TaprootBip32Derivation = mergeTapDerivations(a.TaprootBip32Derivation, b.TaprootBip32Derivation)
	a.Unknowns = mergeUnknowns(a.Unknowns, b.Unknowns)
}

// NotFinalizedError is Extract's error for a PSBT some of whose inputs have
// neither a final scriptSig nor a final script witness: the BIP174 Input
// Finalizer has not completed them.
type NotFinalizedError struct {
	// Inputs lists the unfinalized inputs' indexes, in order.
	Inputs []int
}

// Error names the unfinalized inputs and what to do.
func (e *NotFinalizedError) Error() string {
	return e.Which() + " not finalized: collect the missing signatures and finalize first"
}

// Which names the unfinalized inputs with their verb, for a sentence:
// "input 0 is", "inputs 0 and 2 are", "inputs 0, 1 and 3 are".
func (e *NotFinalizedError) Which() string {
	n := make([]string, len(e.Inputs))
	for i, in := range e.Inputs {
		n[i] = strconv.Itoa(in)
	}
	switch len(n) {
	case 0:
		return "no input is"
	case 1:
		return "input " + n[0] + " is"
	}
	return "inputs " + strings.Join(n[:len(n)-1], ", ") + " and " + n[len(n)-1] + " are"
}

// Extract returns the final network transaction of a fully finalized PSBT
// (BIP174 Transaction Extractor) after running btcd's script engine on every
// input with the spent outputs (standard verification flags, including
// BIP141/143 and BIP341/342), so a transaction that would not validate is
// never returned.
func Extract(p *Packet) (*wire.MsgTx, error) {
	if p == nil || p.UnsignedTx == nil {
		return nil, errors.New("no PSBT to extract")
	}
	if err := bpsbt.VerifyInputOutputLen(p, true, true); err != nil {
		return nil, fmt.Errorf("PSBT is malformed: %w", err)
	}
	tx := p.UnsignedTx.Copy()
	var open []int
	for i := range p.Inputs {
		if len(p.Inputs[i].FinalScriptSig) == 0 && len(p.Inputs[i].FinalScriptWitness) == 0 {
			open = append(open, i)
		}
	}
	if len(open) != 0 {
		return nil, &NotFinalizedError{Inputs: open}
	}
	for i := range p.Inputs {
		in := &p.Inputs[i]
		tx.TxIn[i].SignatureScript = clone(in.FinalScriptSig)
		if len(in.FinalScriptWitness) != 0 {
			w, err := readWitness(in.FinalScriptWitness)
			if err != nil {
				return nil, fmt.Errorf("input %d: final script witness is malformed: %w", i, err)
			}
			tx.TxIn[i].Witness = w
		}
	}
	fetch, all := fetcher(p)
	if !all {
		for i := range p.Inputs {
			if _, err := prevOut(p, i); err != nil {
				return nil, fmt.Errorf("cannot verify the transaction: %w", err)
			}
		}
	}
	hashes := txscript.NewTxSigHashes(tx, fetch)
	for i, in := range tx.TxIn {
		prev := fetch.FetchPrevOutput(in.PreviousOutPoint)
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetch)
		if err != nil {
			return nil, fmt.Errorf("input %d does not validate: %w", i, err)
		}
		if err := vm.Execute(); err != nil {
			return nil, fmt.Errorf("input %d does not validate: %w", i, err)
		}
	}
	return tx, nil
}

func readWitness(b []byte) (wire.TxWitness, error) {
	r := &reader{b: b}
	n, err := r.varint()
	if err != nil || n > uint64(len(b)) {
		return nil, errors.New("bad item count")
	}
	w := make(wire.TxWitness, 0, n)
	for k := uint64(0); k < n; k++ {
		l, err := r.varint()
		if err != nil {
			return nil, errors.New("truncated item length")
		}
		item, err := r.bytes(l)
		if err != nil {
			return nil, errors.New("truncated item")
		}
		w = append(w, clone(item))
	}
	if r.pos != len(b) {
		return nil, errors.New("trailing bytes")
	}
	return w, nil
}
