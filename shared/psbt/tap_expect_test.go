package psbt

import (
	"bytes"
	"encoding/hex"
	"sort"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/stretchr/testify/require"
)

// tapKeySpec is one key of a taproot wallet: a device's account (path
// without the branch and index steps). dev -1 is BIP341's NUMS point H.
type tapKeySpec struct {
	dev  int
	acct string
}

// tapLeafSpec is one leaf of a taproot wallet's tree: pk(key), or
// multi_a / sortedmulti_a (BIP387) of m keys.
type tapLeafSpec struct {
	kind string
	m    int
	keys []tapKeySpec
}

// tapSpec describes a taproot wallet from scratch, so that the BIP371 fields
// Create writes can be checked against values computed here with btcec and
// txscript only, not with the descriptor package.
type tapSpec struct {
	internal tapKeySpec
	leaves   []tapLeafSpec
}

// tapExpected is a taproot output's BIP371 fields, computed independently.
type tapExpected struct {
	internal   []byte
	merkleRoot []byte // nil without a script tree
	scripts    [][]byte
	depths     []uint8
	ders       []tapDer
}

// tapDer is a PSBT_IN/OUT_TAP_BIP32_DERIVATION in comparable form.
type tapDer struct {
	xonly, fp, path string
	leaves          []string
}

// xonlyAt derives a device's key at acct/branch/index from its master key
// and returns its BIP340 x-only serialisation and full path.
func xonlyAt(t *testing.T, d device, acct string, branch, index uint32) ([]byte, keys.Path) {
	p, err := keys.ParsePath(acct)
	require.NoError(t, err)
	p = append(p, branch, index)
	k := d.master
	for _, s := range p {
		k, err = k.Derive(s)
		require.NoError(t, err)
	}
	pub, err := k.ECPubKey()
	require.NoError(t, err)
	return schnorr.SerializePubKey(pub), p
}

// expectTap computes the BIP371 fields of spec's output at (branch, index):
// BIP341 leaf hashes and merkle root, BIP387 multi_a scripts, BIP371
// derivations of every key with the leaves it appears in.
func expectTap(t *testing.T, devs []device, spec tapSpec, branch, index uint32) tapExpected {
	var e tapExpected
	ders := map[string]*tapDer{}
	var order []string
	addDer := func(ks tapKeySpec) []byte {
		if ks.dev < 0 {
			h, err := hex.DecodeString(numsKey)
			require.NoError(t, err)
			return h
		}
		x, p := xonlyAt(t, devs[ks.dev], ks.acct, branch, index)
		if _, ok := ders[string(x)]; !ok {
			ders[string(x)] = &tapDer{xonly: hex.EncodeToString(x), fp: devs[ks.dev].fp.String(), path: p.String(), leaves: []string{}}
			order = append(order, string(x))
		}
		return x
	}
	e.internal = addDer(spec.internal)
	var leaves []txscript.TapLeaf
	for _, l := range spec.leaves {
		var xs [][]byte
		for _, ks := range l.keys {
			xs = append(xs, addDer(ks))
		}
		b := txscript.NewScriptBuilder()
		switch l.kind {
		case "pk":
			b.AddData(xs[0]).AddOp(txscript.OP_CHECKSIG)
		case "multi_a", "sortedmulti_a":
			if l.kind == "sortedmulti_a" {
				sort.Slice(xs, func(i, j int) bool { return bytes.Compare(xs[i], xs[j]) < 0 })
			}
			for i, x := range xs {
				b.AddData(x)
				if i == 0 {
					b.AddOp(txscript.OP_CHECKSIG)
				} else {
					b.AddOp(txscript.OP_CHECKSIGADD)
				}
			}
			b.AddInt64(int64(l.m)).AddOp(txscript.OP_NUMEQUAL)
		default:
			t.Fatalf("unknown leaf kind %s", l.kind)
		}
		script, err := b.Script()
		require.NoError(t, err)
		leaf := txscript.NewBaseTapLeaf(script)
		leaves = append(leaves, leaf)
		e.scripts = append(e.scripts, script)
		h := leaf.TapHash()
		for _, x := range xs {
			d := ders[string(x)]
			d.leaves = append(d.leaves, hex.EncodeToString(h[:]))
		}
	}
	switch len(leaves) {
	case 0:
	case 1:
		h := leaves[0].TapHash()
		e.merkleRoot, e.depths = h[:], []uint8{0}
	case 2:
		h := txscript.NewTapBranch(leaves[0], leaves[1]).TapHash()
		e.merkleRoot, e.depths = h[:], []uint8{1, 1}
	default:
		t.Fatalf("expectTap handles trees of at most two leaves")
	}
	for _, x := range order {
		d := *ders[x]
		sort.Strings(d.leaves)
		e.ders = append(e.ders, d)
	}
	return e
}

