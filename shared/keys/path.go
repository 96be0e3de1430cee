// Package keys holds BIP32 key handling shared by the engine: derivation paths
// and key origins (BIP32, BIP380), extended keys in xpub/tpub and SLIP-132
// forms, BIP39 mnemonics, the software signer's master key, account derivation
// (BIP44/48/49/84/86) and the xpub export files of hardware wallets.
package keys

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// Hardened is the BIP32 offset of hardened child indexes.
const Hardened = hdkeychain.HardenedKeyStart

// Path is a BIP32 derivation path as child indexes; hardened indexes carry
// the Hardened offset.
type Path []uint32

// ParsePath reads a BIP32 path such as "m/48'/1'/0'/2'", "48h/1h/0h/2h" or
// "84'/0'/0'". A leading "m" is optional; hardened steps may be marked with
// "'", "h" or "H" (BIP380). An empty string or "m" is the empty path.
func ParsePath(s string) (Path, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "m")
	s = strings.TrimPrefix(s, "M")
	s = strings.TrimPrefix(s, "/")
	if s == "" {
		return Path{}, nil
	}
	parts := strings.Split(s, "/")
	p := make(Path, 0, len(parts))
	for _, part := range parts {
		idx, err := ParseIndex(part)
		if err != nil {
			return nil, fmt.Errorf("derivation path %q: %w", s, err)
		}
		p = append(p, idx)
	}
	return p, nil
}

// ParseIndex reads one path step: a decimal below 2^31, optionally followed
// by a hardened marker "'", "h" or "H".
func ParseIndex(part string) (uint32, error) {
	hardened := false
	if n := len(part); n > 0 && (part[n-1] == '\'' || part[n-1] == 'h' || part[n-1] == 'H') {
		hardened = true
		part = part[:n-1]
	}
	if part == "" || (len(part) > 1 && part[0] == '0') || strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, fmt.Errorf("step %q is not a decimal index", part)
	}
	v, err := strconv.ParseUint(part, 10, 32)
	if err != nil || v >= uint64(Hardened) {
		return 0, fmt.Errorf("step %q is out of range: indexes go from 0 to 2147483647", part)
	}
	if hardened {
		return uint32(v) + Hardened, nil
	}
	return uint32(v), nil
}

// String formats the path without a leading "m", hardened steps marked "h"
// (the form descriptors normalise to): "48h/1h/0h/2h".
func (p Path) String() string { return p.format("h") }

// StringApostrophe formats the path with "'" hardened markers, as most
// hardware wallets and Specter Desktop print it, without a leading "m".
func (p Path) StringApostrophe() string { return p.format("'") }

func (p Path) format(mark string) string {
	var b strings.Builder
	for i, idx := range p {
		if i > 0 {
			b.WriteByte('/')
		}
		if idx >= Hardened {
			b.WriteString(strconv.FormatUint(uint64(idx-Hardened), 10))
			b.WriteString(mark)
		} else {
			b.WriteString(strconv.FormatUint(uint64(idx), 10))
		}
	}
	return b.String()
}

// Child returns a new path with the given steps appended; p is not changed.
func (p Path) Child(steps ...uint32) Path {
	out := make(Path, 0, len(p)+len(steps))
	return append(append(out, p...), steps...)
}

// Fingerprint is a BIP32 key fingerprint: the first four bytes of
// HASH160 of the compressed public key, kept in big-endian order.
type Fingerprint [4]byte

// ParseFingerprint reads eight hex digits, as in "[d34db33f/...]".
func ParseFingerprint(s string) (Fingerprint, error) {
	var fp Fingerprint
	if len(s) != 8 {
		return fp, fmt.Errorf("fingerprint %q must be 8 hex digits", s)
	}
	if _, err := hex.Decode(fp[:], []byte(s)); err != nil {
		return fp, fmt.Errorf("fingerprint %q must be 8 hex digits", s)
	}
	return fp, nil
}

// FingerprintFromUint32 converts btcutil/psbt's little-endian uint32 form
// (the bytes as they appear on the wire, read little-endian) to Fingerprint.
func FingerprintFromUint32(v uint32) Fingerprint {
	var fp Fingerprint
	binary.LittleEndian.PutUint32(fp[:], v)
	return fp
}

// Uint32 is the form btcutil/psbt uses for master key fingerprints.
func (f Fingerprint) Uint32() uint32 { return binary.LittleEndian.Uint32(f[:]) }

// BigEndianUint32 is the form hdkeychain's ParentFingerprint uses: the
// fingerprint's bytes as BIP32 serializes them, read big-endian.
func (f Fingerprint) BigEndianUint32() uint32 { return binary.BigEndian.Uint32(f[:]) }

// String is the lowercase hex form.
func (f Fingerprint) String() string { return hex.EncodeToString(f[:]) }

// Origin is a key origin (BIP380): the master key fingerprint and the path
// from the master key.
type Origin struct {
	Fingerprint Fingerprint
	Path        Path
}

// ParseOrigin reads the inside of a key origin, "d34db33f/48'/1'/0'/2'",
// with or without the surrounding brackets.
func ParseOrigin(s string) (Origin, error) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	fpPart, pathPart, _ := strings.Cut(s, "/")
	fp, err := ParseFingerprint(fpPart)
	if err != nil {
		return Origin{}, fmt.Errorf("key origin [%s]: %w", s, err)
	}
	if strings.HasPrefix(pathPart, "m") {
		return Origin{}, fmt.Errorf("key origin [%s]: the path after the fingerprint must not start with m", s)
	}
	p, err := ParsePath(pathPart)
	if err != nil {
		return Origin{}, fmt.Errorf("key origin [%s]: %w", s, err)
	}
	return Origin{Fingerprint: fp, Path: p}, nil
}

// String formats the origin without brackets: "d34db33f/48h/1h/0h/2h".
func (o Origin) String() string {
	if len(o.Path) == 0 {
		return o.Fingerprint.String()
	}
	return o.Fingerprint.String() + "/" + o.Path.String()
}

// MarshalText writes the path as String does ("48h/1h/0h/2h"), so paths
// travel as text in JSON (the wasm bridge, IndexedDB).
func (p Path) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads any form ParsePath accepts.
func (p *Path) UnmarshalText(b []byte) error {
	v, err := ParsePath(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MarshalText writes the fingerprint as 8 lowercase hex digits.
func (f Fingerprint) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads 8 hex digits (ParseFingerprint).
func (f *Fingerprint) UnmarshalText(b []byte) error {
	v, err := ParseFingerprint(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// MarshalText writes the origin as String does, "d34db33f/48h/1h/0h/2h"
// (BIP380 without brackets).
func (o Origin) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads any form ParseOrigin accepts.
func (o *Origin) UnmarshalText(b []byte) error {
	v, err := ParseOrigin(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}
