package coinselect

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/btcsuite/btcd/wire"
)

// maxMoney is Core's MAX_MONEY (21 million BTC in satoshis).
const maxMoney = 21_000_000 * 100_000_000

// resolved holds Params with defaults applied and the derived change costs
// (Core's CoinSelectionParams).
type resolved struct {
	rate, longTerm, discard, dustRelay FeeRate
	changeType                         ScriptType
	changeScriptLen                    int
	changeDust                         int64
	// changeFee is the fee to add the change output now (m_change_fee).
	changeFee int64
	// costOfChange is changeFee plus the cost to spend the change later at the discard
	// rate (m_cost_of_change).
	costOfChange int64
	// minViableChange is the smallest change worth making (min_viable_change, raised to
	// MinChange).
	minViableChange int64
	maxFee          int64
	rng             *rand.Rand
}

func checkRate(name string, r FeeRate) error {
	if r < 0 || r > MaxFeeRate {
		return fmt.Errorf("%s %s is out of range: give 0 to %s", name, r, MaxFeeRate)
	}
	return nil
}

func resolve(p Params) (resolved, error) {
	var z resolved
	for _, c := range []struct {
		name string
		r    FeeRate
	}{{"fee rate", p.FeeRate}, {"long-term fee rate", p.LongTermFeeRate}, {"discard fee rate", p.DiscardFeeRate}, {"dust relay fee rate", p.DustRelayFeeRate}} {
		if err := checkRate(c.name, c.r); err != nil {
			return z, err
		}
	}
	if p.MinChange < 0 || p.MinChange > maxMoney || p.MaxFee < 0 || p.MaxFee > maxMoney {
		return z, fmt.Errorf("minimum change %d or maximum fee %d sats is out of range: give 0 to 21e14 sats", p.MinChange, p.MaxFee)
	}
	r := resolved{rate: p.FeeRate, longTerm: p.LongTermFeeRate, discard: p.DiscardFeeRate, dustRelay: p.DustRelayFeeRate,
		changeType: p.ChangeType, maxFee: p.MaxFee, rng: p.Rand}
	if r.longTerm == 0 {
		r.longTerm = DefaultLongTermFeeRate
	}
	if r.dustRelay == 0 {
		r.dustRelay = DefaultDustRelayFeeRate
	}
	if r.discard == 0 {
		r.discard = DefaultDiscardFeeRate
	}
	r.discard = max(r.discard, r.dustRelay)
	if r.maxFee == 0 {
		r.maxFee = DefaultMaxFee
	}
	if r.rng == nil {
		r.rng = rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))
	}
	l, err := p.ChangeType.ScriptLen()
	if err != nil {
		return z, fmt.Errorf("change type: %w", err)
	}
	r.changeScriptLen = l
	r.changeDust = DustThreshold(l, p.ChangeType.IsWitnessProgram(), false, r.dustRelay)
	spendWeight := p.ChangeSpendWeight
	if spendWeight < 0 || spendWeight > MaxStandardTxWeight {
		return z, fmt.Errorf("change spend weight %d is out of range: give the weight of the input that spends the change", spendWeight)
	}
	if spendWeight == 0 {
		shape, err := SinglesigInput(p.ChangeType)
		if err != nil {
			return z, fmt.Errorf("change spend weight is needed for %s change: %w", p.ChangeType, err)
		}
		spendWeight = shape.Weight()
	}
	r.changeFee = r.rate.Fee(OutputSize(l))
	spendFee := r.discard.Fee(VSize(spendWeight))
	r.costOfChange = r.changeFee + spendFee
	r.minViableChange = max(spendFee+1, r.changeDust, p.MinChange)
	return r, nil
}

// coinVBytes is the vsize a coin adds to the transaction for selection purposes: its weight,
// plus the empty-witness byte a non-witness input needs in a segwit transaction, rounded up.
func coinVBytes(u UTXO) int64 {
	w := u.InputWeight
	if !u.Witness {
		w++
	}
	return VSize(w)
}

