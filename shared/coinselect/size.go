package coinselect

import "fmt"

// Sizes used by the estimators (BIP141 weights, BIP340 signatures).
const (
	// WitnessScaleFactor is the BIP141 weight of a non-witness byte.
	WitnessScaleFactor = 4
	// ECDSASigLen is the largest standard DER ECDSA signature with its sighash byte: low-S
	// signatures are at most 71 bytes plus 1 sighash byte (BIP62 / BIP146 policy).
	ECDSASigLen = 72
	// SchnorrSigLen is a BIP340 signature with SIGHASH_DEFAULT (BIP341), the sighash the
	// engine's PSBTs use for taproot inputs.
	SchnorrSigLen = 64
	// CompressedPubKeyLen is the length of a compressed secp256k1 public key.
	CompressedPubKeyLen = 33
	// MaxStandardTxWeight is Core's MAX_STANDARD_TX_WEIGHT: larger transactions do not relay.
	MaxStandardTxWeight = 400_000

	outPointLen = 32 + 4 // txid, vout
	sequenceLen = 4
	// txBaseLen is version and locktime.
	txBaseLen = 4 + 4
	// segwitMarkerWeight is the marker and flag bytes of a BIP144 serialization (witness
	// data, so 1 weight unit each).
	segwitMarkerWeight = 2
)

// VarIntSize returns the size of Bitcoin's CompactSize encoding of n.
func VarIntSize(n uint64) int64 {
	switch {
	case n < 0xfd:
		return 1
	case n <= 0xffff:
		return 3
	case n <= 0xffffffff:
		return 5
	default:
		return 9
	}
}

// ScriptType is the kind of script an output pays to or an input spends. The "m-of-n"
// kinds are sortedmulti/multi descriptors (BIP383/BIP67) or tr(multi_a) (BIP386/BIP342).
type ScriptType int

// Script types.
const (
	// P2PKH is pkh(KEY) (legacy).
	P2PKH ScriptType = iota + 1
	// P2SHP2WPKH is sh(wpkh(KEY)) (BIP49 nested segwit).
	P2SHP2WPKH
	// P2WPKH is wpkh(KEY) (BIP84 native segwit v0).
	P2WPKH
	// P2TR is tr(KEY) (BIP86 taproot, key path).
	P2TR
	// P2SH is sh(multi(...)) (legacy multisig, BIP11/BIP16).
	P2SH
	// P2SHP2WSH is sh(wsh(multi(...))) (BIP48 script type 1).
	P2SHP2WSH
	// P2WSH is wsh(multi(...)) (BIP48 script type 2).
	P2WSH
)

var scriptTypeNames = map[ScriptType]string{
	P2PKH: "p2pkh", P2SHP2WPKH: "p2sh-p2wpkh", P2WPKH: "p2wpkh", P2TR: "p2tr",
	P2SH: "p2sh", P2SHP2WSH: "p2sh-p2wsh", P2WSH: "p2wsh",
}

// String returns the lower-case name of the script type, e.g. "p2wsh".
func (t ScriptType) String() string {
	if s, ok := scriptTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("ScriptType(%d)", int(t))
}

// ScriptLen returns the length of the output script (scriptPubKey) of this type: 25 for
// P2PKH, 23 for P2SH (and both P2SH-wrapped segwit kinds), 22 for P2WPKH, 34 for P2WSH and
// P2TR (BIP141, BIP341).
func (t ScriptType) ScriptLen() (int, error) {
	switch t {
	case P2PKH:
		return 25, nil
	case P2SH, P2SHP2WPKH, P2SHP2WSH:
		return 23, nil
	case P2WPKH:
		return 22, nil
	case P2WSH, P2TR:
		return 34, nil
	}
	return 0, fmt.Errorf("unknown script type %d: use one of the coinselect script type constants", int(t))
}

// IsWitnessProgram reports whether outputs of this type are native witness programs
// (BIP141), which Core's dust rule treats as cheaper to spend.
func (t ScriptType) IsWitnessProgram() bool { return t == P2WPKH || t == P2WSH || t == P2TR }

