// Package spend is the send flow of the engine, data in and data out: it
// turns a payment request (recipients typed, pasted as CSV or as a BIP21
// URI, amounts in BTC or sats, send max, subtract fee, coin control, BIP125
// RBF on by default, anti fee sniping) into a reviewed PSBT (BIP174) of a
// shared/wallet wallet, and builds BIP125 fee bumps, cancellations and CPFP
// children of the wallet's unconfirmed transactions.
//
// It composes the engine's packages and adds no I/O: wallet.Spendable coins
// and the transaction graph, coinselect for selection, sizes and the
// replacement rules, the wallet's next unused change address, psbt.Create
// and psbt.Analyse. Operations that reveal a change address or lock the
// spent coins for the pending PSBT apply that to the wallet, as the wallet's
// own methods do, and return the wallet.ChangeSet to persist.
package spend

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/wallet"
)

// Thresholds of the absurd-fee warning.
const (
	// AbsurdFeeRate is the fee rate above which a fee is called absurd.
	AbsurdFeeRate = coinselect.FeeRate(500_000) // 500 sat/vB
	// AbsurdFeePercent: a fee above this share of the amount sent is absurd.
	AbsurdFeePercent = 10
)

// CoinControl is manual coin selection.
type CoinControl struct {
	// MustUse are coins that must be spent (even frozen, locked or
	// unconfirmed ones: choosing them is explicit).
	MustUse []wire.OutPoint `json:"must_use,omitempty"`
	// UseOnly spends exactly the MustUse coins and no others.
	UseOnly bool `json:"use_only,omitempty"`
}

// Request is a payment to build.
type Request struct {
	Recipients []Recipient `json:"recipients"`
	// FeeRate is the fee rate to pay (coinselect.FeeRate: sat/kvB integers;
	// coinselect.ParseFeeRate reads sat/vB).
	FeeRate     coinselect.FeeRate `json:"fee_rate"`
	CoinControl CoinControl        `json:"coin_control"`
	// NoRBF turns BIP125 replace-by-fee signalling off (it is on by default).
	NoRBF bool `json:"no_rbf,omitempty"`
	// AntiFeeSnipingHeight is the node's tip height: nLockTime is set to it,
	// as Bitcoin Core does, so the transaction cannot be mined in a
	// reorganised earlier block. 0 leaves nLockTime at 0.
	AntiFeeSnipingHeight uint32 `json:"anti_fee_sniping_height,omitempty"`
	// Network, when set, must be the wallet's network.
	Network network.Network `json:"network,omitempty"`
	// AllowUnconfirmed lets unconfirmed incoming coins be selected (our own
	// unconfirmed change always may be).
	AllowUnconfirmed bool `json:"allow_unconfirmed,omitempty"`
	// Estimate is the node's fee estimate for the target the user chose; a
	// fee rate far above or below it is warned about. 0 when unknown.
	Estimate coinselect.FeeRate `json:"estimate,omitempty"`
	// Seed seeds coin selection's random draw (as Core's single random draw):
	// pass a random value in production, a fixed one in tests.
	Seed uint64 `json:"seed,omitempty"`
}

// Change is the transaction's change output, derived from the wallet's
// change keychain.
type Change struct {
	Address string `json:"address"`
	Index   uint32 `json:"index"`
	Amount  int64  `json:"amount"`
	// Output is the change's place among the transaction's outputs (its
	// vout), drawn at random.
	Output uint32 `json:"output"`
}

