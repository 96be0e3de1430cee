package wallet

import (
	"fmt"

	"github.com/specterpwa/specter/shared/labels"
)

// ExportBIP329 writes the wallet's labels and frozen outputs in BIP329's
// JSON Lines format through shared/labels (labels.Export): one record per
// label, sorted as labels.Compare does (type in BIP329's order tx, addr,
// pubkey, input, output, xpub, then ref), and "spendable": false on frozen
// outputs, with or without a label.
func (w *Wallet) ExportBIP329() ([]byte, error) {
	recs := make([]labels.Record, 0, len(w.state.Labels)+len(w.state.Frozen))
	labelled := map[string]bool{}
	for _, l := range w.Labels() {
		rec := l.record()
		if l.Type == labels.TypeOutput {
			labelled[l.Ref] = true
			if w.state.Frozen[l.Ref] {
				f := false
				rec.Spendable = &f
			}
		}
		recs = append(recs, rec)
	}
	for op, frozen := range w.state.Frozen {
		if frozen && !labelled[op] {
			f := false
			recs = append(recs, labels.Record{Type: labels.TypeOutput, Ref: op, Spendable: &f})
		}
	}
	out, err := labels.Export(recs)
	if err != nil {
		return nil, fmt.Errorf("exporting the wallet's BIP329 labels: %w", err)
	}
	return out, nil
}

// ImportReport tells the user what an import did.
type ImportReport struct {
	// Imported counts the records applied.
	Imported int `json:"imported"`
	// Problems lists, by line, records skipped or changed (bad JSON, a
	// reference of the wrong form, a "spendable" on a record that is not
	// an output, a label truncated to labels.MaxLabelLength). Records of
	// types BIP329 does not define are skipped silently, as BIP329 asks.
	Problems []string `json:"problems,omitempty"`
}

// ImportBIP329 reads a BIP329 JSON Lines export with labels.Lines (which
// parses and validates each line) and applies its labels and the spendable
// flag of outputs (false freezes, true unfreezes); later lines win. A bad
// line is reported and skipped, never fatal, so one typo cannot lose the
// rest. Labels longer than labels.MaxLabelLength are truncated with a
// warning, as BIP329's "Importing" section suggests. The error is for data
// that is not a label file at all.
func (w *Wallet) ImportBIP329(data []byte) (ChangeSet, ImportReport, error) {
	var cs ChangeSet
	var rep ImportReport
	lines, err := labels.Lines(data)
	if err != nil {
		return ChangeSet{}, rep, fmt.Errorf("reading the BIP329 label file: %w", err)
	}
	for _, l := range lines {
		problem := func(format string, args ...any) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("line %d: ", l.N)+fmt.Sprintf(format, args...))
		}
		for _, warning := range l.Warnings {
			problem("%s", warning)
		}
		if l.Err != nil {
			problem("%v: skipped", l.Err)
			continue
		}
		rec := l.Record
		if l.Ignored || rec.Label == nil && rec.Spendable == nil {
			continue
		}
		if rec.Label != nil {
			if rec.TruncateLabel(labels.MaxLabelLength) {
				problem("label of %s %s truncated to %d characters", rec.Type, rec.Ref, labels.MaxLabelLength)
			}
			if cs.Labels == nil {
				cs.Labels = map[string]Label{}
			}
			cs.Labels[rec.Type+":"+rec.Ref] = Label{Type: rec.Type, Ref: rec.Ref, Label: *rec.Label, Origin: rec.Origin}
		}
		if rec.Spendable != nil {
			if cs.Frozen == nil {
				cs.Frozen = map[string]bool{}
			}
			cs.Frozen[rec.Ref] = !*rec.Spendable
		}
		rep.Imported++
	}
	if err := w.commit(&ChangeSet{}, cs); err != nil {
		return ChangeSet{}, rep, err
	}
	return cs, rep, nil
}

// record is the label as a BIP329 record of shared/labels.
func (l Label) record() labels.Record {
	text := l.Label
	return labels.Record{Type: l.Type, Ref: l.Ref, Label: &text, Origin: l.Origin}
}
