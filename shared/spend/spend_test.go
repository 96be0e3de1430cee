package spend

import (
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/wallet"
)

// walletCase is a wallet kind of issue 5 with the devices that sign it.
type walletCase struct {
	name    string
	desc    func([]device) string
	signers []int
	// exactSize: the size estimate is exact (64-byte Schnorr signatures);
	// ECDSA signatures may be one byte shorter than the 72 bytes assumed.
	exactSize bool
	// sendVSize is the estimated vsize of a 1-input payment to a P2WPKH
	// address with change, counted by hand from BIP141: 10 bytes of
	// version, counts and locktime, a 41-byte input, a 31-byte P2WPKH
	// output and a 43-byte P2WSH/P2TR change output (125 x 4 = 500 WU), the
	// marker and flag (2 WU) and the witness: wsh 1 + 1 + 2 x (1 + 72) +
	// (1 + 105) = 254 WU, taproot key path 1 + 1 + 64 = 66 WU.
	sendVSize int64
}

var walletCases = []walletCase{
	{name: "2-of-3 wsh sortedmulti signed by devices 1 and 3", desc: wshDescriptor, signers: []int{0, 2}, sendVSize: 189},
	{name: "single-sig tr key path", desc: func(d []device) string { return trDescriptor(d[0]) }, signers: []int{0}, exactSize: true, sendVSize: 142},
	// Witness: 1 + 2 x 65 (signatures) + 1 (the third key's empty push) +
	// 105 (104-byte multi_a leaf) + 34 (control block) = 271 WU.
	{name: "2-of-3 tr multi_a script path signed by devices 2 and 3", desc: multiADescriptor, signers: []int{1, 2}, exactSize: true, sendVSize: 194},
}

func (wc walletCase) devices(devs []device) []device {
	out := make([]device, len(wc.signers))
	for i, s := range wc.signers {
		out[i] = devs[s]
	}
	return out
}

// funded is a wallet with 1 BTC at receive/0 and 0.5 BTC at receive/1,
// confirmed in block 10 of 13.
func funded(t *testing.T, desc string) (*chain, *wire.MsgTx) {
	c := newChain(t, desc, 10)
	fund := externalTx(1, wire.NewTxOut(100_000_000, c.script(wallet.Receive, 0)), wire.NewTxOut(50_000_000, c.script(wallet.Receive, 1)))
	c.mine(fund)
	c.mine()
	c.mine()
	require.Equal(t, wallet.Balance{Confirmed: 150_000_000}, c.w.Balance())
	return c, fund
}

func outsideAddress(t testing.TB) string { return testAddrs(t).wpkh[network.Regtest] }

// checkSigned signs res with the case's devices and checks the transaction
// with btcd's script engine: valid, fee exact, fee rate at least the rate
// asked, size estimate exact (taproot) or at most one vbyte per ECDSA
// signature above the real size.
func checkSigned(t *testing.T, c *chain, wc walletCase, devs []device, res *Result, rate coinselect.FeeRate) *wire.MsgTx {
	t.Helper()
	tx := sign(t, res.PSBT, wc.devices(devs)...)
	require.Equal(t, res.ID, tx.TxHash().String(), "no witness changes the txid")
	require.Equal(t, res.Fee, verify(t, c.w, tx))
	require.Equal(t, res.Fee, res.Analysis.Fee)
	got := vsize(tx)
	if wc.exactSize {
		require.Equal(t, res.VSize, got)
	} else {
		require.GreaterOrEqual(t, res.VSize, got)
		require.LessOrEqual(t, res.VSize-got, int64(len(tx.TxIn)*len(wc.signers)+3)/4)
	}
	require.GreaterOrEqual(t, coinselect.FeeRateOf(res.Fee, got), rate)
	return tx
}