// OutputSize returns the serialized size of a transaction output whose script is scriptLen
// bytes long: 8-byte value, CompactSize length, script.
func OutputSize(scriptLen int) int64 {
	return 8 + VarIntSize(uint64(scriptLen)) + int64(scriptLen)
}

// InputShape describes a fully signed input: the length of its scriptSig and the lengths
// of its witness stack items (nil for a non-witness input). Shapes come from the helpers
// below (P2WPKHInput, P2WSHMultisigInput, ...) and feed the size estimators.
type InputShape struct {
	ScriptSigLen int
	Witness      []int
}

// HasWitness reports whether the input carries witness data (BIP141).
func (s InputShape) HasWitness() bool { return len(s.Witness) > 0 }

// Weight returns the BIP141 weight of the input: 4 x (outpoint, scriptSig with its length,
// sequence) plus the witness stack (item count, then each item with its length).
func (s InputShape) Weight() int64 {
	base := int64(outPointLen) + VarIntSize(uint64(s.ScriptSigLen)) + int64(s.ScriptSigLen) + sequenceLen
	return base*WitnessScaleFactor + s.WitnessWeight()
}

// WitnessWeight returns the BIP141 weight of the input's witness alone (BIP144
// serialization: item count, then each item with its length; one weight unit a byte),
// 0 for a non-witness input.
func (s InputShape) WitnessWeight() int64 {
	if len(s.Witness) == 0 {
		return 0
	}
	w := VarIntSize(uint64(len(s.Witness)))
	for _, l := range s.Witness {
		w += VarIntSize(uint64(l)) + int64(l)
	}
	return w
}

// Size returns the weight and witness flag of the shape, as UTXO and the estimators use them.
func (s InputShape) Size() InputSize { return InputSize{Weight: s.Weight(), Witness: s.HasWitness()} }

// InputSize is what the estimators need to know about one input: its BIP141 weight
// (InputShape.Weight) and whether it has a witness.
type InputSize struct {
	Weight  int64
	Witness bool
}

// PushLen is the size of a minimal data push of n bytes in a script (BIP62 minimal push
// rules: direct push up to 75 bytes, then OP_PUSHDATA1, OP_PUSHDATA2, OP_PUSHDATA4).
func PushLen(n int) int {
	switch {
	case n <= 75:
		return 1 + n
	case n <= 0xff:
		return 2 + n
	case n <= 0xffff:
		return 3 + n
	default:
		return 5 + n
	}
}

// numLen is the size of pushing the small integer k as a script number (OP_1..OP_16, or a
// minimal CScriptNum push above 16).
func numLen(k int) int {
	if k >= 0 && k <= 16 {
		return 1
	}
	n := 0
	for v := k; v > 0; v >>= 8 {
		n++
	}
	// A set top bit needs an extra byte so the number stays positive.
	if k>>(8*n-1)&1 == 1 {
		n++
	}
	return 1 + n
}

// MultisigScriptLen returns the length of the m-of-n CHECKMULTISIG script with compressed
// keys: <m> <key>... <n> OP_CHECKMULTISIG (BIP11; multi/sortedmulti in BIP383).
func MultisigScriptLen(m, n int) int {
	return numLen(m) + n*(1+CompressedPubKeyLen) + numLen(n) + 1
}

// MultiAScriptLen returns the length of the BIP342 multi_a m-of-n leaf script (BIP386):
// <key1> OP_CHECKSIG <key2> OP_CHECKSIGADD ... <m> OP_NUMEQUAL with 32-byte x-only keys.
func MultiAScriptLen(m, n int) int {
	return n*(1+32+1) + numLen(m) + 1
}

// P2PKHInput is the shape of a signed pkh() input: scriptSig <sig> <pubkey>.
func P2PKHInput() InputShape {
	return InputShape{ScriptSigLen: PushLen(ECDSASigLen) + PushLen(CompressedPubKeyLen)}
}

