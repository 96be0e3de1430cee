package coinselect

import (
	"fmt"
	"math"
	"strconv"
)

// FeeRate is a fee rate in satoshis per 1000 virtual bytes (sat/kvB), the unit of Bitcoin
// Core's CFeeRate. It lets fractional sat/vB rates (such as 1.5 sat/vB = 1500) be exact
// integers. Virtual bytes are defined by BIP141 (weight / 4, rounded up).
type FeeRate int64

// MaxFeeRate is the highest fee rate accepted (100,000 sat/vB); anything above is almost
// certainly a unit mistake.
const MaxFeeRate FeeRate = 100_000_000

const (
	// DefaultDustRelayFeeRate is Core's DUST_RELAY_TX_FEE (3 sat/vB) used for dust thresholds.
	DefaultDustRelayFeeRate FeeRate = 3000
	// DefaultLongTermFeeRate is Core's DEFAULT_CONSOLIDATE_FEERATE (10 sat/vB), the fee rate
	// at which coins are expected to be spendable in the long term (for the waste metric).
	DefaultLongTermFeeRate FeeRate = 10_000
	// DefaultDiscardFeeRate is Core's DEFAULT_DISCARD_FEE (10 sat/vB): the fee rate at which
	// a change output is valued when deciding whether it is worth creating.
	DefaultDiscardFeeRate FeeRate = 10_000
	// DefaultIncrementalRelayFeeRate is Core's DEFAULT_INCREMENTAL_RELAY_FEE (1 sat/vB), the
	// minimum fee-rate step of a BIP125 replacement (rule 4).
	DefaultIncrementalRelayFeeRate FeeRate = 1000
)

// SatPerVByte returns the fee rate of n whole satoshis per virtual byte.
func SatPerVByte(n int64) FeeRate { return FeeRate(n * 1000) }

// ParseFeeRate converts a fee rate in sat/vB (fractions allowed, up to 3 decimals are
// kept, as in Core's sat/vB arguments) into a FeeRate.
func ParseFeeRate(satPerVByte float64) (FeeRate, error) {
	if math.IsNaN(satPerVByte) || math.IsInf(satPerVByte, 0) || satPerVByte < 0 {
		return 0, fmt.Errorf("fee rate %v sat/vB is not valid: give a positive number of sat/vB", satPerVByte)
	}
	r := FeeRate(math.Round(satPerVByte * 1000))
	if r > MaxFeeRate {
		return 0, fmt.Errorf("fee rate %v sat/vB is above the maximum of %s: check the unit (sat/vB, not sat/kvB or BTC/kvB)", satPerVByte, MaxFeeRate)
	}
	return r, nil
}

// Fee returns the fee for vbytes virtual bytes at this rate, rounded up to a whole satoshi
// like Core's CFeeRate::GetFee.
func (r FeeRate) Fee(vbytes int64) int64 {
	if r <= 0 || vbytes <= 0 {
		return 0
	}
	return (int64(r)*vbytes + 999) / 1000
}

// SatPerVByte returns the rate in sat/vB as a float, for display.
func (r FeeRate) SatPerVByte() float64 { return float64(r) / 1000 }

// String formats the rate as sat/vB with up to three decimals, e.g. "1.5 sat/vB".
func (r FeeRate) String() string {
	return strconv.FormatFloat(float64(r)/1000, 'f', -1, 64) + " sat/vB"
}

// FeeRateOf returns the fee rate paid by fee over vsize virtual bytes, rounded down.
func FeeRateOf(fee, vsize int64) FeeRate {
	if vsize <= 0 || fee <= 0 {
		return 0
	}
	return FeeRate(fee * 1000 / vsize)
}
