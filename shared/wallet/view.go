package wallet

import (
	"cmp"
	"encoding/hex"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// TxStatus is where a transaction of the graph stands in the wallet's view
// of the chain.
type TxStatus string

const (
	// StatusConfirmed: anchored in a block on the checkpoint chain.
	StatusConfirmed TxStatus = "confirmed"
	// StatusPending: unconfirmed and counted (seen in the mempool, or
	// disconnected by a reorg and not yet reported missing).
	StatusPending TxStatus = "pending"
	// StatusReplaced: lost a conflict with a newer unconfirmed transaction
	// (BIP125 replace-by-fee), or spends one that did.
	StatusReplaced TxStatus = "replaced"
	// StatusConflicted: a confirmed transaction spends the same outputs, or
	// it spends the outputs of one that was.
	StatusConflicted TxStatus = "conflicted"
	// StatusDropped: unconfirmed and missing from the mempool when last
	// checked (ApplyEvicted).
	StatusDropped TxStatus = "dropped"
)

type txState struct {
	status   TxStatus
	anchor   Anchor // valid when confirmed
	winner   string // the transaction that won the conflict
	trusted  bool   // every input spends a wallet output
	coinbase bool
}

// view is the canonical picture computed from the graph and checkpoints.
type view struct {
	tip      int32
	status   map[string]*txState
	spentBy  map[wire.OutPoint]string // spends by canonical transactions
	byScript map[ScriptRef]int64      // unspent value per script
	utxos    []UTXO
}

func isCoinbase(tx *wire.MsgTx) bool {
	return len(tx.TxIn) == 1 && tx.TxIn[0].PreviousOutPoint.Index == wire.MaxPrevOutIndex &&
		tx.TxIn[0].PreviousOutPoint.Hash == chainhash.Hash{}
}

func (w *Wallet) view() *view {
	if w.cache != nil {
		return w.cache
	}
	tip, _ := w.Tip()
	v := &view{tip: tip.Height, status: map[string]*txState{}, spentBy: map[wire.OutPoint]string{}, byScript: map[ScriptRef]int64{}}
	cps := w.state.Checkpoints
	var candidates []string
	for txid, tx := range w.txs {
		st := &txState{coinbase: isCoinbase(tx)}
		v.status[txid] = st
		for _, a := range w.anchors[txid] {
			if cps[a.Height] == a.Hash && (st.status != StatusConfirmed || a.Height < st.anchor.Height) {
				st.status, st.anchor = StatusConfirmed, a
			}
		}
		if st.status == StatusConfirmed {
			for _, in := range tx.TxIn {
				v.spentBy[in.PreviousOutPoint] = txid
			}
			continue
		}
		if ev := w.state.Evicted[txid]; ev > 0 && ev >= w.state.LastSeen[txid] {
			st.status = StatusDropped
			continue
		}
		candidates = append(candidates, txid)
	}
	// Newer sightings win unconfirmed conflicts: a BIP125 replacement is
	// seen after the transaction it replaces.
	slices.SortFunc(candidates, func(a, b string) int {
		return cmp.Or(cmp.Compare(w.state.LastSeen[b], w.state.LastSeen[a]),
			cmp.Compare(w.state.FirstSeen[b], w.state.FirstSeen[a]), cmp.Compare(a, b))
	})
	confirmedSpends := v.spentBy
	excluded := map[string]string{} // txid -> non-canonical parent
	for {
		spent := make(map[wire.OutPoint]string, len(confirmedSpends))
		for op, txid := range confirmedSpends {
			spent[op] = txid
		}
		for _, txid := range candidates {
			st := v.status[txid]
			st.status, st.winner = StatusPending, ""
			if _, ok := excluded[txid]; ok {
				continue
			}
			for _, in := range w.txs[txid].TxIn {
				if other, ok := spent[in.PreviousOutPoint]; ok {
					st.winner = other
					st.status = StatusReplaced
					if v.status[other].status == StatusConfirmed {
						st.status = StatusConflicted
					}
					break
				}
			}
			if st.winner == "" {
				for _, in := range w.txs[txid].TxIn {
					spent[in.PreviousOutPoint] = txid
				}
			}
		}
		grew := false
		for _, txid := range candidates {
			if _, ok := excluded[txid]; ok || v.status[txid].winner != "" {
				continue
			}
			for _, in := range w.txs[txid].TxIn {
				parent := in.PreviousOutPoint.Hash.String()
				if ps, ok := v.status[parent]; ok && ps.status != StatusConfirmed && (ps.status != StatusPending || ps.winner != "" || excluded[parent] != "") {
					excluded[txid] = parent
					grew = true
					break
				}
			}
		}
		if !grew {
			v.spentBy = spent
			break
		}
	}
	// Descendants of non-canonical transactions share their parent's fate.
	var fate func(txid string, depth int) (TxStatus, string)
	fate = func(txid string, depth int) (TxStatus, string) {
		st := v.status[txid]
		parent, ok := excluded[txid]
		if !ok || depth > len(excluded) {
			return st.status, st.winner
		}
		return fate(parent, depth+1)
	}
	for txid := range excluded {
		s, win := fate(txid, 0)
		if s == StatusPending {
			s = StatusDropped
		}
		v.status[txid].status, v.status[txid].winner = s, win
	}
	for txid, st := range v.status {
		if st.status != StatusConfirmed && st.status != StatusPending {
			continue
		}
		st.trusted = true
		for _, in := range w.txs[txid].TxIn {
			if _, ok := w.owned[in.PreviousOutPoint]; !ok {
				st.trusted = false
				break
			}
		}
	}
	// Unspent outputs of canonical transactions.
	for op, ref := range w.owned {
		txid := op.Hash.String()
		st := v.status[txid]
		if st == nil || (st.status != StatusConfirmed && st.status != StatusPending) {
			continue
		}
		if _, spent := v.spentBy[op]; spent {
			continue
		}
		out := w.txs[txid].TxOut[op.Index]
		u := UTXO{
			OutPoint: op, Outpoint: op.String(), Value: out.Value, ScriptPubKey: out.PkScript, ScriptHex: hex.EncodeToString(out.PkScript),
			Keychain: ref.Keychain, Index: ref.Index,
			Address: w.addressOf(out.PkScript), Coinbase: st.coinbase, Trusted: st.trusted,
			Frozen: w.state.Frozen[op.String()], LockedBy: w.state.Locked[op.String()],
		}
		if st.status == StatusConfirmed {
			u.Height, u.Confirmed = st.anchor.Height, true
		}
		v.byScript[ref] += out.Value
		v.utxos = append(v.utxos, u)
	}
	slices.SortFunc(v.utxos, func(a, b UTXO) int {
		return cmp.Or(cmp.Compare(a.OutPoint.Hash.String(), b.OutPoint.Hash.String()), cmp.Compare(a.OutPoint.Index, b.OutPoint.Index))
	})
	w.cache = v
	return v
}

// UTXO is an unspent output of the wallet.
type UTXO struct {
	OutPoint wire.OutPoint `json:"-"`
	// Outpoint is OutPoint as "txid:vout" (for JSON and BIP329 refs).
	Outpoint     string `json:"outpoint"`
	Value        int64  `json:"value"` // satoshis
	ScriptPubKey []byte `json:"-"`
	// ScriptHex is ScriptPubKey in hex (for JSON).
	ScriptHex string   `json:"script_pubkey"`
	Keychain  Keychain `json:"keychain"`
	Index     uint32   `json:"index"`
	Address   string   `json:"address"`
	// Height is the confirming block's height; 0 while unconfirmed.
	Height    int32 `json:"height"`
	Confirmed bool  `json:"confirmed"`
	Coinbase  bool  `json:"coinbase"`
	// Trusted is true when the creating transaction spends only wallet
	// outputs (our own change), so it is safe to spend unconfirmed.
	Trusted bool `json:"trusted"`
	Frozen  bool `json:"frozen"`
	// LockedBy is the id of the pending PSBT spending it, or "".
	LockedBy string `json:"locked_by,omitempty"`
}

// UTXOs returns the wallet's unspent outputs (confirmed and pending),
// ordered by outpoint.
func (w *Wallet) UTXOs() []UTXO {
	return slices.Clone(w.view().utxos)
}

// Spendable returns the UTXOs coin selection may use, ordered by outpoint:
// not frozen, not locked by a pending PSBT, not an immature coinbase, and
// confirmed or from our own transaction (Balance.Spendable's outputs).
func (w *Wallet) Spendable() []UTXO {
	v := w.view()
	var out []UTXO
	for _, u := range v.utxos {
		if u.Frozen || u.LockedBy != "" || u.Coinbase && (!u.Confirmed || v.tip-u.Height+1 < CoinbaseMaturity) {
			continue
		}
		if u.Confirmed || u.Trusted {
			out = append(out, u)
		}
	}
	return out
}

// CoinbaseMaturity is the number of confirmations before a coinbase output
// can be spent (consensus rule, 100 blocks).
const CoinbaseMaturity = 100

// Balance splits the wallet's unspent value (satoshis) the way a spender
// needs it. Each output counts in exactly one field: Frozen first, then
// Locked, then Immature, then by confirmation and trust.
type Balance struct {
	// Confirmed: confirmed, spendable outputs.
	Confirmed int64 `json:"confirmed"`
	// TrustedPending: unconfirmed outputs of our own transactions (change).
	TrustedPending int64 `json:"trusted_pending"`
	// UntrustedPending: unconfirmed incoming payments.
	UntrustedPending int64 `json:"untrusted_pending"`
	// Immature: coinbase outputs with fewer than 100 confirmations.
	Immature int64 `json:"immature"`
	// Frozen: outputs the user froze (coin control).
	Frozen int64 `json:"frozen"`
	// Locked: outputs reserved by a pending PSBT.
	Locked int64 `json:"locked"`
}

// Total is the sum of every field.
func (b Balance) Total() int64 {
	return b.Confirmed + b.TrustedPending + b.UntrustedPending + b.Immature + b.Frozen + b.Locked
}

// Spendable is what coin selection may use: Confirmed plus TrustedPending.
func (b Balance) Spendable() int64 { return b.Confirmed + b.TrustedPending }

// Balance sums the UTXOs; coinbase maturity is judged against the wallet's
// highest checkpoint.
func (w *Wallet) Balance() Balance {
	v := w.view()
	var b Balance
	for _, u := range v.utxos {
		switch {
		case u.Frozen:
			b.Frozen += u.Value
		case u.LockedBy != "":
			b.Locked += u.Value
		case u.Coinbase && (!u.Confirmed || v.tip-u.Height+1 < CoinbaseMaturity):
			b.Immature += u.Value
		case u.Confirmed:
			b.Confirmed += u.Value
		case u.Trusted:
			b.TrustedPending += u.Value
		default:
			b.UntrustedPending += u.Value
		}
	}
	return b
}

// TxDetails is one transaction of the graph as the history shows it.
type TxDetails struct {
	Txid   string      `json:"txid"`
	Tx     *wire.MsgTx `json:"-"`
	Status TxStatus    `json:"status"`
	// Height, BlockHash and BlockTime describe the confirming block.
	Height    int32  `json:"height,omitempty"`
	BlockHash string `json:"block_hash,omitempty"`
	BlockTime int64  `json:"block_time,omitempty"`
	// Confirmations counts blocks up to the tip given to Transactions.
	Confirmations int32 `json:"confirmations"`
	// FirstSeen and LastSeen are mempool sighting times (Unix seconds).
	FirstSeen int64 `json:"first_seen,omitempty"`
	LastSeen  int64 `json:"last_seen,omitempty"`
	// Received is the value paid to the wallet, Sent the value of wallet
	// outputs spent, Net = Received - Sent (satoshis).
	Received int64 `json:"received"`
	Sent     int64 `json:"sent"`
	Net      int64 `json:"net"`
	// Fee is known when every input's previous transaction is in the graph.
	Fee      int64 `json:"fee"`
	FeeKnown bool  `json:"fee_known"`
	// VSize is the virtual size in vbytes (BIP141: weight / 4, rounded up),
	// for fee rates (Fee / VSize sat/vB) and fee bumps.
	VSize int64 `json:"vsize"`
	// ConflictWinner is the transaction that replaced or conflicted this one.
	ConflictWinner string `json:"conflict_winner,omitempty"`
	Label          string `json:"label,omitempty"`
}

// Time is the block time when confirmed, otherwise the first mempool
// sighting (Unix seconds; 0 when neither is known).
func (d TxDetails) Time() int64 {
	if d.Status == StatusConfirmed {
		return d.BlockTime
	}
	return d.FirstSeen
}

// Transactions lists every transaction of the graph, confirmed ones by
// height then unconfirmed ones by first sighting, with confirmations
// counted up to tip (pass the node's tip height).
func (w *Wallet) Transactions(tip int32) []TxDetails {
	v := w.view()
	out := make([]TxDetails, 0, len(w.txs))
	for txid, tx := range w.txs {
		st := v.status[txid]
		d := TxDetails{
			Txid: txid, Tx: tx, Status: st.status, FirstSeen: w.state.FirstSeen[txid], LastSeen: w.state.LastSeen[txid],
			ConflictWinner: st.winner, Label: w.state.Labels["tx:"+txid].Label,
		}
		if st.status == StatusConfirmed {
			d.Height, d.BlockHash, d.BlockTime = st.anchor.Height, st.anchor.Hash, st.anchor.Time
			if tip >= d.Height {
				d.Confirmations = tip - d.Height + 1
			}
		}
		var in, outs int64
		known := !isCoinbase(tx)
		for _, txin := range tx.TxIn {
			prev, ok := w.txs[txin.PreviousOutPoint.Hash.String()]
			if !ok || int(txin.PreviousOutPoint.Index) >= len(prev.TxOut) {
				known = false
				continue
			}
			value := prev.TxOut[txin.PreviousOutPoint.Index].Value
			in += value
			if _, mine := w.owned[txin.PreviousOutPoint]; mine {
				d.Sent += value
			}
		}
		for _, o := range tx.TxOut {
			outs += o.Value
			if _, mine := w.index[string(o.PkScript)]; mine {
				d.Received += o.Value
			}
		}
		d.Net = d.Received - d.Sent
		d.VSize = int64((tx.SerializeSizeStripped()*3 + tx.SerializeSize() + 3) / 4)
		if known {
			d.Fee, d.FeeKnown = in-outs, true
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b TxDetails) int {
		ac, bc := a.Status == StatusConfirmed, b.Status == StatusConfirmed
		switch {
		case ac && !bc:
			return -1
		case bc && !ac:
			return 1
		case ac && bc:
			if c := cmp.Compare(a.Height, b.Height); c != 0 {
				return c
			}
			return cmp.Compare(txPosition(a.Tx, b.Tx), 0)
		}
		return cmp.Or(cmp.Compare(a.FirstSeen, b.FirstSeen), cmp.Compare(a.Txid, b.Txid))
	})
	return out
}

// txPosition orders two transactions of the same block: a parent before its
// child, otherwise by txid (the block order is not kept).
func txPosition(a, b *wire.MsgTx) int {
	ah, bh := a.TxHash(), b.TxHash()
	for _, in := range b.TxIn {
		if in.PreviousOutPoint.Hash == ah {
			return -1
		}
	}
	for _, in := range a.TxIn {
		if in.PreviousOutPoint.Hash == bh {
			return 1
		}
	}
	return cmp.Compare(ah.String(), bh.String())
}