// Result is a built transaction ready for review and signing.
type Result struct {
	// ID is the unsigned transaction's txid: the id of the pending PSBT
	// and of its coin locks (wallet.Lock).
	ID   string       `json:"id"`
	PSBT *psbt.Packet `json:"-"`
	// PSBTBase64 is PSBT in BIP174's base64 text form.
	PSBTBase64 string `json:"psbt"`
	// Analysis is psbt.Analyse's review of the PSBT against the wallet's
	// descriptors (change proven, signatures, amounts).
	Analysis *psbt.Analysis `json:"analysis"`
	// Fee is the absolute fee in satoshis (inputs - outputs).
	Fee int64 `json:"fee"`
	// VSize is the estimated virtual size of the signed transaction.
	VSize int64 `json:"vsize"`
	// FeeRate is Fee / VSize.
	FeeRate coinselect.FeeRate `json:"fee_rate"`
	// Sent is the total paid to recipients (outputs that are not change).
	Sent int64 `json:"sent"`
	// Change is nil when the transaction has no change output.
	Change *Change `json:"change,omitempty"`
	// Inputs are the coins spent.
	Inputs []wire.OutPoint `json:"-"`
	// Replaces is the txid of the transaction a bump or cancel replaces.
	Replaces string `json:"replaces,omitempty"`
	// PackageFeeRate is, for a CPFP child, the fee rate of parent and
	// child together.
	PackageFeeRate coinselect.FeeRate `json:"package_fee_rate,omitempty"`
	// Warnings are for the review screen.
	Warnings []string `json:"warnings"`
	// Changes are the wallet changes made (change address revealed, coins
	// locked for the PSBT ID): persist them. If the user discards the PSBT,
	// release the coins with wallet.UnlockID(ID).
	Changes wallet.ChangeSet `json:"-"`
}

// recipient is a checked Recipient.
type recipient struct {
	Recipient
	script []byte
}

// checkRecipients resolves BIP21 URIs, checks addresses against the
// network, amounts, dust and duplicates.
func checkRecipients(w *wallet.Wallet, net network.Network, rs []Recipient) ([]recipient, []string, error) {
	if len(rs) == 0 {
		return nil, nil, errors.New("no recipients: add an address and an amount")
	}
	var (
		out      []recipient
		warnings []string
		maxes    int
		seen     = map[string]int{}
	)
	for i, r := range rs {
		n := i + 1
		if IsBIP21(r.Address) {
			uri, err := ParseBIP21(r.Address)
			if err != nil {
				return nil, nil, fmt.Errorf("recipient %d: %w", n, err)
			}
			r.Address = uri.Address
			if r.Amount == 0 && !r.Max {
				r.Amount = uri.Amount
			}
			if r.Label == "" {
				r.Label = uri.Label
			}
			if r.Message == "" {
				r.Message = uri.Message
			}
		}
		script, err := CheckAddress(r.Address, net)
		if err != nil {
			return nil, nil, fmt.Errorf("recipient %d: %w", n, err)
		}
		if r.Max {
			maxes++
		} else {
			if r.Amount <= 0 || r.Amount > maxMoney {
				return nil, nil, fmt.Errorf("recipient %d (%s): the amount %d sats is not valid: give an amount or choose send max", n, r.Address, r.Amount)
			}
			dust, err := coinselect.Output{Script: script}.Dust(coinselect.DefaultDustRelayFeeRate)
			if err != nil {
				return nil, nil, fmt.Errorf("recipient %d: %w", n, err)
			}
			if r.Amount < dust {
				return nil, nil, fmt.Errorf("recipient %d (%s): %d sats is dust, below the %d sats nodes relay for this address type: send at least %d sats", n, r.Address, r.Amount, dust, dust)
			}
		}
		if first, dup := seen[string(script)]; dup {
			warnings = append(warnings, fmt.Sprintf("recipients %d and %d pay the same address %s: check this is not a paste mistake", first, n, r.Address))
		} else {
			seen[string(script)] = n
		}
		if k, idx, mine := w.IsMine(script); mine {
			warnings = append(warnings, fmt.Sprintf("recipient %d is this wallet's own %s address (index %d)", n, k, idx))
		}
		out = append(out, recipient{Recipient: r, script: script})
	}
	if maxes > 1 {
		return nil, nil, fmt.Errorf("%d recipients are set to send max: only one can take the rest", maxes)
	}
	return out, warnings, nil
}

// builder holds what every operation needs of the wallet.
type builder struct {
	w     *wallet.Wallet
	net   network.Network
	pw    *psbt.Wallet
	shape shape
	tip   int32
	txs   map[string]wallet.TxDetails
}

