package psbt

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/specterpwa/specter/shared/network"
	"github.com/stretchr/testify/require"
)

func wshWallet(t testing.TB, devs []device) *Wallet {
	parts := make([]string, len(devs))
	for i, d := range devs {
		parts[i] = d.keyExpr(t, "48h/1h/0h/2h")
	}
	return wallet(t, "wsh(sortedmulti(2,"+strings.Join(parts, ",")+"))")
}

func createSimple(t testing.TB, w *Wallet, change int64) *Packet {
	p, err := Create(w, CreateOptions{
		Inputs:  []UTXO{fund(t, w, 0, 100_000)},
		Outputs: []Recipient{{Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Amount: 50_000}},
		Change:  &ChangeOutput{Branch: 1, Index: 0, Amount: change},
	})
	require.NoError(t, err)
	return p
}

func TestSignRefusesInconsistentUTXOInformation(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)
	cases := map[string]func(p *Packet){
		"witness UTXO amount differs from the previous transaction": func(p *Packet) { p.Inputs[0].WitnessUtxo.Value++ },
		"non-witness UTXO is another transaction": func(p *Packet) {
			p.Inputs[0].NonWitnessUtxo.LockTime++
		},
		"no UTXO information at all": func(p *Packet) { p.Inputs[0].WitnessUtxo, p.Inputs[0].NonWitnessUtxo = nil, nil },
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			p := createSimple(t, w, 49_000)
			spoil(p)
			res, err := Sign(p, devs[0].master)
			require.Error(t, err)
			require.Contains(t, err.Error(), "input 0")
			require.Zero(t, res.Signatures)
			require.Empty(t, p.Inputs[0].PartialSigs, "nothing may be signed")
		})
	}
}

func TestSignSkipsInputsOfOtherKeysAndRejectsXpubs(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)
	p := createSimple(t, w, 49_000)
	stranger := newDevice(t, 9)
	res, err := Sign(p, stranger.master)
	require.NoError(t, err)
	require.Zero(t, res.Signatures)
	pub, err := devs[0].master.Neuter()
	require.NoError(t, err)
	_, err = Sign(p, pub)
	require.EqualError(t, err, "signing needs a private master key, not an xpub")
	// Signing twice adds nothing the second time.
	res, err = Sign(p, devs[0].master)
	require.NoError(t, err)
	require.Equal(t, 1, res.Signatures)
	res, err = Sign(p, devs[0].master)
	require.NoError(t, err)
	require.Zero(t, res.Signatures)
}

func TestAnalyseWarnsAboutFakeChangeAbsurdFeeAndDust(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)

	t.Run("output claiming our fingerprints with another script", func(t *testing.T) {
		p := createSimple(t, w, 49_000)
		// An attacker swaps the change script but keeps our derivations.
		p.UnsignedTx.TxOut[1].PkScript = p.UnsignedTx.TxOut[0].PkScript
		a, err := Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w})
		require.NoError(t, err)
		require.True(t, a.Outputs[1].ClaimsOurs)
		require.False(t, a.Outputs[1].Change)
		require.Equal(t, int64(99_000), a.Sent)
		require.Len(t, a.Warnings, 1)
		require.Contains(t, a.Warnings[0], "output 1 claims to belong to this wallet")
	})
	t.Run("change derived at a path other than the claimed one", func(t *testing.T) {
		p := createSimple(t, w, 49_000)
		der, err := w.derive(1, 7)
		require.NoError(t, err)
		p.UnsignedTx.TxOut[1].PkScript = der.ScriptPubKey // derivations still say index 0
		a, err := Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w})
		require.NoError(t, err)
		require.False(t, a.Outputs[1].Change)
	})
	t.Run("fee above 1000 sat/vB and above the amount sent", func(t *testing.T) {
		p, err := Create(w, CreateOptions{
			Inputs:  []UTXO{fund(t, w, 0, 100_000)},
			Outputs: []Recipient{{Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Amount: 20_000}},
			Change:  &ChangeOutput{Branch: 1, Index: 0, Amount: 1_000},
		})
		require.NoError(t, err)
		a, err := Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w})
		require.NoError(t, err)
		require.Equal(t, int64(79_000), a.Fee)
		require.Greater(t, a.FeeRate, 300.0)
		require.Less(t, a.FeeRate, 1000.0)
		require.Len(t, a.Warnings, 1, "79000 sat for ~190 vB is under 1000 sat/vB: only the fee>sent rule fires")
		require.Contains(t, a.Warnings[0], "more than the amount sent")
		a, err = Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w, MaxFeeRate: 100})
		require.NoError(t, err)
		require.Len(t, a.Warnings, 2)
		require.Contains(t, a.Warnings[0], "absurd fee")
	})
	t.Run("dust output", func(t *testing.T) {
		p := createSimple(t, w, 49_000)
		p.UnsignedTx.TxOut[0].Value = 293 // P2WPKH dust limit is 294
		a, err := Analyse(p, AnalyseOptions{Network: network.Regtest})
		require.NoError(t, err)
		require.True(t, a.Outputs[0].Dust)
		require.False(t, a.Outputs[1].Dust)
		require.Contains(t, fmt.Sprint(a.Warnings), "output 0 pays 293 sat, below the dust limit")
	})
}

