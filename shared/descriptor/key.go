package descriptor

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/specterpwa/specter/shared/keys"
)

// KeyExpr is one BIP380 key expression of a descriptor: optional origin
// [fingerprint/path], the key (hex public key, WIF, or extended key), the
// derivation steps after an extended key, an optional BIP389 multipath step
// <a;b;...> and an optional final /* or /*h wildcard.
type KeyExpr struct {
	// Origin is the [fingerprint/path] prefix, nil when absent.
	Origin *keys.Origin
	// Xpub is the public form of the key: the normalised xpub/tpub of an
	// extended key (also for an xprv, which is neutered here), or the hex
	// public key of a hex or WIF key (64 hex digits for an x-only key).
	Xpub string
	// Path holds the derivation steps after the extended key, without the
	// wildcard. For a BIP389 multipath key, Path[MultipathIndex] holds the
	// step of branch 0 and Multipath lists every alternative.
	Path keys.Path
	// Wildcard is true for a final /* (or /*h); Hardened marks /*h.
	Wildcard, Hardened bool
	// Multipath lists the BIP389 <a;b;...> alternatives, nil when absent.
	Multipath []uint32
	// MultipathIndex is the position in Path of the multipath step.
	MultipathIndex int
	// XOnly is true for a 64-hex-digit x-only key (only inside tr()).
	XOnly bool
	// Private is true when the key was given as a WIF or an xprv/tprv.
	Private bool

	text       string                  // the key itself as it is printed (normalised xprv/xpub, hex, WIF)
	ext        *hdkeychain.ExtendedKey // extended key, nil for hex and WIF keys
	pub        *btcec.PublicKey        // public key of a hex or WIF key
	compressed bool                    // hex/WIF key is compressed (extended keys always are)
	tap        bool                    // the key is inside tr() (its public form is x-only)
	testnet    int                     // 0 any network, 1 mainnet only, 2 test networks only
	selfFP     keys.Fingerprint        // fingerprint of the key itself, for origins when Origin is nil
	base       *hdkeychain.ExtendedKey // ext derived along Path (cached once per single-path key)
	basePub    *btcec.PublicKey        // public key of base
	ckd        *ckdParent              // base ready for fast unhardened wildcard steps
	baseErr    error                   // why base could not be derived (e.g. hardened step from an xpub)
}

// SelfFingerprint is the BIP32 fingerprint of the key itself (the first 4
// bytes of the HASH160 of its compressed serialization; an x-only key as
// its even-Y compressed form 02||x, as Bitcoin Core does): the origin's
// fingerprint that PSBT derivations carry for a key given without one.
func (k *KeyExpr) SelfFingerprint() keys.Fingerprint { return k.selfFP }

// String writes the key expression in its normalised form: origin with h for
// hardened steps, the key as given (SLIP-132 versions normalised), the path.
func (k *KeyExpr) String() string {
	var b strings.Builder
	if k.Origin != nil {
		b.WriteByte('[')
		b.WriteString(k.Origin.String())
		b.WriteByte(']')
	}
	b.WriteString(k.text)
	for i, step := range k.Path {
		b.WriteByte('/')
		if k.Multipath != nil && i == k.MultipathIndex {
			b.WriteByte('<')
			for j, alt := range k.Multipath {
				if j > 0 {
					b.WriteByte(';')
				}
				b.WriteString(keys.Path{alt}.String())
			}
			b.WriteByte('>')
			continue
		}
		b.WriteString(keys.Path{step}.String())
	}
	if k.Wildcard {
		b.WriteString("/*")
		if k.Hardened {
			b.WriteByte('h')
		}
	}
	return b.String()
}

// keyContext says where a key expression appears, which decides the key
// forms it may take (BIP382: compressed only in segwit; BIP386: x-only in tr).
type keyContext int

const (
	keyLegacy  keyContext = iota // top level, sh(): compressed or uncompressed
	keySegwit                    // wpkh(), anything under wsh(): compressed only
	keyTaproot                   // tr() internal key and leaves: x-only or compressed
)