func TestBuildSendToOutsideAddressSignBroadcastConfirm(t *testing.T) {
	devs := devices(t)
	for _, wc := range walletCases {
		t.Run(wc.name, func(t *testing.T) {
			c, fund := funded(t, wc.desc(devs))
			rate := coinselect.FeeRate(2_500)
			res, err := Build(c.w, Request{
				Recipients: []Recipient{{Address: outsideAddress(t), Amount: 30_000_000, Label: "rent"}},
				FeeRate:    rate, AntiFeeSnipingHeight: 12, Seed: 1, Network: network.Regtest,
			})
			require.NoError(t, err)
			require.Empty(t, res.Warnings)

			// One input (coinselect's pick with seed 1 is the 1 BTC coin),
			// change to change/0, proven.
			require.Equal(t, []wire.OutPoint{{Hash: fund.TxHash(), Index: 0}}, res.Inputs)
			require.Equal(t, int64(30_000_000), res.Sent)
			require.NotNil(t, res.Change)
			require.Equal(t, uint32(0), res.Change.Index)
			require.Equal(t, int64(100_000_000-30_000_000)-res.Fee, res.Change.Amount)
			require.Equal(t, wc.sendVSize, res.VSize)
			require.Equal(t, (wc.sendVSize*2_500+999)/1000, res.Fee, "the change takes the excess: the fee is 2.5 sat/vB times the size, rounded up")
			require.Equal(t, coinselect.FeeRateOf(res.Fee, res.VSize), res.FeeRate)
			require.GreaterOrEqual(t, res.FeeRate, rate)
			require.Len(t, res.Analysis.Outputs, 2)
			recipient := res.Analysis.Outputs[1-res.Change.Output]
			require.False(t, recipient.Change)
			require.Equal(t, outsideAddress(t), recipient.Address)
			ch := res.Analysis.Outputs[res.Change.Output]
			require.True(t, ch.Change, "change proven by the wallet's descriptor")
			require.Equal(t, 1, ch.Branch)
			require.Equal(t, uint32(0), ch.AddrIndex)
			require.Equal(t, res.Change.Address, ch.Address)
			k, idx, mine := c.w.IsMine(res.PSBT.UnsignedTx.TxOut[res.Change.Output].PkScript)
			require.True(t, mine)
			require.Equal(t, wallet.Change, k)
			require.Equal(t, uint32(0), idx)
			require.Equal(t, uint32(12), res.PSBT.UnsignedTx.LockTime, "anti fee sniping")
			require.Equal(t, uint32(psbt.SequenceRBF), res.PSBT.UnsignedTx.TxIn[0].Sequence, "RBF on by default")
			require.True(t, res.Analysis.RBF)

			// The coin is locked for the pending PSBT until it is broadcast.
			require.Equal(t, map[string]string{fund.TxHash().String() + ":0": res.ID}, res.Changes.Locked)
			require.Equal(t, map[wallet.Keychain]uint32{wallet.Change: 1}, res.Changes.Revealed)
			require.Equal(t, wallet.Balance{Confirmed: 50_000_000, Locked: 100_000_000}, c.w.Balance())

			tx := checkSigned(t, c, wc, devs, res, rate)
			c.mempool(tx)
			require.Equal(t, wallet.Balance{Confirmed: 50_000_000, TrustedPending: res.Change.Amount}, c.w.Balance())
			c.mine(tx)
			require.Equal(t, wallet.Balance{Confirmed: 150_000_000 - 30_000_000 - res.Fee}, c.w.Balance())
		})
	}
}

func TestBuildSendMaxAndSubtractFee(t *testing.T) {
	devs := devices(t)
	for _, wc := range walletCases {
		t.Run(wc.name+": send max spends everything with no change", func(t *testing.T) {
			c, _ := funded(t, wc.desc(devs))
			rate := coinselect.FeeRate(3_000)
			res, err := Build(c.w, Request{Recipients: []Recipient{{Address: outsideAddress(t), Max: true}}, FeeRate: rate})
			require.NoError(t, err)
			require.Nil(t, res.Change)
			require.Len(t, res.Inputs, 2)
			require.Equal(t, rate.Fee(res.VSize), res.Fee)
			require.Equal(t, 150_000_000-res.Fee, res.Sent)
			require.Equal(t, []int64{150_000_000 - res.Fee}, []int64{res.PSBT.UnsignedTx.TxOut[0].Value})
			require.Empty(t, res.Changes.Revealed, "no change address is revealed")
			tx := checkSigned(t, c, wc, devs, res, rate)
			c.mine(tx)
			require.Equal(t, wallet.Balance{}, c.w.Balance())
		})
		t.Run(wc.name+": subtract fee makes the recipient pay it", func(t *testing.T) {
			c, _ := funded(t, wc.desc(devs))
			rate := coinselect.FeeRate(1_000)
			res, err := Build(c.w, Request{Recipients: []Recipient{{Address: outsideAddress(t), Amount: 120_000_000, SubtractFee: true}}, FeeRate: rate, Seed: 7})
			require.NoError(t, err)
			require.Len(t, res.Inputs, 2)
			require.Equal(t, rate.Fee(res.VSize), res.Fee)
			require.Equal(t, 120_000_000-res.Fee, res.Sent)
			require.Equal(t, int64(30_000_000), res.Change.Amount, "the change is exactly what was not sent")
			checkSigned(t, c, wc, devs, res, rate)
		})
	}
}