func newBuilder(w *wallet.Wallet, want network.Network) (*builder, error) {
	if w == nil {
		return nil, errors.New("no wallet to spend from")
	}
	net, err := network.Parse(w.Params().Network)
	if err != nil {
		return nil, fmt.Errorf("wallet network: %w", err)
	}
	if want != "" && want != net {
		return nil, fmt.Errorf("the request is for %s but the wallet is on %s", want, net)
	}
	recv, err := w.Descriptor(wallet.Receive)
	if err != nil {
		return nil, err
	}
	chg, err := w.Descriptor(wallet.Change)
	if err != nil {
		return nil, err
	}
	pw, err := psbt.NewWallet(net, recv, chg)
	if err != nil {
		return nil, fmt.Errorf("wallet descriptors: %w", err)
	}
	sh, err := shapeOf(chg)
	if err != nil {
		return nil, err
	}
	tip, _ := w.Tip()
	b := &builder{w: w, net: net, pw: pw, shape: sh, tip: tip.Height, txs: map[string]wallet.TxDetails{}}
	for _, d := range w.Transactions(tip.Height) {
		b.txs[d.Txid] = d
	}
	return b, nil
}

// watchedUpTo is, per keychain (0 receive, 1 change), the highest address
// index the wallet watches: its derived scripts, which reach the gap limit
// past the last used or revealed address. psbt.Analyse flags change proven
// beyond it, which a sync would never see.
func watchedUpTo(w *wallet.Wallet) []uint32 {
	out := make([]uint32, 2)
	for _, k := range []wallet.Keychain{wallet.Receive, wallet.Change} {
		if n := w.Derived(k); n > 0 {
			out[k] = n - 1
		}
	}
	return out
}

// Review analyses any PSBT of the wallet w for the user (psbt.Analyse): the
// wallet's descriptors prove its change, the addresses it watches bound
// that change (change beyond them is flagged: a sync would not see it),
// and AbsurdFeeRate flags the fee. Use it for PSBTs that come back from a
// signer or a file, as Build does for the ones it makes.
func Review(w *wallet.Wallet, p *psbt.Packet) (*psbt.Analysis, error) {
	b, err := newBuilder(w, "")
	if err != nil {
		return nil, err
	}
	return b.analyse(p)
}

// analyse is psbt.Analyse against the wallet: its descriptors prove the
// change, its watched addresses bound it, AbsurdFeeRate flags the fee.
func (b *builder) analyse(p *psbt.Packet) (*psbt.Analysis, error) {
	return psbt.Analyse(p, psbt.AnalyseOptions{Network: b.net, Wallet: b.pw, MaxFeeRate: AbsurdFeeRate.SatPerVByte(), WatchedUpTo: watchedUpTo(b.w)})
}

func (b *builder) params(rate coinselect.FeeRate, seed uint64) coinselect.Params {
	return coinselect.Params{FeeRate: rate, ChangeType: b.shape.change, ChangeSpendWeight: b.shape.input.Weight(), Seed: seed}
}

// coin is a wallet coin as coin selection and the PSBT creator need it.
type coin struct {
	sel       coinselect.UTXO
	psbt      psbt.UTXO
	confirmed bool
}

// walletCoins returns every coin of the wallet that coin selection may see:
// spendable ones and those it excludes with a reason (frozen, locked,
// unconfirmed incoming). Immature coinbase outputs are left out.
func (b *builder) walletCoins() (map[wire.OutPoint]coin, []coinselect.UTXO) {
	coins := map[wire.OutPoint]coin{}
	var list []coinselect.UTXO
	for _, u := range b.w.UTXOs() {
		if u.Coinbase && (!u.Confirmed || b.tip-u.Height+1 < wallet.CoinbaseMaturity) {
			continue // consensus: not spendable before 100 confirmations, even by coin control
		}
		c := b.coinOf(u.OutPoint, u.Value, u.Keychain, u.Index, u.Confirmed, u.Height)
		c.sel.Frozen, c.sel.Locked, c.sel.OwnChange = u.Frozen, u.LockedBy != "", u.Trusted
		coins[u.OutPoint] = c
		list = append(list, c.sel)
	}
	return coins, list
}

// whyNot explains why a coin chosen by hand cannot be spent, when the
// wallet knows it.
func (b *builder) whyNot(op wire.OutPoint) error {
	for _, u := range b.w.UTXOs() {
		if u.OutPoint != op || !u.Coinbase {
			continue
		}
		confs := int32(0)
		if u.Confirmed {
			confs = b.tip - u.Height + 1
		}
		return fmt.Errorf("coin %s is a newly mined coinbase output with %d confirmation(s): it can be spent after %d", op, confs, wallet.CoinbaseMaturity)
	}
	return nil
}

