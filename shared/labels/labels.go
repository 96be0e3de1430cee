// Package labels reads and writes BIP329 wallet label exports: JSON Lines
// (one JSON object per line) of records with a "type" (tx, addr, pubkey,
// input, output, xpub), a "ref", and optional "label", "origin" and
// "spendable", plus BIP329's additional fields (height, time, fee, value,
// rate, keypath, fmv, heights), which are kept as they are.
//
// An import validates every line on its own and reports the bad ones by line
// number without losing the rest; records of types BIP329 does not define are
// ignored, as its "Backwards Compatibility" section asks; later lines win over
// earlier ones for the same record. An export is sorted and byte-for-byte
// stable. The package is pure Go, does no I/O and builds for js/wasm.
//
// This package is the one place that parses, validates and writes BIP329:
// the wallet core (shared/wallet) stores labels in its change sets and reads
// and writes its files through Lines and Export.
package labels

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// The record types of BIP329.
const (
	TypeTx     = "tx"     // a transaction id
	TypeAddr   = "addr"   // an address
	TypePubkey = "pubkey" // a 32, 33 or 65-byte public key in hex
	TypeInput  = "input"  // txid:index of a transaction input
	TypeOutput = "output" // txid:index of a transaction output
	TypeXpub   = "xpub"   // a BIP32 extended public key
)

// Types lists BIP329's record types in the order exports are sorted by.
var Types = []string{TypeTx, TypeAddr, TypePubkey, TypeInput, TypeOutput, TypeXpub}

// MaxLineLength bounds one line of an import; longer lines are reported and
// skipped.
const MaxLineLength = 1 << 20

// MaxImportSize bounds the whole import.
const MaxImportSize = 64 << 20

// MaxLabelLength is BIP329's suggested default maximum label length, in
// characters ("Importing": an importing wallet may truncate labels and should
// consider warning the user when it does). See Record.TruncateLabel.
const MaxLabelLength = 255

// ErrUnknownType is wrapped by the error for a record whose type BIP329 does
// not define. An import ignores such records (BIP329 "Backwards
// Compatibility"); Put, Apply, Validate and JSON decoding reject them.
var ErrUnknownType = errors.New("not a BIP329 type")

// Record is one BIP329 record.
type Record struct {
	// Type is one of Types.
	Type string
	// Ref is the transaction id, address, public key, txid:index or
	// extended public key the record is about. Hex references are stored
	// lowercase.
	Ref string
	// Label is the label, nil when the record carries none (an import then
	// leaves an existing label alone).
	Label *string
	// Origin is the abbreviated output descriptor of the wallet the record
	// belongs to, such as "wpkh([d34db33f/84'/0'/0'])"; empty when absent.
	Origin string
	// Spendable says whether an output may be spent (output records only);
	// nil when absent.
	Spendable *bool
	// Extra holds the other fields of the record (BIP329 "Additional
	// Fields" and fields of later versions) as compact JSON, by name.
	Extra map[string]json.RawMessage
}

// Key identifies a record in a Set: BIP329's origin tells apart the labels
// of different wallets for the same reference.
type Key struct {
	Type, Ref, Origin string
}

// Key returns the record's identity.
func (r Record) Key() Key { return Key{r.Type, r.Ref, r.Origin} }

// LabelText is the record's label, "" when it has none.
func (r Record) LabelText() string {
	if r.Label == nil {
		return ""
	}
	return *r.Label
}

// TruncateLabel shortens the label to at most max characters (Unicode code
// points) and reports whether it did, for an importing wallet that limits
// label length as BIP329's "Importing" section allows (see MaxLabelLength).
func (r *Record) TruncateLabel(max int) bool {
	if r.Label == nil || utf8.RuneCountInString(*r.Label) <= max {
		return false
	}
	l := string([]rune(*r.Label)[:max])
	r.Label = &l
	return true
}

// String is the record as one BIP329 JSON Lines line (without newline).
func (r Record) String() string {
	b, err := r.MarshalJSON()
	if err != nil {
		return fmt.Sprintf("{invalid record: %v}", err)
	}
	return string(b)
}