// P2SHP2WPKHInput is the shape of a signed sh(wpkh()) input (BIP141 P2WPKH nested in
// BIP16 P2SH): scriptSig pushes the 22-byte witness program, witness <sig> <pubkey>.
func P2SHP2WPKHInput() InputShape {
	return InputShape{ScriptSigLen: PushLen(22), Witness: []int{ECDSASigLen, CompressedPubKeyLen}}
}

// P2WPKHInput is the shape of a signed wpkh() input (BIP141): witness <sig> <pubkey>.
func P2WPKHInput() InputShape {
	return InputShape{Witness: []int{ECDSASigLen, CompressedPubKeyLen}}
}

// P2TRKeyPathInput is the shape of a BIP341 key-path spend: one 64-byte BIP340 signature
// (SIGHASH_DEFAULT).
func P2TRKeyPathInput() InputShape {
	return InputShape{Witness: []int{SchnorrSigLen}}
}

func checkMultisig(m, n, maxN int, what string) error {
	if m < 1 || n < 1 || m > n {
		return fmt.Errorf("%s %d-of-%d is not valid: need 1 <= m <= n", what, m, n)
	}
	if n > maxN {
		return fmt.Errorf("%s %d-of-%d has too many keys: at most %d are standard", what, m, n, maxN)
	}
	return nil
}

// P2SHMultisigInput is the shape of a signed sh(multi(m, n keys)) input (BIP11, BIP16):
// scriptSig OP_0 <sig>*m <redeemScript>. At most 15 keys fit the 520-byte redeem script limit.
func P2SHMultisigInput(m, n int) (InputShape, error) {
	if err := checkMultisig(m, n, 15, "p2sh multisig"); err != nil {
		return InputShape{}, err
	}
	return InputShape{ScriptSigLen: 1 + m*PushLen(ECDSASigLen) + PushLen(MultisigScriptLen(m, n))}, nil
}

func wshMultisigWitness(m, n int) []int {
	w := make([]int, 0, m+2)
	w = append(w, 0) // the dummy element CHECKMULTISIG pops (BIP147: must be empty)
	for i := 0; i < m; i++ {
		w = append(w, ECDSASigLen)
	}
	return append(w, MultisigScriptLen(m, n))
}

// P2WSHMultisigInput is the shape of a signed wsh(multi(m, n keys)) input (BIP141):
// witness <empty> <sig>*m <witnessScript>. At most 20 keys (MAX_PUBKEYS_PER_MULTISIG).
func P2WSHMultisigInput(m, n int) (InputShape, error) {
	if err := checkMultisig(m, n, 20, "p2wsh multisig"); err != nil {
		return InputShape{}, err
	}
	return InputShape{Witness: wshMultisigWitness(m, n)}, nil
}

// P2SHP2WSHMultisigInput is the shape of a signed sh(wsh(multi(m, n keys))) input (BIP141
// P2WSH nested in P2SH): scriptSig pushes the 34-byte witness program, witness as P2WSH.
func P2SHP2WSHMultisigInput(m, n int) (InputShape, error) {
	if err := checkMultisig(m, n, 20, "p2sh-p2wsh multisig"); err != nil {
		return InputShape{}, err
	}
	return InputShape{ScriptSigLen: PushLen(34), Witness: wshMultisigWitness(m, n)}, nil
}

// TaprootMultiAInput is the shape of a BIP341 script-path spend of a tr(..., multi_a(m, n
// keys)) leaf (BIP342, BIP386) at the given depth in the script tree: n signature slots
// (m 64-byte signatures, n-m empty), the leaf script, and the control block (33 + 32 x depth).
func TaprootMultiAInput(m, n, depth int) (InputShape, error) {
	if err := checkMultisig(m, n, 999, "multi_a"); err != nil {
		return InputShape{}, err
	}
	if depth < 0 || depth > 128 {
		return InputShape{}, fmt.Errorf("taproot leaf depth %d is not valid: BIP341 allows 0 to 128", depth)
	}
	w := make([]int, 0, n+2)
	for i := 0; i < n; i++ {
		if i < m {
			w = append(w, SchnorrSigLen)
		} else {
			w = append(w, 0)
		}
	}
	w = append(w, MultiAScriptLen(m, n), 33+32*depth)
	return InputShape{Witness: w}, nil
}