func TestBuildRecipientsFromBIP21AndCSV(t *testing.T) {
	devs := devices(t)
	c, _ := funded(t, wshDescriptor(devs))
	a := testAddrs(t)
	rs, err := ParseCSV("address,amount\n" + a.tr[network.Regtest] + ",1500000 sats\n" + a.pkh[network.Regtest] + ",0.02,shop\n")
	require.NoError(t, err)
	rs = append(rs, Recipient{Address: "bitcoin:" + a.wpkh[network.Regtest] + "?amount=0.0301&label=Luke-Jr&message=Donation%20for%20project%20xyz"})
	res, err := Build(c.w, Request{Recipients: rs, FeeRate: 1_000})
	require.NoError(t, err)
	// The recipients keep their order; the change is somewhere among them.
	var got []int64
	var addrs []string
	for i, o := range res.Analysis.Outputs {
		require.Equal(t, i == int(res.Change.Output), o.Change)
		if !o.Change {
			got = append(got, o.Amount)
			addrs = append(addrs, o.Address)
		}
	}
	require.Equal(t, []int64{1_500_000, 2_000_000, 3_010_000}, got)
	require.Equal(t, []string{a.tr[network.Regtest], a.pkh[network.Regtest], a.wpkh[network.Regtest]}, addrs)
	require.Equal(t, int64(6_510_000), res.Sent)
	checkSigned(t, c, walletCases[0], devs, res, 1_000)
}

func TestBuildRefusesBadRequests(t *testing.T) {
	devs := devices(t)
	a := testAddrs(t)
	out := a.wpkh[network.Regtest]
	for _, tc := range []struct {
		name string
		req  Request
		err  string
	}{
		{"no recipients", Request{FeeRate: 1_000}, "no recipients: add an address and an amount"},
		{"no fee rate", Request{Recipients: []Recipient{{Address: out, Amount: 10_000}}}, "no fee rate"},
		{"mainnet address", Request{Recipients: []Recipient{{Address: a.wpkh[network.Main], Amount: 10_000}}, FeeRate: 1_000},
			"recipient 1: address " + a.wpkh[network.Main] + " belongs to mainnet, but this wallet is on regtest"},
		{"testnet address in a BIP21 URI", Request{Recipients: []Recipient{{Address: out, Amount: 10_000}, {Address: "bitcoin:" + a.tr[network.Test] + "?amount=1"}}, FeeRate: 1_000},
			"recipient 2: address " + a.tr[network.Test] + " belongs to testnet or signet, but this wallet is on regtest"},
		{"BIP21 with req- parameter", Request{Recipients: []Recipient{{Address: "bitcoin:" + out + "?req-pop=1"}}, FeeRate: 1_000}, "recipient 1: payment URI requires \"req-pop\""},
		{"dust to P2WPKH", Request{Recipients: []Recipient{{Address: out, Amount: 293}}, FeeRate: 1_000},
			"recipient 1 (" + out + "): 293 sats is dust, below the 294 sats nodes relay for this address type: send at least 294 sats"},
		{"dust to P2PKH", Request{Recipients: []Recipient{{Address: a.pkh[network.Regtest], Amount: 545}}, FeeRate: 1_000}, "below the 546 sats"},
		{"no amount", Request{Recipients: []Recipient{{Address: out}}, FeeRate: 1_000}, "the amount 0 sats is not valid"},
		{"two max", Request{Recipients: []Recipient{{Address: out, Max: true}, {Address: a.tr[network.Regtest], Max: true}}, FeeRate: 1_000}, "2 recipients are set to send max"},
		{"wrong network in request", Request{Recipients: []Recipient{{Address: out, Amount: 10_000}}, FeeRate: 1_000, Network: network.Main}, "the request is for main but the wallet is on regtest"},
		{"more than the wallet has", Request{Recipients: []Recipient{{Address: out, Amount: 150_000_000}}, FeeRate: 1_000},
			"choosing coins: insufficient funds: need 150000000 sats"},
		{"only a chosen coin that is too small", Request{Recipients: []Recipient{{Address: out, Amount: 60_000_000}}, FeeRate: 1_000,
			CoinControl: CoinControl{UseOnly: true}}, "no coins chosen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := funded(t, wshDescriptor(devs))
			_, err := Build(c.w, tc.req)
			require.ErrorContains(t, err, tc.err)
			require.Equal(t, wallet.Balance{Confirmed: 150_000_000}, c.w.Balance(), "nothing locked")
		})
	}
}

