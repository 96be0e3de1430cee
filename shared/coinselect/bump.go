package coinselect

import (
	"cmp"
	"errors"
	"fmt"
	"math/bits"

	"github.com/btcsuite/btcd/wire"
)

// PendingTx is one of our unconfirmed transactions, as needed to replace it (BIP125).
type PendingTx struct {
	// Inputs are the coins it spends.
	Inputs []UTXO
	// Recipients are its outputs other than our change, in order.
	Recipients []Output
	// ChangeValue is the value of its change output (of Params.ChangeType), 0 if none.
	ChangeValue int64
}

// Fee returns the absolute fee of the transaction: inputs - recipients - change.
func (p PendingTx) Fee() int64 {
	fee := sumValues(p.Inputs) - p.ChangeValue
	for _, o := range p.Recipients {
		fee -= o.Value
	}
	return fee
}

// VSize returns the estimated BIP141 virtual size of the signed transaction.
func (p PendingTx) VSize(changeType ScriptType) (int64, error) {
	var lens []int
	for i, o := range p.Recipients {
		l, err := o.scriptLen()
		if err != nil {
			return 0, fmt.Errorf("output %d: %w", i, err)
		}
		lens = append(lens, l)
	}
	if p.ChangeValue > 0 {
		l, err := changeType.ScriptLen()
		if err != nil {
			return 0, fmt.Errorf("change type: %w", err)
		}
		lens = append(lens, l)
	}
	return TxVSize(sizes(p.Inputs), lens), nil
}

// BumpRequest asks for a BIP125 replacement of a pending transaction.
type BumpRequest struct {
	// Params carry the new fee rate (FeeRate) and the change settings.
	Params
	// Original is the transaction being replaced.
	Original PendingTx
	// Available are wallet coins that may be added as inputs when the change cannot pay the
	// higher fee. Frozen, locked and unconfirmed coins are skipped (BIP125 rule 2: a
	// replacement may not add unconfirmed inputs), and so are the original's inputs.
	Available []UTXO
	// IncrementalRelayFeeRate is the node's incremental relay fee; zero means
	// DefaultIncrementalRelayFeeRate (1 sat/vB).
	IncrementalRelayFeeRate FeeRate
}

// originalFacts checks the original transaction and returns its fee and vsize.
func originalFacts(p Params, orig PendingTx) (fee, vsize int64, err error) {
	if len(orig.Inputs) == 0 {
		return 0, 0, errors.New("the transaction to replace has no inputs")
	}
	var total int64
	for _, u := range orig.Inputs {
		if u.Value <= 0 || u.Value > maxMoney || u.InputWeight <= 0 || u.InputWeight > MaxStandardTxWeight {
			return 0, 0, fmt.Errorf("input %s of the transaction to replace has an invalid amount (%d sats) or weight (%d)", u.OutPoint, u.Value, u.InputWeight)
		}
		if total += u.Value; total > maxMoney {
			return 0, 0, errors.New("the inputs of the transaction to replace add up to more than 21 million BTC")
		}
	}
	for i, o := range orig.Recipients {
		if o.Value < 0 || o.Value > maxMoney {
			return 0, 0, fmt.Errorf("output %d of the transaction to replace has an invalid amount of %d sats", i, o.Value)
		}
	}
	if orig.ChangeValue < 0 || orig.ChangeValue > maxMoney {
		return 0, 0, fmt.Errorf("the change of the transaction to replace has an invalid amount of %d sats", orig.ChangeValue)
	}
	fee = orig.Fee()
	if fee < 0 {
		return 0, 0, fmt.Errorf("the transaction to replace pays out %d sats more than its inputs: check its inputs and outputs", -fee)
	}
	vsize, err = orig.VSize(p.ChangeType)
	return fee, vsize, err
}

