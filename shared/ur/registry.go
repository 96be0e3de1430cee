package ur

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/specterpwa/specter/shared/keys"
)

// UR types of the BCR-2020-006 registry handled here. Version 1 names
// (crypto-*) are still what most signers emit; version 2 names are the
// current ones.
const (
	TypeBytes             = "bytes"
	TypeCryptoPSBT        = "crypto-psbt"
	TypePSBT              = "psbt"
	TypeCryptoHDKey       = "crypto-hdkey"
	TypeHDKey             = "hdkey"
	TypeCryptoOutput      = "crypto-output"
	TypeOutputDescriptor  = "output-descriptor"
	TypeCryptoAccount     = "crypto-account"
	TypeAccountDescriptor = "account-descriptor"
)

// CBOR tags of BCR-2020-006, version 1 and version 2.
const (
	tagHDKeyV1, tagHDKeyV2       = 303, 40303
	tagKeypathV1, tagKeypathV2   = 304, 40304
	tagCoinInfoV1, tagCoinInfoV2 = 305, 40305
	tagECKeyV1, tagECKeyV2       = 306, 40306
	tagAddressV1, tagAddressV2   = 307, 40307
	tagOutputV1, tagOutputV2     = 308, 40308
	tagPSBTV1, tagPSBTV2         = 310, 40310
	tagAccountV1, tagAccountV2   = 311, 40311
)

// Script expression tags of BCR-2020-010.
const (
	tagSH          = 400
	tagWSH         = 401
	tagPK          = 402
	tagPKH         = 403
	tagWPKH        = 404
	tagCombo       = 405
	tagMulti       = 406
	tagSortedMulti = 407
	tagRaw         = 408
	tagTR          = 409
	tagCosigner    = 410
)

// EncodePSBT wraps a serialized PSBT (BIP174) as a UR: type crypto-psbt
// when v1 is true (what most signers expect today), else psbt
// (BCR-2020-006).
func EncodePSBT(psbt []byte, v1 bool) UR {
	t := TypePSBT
	if v1 {
		t = TypeCryptoPSBT
	}
	return UR{Type: t, CBOR: appendBytes(nil, psbt)}
}

// EncodeBytes wraps data as a UR of type bytes (BCR-2020-006).
func EncodeBytes(data []byte) UR { return UR{Type: TypeBytes, CBOR: appendBytes(nil, data)} }

// DecodePSBT returns the PSBT bytes of a crypto-psbt or psbt UR. The PSBT
// itself is not parsed here.
func DecodePSBT(u UR) ([]byte, error) {
	if u.Type != TypeCryptoPSBT && u.Type != TypePSBT {
		return nil, fmt.Errorf("expected a crypto-psbt or psbt UR, got %s", u.Type)
	}
	return decodeByteString(u, tagPSBTV1, tagPSBTV2)
}

// DecodeBytes returns the content of a bytes UR.
func DecodeBytes(u UR) ([]byte, error) {
	if u.Type != TypeBytes {
		return nil, fmt.Errorf("expected a bytes UR, got %s", u.Type)
	}
	return decodeByteString(u)
}

func decodeByteString(u UR, tags ...uint64) ([]byte, error) {
	item, err := decodeCBOR(u.CBOR)
	if err != nil {
		return nil, fmt.Errorf("%s UR: %w", u.Type, err)
	}
	b, err := item.untag(tags...).asBytes()
	if err != nil {
		return nil, fmt.Errorf("%s UR: %w", u.Type, err)
	}
	return b, nil
}

// PathComponentKind distinguishes the crypto-keypath component forms of
// BCR-2020-007.
type PathComponentKind int

// Keypath component kinds.
const (
	ChildIndex    PathComponentKind = iota // one child, e.g. 0 or 44h
	ChildRange                             // [low, high] children
	ChildWildcard                          // *
	ChildPair                              // <external;internal>, BIP389 multipath
)

// PathComponent is one step of a crypto-keypath (BCR-2020-007).
type PathComponent struct {
	Kind     PathComponentKind
	Index    uint32 // ChildIndex; low bound of ChildRange; external child of ChildPair
	High     uint32 // ChildRange high bound; internal child of ChildPair
	Hardened bool   // for ChildPair: the external child
	// HighHardened is the internal child's hardening of a ChildPair.
	HighHardened bool
}

func hmark(h bool) string {
	if h {
		return "'"
	}
	return ""
}