func (r *resolved) coin(u UTXO, subtractFee bool) Coin {
	vb := coinVBytes(u)
	c := Coin{Fee: r.rate.Fee(vb), LongTermFee: r.longTerm.Fee(vb), Weight: u.InputWeight}
	if subtractFee {
		c.Amount = u.Value
	} else {
		c.Amount = u.Value - c.Fee
	}
	return c
}

// options are the internal knobs fee bumping needs on top of a Request.
type options struct {
	// extraFee is an absolute fee added on top of the fee rate (BIP125 rule 4, CPFP).
	extraFee int64
	// confirmedOnly excludes every unconfirmed coin not in MustUse (BIP125 rule 2).
	confirmedOnly bool
}

// Select chooses the inputs and change for the payment in req, as Core's
// CreateTransaction does: manual coin control first (MustUse, UseOnly), then branch and bound
// (no change) and single random draw, keeping the result with the lowest waste, and
// largest-first when both fail. Frozen and locked coins are used only when listed in
// MustUse; unconfirmed coins only when they are our own change or AllowUnconfirmed is set.
// A change output is made only when the excess exceeds the minimum viable change (dust, the
// cost to spend it, MinChange); otherwise the excess goes to the fee. Outputs flagged
// SubtractFee pay the fee (split evenly, remainder on the first), a SendMax output takes
// everything.
func Select(req Request) (*Result, error) {
	return selectCoins(req, options{})
}

type outputInfo struct {
	scriptLens []int
	dust       []int64
	sum        int64
	sendMax    int // index or -1
	subtract   []int
}

func checkOutputs(outs []Output, dustRelay FeeRate) (outputInfo, error) {
	info := outputInfo{sendMax: -1}
	if len(outs) == 0 {
		return info, errors.New("no outputs: add at least one recipient")
	}
	for i, o := range outs {
		l, err := o.scriptLen()
		if err != nil {
			return info, fmt.Errorf("output %d: %w", i, err)
		}
		d, _ := o.Dust(dustRelay)
		info.scriptLens = append(info.scriptLens, l)
		info.dust = append(info.dust, d)
		if o.SendMax {
			if info.sendMax >= 0 {
				return info, fmt.Errorf("outputs %d and %d both ask for the maximum: only one output can receive the rest", info.sendMax, i)
			}
			info.sendMax = i
			continue
		}
		if o.Value < 0 || o.Value > maxMoney {
			return info, fmt.Errorf("output %d: amount %d sats is out of range", i, o.Value)
		}
		if o.SubtractFee {
			if o.Value == 0 {
				return info, fmt.Errorf("output %d: amount is zero, so it cannot pay a share of the fee", i)
			}
			info.subtract = append(info.subtract, i)
		} else if o.Value < d {
			return info, &DustOutputError{Index: i, Value: o.Value, Threshold: d}
		}
		info.sum += o.Value
		if info.sum > maxMoney {
			return info, errors.New("the outputs add up to more than 21 million BTC")
		}
	}
	if info.sendMax >= 0 && len(info.subtract) > 0 {
		return info, errors.New("an output that receives the maximum already pays the fee: do not also subtract the fee from other outputs")
	}
	return info, nil
}

