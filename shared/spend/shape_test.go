package spend

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
)

// TestShapeOfWalletKinds checks the input weights the wallet kinds are
// priced with, counted by hand from BIP141/BIP341: 41 non-witness bytes (x4)
// per input plus the witness (or the scriptSig, x4).
func TestShapeOfWalletKinds(t *testing.T) {
	devs := devices(t)
	k := func(st keys.ScriptType) string { return devs[0].keyExpr(st) }
	three := func(st keys.ScriptType) string {
		return devs[0].keyExpr(st) + "," + devs[1].keyExpr(st) + "," + devs[2].keyExpr(st)
	}
	for _, tc := range []struct {
		name   string
		desc   string
		change coinselect.ScriptType
		weight int64
		err    string
	}{
		// 4 x (41 + 106-byte scriptSig <72-byte sig> <33-byte key>, 1 length byte) = 4 x 148.
		{"pkh", "pkh(" + k(keys.ScriptPKH) + ")", coinselect.P2PKH, 592, ""},
		// 4 x (41 + 23) + witness 1 + 73 + 34.
		{"sh(wpkh)", "sh(wpkh(" + k(keys.ScriptSHWPKH) + "))", coinselect.P2SHP2WPKH, 364, ""},
		// 4 x 41 + 108.
		{"wpkh", "wpkh(" + k(keys.ScriptWPKH) + ")", coinselect.P2WPKH, 272, ""},
		// 4 x 41 + 66.
		{"tr key path", "tr(" + k(keys.ScriptTR) + ")", coinselect.P2TR, 230, ""},
		// 4 x 41 + 254 (see walletCases).
		{"wsh 2-of-3", "wsh(sortedmulti(2," + three(keys.ScriptWSH) + "))", coinselect.P2WSH, 418, ""},
		// 4 x (41 + 35) + 254.
		{"sh(wsh) 2-of-3", "sh(wsh(sortedmulti(2," + three(keys.ScriptSHWSH) + ")))", coinselect.P2SHP2WSH, 558, ""},
		// 4 x (41 + 2 (length) + 1 (OP_0) + 2 x 73 + 2 + 105) = 4 x 297.
		{"sh 2-of-3", "sh(sortedmulti(2," + three(keys.ScriptSHWSH) + "))", coinselect.P2SH, 1188, ""},
		// 4 x 41 + 271 (see walletCases).
		{"tr multi_a 2-of-3 under NUMS", multiADescriptor(devs), coinselect.P2TR, 435, ""},
		{"tr with two leaves under NUMS", "tr(" + numsKey + ",{pk(" + k(keys.ScriptTR) + "),pk(" + devs[1].keyExpr(keys.ScriptTR) + ")})", 0, 0,
			"must have exactly one multi_a leaf"},
		{"combo", "combo(" + k(keys.ScriptWPKH) + ")", 0, 0, "spending from a combo wallet is not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := descriptor.Parse(tc.desc)
			require.NoError(t, err)
			b, err := d.Branch(1)
			require.NoError(t, err)
			s, err := shapeOf(b)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.change, s.change)
			require.Equal(t, tc.weight, s.input.Weight())
		})
	}
}
