// Package wallet is the I/O-free wallet core, shaped after BDK
// (bitcoindevkit): a pair of descriptor keychains (receive /0, change /1,
// BIP380-389), an index of derived scriptPubKeys watched up to a stop gap
// (BIP44's address gap limit), a transaction graph with block anchors and
// mempool sightings, and a checkpoint chain for reorg detection.
//
// The wallet takes facts (ApplyBlock, ApplyMempool, ApplyEvicted,
// Disconnect, labels, freezes, locks) and returns a ChangeSet for each; it
// never opens a socket or a database. A store appends the change sets and
// FromChangeSet rebuilds the same wallet from their Merge. Every view
// (UTXOs, Balance, Transactions, Addresses) is computed from the graph: a
// transaction is confirmed while its anchor block is on the checkpoint
// chain; unconfirmed conflicts resolve to the confirmed side, or between two
// unconfirmed transactions to the newer one (BIP125 replacement).
package wallet

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
)

// Keychain selects a descriptor branch: Receive (0, external) or Change
// (1, internal), as in BIP44 and the BIP389 <0;1> convention.
type Keychain uint8

const (
	// Receive is keychain 0: addresses handed out to payers.
	Receive Keychain = 0
	// Change is keychain 1: the wallet's own change outputs.
	Change Keychain = 1
)

// String returns "receive" or "change".
func (k Keychain) String() string {
	if k == Change {
		return "change"
	}
	return "receive"
}

// DefaultGapLimit is the number of unused scripts watched past the last used
// one when Params.GapLimit is zero (BIP44 suggests 20).
const DefaultGapLimit = 20

// maxGapLimit bounds the gap limit so a typo cannot make the wallet derive
// millions of keys.
const maxGapLimit = 10000

// ScriptRef locates a derived script: keychain and derivation index.
type ScriptRef struct {
	Keychain Keychain `json:"keychain"`
	Index    uint32   `json:"index"`
}

// ErrReorg is returned (wrapped) by ApplyBlock when the block does not fit
// the wallet's checkpoint chain: the node's chain reorganised and the caller
// must Disconnect to the fork point first.
var ErrReorg = errors.New("block does not connect to the wallet's checkpoints")

// Wallet is the wallet state. It is not safe for concurrent use; the caller
// serialises access (one sync at a time).
type Wallet struct {
	params  Params
	net     network.Network
	chain   *chaincfg.Params
	desc    [2]*descriptor.Descriptor
	state   ChangeSet
	scripts [2][][]byte
	index   map[string]ScriptRef
	txs     map[string]*wire.MsgTx
	owned   map[wire.OutPoint]ScriptRef
	used    map[ScriptRef]bool
	last    [2]int64 // last used index per keychain, -1 when none
	anchors map[string][]Anchor
	cache   *view
}

// New creates a wallet from its parameters and returns it with its first
// ChangeSet (the parameters and the first gap-limit scripts), which the
// caller persists.
func New(p Params) (*Wallet, ChangeSet, error) {
	w, err := newEmpty(p)
	if err != nil {
		return nil, ChangeSet{}, err
	}
	var cs ChangeSet
	pp := w.params
	if err := w.commit(&cs, ChangeSet{Params: &pp}); err != nil {
		return nil, ChangeSet{}, err
	}
	if err := w.ensureGap(&cs); err != nil {
		return nil, ChangeSet{}, err
	}
	return w, cs, nil
}

// FromChangeSet rebuilds a wallet from the Merge of every change set it
// returned, starting with New's. The result equals the wallet that produced
// them.
func FromChangeSet(cs ChangeSet) (*Wallet, error) {
	if cs.Params == nil {
		return nil, errors.New("wallet change set has no parameters: the first change set (from wallet.New) is missing from the store")
	}
	w, err := newEmpty(*cs.Params)
	if err != nil {
		return nil, err
	}
	if err := w.apply(cs); err != nil {
		return nil, fmt.Errorf("rebuilding the wallet from its stored changes: %w", err)
	}
	var extra ChangeSet
	if err := w.ensureGap(&extra); err != nil {
		return nil, err
	}
	return w, nil
}

