// Package psbt is the engine's Partially Signed Bitcoin Transaction layer:
// BIP174 (PSBT version 0) with the BIP371 taproot fields, on top of
// btcutil/psbt. It creates PSBTs from a wallet's descriptors, signs them with
// software BIP32 keys, combines, finalizes and extracts them, and analyses
// them for the user (fee, signatures, change proven by the descriptors).
//
// PSBT version 2 (BIP370) is recognised and refused with a message asking for
// a version 0 export, since btcutil/psbt v1.1.8 can only read version 0.
package psbt

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"golang.org/x/crypto/ripemd160"
)

// Packet is btcutil's BIP174 PSBT packet; every function of this package
// works on it.
type Packet = bpsbt.Packet

// magic is the BIP174 magic: "psbt" followed by 0xff.
const magic = "psbt\xff"

// ErrVersion2 is returned for a PSBT version 2 (BIP370), which this engine
// cannot read.
var ErrVersion2 = errors.New("this is a PSBT version 2 (BIP370), which is not supported: export the transaction as PSBT version 0 (BIP174) and try again")

// malformedAdvice ends the error for a PSBT mixing the fields of versions 0
// and 2: what the user can do about it.
const malformedAdvice = "the file is malformed (BIP370 forbids mixing the fields of PSBT versions 0 and 2): ask the wallet or signer that made it for a fresh export"

// v2FieldName names BIP370's version 2 field of key type t in the global
// ("global"), input ("input") or output ("output") map, which a version 0
// PSBT must not carry.
func v2FieldName(scope string, t byte) string {
	switch scope + string([]byte{t}) {
	case "global\x02":
		return "PSBT_GLOBAL_TX_VERSION"
	case "global\x03":
		return "PSBT_GLOBAL_FALLBACK_LOCKTIME"
	case "global\x04":
		return "PSBT_GLOBAL_INPUT_COUNT"
	case "global\x05":
		return "PSBT_GLOBAL_OUTPUT_COUNT"
	case "global\x06":
		return "PSBT_GLOBAL_TX_MODIFIABLE"
	case "input\x0e":
		return "PSBT_IN_PREVIOUS_TXID"
	case "input\x0f":
		return "PSBT_IN_OUTPUT_INDEX"
	case "input\x10":
		return "PSBT_IN_SEQUENCE"
	case "input\x11":
		return "PSBT_IN_REQUIRED_TIME_LOCKTIME"
	case "input\x12":
		return "PSBT_IN_REQUIRED_HEIGHT_LOCKTIME"
	case "output\x03":
		return "PSBT_OUT_AMOUNT"
	case "output\x04":
		return "PSBT_OUT_SCRIPT"
	}
	return fmt.Sprintf("the %s field of type 0x%02x", scope, t)
}

// v0CarriesV2 is the error for a version 0 PSBT (BIP174) carrying a field
// that BIP370 allows only in version 2.
func v0CarriesV2(field string) error {
	return fmt.Errorf("a version 0 PSBT carries %s, a version 2 field: %s", field, malformedAdvice)
}

// maxMoney is consensus MAX_MONEY, 21 million BTC in satoshis (btcutil's
// MaxSatoshi).
const maxMoney = btcutil.MaxSatoshi

// Decode reads a PSBT given in any of the usual encodings: raw binary
// (starting with the BIP174 magic "psbt\xff"), base64 (the BIP174 text form)
// or hex. Surrounding white space is ignored. See Parse for the checks.
func Decode(data []byte) (*Packet, error) {
	if bytes.HasPrefix(data, []byte(magic)) {
		return Parse(data)
	}
	text := strings.TrimSpace(string(data))
	if text == "" {
		return nil, errors.New("PSBT is empty: give a base64, hex or binary PSBT")
	}
	if strings.HasPrefix(strings.ToLower(text), "70736274ff") {
		raw, err := hex.DecodeString(text)
		if err != nil {
			return nil, fmt.Errorf("PSBT looks like hex but is not valid hex (%v): check for a truncated copy", err)
		}
		return Parse(raw)
	}
	// Base64 with line breaks (as some files carry it) is accepted.
	text = strings.Join(strings.Fields(text), "")
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("PSBT is neither binary, hex nor valid base64 (%v): check for a truncated copy", err)
	}
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return nil, errors.New("not a PSBT: the data does not start with the BIP174 magic bytes \"psbt\\xff\"")
	}
	return Parse(raw)
}

