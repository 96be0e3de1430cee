package psbt

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/stretchr/testify/require"
)

// numsKey is BIP341's provably unspendable H point, used as the internal key
// of script-path-only taproot wallets.
const numsKey = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"

// device is a software signer made from a fixed seed.
type device struct {
	master *hdkeychain.ExtendedKey
	fp     keys.Fingerprint
}

func newDevice(t testing.TB, n byte) device {
	seed := sha256.Sum256([]byte{n, 's', 'p', 'e', 'c', 't', 'e', 'r'})
	m, err := hdkeychain.NewMaster(seed[:], network.Regtest.Params())
	require.NoError(t, err)
	fp, err := keys.MasterFingerprint(m)
	require.NoError(t, err)
	return device{m, fp}
}

// keyExpr returns "[fp/path]tpub.../<0;1>/*" for the account at path.
func (d device) keyExpr(t testing.TB, path string) string {
	p, err := keys.ParsePath(path)
	require.NoError(t, err)
	k := d.master
	for _, s := range p {
		k, err = k.Derive(s)
		require.NoError(t, err)
	}
	pub, err := k.Neuter()
	require.NoError(t, err)
	return fmt.Sprintf("[%s/%s]%s/<0;1>/*", d.fp, p.String(), pub.String())
}

func threeDevices(t testing.TB) []device {
	return []device{newDevice(t, 1), newDevice(t, 2), newDevice(t, 3)}
}

func wallet(t testing.TB, desc string) *Wallet {
	d, err := descriptor.Parse(desc)
	require.NoError(t, err, desc)
	w, err := NewWallet(network.Regtest, d)
	require.NoError(t, err)
	return w
}

// fund makes a previous transaction paying value to the wallet at (0, index).
func fund(t testing.TB, w *Wallet, index uint32, value int64) UTXO {
	return fundBranch(t, w, 0, index, value)
}

// fundBranch makes a previous transaction paying value to the wallet at
// (branch, index).
func fundBranch(t testing.TB, w *Wallet, branch int, index uint32, value int64) UTXO {
	der, err := w.derive(branch, index)
	require.NoError(t, err)
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte{byte(index)}), Index: 7}, Sequence: 0xffffffff})
	prev.AddTxOut(wire.NewTxOut(1000, der.ScriptPubKey)) // another output, so index 1 is used
	prev.AddTxOut(wire.NewTxOut(value, der.ScriptPubKey))
	return UTXO{OutPoint: wire.OutPoint{Hash: prev.TxHash(), Index: 1}, Value: value, Branch: branch, Index: index, PrevTx: prev}
}

func roundTrip(t testing.TB, p *Packet) *Packet {
	raw, err := Serialize(p)
	require.NoError(t, err)
	q, err := Parse(raw)
	require.NoError(t, err)
	return q
}

