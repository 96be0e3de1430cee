// Package coinselect chooses the inputs of a transaction and estimates its size, for the
// Specter engine (pure Go, no I/O, builds for native and js/wasm).
//
// The facts follow Bitcoin Core (src/wallet/coinselection.cpp, spend.cpp, feebumper.cpp,
// policy/policy.cpp) and BDK (coin_selection.rs):
//
//   - Branch and bound (Murch's algorithm as in Core, waste metric, 100,000 tries) looks for
//     a changeless input set; single random draw (Core's SRD) is the randomized fallback, and
//     largest-first (BDK's LargestFirstCoinSelection) is the last resort. The result with the
//     lowest waste wins.
//   - Fees are computed with integer fee rates in sat/kvB and rounded up like Core's CFeeRate.
//   - Dust thresholds follow Core's GetDustThreshold with the 3 sat/vB dust relay fee.
//   - Fee bumping follows BIP125 (rules 2, 3, 4 and 6) and CPFP package fee rates.
//
// Randomness comes only from the *rand.Rand (or seed) given in Params, so results are
// reproducible in tests.
package coinselect