func TestAnalyseAndSignFlagForeignInputsAndOddSighash(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)
	other := wshWallet(t, []device{devs[0], devs[1], newDevice(t, 7)})

	t.Run("input of another wallet sharing two cosigners", func(t *testing.T) {
		p := createSimple(t, other, 49_000)
		a, err := Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w})
		require.NoError(t, err)
		require.False(t, a.Inputs[0].Ours)
		require.Contains(t, fmt.Sprint(a.Warnings), "input 0 is not proven to belong to this wallet")
	})
	t.Run("SIGHASH_NONE requested", func(t *testing.T) {
		p := createSimple(t, w, 49_000)
		p.Inputs[0].SighashType = txscript.SigHashNone
		a, err := Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w})
		require.NoError(t, err)
		require.Equal(t, []string{"input 0 asks for sighash type 0x2 instead of SIGHASH_ALL: signatures would not commit to the whole transaction"}, a.Warnings)
		_, err = Sign(p, devs[0].master)
		require.ErrorContains(t, err, "only SIGHASH_ALL is signed")
		require.Empty(t, p.Inputs[0].PartialSigs)
	})
}

func TestCombineRefusesAnotherTransaction(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)
	a := createSimple(t, w, 49_000)
	b := createSimple(t, w, 48_000)
	_, err := Combine(a, b)
	require.ErrorContains(t, err, "PSBT 2 is for another transaction")
}

func TestExtractRefusesUnfinishedOrInvalidTransactions(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)
	p := createSimple(t, w, 49_000)
	_, err := Sign(p, devs[0].master)
	require.NoError(t, err)
	n, err := Finalize(p)
	require.NoError(t, err)
	require.Zero(t, n, "one signature of two is not enough")
	_, err = Extract(p)
	require.ErrorContains(t, err, "input 0 is not finalized")
	var open *NotFinalizedError
	require.ErrorAs(t, err, &open)
	require.Equal(t, []int{0}, open.Inputs)

	_, err = Sign(p, devs[1].master)
	require.NoError(t, err)
	_, err = Finalize(p)
	require.NoError(t, err)
	p.UnsignedTx.TxOut[0].Value-- // the signatures no longer match
	_, err = Extract(p)
	require.ErrorContains(t, err, "input 0 does not validate")
}

func TestCreateRejectsBadRequests(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)
	u := fund(t, w, 0, 100_000)
	to := []Recipient{{Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Amount: 50_000}}
	bad := u
	bad.Value = 99_999
	for name, c := range map[string]struct {
		opts CreateOptions
		msg  string
	}{
		"no coins":              {CreateOptions{Outputs: to}, "no coins to spend"},
		"mainnet address":       {CreateOptions{Inputs: []UTXO{u}, Outputs: []Recipient{{Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Amount: 1000}}}, "is not a valid regtest address"},
		"overspending":          {CreateOptions{Inputs: []UTXO{u}, Outputs: []Recipient{{Address: to[0].Address, Amount: 100_001}}}, "exceed the selected coins"},
		"wrong prevout amount":  {CreateOptions{Inputs: []UTXO{bad}, Outputs: to}, "does not match the coin's amount"},
		"same coin twice":       {CreateOptions{Inputs: []UTXO{u, u}, Outputs: to}, "selected twice"},
		"missing change branch": {CreateOptions{Inputs: []UTXO{u}, Outputs: to, Change: &ChangeOutput{Branch: 2, Amount: 1000}}, "branch 2 does not exist"},
		"change past the end":   {CreateOptions{Inputs: []UTXO{u}, Outputs: to, Change: &ChangeOutput{Branch: 1, Amount: 1000, Position: 3}}, "change position 3 is outside 1..2"},
		"negative position":     {CreateOptions{Inputs: []UTXO{u}, Outputs: to, Change: &ChangeOutput{Branch: 1, Amount: 1000, Position: -1}}, "change position -1 is outside 1..2"},
	} {
		_, err := Create(w, c.opts)
		require.ErrorContains(t, err, c.msg, name)
	}
	noRBF, err := Create(w, CreateOptions{Inputs: []UTXO{u}, Outputs: to, NoRBF: true, LockTime: 77, CurrentHeight: 99})
	require.NoError(t, err)
	require.Equal(t, uint32(SequenceNoRBF), noRBF.UnsignedTx.TxIn[0].Sequence)
	require.Equal(t, uint32(77), noRBF.UnsignedTx.LockTime)
	xp, err := GlobalXpubs(noRBF)
	require.NoError(t, err)
	require.Len(t, xp, 3)
	require.Equal(t, devs[0].fp.String()+"/48h/1h/0h/2h", xp[0].Origin.String())
	require.NotNil(t, noRBF.Inputs[0].NonWitnessUtxo, "segwit v0 inputs carry the previous transaction for hardware wallets")
	require.Len(t, noRBF.Inputs[0].Bip32Derivation, 3)
	_ = wire.OutPoint{}
}

