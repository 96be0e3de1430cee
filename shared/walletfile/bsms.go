package walletfile

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// BSMSVersion is the specification version this package reads and writes
// (BIP129 "BSMS 1.0").
const BSMSVersion = "BSMS 1.0"

// bsmsNoRestrictions is the third line of a descriptor record without a
// template (BIP129 Round 2).
const bsmsNoRestrictions = "No path restrictions"

// KeyRecord is a BIP129 round 1 key record: what a Signer sends the
// Coordinator.
type KeyRecord struct {
	// Token is the session TOKEN of the record's second line.
	Token Token
	// Origin is the key's [fingerprint/path].
	Origin keys.Origin
	// Key is the extended key (standard xpub/tpub version) or the hex
	// public key.
	Key string
	// Description is the Signer's text description of the key (at most 80
	// characters).
	Description string
	// Signature is the base64 signature of the first four lines.
	Signature string

	keyLine string // line 3 as signed
}

// String writes the record in BIP129's five-line form, without a trailing
// newline (as the BIP's vectors).
func (r *KeyRecord) String() string {
	return strings.Join([]string{BSMSVersion, r.Token.String(), r.line3(), r.Description, r.Signature}, "\n")
}

// line3 is the record's key line: as read, or written with ' for hardened
// steps as in the BIP's vectors.
func (r *KeyRecord) line3() string {
	if r.keyLine != "" {
		return r.keyLine
	}
	o := r.Origin.Fingerprint.String()
	if len(r.Origin.Path) > 0 {
		o += "/" + r.Origin.Path.StringApostrophe()
	}
	return "[" + o + "]" + r.Key
}

// Device returns the key of the record as a wallet setup device, named by
// its description.
func (r *KeyRecord) Device() Device {
	return Device{Name: r.Description, Fingerprint: r.Origin.Fingerprint, Path: r.Origin.Path, Xpub: r.Key}
}

// KeyExpression is the record's key as a BIP380 key expression
// "[fingerprint/path]KEY".
func (r *KeyRecord) KeyExpression() string {
	return "[" + r.Origin.String() + "]" + r.Key
}