func comparableDers(t *testing.T, ds []*bpsbt.TaprootBip32Derivation) []tapDer {
	out := []tapDer{}
	for _, d := range ds {
		leaves := []string{}
		for _, h := range d.LeafHashes {
			leaves = append(leaves, hex.EncodeToString(h))
		}
		sort.Strings(leaves)
		out = append(out, tapDer{xonly: hex.EncodeToString(d.XOnlyPubKey), fp: keys.FingerprintFromUint32(d.MasterKeyFingerprint).String(),
			path: keys.Path(d.Bip32Path).String(), leaves: leaves})
	}
	return out
}

// checkTapOutputKey checks the BIP341 output key of internal and merkle
// root is the x-only key of the P2TR script.
func checkTapOutputKey(t *testing.T, e tapExpected, pkScript []byte) {
	t.Helper()
	internal, err := schnorr.ParsePubKey(e.internal)
	require.NoError(t, err)
	out := txscript.ComputeTaprootOutputKey(internal, e.merkleRoot)
	require.Equal(t, append([]byte{txscript.OP_1, txscript.OP_DATA_32}, schnorr.SerializePubKey(out)...), pkScript)
}

// checkTapInput checks a created taproot input's BIP371 fields against e.
func checkTapInput(t *testing.T, in *bpsbt.PInput, pkScript []byte, e tapExpected) {
	t.Helper()
	checkTapOutputKey(t, e, pkScript)
	require.Equal(t, e.internal, in.TaprootInternalKey)
	require.ElementsMatch(t, e.ders, comparableDers(t, in.TaprootBip32Derivation))
	if e.merkleRoot == nil {
		require.Empty(t, in.TaprootMerkleRoot)
		require.Empty(t, in.TaprootLeafScript)
		return
	}
	require.Equal(t, e.merkleRoot, in.TaprootMerkleRoot)
	var scripts [][]byte
	internal, err := schnorr.ParsePubKey(e.internal)
	require.NoError(t, err)
	for _, l := range in.TaprootLeafScript {
		scripts = append(scripts, l.Script)
		require.Equal(t, txscript.BaseLeafVersion, l.LeafVersion)
		cb, err := txscript.ParseControlBlock(l.ControlBlock)
		require.NoError(t, err)
		require.True(t, cb.InternalKey.IsEqual(internal), "control block carries the internal key")
		require.Equal(t, e.merkleRoot, cb.RootHash(l.Script), "control block proves the leaf under the merkle root")
		outKey := txscript.ComputeTaprootOutputKey(internal, e.merkleRoot)
		require.Equal(t, outKey.SerializeCompressed()[0] == 0x03, cb.OutputKeyYIsOdd, "control block carries the output key's parity")
	}
	require.ElementsMatch(t, e.scripts, scripts)
}

// checkTapOutput checks a created taproot change output's BIP371 fields.
func checkTapOutput(t *testing.T, out *bpsbt.POutput, pkScript []byte, e tapExpected) {
	t.Helper()
	checkTapOutputKey(t, e, pkScript)
	require.Equal(t, e.internal, out.TaprootInternalKey)
	require.ElementsMatch(t, e.ders, comparableDers(t, out.TaprootBip32Derivation))
	if e.merkleRoot == nil {
		require.Empty(t, out.TaprootTapTree)
		return
	}
	leaves, err := ParseTapTree(out.TaprootTapTree)
	require.NoError(t, err)
	var scripts [][]byte
	var depths []uint8
	for _, l := range leaves {
		scripts, depths = append(scripts, l.Script), append(depths, l.Depth)
		require.Equal(t, uint8(txscript.BaseLeafVersion), l.LeafVersion)
	}
	require.Equal(t, e.depths, depths)
	require.ElementsMatch(t, e.scripts, scripts)
	// The tree rebuilt from the field gives the merkle root.
	var tl []txscript.TapLeaf
	for _, s := range scripts {
		tl = append(tl, txscript.NewBaseTapLeaf(s))
	}
	var root chainhash.Hash
	if len(tl) == 1 {
		root = tl[0].TapHash()
	} else {
		root = txscript.NewTapBranch(tl[0], tl[1]).TapHash()
	}
	require.Equal(t, e.merkleRoot, root[:])
}