func newEmpty(p Params) (*Wallet, error) {
	net, err := network.Parse(p.Network)
	if err != nil {
		return nil, fmt.Errorf("wallet network: %w", err)
	}
	p.Network = string(net)
	if p.GapLimit == 0 {
		p.GapLimit = DefaultGapLimit
	}
	if p.GapLimit > maxGapLimit {
		return nil, fmt.Errorf("gap limit %d is too large: use at most %d", p.GapLimit, maxGapLimit)
	}
	if p.Birthday < 0 {
		return nil, fmt.Errorf("birthday height %d is negative: use 0 to scan from the genesis block", p.Birthday)
	}
	recv, err := descriptor.Parse(p.Receive)
	if err != nil {
		return nil, fmt.Errorf("receive descriptor: %w", err)
	}
	var ds [2]*descriptor.Descriptor
	if p.Change == "" {
		if recv.PathCount() != 2 {
			return nil, fmt.Errorf("a single descriptor must be a BIP389 multipath descriptor with two branches like .../<0;1>/*, this one has %d: give a change descriptor too", recv.PathCount())
		}
		for i := range 2 {
			if ds[i], err = recv.Branch(i); err != nil {
				return nil, fmt.Errorf("descriptor branch %d: %w", i, err)
			}
		}
	} else {
		chg, err := descriptor.Parse(p.Change)
		if err != nil {
			return nil, fmt.Errorf("change descriptor: %w", err)
		}
		if recv.PathCount() != 1 || chg.PathCount() != 1 {
			return nil, errors.New("with separate receive and change descriptors neither may be multipath: give one <0;1> descriptor or two single-path ones")
		}
		ds = [2]*descriptor.Descriptor{recv, chg}
	}
	for i, d := range ds {
		if !d.IsRange() {
			return nil, fmt.Errorf("the %s descriptor has no /* wildcard: a wallet needs ranged descriptors to derive fresh addresses", Keychain(i))
		}
	}
	if ds[0].StringNoChecksum() == ds[1].StringNoChecksum() {
		return nil, errors.New("the receive and change descriptors are the same: change needs its own branch (usually /1/* next to /0/*)")
	}
	w := &Wallet{
		params:  p,
		net:     net,
		chain:   net.Params(),
		desc:    ds,
		index:   map[string]ScriptRef{},
		txs:     map[string]*wire.MsgTx{},
		owned:   map[wire.OutPoint]ScriptRef{},
		used:    map[ScriptRef]bool{},
		last:    [2]int64{-1, -1},
		anchors: map[string][]Anchor{},
	}
	// Check the keys belong to the network before anything is derived.
	for i, d := range ds {
		if _, err := d.Address(0, net); err != nil && strings.Contains(err.Error(), "key") {
			return nil, fmt.Errorf("the %s descriptor does not fit network %s: %w", Keychain(i), net, err)
		}
	}
	return w, nil
}

// Descriptor returns the single-path descriptor of keychain k (for PSBT
// building: Derive gives the keys and scripts of an output's index).
func (w *Wallet) Descriptor(k Keychain) (*descriptor.Descriptor, error) {
	if k > Change {
		return nil, fmt.Errorf("keychain %d does not exist: only 0 (receive) and 1 (change)", k)
	}
	return w.desc[k], nil
}

// Params returns the wallet's parameters (with defaults filled in).
func (w *Wallet) Params() Params { return w.params }

// State returns every change the wallet holds, merged: FromChangeSet(State())
// gives an identical wallet. Removed checkpoints, labels and locks are left
// out.
func (w *Wallet) State() ChangeSet {
	var c ChangeSet
	c.Merge(w.state)
	return c
}

// commit applies part to the wallet and merges it into total.
func (w *Wallet) commit(total *ChangeSet, part ChangeSet) error {
	if part.IsEmpty() {
		return nil
	}
	if err := w.apply(part); err != nil {
		return err
	}
	total.Merge(part)
	return nil
}

