package coinselect

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInsufficientFunds is matched (errors.Is) by every InsufficientFundsError.
var ErrInsufficientFunds = errors.New("insufficient funds")

// ErrDustOutput is matched (errors.Is) by every DustOutputError.
var ErrDustOutput = errors.New("output would be dust")

// ErrTooLarge means the coins needed would make a non-standard transaction (above Core's
// MAX_STANDARD_TX_WEIGHT of 400,000 weight units).
var ErrTooLarge = errors.New("transaction would exceed the standard size limit of 400000 weight units: consolidate small coins first or send a smaller amount")

// InsufficientFundsError says exactly what is short: the amount needed, the estimated fee,
// what can be spent, and how much is set aside (frozen, locked by pending PSBTs,
// unconfirmed, or in coins worth less than the fee to spend them).
type InsufficientFundsError struct {
	// Need is the amount to pay to the outputs, in satoshis.
	Need int64
	// Fee is the estimated fee when every spendable coin is used (0 when the outputs pay it).
	Fee int64
	// Spendable is the value of the coins that may be used.
	Spendable int64
	// Frozen, Locked and Unconfirmed are the values of coins excluded for that reason.
	Frozen, Locked, Unconfirmed int64
	// Uneconomical is the value of spendable coins whose spending fee exceeds their value.
	Uneconomical int64
}

// Error formats the shortfall, e.g. "insufficient funds: need 1500000 sats plus about 420
// sats fee, spendable 1200000 sats (300000 sats frozen)".
func (e *InsufficientFundsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "insufficient funds: need %d sats", e.Need)
	if e.Fee > 0 {
		fmt.Fprintf(&b, " plus about %d sats fee", e.Fee)
	}
	fmt.Fprintf(&b, ", spendable %d sats", e.Spendable)
	var parts []string
	if e.Frozen > 0 {
		parts = append(parts, fmt.Sprintf("%d sats frozen", e.Frozen))
	}
	if e.Locked > 0 {
		parts = append(parts, fmt.Sprintf("%d sats locked by pending transactions", e.Locked))
	}
	if e.Unconfirmed > 0 {
		parts = append(parts, fmt.Sprintf("%d sats unconfirmed", e.Unconfirmed))
	}
	if e.Uneconomical > 0 {
		parts = append(parts, fmt.Sprintf("%d sats in coins worth less than their spending fee", e.Uneconomical))
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInsufficientFunds) true.
func (e *InsufficientFundsError) Is(target error) bool { return target == ErrInsufficientFunds }

// DustOutputError reports an output whose value is (or would become, after paying its share
// of the fee) below its dust threshold (Core's IsDust), so nodes would not relay it.
type DustOutputError struct {
	// Index is the output's position in the request.
	Index int
	// Value is the output's value (after the fee share when AfterFee).
	Value int64
	// Threshold is the smallest value that is not dust.
	Threshold int64
	// AfterFee is true when the fee subtracted from the output made it dust.
	AfterFee bool
	// SendMax is true when the output was to receive everything left after the fee.
	SendMax bool
}

// Error explains which output is too small and what to do.
func (e *DustOutputError) Error() string {
	if e.SendMax {
		return fmt.Sprintf("output %d would receive only %d sats after the fee, below the dust threshold of %d sats: add coins or lower the fee rate", e.Index, e.Value, e.Threshold)
	}
	if e.AfterFee {
		return fmt.Sprintf("output %d would be %d sats after subtracting its share of the fee, below the dust threshold of %d sats: send more or do not subtract the fee from it", e.Index, e.Value, e.Threshold)
	}
	return fmt.Sprintf("output %d of %d sats is below the dust threshold of %d sats: send at least %d sats", e.Index, e.Value, e.Threshold, e.Threshold)
}

// Is makes errors.Is(err, ErrDustOutput) true.
func (e *DustOutputError) Is(target error) bool { return target == ErrDustOutput }