func (b *builder) coinOf(op wire.OutPoint, value int64, k wallet.Keychain, index uint32, confirmed bool, height int32) coin {
	var confs int64
	if confirmed && b.tip >= height {
		confs = int64(b.tip-height) + 1
	}
	prev, _ := b.w.Tx(op.Hash.String())
	return coin{
		sel:       coinselect.UTXO{OutPoint: op, Value: value, InputWeight: b.shape.input.Weight(), Witness: b.shape.input.HasWitness(), Confirmations: confs},
		psbt:      psbt.UTXO{OutPoint: op, Value: value, Branch: int(k), Index: index, PrevTx: prev},
		confirmed: confirmed,
	}
}

// graphCoin is a wallet output from the transaction graph, spent or not
// (the inputs of a transaction being replaced).
func (b *builder) graphCoin(op wire.OutPoint) (coin, bool) {
	prev, ok := b.w.Tx(op.Hash.String())
	if !ok || int(op.Index) >= len(prev.TxOut) {
		return coin{}, false
	}
	out := prev.TxOut[op.Index]
	k, idx, mine := b.w.IsMine(out.PkScript)
	if !mine {
		return coin{}, false
	}
	d := b.txs[op.Hash.String()]
	return b.coinOf(op, out.Value, k, idx, d.Status == wallet.StatusConfirmed, d.Height), true
}

// output is a non-change output of the transaction to create.
type output struct {
	script []byte
	amount int64
}

// create makes the PSBT, locks its coins and reviews it. The change goes
// at a place among the outputs drawn from seed, so it cannot be told from
// its position.
func (b *builder) create(inputs []coin, outs []output, change *Change, lockTime uint32, noRBF bool, seed uint64, cs *wallet.ChangeSet) (*Result, error) {
	opts := psbt.CreateOptions{LockTime: lockTime, NoRBF: noRBF}
	var res Result
	for _, c := range inputs {
		opts.Inputs = append(opts.Inputs, c.psbt)
		res.Inputs = append(res.Inputs, c.psbt.OutPoint)
	}
	for _, o := range outs {
		opts.Outputs = append(opts.Outputs, psbt.Recipient{Script: o.script, Amount: o.amount})
		res.Sent += o.amount
	}
	if change != nil {
		position := 1 + rand.New(rand.NewPCG(seed, changePositionStream)).IntN(len(outs)+1)
		opts.Change = &psbt.ChangeOutput{Branch: int(wallet.Change), Index: change.Index, Amount: change.Amount, Position: position}
		change.Output = uint32(position - 1)
		res.Change = change
	}
	p, err := psbt.Create(b.pw, opts)
	if err != nil {
		return nil, fmt.Errorf("building the PSBT: %w", err)
	}
	res.PSBT = p
	res.ID = p.UnsignedTx.TxHash().String()
	if res.PSBTBase64, err = psbt.EncodeBase64(p); err != nil {
		return nil, fmt.Errorf("encoding the PSBT: %w", err)
	}
	lock, err := b.w.Lock(res.Inputs, res.ID)
	if err != nil {
		return nil, err
	}
	cs.Merge(lock)
	if change != nil {
		reserve, err := b.w.ReserveChange(change.Index, res.ID)
		if err != nil {
			return nil, err
		}
		cs.Merge(reserve)
	}
	res.Changes = *cs
	res.Analysis, err = b.analyse(p)
	if err != nil {
		return nil, fmt.Errorf("reviewing the PSBT: %w", err)
	}
	for _, w := range res.Analysis.Warnings {
		if !strings.HasPrefix(w, "absurd fee") {
			res.Warnings = append(res.Warnings, w)
		}
	}
	for _, c := range inputs {
		if !c.confirmed {
			res.Warnings = append(res.Warnings, fmt.Sprintf("input %s is unconfirmed: this transaction cannot confirm before the one that created it", c.psbt.OutPoint))
		}
	}
	return &res, nil
}