// Apply adds to w a change set made by another copy of the same wallet
// (BDK's apply_changeset): a sync scanning its own copy hands each saved
// batch to the copy everyone else reads. Facts merge as ChangeSet.Merge
// says, so applying a change set twice changes nothing the second time.
func (w *Wallet) Apply(cs ChangeSet) error {
	if cs.Params != nil && *cs.Params != w.params {
		return errors.New("the change set belongs to another wallet (its parameters differ)")
	}
	return w.commit(&ChangeSet{}, cs)
}

// apply adds a change set's facts to the wallet.
func (w *Wallet) apply(cs ChangeSet) error {
	w.cache = nil
	if err := w.checkCounts(cs); err != nil {
		return err
	}
	for _, k := range []Keychain{Receive, Change} {
		if n, ok := cs.Derived[k]; ok {
			if err := w.deriveTo(k, n); err != nil {
				return err
			}
		}
	}
	txids := make([]string, 0, len(cs.Txs))
	for txid := range cs.Txs {
		txids = append(txids, txid)
	}
	sort.Strings(txids)
	for _, txid := range txids {
		if _, ok := w.txs[txid]; ok {
			continue
		}
		raw, err := hex.DecodeString(cs.Txs[txid])
		if err != nil {
			return fmt.Errorf("transaction %s is not hex: %w", txid, err)
		}
		tx := new(wire.MsgTx)
		if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
			return fmt.Errorf("transaction %s does not decode: %w", txid, err)
		}
		if got := tx.TxHash().String(); got != txid {
			return fmt.Errorf("transaction stored as %s has txid %s", txid, got)
		}
		w.addTx(txid, tx)
	}
	for _, a := range cs.Anchors {
		if !containsAnchor(w.anchors[a.Txid], a) {
			w.anchors[a.Txid] = append(w.anchors[a.Txid], a)
		}
	}
	w.state.Merge(cs)
	for h, hash := range w.state.Checkpoints {
		if hash == "" {
			delete(w.state.Checkpoints, h)
		}
	}
	for k, l := range w.state.Labels {
		if l.Label == "" {
			delete(w.state.Labels, k)
		}
	}
	for k, f := range w.state.Frozen {
		if !f {
			delete(w.state.Frozen, k)
		}
	}
	for k, id := range w.state.Locked {
		if id == "" {
			delete(w.state.Locked, k)
		}
	}
	for i, id := range w.state.ChangeReserved {
		if id == "" {
			delete(w.state.ChangeReserved, i)
		}
	}
	return nil
}

// maxIndex bounds derivation indexes: BIP32 unhardened children are below 2^31.
const maxIndex = 1 << 31

func (w *Wallet) checkCounts(cs ChangeSet) error {
	for _, m := range []map[Keychain]uint32{cs.Derived, cs.Revealed} {
		for k, n := range m {
			if k > Change {
				return fmt.Errorf("keychain %d does not exist: only 0 (receive) and 1 (change)", k)
			}
			if uint64(n)+uint64(w.params.GapLimit) > maxIndex {
				return fmt.Errorf("%s index %d is past the last unhardened BIP32 index", k, n)
			}
		}
	}
	return nil
}

func containsAnchor(as []Anchor, a Anchor) bool {
	for _, x := range as {
		if x.Height == a.Height && x.Hash == a.Hash {
			return true
		}
	}
	return false
}

// addTx inserts a transaction into the graph and indexes its outputs.
func (w *Wallet) addTx(txid string, tx *wire.MsgTx) {
	w.txs[txid] = tx
	w.indexOutputs(txid, tx)
}