// parseKey reads one BIP380 key expression (with the BIP389 multipath extension).
func parseKey(s string, ctx keyContext) (*KeyExpr, error) {
	k := &KeyExpr{MultipathIndex: -1, tap: ctx == keyTaproot}
	rest := s
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, fmt.Errorf("key %s: key origin starts with '[' but has no closing ']'", abbrev(s))
		}
		inner := rest[1:end]
		if strings.HasSuffix(inner, "/") || strings.Contains(inner, "//") {
			return nil, fmt.Errorf("key %s: key origin [%s] has an empty path step", abbrev(s), inner)
		}
		if strings.ContainsAny(inner, "[<;>*") {
			return nil, fmt.Errorf("key %s: key origin [%s] may hold only a fingerprint and plain path steps (no wildcard or multipath)", abbrev(s), inner)
		}
		o, err := keys.ParseOrigin(inner)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", abbrev(s), err)
		}
		k.Origin = &o
		rest = rest[end+1:]
	} else if strings.Contains(rest, "]") {
		return nil, fmt.Errorf("key %s: ']' without a matching '[' at the start of the key origin", abbrev(s))
	}
	if strings.ContainsAny(rest, "[]") {
		return nil, fmt.Errorf("key %s: only one key origin [...] is allowed, before the key", abbrev(s))
	}
	parts := strings.Split(rest, "/")
	keyText, steps := parts[0], parts[1:]
	if keyText == "" {
		return nil, fmt.Errorf("key %s: the key is missing", abbrev(s))
	}

	switch {
	case isHex(keyText) && (len(keyText) == 66 || len(keyText) == 130 || len(keyText) == 64):
		if err := k.setHexKey(keyText, ctx); err != nil {
			return nil, fmt.Errorf("key %s: %w", abbrev(s), err)
		}
	case len(keyText) > 100:
		ek, err := keys.ParseExtendedKey(keyText)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", abbrev(s), err)
		}
		k.ext = ek.Key
		k.Private = ek.Key.IsPrivate()
		k.text = ek.Key.String()
		k.testnet = 1
		if ek.Testnet {
			k.testnet = 2
		}
		pubExt := ek.Key
		if k.Private {
			if pubExt, err = ek.Key.Neuter(); err != nil {
				return nil, fmt.Errorf("key %s: %w", abbrev(s), err)
			}
		}
		k.Xpub = pubExt.String()
		pk, err := pubExt.ECPubKey()
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", abbrev(s), err)
		}
		copy(k.selfFP[:], btcutil.Hash160(pk.SerializeCompressed()))
		k.compressed = true
	default:
		wif, err := btcutil.DecodeWIF(keyText)
		if err != nil {
			return nil, fmt.Errorf("key %s is not a hex public key, a WIF private key or an extended key (xpub/xprv/tpub/tprv or SLIP-132): check for a typo", abbrev(keyText))
		}
		k.pub = wif.PrivKey.PubKey()
		k.compressed = wif.CompressPubKey
		k.Private = true
		k.text = keyText
		k.testnet = 1
		if !wif.IsForNet(&chaincfg.MainNetParams) {
			k.testnet = 2
		}
		if k.compressed {
			k.Xpub = hex.EncodeToString(k.pub.SerializeCompressed())
		} else {
			k.Xpub = hex.EncodeToString(k.pub.SerializeUncompressed())
		}
		if err := k.checkForm(ctx); err != nil {
			return nil, fmt.Errorf("key %s: %w", abbrev(s), err)
		}
		copy(k.selfFP[:], btcutil.Hash160(k.serialize(k.pub, false)))
	}

	if len(steps) > 0 && k.ext == nil {
		return nil, fmt.Errorf("key %s: derivation steps are only allowed after an extended key (xpub/xprv)", abbrev(s))
	}
	for i, step := range steps {
		switch {
		case step == "*" || step == "*h" || step == "*H" || step == "*'":
			if i != len(steps)-1 {
				return nil, fmt.Errorf("key %s: the wildcard /* must be the last step", abbrev(s))
			}
			k.Wildcard, k.Hardened = true, step != "*"
		case strings.HasPrefix(step, "<") || strings.HasSuffix(step, ">"):
			if k.Multipath != nil {
				return nil, fmt.Errorf("key %s: only one multipath <a;b;...> step is allowed in a key expression (BIP389)", abbrev(s))
			}
			if !strings.HasPrefix(step, "<") || !strings.HasSuffix(step, ">") || len(step) < 2 {
				return nil, fmt.Errorf("key %s: multipath step %q must be written <a;b;...> (BIP389)", abbrev(s), step)
			}
			alts := strings.Split(step[1:len(step)-1], ";")
			if len(alts) < 2 {
				return nil, fmt.Errorf("key %s: multipath step %q needs at least two values separated by ';' (BIP389)", abbrev(s), step)
			}
			seen := map[uint32]bool{}
			for _, a := range alts {
				idx, err := keys.ParseIndex(a)
				if err != nil {
					return nil, fmt.Errorf("key %s: multipath step %q: %w", abbrev(s), step, err)
				}
				if seen[idx] {
					return nil, fmt.Errorf("key %s: multipath step %q repeats %s: the values must be distinct (BIP389)", abbrev(s), step, keys.Path{idx})
				}
				seen[idx] = true
				k.Multipath = append(k.Multipath, idx)
			}
			k.MultipathIndex = len(k.Path)
			k.Path = append(k.Path, k.Multipath[0])
		default:
			idx, err := keys.ParseIndex(step)
			if err != nil {
				return nil, fmt.Errorf("key %s: %w", abbrev(s), err)
			}
			k.Path = append(k.Path, idx)
		}
	}
	if k.Multipath == nil {
		k.MultipathIndex = 0
		k.prepare()
	}
	return k, nil
}

