// Package ttlcache keeps the relay's answers from upstream servers (fee
// recommendations, prices) for a while, and lets callers that ask for the
// same key at the same time share one upstream request ("single flight"):
// however many browsers open the send screen at once, the upstream server is
// asked once.
package ttlcache

import (
	"context"
	"sync"
	"time"
)

// Config tunes a Cache. V is the cached value's type.
type Config[V any] struct {
	// TTL is how long a fetched value is served without fetching again.
	// A value whose time lies in the future (the clock went back) counts
	// as expired.
	TTL time.Duration
	// Max bounds how many keys are held (no bound when zero). When a new
	// key would pass it, expired values go first, then the oldest one.
	Max int
	// Now is the clock (time.Now when nil); tests inject their own.
	Now func() time.Time
	// Stale, when set, is what Get returns (with a nil error) when a fetch
	// fails while an expired value of the key is still held: Stale(old,
	// err), typically old marked as stale with err's message. When nil,
	// the fetch's error is returned.
	Stale func(old V, err error) V
}

// Cache holds values by key, fetched on demand. Create it with New; it is
// safe for concurrent use.
type Cache[K comparable, V any] struct {
	cfg      Config[V]
	mu       sync.Mutex
	entries  map[K]entry[V]
	inflight map[K]*call[V]
}

type entry[V any] struct {
	v  V
	at time.Time
}

// call is one running fetch, shared by every caller of its key.
type call[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// WaitError is Get's error for a caller whose context ended while it waited
// for a fetch that another caller of the same key had started.
type WaitError struct {
	// Err is the caller's ctx.Err().
	Err error
}

// Error returns the message.
func (e *WaitError) Error() string { return "waiting for a fetch in progress: " + e.Err.Error() }

// Unwrap returns the context's error.
func (e *WaitError) Unwrap() error { return e.Err }

// New returns an empty cache for cfg.
func New[K comparable, V any](cfg Config[V]) *Cache[K, V] {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Cache[K, V]{cfg: cfg, entries: map[K]entry[V]{}, inflight: map[K]*call[V]{}}
}

// Get returns key's value: the held one when younger than TTL, otherwise
// fetch's result. While a fetch of key runs, other callers of key wait for
// it and get its result (its value or its error) instead of fetching again;
// fetch runs with the context of the caller that started it. A value is held
// (from when fetch returned) only when fetch succeeded, so the next caller
// after an error fetches again. A caller whose ctx ends while it waits gets
// a *WaitError. See Config.Stale for a failed fetch of an expired key.
func (c *Cache[K, V]) Get(ctx context.Context, key K, fetch func(context.Context) (V, error)) (V, error) {
	var zero V
	now := c.cfg.Now()
	c.mu.Lock()
	held, ok := c.entries[key]
	if ok && c.fresh(now, held.at) {
		c.mu.Unlock()
		return held.v, nil
	}
	cl, running := c.inflight[key]
	if !running {
		cl = &call[V]{done: make(chan struct{})}
		c.inflight[key] = cl
	}
	c.mu.Unlock()

	if running {
		select {
		case <-cl.done:
		case <-ctx.Done():
			return zero, &WaitError{Err: ctx.Err()}
		}
	} else {
		cl.v, cl.err = fetch(ctx)
		c.mu.Lock()
		if cl.err == nil {
			c.store(key, entry[V]{v: cl.v, at: c.cfg.Now()})
		}
		delete(c.inflight, key)
		c.mu.Unlock()
		close(cl.done)
	}
	if cl.err != nil {
		if ok && c.cfg.Stale != nil {
			return c.cfg.Stale(held.v, cl.err), nil
		}
		return zero, cl.err
	}
	return cl.v, nil
}

// fresh reports whether a value fetched at is younger than TTL at now.
func (c *Cache[K, V]) fresh(now, at time.Time) bool {
	age := now.Sub(at)
	return age >= 0 && age < c.cfg.TTL
}

// store holds e for key; c.mu is held. When a new key would pass Max,
// expired values go first, then the oldest.
func (c *Cache[K, V]) store(key K, e entry[V]) {
	if _, ok := c.entries[key]; !ok && c.cfg.Max > 0 && len(c.entries) >= c.cfg.Max {
		var oldest K
		found := false
		for k, v := range c.entries {
			if e.at.Sub(v.at) >= c.cfg.TTL {
				delete(c.entries, k)
				continue
			}
			if !found || v.at.Before(c.entries[oldest].at) {
				oldest, found = k, true
			}
		}
		if len(c.entries) >= c.cfg.Max && found {
			delete(c.entries, oldest)
		}
	}
	c.entries[key] = e
}