// TestFinalizeSkipsBadSignatures: one cosigner's broken signature does not
// spoil a 2-of-3 input that has two good ones, for ECDSA and for tapscript.
func TestFinalizeSkipsBadSignatures(t *testing.T) {
	devs := threeDevices(t)
	keysFor := func(path string) string {
		parts := make([]string, len(devs))
		for i, d := range devs {
			parts[i] = d.keyExpr(t, path)
		}
		return strings.Join(parts, ",")
	}
	for name, desc := range map[string]string{
		"wsh sortedmulti": "wsh(sortedmulti(2," + keysFor("48h/1h/0h/2h") + "))",
		"tr multi_a":      "tr(" + numsKey + ",multi_a(2," + keysFor("87h/1h/0h") + "))",
	} {
		t.Run(name, func(t *testing.T) {
			w := wallet(t, desc)
			p := createSimple(t, w, 49_000)
			for _, d := range devs {
				_, err := Sign(p, d.master)
				require.NoError(t, err)
			}
			in := &p.Inputs[0]
			// Break, in a way that still parses, the signature of the first
			// key of the script: the one a finalizer would take first.
			broken := 0
			if len(in.PartialSigs) > 0 {
				require.Len(t, in.PartialSigs, 3)
				_, pubs, ok := parseMultisig(in.WitnessScript)
				require.True(t, ok)
				for _, s := range in.PartialSigs {
					if bytes.Equal(s.PubKey, pubs[0]) {
						s.Signature[len(s.Signature)-3] ^= 1 // a byte of s
						broken++
					}
				}
			} else {
				require.Len(t, in.TaprootScriptSpendSig, 3)
				_, pubs, ok := tapLeafKeys(in.TaprootLeafScript[0].Script)
				require.True(t, ok)
				for _, s := range in.TaprootScriptSpendSig {
					if bytes.Equal(s.XOnlyPubKey, pubs[0]) {
						s.Signature[40] ^= 1
						broken++
					}
				}
			}
			require.Equal(t, 1, broken)
			a, err := Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w})
			require.NoError(t, err)
			require.Equal(t, []string{"input 0 carries 1 invalid signature(s): they cannot be used, the cosigner must sign again"}, a.Warnings)
			require.Equal(t, 2, a.Inputs[0].Signatures)
			require.Equal(t, 2, a.Inputs[0].Required)
			require.Len(t, a.Inputs[0].SignedBy, 2)
			n, err := Finalize(p)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			_, err = Extract(p)
			require.NoError(t, err)
		})
	}
}

