package manager

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// PendingPSBT is a transaction of a wallet waiting for signatures or
// broadcast (Specter's pending PSBTs). Its id is the txid of the unsigned
// transaction, so saving a more-signed copy replaces the older one.
type PendingPSBT struct {
	ID       string `json:"id"`
	WalletID string `json:"wallet_id"`
	Name     string `json:"name"`
	// PSBT is the BIP174 base64 form.
	PSBT string `json:"psbt"`
	// Inputs are the outpoints ("txid:vout") the transaction spends; they
	// are locked in the wallet while the PSBT is pending.
	Inputs    []string  `json:"inputs"`
	CreatedAt time.Time `json:"created_at"`
	// Warnings are the builder's review warnings (shared/spend
	// Result.Warnings: absurd fee, fee far from the estimate, own address,
	// duplicate recipient...), kept so the review shows them when it is
	// opened again later. Records saved before this field load without it.
	Warnings []string `json:"warnings,omitempty"`
}

// SavePSBT stores a pending PSBT (BIP174, base64, hex or binary) for a
// wallet and locks the outputs it spends, in one Apply. Saving a PSBT of the
// same transaction again replaces it (keeping its name unless a new one is
// given). An input already spent by another pending PSBT is refused.
// warnings (the builder's review warnings) are stored with it; when none are
// given, a replaced record keeps its own, so a more-signed copy saved
// without them loses nothing.
func (e *Engine) SavePSBT(ctx context.Context, walletID, name string, data []byte, warnings ...string) (PendingPSBT, error) {
	p, err := psbt.Decode(data)
	if err != nil {
		return PendingPSBT{}, invalidErr("the PSBT cannot be read", "load the PSBT file or text again", err)
	}
	b64, err := psbt.EncodeBase64(p)
	if err != nil {
		return PendingPSBT{}, invalidErr("the PSBT cannot be encoded", "", err)
	}
	txid := p.UnsignedTx.TxHash().String()
	ops := make([]wire.OutPoint, len(p.UnsignedTx.TxIn))
	inputs := make([]string, len(ops))
	for i, in := range p.UnsignedTx.TxIn {
		ops[i] = in.PreviousOutPoint
		inputs[i] = in.PreviousOutPoint.String()
	}
	name = strings.TrimSpace(name)
	if name != "" {
		if name, err = cleanName("transaction", name); err != nil {
			return PendingPSBT{}, err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.wallets[walletID]; !ok {
		return PendingPSBT{}, notFound("wallet", walletID)
	}
	key := psbtKey(walletID, txid)
	rec := PendingPSBT{ID: txid, WalletID: walletID, Name: name, PSBT: b64, Inputs: inputs, CreatedAt: e.stamp()}
	if len(warnings) > 0 {
		rec.Warnings = slices.Clone(warnings)
	}
	if old, ok := e.psbts[key]; ok {
		rec.CreatedAt = old.CreatedAt
		if name == "" {
			rec.Name = old.Name
		}
		if len(warnings) == 0 {
			rec.Warnings = slices.Clone(old.Warnings)
		}
	}
	if rec.Name == "" {
		rec.Name = "Transaction " + txid[:8]
	}
	for k, other := range e.psbts {
		if k == key || other.WalletID != walletID {
			continue
		}
		for _, in := range inputs {
			if slices.Contains(other.Inputs, in) {
				return PendingPSBT{}, &Error{Kind: KindDuplicate, Message: fmt.Sprintf("input %s is already spent by pending transaction %q", in, other.Name),
					Hint: "delete that pending transaction first, or use other coins"}
			}
		}
	}
	put, err := putJSON(store.PSBTs, key, rec)
	if err != nil {
		return PendingPSBT{}, err
	}
	err = e.update(ctx, walletID, func(w *wallet.Wallet) (wallet.ChangeSet, error) {
		return w.Lock(ops, txid)
	}, put)
	if err != nil {
		return PendingPSBT{}, err
	}
	e.psbts[key] = rec
	return clonePSBT(rec), nil
}

func clonePSBT(p PendingPSBT) PendingPSBT {
	p.Inputs = slices.Clone(p.Inputs)
	p.Warnings = slices.Clone(p.Warnings)
	return p
}

// PSBTs lists a wallet's pending PSBTs, oldest first.
func (e *Engine) PSBTs(walletID string) ([]PendingPSBT, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.wallets[walletID]; !ok {
		return nil, notFound("wallet", walletID)
	}
	var out []PendingPSBT
	for _, p := range e.psbts {
		if p.WalletID == walletID {
			out = append(out, clonePSBT(p))
		}
	}
	slices.SortFunc(out, comparePSBTs)
	return out, nil
}

// comparePSBTs orders pending PSBTs oldest first, then by id.
func comparePSBTs(a, b PendingPSBT) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// PSBT returns one pending PSBT.
func (e *Engine) PSBT(walletID, id string) (PendingPSBT, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.psbts[psbtKey(walletID, id)]
	if !ok {
		return PendingPSBT{}, notFound("pending transaction", id)
	}
	return clonePSBT(p), nil
}

// DeletePSBT removes a pending PSBT and unlocks the outputs it spent, in
// one Apply.
func (e *Engine) DeletePSBT(ctx context.Context, walletID, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := psbtKey(walletID, id)
	if _, ok := e.psbts[key]; !ok {
		return notFound("pending transaction", id)
	}
	err := e.update(ctx, walletID, func(w *wallet.Wallet) (wallet.ChangeSet, error) {
		return w.UnlockID(id), nil
	}, store.Del(store.PSBTs, key))
	if err != nil {
		return err
	}
	delete(e.psbts, key)
	return nil
}