// String formats the component as in a descriptor: "44'", "*", "<0;1>".
// A range prints as "[low-high]", which descriptors cannot express.
func (c PathComponent) String() string {
	switch c.Kind {
	case ChildWildcard:
		return "*" + hmark(c.Hardened)
	case ChildRange:
		return fmt.Sprintf("[%d-%d]%s", c.Index, c.High, hmark(c.Hardened))
	case ChildPair:
		return fmt.Sprintf("<%d%s;%d%s>", c.Index, hmark(c.Hardened), c.High, hmark(c.HighHardened))
	default:
		return strconv.FormatUint(uint64(c.Index), 10) + hmark(c.Hardened)
	}
}

// Keypath is a crypto-keypath/keypath (BCR-2020-007): derivation steps,
// optionally the fingerprint of the key they start from, optionally the
// depth of the key they lead to.
type Keypath struct {
	Components []PathComponent
	// SourceFingerprint is the fingerprint of the ancestor the path starts
	// from (the master key for an origin); nil when absent.
	SourceFingerprint *keys.Fingerprint
	// Depth is the depth of the key; nil when absent.
	Depth *int
}

// Path returns the components as a BIP32 path; it fails on wildcards,
// ranges and pairs.
func (k *Keypath) Path() (keys.Path, error) {
	p := make(keys.Path, 0, len(k.Components))
	for _, c := range k.Components {
		if c.Kind != ChildIndex {
			return nil, fmt.Errorf("key path step %s is not a single child", c)
		}
		idx := c.Index
		if c.Hardened {
			idx += keys.Hardened
		}
		p = append(p, idx)
	}
	return p, nil
}

// String joins the components with "/" ("44'/0'/0'").
func (k *Keypath) String() string {
	parts := make([]string, len(k.Components))
	for i, c := range k.Components {
		parts[i] = c.String()
	}
	return strings.Join(parts, "/")
}

func fingerprintFromCBOR(it cborItem) (keys.Fingerprint, error) {
	v, err := it.asUint()
	if err != nil {
		return keys.Fingerprint{}, err
	}
	if v > 0xffffffff {
		return keys.Fingerprint{}, fmt.Errorf("fingerprint %d does not fit in 32 bits", v)
	}
	var fp keys.Fingerprint
	binary.BigEndian.PutUint32(fp[:], uint32(v))
	return fp, nil
}

func childIndex(it cborItem) (uint32, error) {
	v, err := it.asUint()
	if err != nil {
		return 0, err
	}
	if v >= keys.Hardened {
		return 0, fmt.Errorf("child index %d must be below 2^31", v)
	}
	return uint32(v), nil
}

func parseKeypath(it cborItem) (*Keypath, error) {
	it = it.untag(tagKeypathV1, tagKeypathV2)
	if it.major != majorMap {
		return nil, fmt.Errorf("keypath must be a map, found %s", it.kind())
	}
	var k Keypath
	if comps, ok := it.mapUint(1); ok {
		if comps.major != majorArray {
			return nil, errors.New("keypath components must be an array")
		}
		items := comps.items
		for len(items) > 0 {
			step := len(k.Components) + 1
			if items[0].major == majorArray && len(items[0].items) == 4 {
				// child-pair-component: one array [idx, h, idx, h]
				c, err := parsePair(items[0])
				if err != nil {
					return nil, fmt.Errorf("keypath step %d: %w", step, err)
				}
				k.Components = append(k.Components, c)
				items = items[1:]
				continue
			}
			if len(items) < 2 {
				return nil, fmt.Errorf("keypath step %d has no is-hardened flag", step)
			}
			c, err := parseComponent(items[0], items[1])
			if err != nil {
				return nil, fmt.Errorf("keypath step %d: %w", step, err)
			}
			k.Components = append(k.Components, c)
			items = items[2:]
		}
	}
	if v, ok := it.mapUint(2); ok {
		fp, err := fingerprintFromCBOR(v)
		if err != nil {
			return nil, fmt.Errorf("keypath source fingerprint: %w", err)
		}
		k.SourceFingerprint = &fp
	}
	if v, ok := it.mapUint(3); ok {
		d, err := v.asUint()
		if err != nil || d > 255 {
			return nil, errors.New("keypath depth must be an integer 0..255")
		}
		di := int(d)
		k.Depth = &di
	}
	return &k, nil
}