// feeWarnings adds the absurd-fee warnings (above AbsurdFeeRate, or above
// AbsurdFeePercent of the amount sent) and, when the node's estimate is
// known, a warning for a fee rate more than twice or less than half of it.
func (r *Result) feeWarnings(estimate coinselect.FeeRate) {
	if r.FeeRate > AbsurdFeeRate {
		r.Warnings = append(r.Warnings, fmt.Sprintf("absurd fee: %s is above %s", r.FeeRate, AbsurdFeeRate))
	}
	if r.Sent > 0 && r.Fee*100 > r.Sent*AbsurdFeePercent {
		r.Warnings = append(r.Warnings, fmt.Sprintf("absurd fee: the fee (%d sats) is more than %d%% of the amount sent (%d sats)", r.Fee, AbsurdFeePercent, r.Sent))
	}
	if estimate > 0 {
		switch {
		case r.FeeRate > 2*estimate:
			r.Warnings = append(r.Warnings, fmt.Sprintf("high fee rate: %s is more than twice the node's estimate of %s", r.FeeRate, estimate))
		case 2*r.FeeRate < estimate:
			r.Warnings = append(r.Warnings, fmt.Sprintf("low fee rate: %s is less than half the node's estimate of %s: it may take long to confirm", r.FeeRate, estimate))
		}
	}
}

// changePositionStream makes the change position's draw independent of
// coin selection's, which uses the same seed.
const changePositionStream = 0x636861616e6765 // "chaange"

// nextChange reveals the wallet's next unused change address.
func (b *builder) nextChange(amount int64, cs *wallet.ChangeSet) (*Change, error) {
	a, reveal, err := b.w.NextChangeAddress()
	if err != nil {
		return nil, fmt.Errorf("change address: %w", err)
	}
	cs.Merge(reveal)
	return &Change{Address: a.Address, Index: a.Index, Amount: amount}, nil
}

// Build makes the PSBT of a payment: recipients checked (BIP21 URIs
// resolved, addresses of the wallet's network, no dust, duplicates
// warned), coins selected by coinselect.Select from the wallet's coins
// with the wallet's input sizes, change (if any) to the wallet's next
// unused change address, psbt.Create (RBF signalled unless NoRBF), the
// coins locked for the PSBT and psbt.Analyse's review. The result's
// Warnings cover absurd fees (above 500 sat/vB or 10% of the amount sent),
// a fee rate far from the node's estimate, dust and unconfirmed inputs.
func Build(w *wallet.Wallet, req Request) (*Result, error) {
	b, err := newBuilder(w, req.Network)
	if err != nil {
		return nil, err
	}
	if req.FeeRate <= 0 {
		return nil, errors.New("no fee rate: choose one of the node's estimates or set a fee rate by hand")
	}
	rs, warnings, err := checkRecipients(w, b.net, req.Recipients)
	if err != nil {
		return nil, err
	}
	coins, list := b.walletCoins()
	for _, op := range req.CoinControl.MustUse {
		if _, ok := coins[op]; !ok {
			if err := b.whyNot(op); err != nil {
				return nil, err
			}
		}
	}
	sel := coinselect.Request{Params: b.params(req.FeeRate, req.Seed), UTXOs: list, AllowUnconfirmed: req.AllowUnconfirmed,
		MustUse: req.CoinControl.MustUse, UseOnly: req.CoinControl.UseOnly}
	for _, r := range rs {
		sel.Outputs = append(sel.Outputs, coinselect.Output{Script: r.script, Value: r.Amount, SendMax: r.Max, SubtractFee: r.SubtractFee})
	}
	picked, err := coinselect.Select(sel)
	if err != nil {
		return nil, fmt.Errorf("choosing coins: %w", err)
	}
	var cs wallet.ChangeSet
	var change *Change
	if picked.Change > 0 {
		if change, err = b.nextChange(picked.Change, &cs); err != nil {
			return nil, err
		}
	}
	inputs := make([]coin, len(picked.Inputs))
	for i, u := range picked.Inputs {
		inputs[i] = coins[u.OutPoint]
	}
	outs := make([]output, len(picked.Outputs))
	for i, o := range picked.Outputs {
		outs[i] = output{script: rs[i].script, amount: o.Value}
	}
	res, err := b.create(inputs, outs, change, req.AntiFeeSnipingHeight, req.NoRBF, req.Seed, &cs)
	if err != nil {
		return nil, err
	}
	res.Fee, res.VSize, res.FeeRate = picked.Fee, picked.VSize, picked.FeeRate()
	res.Warnings = append(warnings, res.Warnings...)
	res.feeWarnings(req.Estimate)
	return res, nil
}

