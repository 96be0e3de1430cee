package psbt

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// Wallet is what the PSBT layer needs of a wallet: its output descriptors,
// one per branch (BIP389: 0 receive, 1 change), and its network.
type Wallet struct {
	Branches []*descriptor.Descriptor
	Network  network.Network
}

// NewWallet builds a Wallet from a BIP389 multipath descriptor (one
// descriptor with <0;1>), or from one single-path descriptor per branch in
// branch order (receive first, then change).
func NewWallet(net network.Network, descs ...*descriptor.Descriptor) (*Wallet, error) {
	if len(descs) == 0 {
		return nil, errors.New("a wallet needs at least one descriptor")
	}
	w := &Wallet{Network: net}
	if len(descs) == 1 && descs[0].PathCount() > 1 {
		for i := 0; i < descs[0].PathCount(); i++ {
			b, err := descs[0].Branch(i)
			if err != nil {
				return nil, err
			}
			w.Branches = append(w.Branches, b)
		}
		return w, nil
	}
	for i, d := range descs {
		if d.PathCount() > 1 {
			return nil, fmt.Errorf("descriptor %d is multipath: give either one multipath descriptor or one descriptor per branch", i+1)
		}
		w.Branches = append(w.Branches, d)
	}
	return w, nil
}

func (w *Wallet) derive(branch int, index uint32) (*descriptor.Derived, error) {
	if branch < 0 || branch >= len(w.Branches) {
		return nil, fmt.Errorf("the wallet has %d branch(es): branch %d does not exist", len(w.Branches), branch)
	}
	return w.Branches[branch].Derive(index)
}

// fingerprints returns the master fingerprints of the wallet's cosigners.
func (w *Wallet) fingerprints() map[keys.Fingerprint]bool {
	fps := map[keys.Fingerprint]bool{}
	for _, b := range w.Branches {
		for _, k := range b.Keys() {
			if k.Origin != nil {
				fps[k.Origin.Fingerprint] = true
			}
		}
	}
	return fps
}

// UTXO is a wallet coin to spend: the outpoint, its amount, where the
// wallet's descriptor derives its script (branch and index) and, optionally,
// the whole previous transaction. PrevTx is required for legacy
// (non-segwit) inputs (BIP174) and recommended for segwit v0 inputs, which
// hardware wallets ask for since the BIP143 fee attack.
type UTXO struct {
	OutPoint wire.OutPoint
	Value    int64
	Branch   int
	Index    uint32
	PrevTx   *wire.MsgTx
}

// Recipient is an output to pay: an address (BIP173/BIP350 or base58), or a
// raw output script.
type Recipient struct {
	Address string
	Script  []byte
	Amount  int64
}

// ChangeOutput is the wallet's own output: derived at Branch/Index (normally
// branch 1), placed among the recipients at Position.
type ChangeOutput struct {
	Branch int
	Index  uint32
	Amount int64
	// Position is where the change goes among the outputs, counted from 1
	// (1 puts it first, len(Outputs)+1 last); 0 puts it last. A wallet
	// picks it at random, as Bitcoin Core does, so the change cannot be
	// told from its place.
	Position int
}

// CreateOptions describes the transaction to build (BIP174 Creator input):
// coins, recipients, change, nLockTime and BIP125 signalling.
type CreateOptions struct {
	Inputs  []UTXO
	Outputs []Recipient
	Change  *ChangeOutput
	// LockTime sets nLockTime. When it is 0 and CurrentHeight is given,
	// nLockTime is CurrentHeight (anti fee sniping, as Bitcoin Core does).
	LockTime      uint32
	CurrentHeight uint32
	// NoRBF turns off BIP125 replace-by-fee signalling (sequence 0xfffffffe
	// instead of 0xfffffffd).
	NoRBF bool
}

// Sequence numbers used by Create (BIP125, BIP68 off).
const (
	SequenceRBF   = 0xfffffffd // BIP125 opt-in replace-by-fee
	SequenceNoRBF = 0xfffffffe // final for RBF, nLockTime still enforced
)

// SignalsRBF reports whether an input's sequence number opts the transaction
// in to replacement by fee (BIP125: any input with nSequence below
// 0xfffffffe signals).
func SignalsRBF(sequence uint32) bool { return sequence < SequenceNoRBF }