func parseComponent(child, hard cborItem) (PathComponent, error) {
	h, err := hard.asBool()
	if err != nil {
		return PathComponent{}, fmt.Errorf("is-hardened: %w", err)
	}
	switch child.major {
	case majorUint:
		idx, err := childIndex(child)
		if err != nil {
			return PathComponent{}, err
		}
		return PathComponent{Kind: ChildIndex, Index: idx, Hardened: h}, nil
	case majorArray:
		switch len(child.items) {
		case 0:
			return PathComponent{Kind: ChildWildcard, Hardened: h}, nil
		case 2:
			lo, err1 := childIndex(child.items[0])
			hi, err2 := childIndex(child.items[1])
			if err1 != nil || err2 != nil || lo >= hi {
				return PathComponent{}, errors.New("child range must be [low, high] with low < high < 2^31")
			}
			return PathComponent{Kind: ChildRange, Index: lo, High: hi, Hardened: h}, nil
		}
	}
	return PathComponent{}, fmt.Errorf("child must be an index, [] or [low, high], found %s", child.kind())
}

// parsePair reads a child-pair-component [idx, hardened, idx, hardened]
// (the BIP389 <external;internal> step).
func parsePair(it cborItem) (PathComponent, error) {
	a, err1 := childIndex(it.items[0])
	ah, err2 := it.items[1].asBool()
	b, err3 := childIndex(it.items[2])
	bh, err4 := it.items[3].asBool()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return PathComponent{}, fmt.Errorf("child pair: %w", err)
	}
	return PathComponent{Kind: ChildPair, Index: a, Hardened: ah, High: b, HighHardened: bh}, nil
}

// CoinInfo is crypto-coininfo (BCR-2020-007): SLIP-44 coin type and
// network (0 mainnet, 1 testnet for Bitcoin).
type CoinInfo struct {
	Type    uint64
	Network uint64
}

// HDKey is crypto-hdkey/hdkey (BCR-2020-007).
type HDKey struct {
	IsMaster  bool
	IsPrivate bool
	KeyData   []byte // 33 bytes: compressed public key, or 0x00 || private key
	ChainCode []byte // 32 bytes, nil if absent
	UseInfo   CoinInfo
	Origin    *Keypath // how the key was derived, nil if absent
	Children  *Keypath // what children to derive, nil if absent
	// ParentFingerprint is the BIP32 parent fingerprint; nil if absent.
	ParentFingerprint *keys.Fingerprint
	Name, Note        string
}

func parseHDKey(it cborItem) (*HDKey, error) {
	it = it.untag(tagHDKeyV1, tagHDKeyV2)
	if it.major != majorMap {
		return nil, fmt.Errorf("hdkey must be a map, found %s", it.kind())
	}
	var k HDKey
	var err error
	if v, ok := it.mapUint(1); ok {
		if k.IsMaster, err = v.asBool(); err != nil {
			return nil, fmt.Errorf("hdkey is-master: %w", err)
		}
	}
	if v, ok := it.mapUint(2); ok {
		if k.IsPrivate, err = v.asBool(); err != nil {
			return nil, fmt.Errorf("hdkey is-private: %w", err)
		}
	}
	v, ok := it.mapUint(3)
	if !ok {
		return nil, errors.New("hdkey has no key-data")
	}
	if k.KeyData, err = v.asBytes(); err != nil || len(k.KeyData) != 33 {
		return nil, errors.New("hdkey key-data must be 33 bytes")
	}
	if k.IsMaster {
		k.IsPrivate = true
	}
	if k.IsPrivate && k.KeyData[0] != 0 || !k.IsPrivate && k.KeyData[0] != 2 && k.KeyData[0] != 3 {
		return nil, errors.New("hdkey key-data does not match is-private (0x00 prefix for private, 0x02/0x03 for public keys)")
	}
	if !k.IsPrivate {
		if _, err := btcec.ParsePubKey(k.KeyData); err != nil {
			return nil, errors.New("hdkey key-data is not a valid secp256k1 public key: the export is damaged")
		}
	}
	if v, ok := it.mapUint(4); ok {
		if k.ChainCode, err = v.asBytes(); err != nil || len(k.ChainCode) != 32 {
			return nil, errors.New("hdkey chain-code must be 32 bytes")
		}
	}
	if v, ok := it.mapUint(5); ok {
		ci := v.untag(tagCoinInfoV1, tagCoinInfoV2)
		if ci.major != majorMap {
			return nil, errors.New("hdkey use-info must be a coin-info map")
		}
		if t, ok := ci.mapUint(1); ok {
			if k.UseInfo.Type, err = t.asUint(); err != nil {
				return nil, fmt.Errorf("hdkey coin type: %w", err)
			}
		}
		if n, ok := ci.mapUint(2); ok {
			if k.UseInfo.Network, err = n.asUint(); err != nil {
				return nil, fmt.Errorf("hdkey network: %w", err)
			}
		}
	}
	if v, ok := it.mapUint(6); ok {
		if k.Origin, err = parseKeypath(v); err != nil {
			return nil, fmt.Errorf("hdkey origin: %w", err)
		}
	}
	if v, ok := it.mapUint(7); ok {
		if k.Children, err = parseKeypath(v); err != nil {
			return nil, fmt.Errorf("hdkey children: %w", err)
		}
	}
	if v, ok := it.mapUint(8); ok {
		fp, err := fingerprintFromCBOR(v)
		if err != nil {
			return nil, fmt.Errorf("hdkey parent fingerprint: %w", err)
		}
		k.ParentFingerprint = &fp
	}
	if v, ok := it.mapUint(9); ok {
		if k.Name, err = v.asText(); err != nil {
			return nil, fmt.Errorf("hdkey name: %w", err)
		}
	}
	if v, ok := it.mapUint(10); ok {
		if k.Note, err = v.asText(); err != nil {
			return nil, fmt.Errorf("hdkey note: %w", err)
		}
	}
	return &k, nil
}

