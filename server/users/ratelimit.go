package users

import (
	"sync"
	"time"
)

// RateLimit configures login throttling: after Free failures for one key
// (a client IP, or a user name), each further attempt must wait
// Base * 2^(failures-Free), capped at Max. A success clears the key; a key
// idle for Forget is dropped.
type RateLimit struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// DefaultRateLimit: 5 free failures, then 1 s, 2 s, 4 s ... up to 15 min;
// forgotten after a day without failures.
var DefaultRateLimit = RateLimit{Free: 5, Base: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}

type failures struct {
	count int
	last  time.Time
}

// limiter is a failure counter per key with exponential backoff.
type limiter struct {
	cfg  RateLimit
	mu   sync.Mutex
	keys map[string]*failures
}

func newLimiter(cfg RateLimit) *limiter {
	return &limiter{cfg: cfg, keys: map[string]*failures{}}
}

// wait is how long key must still wait at now before its next attempt (0: go).
func (l *limiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.keys[key]
	if !ok || f.count < l.cfg.Free {
		return 0
	}
	d := l.cfg.Base
	for i := l.cfg.Free; i < f.count && d < l.cfg.Max; i++ {
		d *= 2
	}
	if d > l.cfg.Max {
		d = l.cfg.Max
	}
	if left := f.last.Add(d).Sub(now); left > 0 {
		return left
	}
	return 0
}

// fail records a failure for key at now.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.keys) >= 1024 {
		l.prune(now)
	}
	f, ok := l.keys[key]
	if !ok {
		f = &failures{}
		l.keys[key] = f
	}
	f.count++
	f.last = now
}

// reset clears key after a success.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.keys, key)
	l.mu.Unlock()
}

// prune drops keys idle longer than Forget (caller holds mu).
func (l *limiter) prune(now time.Time) {
	for k, f := range l.keys {
		if now.Sub(f.last) > l.cfg.Forget {
			delete(l.keys, k)
		}
	}
}
