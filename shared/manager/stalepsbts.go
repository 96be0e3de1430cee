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
	tip := int32(0)
	if cp, ok := w.core.Tip(); ok {
		tip = cp.Height
	}
	seen := map[string]wallet.TxDetails{}    // canonical transactions by txid
	spentBy := map[string]wallet.TxDetails{} // "txid:vout" -> canonical spender
	for _, d := range w.core.Transactions(tip) {
		if d.Status != wallet.StatusConfirmed && d.Status != wallet.StatusPending {
			continue
		}
		seen[d.Txid] = d
		if d.Tx == nil {
			continue
		}
		for _, in := range d.Tx.TxIn {
			spentBy[in.PreviousOutPoint.String()] = d
		}
	}
	stale := func(p PendingPSBT) bool {
		if _, ok := seen[p.ID]; ok {
			return true
		}
		for _, in := range p.Inputs {
			d, ok := spentBy[in]
			if !ok || d.Txid == p.ID {
				continue
			}
			if d.Status == wallet.StatusConfirmed {
				return true
			}
		}
		return false
	}
	var cleared []PendingPSBT
	for _, p := range e.psbts {
		if p.WalletID == walletID && stale(p) {
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