func TestBuildWarnings(t *testing.T) {
	devs := devices(t)
	a := testAddrs(t)
	out := a.wpkh[network.Regtest]
	for _, tc := range []struct {
		name string
		req  func(c *chain) Request
		want []string
	}{
		{"duplicate recipient", func(*chain) Request {
			return Request{Recipients: []Recipient{{Address: out, Amount: 10_000}, {Address: a.tr[network.Regtest], Amount: 20_000}, {Address: "bitcoin:" + out + "?amount=0.0003"}}, FeeRate: 1_000}
		}, []string{"recipients 1 and 3 pay the same address " + out + ": check this is not a paste mistake"}},
		{"fee above 10% of the amount sent", func(*chain) Request {
			return Request{Recipients: []Recipient{{Address: out, Amount: 1_000}}, FeeRate: 1_000}
		}, []string{"absurd fee: the fee (142 sats) is more than 10% of the amount sent (1000 sats)"}},
		{"fee rate above 500 sat/vB and far above the estimate", func(*chain) Request {
			return Request{Recipients: []Recipient{{Address: out, Amount: 10_000_000}}, FeeRate: 600_000, Estimate: 5_000}
		}, []string{"absurd fee: 600 sat/vB is above 500 sat/vB", "high fee rate: 600 sat/vB is more than twice the node's estimate of 5 sat/vB"}},
		{"fee rate far below the estimate", func(*chain) Request {
			return Request{Recipients: []Recipient{{Address: out, Amount: 10_000_000}}, FeeRate: 1_000, Estimate: 25_000}
		}, []string{"low fee rate: 1 sat/vB is less than half the node's estimate of 25 sat/vB: it may take long to confirm"}},
		{"paying our own receive address", func(c *chain) Request {
			addr, _, err := c.w.NextReceiveAddress()
			require.NoError(t, err)
			return Request{Recipients: []Recipient{{Address: addr.Address, Amount: 10_000_000}}, FeeRate: 1_000}
		}, []string{"recipient 1 is this wallet's own receive address (index 2)"}},
		{"unconfirmed incoming coin chosen by coin control", func(c *chain) Request {
			in := externalTx(9, wire.NewTxOut(20_000_000, c.script(wallet.Receive, 5)))
			c.mempool(in)
			return Request{Recipients: []Recipient{{Address: out, Amount: 10_000_000}}, FeeRate: 1_000,
				CoinControl: CoinControl{MustUse: []wire.OutPoint{{Hash: in.TxHash()}}, UseOnly: true}}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := funded(t, trDescriptor(devs[0]))
			req := tc.req(c)
			res, err := Build(c.w, req)
			require.NoError(t, err)
			want := tc.want
			if tc.name == "unconfirmed incoming coin chosen by coin control" {
				want = []string{"input " + req.CoinControl.MustUse[0].String() + " is unconfirmed: this transaction cannot confirm before the one that created it"}
			}
			require.Equal(t, want, res.Warnings)
		})
	}
}