// SinglesigInput returns the input shape for spending a single-key output of type t (P2PKH,
// P2SH-P2WPKH, P2WPKH, P2TR key path). Multisig types need m and n: use the helpers above.
func SinglesigInput(t ScriptType) (InputShape, error) {
	switch t {
	case P2PKH:
		return P2PKHInput(), nil
	case P2SHP2WPKH:
		return P2SHP2WPKHInput(), nil
	case P2WPKH:
		return P2WPKHInput(), nil
	case P2TR:
		return P2TRKeyPathInput(), nil
	}
	return InputShape{}, fmt.Errorf("%s is not a single-key script type: give the input shape of the multisig (e.g. P2WSHMultisigInput(m, n))", t)
}

// TxWeight returns the BIP141 weight of a transaction with these inputs and outputs (output
// script lengths): version, locktime, CompactSize counts, and, when any input has a witness,
// the BIP144 marker and flag plus one empty-stack byte for each non-witness input.
func TxWeight(inputs []InputSize, outputScriptLens []int) int64 {
	base := int64(txBaseLen) + VarIntSize(uint64(len(inputs))) + VarIntSize(uint64(len(outputScriptLens)))
	for _, l := range outputScriptLens {
		base += OutputSize(l)
	}
	w := base * WitnessScaleFactor
	segwit := false
	for _, in := range inputs {
		w += in.Weight
		segwit = segwit || in.Witness
	}
	if segwit {
		w += segwitMarkerWeight
		for _, in := range inputs {
			if !in.Witness {
				w++ // empty witness stack of a non-witness input
			}
		}
	}
	return w
}

// VSize returns the BIP141 virtual size of a weight: weight / 4 rounded up.
func VSize(weight int64) int64 { return (weight + WitnessScaleFactor - 1) / WitnessScaleFactor }

// TxVSize returns the BIP141 virtual size of a transaction with these inputs and outputs.
func TxVSize(inputs []InputSize, outputScriptLens []int) int64 {
	return VSize(TxWeight(inputs, outputScriptLens))
}

// DustThreshold returns the smallest non-dust value of an output whose script is scriptLen
// bytes, following Core's GetDustThreshold (policy/policy.cpp): the fee, at dustRelay, of the
// output plus the input that would spend it (148 bytes, or 67 vbytes for a witness program).
// Unspendable (OP_RETURN) outputs have no threshold: pass unspendable = true.
func DustThreshold(scriptLen int, witnessProgram, unspendable bool, dustRelay FeeRate) int64 {
	if unspendable {
		return 0
	}
	size := OutputSize(scriptLen)
	if witnessProgram {
		size += 32 + 4 + 1 + 107/WitnessScaleFactor + 4
	} else {
		size += 32 + 4 + 1 + 107 + 4
	}
	return dustRelay.Fee(size)
}

// scriptInfo classifies a raw output script: witness program per BIP141 (version byte
// OP_0..OP_16 then one push of 2 to 40 bytes) and unspendable per Core's
// CScript::IsUnspendable (starts with OP_RETURN or is longer than 10,000 bytes).
func scriptInfo(script []byte) (witnessProgram, unspendable bool) {
	if len(script) > 10_000 || (len(script) > 0 && script[0] == 0x6a) {
		return false, true
	}
	if len(script) >= 4 && len(script) <= 42 && (script[0] == 0x00 || (script[0] >= 0x51 && script[0] <= 0x60)) &&
		int(script[1])+2 == len(script) {
		return true, false
	}
	return false, false
}