func (w *Wallet) indexOutputs(txid string, tx *wire.MsgTx) {
	h := tx.TxHash()
	for i, out := range tx.TxOut {
		ref, ok := w.index[string(out.PkScript)]
		if !ok {
			continue
		}
		w.owned[wire.OutPoint{Hash: h, Index: uint32(i)}] = ref
		w.used[ref] = true
		if int64(ref.Index) > w.last[ref.Keychain] {
			w.last[ref.Keychain] = int64(ref.Index)
		}
	}
}

// deriveTo derives and indexes scripts of keychain k up to count n.
func (w *Wallet) deriveTo(k Keychain, n uint32) error {
	start := len(w.scripts[k])
	if uint32(start) >= n {
		return nil
	}
	for i := uint32(start); i < n; i++ {
		d, err := w.desc[k].Derive(i)
		if err != nil {
			return fmt.Errorf("deriving %s script %d: %w", k, i, err)
		}
		if other, dup := w.index[string(d.ScriptPubKey)]; dup {
			return fmt.Errorf("%s script %d equals %s script %d: the descriptors overlap", k, i, other.Keychain, other.Index)
		}
		w.scripts[k] = append(w.scripts[k], d.ScriptPubKey)
		w.index[string(d.ScriptPubKey)] = ScriptRef{Keychain: k, Index: i}
	}
	// Transactions already in the graph may pay the new scripts.
	for txid, tx := range w.txs {
		w.indexOutputs(txid, tx)
	}
	return nil
}

// ensureGap derives scripts so that each keychain watches GapLimit scripts
// past the last used or revealed one, and records that in total.
func (w *Wallet) ensureGap(total *ChangeSet) error {
	for {
		part := ChangeSet{}
		for _, k := range []Keychain{Receive, Change} {
			base := uint32(w.last[k] + 1)
			if r := w.state.Revealed[k]; r > base {
				base = r
			}
			need := base + w.params.GapLimit
			if need > uint32(len(w.scripts[k])) {
				if part.Derived == nil {
					part.Derived = map[Keychain]uint32{}
				}
				part.Derived[k] = need
			}
		}
		if part.IsEmpty() {
			return nil
		}
		if err := w.commit(total, part); err != nil {
			return err
		}
	}
}

// Scripts returns every watched scriptPubKey of both keychains (the set a
// BIP158 filter is matched against). The slices must not be modified.
func (w *Wallet) Scripts() [][]byte {
	out := make([][]byte, 0, len(w.scripts[0])+len(w.scripts[1]))
	out = append(out, w.scripts[0]...)
	return append(out, w.scripts[1]...)
}

// ScriptCount is len(Scripts()) without building the slice: a sync compares
// it before and after applying a block to see whether new scripts appeared.
func (w *Wallet) ScriptCount() int { return len(w.scripts[0]) + len(w.scripts[1]) }

// Derived is how many scripts of keychain k are derived and watched
// (indexes 0 to Derived-1): State().Derived[k] without copying the state.
func (w *Wallet) Derived(k Keychain) uint32 {
	if k > Change {
		return 0
	}
	return uint32(len(w.scripts[k]))
}

// IsMine reports whether script is one of the wallet's derived scripts and
// where it was derived.
func (w *Wallet) IsMine(script []byte) (Keychain, uint32, bool) {
	ref, ok := w.index[string(script)]
	return ref.Keychain, ref.Index, ok
}

// HasTx reports whether the transaction graph holds txid.
func (w *Wallet) HasTx(txid string) bool {
	_, ok := w.txs[txid]
	return ok
}

// Tx returns a transaction of the graph.
func (w *Wallet) Tx(txid string) (*wire.MsgTx, bool) {
	tx, ok := w.txs[txid]
	return tx, ok
}

// Checkpoint is a block the wallet has seen on its chain.
type Checkpoint struct {
	Height int32  `json:"height"`
	Hash   string `json:"hash"`
}

// Checkpoints returns the checkpoint chain, highest first.
func (w *Wallet) Checkpoints() []Checkpoint {
	out := make([]Checkpoint, 0, len(w.state.Checkpoints))
	for h, hash := range w.state.Checkpoints {
		out = append(out, Checkpoint{Height: h, Hash: hash})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Height > out[j].Height })
	return out
}