// MarshalJSON writes the record with its fields in a fixed order: type,
// ref, label, origin, spendable, then the extra fields sorted by name.
func (r Record) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	field := func(name string, v any) error {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(quote(name))
		b.WriteByte(':')
		switch x := v.(type) {
		case string:
			b.Write(quote(x))
		case bool:
			b.WriteString(strconv.FormatBool(x))
		case json.RawMessage:
			var c bytes.Buffer
			if err := json.Compact(&c, x); err != nil {
				return fmt.Errorf("field %q: %w", name, err)
			}
			b.Write(c.Bytes())
		}
		return nil
	}
	_ = field("type", r.Type)
	_ = field("ref", r.Ref)
	if r.Label != nil {
		_ = field("label", *r.Label)
	}
	if r.Origin != "" {
		_ = field("origin", r.Origin)
	}
	if r.Spendable != nil {
		_ = field("spendable", *r.Spendable)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Extra)) {
		if err := field(name, r.Extra[name]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a record from its BIP329 JSON object, validated as
// Validate does (stricter than ParseLine: a "spendable" on a record that is
// not an output is an error, not dropped).
func (r *Record) UnmarshalJSON(b []byte) error {
	rec, err := parseFields(b)
	if err != nil {
		return err
	}
	if err := Validate(&rec); err != nil {
		return err
	}
	*r = rec
	return nil
}

// quote writes s as a JSON string without HTML escaping.
func quote(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// Set is a collection of records, one per Key. The zero value is not
// usable; make one with New. A Set is not safe for concurrent use.
type Set struct {
	recs map[Key]Record
}

// New returns an empty Set.
func New() *Set { return &Set{recs: map[Key]Record{}} }

// Len is the number of records.
func (s *Set) Len() int { return len(s.recs) }

// Get returns the record of a type, reference and origin.
func (s *Set) Get(typ, ref, origin string) (Record, bool) {
	r, ok := s.recs[Key{typ, normaliseRef(typ, ref), origin}]
	return clone(r), ok
}

// Delete removes a record and reports whether it was there.
func (s *Set) Delete(typ, ref, origin string) bool {
	k := Key{typ, normaliseRef(typ, ref), origin}
	_, ok := s.recs[k]
	delete(s.recs, k)
	return ok
}

// Outcome says what applying a record did to a Set.
type Outcome int

// The outcomes of Apply.
const (
	Added     Outcome = iota // the record was new
	Updated                  // an existing record changed
	Unchanged                // an existing record already said the same
)

// Put validates a record and stores it, replacing any record with the same
// Key entirely.
func (s *Set) Put(r Record) error {
	if err := Validate(&r); err != nil {
		return err
	}
	s.recs[r.Key()] = clone(r)
	return nil
}

// Apply validates a record and merges it into the Set as BIP329 asks of an
// import: a field the record carries replaces the stored one (label,
// spendable, each extra field), a field it omits leaves the stored one
// alone.
func (s *Set) Apply(r Record) (Outcome, error) {
	if err := Validate(&r); err != nil {
		return 0, err
	}
	old, ok := s.recs[r.Key()]
	if !ok {
		s.recs[r.Key()] = clone(r)
		return Added, nil
	}
	merged := clone(old)
	if r.Label != nil {
		l := *r.Label
		merged.Label = &l
	}
	if r.Spendable != nil {
		v := *r.Spendable
		merged.Spendable = &v
	}
	for k, v := range r.Extra {
		if merged.Extra == nil {
			merged.Extra = map[string]json.RawMessage{}
		}
		merged.Extra[k] = slices.Clone(v)
	}
	if merged.String() == old.String() {
		return Unchanged, nil
	}
	s.recs[r.Key()] = merged
	return Updated, nil
}

// Records returns the records sorted as exports are: by type in the order
// of Types, then by reference (inputs and outputs by txid, then numerically
// by index), then by origin.
func (s *Set) Records() []Record {
	out := make([]Record, 0, len(s.recs))
	for _, r := range s.recs {
		out = append(out, clone(r))
	}
	slices.SortFunc(out, Compare)
	return out
}

// Compare orders records as exports are: by type in the order BIP329 lists
// them (see Types), then by reference (inputs and outputs by txid, then
// numerically by index), then by origin. It returns -1, 0 or +1.
func Compare(a, b Record) int {
	if c := slices.Index(Types, a.Type) - slices.Index(Types, b.Type); c != 0 {
		if c < 0 {
			return -1
		}
		return 1
	}
	if a.Type == TypeInput || a.Type == TypeOutput {
		at, ai, _ := strings.Cut(a.Ref, ":")
		bt, bi, _ := strings.Cut(b.Ref, ":")
		if c := strings.Compare(at, bt); c != 0 {
			return c
		}
		an, _ := strconv.ParseUint(ai, 10, 32)
		bn, _ := strconv.ParseUint(bi, 10, 32)
		if an != bn {
			if an < bn {
				return -1
			}
			return 1
		}
	} else if c := strings.Compare(a.Ref, b.Ref); c != 0 {
		return c
	}
	return strings.Compare(a.Origin, b.Origin)
}

// Export writes the Set as BIP329 JSON Lines: one record per line, sorted
// (see Records), each line ending in "\n". The same Set always gives the
// same bytes.
func (s *Set) Export() []byte {
	out, err := Export(s.Records())
	if err != nil {
		return nil // the Set's records are validated: cannot happen
	}
	return out
}

// Export writes records as BIP329 JSON Lines, one record per line (see
// Record.MarshalJSON), sorted with Compare, each line ending in "\n". The
// records are written as they are, not validated: a caller that stores
// records of its own validates them with Validate when they come in. The
// error names a record whose extra fields are not JSON.
func Export(recs []Record) ([]byte, error) {
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, Compare)
	var b bytes.Buffer
	for _, r := range sorted {
		line, err := r.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("exporting the %s label of %s: %w", r.Type, abbrev(r.Ref), err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

func clone(r Record) Record {
	if r.Label != nil {
		l := *r.Label
		r.Label = &l
	}
	if r.Spendable != nil {
		v := *r.Spendable
		r.Spendable = &v
	}
	if r.Extra != nil {
		m := make(map[string]json.RawMessage, len(r.Extra))
		for k, v := range r.Extra {
			m[k] = slices.Clone(v)
		}
		r.Extra = m
	}
	return r
}

// LineError is a line of an import that was skipped or changed, with the
// reason.
type LineError struct {
	Line int    `json:"line"`  // 1-based line number
	Err  string `json:"error"` // what is wrong, for the user
}

// Error formats the problem as "line 3: ...".
func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err) }

// Report tells what an import did.
type Report struct {
	// Records counts the lines that held a valid record.
	Records int `json:"records"`
	// Added, Updated and Unchanged count what those records did to the Set.
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Ignored counts the records of types BIP329 does not define, skipped
	// as its "Backwards Compatibility" section asks.
	Ignored int `json:"ignored,omitempty"`
	// Errors lists the lines skipped, in line order.
	Errors []LineError `json:"errors,omitempty"`
	// Warnings lists the lines imported without a field BIP329 does not
	// allow there (a "spendable" on a record that is not an output), in
	// line order.
	Warnings []LineError `json:"warnings,omitempty"`
}

// Line is one non-empty line of a BIP329 import, as Lines reads it: a
// record, an ignored record, or an error.
type Line struct {
	// N is the 1-based line number.
	N int
	// Record is the validated record, when Err is nil and Ignored false.
	Record Record
	// Ignored is true for a record of a type BIP329 does not define, which
	// an import ignores (BIP329 "Backwards Compatibility").
	Ignored bool
	// Warnings say what was dropped from Record (see ParseLine).
	Warnings []string
	// Err says why the line was skipped.
	Err error
}

// Lines reads BIP329 JSON Lines (a UTF-8 text file, one JSON object per
// line, lines separated by "\n"; a "\r" before it and a leading byte order
// mark are allowed) into one Line per non-empty line, each parsed with
// ParseLine, in line order. A bad line is returned with its Err, never
// fatal. The error is only for data that is not a label file at all: larger
// than MaxImportSize, or no line a JSON object; the lines are returned with
// it.
func Lines(data []byte) ([]Line, error) {
	if len(data) > MaxImportSize {
		return nil, fmt.Errorf("the label file is %d bytes; at most %d are read: split it", len(data), MaxImportSize)
	}
	var out []Line
	notJSON := 0
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	for i, line := range bytes.Split(data, []byte("\n")) {
		l := Line{N: i + 1}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		switch {
		case len(line) > MaxLineLength:
			l.Err = fmt.Errorf("the line is %d bytes long; at most %d are read", len(line), MaxLineLength)
		case !utf8.Valid(line):
			l.Err = errors.New("the line is not UTF-8 text")
		default:
			l.Record, l.Warnings, l.Err = ParseLine(line)
			if errors.Is(l.Err, ErrUnknownType) {
				l.Ignored, l.Err = true, nil
			}
			if errors.Is(l.Err, errNotObject) {
				notJSON++
			}
		}
		out = append(out, l)
	}
	if notJSON > 0 && notJSON == len(out) {
		return out, errors.New("this is not a BIP329 label file: no line is a JSON object; BIP329 files hold one {\"type\": ..., \"ref\": ..., \"label\": ...} record per line")
	}
	return out, nil
}

// Import reads BIP329 JSON Lines into the Set with Lines: a valid record is
// merged with Apply (so later lines win), a record of an unknown type is
// counted as ignored, a bad line is reported in the Report and skipped.
// Empty lines are ignored. The error is only for data that is not a label
// file at all (see Lines).
func (s *Set) Import(data []byte) (Report, error) {
	var rep Report
	lines, err := Lines(data)
	for _, l := range lines {
		for _, w := range l.Warnings {
			rep.Warnings = append(rep.Warnings, LineError{Line: l.N, Err: w})
		}
		if l.Err != nil {
			rep.Errors = append(rep.Errors, LineError{Line: l.N, Err: l.Err.Error()})
			continue
		}
		if l.Ignored {
			rep.Ignored++
			continue
		}
		out, err := s.Apply(l.Record)
		if err != nil {
			rep.Errors = append(rep.Errors, LineError{Line: l.N, Err: err.Error()})
			continue
		}
		rep.Records++
		switch out {
		case Added:
			rep.Added++
		case Updated:
			rep.Updated++
		case Unchanged:
			rep.Unchanged++
		}
	}
	return rep, err
}

// errNotObject is wrapped by ParseLine when a line is not a JSON object.
var errNotObject = errors.New("not a JSON object: each line must be one {...} record")

// Parse reads a BIP329 export into a new Set (see Set.Import).
func Parse(data []byte) (*Set, Report, error) {
	s := New()
	rep, err := s.Import(data)
	if err != nil {
		return nil, rep, err
	}
	return s, rep, nil
}

// ParseLine reads one BIP329 line into a validated record, as an import
// does: a "spendable" on a record that is not an output (BIP329: it "should
// only appear where type is output") is dropped, and the warnings say so. An
// error wrapping ErrUnknownType is a record of a type BIP329 does not
// define, which an import ignores.
func ParseLine(line []byte) (Record, []string, error) {
	r, err := parseFields(line)
	if err != nil {
		return Record{}, nil, err
	}
	var warnings []string
	if r.Spendable != nil && r.Type != TypeOutput {
		warnings = append(warnings, fmt.Sprintf("\"spendable\" only applies to outputs: ignored on a %s record", r.Type))
		r.Spendable = nil
	}
	if err := Validate(&r); err != nil {
		return Record{}, nil, err
	}
	return r, warnings, nil
}

// parseFields reads a line's JSON object into a record, checking only the
// JSON types of type, ref, label, origin and spendable.
func parseFields(line []byte) (Record, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return Record{}, errNotObject
	}
	if dec.More() {
		return Record{}, errors.New("more than one JSON value on the line: write one record per line")
	}
	var r Record
	str := func(name string, req bool) (string, bool, error) {
		raw, ok := fields[name]
		delete(fields, name)
		if !ok || string(raw) == "null" {
			if req {
				return "", false, fmt.Errorf("%q is missing: every record needs \"type\" and \"ref\"", name)
			}
			return "", false, nil
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", false, fmt.Errorf("%q must be a string, not %s", name, abbrev(string(raw)))
		}
		return v, true, nil
	}
	var err error
	if r.Type, _, err = str("type", true); err != nil {
		return Record{}, err
	}
	if !slices.Contains(Types, r.Type) {
		return Record{}, unknownType(r.Type)
	}
	if r.Ref, _, err = str("ref", true); err != nil {
		return Record{}, err
	}
	label, hasLabel, err := str("label", false)
	if err != nil {
		return Record{}, err
	}
	if hasLabel {
		r.Label = &label
	}
	if r.Origin, _, err = str("origin", false); err != nil {
		return Record{}, err
	}
	if raw, ok := fields["spendable"]; ok {
		delete(fields, "spendable")
		if string(raw) != "null" {
			var v bool
			if err := json.Unmarshal(raw, &v); err != nil {
				return Record{}, fmt.Errorf("\"spendable\" must be true or false, not %s", abbrev(string(raw)))
			}
			r.Spendable = &v
		}
	}
	if len(fields) > 0 {
		r.Extra = fields
	}
	return r, nil
}

// Validate checks a record against BIP329 and normalises it (hex
// references lowercased, extra fields compacted): the type is one of Types,
// the reference has the type's form, "spendable" appears only on outputs,
// the origin is an abbreviated descriptor with key origins only, and the
// additional fields BIP329 defines have their JSON types.
func Validate(r *Record) error {
	if !slices.Contains(Types, r.Type) {
		return unknownType(r.Type)
	}
	r.Ref = normaliseRef(r.Type, r.Ref)
	if r.Ref == "" {
		return fmt.Errorf("a label of type %s needs a reference (BIP329 \"ref\")", r.Type)
	}
	if err := checkRef(r.Type, r.Ref); err != nil {
		return err
	}
	if r.Spendable != nil && r.Type != TypeOutput {
		return fmt.Errorf("\"spendable\" applies to output records only, not to a %s record", r.Type)
	}
	if r.Origin != "" {
		if err := checkOrigin(r.Origin); err != nil {
			return err
		}
	}
	if r.Label != nil && !utf8.ValidString(*r.Label) {
		return errors.New("the label is not UTF-8 text")
	}
	for name, raw := range r.Extra {
		if err := checkExtra(name, raw); err != nil {
			return err
		}
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			return fmt.Errorf("field %q is not JSON: %v", name, err)
		}
		r.Extra[name] = c.Bytes()
	}
	return nil
}

func unknownType(t string) error {
	return fmt.Errorf("label type %q is %w: use one of %s", t, ErrUnknownType, strings.Join(Types, ", "))
}

func normaliseRef(typ, ref string) string {
	switch typ {
	case TypeTx, TypeInput, TypeOutput, TypePubkey:
		return strings.ToLower(strings.TrimSpace(ref))
	}
	return strings.TrimSpace(ref)
}

// checkRef checks a reference has its type's form (BIP329 reference table).
func checkRef(typ, ref string) error {
	switch typ {
	case TypeTx:
		if !isTxid(ref) {
			return fmt.Errorf("tx ref %s is not a transaction id (64 hex digits)", abbrev(ref))
		}
	case TypeInput, TypeOutput:
		txid, idx, ok := strings.Cut(ref, ":")
		n, err := strconv.ParseUint(idx, 10, 32)
		if !ok || !isTxid(txid) || err != nil || strconv.FormatUint(n, 10) != idx {
			return fmt.Errorf("%s ref %s is not txid:index (64 hex digits, a colon, a decimal index)", typ, abbrev(ref))
		}
	case TypeAddr:
		if len(network.AddressNetworks(ref)) > 0 {
			return nil
		}
		return fmt.Errorf("addr ref %s is not a Bitcoin address (base58 or bech32) of mainnet, testnet, signet or regtest", abbrev(ref))
	case TypePubkey:
		b, err := hex.DecodeString(ref)
		if err != nil {
			return fmt.Errorf("pubkey ref %s is not hex", abbrev(ref))
		}
		switch len(b) {
		case 32:
			_, err = schnorr.ParsePubKey(b)
		case 33, 65:
			_, err = btcec.ParsePubKey(b)
		default:
			return fmt.Errorf("pubkey ref %s has %d bytes: BIP329 public keys have 32, 33 or 65", abbrev(ref), len(b))
		}
		if err != nil {
			return fmt.Errorf("pubkey ref %s is not a point on secp256k1", abbrev(ref))
		}
	case TypeXpub:
		k, err := keys.ParseExtendedKey(ref)
		if err != nil {
			return fmt.Errorf("xpub ref %s: %v", abbrev(ref), err)
		}
		if k.Key.IsPrivate() {
			return errors.New("xpub ref is a private key: BIP329 defines no private key types, remove it from the file")
		}
	}
	return nil
}

func isTxid(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// checkOrigin checks an abbreviated output descriptor (BIP329 "origin"):
// script functions, commas and digits around key origins [fp/path] only,
// parentheses balanced, no keys and no checksum.
func checkOrigin(o string) error {
	depth, origins := 0, 0
	for i := 0; i < len(o); i++ {
		c := o[i]
		switch {
		case c == '[':
			end := strings.IndexByte(o[i:], ']')
			if end < 0 {
				return fmt.Errorf("origin %s has a '[' without ']'", abbrev(o))
			}
			if _, err := keys.ParseOrigin(o[i+1 : i+end]); err != nil {
				return fmt.Errorf("origin %s: %v", abbrev(o), err)
			}
			origins++
			i += end
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("origin %s has unbalanced parentheses", abbrev(o))
			}
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == ',':
		default:
			return fmt.Errorf("origin %s must be an abbreviated descriptor such as wpkh([d34db33f/84'/0'/0']) without keys or checksum; %q is not allowed", abbrev(o), c)
		}
	}
	if depth != 0 {
		return fmt.Errorf("origin %s has unbalanced parentheses", abbrev(o))
	}
	if origins == 0 {
		return fmt.Errorf("origin %s holds no key origin [fingerprint/path]", abbrev(o))
	}
	return nil
}

// checkExtra checks the JSON type of BIP329's additional fields; other
// fields may hold any JSON.
func checkExtra(name string, raw json.RawMessage) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("field %q is not JSON", name)
	}
	isInt := func(x any) bool {
		n, ok := x.(json.Number)
		if !ok {
			return false
		}
		_, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil
	}
	isNumberMap := func(x any) bool {
		m, ok := x.(map[string]any)
		if !ok {
			return false
		}
		for _, val := range m {
			if _, ok := val.(json.Number); !ok {
				return false
			}
		}
		return true
	}
	switch name {
	case "height", "fee", "value":
		if !isInt(v) {
			return fmt.Errorf("%q must be an integer, not %s", name, abbrev(string(raw)))
		}
	case "time", "keypath":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%q must be a string, not %s", name, abbrev(string(raw)))
		}
	case "rate", "fmv":
		if !isNumberMap(v) {
			return fmt.Errorf("%q must be an object of currency codes to numbers, such as {\"USD\": 1233.45}", name)
		}
	case "heights":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("\"heights\" must be a list of block heights")
		}
		for _, x := range arr {
			if !isInt(x) {
				return fmt.Errorf("\"heights\" must be a list of integer block heights")
			}
		}
	}
	return nil
}

func abbrev(s string) string {
	if len(s) > 70 {
		return strconv.Quote(s[:70] + "…")
	}
	return strconv.Quote(s)
}