func TestFullCycleCreateSignCombineFinalizeExtract(t *testing.T) {
	devs := threeDevices(t)
	k := func(path string) string {
		parts := make([]string, len(devs))
		for i, d := range devs {
			parts[i] = d.keyExpr(t, path)
		}
		return strings.Join(parts, ",")
	}
	cases := []struct {
		name    string
		desc    string
		signers []int
		kind    string
		req     int
		// reqBefore, when set, is the smallest number of signatures that
		// could spend the unsigned input (another leaf needs fewer).
		reqBefore int
		// cheaperPathEstimate: the unsigned estimate assumes the cheapest
		// spending path (key path, or the smallest leaf), but the test
		// spends by a larger script path.
		cheaperPathEstimate bool
	}{
		{"2-of-3 wsh sortedmulti signed by devices 1 and 3", "wsh(sortedmulti(2," + k("48h/1h/0h/2h") + "))", []int{0, 2}, "wsh", 2, 0, false},
		{"2-of-3 sh(wsh) sortedmulti signed by devices 2 and 3", "sh(wsh(sortedmulti(2," + k("48h/1h/0h/1h") + ")))", []int{1, 2}, "sh-wsh", 2, 0, false},
		{"2-of-3 legacy sh multi signed by devices 1 and 2", "sh(multi(2," + k("45h") + "))", []int{0, 1}, "sh", 2, 0, false},
		{"wpkh single key", "wpkh(" + devs[0].keyExpr(t, "84h/1h/0h") + ")", []int{0}, "wpkh", 1, 0, false},
		{"sh(wpkh) single key", "sh(wpkh(" + devs[1].keyExpr(t, "49h/1h/0h") + "))", []int{1}, "sh-wpkh", 1, 0, false},
		{"pkh legacy single key", "pkh(" + devs[2].keyExpr(t, "44h/1h/0h") + ")", []int{2}, "pkh", 1, 0, false},
		{"tr key path single key", "tr(" + devs[0].keyExpr(t, "86h/1h/0h") + ")", []int{0}, "tr", 1, 0, false},
		{"tr script path 2-of-3 multi_a signed by devices 1 and 2", "tr(" + numsKey + ",multi_a(2," + k("87h/1h/0h") + "))", []int{0, 1}, "tr", 2, 0, false},
		{"tr script path pk leaf signed by device 3, not the internal key", "tr(" + devs[1].keyExpr(t, "86h/1h/1h") + ",{pk(" + devs[0].keyExpr(t, "86h/1h/2h") + "),pk(" + devs[2].keyExpr(t, "86h/1h/2h") + ")})", []int{2}, "tr", 1, 0, true},
		{"tr sortedmulti_a 2-of-3 in a two-leaf tree signed by devices 2 and 3", "tr(" + numsKey + ",{sortedmulti_a(2," + k("87h/1h/1h") + "),pk(" + devs[0].keyExpr(t, "86h/1h/3h") + ")})", []int{1, 2}, "tr", 2, 1, true},
		{"tr key path with a script tree", "tr(" + devs[1].keyExpr(t, "86h/1h/1h") + ",{pk(" + devs[0].keyExpr(t, "86h/1h/2h") + "),pk(" + devs[2].keyExpr(t, "86h/1h/2h") + ")})", []int{1}, "tr", 1, 0, false},
	}
	// The taproot wallets' keys and trees, from scratch, for checking the
	// BIP371 fields Create writes (expectTap).
	all3 := func(acct string) []tapKeySpec {
		return []tapKeySpec{{0, acct}, {1, acct}, {2, acct}}
	}
	nums := tapKeySpec{-1, ""}
	pkLeaves := []tapLeafSpec{{"pk", 1, []tapKeySpec{{0, "86h/1h/2h"}}}, {"pk", 1, []tapKeySpec{{2, "86h/1h/2h"}}}}
	taps := map[string]tapSpec{
		"tr key path single key":                                               {internal: tapKeySpec{0, "86h/1h/0h"}},
		"tr script path 2-of-3 multi_a signed by devices 1 and 2":              {internal: nums, leaves: []tapLeafSpec{{"multi_a", 2, all3("87h/1h/0h")}}},
		"tr script path pk leaf signed by device 3, not the internal key":      {internal: tapKeySpec{1, "86h/1h/1h"}, leaves: pkLeaves},
		"tr sortedmulti_a 2-of-3 in a two-leaf tree signed by devices 2 and 3": {internal: nums, leaves: []tapLeafSpec{{"sortedmulti_a", 2, all3("87h/1h/1h")}, {"pk", 1, []tapKeySpec{{0, "86h/1h/3h"}}}}},
		"tr key path with a script tree":                                       {internal: tapKeySpec{1, "86h/1h/1h"}, leaves: pkLeaves},
	}
	tapCases := 0
	for _, tc := range cases {
		if tc.kind == "tr" {
			_, ok := taps[tc.name]
			require.True(t, ok, "taproot case %q has its BIP371 expectations", tc.name)
			tapCases++
		}
	}
	require.Equal(t, len(taps), tapCases)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := wallet(t, tc.desc)
			// One coin received, one from earlier change (branch 1).
			u1, u2 := fund(t, w, 0, 150_000), fundBranch(t, w, 1, 5, 60_000)
			p, err := Create(w, CreateOptions{
				Inputs:        []UTXO{u1, u2},
				Outputs:       []Recipient{{Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Amount: 100_000}},
				Change:        &ChangeOutput{Branch: 1, Index: 3, Amount: 105_000},
				CurrentHeight: 500,
			})
			require.NoError(t, err)
			require.Equal(t, uint32(500), p.UnsignedTx.LockTime)
			require.Equal(t, uint32(SequenceRBF), p.UnsignedTx.TxIn[0].Sequence)
			if spec, ok := taps[tc.name]; ok {
				// BIP371 fields of both inputs (receive/0, change/5) and of
				// the change output (change/3), for every cosigner.
				checkTapInput(t, &p.Inputs[0], p.Inputs[0].WitnessUtxo.PkScript, expectTap(t, devs, spec, 0, 0))
				checkTapInput(t, &p.Inputs[1], p.Inputs[1].WitnessUtxo.PkScript, expectTap(t, devs, spec, 1, 5))
				checkTapOutput(t, &p.Outputs[1], p.UnsignedTx.TxOut[1].PkScript, expectTap(t, devs, spec, 1, 3))
			}

			a, err := Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w})
			require.NoError(t, err)
			require.Equal(t, int64(5_000), a.Fee)
			require.True(t, a.FeeKnown)
			require.True(t, a.VSizeEstimated)
			require.Equal(t, tc.kind, a.Inputs[0].ScriptType)
			if tc.reqBefore != 0 {
				require.Equal(t, tc.reqBefore, a.Inputs[0].Required)
			} else {
				require.Equal(t, tc.req, a.Inputs[0].Required)
			}
			require.Equal(t, 0, a.Inputs[0].Signatures)
			require.False(t, a.Outputs[0].Change)
			require.True(t, a.Outputs[1].Change, "change must be proven by the descriptor")
			require.Equal(t, 1, a.Outputs[1].Branch)
			require.Equal(t, uint32(3), a.Outputs[1].AddrIndex)
			require.Empty(t, a.Warnings)
			require.True(t, a.Inputs[0].Ours, "inputs proven by the descriptor")
			require.True(t, a.Inputs[1].Ours)
			estimated := a.VSize

			var signed []*Packet
			for _, s := range tc.signers {
				c := roundTrip(t, p)
				res, err := Sign(c, devs[s].master)
				require.NoError(t, err)
				require.Equal(t, []int{0, 1}, res.Inputs)
				require.Equal(t, 2, res.Signatures)
				signed = append(signed, roundTrip(t, c))
			}
			all, err := Combine(signed...)
			require.NoError(t, err)
			a, err = Analyse(all, AnalyseOptions{Network: network.Regtest, Wallet: w})
			require.NoError(t, err)
			require.Equal(t, tc.req, a.Inputs[1].Signatures)
			require.Equal(t, tc.req, a.Inputs[1].Required)
			want := []string{}
			for _, s := range tc.signers {
				want = append(want, devs[s].fp.String())
			}
			require.ElementsMatch(t, want, a.Inputs[1].SignedBy)

			n, err := Finalize(all)
			require.NoError(t, err)
			require.Equal(t, 2, n)
			require.True(t, IsComplete(all))
			final := roundTrip(t, all)
			tx, err := Extract(final)
			require.NoError(t, err)
			require.Len(t, tx.TxIn, 2)

			a, err = Analyse(final, AnalyseOptions{Network: network.Regtest, Wallet: w})
			require.NoError(t, err)
			require.True(t, a.Complete)
			require.False(t, a.VSizeEstimated)
			require.Equal(t, (tx.SerializeSizeStripped()*3+tx.SerializeSize()+3)/4, a.VSize)
			// The estimate assumes 72-byte signatures (the largest low-S DER
			// signature); ours are low-R (71 bytes): an upper bound, close.
			if tc.cheaperPathEstimate {
				require.Less(t, estimated, a.VSize)
				return
			}
			require.GreaterOrEqual(t, estimated, a.VSize)
			require.LessOrEqual(t, estimated-a.VSize, 4*len(tx.TxIn), "estimate within a few vbytes per input")
		})
	}
}