// CheckpointAt returns the checkpoint hash at height, if the wallet has one.
func (w *Wallet) CheckpointAt(height int32) (string, bool) {
	h, ok := w.state.Checkpoints[height]
	return h, ok
}

// Tip returns the highest checkpoint; ok is false before the first block.
func (w *Wallet) Tip() (cp Checkpoint, ok bool) {
	cp.Height = -1
	for h, hash := range w.state.Checkpoints {
		if h > cp.Height {
			cp = Checkpoint{Height: h, Hash: hash}
			ok = true
		}
	}
	return cp, ok
}

// IsRelevant reports whether tx pays one of the wallet's watched scripts or
// spends one of its outputs (a block without such a transaction need not be
// applied).
func (w *Wallet) IsRelevant(tx *wire.MsgTx) bool { return w.isRelevant(tx) }

// isRelevant reports whether tx pays one of the wallet's scripts or spends
// one of its outputs.
func (w *Wallet) isRelevant(tx *wire.MsgTx) bool {
	for _, out := range tx.TxOut {
		if _, ok := w.index[string(out.PkScript)]; ok {
			return true
		}
	}
	for _, in := range tx.TxIn {
		if _, ok := w.owned[in.PreviousOutPoint]; ok {
			return true
		}
	}
	return false
}

func txHex(tx *wire.MsgTx) (string, error) {
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return "", fmt.Errorf("serialising transaction %s: %w", tx.TxHash(), err)
	}
	return hex.EncodeToString(buf.Bytes()), nil
}

// normHash checks a block hash in RPC (reversed hex) form and lower-cases it.
func normHash(what, s string) (string, error) {
	h, err := chainhash.NewHashFromStr(s)
	if err != nil || len(s) != 64 {
		return "", fmt.Errorf("%s %q is not a 64-character hex block hash", what, s)
	}
	return h.String(), nil
}

// Block is a block's facts for ApplyBlock: its place in the chain and the
// transactions of it that may concern the wallet (passing all of them is
// fine; irrelevant ones are dropped).
type Block struct {
	Height   int32
	Hash     string // block hash, RPC hex
	PrevHash string // previous block's hash, RPC hex
	Time     int64  // header timestamp, Unix seconds
	Txs      []*wire.MsgTx
}

// ApplyBlock records a connected block: its checkpoint, and every
// transaction of it that pays or spends the wallet, anchored to the block.
// When a transaction uses a script near the end of the watched range, more
// scripts are derived (gap limit) and the block is checked again for them.
// A block that contradicts a checkpoint at its height or its parent's height
// returns an error wrapping ErrReorg: Disconnect to the fork point first.
func (w *Wallet) ApplyBlock(b Block) (ChangeSet, error) {
	hash, err := normHash("block hash", b.Hash)
	if err != nil {
		return ChangeSet{}, err
	}
	if b.Height < 0 {
		return ChangeSet{}, fmt.Errorf("block %s has negative height %d", hash, b.Height)
	}
	prev := ""
	if b.Height > 0 {
		if prev, err = normHash("previous block hash", b.PrevHash); err != nil {
			return ChangeSet{}, err
		}
	}
	if cp, ok := w.state.Checkpoints[b.Height]; ok && cp != hash {
		return ChangeSet{}, fmt.Errorf("block %s at height %d replaces checkpoint %s: %w (Disconnect(%d) first)", hash, b.Height, cp, ErrReorg, b.Height-1)
	}
	if cp, ok := w.state.Checkpoints[b.Height-1]; ok && b.Height > 0 && cp != prev {
		return ChangeSet{}, fmt.Errorf("block %s at height %d builds on %s, not on checkpoint %s: %w (Disconnect(%d) first)", hash, b.Height, prev, cp, ErrReorg, b.Height-2)
	}
	var total ChangeSet
	if err := w.commit(&total, ChangeSet{Checkpoints: map[int32]string{b.Height: hash}}); err != nil {
		return ChangeSet{}, err
	}
	done := make([]bool, len(b.Txs))
	for {
		part := ChangeSet{}
		for i, tx := range b.Txs {
			if done[i] || tx == nil {
				continue
			}
			txid := tx.TxHash().String()
			_, known := w.txs[txid]
			if !known && !w.isRelevant(tx) {
				continue
			}
			done[i] = true
			if !known {
				raw, err := txHex(tx)
				if err != nil {
					return ChangeSet{}, err
				}
				if part.Txs == nil {
					part.Txs = map[string]string{}
				}
				part.Txs[txid] = raw
			}
			a := Anchor{Txid: txid, Height: b.Height, Hash: hash, Time: b.Time}
			if !containsAnchor(w.anchors[txid], a) {
				part.Anchors = append(part.Anchors, a)
			}
		}
		if part.IsEmpty() {
			return total, nil
		}
		if err := w.commit(&total, part); err != nil {
			return ChangeSet{}, err
		}
		if err := w.ensureGap(&total); err != nil {
			return ChangeSet{}, err
		}
	}
}