func TestBuildLocksCoinsAndReservesTheChangeAddressOfEachPendingPSBT(t *testing.T) {
	devs := devices(t)
	c, fund := funded(t, wshDescriptor(devs))
	out := outsideAddress(t)
	first, err := Build(c.w, Request{Recipients: []Recipient{{Address: out, Amount: 10_000_000}}, FeeRate: 1_000, Seed: 1})
	require.NoError(t, err)
	require.Equal(t, []wire.OutPoint{{Hash: fund.TxHash(), Index: 0}}, first.Inputs)
	require.Equal(t, uint32(0), first.Change.Index)
	require.Equal(t, map[uint32]string{0: first.ID}, first.Changes.ChangeReserved)
	// The first PSBT's coin is locked: the next send uses the other coin,
	// and its change goes to change/1: two payments prepared together
	// never share a change address.
	second, err := Build(c.w, Request{Recipients: []Recipient{{Address: out, Amount: 10_000_000}}, FeeRate: 1_000, Seed: 1})
	require.NoError(t, err)
	require.Equal(t, []wire.OutPoint{{Hash: fund.TxHash(), Index: 1}}, second.Inputs)
	require.Equal(t, uint32(1), second.Change.Index)
	require.NotEqual(t, first.Change.Address, second.Change.Address)
	require.Equal(t, map[wallet.Keychain]uint32{wallet.Change: 2}, second.Changes.Revealed)
	require.Equal(t, second.Analysis.Outputs[second.Change.Output].Address, second.Change.Address)
	// Everything is locked now.
	_, err = Build(c.w, Request{Recipients: []Recipient{{Address: out, Amount: 10_000_000}}, FeeRate: 1_000})
	require.ErrorContains(t, err, "150000000 sats locked by pending transactions")
	// Discarding the first PSBT frees its coin and its change/0; the
	// second is broadcast (change/1 is used), so the next change is change/0
	// again and nothing new is revealed.
	released := c.w.UnlockID(first.ID)
	require.Equal(t, map[uint32]string{0: ""}, released.ChangeReserved)
	c.mempool(sign(t, second.PSBT, devs[0], devs[1]))
	third, err := Build(c.w, Request{Recipients: []Recipient{{Address: out, Amount: 10_000_000}}, FeeRate: 1_000})
	require.NoError(t, err)
	require.Equal(t, uint32(0), third.Change.Index)
	require.Equal(t, first.Change.Address, third.Change.Address)
	require.Empty(t, third.Changes.Revealed)
}

func TestBuildNeverSpendsAnImmatureCoinbase(t *testing.T) {
	devs := devices(t)
	c, _ := funded(t, trDescriptor(devs[0]))
	cb := wire.NewMsgTx(2)
	cb.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: []byte{0x01, 0x0e}, Sequence: wire.MaxTxInSequenceNum})
	cb.AddTxOut(wire.NewTxOut(5_000_000_000, c.script(wallet.Receive, 2)))
	c.mine(cb)
	require.Equal(t, wallet.Balance{Confirmed: 150_000_000, Immature: 5_000_000_000}, c.w.Balance())
	res, err := Build(c.w, Request{Recipients: []Recipient{{Address: outsideAddress(t), Max: true}}, FeeRate: 1_000})
	require.NoError(t, err)
	require.Len(t, res.Inputs, 2)
	require.Equal(t, 150_000_000-res.Fee, res.Sent)
	c.w.UnlockID(res.ID)
	// Frozen or chosen by hand, it is still not spendable.
	c.w.SetFrozen(wire.OutPoint{Hash: cb.TxHash()}, true)
	_, err = Build(c.w, Request{Recipients: []Recipient{{Address: outsideAddress(t), Amount: 1_000_000}}, FeeRate: 1_000,
		CoinControl: CoinControl{MustUse: []wire.OutPoint{{Hash: cb.TxHash()}}}})
	require.EqualError(t, err, "coin "+cb.TxHash().String()+":0 is a newly mined coinbase output with 1 confirmation(s): it can be spent after 100")
	// After 100 blocks it is.
	for range 99 {
		c.mine()
	}
	res, err = Build(c.w, Request{Recipients: []Recipient{{Address: outsideAddress(t), Amount: 1_000_000}}, FeeRate: 1_000,
		CoinControl: CoinControl{MustUse: []wire.OutPoint{{Hash: cb.TxHash()}}, UseOnly: true}})
	require.NoError(t, err)
	require.Equal(t, []wire.OutPoint{{Hash: cb.TxHash()}}, res.Inputs)
}

