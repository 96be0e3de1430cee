package wallet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/shared/labels"
)

// SetLabel sets (or, with an empty Label, removes) a BIP329 label. The
// label is validated by shared/labels (labels.Validate: a BIP329 type, a
// reference of the type's form, an abbreviated-descriptor origin) and its
// hex reference lowercased. A stored label is removed even when its
// reference would no longer pass.
func (w *Wallet) SetLabel(l Label) (ChangeSet, error) {
	if _, stored := w.state.Labels[l.Type+":"+l.Ref]; !stored || l.Label != "" {
		rec := l.record()
		if err := labels.Validate(&rec); err != nil {
			return ChangeSet{}, err
		}
		l.Ref = rec.Ref
	}
	cs := ChangeSet{Labels: map[string]Label{l.Type + ":" + l.Ref: l}}
	if err := w.commit(&ChangeSet{}, cs); err != nil {
		return ChangeSet{}, err
	}
	return cs, nil
}

// Labels returns every label in the order of a BIP329 export
// (labels.Compare: by type in BIP329's order, then by ref).
func (w *Wallet) Labels() []Label {
	out := make([]Label, 0, len(w.state.Labels))
	for _, l := range w.state.Labels {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Label) int { return labels.Compare(a.record(), b.record()) })
	return out
}

// SetFrozen freezes or unfreezes an outpoint (coin control: a frozen output
// is never selected and counts in Balance.Frozen).
func (w *Wallet) SetFrozen(op wire.OutPoint, frozen bool) ChangeSet {
	cs := ChangeSet{Frozen: map[string]bool{op.String(): frozen}}
	_ = w.commit(&ChangeSet{}, cs) // flags only: cannot fail
	return cs
}

// Lock reserves outpoints for the pending PSBT psbtID until Unlock or
// UnlockID (the PSBT is deleted) or until a transaction spends them.
func (w *Wallet) Lock(ops []wire.OutPoint, psbtID string) (ChangeSet, error) {
	if psbtID == "" {
		return ChangeSet{}, fmt.Errorf("locking outputs needs the id of the pending PSBT that spends them")
	}
	cs := ChangeSet{Locked: map[string]string{}}
	for _, op := range ops {
		cs.Locked[op.String()] = psbtID
	}
	if err := w.commit(&ChangeSet{}, cs); err != nil {
		return ChangeSet{}, err
	}
	return cs, nil
}

// Unlock releases outpoints.
func (w *Wallet) Unlock(ops []wire.OutPoint) ChangeSet {
	cs := ChangeSet{Locked: map[string]string{}}
	for _, op := range ops {
		if w.state.Locked[op.String()] != "" {
			cs.Locked[op.String()] = ""
		}
	}
	_ = w.commit(&ChangeSet{}, cs)
	return cs
}

// UnlockID releases every outpoint locked by the PSBT psbtID and the change
// index it reserved.
func (w *Wallet) UnlockID(psbtID string) ChangeSet {
	cs := ChangeSet{Locked: map[string]string{}}
	for op, id := range w.state.Locked {
		if id == psbtID {
			cs.Locked[op] = ""
		}
	}
	for i, id := range w.state.ChangeReserved {
		if id == psbtID {
			if cs.ChangeReserved == nil {
				cs.ChangeReserved = map[uint32]string{}
			}
			cs.ChangeReserved[i] = ""
		}
	}
	_ = w.commit(&ChangeSet{}, cs)
	return cs
}

// ReserveChange keeps the change address at index for the pending PSBT
// psbtID until UnlockID(psbtID): NextChangeAddress skips it meanwhile.
func (w *Wallet) ReserveChange(index uint32, psbtID string) (ChangeSet, error) {
	if psbtID == "" {
		return ChangeSet{}, fmt.Errorf("reserving a change address needs the id of the pending PSBT that pays to it")
	}
	cs := ChangeSet{ChangeReserved: map[uint32]string{index: psbtID}}
	if err := w.commit(&ChangeSet{}, cs); err != nil {
		return ChangeSet{}, err
	}
	return cs, nil
}

// FormatBTC writes satoshis as BTC with 8 decimals ("-0.00012345").
func FormatBTC(sats int64) string {
	sign := ""
	u := uint64(sats)
	if sats < 0 {
		sign, u = "-", uint64(-sats)
	}
	return fmt.Sprintf("%s%d.%08d", sign, u/1e8, u%1e8)
}

// HistoryCSV exports the history of counted (confirmed and pending)
// transactions, oldest first, as CSV with a header: date (RFC3339, UTC: the
// block time, or the first mempool sighting), txid, label, amount (net to
// the wallet, BTC), fee (BTC, only when the wallet paid it and every input
// is known), balance (running, BTC) and confirmations counted up to tip.
func (w *Wallet) HistoryCSV(tip int32) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write([]string{"date", "txid", "label", "amount", "fee", "balance", "confirmations"}); err != nil {
		return nil, fmt.Errorf("writing the CSV header: %w", err)
	}
	var balance int64
	for _, d := range w.Transactions(tip) {
		if d.Status != StatusConfirmed && d.Status != StatusPending {
			continue
		}
		balance += d.Net
		date := ""
		if t := d.Time(); t > 0 {
			date = time.Unix(t, 0).UTC().Format(time.RFC3339)
		}
		fee := ""
		if d.FeeKnown && d.Sent > 0 {
			fee = FormatBTC(d.Fee)
		}
		rec := []string{date, d.Txid, csvSafe(d.Label), FormatBTC(d.Net), fee, FormatBTC(balance), strconv.Itoa(int(d.Confirmations))}
		if err := cw.Write(rec); err != nil {
			return nil, fmt.Errorf("writing the CSV row of %s: %w", d.Txid, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, fmt.Errorf("writing the history CSV: %w", err)
	}
	return buf.Bytes(), nil
}

// PendingTxids lists the txids the wallet counts as unconfirmed, so a sync
// can report those missing from the mempool with ApplyEvicted.
func (w *Wallet) PendingTxids() []string {
	v := w.view()
	var out []string
	for txid, st := range v.status {
		if st.status == StatusPending {
			out = append(out, txid)
		}
	}
	slices.Sort(out)
	return out
}

// csvSafe keeps a user's label from being read as a spreadsheet formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