// DecodeHDKey decodes a crypto-hdkey or hdkey UR.
func DecodeHDKey(u UR) (*HDKey, error) {
	if u.Type != TypeCryptoHDKey && u.Type != TypeHDKey {
		return nil, fmt.Errorf("expected a crypto-hdkey or hdkey UR, got %s", u.Type)
	}
	item, err := decodeCBOR(u.CBOR)
	if err != nil {
		return nil, fmt.Errorf("%s UR: %w", u.Type, err)
	}
	return parseHDKey(item)
}

// Testnet reports whether the key is for a Bitcoin test network.
func (k *HDKey) Testnet() bool { return k.UseInfo.Network == 1 }

// Depth is the BIP32 depth: the origin's depth if given, else the number
// of origin steps (0 without origin).
func (k *HDKey) Depth() int {
	if k.IsMaster || k.Origin == nil {
		return 0
	}
	if k.Origin.Depth != nil {
		return *k.Origin.Depth
	}
	return len(k.Origin.Components)
}

// ExtendedKey serialises the key as a base58 BIP32 extended key (xpub,
// tpub, xprv or tprv by is-private and use-info network). The parent
// fingerprint comes from parent-fingerprint, or from the origin's source
// fingerprint for a depth-1 key; the child number is the origin's last
// step when the origin holds the full path. BCR-2020-007 allows keys that
// omit these, and then the result has zeros there, as other wallets do.
func (k *HDKey) ExtendedKey() (string, error) {
	if k.ChainCode == nil {
		return "", errors.New("this key has no chain code, so it cannot be written as an extended key")
	}
	var version uint32
	switch {
	case k.IsPrivate && k.Testnet():
		version = 0x04358394
	case k.IsPrivate:
		version = 0x0488ade4
	case k.Testnet():
		version = 0x043587cf
	default:
		version = 0x0488b21e
	}
	depth := k.Depth()
	if depth > 255 {
		return "", fmt.Errorf("hdkey depth %d is over 255", depth)
	}
	var parent keys.Fingerprint
	switch {
	case k.ParentFingerprint != nil:
		parent = *k.ParentFingerprint
	case depth == 1 && k.Origin != nil && k.Origin.SourceFingerprint != nil:
		parent = *k.Origin.SourceFingerprint
	}
	var child uint32
	if depth > 0 && k.Origin != nil && len(k.Origin.Components) == depth {
		last := k.Origin.Components[depth-1]
		if last.Kind == ChildIndex {
			child = last.Index
			if last.Hardened {
				child += keys.Hardened
			}
		}
	}
	b := binary.BigEndian.AppendUint32(make([]byte, 0, 82), version)
	b = append(b, byte(depth))
	b = append(b, parent[:]...)
	b = binary.BigEndian.AppendUint32(b, child)
	b = append(b, k.ChainCode...)
	b = append(b, k.KeyData...)
	sum := chainhash.DoubleHashB(b)
	return base58.Encode(append(b, sum[:4]...)), nil
}

