package coinselect

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

func mustShape(t testing.TB) func(InputShape, error) InputShape {
	return func(s InputShape, err error) InputShape {
		t.Helper()
		require.NoError(t, err)
		return s
	}
}

func TestInputShapeWeights(t *testing.T) {
	tests := []struct {
		name   string
		shape  func() (InputShape, error)
		weight int64
		vbytes int64
	}{
		// 32+4+1+107+4 = 148 bytes.
		{"p2pkh is 148 vbytes", func() (InputShape, error) { return P2PKHInput(), nil }, 592, 148},
		// 64 bytes non-witness (scriptSig 23) + witness 1+73+34 = 108.
		{"p2sh-p2wpkh is 91 vbytes", func() (InputShape, error) { return P2SHP2WPKHInput(), nil }, 364, 91},
		{"p2wpkh is 68 vbytes", func() (InputShape, error) { return P2WPKHInput(), nil }, 272, 68},
		// 41*4 + 1 + 1 + 64 = 230 WU = 57.5 vB.
		{"p2tr key path is 57.5 vbytes", func() (InputShape, error) { return P2TRKeyPathInput(), nil }, 230, 58},
		// witness: count 1 + empty 1 + 2*73 + (1+105) = 254; 164 + 254 = 418.
		{"p2wsh 2-of-3 is 104.5 vbytes", func() (InputShape, error) { return P2WSHMultisigInput(2, 3) }, 418, 105},
		// scriptSig 35 -> 76 bytes -> 304 WU + 254.
		{"p2sh-p2wsh 2-of-3", func() (InputShape, error) { return P2SHP2WSHMultisigInput(2, 3) }, 558, 140},
		// scriptSig 1 + 2*73 + (2+105) = 254 -> varint 3 -> 32+4+3+254+4 = 297 bytes.
		{"p2sh 2-of-3 is 297 bytes", func() (InputShape, error) { return P2SHMultisigInput(2, 3) }, 1188, 297},
		// 15-of-15 redeem script is 513 bytes (OP_PUSHDATA2): scriptSig 1 + 15*73 + (3+513) = 1612.
		{"p2sh 15-of-15 fits the standard scriptSig", func() (InputShape, error) { return P2SHMultisigInput(15, 15) }, 4 * (32 + 4 + 3 + 1612 + 4), 1655},
		// script 3*34+1+1 = 104; witness 1 + 2*65 + 1 + 105 + 34 = 271; 164+271 = 435.
		{"tr multi_a 2-of-3 at depth 0", func() (InputShape, error) { return TaprootMultiAInput(2, 3, 0) }, 435, 109},
		// one more 32-byte control block node: +32.
		{"tr multi_a 2-of-3 at depth 1", func() (InputShape, error) { return TaprootMultiAInput(2, 3, 1) }, 467, 117},
		// p2wsh 3-of-5: script 3+170 = 173, witness 1+1+3*73+2+173(varint 1 since <253) = 1+1+219+1+173 = 395.
		{"p2wsh 3-of-5", func() (InputShape, error) { return P2WSHMultisigInput(3, 5) }, 164 + 395, 140},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.shape()
			require.NoError(t, err)
			require.Equal(t, tc.weight, s.Weight())
			require.Equal(t, tc.vbytes, VSize(s.Weight()))
		})
	}
}

func TestMultisigShapeErrors(t *testing.T) {
	tests := []struct {
		name string
		fn   func() (InputShape, error)
		msg  string
	}{
		{"m above n", func() (InputShape, error) { return P2WSHMultisigInput(3, 2) }, "p2wsh multisig 3-of-2 is not valid: need 1 <= m <= n"},
		{"zero m", func() (InputShape, error) { return P2SHP2WSHMultisigInput(0, 2) }, "p2sh-p2wsh multisig 0-of-2 is not valid: need 1 <= m <= n"},
		{"16 keys do not fit p2sh", func() (InputShape, error) { return P2SHMultisigInput(2, 16) }, "p2sh multisig 2-of-16 has too many keys: at most 15 are standard"},
		{"21 keys do not fit p2wsh", func() (InputShape, error) { return P2WSHMultisigInput(2, 21) }, "p2wsh multisig 2-of-21 has too many keys: at most 20 are standard"},
		{"taproot depth 129", func() (InputShape, error) { return TaprootMultiAInput(1, 2, 129) }, "taproot leaf depth 129 is not valid: BIP341 allows 0 to 128"},
		{"multisig has no single-key shape", func() (InputShape, error) { return SinglesigInput(P2WSH) }, "p2wsh is not a single-key script type: give the input shape of the multisig (e.g. P2WSHMultisigInput(m, n))"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.fn()
			require.EqualError(t, err, tc.msg)
		})
	}
}