// DecodeBase64 reads a base64 PSBT (BIP174's text form).
func DecodeBase64(s string) (*Packet, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("PSBT is not valid base64 (%v): check for a truncated copy", err)
	}
	return Parse(raw)
}

// Parse reads a binary BIP174 PSBT. Beyond btcutil/psbt's own parsing it
// enforces what BIP174, BIP371 and Bitcoin Core require and btcutil does not
// check: no duplicate keys in any map, fixed key and value sizes of every
// known field, a canonical witness UTXO, amounts within the money range,
// non-witness UTXOs matching the input's outpoint, no trailing data, and
// well-formed global xpubs and taproot trees. A version 2 PSBT (BIP370) is
// refused with ErrVersion2; a PSBT mixing version 0 and version 2 fields
// (BIP370's invalid test vectors) is refused as malformed, naming the field.
func Parse(data []byte) (p *Packet, err error) {
	data, err = checkStructure(data)
	if err != nil {
		return nil, err
	}
	// The structure is checked above, so btcutil should not fail on its own
	// known weak spots; keep a guard anyway: bad input must never crash.
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("PSBT is malformed: the parser rejected it (%v)", r)
		}
	}()
	p, err = bpsbt.NewFromRawBytes(bytes.NewReader(data), false)
	if err != nil {
		return nil, fmt.Errorf("PSBT is malformed: %w", err)
	}
	if err := checkInputs(p); err != nil {
		return nil, err
	}
	return p, nil
}

// Serialize returns the binary form of the PSBT (BIP174 serialization).
func Serialize(p *Packet) ([]byte, error) {
	var b bytes.Buffer
	if err := p.Serialize(&b); err != nil {
		return nil, fmt.Errorf("serialising the PSBT: %w", err)
	}
	return b.Bytes(), nil
}

// EncodeBase64 returns the base64 form of the PSBT (BIP174's text form).
func EncodeBase64(p *Packet) (string, error) {
	raw, err := Serialize(p)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// kv is one key-value pair of a PSBT map, the key with its type byte.
type kv struct{ key, value []byte }

type reader struct {
	b   []byte
	pos int
}

func (r *reader) varint() (uint64, error) {
	if r.pos >= len(r.b) {
		return 0, io.ErrUnexpectedEOF
	}
	v, err := wire.ReadVarInt(bytes.NewReader(r.b[r.pos:]), 0)
	if err != nil {
		return 0, err
	}
	r.pos += wire.VarIntSerializeSize(v)
	return v, nil
}

func (r *reader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.pos) {
		return nil, io.ErrUnexpectedEOF
	}
	out := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return out, nil
}

// readMap reads one map up to its 0x00 separator.
func (r *reader) readMap(where string) ([]kv, error) {
	var m []kv
	seen := map[string]bool{}
	for {
		klen, err := r.varint()
		if err != nil {
			return nil, fmt.Errorf("PSBT is truncated in the %s map: every map must end with a 0x00 separator", where)
		}
		if klen == 0 {
			return m, nil
		}
		if klen > bpsbt.MaxPsbtKeyLength {
			return nil, fmt.Errorf("PSBT %s map has a key of %d bytes, more than the %d allowed", where, klen, bpsbt.MaxPsbtKeyLength)
		}
		key, err := r.bytes(klen)
		if err != nil {
			return nil, fmt.Errorf("PSBT is truncated inside a key of the %s map", where)
		}
		vlen, err := r.varint()
		if err != nil {
			return nil, fmt.Errorf("PSBT is truncated before a value of the %s map", where)
		}
		if vlen > bpsbt.MaxPsbtValueLength {
			return nil, fmt.Errorf("PSBT %s map has a value of %d bytes, more than the %d allowed", where, vlen, bpsbt.MaxPsbtValueLength)
		}
		val, err := r.bytes(vlen)
		if err != nil {
			return nil, fmt.Errorf("PSBT is truncated inside a value of the %s map", where)
		}
		if seen[string(key)] {
			return nil, fmt.Errorf("PSBT %s map has the key %x twice (BIP174 forbids duplicate keys)", where, key)
		}
		seen[string(key)] = true
		m = append(m, kv{key, val})
	}
}