// ReplaceRequest asks for a BIP125 replacement (Bump or Cancel) of one of
// the wallet's unconfirmed sends.
type ReplaceRequest struct {
	// Txid is the transaction to replace.
	Txid string `json:"txid"`
	// FeeRate is the new fee rate; it must be higher than the current one.
	FeeRate coinselect.FeeRate `json:"fee_rate"`
	// FullRBF allows replacing a transaction that does not signal BIP125,
	// for nodes that replace any transaction (Core's mempoolfullrbf).
	FullRBF bool `json:"full_rbf,omitempty"`
	// IncrementalRelayFeeRate is the node's incremental relay fee; 0 means
	// 1 sat/vB.
	IncrementalRelayFeeRate coinselect.FeeRate `json:"incremental_relay_fee_rate,omitempty"`
	// AntiFeeSnipingHeight sets nLockTime as in Request; 0 keeps the
	// original's nLockTime.
	AntiFeeSnipingHeight uint32 `json:"anti_fee_sniping_height,omitempty"`
	// Seed seeds coin selection's random draw (as Core's single random draw):
	// pass a random value in production, a fixed one in tests.
	Seed uint64 `json:"seed,omitempty"`
}

// original is a pending send of the wallet, split for coinselect.
type original struct {
	tx      *wire.MsgTx
	details wallet.TxDetails
	inputs  []coin
	recips  []output
	change  *Change // nil when it has none
	pending coinselect.PendingTx
}

// replaceable checks that txid is an unconfirmed send of the wallet that
// may be replaced (BIP125) and splits it into inputs, recipients and change.
func (b *builder) replaceable(req ReplaceRequest) (*original, error) {
	d, ok := b.txs[req.Txid]
	if !ok {
		return nil, fmt.Errorf("transaction %s is not in this wallet: sync the wallet or check the txid", req.Txid)
	}
	switch d.Status {
	case wallet.StatusConfirmed:
		return nil, fmt.Errorf("transaction %s is already confirmed (block %d): a confirmed transaction cannot be replaced", req.Txid, d.Height)
	case wallet.StatusReplaced, wallet.StatusConflicted:
		return nil, fmt.Errorf("transaction %s was already replaced by %s: bump that one instead", req.Txid, d.ConflictWinner)
	case wallet.StatusDropped:
		return nil, fmt.Errorf("transaction %s is no longer in the node's mempool: broadcast it again or spend its coins in a new transaction", req.Txid)
	}
	o := &original{tx: d.Tx, details: d}
	signals := false
	for i, in := range d.Tx.TxIn {
		c, mine := b.graphCoin(in.PreviousOutPoint)
		if !mine {
			return nil, fmt.Errorf("input %d of transaction %s spends a coin that is not this wallet's: only the sender can replace it (to speed up an incoming payment, use CPFP)", i, req.Txid)
		}
		o.inputs = append(o.inputs, c)
		o.pending.Inputs = append(o.pending.Inputs, c.sel)
		signals = signals || psbt.SignalsRBF(in.Sequence)
	}
	if !signals && !req.FullRBF {
		return nil, fmt.Errorf("transaction %s does not signal replaceability (BIP125): nodes will refuse a replacement unless they run full RBF; set full RBF if yours does, or speed it up with CPFP on its change", req.Txid)
	}
	for txid, other := range b.txs {
		if other.Status != wallet.StatusPending || txid == req.Txid {
			continue
		}
		for _, in := range other.Tx.TxIn {
			if in.PreviousOutPoint.Hash == d.Tx.TxHash() {
				return nil, fmt.Errorf("transaction %s spends an output of %s: replacing %s would evict it; bump %s instead (CPFP)", txid, req.Txid, req.Txid, txid)
			}
		}
	}
	for _, out := range d.Tx.TxOut {
		if k, idx, mine := b.w.IsMine(out.PkScript); mine && k == wallet.Change && o.change == nil {
			addr, err := b.pw.Branches[wallet.Change].Address(idx, b.net)
			if err != nil {
				return nil, fmt.Errorf("change address %d: %w", idx, err)
			}
			o.change = &Change{Address: addr, Index: idx, Amount: out.Value}
			o.pending.ChangeValue = out.Value
			continue
		}
		o.recips = append(o.recips, output{script: out.PkScript, amount: out.Value})
		o.pending.Recipients = append(o.pending.Recipients, coinselect.Output{Script: out.PkScript, Value: out.Value})
	}
	return o, nil
}

