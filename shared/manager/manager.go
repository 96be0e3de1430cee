// Package manager holds the engine's managers over a store.Store: devices
// (hardware signers and the software "hot" signer), wallets built from their
// keys, configuration, pending PSBTs, labels and the backup of everything.
// It follows Specter Desktop's DeviceManager and WalletManager: names are the
// user's, ids are Specter-style aliases of the names; a device used by a
// wallet cannot be deleted. It does no I/O besides the Store and builds for
// js/wasm.
//
// Every logical change is exactly one Store.Apply, and the in-memory view is
// only updated after that Apply succeeded, so a failed write leaves both the
// store and the engine as they were.
package manager

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// DefaultScryptN is the scrypt cost parameter N used to encrypt hot device
// seeds when Options.ScryptN is zero: 2^17 with r=8 and p=1 (RFC 7914 §2
// recommends N=2^20 for file encryption; 2^17 keeps unlocking usable in a
// browser while costing an attacker 128 MiB per guess).
const DefaultScryptN = 1 << 17

// Options tune an Engine. The zero value gives the production defaults.
type Options struct {
	// ScryptN is the scrypt cost (a power of two, at least 2^10) for new hot
	// device seeds; 0 means DefaultScryptN. Tests pass a small value.
	ScryptN int
	// Now returns the current time for CreatedAt fields; nil means
	// time.Now. Tests pass a fixed clock.
	Now func() time.Time
	// SeedCipher is the AES-256-GCM step (NIST SP 800-38D) that seals and
	// opens hot device seeds; nil means GoAESGCM. The browser build passes
	// WebCrypto's (wasm/webcrypto).
	SeedCipher SeedCipher
}

// Engine is the set of managers over one Store. It is safe for concurrent
// use: every method takes the engine's lock.
type Engine struct {
	mu         sync.Mutex
	st         store.Store
	scryptN    int
	now        func() time.Time
	seedCipher SeedCipher

	devices map[string]Device
	wallets map[string]*walletEntry
	psbts   map[string]PendingPSBT // by store key walletID/psbtID
	config  Config
}

// walletEntry is a wallet with its live core state.
type walletEntry struct {
	rec  Wallet
	core *wallet.Wallet
	// keys are the store keys of the wallet's persisted change sets.
	keys []string
	// next is the sequence number of the next change set.
	next uint64
}

// Open loads every device, wallet (rebuilding each wallet's core from its
// change sets), pending PSBT and the configuration from st.
func Open(ctx context.Context, st store.Store, opts Options) (*Engine, error) {
	n := opts.ScryptN
	if n == 0 {
		n = DefaultScryptN
	}
	if err := checkScryptParams(n, scryptR, scryptP); err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	var sc SeedCipher = GoAESGCM{}
	if opts.SeedCipher != nil {
		sc = opts.SeedCipher
	}
	e := &Engine{st: st, scryptN: n, now: now, seedCipher: sc}
	if err := e.load(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Engine) load(ctx context.Context) error {
	devices := map[string]Device{}
	recs, err := e.st.List(ctx, store.Devices)
	if err != nil {
		return storageErr("reading the devices", err)
	}
	for _, r := range recs {
		var d Device
		if err := json.Unmarshal(r.Value, &d); err != nil {
			return corruptErr("device "+r.Key, err)
		}
		devices[r.Key] = d
	}
	wallets := map[string]*walletEntry{}
	recs, err = e.st.List(ctx, store.Wallets)
	if err != nil {
		return storageErr("reading the wallets", err)
	}
	for _, r := range recs {
		var w Wallet
		if err := json.Unmarshal(r.Value, &w); err != nil {
			return corruptErr("wallet "+r.Key, err)
		}
		wallets[r.Key] = &walletEntry{rec: w}
	}
	recs, err = e.st.List(ctx, store.ChangeSets)
	if err != nil {
		return storageErr("reading the wallet histories", err)
	}
	merged := map[string]*wallet.ChangeSet{}
	for _, r := range recs { // sorted by key: walletID/sequence in order
		id, seq, ok := splitChangeSetKey(r.Key)
		if !ok {
			return corruptErr("change set "+r.Key, fmt.Errorf("the key is not walletID/sequence"))
		}
		w := wallets[id]
		if w == nil {
			continue // left over from a wallet that no longer exists
		}
		var cs wallet.ChangeSet
		if err := json.Unmarshal(r.Value, &cs); err != nil {
			return corruptErr("change set "+r.Key, err)
		}
		if merged[id] == nil {
			merged[id] = &wallet.ChangeSet{}
		}
		merged[id].Merge(cs)
		w.keys = append(w.keys, r.Key)
		if seq >= w.next {
			w.next = seq + 1
		}
	}
	for id, w := range wallets {
		cs := merged[id]
		if cs == nil {
			return corruptErr("wallet "+w.rec.Name, fmt.Errorf("its history (change sets) is missing"))
		}
		if w.core, err = wallet.FromChangeSet(*cs); err != nil {
			return corruptErr("wallet "+w.rec.Name, err)
		}
	}
	psbts := map[string]PendingPSBT{}
	recs, err = e.st.List(ctx, store.PSBTs)
	if err != nil {
		return storageErr("reading the pending PSBTs", err)
	}
	for _, r := range recs {
		var p PendingPSBT
		if err := json.Unmarshal(r.Value, &p); err != nil {
			return corruptErr("pending PSBT "+r.Key, err)
		}
		psbts[r.Key] = p
	}
	cfg := DefaultConfig()
	raw, err := e.st.Get(ctx, store.Config, configKey)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return corruptErr("configuration", err)
		}
	case !isNotFound(err):
		return storageErr("reading the configuration", err)
	}
	e.devices, e.wallets, e.psbts, e.config = devices, wallets, psbts, cfg
	return nil
}

// changeSetKey is the store key of a wallet's change set number seq: the
// fixed width keeps the store's key order equal to the write order.
func changeSetKey(walletID string, seq uint64) string {
	return fmt.Sprintf("%s/%012d", walletID, seq)
}

func splitChangeSetKey(k string) (string, uint64, bool) {
	id, num, ok := strings.Cut(k, "/")
	if !ok || id == "" || len(num) != 12 {
		return "", 0, false
	}
	var seq uint64
	for _, c := range num {
		if c < '0' || c > '9' {
			return "", 0, false
		}
		seq = seq*10 + uint64(c-'0')
	}
	return id, seq, true
}

func psbtKey(walletID, psbtID string) string { return walletID + "/" + psbtID }

// apply writes ops as one transaction, wrapping a failure for the user.
func (e *Engine) apply(ctx context.Context, what string, ops ...store.Op) error {
	if err := e.st.Apply(ctx, ops...); err != nil {
		return storageErr(what, err)
	}
	return nil
}

func putJSON(collection, key string, v any) (store.Op, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return store.Op{}, fmt.Errorf("encoding %s/%s: %w", collection, key, err)
	}
	return store.Put(collection, key, b), nil
}

// sortedNames returns the names sorted case-insensitively.
func sortedNames(names []string) []string {
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	return names
}