func selectCoins(req Request, opt options) (*Result, error) {
	rp, err := resolve(req.Params)
	if err != nil {
		return nil, err
	}
	outs, err := checkOutputs(req.Outputs, rp.dustRelay)
	if err != nil {
		return nil, err
	}
	// Index the coins and check them.
	byOutPoint := make(map[wire.OutPoint]int, len(req.UTXOs))
	for i, u := range req.UTXOs {
		if _, dup := byOutPoint[u.OutPoint]; dup {
			return nil, fmt.Errorf("coin %s is listed twice", u.OutPoint)
		}
		if u.Value <= 0 || u.Value > maxMoney {
			return nil, fmt.Errorf("coin %s has an invalid amount of %d sats", u.OutPoint, u.Value)
		}
		if u.InputWeight <= 4*(outPointLen+1+sequenceLen)-1 || u.InputWeight > MaxStandardTxWeight {
			return nil, fmt.Errorf("coin %s has an invalid input weight of %d: use an InputShape helper to compute it", u.OutPoint, u.InputWeight)
		}
		byOutPoint[u.OutPoint] = i
	}
	var preset []UTXO
	inPreset := make(map[wire.OutPoint]bool, len(req.MustUse))
	for _, op := range req.MustUse {
		i, ok := byOutPoint[op]
		if !ok {
			return nil, fmt.Errorf("coin %s chosen for spending is not among the wallet's coins: refresh the wallet and choose again", op)
		}
		if inPreset[op] {
			return nil, fmt.Errorf("coin %s is chosen twice", op)
		}
		inPreset[op] = true
		preset = append(preset, req.UTXOs[i])
	}
	if req.UseOnly && len(preset) == 0 {
		return nil, errors.New("no coins chosen: pick the coins to spend or turn off manual coin control")
	}
	short := &InsufficientFundsError{}
	pool := make([]UTXO, 0, len(req.UTXOs))
	for _, u := range req.UTXOs {
		if inPreset[u.OutPoint] {
			continue
		}
		switch {
		case req.UseOnly:
			continue
		case u.Frozen:
			short.Frozen += u.Value
		case u.Locked:
			short.Locked += u.Value
		case u.Confirmations < 1 && (opt.confirmedOnly || !(u.OwnChange || req.AllowUnconfirmed)):
			short.Unconfirmed += u.Value
		default:
			pool = append(pool, u)
		}
	}

	subtract := len(outs.subtract) > 0 || outs.sendMax >= 0
	nInMax := len(preset) + len(pool)
	// Fixed part: version, locktime, counts (room for the change output), outputs, segwit
	// marker; Core's tx_noinputs_size.
	fixedWeight := WitnessScaleFactor*(txBaseLen+VarIntSize(uint64(nInMax))+VarIntSize(uint64(len(req.Outputs)+1))) + segwitMarkerWeight
	for _, l := range outs.scriptLens {
		fixedWeight += WitnessScaleFactor * OutputSize(l)
	}
	notInputFee := rp.rate.Fee(VSize(fixedWeight)) + opt.extraFee

	presetCoins := make([]Coin, len(preset))
	var presetWeight int64
	for i, u := range preset {
		presetCoins[i] = rp.coin(u, subtract)
		presetWeight += u.InputWeight
	}
	poolCoins := make([]Coin, 0, len(pool))
	poolUTXOs := make([]UTXO, 0, len(pool))
	for _, u := range pool {
		c := rp.coin(u, subtract)
		short.Spendable += u.Value
		// A coin worth no more than the fee to spend it would only lower the payment.
		if u.Value <= c.Fee {
			short.Uneconomical += u.Value
			continue
		}
		poolCoins = append(poolCoins, c)
		poolUTXOs = append(poolUTXOs, u)
	}
	fillShort := func() error {
		short.Need = outs.sum
		// The outputs pay the fee when subtracting it; a SendMax output still needs it.
		feeExtra := !subtract || outs.sendMax >= 0
		for i, u := range preset {
			short.Spendable += u.Value
			if feeExtra {
				short.Fee += presetCoins[i].Fee
			}
		}
		if feeExtra {
			short.Fee += notInputFee
			for _, c := range poolCoins {
				short.Fee += c.Fee
			}
		}
		return short
	}

	if outs.sendMax >= 0 {
		inputs := append(append([]UTXO(nil), preset...), poolUTXOs...)
		coins := append(append([]Coin(nil), presetCoins...), poolCoins...)
		if len(inputs) == 0 {
			return nil, fillShort()
		}
		res, err := rp.finishSendMax(req.Outputs, outs, inputs, coins, opt.extraFee)
		if errors.Is(err, ErrInsufficientFunds) {
			return nil, fillShort()
		}
		return res, err
	}

	target := outs.sum
	if !subtract {
		target += notInputFee
	}
	var presetAmount int64
	for _, c := range presetCoins {
		presetAmount += c.Amount
	}
	remaining := target - presetAmount

	var chosen []int
	algo := AlgorithmManual
	if remaining > 0 || len(preset) == 0 {
		if req.UseOnly {
			return nil, fillShort()
		}
		changeWeight := WitnessScaleFactor * OutputSize(rp.changeScriptLen)
		maxWeight := MaxStandardTxWeight - fixedWeight - presetWeight - changeWeight
		type candidate struct {
			idx   []int
			algo  Algorithm
			waste int64
		}
		var cands []candidate
		tooLarge := false
		add := func(idx []int, ok, exceeded bool, a Algorithm) {
			tooLarge = tooLarge || exceeded
			if !ok {
				return
			}
			all := append(append([]Coin(nil), presetCoins...), pick(poolCoins, idx)...)
			change := rp.changeAmount(all, target, subtract)
			cands = append(cands, candidate{idx, a, Waste(all, target, change > 0, rp.costOfChange)})
		}
		if !subtract {
			add2 := func(idx []int, ok, ex bool) { add(idx, ok, ex, AlgorithmBnB) }
			add2(BranchAndBound(poolCoins, remaining, rp.costOfChange, maxWeight))
		}
		idx, ok, ex := SingleRandomDraw(poolCoins, remaining+ChangeLower+rp.changeFee, maxWeight, rp.rng)
		add(idx, ok, ex, AlgorithmSRD)
		if len(cands) == 0 {
			idx, ok, ex := LargestFirstSelect(poolCoins, remaining, maxWeight)
			add(idx, ok, ex, AlgorithmLargestFirst)
		}
		if len(cands) == 0 {
			var total int64
			for _, c := range poolCoins {
				total += c.Amount
			}
			if tooLarge && total >= remaining {
				return nil, ErrTooLarge
			}
			return nil, fillShort()
		}
		best := cands[0]
		for _, c := range cands[1:] {
			// Lower waste wins; on a tie, more inputs (Core's SelectionResult::operator<).
			if c.waste < best.waste || (c.waste == best.waste && len(c.idx) > len(best.idx)) {
				best = c
			}
		}
		chosen, algo = best.idx, best.algo
	}
	inputs := append(append([]UTXO(nil), preset...), pickUTXO(poolUTXOs, chosen)...)
	coins := append(append([]Coin(nil), presetCoins...), pick(poolCoins, chosen)...)
	return rp.finish(req.Outputs, outs, inputs, coins, target, subtract, opt.extraFee, algo)
}