// replacementOK checks BIP125 rules 3 and 4 (the new fee pays at least the old fee plus the
// incremental relay fee for the new size) and rule 6 (a strictly higher fee rate). It
// returns how many more satoshis of fee are needed, 0 when the rules hold.
func replacementShortfall(newFee, newVSize, oldFee, oldVSize int64, incremental FeeRate) int64 {
	var short int64
	if need := oldFee + incremental.Fee(newVSize); newFee < need {
		short = need - newFee
	}
	// newFee/newVSize > oldFee/oldVSize  <=>  newFee*oldVSize > oldFee*newVSize, in 128 bits.
	if cmpProducts(newFee, oldVSize, oldFee, newVSize) <= 0 {
		hi, lo := bits.Mul64(uint64(oldFee), uint64(newVSize))
		if hi >= uint64(oldVSize) {
			return maxMoney // more than any amount of bitcoin
		}
		q, _ := bits.Div64(hi, lo, uint64(oldVSize))
		if q >= maxMoney {
			return maxMoney
		}
		if need := int64(q) + 1; need-newFee > short {
			short = need - newFee
		}
	}
	return short
}

// cmpProducts compares a*b with c*d for non-negative operands without overflow.
func cmpProducts(a, b, c, d int64) int {
	h1, l1 := bits.Mul64(uint64(a), uint64(b))
	h2, l2 := bits.Mul64(uint64(c), uint64(d))
	switch {
	case h1 != h2:
		return cmp.Compare(h1, h2)
	default:
		return cmp.Compare(l1, l2)
	}
}

func checkHigherRate(rate FeeRate, oldFee, oldVSize int64) error {
	// rate (sat/kvB) must beat oldFee/oldVSize: rate*oldVSize > oldFee*1000.
	if int64(rate)*oldVSize <= oldFee*1000 {
		return fmt.Errorf("the new fee rate %s must be higher than the current %s (BIP125 rule 6)", rate, FeeRateOf(oldFee, oldVSize))
	}
	return nil
}

// replace runs a selection and raises the absolute fee until the BIP125 rules hold.
func replace(req Request, oldFee, oldVSize int64, incremental FeeRate, confirmedOnly bool) (*Result, error) {
	var extra int64
	for attempt := 0; attempt < 8; attempt++ {
		res, err := selectCoins(req, options{extraFee: extra, confirmedOnly: confirmedOnly})
		if err != nil {
			return nil, err
		}
		short := replacementShortfall(res.Fee, res.VSize, oldFee, oldVSize, incremental)
		if short == 0 {
			return res, nil
		}
		extra += short
	}
	return nil, errors.New("could not reach a fee that satisfies the replacement rules: try a higher fee rate")
}

// BumpFee builds a BIP125 replacement of the original transaction at the new fee rate
// (Core's feebumper): the same inputs and recipients, the change reduced first (dropped
// into the fee when it would fall below the minimum viable change), and more confirmed coins
// added only when the change cannot pay. The result satisfies rules 3 and 4 (new fee >= old
// fee + incremental relay fee x new vsize) and 6 (higher fee rate).
func BumpFee(req BumpRequest) (*Result, error) {
	oldFee, oldVSize, err := originalFacts(req.Params, req.Original)
	if err != nil {
		return nil, fmt.Errorf("cannot bump the fee: %w", err)
	}
	if err := checkHigherRate(req.FeeRate, oldFee, oldVSize); err != nil {
		return nil, fmt.Errorf("cannot bump the fee: %w", err)
	}
	incremental := req.IncrementalRelayFeeRate
	if incremental == 0 {
		incremental = DefaultIncrementalRelayFeeRate
	}
	if err := checkRate("incremental relay fee rate", incremental); err != nil {
		return nil, err
	}
	sel := Request{Params: req.Params, Outputs: req.Original.Recipients}
	seen := map[wire.OutPoint]bool{}
	for _, u := range req.Original.Inputs {
		seen[u.OutPoint] = true
		sel.UTXOs = append(sel.UTXOs, u)
		sel.MustUse = append(sel.MustUse, u.OutPoint)
	}
	for _, u := range req.Available {
		if !seen[u.OutPoint] {
			seen[u.OutPoint] = true
			sel.UTXOs = append(sel.UTXOs, u)
		}
	}
	res, err := replace(sel, oldFee, oldVSize, incremental, true)
	if err != nil {
		return nil, fmt.Errorf("cannot bump the fee: %w", err)
	}
	return res, nil
}