// TestBuildPlacesTheChangeAtARandomOutput: over many seeds the change of a
// two-recipient payment lands at each of the three places (as Bitcoin
// Core does, so an observer cannot tell it by position), the recipients
// keep their order, and the same seed gives the same place.
func TestBuildPlacesTheChangeAtARandomOutput(t *testing.T) {
	devs := devices(t)
	a := testAddrs(t)
	seen := map[uint32]int{}
	for seed := uint64(1); seed <= 30; seed++ {
		c, _ := funded(t, wshDescriptor(devs))
		req := Request{Recipients: []Recipient{{Address: a.tr[network.Regtest], Amount: 1_000_000}, {Address: a.pkh[network.Regtest], Amount: 2_000_000}}, FeeRate: 1_000, Seed: seed}
		res, err := Build(c.w, req)
		require.NoError(t, err)
		require.Len(t, res.PSBT.UnsignedTx.TxOut, 3)
		seen[res.Change.Output]++
		var recipients []int64
		for i, o := range res.Analysis.Outputs {
			require.Equal(t, i == int(res.Change.Output), o.Change, "output %d", i)
			if !o.Change {
				recipients = append(recipients, o.Amount)
			}
		}
		require.Equal(t, []int64{1_000_000, 2_000_000}, recipients)
		require.Equal(t, res.Change.Amount, res.PSBT.UnsignedTx.TxOut[res.Change.Output].Value)

		c2, _ := funded(t, wshDescriptor(devs))
		again, err := Build(c2.w, req)
		require.NoError(t, err)
		require.Equal(t, res.Change.Output, again.Change.Output, "seed %d", seed)
	}
	require.Len(t, seen, 3, "every place is used: %v", seen)
}

// TestReviewFlagsChangeBeyondTheWatchedAddresses: the review of a PSBT
// bounds proven change by the wallet's watched addresses (the gap limit, 20,
// past the last used or revealed one): change at change/20 after change/0
// was revealed is watched; change/21, or an index as far as 2^31-1, is
// flagged: the wallet would never see those funds.
func TestReviewFlagsChangeBeyondTheWatchedAddresses(t *testing.T) {
	devs := devices(t)
	c, fund := funded(t, wshDescriptor(devs))
	_, err := Build(c.w, Request{Recipients: []Recipient{{Address: outsideAddress(t), Amount: 30_000_000}},
		FeeRate: 2_500, Seed: 1, Network: network.Regtest})
	require.NoError(t, err)
	require.Equal(t, []uint32{21, 20}, watchedUpTo(c.w), "receive 0 and 1 used, change 0 revealed, gap limit 20")
	b, err := newBuilder(c.w, network.Regtest)
	require.NoError(t, err)
	for _, tc := range []struct {
		index   uint32
		warning string
	}{
		{20, ""},
		{21, "change output 1 pays to change address #21, beyond the wallet's watched addresses (up to #20): the wallet would not see these funds; do not sign unless you raise the gap limit"},
		{1<<31 - 1, "change output 1 pays to change address #2147483647, beyond the wallet's watched addresses (up to #20): the wallet would not see these funds; do not sign unless you raise the gap limit"},
	} {
		p, err := psbt.Create(b.pw, psbt.CreateOptions{
			Inputs:  []psbt.UTXO{{OutPoint: wire.OutPoint{Hash: fund.TxHash(), Index: 1}, Value: 50_000_000, Branch: 0, Index: 1, PrevTx: fund}},
			Outputs: []psbt.Recipient{{Address: outsideAddress(t), Amount: 10_000_000}},
			Change:  &psbt.ChangeOutput{Branch: 1, Index: tc.index, Amount: 39_990_000},
		})
		require.NoError(t, err)
		a, err := b.analyse(p)
		require.NoError(t, err)
		require.True(t, a.Outputs[1].Change, "index %d", tc.index)
		require.Equal(t, tc.warning != "", a.Outputs[1].Unwatched, "index %d", tc.index)
		if tc.warning == "" {
			require.Empty(t, a.Warnings, "index %d", tc.index)
		} else {
			require.Equal(t, []string{tc.warning}, a.Warnings, "index %d", tc.index)
		}
	}
}