// Create builds an unsigned PSBT (BIP174 Creator and Updater, BIP371 for
// taproot) spending wallet coins to the recipients and the optional change
// output. Every input gets its witness UTXO (segwit and taproot), its
// previous transaction (non-witness UTXO) when given and always for legacy
// inputs, its redeem and witness scripts, and the BIP32 derivation of every
// cosigner key; taproot inputs get the internal key, merkle root, leaf
// scripts with control blocks and taproot derivations with leaf hashes.
// The change output carries the same script and derivation data so that
// signers can verify it. The cosigners' xpubs go in PSBT_GLOBAL_XPUB.
func Create(w *Wallet, opts CreateOptions) (*Packet, error) {
	if w == nil || len(w.Branches) == 0 {
		return nil, errors.New("no wallet descriptor to build the PSBT from")
	}
	if len(opts.Inputs) == 0 {
		return nil, errors.New("no coins to spend: select at least one UTXO")
	}
	if len(opts.Outputs) == 0 && opts.Change == nil {
		return nil, errors.New("no outputs: add a recipient")
	}
	tx := wire.NewMsgTx(2)
	tx.LockTime = opts.LockTime
	if tx.LockTime == 0 {
		tx.LockTime = opts.CurrentHeight
	}
	seq := uint32(SequenceRBF)
	if opts.NoRBF {
		seq = SequenceNoRBF
	}
	var inTotal, outTotal int64
	seen := map[wire.OutPoint]bool{}
	for i, u := range opts.Inputs {
		if seen[u.OutPoint] {
			return nil, fmt.Errorf("coin %s is selected twice", u.OutPoint)
		}
		seen[u.OutPoint] = true
		if u.Value <= 0 || u.Value > maxMoney {
			return nil, fmt.Errorf("coin %d (%s) has an invalid amount %d", i, u.OutPoint, u.Value)
		}
		inTotal += u.Value
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: u.OutPoint, Sequence: seq})
	}
	for i, r := range opts.Outputs {
		script := r.Script
		if r.Address != "" {
			a, err := w.Network.DecodeAddress(strings.TrimSpace(r.Address))
			if err != nil {
				return nil, fmt.Errorf("recipient %d: %q is not a valid %s address", i+1, r.Address, w.Network)
			}
			if script, err = txscript.PayToAddrScript(a); err != nil {
				return nil, fmt.Errorf("recipient %d: %w", i+1, err)
			}
		}
		if len(script) == 0 {
			return nil, fmt.Errorf("recipient %d has neither an address nor a script", i+1)
		}
		if r.Amount < 0 || r.Amount > maxMoney || (r.Amount == 0 && txscript.GetScriptClass(script) != txscript.NullDataTy) {
			return nil, fmt.Errorf("recipient %d: amount %d sat is not valid", i+1, r.Amount)
		}
		outTotal += r.Amount
		tx.AddTxOut(wire.NewTxOut(r.Amount, script))
	}
	var change *descriptor.Derived
	changeAt := -1
	if opts.Change != nil {
		var err error
		if change, err = w.derive(opts.Change.Branch, opts.Change.Index); err != nil {
			return nil, fmt.Errorf("change output: %w", err)
		}
		if opts.Change.Amount <= 0 || opts.Change.Amount > maxMoney {
			return nil, fmt.Errorf("change amount %d sat is not valid", opts.Change.Amount)
		}
		outTotal += opts.Change.Amount
		if opts.Change.Position < 0 || opts.Change.Position > len(tx.TxOut)+1 {
			return nil, fmt.Errorf("change position %d is outside 1..%d", opts.Change.Position, len(tx.TxOut)+1)
		}
		changeAt = len(tx.TxOut)
		if opts.Change.Position > 0 {
			changeAt = opts.Change.Position - 1
		}
		tx.TxOut = slices.Insert(tx.TxOut, changeAt, wire.NewTxOut(opts.Change.Amount, change.ScriptPubKey))
	}
	if outTotal > inTotal {
		return nil, fmt.Errorf("outputs (%d sat) exceed the selected coins (%d sat): select more coins or send less", outTotal, inTotal)
	}
	p, err := bpsbt.NewFromUnsignedTx(tx)
	if err != nil {
		return nil, fmt.Errorf("building the PSBT: %w", err)
	}
	for i, u := range opts.Inputs {
		der, err := w.derive(u.Branch, u.Index)
		if err != nil {
			return nil, fmt.Errorf("coin %s: %w", u.OutPoint, err)
		}
		if err := fillInput(&p.Inputs[i], u, der); err != nil {
			return nil, fmt.Errorf("coin %s: %w", u.OutPoint, err)
		}
	}
	if change != nil {
		fillOutput(&p.Outputs[changeAt], change)
	}
	if err := addWalletXpubs(p, w); err != nil {
		return nil, err
	}
	return p, nil
}

func isLegacy(script []byte) bool {
	if txscript.IsWitnessProgram(script) {
		return false
	}
	return true
}

