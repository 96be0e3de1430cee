package wallet

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// bip329Record is one JSON Lines record of BIP329. Label and Spendable are
// pointers because an absent value must leave the wallet's value alone.
type bip329Record struct {
	Type      string  `json:"type"`
	Ref       string  `json:"ref"`
	Label     *string `json:"label,omitempty"`
	Origin    string  `json:"origin,omitempty"`
	Spendable *bool   `json:"spendable,omitempty"`
}

// MaxLabelLength is BIP329's suggested maximum label length, in characters;
// longer imported labels are truncated.
const MaxLabelLength = 255

// ExportBIP329 writes the wallet's labels and frozen outputs in BIP329's
// JSON Lines format: one record per label, ordered by type and ref, and
// "spendable": false on frozen outputs.
func (w *Wallet) ExportBIP329() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	labels := w.Labels()
	labelled := map[string]bool{}
	for _, l := range labels {
		text := l.Label
		rec := bip329Record{Type: l.Type, Ref: l.Ref, Label: &text, Origin: l.Origin}
		if l.Type == "output" {
			labelled[l.Ref] = true
			if w.state.Frozen[l.Ref] {
				f := false
				rec.Spendable = &f
			}
		}
		if err := enc.Encode(rec); err != nil {
			return nil, fmt.Errorf("exporting label %s %s: %w", l.Type, l.Ref, err)
		}
	}
	var frozen []string
	for op := range w.state.Frozen {
		if !labelled[op] {
			frozen = append(frozen, op)
		}
	}
	slices.Sort(frozen)
	for _, op := range frozen {
		f := false
		if err := enc.Encode(bip329Record{Type: "output", Ref: op, Spendable: &f}); err != nil {
			return nil, fmt.Errorf("exporting frozen output %s: %w", op, err)
		}
	}
	return buf.Bytes(), nil
}

// ImportReport tells the user what an import did.
type ImportReport struct {
	// Imported counts the records applied.
	Imported int `json:"imported"`
	// Problems lists, by line, records skipped or changed (bad JSON, a
	// reference of the wrong form, a label truncated to MaxLabelLength).
	// Unknown record types are skipped silently, as BIP329 asks.
	Problems []string `json:"problems,omitempty"`
}

// ImportBIP329 reads a BIP329 JSON Lines export and applies its labels and
// the spendable flag of outputs (false freezes, true unfreezes). A bad line
// is reported and skipped, never fatal, so one typo cannot lose the rest.
func (w *Wallet) ImportBIP329(data []byte) (ChangeSet, ImportReport, error) {
	var cs ChangeSet
	var rep ImportReport
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		problem := func(format string, args ...any) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
		}
		if !utf8.ValidString(text) {
			problem("not UTF-8 text: skipped")
			continue
		}
		var rec bip329Record
		if err := json.Unmarshal([]byte(text), &rec); err != nil {
			problem("not a JSON object (%v): skipped", err)
			continue
		}
		if !slices.Contains(labelTypes, rec.Type) {
			continue // BIP329: ignore types not defined there
		}
		if rec.Type == "tx" || rec.Type == "input" || rec.Type == "output" {
			rec.Ref = strings.ToLower(rec.Ref)
		}
		if err := checkRef(rec.Type, rec.Ref); err != nil {
			problem("%v: skipped", err)
			continue
		}
		if rec.Spendable != nil && rec.Type != "output" {
			problem("\"spendable\" only applies to outputs: ignored on a %s record", rec.Type)
			rec.Spendable = nil
		}
		if rec.Label == nil && rec.Spendable == nil {
			continue
		}
		if rec.Label != nil {
			l := *rec.Label
			if utf8.RuneCountInString(l) > MaxLabelLength {
				l = string([]rune(l)[:MaxLabelLength])
				problem("label of %s %s truncated to %d characters", rec.Type, rec.Ref, MaxLabelLength)
			}
			if cs.Labels == nil {
				cs.Labels = map[string]Label{}
			}
			cs.Labels[rec.Type+":"+rec.Ref] = Label{Type: rec.Type, Ref: rec.Ref, Label: l, Origin: rec.Origin}
		}
		if rec.Spendable != nil {
			if cs.Frozen == nil {
				cs.Frozen = map[string]bool{}
			}
			cs.Frozen[rec.Ref] = !*rec.Spendable
		}
		rep.Imported++
	}
	if err := sc.Err(); err != nil {
		return ChangeSet{}, rep, fmt.Errorf("reading the BIP329 file after line %d: %w (is it a JSON Lines label export?)", line, err)
	}
	if err := w.commit(&ChangeSet{}, cs); err != nil {
		return ChangeSet{}, rep, err
	}
	return cs, rep, nil
}

// checkRef checks a BIP329 reference has its type's form.
func checkRef(typ, ref string) error {
	switch typ {
	case "tx":
		if len(ref) != 64 {
			return fmt.Errorf("tx reference %q is not a 64-character txid", ref)
		}
		if _, err := chainhash.NewHashFromStr(ref); err != nil {
			return fmt.Errorf("tx reference %q is not a hex txid", ref)
		}
	case "input", "output":
		txid, idx, ok := strings.Cut(ref, ":")
		n, err := strconv.ParseUint(idx, 10, 32)
		if !ok || len(txid) != 64 || err != nil {
			return fmt.Errorf("%s reference %q is not txid:index", typ, ref)
		}
		h, err := chainhash.NewHashFromStr(txid)
		if err != nil {
			return fmt.Errorf("%s reference %q is not txid:index", typ, ref)
		}
		if typ == "output" && (wire.OutPoint{Hash: *h, Index: uint32(n)}).String() != ref {
			return fmt.Errorf("output reference %q is not in canonical txid:index form", ref)
		}
	default:
		if ref == "" || strings.ContainsAny(ref, " \t") {
			return fmt.Errorf("%s reference %q is empty or contains spaces", typ, ref)
		}
	}
	return nil
}