// setHexKey reads a hex public key: 66 digits compressed, 130 uncompressed,
// 64 x-only (tr() only).
func (k *KeyExpr) setHexKey(h string, ctx keyContext) error {
	raw, _ := hex.DecodeString(h)
	var err error
	switch len(raw) {
	case 32:
		if ctx != keyTaproot {
			return fmt.Errorf("a 64-digit x-only public key is only allowed inside tr() (BIP386): elsewhere use the 66-digit compressed key (or was it cut short?)")
		}
		k.pub, err = schnorr.ParsePubKey(raw)
		k.XOnly, k.compressed = true, true
	case 33:
		if raw[0] != 0x02 && raw[0] != 0x03 {
			return fmt.Errorf("a compressed public key starts with 02 or 03")
		}
		k.pub, err = btcec.ParsePubKey(raw)
		k.compressed = true
	case 65:
		if raw[0] != 0x04 {
			return fmt.Errorf("an uncompressed public key starts with 04")
		}
		k.pub, err = btcec.ParsePubKey(raw)
	}
	if err != nil {
		return fmt.Errorf("not a valid secp256k1 public key: %v", err)
	}
	k.text = strings.ToLower(h)
	k.Xpub = k.text
	copy(k.selfFP[:], btcutil.Hash160(k.serialize(k.pub, false)))
	return k.checkForm(ctx)
}

func (k *KeyExpr) checkForm(ctx keyContext) error {
	if !k.compressed && ctx == keySegwit {
		return fmt.Errorf("uncompressed keys are not allowed in segwit scripts (BIP382): use the compressed key")
	}
	if !k.compressed && ctx == keyTaproot {
		return fmt.Errorf("uncompressed keys are not allowed in tr() (BIP386): use the x-only or compressed key")
	}
	return nil
}

// prepare derives an extended key along its fixed path once, so that each
// address then needs only the last (wildcard) step.
func (k *KeyExpr) prepare() {
	if k.ext == nil {
		return
	}
	cur := k.ext
	for _, step := range k.Path {
		next, err := cur.Derive(step)
		if err != nil {
			k.baseErr = deriveError(k, step, err)
			return
		}
		cur = next
	}
	pub, err := cur.ECPubKey()
	if err != nil {
		k.baseErr = fmt.Errorf("key %s: %v", abbrev(k.String()), err)
		return
	}
	k.base, k.basePub = cur, pub
	if k.Wildcard && !k.Hardened {
		if k.ckd, err = newCKDParent(cur); err != nil {
			k.baseErr = fmt.Errorf("key %s: %v", abbrev(k.String()), err)
		}
	}
}

