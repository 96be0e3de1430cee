package psbt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/specterpwa/specter/shared/keys"
)

// TapTreeLeaf is one leaf of a BIP371 PSBT_OUT_TAP_TREE: its depth in the
// tree, its leaf version and its script, in depth-first order.
type TapTreeLeaf struct {
	Depth       uint8
	LeafVersion uint8
	Script      []byte
}

// ParseTapTree reads a BIP371 PSBT_OUT_TAP_TREE value and checks that the
// leaves form a complete binary tree of depth at most 128 (as Bitcoin Core
// requires).
func ParseTapTree(v []byte) ([]TapTreeLeaf, error) {
	if len(v) == 0 {
		return nil, errors.New("taproot tree is empty: BIP371 requires at least one leaf")
	}
	r := &reader{b: v}
	var leaves []TapTreeLeaf
	var b treeBuilder
	for r.pos < len(v) {
		hdr, err := r.bytes(2)
		if err != nil {
			return nil, errors.New("taproot tree is truncated in a leaf header")
		}
		n, err := r.varint()
		if err != nil {
			return nil, errors.New("taproot tree is truncated in a leaf script length")
		}
		script, err := r.bytes(n)
		if err != nil {
			return nil, errors.New("taproot tree is truncated in a leaf script")
		}
		if hdr[1]&0xfe != hdr[1] {
			return nil, fmt.Errorf("taproot tree has leaf version 0x%02x: a leaf version must be even", hdr[1])
		}
		if err := b.add(int(hdr[0])); err != nil {
			return nil, err
		}
		leaves = append(leaves, TapTreeLeaf{Depth: hdr[0], LeafVersion: hdr[1], Script: script})
	}
	if !b.done {
		return nil, errors.New("taproot tree is incomplete: its leaf depths do not form a full binary tree")
	}
	return leaves, nil
}

// EncodeTapTree writes leaves as a BIP371 PSBT_OUT_TAP_TREE value.
func EncodeTapTree(leaves []TapTreeLeaf) []byte {
	var b bytes.Buffer
	for _, l := range leaves {
		b.WriteByte(l.Depth)
		b.WriteByte(l.LeafVersion)
		_ = wire.WriteVarBytes(&b, 0, l.Script)
	}
	return b.Bytes()
}

// treeBuilder checks that leaves given depth-first with their depths make a
// complete tree, as Bitcoin Core's TaprootBuilder does.
type treeBuilder struct {
	branch []bool // branch[d]: a node waits for its sibling at depth d
	done   bool
}

func (t *treeBuilder) add(depth int) error {
	if t.done {
		return errors.New("taproot tree has leaves after its tree is already complete")
	}
	if depth > txscript.ControlBlockMaxNodeCount {
		return fmt.Errorf("taproot tree leaf depth %d is over the maximum of 128", depth)
	}
	if len(t.branch) > depth+1 {
		return errors.New("taproot tree leaf depths are not in depth-first order")
	}
	for len(t.branch) == depth+1 && t.branch[depth] {
		t.branch = t.branch[:depth]
		if depth == 0 {
			t.done = true
			return nil
		}
		depth--
	}
	if depth == 0 {
		t.done = true
		return nil
	}
	for len(t.branch) < depth+1 {
		t.branch = append(t.branch, false)
	}
	t.branch[depth] = true
	return nil
}

// GlobalXpub is a BIP174 PSBT_GLOBAL_XPUB entry: an extended public key and
// its origin (master fingerprint and path).
type GlobalXpub struct {
	Key    *hdkeychain.ExtendedKey
	Origin keys.Origin
}

// globalXpubType is the BIP174 key type of PSBT_GLOBAL_XPUB. btcutil/psbt
// v1.1.8 has no field for it, so the entries live in Packet.Unknowns.
const globalXpubType = 0x01

// GlobalXpubs returns the PSBT_GLOBAL_XPUB entries of the PSBT (BIP174).
func GlobalXpubs(p *Packet) ([]GlobalXpub, error) {
	var out []GlobalXpub
	for _, u := range p.Unknowns {
		if len(u.Key) == 0 || u.Key[0] != globalXpubType {
			continue
		}
		if len(u.Key) != 79 {
			return nil, fmt.Errorf("global xpub key is %d bytes: BIP174 wants the 78-byte BIP32 serialisation", len(u.Key)-1)
		}
		ser := u.Key[1:]
		k, err := hdkeychain.NewKeyFromString(base58.CheckEncode(ser[1:], ser[0]))
		if err != nil {
			return nil, fmt.Errorf("global xpub cannot be read: %w", err)
		}
		if k.IsPrivate() {
			return nil, errors.New("global xpub is a private key: a PSBT must only carry public keys")
		}
		fp, path, err := readDerivation(u.Value)
		if err != nil {
			return nil, fmt.Errorf("global xpub %s: %w", k, err)
		}
		out = append(out, GlobalXpub{Key: k, Origin: keys.Origin{Fingerprint: fp, Path: path}})
	}
	return out, nil
}

// AddGlobalXpub adds a PSBT_GLOBAL_XPUB entry (BIP174) unless the same key is
// already there.
func AddGlobalXpub(p *Packet, key *hdkeychain.ExtendedKey, origin keys.Origin) error {
	if key.IsPrivate() {
		return errors.New("refusing to put a private extended key in a PSBT")
	}
	raw := base58.Decode(key.String())
	if len(raw) != 82 {
		return fmt.Errorf("extended key %s does not serialise to 78 bytes", key)
	}
	k := append([]byte{globalXpubType}, raw[:78]...)
	for _, u := range p.Unknowns {
		if bytes.Equal(u.Key, k) {
			return nil
		}
	}
	p.Unknowns = append(p.Unknowns, &bpsbt.Unknown{Key: k, Value: bpsbt.SerializeBIP32Derivation(origin.Fingerprint.Uint32(), origin.Path)})
	return nil
}

func readDerivation(v []byte) (keys.Fingerprint, keys.Path, error) {
	if len(v) < 4 || len(v)%4 != 0 {
		return keys.Fingerprint{}, nil, errors.New("derivation must be a 4-byte fingerprint and 32-bit path steps")
	}
	var fp keys.Fingerprint
	copy(fp[:], v[:4])
	path := keys.Path{}
	for i := 4; i < len(v); i += 4 {
		path = append(path, binary.LittleEndian.Uint32(v[i:]))
	}
	return fp, path, nil
}

// leafHash is the BIP341 tapleaf hash of a leaf script.
func leafHash(version txscript.TapscriptLeafVersion, script []byte) chainhash.Hash {
	return txscript.TapLeaf{LeafVersion: version, Script: script}.TapHash()
}
