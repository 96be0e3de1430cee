package manager

import (
	"context"
	"slices"

	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// ClearStalePSBTs deletes the wallet's pending PSBTs (BIP174) that its last
// sync made pointless, and unlocks their coins, in one store Apply:
//   - its transaction (same txid) is in the wallet's history as confirmed or
//     unconfirmed: it was broadcast, here or by another coordinator;
//   - one of its inputs is spent by another transaction that is confirmed.
//
// A conflict still unconfirmed keeps the PSBT and its signatures: it may be
// the fee bump of that very transaction (BIP125), or win the race; once the
// other transaction confirms, the next sync clears it.
//
// It returns the deleted PSBTs, oldest first (none: nil). Call it after a
// sync (wallets.sync does).
func (e *Engine) ClearStalePSBTs(ctx context.Context, walletID string) ([]PendingPSBT, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.wallets[walletID]
	if !ok {
		return nil, notFound("wallet", walletID)
	}
	var pending []PendingPSBT
	for _, p := range e.psbts {
		if p.WalletID == walletID {
			pending = append(pending, p)
		}
	}
	if len(pending) == 0 {
		return nil, nil // most syncs: nothing to look up in the history
	}
	tip := int32(0)
	if cp, ok := w.core.Tip(); ok {
		tip = cp.Height
	}
	seen := map[string]bool{}             // canonical transactions by txid
	spentByConfirmed := map[string]bool{} // "txid:vout" spent by a confirmed transaction
	for _, d := range w.core.Transactions(tip) {
		if d.Status != wallet.StatusConfirmed && d.Status != wallet.StatusPending {
			continue
		}
		seen[d.Txid] = true
		if d.Tx == nil || d.Status != wallet.StatusConfirmed {
			continue
		}
		for _, in := range d.Tx.TxIn {
			spentByConfirmed[in.PreviousOutPoint.String()] = true
		}
	}
	// Its own transaction seen, or an input spent by a confirmed one (which
	// is not its own: that one is seen).
	stale := func(p PendingPSBT) bool {
		return seen[p.ID] || slices.ContainsFunc(p.Inputs, func(in string) bool { return spentByConfirmed[in] })
	}
	var cleared []PendingPSBT
	for _, p := range pending {
		if stale(p) {
			cleared = append(cleared, clonePSBT(p))
		}
	}
	if len(cleared) == 0 {
		return nil, nil
	}
	slices.SortFunc(cleared, comparePSBTs)
	ops := make([]store.Op, len(cleared))
	for i, p := range cleared {
		ops[i] = store.Del(store.PSBTs, psbtKey(walletID, p.ID))
	}
	err := e.update(ctx, walletID, func(core *wallet.Wallet) (wallet.ChangeSet, error) {
		var cs wallet.ChangeSet
		for _, p := range cleared {
			cs.Merge(core.UnlockID(p.ID))
		}
		return cs, nil
	}, ops...)
	if err != nil {
		return nil, err
	}
	for _, p := range cleared {
		delete(e.psbts, psbtKey(walletID, p.ID))
	}
	return cleared, nil
}
