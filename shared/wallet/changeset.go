package wallet

import (
	"cmp"
	"slices"
)

// Params are the fixed facts a wallet is created from: its descriptors,
// network, birthday and gap limit. They travel in the first ChangeSet so that
// FromChangeSet can rebuild the wallet without anything else.
type Params struct {
	// Receive is the descriptor of keychain 0 (external addresses). When
	// Change is empty it may be a BIP389 multipath descriptor <0;1>, whose
	// branch 0 receives and branch 1 is change.
	Receive string `json:"receive"`
	// Change is the descriptor of keychain 1 (internal change addresses);
	// empty when Receive is a multipath descriptor.
	Change string `json:"change,omitempty"`
	// Network is "main", "test", "signet" or "regtest" (shared/network).
	Network string `json:"network"`
	// Birthday is the height of the first block that can hold a wallet
	// transaction; a sync from scratch starts there.
	Birthday int32 `json:"birthday"`
	// GapLimit is how many unused scripts past the last used one are watched
	// on each keychain (BIP44 "address gap limit"); default 20.
	GapLimit uint32 `json:"gap_limit"`
}

// Anchor records that a transaction was seen confirmed in a block. It only
// counts while the wallet's checkpoint at Height is Hash, so a reorg (a
// Disconnect) invalidates it without deleting it, as BDK's anchors do.
type Anchor struct {
	Txid   string `json:"txid"`
	Height int32  `json:"height"`
	Hash   string `json:"hash"`
	// Time is the block header's timestamp (Unix seconds).
	Time int64 `json:"time"`
}

// Label is a BIP329 label record: Type is one of tx, addr, pubkey, input,
// output or xpub; Ref is the txid, address, pubkey, "txid:vout" or xpub it
// labels. An empty Label in a ChangeSet removes the label.
type Label struct {
	Type  string `json:"type"`
	Ref   string `json:"ref"`
	Label string `json:"label"`
	// Origin is BIP329's optional abbreviated descriptor of the wallet the
	// label came from, e.g. "wpkh([d34db33f/84'/0'/0'])".
	Origin string `json:"origin,omitempty"`
}

// ChangeSet is what a Wallet operation changed, in the spirit of BDK's
// change sets: plain data, JSON-serialisable, and mergeable so that a store
// can append each one and later rebuild the wallet with FromChangeSet from
// their Merge. Every field merges independently; see Merge for the rules.
type ChangeSet struct {
	// Params is set only in the wallet's first change set.
	Params *Params `json:"params,omitempty"`
	// Derived is, per keychain (0 receive, 1 change), how many scripts have
	// been derived and watched (indexes 0..n-1). Merge keeps the maximum.
	Derived map[Keychain]uint32 `json:"derived,omitempty"`
	// Revealed is, per keychain, how many addresses were handed out
	// (NextAddress). Merge keeps the maximum.
	Revealed map[Keychain]uint32 `json:"revealed,omitempty"`
	// Checkpoints maps heights to block hashes (hex, RPC byte order); an
	// empty hash removes the checkpoint (Disconnect). Later values win.
	Checkpoints map[int32]string `json:"checkpoints,omitempty"`
	// Txs maps txids to raw transactions in hex. Merge is a union.
	Txs map[string]string `json:"txs,omitempty"`
	// Anchors lists the blocks transactions were seen in. Merge is a union.
	Anchors []Anchor `json:"anchors,omitempty"`
	// FirstSeen and LastSeen are the Unix times a transaction was first and
	// last seen unconfirmed in the node's mempool. Merge keeps the minimum
	// first-seen and the maximum last-seen time.
	FirstSeen map[string]int64 `json:"first_seen,omitempty"`
	LastSeen  map[string]int64 `json:"last_seen,omitempty"`
	// Evicted is the Unix time a transaction was found missing from the
	// mempool while unconfirmed. Merge keeps the maximum.
	Evicted map[string]int64 `json:"evicted,omitempty"`
	// Labels is keyed by "type:ref" (BIP329). Later values win.
	Labels map[string]Label `json:"labels,omitempty"`
	// Frozen maps outpoints ("txid:vout") to whether the user froze them.
	// Later values win.
	Frozen map[string]bool `json:"frozen,omitempty"`
	// Locked maps outpoints to the id of the pending PSBT that spends them;
	// an empty id unlocks. Later values win.
	Locked map[string]string `json:"locked,omitempty"`
	// ChangeReserved maps change indexes to the id of the pending PSBT that
	// pays its change there, so the next PSBT built before that one is
	// broadcast takes another change address; an empty id releases the
	// index. Later values win.
	ChangeReserved map[uint32]string `json:"change_reserved,omitempty"`
}