func fillInput(in *bpsbt.PInput, u UTXO, der *descriptor.Derived) error {
	if u.PrevTx != nil {
		if h := u.PrevTx.TxHash(); h != u.OutPoint.Hash {
			return fmt.Errorf("the previous transaction given is %s, not the coin's transaction", h)
		}
		if int(u.OutPoint.Index) >= len(u.PrevTx.TxOut) {
			return fmt.Errorf("the previous transaction has no output %d", u.OutPoint.Index)
		}
		o := u.PrevTx.TxOut[u.OutPoint.Index]
		if o.Value != u.Value || !bytes.Equal(o.PkScript, der.ScriptPubKey) {
			return errors.New("the previous transaction's output does not match the coin's amount and the wallet's script at its branch and index")
		}
	}
	spent := der.ScriptPubKey
	inner := spent
	if len(der.RedeemScript) != 0 {
		inner = der.RedeemScript
	}
	if isLegacy(inner) {
		if u.PrevTx == nil {
			return errors.New("a legacy (non-segwit) coin needs its previous transaction in the PSBT (BIP174): give it")
		}
	} else {
		in.WitnessUtxo = wire.NewTxOut(u.Value, clone(spent))
	}
	if u.PrevTx != nil && der.Taproot == nil {
		in.NonWitnessUtxo = u.PrevTx.Copy()
	}
	in.RedeemScript = clone(der.RedeemScript)
	in.WitnessScript = clone(der.WitnessScript)
	if der.Taproot == nil {
		for _, k := range der.Keys {
			in.Bip32Derivation = append(in.Bip32Derivation, &bpsbt.Bip32Derivation{
				PubKey: clone(k.PubKey), MasterKeyFingerprint: k.Origin.Fingerprint.Uint32(), Bip32Path: clone32(k.Origin.Path),
			})
		}
		return nil
	}
	t := der.Taproot
	in.TaprootInternalKey = clone(t.InternalKey.PubKey)
	if len(t.MerkleRoot) != 0 {
		in.TaprootMerkleRoot = clone(t.MerkleRoot)
	}
	for _, l := range t.Leaves {
		in.TaprootLeafScript = append(in.TaprootLeafScript, &bpsbt.TaprootTapLeafScript{
			ControlBlock: clone(l.ControlBlock), Script: clone(l.Script), LeafVersion: txscript.TapscriptLeafVersion(l.LeafVersion),
		})
	}
	in.TaprootBip32Derivation = tapDerivations(t)
	return nil
}

func clone32(p keys.Path) []uint32 { return append([]uint32{}, p...) }

// tapDerivations lists each x-only key of a taproot output once, with the
// hashes of the leaves it appears in (BIP371).
func tapDerivations(t *descriptor.TaprootInfo) []*bpsbt.TaprootBip32Derivation {
	var out []*bpsbt.TaprootBip32Derivation
	get := func(k descriptor.DerivedKey) *bpsbt.TaprootBip32Derivation {
		if len(k.Origin.Path) == 0 {
			// A key without derivation (such as BIP341's unspendable H
			// point as internal key) has nothing for a signer.
			return &bpsbt.TaprootBip32Derivation{}
		}
		for _, d := range out {
			if bytes.Equal(d.XOnlyPubKey, k.PubKey) {
				return d
			}
		}
		d := &bpsbt.TaprootBip32Derivation{XOnlyPubKey: clone(k.PubKey), MasterKeyFingerprint: k.Origin.Fingerprint.Uint32(), Bip32Path: clone32(k.Origin.Path), LeafHashes: [][]byte{}}
		out = append(out, d)
		return d
	}
	get(t.InternalKey)
	for _, l := range t.Leaves {
		h := leafHash(txscript.TapscriptLeafVersion(l.LeafVersion), l.Script)
		for _, k := range l.Keys {
			d := get(k)
			d.LeafHashes = append(d.LeafHashes, clone(h[:]))
		}
	}
	return out
}

func fillOutput(out *bpsbt.POutput, der *descriptor.Derived) {
	out.RedeemScript = clone(der.RedeemScript)
	out.WitnessScript = clone(der.WitnessScript)
	if der.Taproot == nil {
		for _, k := range der.Keys {
			out.Bip32Derivation = append(out.Bip32Derivation, &bpsbt.Bip32Derivation{
				PubKey: clone(k.PubKey), MasterKeyFingerprint: k.Origin.Fingerprint.Uint32(), Bip32Path: clone32(k.Origin.Path),
			})
		}
		return
	}
	t := der.Taproot
	out.TaprootInternalKey = clone(t.InternalKey.PubKey)
	if len(t.Leaves) > 0 {
		var leaves []TapTreeLeaf
		for _, l := range t.Leaves {
			leaves = append(leaves, TapTreeLeaf{Depth: uint8((len(l.ControlBlock) - 33) / 32), LeafVersion: l.LeafVersion, Script: l.Script})
		}
		out.TaprootTapTree = EncodeTapTree(leaves)
	}
	out.TaprootBip32Derivation = tapDerivations(t)
}

// addWalletXpubs records each cosigner's extended key with its origin as a
// PSBT_GLOBAL_XPUB (BIP174).
func addWalletXpubs(p *Packet, w *Wallet) error {
	for _, k := range w.Branches[0].Keys() {
		if k.Origin == nil || len(k.Xpub) < 100 {
			continue // hex keys and keys without origin have no xpub entry
		}
		ext, err := keys.ParseExtendedKey(k.Xpub)
		if err != nil {
			continue
		}
		if err := AddGlobalXpub(p, ext.Key, *k.Origin); err != nil {
			return err
		}
	}
	return nil
}