func (o *original) lockTime(height uint32) uint32 {
	if height > 0 {
		return height
	}
	return o.tx.LockTime
}

func (r *Result) replaced(o *original) {
	r.Replaces = o.details.Txid
	r.Warnings = append(r.Warnings, fmt.Sprintf("replaces transaction %s (fee %d sats, %s): broadcast only one of them; the old one stops being valid once this one is accepted",
		o.details.Txid, o.details.Fee, coinselect.FeeRateOf(o.details.Fee, o.details.VSize)))
}

// Bump builds a BIP125 replacement of one of the wallet's unconfirmed sends
// paying the same recipients at a higher fee rate (coinselect.BumpFee: the
// change pays first, confirmed coins are added when it cannot). The
// original's change address is kept. It refuses confirmed, replaced or
// dropped transactions, transactions with inputs that are not the wallet's,
// transactions that do not signal BIP125 (unless FullRBF) and transactions
// that a pending wallet transaction spends from.
func Bump(w *wallet.Wallet, req ReplaceRequest) (*Result, error) {
	b, err := newBuilder(w, "")
	if err != nil {
		return nil, err
	}
	o, err := b.replaceable(req)
	if err != nil {
		return nil, err
	}
	coins, list := b.walletCoins()
	for _, c := range o.inputs {
		coins[c.sel.OutPoint] = c
	}
	picked, err := coinselect.BumpFee(coinselect.BumpRequest{Params: b.params(req.FeeRate, req.Seed), Original: o.pending,
		Available: list, IncrementalRelayFeeRate: req.IncrementalRelayFeeRate})
	if err != nil {
		return nil, err
	}
	var cs wallet.ChangeSet
	var change *Change
	if picked.Change > 0 {
		if o.change != nil {
			change = &Change{Address: o.change.Address, Index: o.change.Index, Amount: picked.Change}
		} else if change, err = b.nextChange(picked.Change, &cs); err != nil {
			return nil, err
		}
	}
	inputs := make([]coin, len(picked.Inputs))
	for i, u := range picked.Inputs {
		inputs[i] = coins[u.OutPoint]
	}
	outs := make([]output, len(picked.Outputs))
	for i, out := range picked.Outputs {
		outs[i] = output{script: o.recips[i].script, amount: out.Value}
	}
	res, err := b.create(inputs, outs, change, o.lockTime(req.AntiFeeSnipingHeight), false, req.Seed, &cs)
	if err != nil {
		return nil, err
	}
	res.Fee, res.VSize, res.FeeRate = picked.Fee, picked.VSize, picked.FeeRate()
	res.replaced(o)
	res.feeWarnings(0)
	return res, nil
}

// Cancel builds a BIP125 replacement that spends exactly the inputs of one
// of the wallet's unconfirmed sends back to the wallet's change address
// (the original's change address when it had one) at a higher fee rate
// (coinselect.Cancel), so the payment does not happen if it confirms first.
// It refuses the same transactions as Bump.
func Cancel(w *wallet.Wallet, req ReplaceRequest) (*Result, error) {
	b, err := newBuilder(w, "")
	if err != nil {
		return nil, err
	}
	o, err := b.replaceable(req)
	if err != nil {
		return nil, err
	}
	picked, err := coinselect.Cancel(coinselect.CancelRequest{Params: b.params(req.FeeRate, req.Seed), Original: o.pending,
		IncrementalRelayFeeRate: req.IncrementalRelayFeeRate})
	if err != nil {
		return nil, err
	}
	var cs wallet.ChangeSet
	amount := picked.Outputs[0].Value
	change := o.change
	if change != nil {
		change = &Change{Address: change.Address, Index: change.Index, Amount: amount}
	} else if change, err = b.nextChange(amount, &cs); err != nil {
		return nil, err
	}
	res, err := b.create(o.inputs, nil, change, o.lockTime(req.AntiFeeSnipingHeight), false, req.Seed, &cs)
	if err != nil {
		return nil, err
	}
	res.Fee, res.VSize, res.FeeRate = picked.Fee, picked.VSize, picked.FeeRate()
	res.replaced(o)
	res.feeWarnings(0)
	return res, nil
}