func deriveError(k *KeyExpr, step uint32, err error) error {
	if errors.Is(err, hdkeychain.ErrDeriveHardFromPublic) {
		return fmt.Errorf("key %s: cannot derive the hardened step %s from a public key: give the private key or the xpub after the last hardened step", abbrev(k.String()), keys.Path{step})
	}
	return fmt.Errorf("key %s: derivation step %s failed: %v", abbrev(k.String()), keys.Path{step}, err)
}

// branch returns the single-path key of BIP389 branch i.
func (k *KeyExpr) branch(i int) *KeyExpr {
	c := *k
	if k.Multipath != nil {
		c.Path = append(keys.Path(nil), k.Path...)
		c.Path[k.MultipathIndex] = k.Multipath[i]
		c.Multipath = nil
		c.MultipathIndex = 0
		c.base, c.basePub, c.ckd, c.baseErr = nil, nil, nil, nil
		c.prepare()
	}
	return &c
}

// public returns a copy safe to hand out (slices and origin cloned).
func (k *KeyExpr) public() KeyExpr {
	c := *k
	c.Path = append(keys.Path{}, k.Path...)
	c.Multipath = append([]uint32(nil), k.Multipath...)
	if len(k.Multipath) == 0 {
		c.Multipath = nil
	}
	if k.Origin != nil {
		o := keys.Origin{Fingerprint: k.Origin.Fingerprint, Path: append(keys.Path{}, k.Origin.Path...)}
		c.Origin = &o
	}
	return c
}

// serialize writes a public key as this key expression puts it in scripts.
func (k *KeyExpr) serialize(pub *btcec.PublicKey, xonly bool) []byte {
	if xonly {
		return schnorr.SerializePubKey(pub)
	}
	if k.compressed {
		return pub.SerializeCompressed()
	}
	return pub.SerializeUncompressed()
}

// derive returns the public key and its origin at a wildcard index.
func (k *KeyExpr) derive(index uint32, xonly bool) (DerivedKey, error) {
	var pub *btcec.PublicKey
	var extra keys.Path
	if k.ext == nil {
		pub = k.pub
	} else {
		if k.baseErr != nil {
			return DerivedKey{}, k.baseErr
		}
		if k.Multipath != nil {
			return DerivedKey{}, fmt.Errorf("key %s has a multipath step: pick a branch first", abbrev(k.String()))
		}
		pub = k.basePub
		extra = k.Path
		if k.Wildcard {
			if index >= hdkeychain.HardenedKeyStart {
				return DerivedKey{}, fmt.Errorf("index %d is out of range: wildcard indexes go from 0 to 2147483647", index)
			}
			var err error
			if k.Hardened {
				step := index + hdkeychain.HardenedKeyStart
				child, err := k.base.Derive(step)
				if err != nil {
					return DerivedKey{}, deriveError(k, step, err)
				}
				if pub, err = child.ECPubKey(); err != nil {
					return DerivedKey{}, fmt.Errorf("key %s: %v", abbrev(k.String()), err)
				}
				extra = k.Path.Child(step)
			} else {
				if pub, err = k.ckd.child(index); err != nil {
					return DerivedKey{}, fmt.Errorf("key %s: %w", abbrev(k.String()), err)
				}
				extra = k.Path.Child(index)
			}
		}
	}
	dk := DerivedKey{PubKey: k.serialize(pub, xonly)}
	if k.Origin != nil {
		dk.Origin.Fingerprint = k.Origin.Fingerprint
		dk.Origin.Path = k.Origin.Path.Child(extra...)
	} else {
		dk.Origin.Fingerprint = k.selfFP
		dk.Origin.Path = keys.Path{}.Child(extra...)
	}
	return dk, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return len(s) > 0
}

