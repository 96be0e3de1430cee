package coinselect

import (
	"fmt"
	"math/rand/v2"

	"github.com/btcsuite/btcd/wire"
)

// UTXO is a coin the wallet can spend.
type UTXO struct {
	// OutPoint is the txid and output index (wire.OutPoint; ParseOutPoint reads "txid:vout").
	OutPoint wire.OutPoint
	// Value is the amount in satoshis.
	Value int64
	// InputWeight is the BIP141 weight of the signed input that spends this coin, from an
	// InputShape helper (e.g. P2WSHMultisigInput(2, 3).Weight()).
	InputWeight int64
	// Witness tells whether the spending input has a witness (segwit).
	Witness bool
	// Confirmations is the depth of the coin's transaction in the chain (0 = in mempool).
	Confirmations int64
	// Frozen coins are never chosen automatically (the user froze them).
	Frozen bool
	// Locked coins are spent by a pending PSBT and are never chosen automatically.
	Locked bool
	// OwnChange marks an output of our own transaction paying our change keychain: such
	// coins may be spent unconfirmed, like Core's trusted "from me" coins.
	OwnChange bool
}

// NewUTXO builds a confirmed UTXO from its outpoint, value, confirmation count and the
// shape of the input that will spend it.
func NewUTXO(op wire.OutPoint, value int64, confirmations int64, shape InputShape) UTXO {
	return UTXO{OutPoint: op, Value: value, InputWeight: shape.Weight(), Witness: shape.HasWitness(), Confirmations: confirmations}
}

// ParseOutPoint reads an outpoint written "txid:vout" (txid in the usual reversed hex).
func ParseOutPoint(s string) (wire.OutPoint, error) {
	op, err := wire.NewOutPointFromString(s)
	if err != nil {
		return wire.OutPoint{}, fmt.Errorf("outpoint %q is not valid: write it as <64-hex txid>:<output index>: %w", s, err)
	}
	return *op, nil
}

func (u UTXO) size() InputSize { return InputSize{Weight: u.InputWeight, Witness: u.Witness} }

// Output is a payment of the transaction.
type Output struct {
	// Value is the amount in satoshis (ignored for the SendMax output).
	Value int64
	// Type gives the script length and dust rule when Script is nil.
	Type ScriptType
	// Script is the exact output script; when set it overrides Type.
	Script []byte
	// SubtractFee makes this output pay (a share of) the fee, as Core's subtractfeefromamount:
	// the fee is split evenly among such outputs and the first one pays the remainder. As in
	// Core, an excess too small for a change output lowers what these outputs pay.
	SubtractFee bool
	// SendMax makes this output receive everything left from all spendable coins after the
	// other outputs and the fee (no change output). At most one output may have it.
	SendMax bool
}

func (o Output) scriptLen() (int, error) {
	if o.Script != nil {
		return len(o.Script), nil
	}
	return o.Type.ScriptLen()
}

// Dust returns the output's dust threshold at the dust relay fee rate (Core's
// GetDustThreshold).
func (o Output) Dust(dustRelay FeeRate) (int64, error) {
	if o.Script != nil {
		w, u := scriptInfo(o.Script)
		return DustThreshold(len(o.Script), w, u, dustRelay), nil
	}
	l, err := o.Type.ScriptLen()
	if err != nil {
		return 0, err
	}
	return DustThreshold(l, o.Type.IsWitnessProgram(), false, dustRelay), nil
}

// Params are the fee and change settings shared by Select, BumpFee, Cancel and CPFP.
type Params struct {
	// FeeRate is the target fee rate (sat/kvB; ParseFeeRate converts sat/vB).
	FeeRate FeeRate
	// LongTermFeeRate is the expected future fee rate used by the waste metric; zero means
	// DefaultLongTermFeeRate.
	LongTermFeeRate FeeRate
	// DiscardFeeRate values the change output (cost to spend it later, minimum viable
	// change), as Core's -discardfee; zero means DefaultDiscardFeeRate. It is raised to the
	// dust relay fee rate if lower (Core's GetDiscardRate).
	DiscardFeeRate FeeRate
	// DustRelayFeeRate sets the dust thresholds; zero means DefaultDustRelayFeeRate.
	DustRelayFeeRate FeeRate
	// ChangeType is the script type of the change output (required: it also prices the
	// change that might be created).
	ChangeType ScriptType
	// ChangeSpendWeight is the weight of the input that will spend the change later; zero
	// means the single-key input of ChangeType (required for multisig change).
	ChangeSpendWeight int64
	// MinChange is the smallest change output worth making; smaller excess goes to the fee.
	// The effective minimum is never below the dust threshold nor the cost to spend it.
	MinChange int64
	// MaxFee is the largest absolute fee accepted; zero means DefaultMaxFee.
	MaxFee int64
	// Rand drives the random draw; when nil a generator seeded with Seed is used.
	Rand *rand.Rand
	// Seed seeds the generator when Rand is nil.
	Seed uint64
}

// DefaultMaxFee is Core's DEFAULT_TRANSACTION_MAXFEE (0.1 BTC).
const DefaultMaxFee = 10_000_000

// Request asks Select for the inputs (and change) of a payment.
type Request struct {
	Params
	// UTXOs are the wallet's coins, including frozen, locked and unconfirmed ones (they are
	// filtered here so that errors can say how much is unavailable and why).
	UTXOs []UTXO
	// Outputs are the payments, in order.
	Outputs []Output
	// AllowUnconfirmed lets unconfirmed coins that are not our own change be selected.
	AllowUnconfirmed bool
	// MustUse lists coins that must be inputs (manual coin control). They are used even if
	// frozen, locked or unconfirmed: choosing them is explicit.
	MustUse []wire.OutPoint
	// UseOnly restricts the inputs to exactly the MustUse coins (Core's
	// m_allow_other_inputs = false).
	UseOnly bool
}

// Algorithm names the method that produced a selection.
type Algorithm string

// Algorithms.
const (
	// AlgorithmBnB is Core's SelectCoinsBnB: a changeless selection with the least waste.
	AlgorithmBnB Algorithm = "bnb"
	// AlgorithmSRD is Core's SelectCoinsSRD (single random draw).
	AlgorithmSRD Algorithm = "srd"
	// AlgorithmLargestFirst is BDK's LargestFirstCoinSelection, the last resort.
	AlgorithmLargestFirst Algorithm = "largest-first"
	// AlgorithmManual means the MustUse coins alone paid for the transaction.
	AlgorithmManual Algorithm = "manual"
	// AlgorithmSendMax means every spendable coin was used for a SendMax output.
	AlgorithmSendMax Algorithm = "send-max"
)

// Result is a funded transaction: inputs, final outputs and change.
type Result struct {
	// Inputs are the chosen coins: MustUse coins first in the given order, then the
	// algorithm's picks.
	Inputs []UTXO
	// Outputs are the payments with their final values (after SubtractFee or SendMax).
	Outputs []Output
	// Change is the change amount, 0 when there is no change output.
	Change int64
	// ChangeType is the script type of the change output (required: it also prices the
	// change that might be created).
	ChangeType ScriptType
	// Fee is the absolute fee: inputs - outputs - change.
	Fee int64
	// Weight and VSize are the estimated BIP141 weight and virtual size of the signed
	// transaction (change output last).
	Weight, VSize int64
	// Waste is Core's waste metric of the selection (see Waste).
	Waste int64
	// Algorithm is the method that found the inputs.
	Algorithm Algorithm
}

// FeeRate returns the fee rate the transaction pays.
func (r *Result) FeeRate() FeeRate { return FeeRateOf(r.Fee, r.VSize) }