// checkStructure walks the raw maps and checks what btcutil/psbt leaves
// unchecked (or would crash on). It returns the PSBT with the unsigned
// transaction moved first in the global map, since btcutil/psbt cannot read
// it anywhere else (BIP174 allows any order).
func checkStructure(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, []byte(magic)) {
		return nil, errors.New("not a PSBT: the data does not start with the BIP174 magic bytes \"psbt\\xff\"")
	}
	r := &reader{b: data, pos: len(magic)}
	global, err := r.readMap("global")
	if err != nil {
		return nil, err
	}
	globalEnd := r.pos
	var tx *wire.MsgTx
	var version uint32  // PSBT_GLOBAL_VERSION, 0 when absent (BIP174)
	var v2Global string // the first BIP370 version 2 global field seen
	for _, e := range global {
		switch e.key[0] {
		case 0x00: // PSBT_GLOBAL_UNSIGNED_TX
			if len(e.key) != 1 {
				return nil, errors.New("PSBT global unsigned transaction key must be one byte long")
			}
			t := wire.NewMsgTx(2)
			rd := bytes.NewReader(e.value)
			if err := t.DeserializeNoWitness(rd); err != nil {
				return nil, fmt.Errorf("PSBT global unsigned transaction cannot be read: %v", err)
			}
			if rd.Len() != 0 {
				return nil, errors.New("PSBT global unsigned transaction has trailing bytes")
			}
			for i, in := range t.TxIn {
				if len(in.SignatureScript) != 0 || len(in.Witness) != 0 {
					return nil, fmt.Errorf("PSBT unsigned transaction input %d has a scriptSig: BIP174 requires empty scriptSigs and witnesses", i)
				}
			}
			tx = t
		case 0x01: // PSBT_GLOBAL_XPUB
			if len(e.key) != 1+78 {
				return nil, fmt.Errorf("PSBT global xpub key is %d bytes long: it must be the 78-byte BIP32 serialisation", len(e.key)-1)
			}
			if len(e.value) < 4 || len(e.value)%4 != 0 {
				return nil, errors.New("PSBT global xpub value must be a fingerprint followed by 32-bit path steps")
			}
		case 0x02, 0x03, 0x04, 0x05, 0x06: // BIP370 version 2 globals
			if v2Global == "" {
				v2Global = v2FieldName("global", e.key[0])
			}
		case 0xfb: // PSBT_GLOBAL_VERSION
			if len(e.key) != 1 || len(e.value) != 4 {
				return nil, errors.New("PSBT global version field must have a one-byte key and a 4-byte value")
			}
			version = binary.LittleEndian.Uint32(e.value)
		}
	}
	switch {
	case version == 2 && tx != nil:
		// BIP370: PSBT_GLOBAL_UNSIGNED_TX must be excluded in version 2.
		return nil, fmt.Errorf("a version 2 PSBT carries PSBT_GLOBAL_UNSIGNED_TX, a version 0 field: %s", malformedAdvice)
	case version == 2:
		return nil, ErrVersion2
	case version != 0:
		return nil, fmt.Errorf("PSBT version %d is not supported: export the transaction as PSBT version 0 (BIP174)", version)
	case tx == nil && v2Global != "":
		// Version 2 fields without PSBT_GLOBAL_VERSION nor an unsigned
		// transaction: a version 2 PSBT missing its version field.
		return nil, ErrVersion2
	case tx == nil:
		return nil, errors.New("PSBT has no unsigned transaction (BIP174 global type 0x00): if it is a PSBT version 2, export it as version 0")
	case v2Global != "":
		return nil, v0CarriesV2(v2Global)
	}
	for i := range tx.TxIn {
		m, err := r.readMap(fmt.Sprintf("input %d", i))
		if err != nil {
			return nil, err
		}
		for _, e := range m {
			if err := checkInputField(e); err != nil {
				return nil, fmt.Errorf("PSBT input %d: %w", i, err)
			}
		}
	}
	for i := range tx.TxOut {
		m, err := r.readMap(fmt.Sprintf("output %d", i))
		if err != nil {
			return nil, err
		}
		for _, e := range m {
			if err := checkOutputField(e); err != nil {
				return nil, fmt.Errorf("PSBT output %d: %w", i, err)
			}
		}
	}
	if r.pos != len(r.b) {
		return nil, fmt.Errorf("PSBT has %d bytes after its last output map: the number of maps does not match the transaction", len(r.b)-r.pos)
	}
	if global[0].key[0] == 0x00 {
		return data, nil
	}
	var b bytes.Buffer
	b.WriteString(magic)
	for _, first := range []bool{true, false} {
		for _, e := range global {
			if (e.key[0] == 0x00) == first {
				_ = wire.WriteVarBytes(&b, 0, e.key)
				_ = wire.WriteVarBytes(&b, 0, e.value)
			}
		}
	}
	b.WriteByte(0x00)
	b.Write(data[globalEnd:])
	return b.Bytes(), nil
}

