package descriptor

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// Derived is the output script of a descriptor at one index, with what a
// signer or PSBT updater needs: redeem/witness scripts, keys with their
// BIP32 origins, and the taproot tree (BIP380-386).
type Derived struct {
	ScriptPubKey  []byte
	RedeemScript  []byte       // for sh(...)
	WitnessScript []byte       // for wsh(...) and sh(wsh(...))
	Keys          []DerivedKey // every key at this index, in script order (sortedmulti: sorted as in the script)
	Required      int          // signatures needed: m of multi, 1 for single-key, 0 for raw()/addr()
	Taproot       *TaprootInfo // for tr(...)
}

// DerivedKey is one public key at an index with its BIP32 origin.
type DerivedKey struct {
	PubKey []byte // 33-byte compressed (65 uncompressed where allowed; 32-byte x-only inside tr)
	// Origin is the master fingerprint and the full path from the master to
	// this key (origin path + derived steps). Without an origin in the
	// descriptor: the fingerprint of the key itself and the derived steps.
	Origin keys.Origin
}

// TaprootInfo describes a BIP341 output built from tr(KEY[,TREE]) (BIP386).
type TaprootInfo struct {
	InternalKey DerivedKey // 32-byte x-only PubKey
	MerkleRoot  []byte     // nil for key-path-only
	OutputKey   []byte     // 32-byte tweaked key
	Leaves      []TapLeaf  // depth-first, left to right as written
}

// TapLeaf is one BIP341 script leaf of a tr() tree.
type TapLeaf struct {
	Script       []byte
	LeafVersion  byte         // 0xc0
	ControlBlock []byte       // serialised control block for this leaf
	Keys         []DerivedKey // x-only keys used in this leaf
	Required     int          // multi_a threshold, 1 for pk()
}

// Derive computes the output at index (ignored when !IsRange()). It fails
// for a multipath descriptor (pick one with Branch) and for combo(), which
// has several outputs (use DeriveAll).
func (d *Descriptor) Derive(index uint32) (*Derived, error) {
	if d.pathCount > 1 {
		return nil, fmt.Errorf("descriptor has %d multipath branches: pick one with Branch first (BIP389)", d.pathCount)
	}
	if d.top.fn == fnCombo {
		return nil, fmt.Errorf("combo() produces several scripts per index (BIP384): use DeriveAll")
	}
	return d.top.derive(index, ctxTop)
}

// DeriveAll returns every output at index: the four P2PK, P2PKH, P2WPKH and
// P2SH-P2WPKH scripts of a combo() with a compressed key (two for an
// uncompressed key, BIP384), and the single output of any other descriptor.
func (d *Descriptor) DeriveAll(index uint32) ([]*Derived, error) {
	if d.top.fn != fnCombo {
		one, err := d.Derive(index)
		if err != nil {
			return nil, err
		}
		return []*Derived{one}, nil
	}
	if d.pathCount > 1 {
		return nil, fmt.Errorf("descriptor has %d multipath branches: pick one with Branch first (BIP389)", d.pathCount)
	}
	k := d.top.keys[0]
	forms := []fn{fnPK, fnPKH}
	if k.compressed {
		forms = append(forms, fnWPKH, fnSH)
	}
	out := make([]*Derived, 0, len(forms))
	for _, f := range forms {
		n := &node{fn: f, keys: d.top.keys}
		if f == fnSH {
			n = &node{fn: fnSH, sub: &node{fn: fnWPKH, keys: d.top.keys}}
		}
		der, err := n.derive(index, ctxTop)
		if err != nil {
			return nil, err
		}
		out = append(out, der)
	}
	return out, nil
}