// ApplyMempool records unconfirmed transactions seen in the node's mempool
// at time seen. Irrelevant ones are dropped; a child spending a wallet
// output of another listed transaction is found in any order.
func (w *Wallet) ApplyMempool(txs []*wire.MsgTx, seen time.Time) (ChangeSet, error) {
	at := seen.Unix()
	var total ChangeSet
	done := make([]bool, len(txs))
	for {
		part := ChangeSet{}
		for i, tx := range txs {
			if done[i] || tx == nil {
				continue
			}
			txid := tx.TxHash().String()
			_, known := w.txs[txid]
			if !known && !w.isRelevant(tx) {
				continue
			}
			done[i] = true
			if !known {
				raw, err := txHex(tx)
				if err != nil {
					return ChangeSet{}, err
				}
				if part.Txs == nil {
					part.Txs = map[string]string{}
				}
				part.Txs[txid] = raw
			}
			if _, ok := w.state.FirstSeen[txid]; !ok {
				if part.FirstSeen == nil {
					part.FirstSeen = map[string]int64{}
				}
				part.FirstSeen[txid] = at
			}
			if at > w.state.LastSeen[txid] {
				if part.LastSeen == nil {
					part.LastSeen = map[string]int64{}
				}
				part.LastSeen[txid] = at
			}
		}
		if part.IsEmpty() {
			return total, nil
		}
		if err := w.commit(&total, part); err != nil {
			return ChangeSet{}, err
		}
		if err := w.ensureGap(&total); err != nil {
			return ChangeSet{}, err
		}
	}
}

// ApplyEvicted records that unconfirmed transactions were missing from the
// node's mempool at time at (dropped, or never relayed). They leave the
// balance until seen again in the mempool or in a block. Confirmed and
// unknown txids are ignored.
func (w *Wallet) ApplyEvicted(txids []string, at time.Time) ChangeSet {
	v := w.view()
	var cs ChangeSet
	for _, txid := range txids {
		st, ok := v.status[txid]
		if !ok || st.status == StatusConfirmed || w.state.Evicted[txid] >= at.Unix() {
			continue
		}
		if cs.Evicted == nil {
			cs.Evicted = map[string]int64{}
		}
		cs.Evicted[txid] = at.Unix()
	}
	_ = w.commit(&ChangeSet{}, cs) // only times: cannot fail
	return cs
}

// Disconnect undoes the blocks above toHeight after a reorg: their
// checkpoints are removed, so transactions anchored in them are unconfirmed
// again (until the new chain or the mempool says where they are). Use
// toHeight -1 to forget every checkpoint.
func (w *Wallet) Disconnect(toHeight int32) ChangeSet {
	var cs ChangeSet
	for h := range w.state.Checkpoints {
		if h > toHeight {
			if cs.Checkpoints == nil {
				cs.Checkpoints = map[int32]string{}
			}
			cs.Checkpoints[h] = ""
		}
	}
	_ = w.commit(&ChangeSet{}, cs) // only checkpoint removals: cannot fail
	return cs
}

