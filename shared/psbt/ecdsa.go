package psbt

import (
	"encoding/binary"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// signLowR makes a DER ECDSA signature (RFC6979 nonce, low S per BIP146)
// and, as Bitcoin Core does, grinds for a low R (a 32-byte r): while the
// signature's r has its top bit set, it signs again with the nonce's extra
// data set to a little-endian counter. Low-R signatures are one byte smaller
// (72 instead of 73 bytes with the sighash byte), and the results match
// Core's signatures for the same key and message.
func signLowR(priv *btcec.PrivateKey, hash []byte) *ecdsa.Signature {
	var key [32]byte
	priv.Key.PutBytes(&key)
	defer func() { key = [32]byte{} }()
	var e btcec.ModNScalar
	e.SetByteSlice(hash)
	var extra [32]byte
	for counter := uint32(0); ; counter++ {
		var extraData []byte
		if counter > 0 {
			binary.LittleEndian.PutUint32(extra[:4], counter)
			extraData = extra[:]
		}
		for iteration := uint32(0); ; iteration++ {
			k := btcec.NonceRFC6979(key[:], hash, extraData, nil, iteration)
			var kG btcec.JacobianPoint
			btcec.ScalarBaseMultNonConst(k, &kG)
			kG.ToAffine()
			var xb [32]byte
			kG.X.PutBytes(&xb)
			var r btcec.ModNScalar
			r.SetBytes(&xb)
			if r.IsZero() {
				continue
			}
			kInv := new(btcec.ModNScalar).InverseValNonConst(k)
			s := new(btcec.ModNScalar).Mul2(&priv.Key, &r).Add(&e).Mul(kInv)
			if s.IsZero() {
				continue
			}
			if s.IsOverHalfOrder() {
				s.Negate()
			}
			if r.Bytes()[0] < 0x80 {
				return ecdsa.NewSignature(&r, s)
			}
			break // high R: next counter
		}
	}
}

// signWitnessV0 is a BIP143 signature with the sighash byte appended.
func signWitnessV0(tx *wire.MsgTx, hashes *txscript.TxSigHashes, idx int, amount int64, scriptCode []byte, priv *btcec.PrivateKey) ([]byte, error) {
	h, err := txscript.CalcWitnessSigHash(scriptCode, hashes, txscript.SigHashAll, tx, idx, amount)
	if err != nil {
		return nil, err
	}
	return append(signLowR(priv, h).Serialize(), byte(txscript.SigHashAll)), nil
}

// signLegacy is a pre-segwit signature with the sighash byte appended.
func signLegacy(tx *wire.MsgTx, idx int, scriptCode []byte, priv *btcec.PrivateKey) ([]byte, error) {
	h, err := txscript.CalcSignatureHash(scriptCode, txscript.SigHashAll, tx, idx)
	if err != nil {
		return nil, err
	}
	return append(signLowR(priv, h).Serialize(), byte(txscript.SigHashAll)), nil
}