func checkBip32Value(v []byte) error {
	if len(v) < 4 || len(v)%4 != 0 {
		return errors.New("BIP32 derivation value must be a 4-byte fingerprint followed by 32-bit path steps")
	}
	return nil
}

func checkPubKeyLen(k []byte, what string) error {
	if n := len(k) - 1; n != 33 && n != 65 {
		return fmt.Errorf("%s key must carry a 33- or 65-byte public key, not %d bytes", what, n)
	}
	return nil
}

func checkInputField(e kv) error {
	t, keyData := e.key[0], e.key[1:]
	noKeyData := func(name string) error {
		if len(keyData) != 0 {
			return fmt.Errorf("%s key must be one byte long", name)
		}
		return nil
	}
	switch t {
	case 0x00:
		return noKeyData("non-witness UTXO")
	case 0x01:
		if err := noKeyData("witness UTXO"); err != nil {
			return err
		}
		return checkTxOut(e.value)
	case 0x02:
		return checkPubKeyLen(e.key, "partial signature")
	case 0x03:
		if err := noKeyData("sighash type"); err != nil {
			return err
		}
		if len(e.value) != 4 {
			return errors.New("sighash type value must be 4 bytes")
		}
	case 0x04, 0x05, 0x07, 0x08:
		return noKeyData(map[byte]string{4: "redeem script", 5: "witness script", 7: "final scriptSig", 8: "final script witness"}[t])
	case 0x06:
		if err := checkPubKeyLen(e.key, "BIP32 derivation"); err != nil {
			return err
		}
		return checkBip32Value(e.value)
	case 0x13:
		if err := noKeyData("taproot key signature"); err != nil {
			return err
		}
		if len(e.value) != 64 && len(e.value) != 65 {
			return fmt.Errorf("taproot key signature must be 64 or 65 bytes, not %d", len(e.value))
		}
	case 0x14:
		if len(keyData) != 64 {
			return errors.New("taproot script signature key must be a 32-byte x-only key and a 32-byte leaf hash")
		}
		if len(e.value) != 64 && len(e.value) != 65 {
			return fmt.Errorf("taproot script signature must be 64 or 65 bytes, not %d", len(e.value))
		}
	case 0x15:
		if len(keyData) < 33 || (len(keyData)-33)%32 != 0 || (len(keyData)-33)/32 > txscript.ControlBlockMaxNodeCount {
			return errors.New("taproot leaf script key must be a control block of 33+32m bytes (m up to 128)")
		}
		if len(e.value) < 1 {
			return errors.New("taproot leaf script value must end with a leaf version")
		}
	case 0x16:
		if len(keyData) != 32 {
			return errors.New("taproot BIP32 derivation key must be a 32-byte x-only public key")
		}
		return checkTapBip32Value(e.value)
	case 0x17:
		if err := noKeyData("taproot internal key"); err != nil {
			return err
		}
		if len(e.value) != 32 {
			return errors.New("taproot internal key must be 32 bytes")
		}
	case 0x18:
		if err := noKeyData("taproot merkle root"); err != nil {
			return err
		}
		if len(e.value) != 32 {
			return errors.New("taproot merkle root must be 32 bytes")
		}
	case 0x0a, 0x0b, 0x0c, 0x0d:
		return checkPreimage(t, keyData, e.value)
	case 0x0e, 0x0f, 0x10, 0x11, 0x12:
		return v0CarriesV2(v2FieldName("input", t))
	}
	return nil
}