// KeyExpression formats the key as a descriptor key expression (BIP380):
// "[fingerprint/origin path]xpub/children". The origin fingerprint is the
// key's source fingerprint, else masterFingerprint (an account's), else
// the origin is left out. Hardened steps are written with "'" as in the
// published BCR examples.
func (k *HDKey) KeyExpression(masterFingerprint *keys.Fingerprint) (string, error) {
	var b strings.Builder
	fp := masterFingerprint
	if k.Origin != nil && k.Origin.SourceFingerprint != nil {
		fp = k.Origin.SourceFingerprint
	}
	if fp != nil {
		b.WriteString("[" + fp.String())
		if k.Origin != nil && len(k.Origin.Components) > 0 {
			b.WriteString("/" + k.Origin.String())
		}
		b.WriteString("]")
	}
	if k.ChainCode == nil {
		if k.IsPrivate {
			return "", errors.New("a private key without chain code cannot be written in a descriptor here")
		}
		b.WriteString(hex.EncodeToString(k.KeyData))
		return b.String(), nil
	}
	xkey, err := k.ExtendedKey()
	if err != nil {
		return "", err
	}
	b.WriteString(xkey)
	if k.Children != nil && len(k.Children.Components) > 0 {
		b.WriteString("/" + k.Children.String())
	}
	return b.String(), nil
}

// ECKey is crypto-eckey/eckey (BCR-2020-008).
type ECKey struct {
	Curve     uint64 // 0 = secp256k1
	IsPrivate bool
	Data      []byte
}

func parseECKey(it cborItem) (*ECKey, error) {
	it = it.untag(tagECKeyV1, tagECKeyV2)
	if it.major != majorMap {
		return nil, fmt.Errorf("eckey must be a map, found %s", it.kind())
	}
	var k ECKey
	var err error
	if v, ok := it.mapUint(1); ok {
		if k.Curve, err = v.asUint(); err != nil {
			return nil, fmt.Errorf("eckey curve: %w", err)
		}
	}
	if v, ok := it.mapUint(2); ok {
		if k.IsPrivate, err = v.asBool(); err != nil {
			return nil, fmt.Errorf("eckey is-private: %w", err)
		}
	}
	v, ok := it.mapUint(3)
	if !ok {
		return nil, errors.New("eckey has no data")
	}
	if k.Data, err = v.asBytes(); err != nil {
		return nil, fmt.Errorf("eckey data: %w", err)
	}
	if k.Curve != 0 {
		return nil, fmt.Errorf("eckey curve %d is not secp256k1", k.Curve)
	}
	if k.IsPrivate {
		return nil, errors.New("refusing a private eckey: a watch-only coordinator takes public keys only")
	}
	if n := len(k.Data); n != 33 && n != 32 && n != 65 {
		return nil, fmt.Errorf("eckey public key has %d bytes, expected 33 (compressed), 32 (x-only) or 65", n)
	}
	return &k, nil
}

// Address is crypto-address/address (BCR-2020-009), the payload of an
// addr() descriptor.
type Address struct {
	Testnet bool   // coin-info network 1
	Type    int    // 0 P2PKH, 1 P2SH, 2 P2WPKH; -1 when absent
	Data    []byte // hash160 or witness program
}

// String encodes the address for its network: base58check for P2PKH and
// P2SH, bech32 segwit v0 for P2WPKH (and P2WSH for 32-byte data).
func (a *Address) String() (string, error) {
	params := &chaincfg.MainNetParams
	if a.Testnet {
		params = &chaincfg.TestNet3Params
	}
	var addr btcutil.Address
	var err error
	switch {
	case a.Type == 0 && len(a.Data) == 20:
		addr, err = btcutil.NewAddressPubKeyHash(a.Data, params)
	case a.Type == 1 && len(a.Data) == 20:
		addr, err = btcutil.NewAddressScriptHashFromHash(a.Data, params)
	case (a.Type == 2 || a.Type == -1) && len(a.Data) == 20:
		addr, err = btcutil.NewAddressWitnessPubKeyHash(a.Data, params)
	case a.Type == -1 && len(a.Data) == 32:
		addr, err = btcutil.NewAddressWitnessScriptHash(a.Data, params)
	default:
		return "", fmt.Errorf("address of type %d with %d data bytes is not one this wallet can write", a.Type, len(a.Data))
	}
	if err != nil {
		return "", fmt.Errorf("address: %w", err)
	}
	return addr.EncodeAddress(), nil
}

func parseAddress(it cborItem) (*Address, error) {
	it = it.untag(tagAddressV1, tagAddressV2)
	if it.major != majorMap {
		return nil, fmt.Errorf("address must be a map, found %s", it.kind())
	}
	a := &Address{Type: -1}
	if v, ok := it.mapUint(1); ok {
		ci := v.untag(tagCoinInfoV1, tagCoinInfoV2)
		if n, ok := ci.mapUint(2); ok {
			net, err := n.asUint()
			if err != nil {
				return nil, fmt.Errorf("address network: %w", err)
			}
			a.Testnet = net == 1
		}
	}
	if v, ok := it.mapUint(2); ok {
		t, err := v.asUint()
		if err != nil || t > 2 {
			return nil, errors.New("address type must be 0 (P2PKH), 1 (P2SH) or 2 (P2WPKH)")
		}
		a.Type = int(t)
	}
	v, ok := it.mapUint(3)
	if !ok {
		return nil, errors.New("address has no data")
	}
	var err error
	if a.Data, err = v.asBytes(); err != nil {
		return nil, fmt.Errorf("address data: %w", err)
	}
	return a, nil
}