// recordLines splits a BSMS record into lines (LF or CRLF), dropping one
// trailing empty line.
func recordLines(text string) []string {
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// ParseKeyRecord reads a BIP129 round 1 key record and verifies it: the
// version, the TOKEN, the key with its origin (an extended key must agree
// with its origin's depth and child number), the description length, and
// the signature of the first four lines by the key (Bitcoin signed message,
// the legacy format BIP129 accepts).
func ParseKeyRecord(text string) (*KeyRecord, error) {
	lines := recordLines(text)
	if len(lines) != 5 {
		return nil, fmt.Errorf("a BSMS key record has 5 lines (version, TOKEN, key, description, signature); this one has %d", len(lines))
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t")
	}
	if lines[0] != BSMSVersion {
		return nil, fmt.Errorf("line 1 is %q: only %q records are supported", lines[0], BSMSVersion)
	}
	tok, err := ParseToken(lines[1])
	if err != nil {
		return nil, fmt.Errorf("line 2: %w", err)
	}
	rec := &KeyRecord{Token: tok, Description: lines[3], Signature: strings.TrimSpace(lines[4]), keyLine: lines[2]}
	kl := lines[2]
	if !strings.HasPrefix(kl, "[") || !strings.Contains(kl, "]") {
		return nil, errors.New("line 3: the key must be written [fingerprint/path]KEY")
	}
	end := strings.IndexByte(kl, ']')
	origin, err := keys.ParseOrigin(kl[1:end])
	if err != nil {
		return nil, fmt.Errorf("line 3: %w", err)
	}
	rec.Origin = origin
	keyText := kl[end+1:]
	var pub *btcec.PublicKey
	if b, err := hex.DecodeString(keyText); err == nil {
		if pub, err = btcec.ParsePubKey(b); err != nil || len(b) != 33 {
			return nil, fmt.Errorf("line 3: %q is not a compressed public key", keyText)
		}
		rec.Key = hex.EncodeToString(b)
	} else {
		ek, err := keys.ParseExtendedKey(keyText)
		if err != nil {
			return nil, fmt.Errorf("line 3: %w", err)
		}
		if ek.Key.IsPrivate() {
			return nil, errors.New("line 3: a private key: key records hold public keys only")
		}
		if err := checkKeyOrigin(ek, origin); err != nil {
			return nil, fmt.Errorf("line 3: %w", err)
		}
		rec.Key = ek.Key.String()
		if pub, err = ek.Key.ECPubKey(); err != nil {
			return nil, fmt.Errorf("line 3: %w", err)
		}
	}
	if n := len([]rune(rec.Description)); n > 80 {
		return nil, fmt.Errorf("line 4: the description has %d characters, BIP129 allows 80", n)
	}
	msg := strings.Join(lines[:4], "\n")
	if err := verifyMessage(pub, msg, rec.Signature); err != nil {
		return nil, fmt.Errorf("line 5: %w", err)
	}
	return rec, nil
}

// SignKeyRecord makes a BIP129 round 1 key record as a Signer does: the
// TOKEN, the key with its origin, a description of at most 80 characters on
// one line, signed with the key's private key (Bitcoin signed message,
// legacy format, deterministic RFC6979 nonce). key is the extended public
// key (any SLIP-132 form) or the hex public key at the origin's path; priv
// must be its private key.
func SignKeyRecord(token Token, origin keys.Origin, key, description string, priv *btcec.PrivateKey) (*KeyRecord, error) {
	if strings.ContainsAny(description, "\r\n") {
		return nil, errors.New("the description must be one line")
	}
	if n := len([]rune(description)); n > 80 {
		return nil, fmt.Errorf("the description has %d characters, BIP129 allows 80", n)
	}
	if len(token) == 0 {
		return nil, errors.New("a TOKEN is needed (00 for no encryption)")
	}
	rec := &KeyRecord{Token: token, Origin: origin, Description: description}
	var pub *btcec.PublicKey
	if b, err := hex.DecodeString(key); err == nil {
		if pub, err = btcec.ParsePubKey(b); err != nil || len(b) != 33 {
			return nil, fmt.Errorf("%q is not a compressed public key", key)
		}
		rec.Key = hex.EncodeToString(b)
	} else {
		ek, err := keys.ParseExtendedKey(key)
		if err != nil {
			return nil, err
		}
		if ek.Key.IsPrivate() {
			return nil, errors.New("give the public key; the private key only signs")
		}
		if err := checkKeyOrigin(ek, origin); err != nil {
			return nil, err
		}
		if pub, err = ek.Key.ECPubKey(); err != nil {
			return nil, err
		}
		rec.Key = ek.Key.String()
	}
	if !priv.PubKey().IsEqual(pub) {
		return nil, errors.New("the private key does not belong to the record's key")
	}
	lines := []string{BSMSVersion, token.String(), rec.line3(), description}
	sig := ecdsa.SignCompact(priv, messageHash(strings.Join(lines, "\n")), true)
	rec.Signature = base64.StdEncoding.EncodeToString(sig)
	return rec, nil
}

// messageHash is the hash a Bitcoin signed message signs: double SHA256 of
// the varint-prefixed "Bitcoin Signed Message:\n" and message.
func messageHash(msg string) []byte {
	var buf bytes.Buffer
	_ = wire.WriteVarString(&buf, 0, "Bitcoin Signed Message:\n")
	_ = wire.WriteVarString(&buf, 0, msg)
	return chainhash.DoubleHashB(buf.Bytes())
}

// ErrBadSignature is wrapped when a BSMS key record's signature is not the
// key's signature of the record.
var ErrBadSignature = errors.New("the signature does not match the key")

// verifyMessage checks a Bitcoin signed message in the legacy format (the
// base64 65-byte compact signature of double-SHA256 of "\x18Bitcoin Signed
// Message:\n" + varint length + message), also with the BIP137 header bytes
// of segwit addresses, against pub.
func verifyMessage(pub *btcec.PublicKey, msg, sigB64 string) error {
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil || len(sig) != 65 {
		return fmt.Errorf("%w: the signature is not 65 bytes of base64", ErrBadSignature)
	}
	sig = bytes.Clone(sig)
	switch h := sig[0]; {
	case h >= 27 && h <= 34:
	case h >= 35 && h <= 42: // BIP137 P2SH-P2WPKH (35-38) and P2WPKH (39-42)
		sig[0] = 31 + (h-35)%4
	default:
		return fmt.Errorf("%w: unknown signature header byte %d", ErrBadSignature, h)
	}
	got, _, err := ecdsa.RecoverCompact(sig, messageHash(msg))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if !got.IsEqual(pub) {
		return fmt.Errorf("%w: it was made by another key; the record may have been changed", ErrBadSignature)
	}
	return nil
}

// importBSMS reads a BIP129 round 2 descriptor record, decrypting it first
// when it is encrypted and a TOKEN is given: version, descriptor or
// template with /** (expanded with the path restrictions, of which "/0/*,
// /1/*" is supported), restrictions, and the first address, which must be
// the descriptor's first receive address.
func importBSMS(text string, opts Options) (*Imported, error) {
	if isEncryptedBSMS(text) {
		if opts.BSMSToken == "" {
			return nil, fmt.Errorf("%w: the data is hex like an encrypted BSMS record; give the TOKEN of the setup session to decrypt it", ErrEncrypted)
		}
		tok, err := ParseToken(opts.BSMSToken)
		if err != nil {
			return nil, err
		}
		pt, err := DecryptBSMS(tok, text)
		if err != nil {
			return nil, err
		}
		text = string(pt)
	}
	lines := recordLines(text)
	if len(lines) == 5 && strings.TrimSpace(lines[0]) == BSMSVersion {
		return nil, errors.New("this is a round 1 key record (one signer's key), not a wallet's descriptor record: read it with ParseKeyRecord")
	}
	if len(lines) != 4 {
		return nil, fmt.Errorf("a BSMS descriptor record has 4 lines (version, descriptor, path restrictions, first address); this one has %d", len(lines))
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if lines[0] != BSMSVersion {
		return nil, fmt.Errorf("line 1 is %q: only %q records are supported", lines[0], BSMSVersion)
	}
	desc, restr := lines[1], lines[2]
	isTemplate := strings.Contains(desc, "/**")
	switch {
	case restr == bsmsNoRestrictions:
		if isTemplate {
			return nil, errors.New("line 2 is a descriptor template (/**) but line 3 gives no path restrictions to expand it")
		}
	case isTemplate:
		parts := strings.Split(strings.ReplaceAll(restr, " ", ""), ",")
		if len(parts) != 2 || parts[0] != "/0/*" || parts[1] != "/1/*" {
			return nil, fmt.Errorf("line 3: path restrictions %q are not supported: this wallet uses /0/* for receiving and /1/* for change", restr)
		}
		if i := strings.LastIndexByte(desc, '#'); i >= 0 {
			desc = desc[:i] // a template's checksum cannot be checked before expansion
		}
		desc = strings.ReplaceAll(desc, "/**", "/<0;1>/*")
	default:
		return nil, fmt.Errorf("line 3 gives path restrictions %q but line 2 is no template (/**)", restr)
	}
	d, err := descriptor.Parse(desc)
	if err != nil {
		return nil, fmt.Errorf("line 2: %w", err)
	}
	b := &builder{opts: opts, addrs: []addrClaim{{0, 0, lines[3], "first address (line 4)"}}}
	return b.build(d)
}

// exportBSMS writes a BIP129 round 2 descriptor record: a template with /**
// and the restrictions /0/*,/1/* for a <0;1> wallet, or the descriptor
// with its checksum and "No path restrictions" for a wallet of plain keys;
// origins are written with ' as in the BIP's vectors; the fourth line is the
// first receive address. The record ends without a newline, as the BIP's
// vectors do.
func exportBSMS(w *wallet) ([]byte, error) {
	text := w.desc.StringNoChecksum()
	var restr, second string
	switch {
	case w.desc.PathCount() == 2:
		for i := range w.keys {
			k := &w.keys[i]
			if k.Multipath == nil || len(k.Path) != 1 || !k.Wildcard {
				return nil, fmt.Errorf("key %d is %s: BSMS templates need keys derived as KEY/<0;1>/*", i+1, k.String())
			}
			text = replaceKey(text, k.String(), apostropheKey(k)+"/**")
		}
		second, restr = text, "/0/*,/1/*"
	case !w.desc.IsRange():
		for i := range w.keys {
			text = replaceKey(text, w.keys[i].String(), apostropheKey(&w.keys[i]))
		}
		cs, err := descriptor.Checksum(text)
		if err != nil {
			return nil, err
		}
		second, restr = text+"#"+cs, bsmsNoRestrictions
	default:
		return nil, errors.New("BSMS records hold a <0;1> wallet or a descriptor of plain keys; this descriptor has a single ranged branch")
	}
	recv, err := w.desc.Branch(0)
	if err != nil {
		return nil, err
	}
	addr, err := recv.Address(0, w.setup.Network)
	if err != nil {
		return nil, err
	}
	return []byte(strings.Join([]string{BSMSVersion, second, restr, addr}, "\n")), nil
}

// apostropheKey writes a key expression's origin and key (not its
// derivation steps) with ' for hardened steps.
func apostropheKey(k *descriptor.KeyExpr) string {
	s := k.Xpub
	if k.Origin != nil {
		o := k.Origin.Fingerprint.String()
		if len(k.Origin.Path) > 0 {
			o += "/" + k.Origin.Path.StringApostrophe()
		}
		s = "[" + o + "]" + s
	}
	return s
}

// SetupFromKeyRecords is the Coordinator's round 2 (BIP129): from the N
// verified key records of a session it builds the M-of-N wallet setup, whose
// Export as FormatBSMS is the descriptor record to send back. script is
// "wsh", "sh-wsh" or "sh"; sorted picks sortedmulti (BIP67) over multi,
// which keeps the records' order. Extended keys are derived /<0;1>/*; a
// setup of plain public keys has no derivation. The keys must be unique
// (BIP129: exactly N unique key records) and all of one kind.
func SetupFromKeyRecords(name, script string, m int, sorted bool, records []*KeyRecord, net network.Network) (WalletSetup, error) {
	n := len(records)
	if n == 0 {
		return WalletSetup{}, errors.New("no key records")
	}
	if m < 1 || m > n {
		return WalletSetup{}, fmt.Errorf("threshold %d of %d is out of range", m, n)
	}
	seen := map[string]int{}
	exprs := make([]string, n)
	ext := 0
	for i, r := range records {
		if j, dup := seen[r.Key]; dup {
			return WalletSetup{}, fmt.Errorf("key records %d and %d hold the same key: BIP129 needs %d unique key records", j+1, i+1, n)
		}
		seen[r.Key] = i
		exprs[i] = "[" + r.Origin.String() + "]" + r.Key
		if _, err := hex.DecodeString(r.Key); err != nil {
			ext++
			exprs[i] += "/<0;1>/*"
		}
	}
	if ext != 0 && ext != n {
		return WalletSetup{}, errors.New("the key records mix extended keys and plain public keys")
	}
	fn := "multi("
	if sorted {
		fn = "sortedmulti("
	}
	inner := fn + fmt.Sprint(m) + "," + strings.Join(exprs, ",") + ")"
	var text string
	switch script {
	case "wsh":
		text = "wsh(" + inner + ")"
	case "sh-wsh":
		text = "sh(wsh(" + inner + "))"
	case "sh":
		text = "sh(" + inner + ")"
	default:
		return WalletSetup{}, fmt.Errorf("script %q is not wsh, sh-wsh or sh", script)
	}
	d, err := descriptor.Parse(text)
	if err != nil {
		return WalletSetup{}, err
	}
	b := &builder{name: name, stated: net, m: m, n: n, notFile: true}
	for _, r := range records {
		b.meta = append(b.meta, Device{Name: r.Description})
	}
	imp, err := b.build(d)
	if err != nil {
		return WalletSetup{}, err
	}
	return imp.Setup, nil
}