func pick(coins []Coin, idx []int) []Coin {
	out := make([]Coin, len(idx))
	for i, j := range idx {
		out[i] = coins[j]
	}
	return out
}

func pickUTXO(us []UTXO, idx []int) []UTXO {
	out := make([]UTXO, len(idx))
	for i, j := range idx {
		out[i] = us[j]
	}
	return out
}

// changeAmount is Core's SelectionResult::GetChange: the change left after the target and
// the change output's own fee (or, when the outputs pay the fee, after the target alone),
// or 0 when it is below the minimum viable change.
func (r *resolved) changeAmount(coins []Coin, target int64, subtract bool) int64 {
	var amount int64
	for _, c := range coins {
		amount += c.Amount
	}
	change := amount - target
	if !subtract {
		change -= r.changeFee
	}
	if change < r.minViableChange {
		return 0
	}
	return change
}

func sizes(inputs []UTXO) []InputSize {
	s := make([]InputSize, len(inputs))
	for i, u := range inputs {
		s[i] = u.size()
	}
	return s
}

func sumValues(us []UTXO) int64 {
	var t int64
	for _, u := range us {
		t += u.Value
	}
	return t
}

// finish turns a selection into final outputs, change and fee using the exact size of the
// transaction (Core's CreateTransactionInternal after SelectCoins).
func (r *resolved) finish(reqOuts []Output, outs outputInfo, inputs []UTXO, coins []Coin, target int64, subtract bool, extraFee int64, algo Algorithm) (*Result, error) {
	totalIn := sumValues(inputs)
	change := r.changeAmount(coins, target, subtract)
	final := append([]Output(nil), reqOuts...)
	lens := outs.scriptLens
	withChange := func() []int { return append(append([]int(nil), lens...), r.changeScriptLen) }
	res := &Result{Inputs: inputs, Outputs: final, ChangeType: r.changeType, Algorithm: algo}
	in := sizes(inputs)
	if !subtract {
		if change > 0 {
			res.Weight = TxWeight(in, withChange())
			fee := r.rate.Fee(VSize(res.Weight)) + extraFee
			change = totalIn - outs.sum - fee
			if change < r.minViableChange {
				change = 0
			}
		}
		if change == 0 {
			res.Weight = TxWeight(in, lens)
		}
		res.VSize = VSize(res.Weight)
		res.Change = change
		res.Fee = totalIn - outs.sum - change
		if need := r.rate.Fee(res.VSize) + extraFee; res.Fee < need {
			return nil, fmt.Errorf("internal estimate error: fee %d sats is below the %d sats needed; please report this", res.Fee, need)
		}
	} else {
		if change > 0 {
			res.Weight = TxWeight(in, withChange())
		} else {
			res.Weight = TxWeight(in, lens)
		}
		res.VSize = VSize(res.Weight)
		res.Change = change
		need := r.rate.Fee(res.VSize) + extraFee
		toReduce := need - (totalIn - outs.sum - change)
		n := int64(len(outs.subtract))
		for k, i := range outs.subtract {
			v := final[i].Value - toReduce/n
			if k == 0 {
				v -= toReduce % n
			}
			if v <= 0 || v < outs.dust[i] {
				return nil, &DustOutputError{Index: i, Value: v, Threshold: outs.dust[i], AfterFee: true}
			}
			final[i].Value = v
		}
		var outSum int64
		for _, o := range final {
			outSum += o.Value
		}
		res.Fee = totalIn - outSum - change
	}
	res.Waste = Waste(coins, target, res.Change > 0, r.costOfChange)
	if res.Weight > MaxStandardTxWeight {
		return nil, ErrTooLarge
	}
	if res.Fee > r.maxFee {
		return nil, fmt.Errorf("fee of %d sats exceeds the maximum of %d sats: lower the fee rate or raise the limit", res.Fee, r.maxFee)
	}
	return res, nil
}