// KeyExp is a key expression of an output descriptor: exactly one of
// HDKey, ECKey and Address is set.
type KeyExp struct {
	HDKey   *HDKey
	ECKey   *ECKey
	Address *Address
}

// String formats the key expression; see HDKey.KeyExpression.
func (k KeyExp) String(masterFingerprint *keys.Fingerprint) (string, error) {
	if k.HDKey != nil {
		return k.HDKey.KeyExpression(masterFingerprint)
	}
	if k.ECKey != nil {
		return hex.EncodeToString(k.ECKey.Data), nil
	}
	if k.Address != nil {
		return k.Address.String()
	}
	return "", errors.New("empty key expression")
}

func parseKeyExp(it cborItem) (KeyExp, error) {
	switch {
	case it.isTag(tagHDKeyV1, tagHDKeyV2):
		k, err := parseHDKey(it)
		if err == nil && k.IsPrivate {
			return KeyExp{}, errors.New("refusing a private hdkey in a descriptor: a watch-only coordinator takes public keys only")
		}
		return KeyExp{HDKey: k}, err
	case it.isTag(tagECKeyV1, tagECKeyV2):
		k, err := parseECKey(it)
		return KeyExp{ECKey: k}, err
	case it.isTag(tagAddressV1, tagAddressV2):
		a, err := parseAddress(it)
		return KeyExp{Address: a}, err
	}
	return KeyExp{}, fmt.Errorf("expected an hdkey, eckey or address, found %s", it.kind())
}

// ScriptKind is a BCR-2020-010 script expression function.
type ScriptKind int

// Script expression kinds (tag 400 + value for 400..410; ScriptAddr is
// tag 307).
const (
	ScriptSH ScriptKind = iota
	ScriptWSH
	ScriptPK
	ScriptPKH
	ScriptWPKH
	ScriptCombo
	ScriptMulti
	ScriptSortedMulti
	ScriptRaw
	ScriptTR
	ScriptCosigner
	ScriptAddr // addr(), tag 307 (crypto-address) in BCR-2020-010
)

var scriptNames = [...]string{"sh", "wsh", "pk", "pkh", "wpkh", "combo", "multi", "sortedmulti", "raw", "tr", "cosigner", "addr"}

// String is the descriptor function name.
func (s ScriptKind) String() string { return scriptNames[s] }

// ScriptExp is a crypto-output script expression (BCR-2020-010).
type ScriptExp struct {
	Kind      ScriptKind
	Inner     *ScriptExp // sh, wsh, tr wrapping a script
	Key       *KeyExp    // pk, pkh, wpkh, combo, cosigner, tr(key), or sh/wsh(cosigner) shortcuts
	Threshold int        // multi, sortedmulti
	Keys      []KeyExp   // multi, sortedmulti
	Raw       []byte     // raw
}