// TestCreatePutsTheChangeAtItsPosition: the change output, with its BIP32
// derivations, goes where Position says among the recipients (0: last),
// and Analyse proves it at that index.
func TestCreatePutsTheChangeAtItsPosition(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)
	to := []Recipient{
		{Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Amount: 30_000},
		{Address: "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry", Amount: 20_000},
	}
	for position, want := range map[int]int{0: 2, 1: 0, 2: 1, 3: 2} {
		p, err := Create(w, CreateOptions{Inputs: []UTXO{fund(t, w, 0, 100_000)}, Outputs: to,
			Change: &ChangeOutput{Branch: 1, Index: 4, Amount: 49_000, Position: position}})
		require.NoError(t, err)
		var amounts []int64
		for _, o := range p.UnsignedTx.TxOut {
			amounts = append(amounts, o.Value)
		}
		wantAmounts := []int64{30_000, 20_000}
		wantAmounts = append(wantAmounts[:want], append([]int64{49_000}, wantAmounts[want:]...)...)
		require.Equal(t, wantAmounts, amounts, "position %d", position)
		for i, o := range p.Outputs {
			require.Equal(t, i == want, len(o.Bip32Derivation) == 3, "position %d: only the change output carries derivations", position)
		}
		a, err := Analyse(p, AnalyseOptions{Network: network.Regtest, Wallet: w})
		require.NoError(t, err)
		for i, o := range a.Outputs {
			require.Equal(t, i == want, o.Change, "position %d output %d", position, i)
		}
		require.Equal(t, uint32(4), a.Outputs[want].AddrIndex)
	}
}

// TestNotFinalizedErrorNamesEveryOpenInput: Extract's error lists all the
// unfinalized inputs, in a sentence, and is found with errors.As.
func TestNotFinalizedErrorNamesEveryOpenInput(t *testing.T) {
	for name, c := range map[string]struct {
		inputs []int
		want   string
	}{
		"one input":    {[]int{0}, "input 0 is not finalized: collect the missing signatures and finalize first"},
		"two inputs":   {[]int{0, 2}, "inputs 0 and 2 are not finalized: collect the missing signatures and finalize first"},
		"three inputs": {[]int{0, 1, 3}, "inputs 0, 1 and 3 are not finalized: collect the missing signatures and finalize first"},
	} {
		require.EqualError(t, &NotFinalizedError{Inputs: c.inputs}, c.want, name)
	}
}

// TestAnalyseFlagsChangeBeyondTheWatchedAddresses: change proven at an
// index past the wallet's watched addresses (AnalyseOptions.WatchedUpTo) is
// flagged Unwatched with a warning saying the funds would not be seen; at
// or under the bound, or with no bound (0, or no entry for the branch, as
// the CLI does), it is plain proven change.
func TestAnalyseFlagsChangeBeyondTheWatchedAddresses(t *testing.T) {
	devs := threeDevices(t)
	w := wshWallet(t, devs)
	build := func(branch int, index uint32) *Packet {
		p, err := Create(w, CreateOptions{Inputs: []UTXO{fund(t, w, 0, 100_000)},
			Outputs: []Recipient{{Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Amount: 50_000}},
			Change:  &ChangeOutput{Branch: branch, Index: index, Amount: 49_000}})
		require.NoError(t, err)
		return p
	}
	for name, c := range map[string]struct {
		branch  int
		index   uint32
		watched []uint32
		warning string
	}{
		"change at the last watched index":           {1, 24, []uint32{29, 24}, ""},
		"change one past the watched ones":           {1, 25, []uint32{29, 24}, "change output 1 pays to change address #25, beyond the wallet's watched addresses (up to #24): the wallet would not see these funds; do not sign unless you raise the gap limit"},
		"change at the largest unhardened index":     {1, 1<<31 - 1, []uint32{29, 24}, "change output 1 pays to change address #2147483647, beyond the wallet's watched addresses (up to #24): the wallet would not see these funds; do not sign unless you raise the gap limit"},
		"change to a receive address past its bound": {0, 30, []uint32{29, 24}, "change output 1 pays to receive address #30, beyond the wallet's watched addresses (up to #29): the wallet would not see these funds; do not sign unless you raise the gap limit"},
		"no bound given (CLI)":                       {1, 1<<31 - 1, nil, ""},
		"bound 0 means no bound":                     {1, 1<<31 - 1, []uint32{29, 0}, ""},
		"no entry for the change branch":             {1, 1<<31 - 1, []uint32{29}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := Analyse(build(c.branch, c.index), AnalyseOptions{Network: network.Regtest, Wallet: w, WatchedUpTo: c.watched})
			require.NoError(t, err)
			out := a.Outputs[1]
			require.True(t, out.Change, "the output is still proven to be the wallet's")
			require.Equal(t, c.branch, out.Branch)
			require.Equal(t, c.index, out.AddrIndex)
			require.Equal(t, c.warning != "", out.Unwatched)
			if c.warning == "" {
				require.Empty(t, a.Warnings)
			} else {
				require.Equal(t, []string{c.warning}, a.Warnings)
			}
		})
	}
}
