// Package store is the persistence port of the engine: the managers of
// shared/ read and write records through a Store, and each platform plugs in
// an adapter (IndexedDB in the browser, memory in tests, files on the relay).
//
// A Store holds opaque values by collection and key. Apply writes a batch of
// puts and deletes atomically: after a crash or a closed tab either every
// operation of the batch is visible or none is, so one logical change of the
// wallet is always one Apply.
package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// The collections the engine uses. An adapter may create them up front (the
// IndexedDB adapter makes one object store each).
const (
	Devices    = "devices"
	Wallets    = "wallets"
	Config     = "config"
	PSBTs      = "psbts"
	Labels     = "labels"
	ChangeSets = "changesets"
	Meta       = "meta"
)

// Collections lists every collection in a stable order.
var Collections = []string{Devices, Wallets, Config, PSBTs, Labels, ChangeSets, Meta}

// ErrNotFound is returned by Get when the key is not in the collection.
var ErrNotFound = errors.New("not found")

// Record is one stored value with its key.
type Record struct {
	Key   string
	Value []byte
}

// Op is one write of a batch: a put of Value, or a delete when Delete is set.
type Op struct {
	Collection string
	Key        string
	Value      []byte
	Delete     bool
}

// Put returns the operation that stores value under collection/key.
func Put(collection, key string, value []byte) Op {
	return Op{Collection: collection, Key: key, Value: value}
}

// Del returns the operation that removes collection/key.
func Del(collection, key string) Op { return Op{Collection: collection, Key: key, Delete: true} }

// Store is the persistence port. Implementations must be safe for use by
// several goroutines.
type Store interface {
	// Get returns the value under collection/key, or an error wrapping
	// ErrNotFound.
	Get(ctx context.Context, collection, key string) ([]byte, error)
	// List returns every record of the collection sorted by key.
	List(ctx context.Context, collection string) ([]Record, error)
	// Apply writes every operation in one atomic transaction.
	Apply(ctx context.Context, ops ...Op) error
}

// Validate checks a batch before it is applied: known collections and
// non-empty keys. Adapters call it so a bad batch fails before any write.
func Validate(ops []Op) error {
	for i, op := range ops {
		if !known(op.Collection) {
			return fmt.Errorf("store: operation %d names unknown collection %q", i, op.Collection)
		}
		if op.Key == "" {
			return fmt.Errorf("store: operation %d on %s has an empty key", i, op.Collection)
		}
	}
	return nil
}

func known(c string) bool {
	for _, k := range Collections {
		if k == c {
			return true
		}
	}
	return false
}

// Memory is a Store held in memory, for native tests and tools.
type Memory struct {
	mu   sync.RWMutex
	data map[string]map[string][]byte
}

// NewMemory returns an empty in-memory Store.
func NewMemory() *Memory { return &Memory{data: map[string]map[string][]byte{}} }

// Get implements Store.
func (m *Memory) Get(ctx context.Context, collection, key string) ([]byte, error) {
	if !known(collection) {
		return nil, fmt.Errorf("store: unknown collection %q", collection)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.data[collection][key]
	if !ok {
		return nil, fmt.Errorf("store: %s/%s: %w", collection, key, ErrNotFound)
	}
	return append([]byte(nil), v...), nil
}

// List implements Store.
func (m *Memory) List(ctx context.Context, collection string) ([]Record, error) {
	if !known(collection) {
		return nil, fmt.Errorf("store: unknown collection %q", collection)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Record, 0, len(m.data[collection]))
	for k, v := range m.data[collection] {
		out = append(out, Record{Key: k, Value: append([]byte(nil), v...)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Apply implements Store: the batch is validated first, then applied under
// one lock, so readers never see half of it.
func (m *Memory) Apply(ctx context.Context, ops ...Op) error {
	if err := Validate(ops); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, op := range ops {
		if op.Delete {
			delete(m.data[op.Collection], op.Key)
			continue
		}
		c := m.data[op.Collection]
		if c == nil {
			c = map[string][]byte{}
			m.data[op.Collection] = c
		}
		c[op.Key] = append([]byte(nil), op.Value...)
	}
	return nil
}