// finishSendMax spends every input to the outputs, the SendMax one taking what is left
// after the other outputs and the fee.
func (r *resolved) finishSendMax(reqOuts []Output, outs outputInfo, inputs []UTXO, coins []Coin, extraFee int64) (*Result, error) {
	final := append([]Output(nil), reqOuts...)
	res := &Result{Inputs: inputs, Outputs: final, ChangeType: r.changeType, Algorithm: AlgorithmSendMax}
	res.Weight = TxWeight(sizes(inputs), outs.scriptLens)
	if res.Weight > MaxStandardTxWeight {
		return nil, ErrTooLarge
	}
	res.VSize = VSize(res.Weight)
	totalIn := sumValues(inputs)
	fee := r.rate.Fee(res.VSize) + extraFee
	v := totalIn - outs.sum - fee
	i := outs.sendMax
	if v <= 0 {
		return nil, ErrInsufficientFunds
	}
	if v < outs.dust[i] {
		return nil, &DustOutputError{Index: i, Value: v, Threshold: outs.dust[i], AfterFee: true, SendMax: true}
	}
	final[i].Value = v
	res.Fee = fee
	// Everything is spent and nothing is left over: the waste is the input fee difference.
	var w int64
	for _, c := range coins {
		w += c.Fee - c.LongTermFee
	}
	res.Waste = w
	if res.Fee > r.maxFee {
		return nil, fmt.Errorf("fee of %d sats exceeds the maximum of %d sats: lower the fee rate or raise the limit", res.Fee, r.maxFee)
	}
	return res, nil
}