// checkPreimage checks a BIP174 hash preimage field (PSBT_IN_RIPEMD160,
// PSBT_IN_SHA256, PSBT_IN_HASH160, PSBT_IN_HASH256): the key holds the hash
// of the value.
func checkPreimage(t byte, hash, preimage []byte) error {
	names := map[byte]string{0x0a: "RIPEMD160", 0x0b: "SHA256", 0x0c: "HASH160", 0x0d: "HASH256"}
	var h []byte
	switch t {
	case 0x0a:
		r := ripemd160.New()
		r.Write(preimage)
		h = r.Sum(nil)
	case 0x0b:
		s := sha256.Sum256(preimage)
		h = s[:]
	case 0x0c:
		h = btcutil.Hash160(preimage)
	default:
		h = chainhash.DoubleHashB(preimage)
	}
	if !bytes.Equal(h, hash) {
		return fmt.Errorf("%s preimage does not hash to its key", names[t])
	}
	return nil
}

func checkTapBip32Value(v []byte) error {
	r := &reader{b: v}
	n, err := r.varint()
	if err != nil || n > uint64(len(v))/32 {
		return errors.New("taproot BIP32 derivation value has a bad leaf hash count")
	}
	if _, err := r.bytes(n * 32); err != nil {
		return errors.New("taproot BIP32 derivation value is truncated in its leaf hashes")
	}
	return checkBip32Value(v[r.pos:])
}

// checkTxOut checks a serialised transaction output is exactly an amount
// and a length-prefixed script, with the amount in the money range.
func checkTxOut(v []byte) error {
	if len(v) < 9 {
		return errors.New("witness UTXO is too short to be a transaction output")
	}
	amount := int64(binary.LittleEndian.Uint64(v))
	if amount < 0 || amount > maxMoney {
		return fmt.Errorf("witness UTXO amount %d is outside the money range", amount)
	}
	r := &reader{b: v, pos: 8}
	n, err := r.varint()
	if err != nil || uint64(len(v)-r.pos) != n {
		return errors.New("witness UTXO script length does not match its data")
	}
	return nil
}

func checkOutputField(e kv) error {
	t, keyData := e.key[0], e.key[1:]
	switch t {
	case 0x00, 0x01:
		if len(keyData) != 0 {
			return errors.New("redeem and witness script keys must be one byte long")
		}
	case 0x02:
		if err := checkPubKeyLen(e.key, "BIP32 derivation"); err != nil {
			return err
		}
		return checkBip32Value(e.value)
	case 0x05:
		if len(keyData) != 0 || len(e.value) != 32 {
			return errors.New("taproot internal key must be one key byte and a 32-byte value")
		}
	case 0x06:
		if len(keyData) != 0 {
			return errors.New("taproot tree key must be one byte long")
		}
		if _, err := ParseTapTree(e.value); err != nil {
			return err
		}
	case 0x07:
		if len(keyData) != 32 {
			return errors.New("taproot BIP32 derivation key must be a 32-byte x-only public key")
		}
		return checkTapBip32Value(e.value)
	case 0x03, 0x04:
		return v0CarriesV2(v2FieldName("output", t))
	}
	return nil
}