// buildTx serializes a transaction with dummy data of exactly the shapes' sizes, so that
// btcd's own serialization measures the weight independently of TxWeight.
func buildTx(shapes []InputShape, outLens []int) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for i, s := range shapes {
		in := wire.NewTxIn(&wire.OutPoint{Index: uint32(i)}, bytes.Repeat([]byte{1}, s.ScriptSigLen), nil)
		for _, l := range s.Witness {
			in.Witness = append(in.Witness, bytes.Repeat([]byte{2}, l))
		}
		tx.AddTxIn(in)
	}
	for _, l := range outLens {
		tx.AddTxOut(wire.NewTxOut(1000, bytes.Repeat([]byte{3}, l)))
	}
	return tx
}

func wireWeight(tx *wire.MsgTx) int64 {
	return int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
}

func TestTxWeightMatchesWireSerialization(t *testing.T) {
	wsh23 := mustShape(t)(P2WSHMultisigInput(2, 3))
	shwsh23 := mustShape(t)(P2SHP2WSHMultisigInput(2, 3))
	sh23 := mustShape(t)(P2SHMultisigInput(2, 3))
	multiA := mustShape(t)(TaprootMultiAInput(3, 5, 2))
	many := make([]InputShape, 300)
	for i := range many {
		many[i] = P2WPKHInput()
	}
	manyOuts := make([]int, 260)
	for i := range manyOuts {
		manyOuts[i] = 22
	}
	tests := []struct {
		name    string
		inputs  []InputShape
		outLens []int
	}{
		{"p2pkh 1 in 2 out legacy", []InputShape{P2PKHInput()}, []int{25, 25}},
		{"p2wpkh 1 in 2 out", []InputShape{P2WPKHInput()}, []int{22, 22}},
		{"p2tr 1 in 1 out", []InputShape{P2TRKeyPathInput()}, []int{34}},
		{"p2wsh 2-of-3 2 in 2 out", []InputShape{wsh23, wsh23}, []int{34, 34}},
		{"p2sh-p2wsh and p2sh-p2wpkh", []InputShape{shwsh23, P2SHP2WPKHInput()}, []int{23, 22}},
		{"legacy p2sh multisig mixed with segwit", []InputShape{sh23, P2WPKHInput(), P2PKHInput()}, []int{23, 34, 25}},
		{"tr multi_a 3-of-5 depth 2", []InputShape{multiA}, []int{34}},
		{"300 inputs need a 3-byte count", many, []int{22}},
		{"260 outputs need a 3-byte count", []InputShape{P2TRKeyPathInput()}, manyOuts},
		{"op_return output of 83 bytes", []InputShape{P2WPKHInput()}, []int{83, 22}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sz := make([]InputSize, len(tc.inputs))
			for i, s := range tc.inputs {
				sz[i] = s.Size()
			}
			require.Equal(t, wireWeight(buildTx(tc.inputs, tc.outLens)), TxWeight(sz, tc.outLens))
		})
	}
}

func TestTxVSizeKnownTransactions(t *testing.T) {
	wsh23 := mustShape(t)(P2WSHMultisigInput(2, 3))
	tests := []struct {
		name   string
		inputs []InputShape
		outs   []int
		vsize  int64
	}{
		// The classic 226-byte transaction: 10 + 148 + 2*34.
		{"p2pkh 1-in 2-out is 226 bytes", []InputShape{P2PKHInput()}, []int{25, 25}, 226},
		// 10.5 + 68 + 2*31 = 140.5.
		{"p2wpkh 1-in 2-out is 141 vbytes", []InputShape{P2WPKHInput()}, []int{22, 22}, 141},
		// 10.5 + 57.5 + 43 = 111.
		{"p2tr 1-in 1-out is 111 vbytes", []InputShape{P2TRKeyPathInput()}, []int{34}, 111},
		// 10.5 + 104.5 + 2*43 = 201.
		{"p2wsh 2-of-3 1-in 2-out is 201 vbytes", []InputShape{wsh23}, []int{34, 34}, 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sz := make([]InputSize, len(tc.inputs))
			for i, s := range tc.inputs {
				sz[i] = s.Size()
			}
			require.Equal(t, tc.vsize, TxVSize(sz, tc.outs))
		})
	}
}

