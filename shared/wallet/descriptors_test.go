package wallet

import (
	"bytes"
	"crypto/sha256"
	"sort"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/stretchr/testify/require"
)

func accountKey(t *testing.T, seedByte byte) *hdkeychain.ExtendedKey {
	k, err := hdkeychain.NewMaster(bytes.Repeat([]byte{seedByte}, 32), &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	for _, step := range []uint32{48, 1, 0, 2} {
		k, err = k.Derive(hdkeychain.HardenedKeyStart + step)
		require.NoError(t, err)
	}
	pub, err := k.Neuter()
	require.NoError(t, err)
	return pub
}

func childPub(t *testing.T, k *hdkeychain.ExtendedKey, branch, i uint32) *btcec.PublicKey {
	c, err := k.Derive(branch)
	require.NoError(t, err)
	c, err = c.Derive(i)
	require.NoError(t, err)
	pk, err := c.ECPubKey()
	require.NoError(t, err)
	return pk
}

// TestWalletKindsWatchTheScriptsTheirDescriptorsDefine builds the wallets
// issue 5 needs (2-of-3 sortedmulti P2WSH, single-key P2TR, nested
// P2SH-P2WPKH) and checks the watched scripts against scripts computed
// here from BIP32 keys with txscript (BIP67 key order, BIP341 key-path
// tweak).
func TestWalletKindsWatchTheScriptsTheirDescriptorsDefine(t *testing.T) {
	a, b, c := accountKey(t, 1), accountKey(t, 2), accountKey(t, 3)
	for _, tc := range []struct {
		name   string
		desc   string
		script func(branch, i uint32) []byte
		prefix string
	}{
		{
			name: "2-of-3 wsh sortedmulti",
			desc: "wsh(sortedmulti(2," + a.String() + "/<0;1>/*," + b.String() + "/<0;1>/*," + c.String() + "/<0;1>/*))",
			script: func(branch, i uint32) []byte {
				var pubs [][]byte
				for _, k := range []*hdkeychain.ExtendedKey{a, b, c} {
					pubs = append(pubs, childPub(t, k, branch, i).SerializeCompressed())
				}
				sort.Slice(pubs, func(x, y int) bool { return bytes.Compare(pubs[x], pubs[y]) < 0 })
				bld := txscript.NewScriptBuilder().AddOp(txscript.OP_2)
				for _, p := range pubs {
					bld.AddData(p)
				}
				ms, err := bld.AddOp(txscript.OP_3).AddOp(txscript.OP_CHECKMULTISIG).Script()
				require.NoError(t, err)
				h := sha256.Sum256(ms)
				addr, err := btcutil.NewAddressWitnessScriptHash(h[:], &chaincfg.RegressionNetParams)
				require.NoError(t, err)
				s, err := txscript.PayToAddrScript(addr)
				require.NoError(t, err)
				return s
			},
			prefix: "bcrt1q",
		},
		{
			name: "single-key tr",
			desc: "tr(" + a.String() + "/<0;1>/*)",
			script: func(branch, i uint32) []byte {
				out := txscript.ComputeTaprootKeyNoScript(childPub(t, a, branch, i))
				addr, err := btcutil.NewAddressTaproot(schnorr.SerializePubKey(out), &chaincfg.RegressionNetParams)
				require.NoError(t, err)
				s, err := txscript.PayToAddrScript(addr)
				require.NoError(t, err)
				return s
			},
			prefix: "bcrt1p",
		},
		{
			name: "nested sh(wpkh)",
			desc: "sh(wpkh(" + b.String() + "/<0;1>/*))",
			script: func(branch, i uint32) []byte {
				wp, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(childPub(t, b, branch, i).SerializeCompressed()), &chaincfg.RegressionNetParams)
				require.NoError(t, err)
				redeem, err := txscript.PayToAddrScript(wp)
				require.NoError(t, err)
				addr, err := btcutil.NewAddressScriptHash(redeem, &chaincfg.RegressionNetParams)
				require.NoError(t, err)
				s, err := txscript.PayToAddrScript(addr)
				require.NoError(t, err)
				return s
			},
			prefix: "2",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _, err := New(Params{Receive: tc.desc, Network: "regtest", GapLimit: 3})
			require.NoError(t, err)
			for _, k := range []Keychain{Receive, Change} {
				for i := uint32(0); i < 3; i++ {
					kc, idx, ok := w.IsMine(tc.script(uint32(k), i))
					require.True(t, ok, "%s/%d", k, i)
					require.Equal(t, k, kc)
					require.Equal(t, i, idx)
				}
			}
			next, _, err := w.NextReceiveAddress()
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(next.Address, tc.prefix), next.Address)
		})
	}
}