func (n *node) derive(index uint32, ctx context) (*Derived, error) {
	switch n.fn {
	case fnRaw:
		return &Derived{ScriptPubKey: append([]byte(nil), n.raw...)}, nil
	case fnAddr:
		script, err := txscript.PayToAddrScript(n.addr)
		if err != nil {
			return nil, fmt.Errorf("addr(%s): %v", n.addr, err)
		}
		return &Derived{ScriptPubKey: script}, nil
	case fnSH:
		inner, err := n.sub.derive(index, ctxSH)
		if err != nil {
			return nil, err
		}
		redeem := inner.ScriptPubKey
		inner.ScriptPubKey = p2sh(redeem)
		inner.RedeemScript = redeem
		return inner, nil
	case fnWSH:
		inner, err := n.sub.derive(index, ctxWSH)
		if err != nil {
			return nil, err
		}
		ws := inner.ScriptPubKey
		h := sha256.Sum256(ws)
		inner.ScriptPubKey = append([]byte{txscript.OP_0, 32}, h[:]...)
		inner.WitnessScript = ws
		return inner, nil
	case fnTR:
		return n.deriveTaproot(index)
	}
	dks := make([]DerivedKey, len(n.keys))
	for i, k := range n.keys {
		dk, err := k.derive(index, false)
		if err != nil {
			return nil, err
		}
		dks[i] = dk
	}
	out := &Derived{Keys: dks, Required: 1}
	switch n.fn {
	case fnPK:
		out.ScriptPubKey = pkScript(dks[0].PubKey)
	case fnPKH:
		out.ScriptPubKey = append(append([]byte{txscript.OP_DUP, txscript.OP_HASH160, 20}, btcutil.Hash160(dks[0].PubKey)...), txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG)
	case fnWPKH:
		out.ScriptPubKey = append([]byte{txscript.OP_0, 20}, btcutil.Hash160(dks[0].PubKey)...)
	case fnMulti, fnSortedMulti:
		if n.fn == fnSortedMulti {
			sortKeys(dks)
		}
		out.Required = n.k
		out.ScriptPubKey = multiScript(n.k, dks)
	default:
		return nil, fmt.Errorf("%s() cannot be derived here", n.fn)
	}
	return out, nil
}

func sortKeys(dks []DerivedKey) {
	sort.SliceStable(dks, func(i, j int) bool { return bytes.Compare(dks[i].PubKey, dks[j].PubKey) < 0 })
}

func pkScript(pub []byte) []byte {
	s := make([]byte, 0, len(pub)+2)
	s = append(s, byte(len(pub)))
	s = append(s, pub...)
	return append(s, txscript.OP_CHECKSIG)
}

func p2sh(redeem []byte) []byte {
	return append(append([]byte{txscript.OP_HASH160, 20}, btcutil.Hash160(redeem)...), txscript.OP_EQUAL)
}

// pushInt is the minimal script push of a non-negative number: OP_0,
// OP_1..OP_16, or a little-endian script number.
func pushInt(v int) []byte {
	if v == 0 {
		return []byte{txscript.OP_0}
	}
	if v <= 16 {
		return []byte{byte(txscript.OP_1 + v - 1)}
	}
	var num []byte
	for x := v; x > 0; x >>= 8 {
		num = append(num, byte(x))
	}
	if num[len(num)-1]&0x80 != 0 {
		num = append(num, 0)
	}
	return append([]byte{byte(len(num))}, num...)
}

// multiScript is OP_k <keys...> OP_n OP_CHECKMULTISIG (BIP383).
func multiScript(k int, dks []DerivedKey) []byte {
	s := make([]byte, 0, 3+len(dks)*34)
	s = append(s, pushInt(k)...)
	for _, dk := range dks {
		s = append(s, byte(len(dk.PubKey)))
		s = append(s, dk.PubKey...)
	}
	s = append(s, pushInt(len(dks))...)
	return append(s, txscript.OP_CHECKMULTISIG)
}