func parseScriptExp(it cborItem, depth int) (*ScriptExp, error) {
	if depth > 8 {
		return nil, errors.New("script expression nested too deeply")
	}
	if it.isTag(tagAddressV1, tagAddressV2) {
		a, err := parseAddress(it)
		if err != nil {
			return nil, fmt.Errorf("addr(): %w", err)
		}
		return &ScriptExp{Kind: ScriptAddr, Key: &KeyExp{Address: a}}, nil
	}
	if it.major != majorTag || it.uint < tagSH || it.uint > tagCosigner {
		return nil, fmt.Errorf("expected a script expression (tags 400..410), found %s", it.kind())
	}
	s := &ScriptExp{Kind: ScriptKind(it.uint - tagSH)}
	content := *it.tag
	switch s.Kind {
	case ScriptSH, ScriptWSH, ScriptTR:
		if content.isTag(tagHDKeyV1, tagHDKeyV2, tagECKeyV1, tagECKeyV2) {
			k, err := parseKeyExp(content)
			if err != nil {
				return nil, fmt.Errorf("%s(): %w", s.Kind, err)
			}
			if s.Kind == ScriptTR {
				s.Key = &k
			} else {
				// BCR-2020-015 writes a multisig cosigner's account key
				// as sh(KEY) or wsh(KEY); BCR-2020-010 later named it
				// cosigner(KEY).
				s.Inner = &ScriptExp{Kind: ScriptCosigner, Key: &k}
			}
			return s, nil
		}
		inner, err := parseScriptExp(content, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s(): %w", s.Kind, err)
		}
		s.Inner = inner
	case ScriptPK, ScriptPKH, ScriptWPKH, ScriptCombo, ScriptCosigner:
		k, err := parseKeyExp(content)
		if err != nil {
			return nil, fmt.Errorf("%s(): %w", s.Kind, err)
		}
		s.Key = &k
	case ScriptMulti, ScriptSortedMulti:
		if content.major != majorMap {
			return nil, fmt.Errorf("%s() must hold a map {1: threshold, 2: keys}", s.Kind)
		}
		th, ok := content.mapUint(1)
		ks, ok2 := content.mapUint(2)
		if !ok || !ok2 || ks.major != majorArray || len(ks.items) == 0 {
			return nil, fmt.Errorf("%s() needs a threshold and a non-empty key array", s.Kind)
		}
		t, err := th.asUint()
		if err != nil || t == 0 || t > uint64(len(ks.items)) {
			return nil, fmt.Errorf("%s() threshold must be 1..%d", s.Kind, len(ks.items))
		}
		s.Threshold = int(t)
		for i, kit := range ks.items {
			k, err := parseKeyExp(kit)
			if err != nil {
				return nil, fmt.Errorf("%s() key %d: %w", s.Kind, i+1, err)
			}
			s.Keys = append(s.Keys, k)
		}
	case ScriptRaw:
		b, err := content.asBytes()
		if err != nil {
			return nil, fmt.Errorf("raw(): %w", err)
		}
		s.Raw = b
	}
	return s, nil
}

// Descriptor writes the script expression as descriptor text (BIP380
// family, without checksum; cosigner() as in BCR-2020-010).
func (s *ScriptExp) Descriptor(masterFingerprint *keys.Fingerprint) (string, error) {
	switch {
	case s.Inner != nil:
		in, err := s.Inner.Descriptor(masterFingerprint)
		if err != nil {
			return "", err
		}
		return s.Kind.String() + "(" + in + ")", nil
	case s.Key != nil:
		k, err := s.Key.String(masterFingerprint)
		if err != nil {
			return "", err
		}
		return s.Kind.String() + "(" + k + ")", nil
	case s.Kind == ScriptMulti || s.Kind == ScriptSortedMulti:
		parts := []string{strconv.Itoa(s.Threshold)}
		for _, k := range s.Keys {
			ks, err := k.String(masterFingerprint)
			if err != nil {
				return "", err
			}
			parts = append(parts, ks)
		}
		return s.Kind.String() + "(" + strings.Join(parts, ",") + ")", nil
	case s.Kind == ScriptRaw:
		return "raw(" + hex.EncodeToString(s.Raw) + ")", nil
	}
	return "", fmt.Errorf("%s() has no content", s.Kind)
}

// KeyExps lists every key in script order.
func (s *ScriptExp) KeyExps() []KeyExp {
	switch {
	case s.Inner != nil:
		return s.Inner.KeyExps()
	case s.Key != nil:
		return []KeyExp{*s.Key}
	}
	return append([]KeyExp(nil), s.Keys...)
}

// OutputDescriptor is a crypto-output (BCR-2020-010, Script set) or an
// output-descriptor (BCR-2023-010: Source text with @N placeholders for
// Keys, and an optional Name).
type OutputDescriptor struct {
	Script *ScriptExp
	Source string
	Keys   []KeyExp
	Name   string
	Note   string
}

func parseOutput(it cborItem) (*OutputDescriptor, error) {
	if it.isTag(tagOutputV1) {
		it = *it.tag
	}
	if it.isTag(tagOutputV2) {
		it = *it.tag
	}
	if it.major == majorMap { // BCR-2023-010 version 3
		src, ok := it.mapUint(1)
		if !ok {
			return nil, errors.New("output-descriptor has no source text")
		}
		text, err := src.asText()
		if err != nil {
			return nil, fmt.Errorf("output-descriptor source: %w", err)
		}
		d := &OutputDescriptor{Source: text}
		if ks, ok := it.mapUint(2); ok {
			if ks.major != majorArray {
				return nil, errors.New("output-descriptor keys must be an array")
			}
			for i, kit := range ks.items {
				k, err := parseKeyExp(kit)
				if err != nil {
					return nil, fmt.Errorf("output-descriptor key @%d: %w", i, err)
				}
				d.Keys = append(d.Keys, k)
			}
		}
		if n, ok := it.mapUint(3); ok {
			if d.Name, err = n.asText(); err != nil {
				return nil, fmt.Errorf("output-descriptor name: %w", err)
			}
		}
		if n, ok := it.mapUint(4); ok {
			if d.Note, err = n.asText(); err != nil {
				return nil, fmt.Errorf("output-descriptor note: %w", err)
			}
		}
		return d, nil
	}
	s, err := parseScriptExp(it, 0)
	if err != nil {
		return nil, err
	}
	return &OutputDescriptor{Script: s, Keys: s.KeyExps()}, nil
}