// checkInputs checks, as Bitcoin Core does when it reads a PSBT, that each
// non-witness UTXO is the transaction the input spends from.
func checkInputs(p *Packet) error {
	for i, in := range p.Inputs {
		if in.NonWitnessUtxo == nil {
			continue
		}
		op := p.UnsignedTx.TxIn[i].PreviousOutPoint
		if h := in.NonWitnessUtxo.TxHash(); h != op.Hash {
			return fmt.Errorf("PSBT input %d: the non-witness UTXO is transaction %s, but the input spends %s: the PSBT is inconsistent", i, h, op.Hash)
		}
		if int(op.Index) >= len(in.NonWitnessUtxo.TxOut) {
			return fmt.Errorf("PSBT input %d: the non-witness UTXO has no output %d: the PSBT is inconsistent", i, op.Index)
		}
	}
	return nil
}

// checkUTXO verifies the UTXO information of input i: a non-witness UTXO
// must hash to the outpoint's txid and have the output; a witness UTXO, when
// both are present, must equal that output.
func checkUTXO(p *Packet, i int) error {
	in := &p.Inputs[i]
	op := p.UnsignedTx.TxIn[i].PreviousOutPoint
	if in.NonWitnessUtxo == nil && in.WitnessUtxo == nil {
		return fmt.Errorf("input %d has no UTXO information (neither witness nor non-witness UTXO): update the PSBT from the wallet before signing", i)
	}
	if in.NonWitnessUtxo != nil {
		if h := in.NonWitnessUtxo.TxHash(); h != op.Hash {
			return fmt.Errorf("input %d: the non-witness UTXO is transaction %s, but the input spends %s: the PSBT is inconsistent, do not sign it", i, h, op.Hash)
		}
		if int(op.Index) >= len(in.NonWitnessUtxo.TxOut) {
			return fmt.Errorf("input %d: the non-witness UTXO has no output %d: the PSBT is inconsistent, do not sign it", i, op.Index)
		}
		if in.WitnessUtxo != nil {
			prev := in.NonWitnessUtxo.TxOut[op.Index]
			if prev.Value != in.WitnessUtxo.Value || !bytes.Equal(prev.PkScript, in.WitnessUtxo.PkScript) {
				return fmt.Errorf("input %d: the witness UTXO (%d sat) does not match output %d of the non-witness UTXO (%d sat): the PSBT is inconsistent, do not sign it", i, in.WitnessUtxo.Value, op.Index, prev.Value)
			}
		}
	}
	return nil
}

// prevOut returns the output spent by input i, from its UTXO information.
func prevOut(p *Packet, i int) (*wire.TxOut, error) {
	if err := checkUTXO(p, i); err != nil {
		return nil, err
	}
	in := &p.Inputs[i]
	if in.NonWitnessUtxo != nil {
		return in.NonWitnessUtxo.TxOut[p.UnsignedTx.TxIn[i].PreviousOutPoint.Index], nil
	}
	return in.WitnessUtxo, nil
}

// fetcher returns a prevout fetcher over every input whose UTXO is known,
// and whether all of them are known. Unknown outputs are served as an empty
// output so that btcd's sighash code never sees nil.
func fetcher(p *Packet) (txscript.PrevOutputFetcher, bool) {
	m := map[wire.OutPoint]*wire.TxOut{}
	all := true
	for i, in := range p.UnsignedTx.TxIn {
		out, err := prevOut(p, i)
		if err != nil {
			all = false
			continue
		}
		m[in.PreviousOutPoint] = out
	}
	return safeFetcher{m}, all
}

type safeFetcher struct{ m map[wire.OutPoint]*wire.TxOut }

func (f safeFetcher) FetchPrevOutput(op wire.OutPoint) *wire.TxOut {
	if o, ok := f.m[op]; ok {
		return o
	}
	return &wire.TxOut{}
}
