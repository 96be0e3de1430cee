package psbt

import (
	"bytes"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// onePairPSBT is a one-input, one-output PSBT whose input map holds one
// key-value pair.
func onePairPSBT(t *testing.T, key, val []byte) []byte {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{})
	tx.AddTxOut(wire.NewTxOut(1, []byte{0x51}))
	var txb, b bytes.Buffer
	require.NoError(t, tx.SerializeNoWitness(&txb))
	b.WriteString(magic)
	require.NoError(t, wire.WriteVarBytes(&b, 0, []byte{0}))
	require.NoError(t, wire.WriteVarBytes(&b, 0, txb.Bytes()))
	b.WriteByte(0)
	require.NoError(t, wire.WriteVarBytes(&b, 0, key))
	require.NoError(t, wire.WriteVarBytes(&b, 0, val))
	b.WriteByte(0) // end of input map
	b.WriteByte(0) // empty output map
	return b.Bytes()
}

// TestParseGuardsBtcutilWeakSpots: inputs on which btcutil/psbt v1.1.8
// panics (an empty BIP32 derivation value; a huge taproot leaf hash count)
// or which it accepts (a witness UTXO whose script length lies) are
// rejected with an error.
func TestParseGuardsBtcutilWeakSpots(t *testing.T) {
	_, pub := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{1}, 32))
	hugeCount := append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, make([]byte, 8)...)
	for name, c := range map[string]struct {
		key, val []byte
		msg      string
	}{
		"empty BIP32 derivation value (btcutil panics)":     {append([]byte{0x06}, pub.SerializeCompressed()...), nil, "BIP32 derivation value must be a 4-byte fingerprint"},
		"huge taproot leaf hash count (btcutil panics)":     {append([]byte{0x16}, schnorr.SerializePubKey(pub)...), hugeCount, "taproot BIP32 derivation value has a bad leaf hash count"},
		"witness UTXO script length lies (btcutil accepts)": {[]byte{0x01}, append(make([]byte, 8), 0x05, 0x51), "witness UTXO script length does not match its data"},
		"SHA256 preimage that does not hash to its key":     {append([]byte{0x0b}, make([]byte, 32)...), []byte{1}, "SHA256 preimage does not hash to its key"},
		"negative witness UTXO amount":                      {[]byte{0x01}, append(bytes.Repeat([]byte{0xff}, 8), 0x01, 0x51), "outside the money range"},
	} {
		raw := onePairPSBT(t, c.key, c.val)
		require.NotPanics(t, func() {
			_, err := Parse(raw)
			require.ErrorContains(t, err, c.msg, name)
		}, name)
	}
	// The same builder with a well-formed value parses.
	ok := onePairPSBT(t, []byte{0x01}, append(make([]byte, 8), 0x01, 0x51))
	_, err := Parse(ok)
	require.NoError(t, err)
}