// multiAScript is <K1> CHECKSIG <K2> CHECKSIGADD ... <k> NUMEQUAL (BIP387).
func multiAScript(k int, dks []DerivedKey) []byte {
	s := make([]byte, 0, 4+len(dks)*34)
	for i, dk := range dks {
		s = append(s, 32)
		s = append(s, dk.PubKey...)
		if i == 0 {
			s = append(s, txscript.OP_CHECKSIG)
		} else {
			s = append(s, txscript.OP_CHECKSIGADD)
		}
	}
	s = append(s, pushInt(k)...)
	return append(s, txscript.OP_NUMEQUAL)
}

// tapLeafScript builds one tapscript leaf: pk(), multi_a(), sortedmulti_a().
func (n *node) tapLeafScript(index uint32) (TapLeaf, error) {
	dks := make([]DerivedKey, len(n.keys))
	for i, k := range n.keys {
		dk, err := k.derive(index, true)
		if err != nil {
			return TapLeaf{}, err
		}
		dks[i] = dk
	}
	leaf := TapLeaf{LeafVersion: byte(txscript.BaseLeafVersion), Keys: dks, Required: 1}
	switch n.fn {
	case fnPK:
		leaf.Script = pkScript(dks[0].PubKey)
	case fnMultiA, fnSortedMultiA:
		if n.fn == fnSortedMultiA {
			sortKeys(dks)
		}
		leaf.Required = n.k
		leaf.Script = multiAScript(n.k, dks)
	default:
		return TapLeaf{}, fmt.Errorf("%s() is not allowed in a tr() tree", n.fn)
	}
	return leaf, nil
}

func tapLeafHash(version byte, script []byte) []byte {
	var buf bytes.Buffer
	buf.WriteByte(version)
	_ = wireVarInt(&buf, uint64(len(script)))
	buf.Write(script)
	h := chainhash.TaggedHash(chainhash.TagTapLeaf, buf.Bytes())
	return h[:]
}