// AddressInfo describes one derived address.
type AddressInfo struct {
	Address  string   `json:"address"`
	Keychain Keychain `json:"keychain"`
	Index    uint32   `json:"index"`
	// Used is true once any transaction in the graph paid the address.
	Used bool `json:"used"`
	// Balance is the value of the address's unspent outputs, in satoshis.
	Balance int64  `json:"balance"`
	Label   string `json:"label,omitempty"`
}

// UsedFilter selects addresses by usage.
type UsedFilter int

const (
	// AllAddresses lists used and unused addresses.
	AllAddresses UsedFilter = iota
	// UsedOnly lists addresses that received a payment.
	UsedOnly
	// UnusedOnly lists addresses that never received one.
	UnusedOnly
)

func (w *Wallet) addressOf(script []byte) string {
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(script, w.chain)
	if err != nil || len(addrs) != 1 {
		return ""
	}
	return addrs[0].EncodeAddress()
}

func (w *Wallet) addressInfo(k Keychain, i uint32, v *view) AddressInfo {
	script := w.scripts[k][i]
	ref := ScriptRef{Keychain: k, Index: i}
	a := AddressInfo{Address: w.addressOf(script), Keychain: k, Index: i, Used: w.used[ref], Balance: v.byScript[ref]}
	if a.Address != "" {
		a.Label = w.state.Labels["addr:"+a.Address].Label
	}
	return a
}

// Addresses lists the addresses of keychain k that were handed out or used
// (index 0 up to the highest of them), filtered by usage. Every address is
// derived from the wallet's own descriptor.
func (w *Wallet) Addresses(k Keychain, filter UsedFilter) []AddressInfo {
	if k > Change {
		return nil
	}
	n := uint32(w.last[k] + 1)
	if r := w.state.Revealed[k]; r > n {
		n = r
	}
	v := w.view()
	var out []AddressInfo
	for i := range n {
		a := w.addressInfo(k, i, v)
		if filter == UsedOnly && !a.Used || filter == UnusedOnly && a.Used {
			continue
		}
		out = append(out, a)
	}
	return out
}

// NextAddress reveals and returns the first address of keychain k that has
// never been used (it may have been handed out before and not paid yet).
func (w *Wallet) NextAddress(k Keychain) (AddressInfo, ChangeSet, error) {
	if k > Change {
		return AddressInfo{}, ChangeSet{}, fmt.Errorf("keychain %d does not exist: only 0 (receive) and 1 (change)", k)
	}
	var i uint32
	for w.used[ScriptRef{Keychain: k, Index: i}] || k == Change && w.state.ChangeReserved[i] != "" {
		i++
	}
	var cs ChangeSet
	if i+1 > w.state.Revealed[k] {
		if err := w.commit(&cs, ChangeSet{Revealed: map[Keychain]uint32{k: i + 1}}); err != nil {
			return AddressInfo{}, ChangeSet{}, err
		}
	}
	if err := w.ensureGap(&cs); err != nil {
		return AddressInfo{}, ChangeSet{}, err
	}
	a := w.addressInfo(k, i, w.view())
	if a.Address == "" {
		return AddressInfo{}, cs, fmt.Errorf("the %s descriptor's script %x has no address form", k, w.scripts[k][i])
	}
	return a, cs, nil
}

// NextReceiveAddress is NextAddress(Receive).
func (w *Wallet) NextReceiveAddress() (AddressInfo, ChangeSet, error) { return w.NextAddress(Receive) }

// NextChangeAddress is NextAddress(Change), for a transaction's change
// output: it skips the change indexes reserved by pending PSBTs
// (ReserveChange), so two payments prepared together never share a change
// address.
func (w *Wallet) NextChangeAddress() (AddressInfo, ChangeSet, error) { return w.NextAddress(Change) }