// abbrev quotes s for an error message, shortened in the middle when long
// (keys are ~111 chars), with private keys redacted so that errors, which
// end up in logs, never carry secret material.
func abbrev(s string) string {
	s = redactPrivate(s)
	if len([]rune(s)) <= 24 {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:12]) + "…" + string(r[len(r)-8:]))
}

// redactPrivate replaces every base58 run that looks like a private key (an
// extended private key, or a WIF) by its first four characters and "…".
func redactPrivate(s string) string {
	isB58 := func(c byte) bool {
		return c >= '1' && c <= '9' || c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' || c >= 'a' && c <= 'z' && c != 'l'
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && isB58(s[j]) {
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			i++
			continue
		}
		run := s[i:j]
		if looksPrivate(run) {
			b.WriteString(run[:4] + "…")
		} else {
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

func looksPrivate(run string) bool {
	if len(run) >= 100 && len(run) <= 115 && len(run) > 4 && run[1:4] == "prv" {
		return true
	}
	return (len(run) == 51 || len(run) == 52) && strings.IndexByte("59KLc", run[0]) >= 0
}

// publicForm returns the key without private data, following BIP380's
// "Normalization of Key Expressions with Hardened Derivation": a WIF becomes
// its hex public key (x-only inside tr()); an xprv is derived to its last
// hardened step, neutered, and those steps move into the key origin.
func (k *KeyExpr) publicForm() (*KeyExpr, error) {
	if !k.Private {
		return k, nil
	}
	c := *k
	c.Private = false
	c.base, c.basePub, c.ckd, c.baseErr = nil, nil, nil, nil
	if k.ext == nil {
		switch {
		case k.tap:
			x := schnorr.SerializePubKey(k.pub)
			c.text = hex.EncodeToString(x)
			c.XOnly = true
			copy(c.selfFP[:], btcutil.Hash160(append([]byte{0x02}, x...)))
		case k.compressed:
			c.text = hex.EncodeToString(k.pub.SerializeCompressed())
		default:
			c.text = hex.EncodeToString(k.pub.SerializeUncompressed())
		}
		c.Xpub = c.text
		return &c, nil
	}
	if k.Wildcard && k.Hardened {
		return nil, fmt.Errorf("key %s ends in /*h: every index needs the private key, so it has no public form", abbrev(k.String()))
	}
	last := -1
	for i, step := range k.Path {
		if step >= hdkeychain.HardenedKeyStart {
			last = i
		}
	}
	for _, alt := range k.Multipath {
		if alt >= hdkeychain.HardenedKeyStart {
			return nil, fmt.Errorf("key %s has a hardened multipath value: it has no single public form", abbrev(k.String()))
		}
	}
	if k.Multipath != nil && k.MultipathIndex <= last {
		return nil, fmt.Errorf("key %s has its multipath step before a hardened step: it has no single public form", abbrev(k.String()))
	}
	cur := k.ext
	for _, step := range k.Path[:last+1] {
		next, err := cur.Derive(step)
		if err != nil {
			return nil, deriveError(k, step, err)
		}
		cur = next
	}
	pub, err := cur.Neuter()
	if err != nil {
		return nil, fmt.Errorf("key %s: %v", abbrev(k.String()), err)
	}
	if last >= 0 {
		o := keys.Origin{Fingerprint: k.selfFP}
		if k.Origin != nil {
			o = keys.Origin{Fingerprint: k.Origin.Fingerprint, Path: append(keys.Path{}, k.Origin.Path...)}
		}
		o.Path = o.Path.Child(k.Path[:last+1]...)
		c.Origin = &o
		c.Path = append(keys.Path{}, k.Path[last+1:]...)
		if k.Multipath != nil {
			c.MultipathIndex = k.MultipathIndex - (last + 1)
		}
		ecPub, err := pub.ECPubKey()
		if err != nil {
			return nil, fmt.Errorf("key %s: %v", abbrev(k.String()), err)
		}
		copy(c.selfFP[:], btcutil.Hash160(ecPub.SerializeCompressed()))
	}
	c.ext = pub
	c.text = pub.String()
	c.Xpub = c.text
	if c.Multipath == nil {
		c.prepare()
	}
	return &c, nil
}