// CancelRequest asks for a BIP125 replacement that sends all the original inputs back to
// our own change address ("cancel transaction").
type CancelRequest struct {
	// Params carry the new fee rate (FeeRate) and the change type that receives the coins.
	Params
	// Original is the transaction being cancelled.
	Original PendingTx
	// IncrementalRelayFeeRate is the node's incremental relay fee; zero means 1 sat/vB.
	IncrementalRelayFeeRate FeeRate
}

// Cancel builds a replacement spending exactly the original inputs to one output of
// ChangeType (our change address), at the new fee rate and satisfying BIP125 rules 3, 4
// and 6. The output is Result.Outputs[0]; Result.Change is 0.
func Cancel(req CancelRequest) (*Result, error) {
	oldFee, oldVSize, err := originalFacts(req.Params, req.Original)
	if err != nil {
		return nil, fmt.Errorf("cannot cancel: %w", err)
	}
	if err := checkHigherRate(req.FeeRate, oldFee, oldVSize); err != nil {
		return nil, fmt.Errorf("cannot cancel: %w", err)
	}
	incremental := req.IncrementalRelayFeeRate
	if incremental == 0 {
		incremental = DefaultIncrementalRelayFeeRate
	}
	if err := checkRate("incremental relay fee rate", incremental); err != nil {
		return nil, err
	}
	sel := Request{Params: req.Params, UTXOs: req.Original.Inputs, UseOnly: true,
		Outputs: []Output{{Type: req.ChangeType, SendMax: true}}}
	for _, u := range req.Original.Inputs {
		sel.MustUse = append(sel.MustUse, u.OutPoint)
	}
	res, err := replace(sel, oldFee, oldVSize, incremental, true)
	if err != nil {
		return nil, fmt.Errorf("cannot cancel: %w", err)
	}
	return res, nil
}

// CPFPChildFee returns the fee a child transaction of childVSize must pay so that the
// package (parent + child) reaches the target fee rate, and at least the target rate on its
// own size: max(target x (parent + child) - parentFee, target x child).
func CPFPChildFee(parentVSize, parentFee, childVSize int64, target FeeRate) int64 {
	return max(target.Fee(parentVSize+childVSize)-parentFee, target.Fee(childVSize))
}

// CPFPRequest asks for a child-pays-for-parent transaction.
type CPFPRequest struct {
	// Params carry the target package fee rate (FeeRate) and the change type that receives
	// the child's output.
	Params
	// ParentVSize and ParentFee describe the stuck transaction.
	ParentVSize, ParentFee int64
	// Spend is the parent's output of ours that the child spends.
	Spend UTXO
}

// CPFPResult is the child transaction and the package fee rate it reaches.
type CPFPResult struct {
	// Child spends Spend to one output of ChangeType (Child.Outputs[0]).
	Child *Result
	// PackageFeeRate is (parent fee + child fee) / (parent vsize + child vsize).
	PackageFeeRate FeeRate
}

// CPFP builds the child that spends our output of a stuck parent to our own address with
// the fee needed to bring the package to the target fee rate (CPFPChildFee).
func CPFP(req CPFPRequest) (*CPFPResult, error) {
	if req.ParentVSize <= 0 || req.ParentVSize > 4_000_000 || req.ParentFee < 0 || req.ParentFee > maxMoney {
		return nil, fmt.Errorf("cannot bump with a child: parent size %d vB and fee %d sats are not valid", req.ParentVSize, req.ParentFee)
	}
	sel := Request{Params: req.Params, UTXOs: []UTXO{req.Spend}, MustUse: []wire.OutPoint{req.Spend.OutPoint}, UseOnly: true,
		Outputs: []Output{{Type: req.ChangeType, SendMax: true}}}
	res, err := selectCoins(sel, options{})
	if err != nil {
		return nil, fmt.Errorf("cannot bump with a child: %w", err)
	}
	if extra := CPFPChildFee(req.ParentVSize, req.ParentFee, res.VSize, req.FeeRate) - res.Fee; extra > 0 {
		res, err = selectCoins(sel, options{extraFee: extra})
		if err != nil {
			return nil, fmt.Errorf("cannot bump with a child: the output of %d sats is too small to pay for the parent: %w", req.Spend.Value, err)
		}
	}
	return &CPFPResult{Child: res, PackageFeeRate: FeeRateOf(req.ParentFee+res.Fee, req.ParentVSize+res.VSize)}, nil
}
