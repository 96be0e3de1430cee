package keys

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// Format names the SLIP-132 serialisation an extended key was written in.
// It hints at the script type the exporting wallet meant, nothing more:
// descriptors carry the script type themselves.
type Format string

// SLIP-132 extended key formats.
const (
	FormatX     Format = "xpub" // BIP44 P2PKH, or any script with descriptors
	FormatY     Format = "ypub" // BIP49 P2SH-P2WPKH
	FormatZ     Format = "zpub" // BIP84 P2WPKH
	FormatYMult Format = "Ypub" // multisig P2SH-P2WSH
	FormatZMult Format = "Zpub" // multisig P2WSH
)

type slip132 struct {
	pub, priv [4]byte
	format    Format
	testnet   bool
}

func v(x uint32) (b [4]byte) { binary.BigEndian.PutUint32(b[:], x); return }

// slip132Versions are the version bytes of SLIP-132.
var slip132Versions = []slip132{
	{v(0x0488b21e), v(0x0488ade4), FormatX, false},
	{v(0x049d7cb2), v(0x049d7878), FormatY, false},
	{v(0x04b24746), v(0x04b2430c), FormatZ, false},
	{v(0x0295b43f), v(0x0295b005), FormatYMult, false},
	{v(0x02aa7ed3), v(0x02aa7a99), FormatZMult, false},
	{v(0x043587cf), v(0x04358394), FormatX, true},
	{v(0x044a5262), v(0x044a4e28), FormatY, true},
	{v(0x045f1cf6), v(0x045f18bc), FormatZ, true},
	{v(0x024289ef), v(0x024285b5), FormatYMult, true},
	{v(0x02575483), v(0x02575048), FormatZMult, true},
}

// ExtendedKey is a parsed BIP32 extended key with what its serialisation
// said about it.
type ExtendedKey struct {
	// Key carries the standard xpub/xprv (mainnet) or tpub/tprv (test
	// networks) version bytes, whatever form it was read from.
	Key *hdkeychain.ExtendedKey
	// Format is the SLIP-132 form it was written in.
	Format Format
	// Testnet is true for tpub/upub/vpub/Upub/Vpub (and private twins).
	Testnet bool
}