func TestDustThresholds(t *testing.T) {
	// Core's GetDustThreshold at the 3 sat/vB dust relay fee: 546 for P2PKH, 294 for P2WPKH.
	tests := []struct {
		name string
		out  Output
		dust int64
	}{
		{"p2pkh is 546", Output{Type: P2PKH}, 546},
		{"p2sh is 540", Output{Type: P2SH}, 540},
		{"p2sh-p2wsh output is p2sh", Output{Type: P2SHP2WSH}, 540},
		{"p2wpkh is 294", Output{Type: P2WPKH}, 294},
		{"p2wsh is 330", Output{Type: P2WSH}, 330},
		{"p2tr is 330", Output{Type: P2TR}, 330},
		{"raw p2tr script is 330", Output{Script: append([]byte{0x51, 0x20}, make([]byte, 32)...)}, 330},
		{"raw p2wpkh script is 294", Output{Script: append([]byte{0x00, 0x14}, make([]byte, 20)...)}, 294},
		{"raw p2pkh script is 546", Output{Script: append(append([]byte{0x76, 0xa9, 0x14}, make([]byte, 20)...), 0x88, 0xac)}, 546},
		{"op_return has none", Output{Script: []byte{0x6a, 0x04, 1, 2, 3, 4}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.out.Dust(DefaultDustRelayFeeRate)
			require.NoError(t, err)
			require.Equal(t, tc.dust, d)
		})
	}
	_, err := Output{Type: ScriptType(99)}.Dust(DefaultDustRelayFeeRate)
	require.EqualError(t, err, "unknown script type 99: use one of the coinselect script type constants")
}

func TestFeeRate(t *testing.T) {
	tests := []struct {
		name  string
		in    float64
		rate  FeeRate
		fee   int64 // for 141 vbytes
		str   string
		isErr string
	}{
		{"whole sat/vB", 10, 10_000, 1410, "10 sat/vB", ""},
		{"fractional rate rounds the fee up", 1.5, 1500, 212, "1.5 sat/vB", ""},
		{"three decimals kept", 2.345, 2345, 331, "2.345 sat/vB", ""},
		{"zero", 0, 0, 0, "0 sat/vB", ""},
		{"negative", -1, 0, 0, "", "fee rate -1 sat/vB is not valid: give a positive number of sat/vB"},
		{"not a number", math.NaN(), 0, 0, "", "fee rate NaN sat/vB is not valid: give a positive number of sat/vB"},
		{"too high", 200_000, 0, 0, "", "fee rate 200000 sat/vB is above the maximum of 100000 sat/vB: check the unit (sat/vB, not sat/kvB or BTC/kvB)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseFeeRate(tc.in)
			if tc.isErr != "" {
				require.EqualError(t, err, tc.isErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.rate, r)
			require.Equal(t, tc.fee, r.Fee(141))
			require.Equal(t, tc.str, r.String())
		})
	}
	require.Equal(t, FeeRate(10_000), SatPerVByte(10))
	require.Equal(t, FeeRate(14_285), FeeRateOf(2000, 140))
	require.Equal(t, 1.5, FeeRate(1500).SatPerVByte())
}

func TestVarIntSize(t *testing.T) {
	for _, tc := range []struct {
		n    uint64
		size int64
	}{{0, 1}, {252, 1}, {253, 3}, {0xffff, 3}, {0x10000, 5}, {0xffffffff, 5}, {0x100000000, 9}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) { require.Equal(t, tc.size, VarIntSize(tc.n)) })
	}
}

func TestParseOutPoint(t *testing.T) {
	op, err := ParseOutPoint("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:7")
	require.NoError(t, err)
	require.Equal(t, uint32(7), op.Index)
	require.Equal(t, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:7", op.String())
	_, err = ParseOutPoint("nothex:1")
	require.ErrorContains(t, err, `outpoint "nothex:1" is not valid: write it as <64-hex txid>:<output index>`)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func TestPushLenAtEachBIP62PushOpcodeBoundary(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		want int
	}{
		{"empty push is one opcode byte", 0, 1},
		{"compressed key is a direct push", 33, 34},
		{"75 bytes is the longest direct push", 75, 76},
		{"76 bytes needs OP_PUSHDATA1", 76, 78},
		{"255 bytes is the longest OP_PUSHDATA1", 255, 257},
		{"256 bytes needs OP_PUSHDATA2", 256, 259},
		{"65535 bytes is the longest OP_PUSHDATA2", 65535, 65538},
		{"65536 bytes needs OP_PUSHDATA4", 65536, 65541},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, PushLen(tc.n))
		})
	}
}

func TestWitnessWeightIsTheWitnessPartOfWeight(t *testing.T) {
	wsh, err := P2WSHMultisigInput(2, 3)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		shape InputShape
		want  int64
	}{
		{"pkh has no witness", P2PKHInput(), 0},
		{"wpkh is count, 72-byte signature and 33-byte key", P2WPKHInput(), 1 + 73 + 34},
		{"sh-wpkh has the same witness as wpkh", P2SHP2WPKHInput(), 1 + 73 + 34},
		{"taproot key path is count and 64-byte signature", P2TRKeyPathInput(), 1 + 65},
		{"wsh 2-of-3 is count, empty item, two signatures, 105-byte script", wsh, 1 + 1 + 2*73 + 106},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.shape.WitnessWeight())
			base := int64(36+4) + VarIntSize(uint64(tc.shape.ScriptSigLen)) + int64(tc.shape.ScriptSigLen)
			require.Equal(t, base*WitnessScaleFactor+tc.want, tc.shape.Weight())
		})
	}
}