// CPFPRequest asks for a child-pays-for-parent transaction.
type CPFPRequest struct {
	// Txid is the unconfirmed parent (usually an incoming payment).
	Txid string `json:"txid"`
	// FeeRate is the target fee rate of parent and child together.
	FeeRate coinselect.FeeRate `json:"fee_rate"`
	// ParentFee is the parent's fee in satoshis, needed when the wallet
	// cannot compute it (an incoming payment spends coins it does not
	// know): Core's getmempoolentry gives it as fees.base. Ignored when the
	// wallet knows the fee.
	ParentFee int64 `json:"parent_fee,omitempty"`
	// AntiFeeSnipingHeight sets nLockTime as in Request.
	AntiFeeSnipingHeight uint32 `json:"anti_fee_sniping_height,omitempty"`
}

// CPFP builds a child spending the wallet's largest unspent output of an
// unconfirmed parent to the wallet's next change address, with the fee that
// brings parent and child together to the target fee rate
// (coinselect.CPFP). Result.PackageFeeRate is the rate reached.
func CPFP(w *wallet.Wallet, req CPFPRequest) (*Result, error) {
	b, err := newBuilder(w, "")
	if err != nil {
		return nil, err
	}
	d, ok := b.txs[req.Txid]
	if !ok {
		return nil, fmt.Errorf("transaction %s is not in this wallet: sync the wallet or check the txid", req.Txid)
	}
	if d.Status != wallet.StatusPending {
		return nil, fmt.Errorf("transaction %s is %s, not waiting in the mempool: only an unconfirmed transaction can be sped up", req.Txid, d.Status)
	}
	fee := d.Fee
	if !d.FeeKnown {
		if req.ParentFee <= 0 {
			return nil, fmt.Errorf("the fee of transaction %s is unknown to the wallet (it spends coins that are not the wallet's): give it from the node (getmempoolentry fees.base)", req.Txid)
		}
		fee = req.ParentFee
	}
	if req.FeeRate <= 0 {
		return nil, errors.New("no target fee rate: choose one of the node's estimates or set a fee rate by hand")
	}
	if cur := coinselect.FeeRateOf(fee, d.VSize); cur >= req.FeeRate {
		return nil, fmt.Errorf("transaction %s already pays %s, not less than the target %s: choose a higher target", req.Txid, cur, req.FeeRate)
	}
	var best *wallet.UTXO
	for _, u := range w.UTXOs() {
		if u.OutPoint.Hash.String() == req.Txid && (best == nil || u.Value > best.Value) {
			best = &u
		}
	}
	if best == nil {
		return nil, fmt.Errorf("transaction %s has no unspent output of this wallet to spend from", req.Txid)
	}
	spend := b.coinOf(best.OutPoint, best.Value, best.Keychain, best.Index, false, 0)
	picked, err := coinselect.CPFP(coinselect.CPFPRequest{Params: b.params(req.FeeRate, 0), ParentVSize: d.VSize, ParentFee: fee, Spend: spend.sel})
	if err != nil {
		return nil, err
	}
	var cs wallet.ChangeSet
	change, err := b.nextChange(picked.Child.Outputs[0].Value, &cs)
	if err != nil {
		return nil, err
	}
	res, err := b.create([]coin{spend}, nil, change, req.AntiFeeSnipingHeight, false, 0, &cs)
	if err != nil {
		return nil, err
	}
	res.Fee, res.VSize, res.FeeRate, res.PackageFeeRate = picked.Child.Fee, picked.Child.VSize, picked.Child.FeeRate(), picked.PackageFeeRate
	res.Warnings = append(res.Warnings, fmt.Sprintf("this transaction pays for %s: together they pay %s", req.Txid, picked.PackageFeeRate))
	res.feeWarnings(0)
	return res, nil
}