// ParseExtendedKey reads a base58check extended key (BIP32 "Serialization
// format") in any SLIP-132 form: xpub, ypub, zpub, Ypub, Zpub, tpub, upub,
// vpub, Upub, Vpub and their private counterparts. The result always carries
// standard xpub/tpub (or xprv/tprv) version bytes so it serialises as
// descriptors expect.
//
// Beyond the checksum and length it applies every check of BIP32 test
// vector 5: the version must be known and agree with the key data (0x00 for
// private, 0x02/0x03 for public), a depth-0 key must have a zero parent
// fingerprint and child index, a private key must lie in 1..n-1 and a public
// key must be a point on secp256k1.
func ParseExtendedKey(s string) (*ExtendedKey, error) {
	s = strings.TrimSpace(s)
	raw, ver, err := base58.CheckDecode(s)
	if errors.Is(err, base58.ErrChecksum) {
		return nil, fmt.Errorf("extended key %s: not valid base58check: checksum does not match: check for a typo or a truncated copy", abbreviate(s))
	}
	if err != nil {
		return nil, fmt.Errorf("extended key %s: not valid base58check (%v): check for a typo or a truncated copy", abbreviate(s), err)
	}
	full := append([]byte{ver}, raw...)
	if len(full) != 78 {
		return nil, fmt.Errorf("extended key %s: %d bytes where BIP32 serialisation has 78", abbreviate(s), len(full))
	}
	var version [4]byte
	copy(version[:], full[:4])
	var sv slip132
	isPub, found := false, false
	for _, c := range slip132Versions {
		if version == c.pub || version == c.priv {
			sv, isPub, found = c, version == c.pub, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("extended key %s: unknown version bytes %x: expected xpub, ypub, zpub, Ypub, Zpub, tpub, upub, vpub, Upub or Vpub (or a private twin)", abbreviate(s), version)
	}
	depth := full[4]
	parentFP := binary.BigEndian.Uint32(full[5:9])
	childNum := binary.BigEndian.Uint32(full[9:13])
	if depth == 0 && parentFP != 0 {
		return nil, fmt.Errorf("extended key %s: depth 0 (a master key) with non-zero parent fingerprint %08x: the serialisation is corrupt", abbreviate(s), parentFP)
	}
	if depth == 0 && childNum != 0 {
		return nil, fmt.Errorf("extended key %s: depth 0 (a master key) with non-zero child index %d: the serialisation is corrupt", abbreviate(s), childNum)
	}
	keyData := full[45:78]
	pubName, privName := sv.names()
	switch {
	case isPub && keyData[0] == 0x00:
		return nil, fmt.Errorf("extended key %s: the version says public (%s) but the key data is a private key", abbreviate(s), pubName)
	case isPub && keyData[0] != 0x02 && keyData[0] != 0x03:
		return nil, fmt.Errorf("extended key %s: public key prefix 0x%02x is invalid: BIP32 public keys are compressed, starting 0x02 or 0x03", abbreviate(s), keyData[0])
	case !isPub && (keyData[0] == 0x02 || keyData[0] == 0x03):
		return nil, fmt.Errorf("extended key %s: the version says private (%s) but the key data is a public key", abbreviate(s), privName)
	case !isPub && keyData[0] != 0x00:
		return nil, fmt.Errorf("extended key %s: private key data must start with 0x00, found 0x%02x", abbreviate(s), keyData[0])
	}
	if isPub {
		if _, err := btcec.ParsePubKey(keyData); err != nil {
			return nil, fmt.Errorf("extended key %s: public key is not a point on secp256k1: the key is corrupt", abbreviate(s))
		}
	} else {
		var k btcec.ModNScalar
		if overflow := k.SetByteSlice(keyData[1:]); overflow {
			return nil, fmt.Errorf("extended key %s: private key is not below the curve order n: the key is corrupt", abbreviate(s))
		}
		if k.IsZero() {
			return nil, fmt.Errorf("extended key %s: private key is zero: the key is corrupt", abbreviate(s))
		}
	}
	std := slip132Versions[0]
	if sv.testnet {
		std = slip132Versions[5]
	}
	want := std.pub
	if !isPub {
		want = std.priv
	}
	key := hdkeychain.NewExtendedKey(want[:], append([]byte(nil), keyData[boolToInt(!isPub):]...),
		append([]byte(nil), full[13:45]...), append([]byte(nil), full[5:9]...), depth, childNum, !isPub)
	return &ExtendedKey{Key: key, Format: sv.format, Testnet: sv.testnet}, nil
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// VersionName is how the key's version bytes print in base58: "xpub",
// "vpub", "Zpub", "tprv" and so on (SLIP-132).
func (k *ExtendedKey) VersionName() string {
	pub, priv := slip132{format: k.Format, testnet: k.Testnet}.names()
	if k.Key.IsPrivate() {
		return priv
	}
	return pub
}

// names returns how the version bytes print, e.g. "zpub" and "zprv" or
// "Vpub" and "Vprv".
func (sv slip132) names() (pub, priv string) {
	p := string(sv.format)
	if sv.testnet {
		switch sv.format {
		case FormatX:
			p = "tpub"
		case FormatY:
			p = "upub"
		case FormatZ:
			p = "vpub"
		case FormatYMult:
			p = "Upub"
		case FormatZMult:
			p = "Vpub"
		}
	}
	return p, p[:1] + "prv"
}

// ConvertVersion re-serialises a public extended key in another SLIP-132
// format, for export to wallets that still expect one.
func ConvertVersion(key *hdkeychain.ExtendedKey, format Format, testnet bool) (string, error) {
	if key.IsPrivate() {
		return "", fmt.Errorf("refusing to re-encode a private extended key")
	}
	for _, sv := range slip132Versions {
		if sv.format == format && sv.testnet == testnet {
			k, err := key.CloneWithVersion(sv.pub[:])
			if err != nil {
				return "", err
			}
			return k.String(), nil
		}
	}
	return "", fmt.Errorf("unknown SLIP-132 format %q", format)
}

// StandardVersion returns the xpub/tpub (or xprv/tprv) version bytes of the
// network.
func StandardVersion(params *chaincfg.Params, private bool) []byte {
	if private {
		return params.HDPrivateKeyID[:]
	}
	return params.HDPublicKeyID[:]
}

func abbreviate(s string) string {
	if len(s) <= 16 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q", s[:8]+"…"+s[len(s)-6:])
}
