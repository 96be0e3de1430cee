package descriptor

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// ckdParent is the cached parent of a /* wildcard: its point already lifted
// to Jacobian form, so that each index costs one BIP32 CKDpub step (HMAC,
// one base-point multiplication, one addition) without re-decompressing the
// parent or re-parsing the child. For a private parent the public child is
// the same (BIP32: N(CKDpriv(k,i)) = CKDpub(N(k),i) for unhardened i).
type ckdParent struct {
	point     btcec.JacobianPoint
	pubBytes  []byte // compressed parent public key
	chainCode []byte
}

func newCKDParent(k *hdkeychain.ExtendedKey) (*ckdParent, error) {
	pub, err := k.ECPubKey()
	if err != nil {
		return nil, err
	}
	p := &ckdParent{pubBytes: pub.SerializeCompressed(), chainCode: append([]byte(nil), k.ChainCode()...)}
	pub.AsJacobian(&p.point)
	return p, nil
}

// child derives the public key at unhardened index i (BIP32 CKDpub).
func (p *ckdParent) child(i uint32) (*btcec.PublicKey, error) {
	var data [37]byte
	copy(data[:33], p.pubBytes)
	binary.BigEndian.PutUint32(data[33:], i)
	mac := hmac.New(sha512.New, p.chainCode)
	mac.Write(data[:])
	il := mac.Sum(nil)[:32]
	var tweak btcec.ModNScalar
	if overflow := tweak.SetByteSlice(il); overflow || tweak.IsZero() {
		return nil, fmt.Errorf("index %d gives no valid key (BIP32, probability below 2^-127): skip this index", i)
	}
	var r btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&tweak, &r)
	btcec.AddNonConst(&p.point, &r, &r)
	if (r.X.IsZero() && r.Y.IsZero()) || r.Z.IsZero() {
		return nil, fmt.Errorf("index %d gives the point at infinity (BIP32): skip this index", i)
	}
	r.ToAffine()
	return btcec.NewPublicKey(&r.X, &r.Y), nil
}