// IsEmpty reports whether the change set changes nothing, so a store can
// skip writing it.
func (c *ChangeSet) IsEmpty() bool {
	return c.Params == nil && len(c.Derived) == 0 && len(c.Revealed) == 0 && len(c.Checkpoints) == 0 &&
		len(c.Txs) == 0 && len(c.Anchors) == 0 && len(c.FirstSeen) == 0 && len(c.LastSeen) == 0 &&
		len(c.Evicted) == 0 && len(c.Labels) == 0 && len(c.Frozen) == 0 && len(c.Locked) == 0 &&
		len(c.ChangeReserved) == 0
}

// Merge folds other, a later change set, into c. Merging is associative and
// applying Merge(a, b) gives the same wallet as applying a then b: maxima for
// counters and last-seen times, minimum for first-seen times, unions for
// transactions and anchors, and the later value for checkpoints, labels,
// frozen and locked outpoints and reserved change indexes.
func (c *ChangeSet) Merge(other ChangeSet) {
	if other.Params != nil && c.Params == nil {
		p := *other.Params
		c.Params = &p
	}
	c.Derived = mergeMax(c.Derived, other.Derived)
	c.Revealed = mergeMax(c.Revealed, other.Revealed)
	c.Checkpoints = mergeLater(c.Checkpoints, other.Checkpoints)
	c.Txs = mergeLater(c.Txs, other.Txs)
	c.FirstSeen = mergeMin(c.FirstSeen, other.FirstSeen)
	c.LastSeen = mergeMax(c.LastSeen, other.LastSeen)
	c.Evicted = mergeMax(c.Evicted, other.Evicted)
	c.Labels = mergeLater(c.Labels, other.Labels)
	c.Frozen = mergeLater(c.Frozen, other.Frozen)
	c.Locked = mergeLater(c.Locked, other.Locked)
	c.ChangeReserved = mergeLater(c.ChangeReserved, other.ChangeReserved)
	if len(other.Anchors) > 0 {
		c.Anchors = append(c.Anchors, other.Anchors...)
		slices.SortFunc(c.Anchors, compareAnchors)
		c.Anchors = slices.Compact(c.Anchors)
	}
}

func compareAnchors(a, b Anchor) int {
	return cmp.Or(cmp.Compare(a.Txid, b.Txid), cmp.Compare(a.Height, b.Height), cmp.Compare(a.Hash, b.Hash), cmp.Compare(a.Time, b.Time))
}

func mergeLater[K comparable, V any](dst, src map[K]V) map[K]V {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[K]V, len(src))
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

func mergeMax[K comparable, V cmp.Ordered](dst, src map[K]V) map[K]V {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[K]V, len(src))
	}
	for k, v := range src {
		if old, ok := dst[k]; !ok || v > old {
			dst[k] = v
		}
	}
	return dst
}

func mergeMin[K comparable, V cmp.Ordered](dst, src map[K]V) map[K]V {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[K]V, len(src))
	}
	for k, v := range src {
		if old, ok := dst[k]; !ok || v < old {
			dst[k] = v
		}
	}
	return dst
}