func wireVarInt(buf *bytes.Buffer, v uint64) error {
	switch {
	case v < 0xfd:
		buf.WriteByte(byte(v))
	case v <= 0xffff:
		buf.Write([]byte{0xfd, byte(v), byte(v >> 8)})
	default:
		buf.Write([]byte{0xfe, byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
	}
	return nil
}

func tapBranchHash(a, b []byte) []byte {
	if bytes.Compare(a, b) > 0 {
		a, b = b, a
	}
	h := chainhash.TaggedHash(chainhash.TagTapBranch, a, b)
	return h[:]
}

// walkTree builds the leaves of t, returning the subtree hash; each leaf's
// proof (sibling hashes from the leaf up) is extended as the walk returns.
func walkTree(t *tapNode, index uint32, leaves *[]TapLeaf, proofs *[][]byte) ([]byte, error) {
	if t.leaf != nil {
		leaf, err := t.leaf.tapLeafScript(index)
		if err != nil {
			return nil, err
		}
		*leaves = append(*leaves, leaf)
		*proofs = append(*proofs, nil)
		return tapLeafHash(leaf.LeafVersion, leaf.Script), nil
	}
	first := len(*leaves)
	l, err := walkTree(t.left, index, leaves, proofs)
	if err != nil {
		return nil, err
	}
	mid := len(*leaves)
	r, err := walkTree(t.right, index, leaves, proofs)
	if err != nil {
		return nil, err
	}
	for i := first; i < mid; i++ {
		(*proofs)[i] = append((*proofs)[i], r...)
	}
	for i := mid; i < len(*leaves); i++ {
		(*proofs)[i] = append((*proofs)[i], l...)
	}
	return tapBranchHash(l, r), nil
}

// deriveTaproot builds the BIP341 output of tr(KEY[,TREE]) (BIP386).
func (n *node) deriveTaproot(index uint32) (*Derived, error) {
	internal, err := n.keys[0].derive(index, true)
	if err != nil {
		return nil, err
	}
	internalPub, err := schnorr.ParsePubKey(internal.PubKey)
	if err != nil {
		return nil, fmt.Errorf("tr(): internal key: %v", err)
	}
	info := &TaprootInfo{InternalKey: internal}
	var proofs [][]byte
	if n.tree != nil {
		if info.MerkleRoot, err = walkTree(n.tree, index, &info.Leaves, &proofs); err != nil {
			return nil, err
		}
	}
	outKey := txscript.ComputeTaprootOutputKey(internalPub, info.MerkleRoot)
	info.OutputKey = schnorr.SerializePubKey(outKey)
	parity := outKey.SerializeCompressed()[0] & 1
	out := &Derived{
		ScriptPubKey: append([]byte{txscript.OP_1, 32}, info.OutputKey...),
		Keys:         []DerivedKey{internal},
		Required:     1,
		Taproot:      info,
	}
	for i := range info.Leaves {
		cb := make([]byte, 0, 33+len(proofs[i]))
		cb = append(cb, info.Leaves[i].LeafVersion|parity)
		cb = append(cb, internal.PubKey...)
		info.Leaves[i].ControlBlock = append(cb, proofs[i]...)
		out.Keys = append(out.Keys, info.Leaves[i].Keys...)
	}
	return out, nil
}

// ErrWrongNetwork is wrapped by the errors of CheckNetwork and Address when
// the descriptor's keys or address belong to another network.
var ErrWrongNetwork = errors.New("wrong network")

// wrongNetworkError is a user-facing message that matches ErrWrongNetwork.
type wrongNetworkError struct{ msg string }

func (e *wrongNetworkError) Error() string        { return e.msg }
func (e *wrongNetworkError) Is(target error) bool { return target == ErrWrongNetwork }

// CheckNetwork reports whether the descriptor's extended keys (xpub/tpub
// versions, BIP32), WIF keys and addr() address belong to net. Hex public
// keys fit every network. The error wraps ErrWrongNetwork.
func (d *Descriptor) CheckNetwork(net network.Network) error {
	for _, k := range d.top.allKeys() {
		if k.testnet == 1 && net != network.Main || k.testnet == 2 && net == network.Main {
			kind := "mainnet"
			if k.testnet == 2 {
				kind = "testnet"
			}
			return &wrongNetworkError{fmt.Sprintf("key %s is a %s key but addresses for %s were asked: use the network the keys were exported for", abbrev(k.text), kind, net)}
		}
	}
	if d.top.fn == fnAddr {
		if _, err := net.DecodeAddress(d.top.addr.String()); err != nil {
			return &wrongNetworkError{fmt.Sprintf("addr(%s) is not an address for %s", d.top.addr, net)}
		}
	}
	return nil
}

// Address returns the address of the output at index on the network. It
// fails for scripts without an address form (pk(), bare multisig, non-standard
// raw()), for combo(), and when the descriptor's extended or WIF keys or
// addr() belong to another network (tpub on main, xpub on test: see
// CheckNetwork).
func (d *Descriptor) Address(index uint32, net network.Network) (string, error) {
	if err := d.CheckNetwork(net); err != nil {
		return "", err
	}
	params := net.Params()
	if d.top.fn == fnAddr {
		return d.top.addr.String(), nil
	}
	der, err := d.Derive(index)
	if err != nil {
		return "", err
	}
	return scriptAddress(der.ScriptPubKey, params)
}

// scriptAddress encodes a standard output script as an address.
func scriptAddress(script []byte, params *chaincfg.Params) (string, error) {
	class, addrs, _, err := txscript.ExtractPkScriptAddrs(script, params)
	if err != nil || len(addrs) != 1 {
		return "", fmt.Errorf("script %x has no address form", script)
	}
	switch class {
	case txscript.PubKeyHashTy, txscript.ScriptHashTy, txscript.WitnessV0PubKeyHashTy,
		txscript.WitnessV0ScriptHashTy, txscript.WitnessV1TaprootTy:
		return addrs[0].EncodeAddress(), nil
	}
	return "", fmt.Errorf("a %s script has no address form: use the script itself", class)
}