// DecodeOutputDescriptor decodes a crypto-output or output-descriptor UR.
func DecodeOutputDescriptor(u UR) (*OutputDescriptor, error) {
	if u.Type != TypeCryptoOutput && u.Type != TypeOutputDescriptor {
		return nil, fmt.Errorf("expected a crypto-output or output-descriptor UR, got %s", u.Type)
	}
	item, err := decodeCBOR(u.CBOR)
	if err != nil {
		return nil, fmt.Errorf("%s UR: %w", u.Type, err)
	}
	d, err := parseOutput(item)
	if err != nil {
		return nil, fmt.Errorf("%s UR: %w", u.Type, err)
	}
	return d, nil
}

// Descriptor writes the descriptor text (no checksum). masterFingerprint,
// when not nil, supplies the origin fingerprint of keys that carry none
// (as crypto-account does).
func (d *OutputDescriptor) Descriptor(masterFingerprint *keys.Fingerprint) (string, error) {
	if d.Script != nil {
		return d.Script.Descriptor(masterFingerprint)
	}
	var b strings.Builder
	s := d.Source
	for len(s) > 0 {
		i := strings.IndexByte(s, '@')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(s[i+1 : j])
		if err != nil || n >= len(d.Keys) {
			return "", fmt.Errorf("output-descriptor source refers to key %q, but it has %d keys", s[i:j], len(d.Keys))
		}
		ks, err := d.Keys[n].String(masterFingerprint)
		if err != nil {
			return "", err
		}
		b.WriteString(ks)
		s = s[j:]
	}
	return b.String(), nil
}

// Account is a crypto-account (BCR-2020-015) or account-descriptor
// (BCR-2023-019): a master fingerprint and account-level descriptors.
type Account struct {
	MasterFingerprint keys.Fingerprint
	Outputs           []*OutputDescriptor
}

// DecodeAccount decodes a crypto-account or account-descriptor UR.
func DecodeAccount(u UR) (*Account, error) {
	if u.Type != TypeCryptoAccount && u.Type != TypeAccountDescriptor {
		return nil, fmt.Errorf("expected a crypto-account or account-descriptor UR, got %s", u.Type)
	}
	item, err := decodeCBOR(u.CBOR)
	if err != nil {
		return nil, fmt.Errorf("%s UR: %w", u.Type, err)
	}
	item = item.untag(tagAccountV1, tagAccountV2)
	if item.major != majorMap {
		return nil, fmt.Errorf("%s UR must hold a map", u.Type)
	}
	fpItem, ok := item.mapUint(1)
	if !ok {
		return nil, fmt.Errorf("%s UR has no master fingerprint", u.Type)
	}
	fp, err := fingerprintFromCBOR(fpItem)
	if err != nil {
		return nil, fmt.Errorf("%s master fingerprint: %w", u.Type, err)
	}
	outs, ok := item.mapUint(2)
	if !ok || outs.major != majorArray {
		return nil, fmt.Errorf("%s UR has no descriptor array", u.Type)
	}
	a := &Account{MasterFingerprint: fp}
	for i, o := range outs.items {
		d, err := parseOutput(o)
		if err != nil {
			return nil, fmt.Errorf("%s descriptor %d: %w", u.Type, i+1, err)
		}
		a.Outputs = append(a.Outputs, d)
	}
	return a, nil
}

// Descriptors writes every descriptor of the account, keys without their
// own origin fingerprint taking the account's master fingerprint.
func (a *Account) Descriptors() ([]string, error) {
	out := make([]string, 0, len(a.Outputs))
	for i, o := range a.Outputs {
		s, err := o.Descriptor(&a.MasterFingerprint)
		if err != nil {
			return nil, fmt.Errorf("account descriptor %d: %w", i+1, err)
		}
		out = append(out, s)
	}
	return out, nil
}
