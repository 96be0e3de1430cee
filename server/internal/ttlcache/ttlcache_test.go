package ttlcache

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// step is one Get: the clock moves by advance first; when fetched, Get must
// call fetch, which returns value or err; Get must return want or wantErr.
type step struct {
	advance time.Duration
	key     string
	fetched bool
	value   string
	err     error
	want    string
	wantErr string
}

func staleMark(old string, err error) string { return old + " (stale: " + err.Error() + ")" }

func TestGetCachesExpiresAndRefetches(t *testing.T) {
	down := errors.New("upstream down")
	tests := []struct {
		name  string
		max   int
		stale func(string, error) string
		steps []step
	}{
		{
			name: "a value younger than the TTL is served without fetching again",
			steps: []step{
				{key: "usd", fetched: true, value: "100", want: "100"},
				{advance: 59 * time.Second, key: "usd", want: "100"},
				{key: "eur", fetched: true, value: "90", want: "90"},
			},
		},
		{
			name: "a value as old as the TTL is fetched again",
			steps: []step{
				{key: "usd", fetched: true, value: "100", want: "100"},
				{advance: time.Minute, key: "usd", fetched: true, value: "101", want: "101"},
				{advance: 59 * time.Second, key: "usd", want: "101"},
			},
		},
		{
			name: "a value from the future (the clock went back) is fetched again",
			steps: []step{
				{key: "usd", fetched: true, value: "100", want: "100"},
				{advance: -time.Second, key: "usd", fetched: true, value: "99", want: "99"},
			},
		},
		{
			name: "an error is not cached: the next caller fetches again",
			steps: []step{
				{key: "usd", fetched: true, err: down, wantErr: "upstream down"},
				{key: "usd", fetched: true, value: "100", want: "100"},
				{key: "usd", want: "100"},
			},
		},
		{
			name: "without Stale a failed fetch of an expired key returns the error and drops nothing",
			steps: []step{
				{key: "usd", fetched: true, value: "100", want: "100"},
				{advance: 61 * time.Second, key: "usd", fetched: true, err: down, wantErr: "upstream down"},
				{key: "usd", fetched: true, value: "102", want: "102"},
			},
		},
		{
			name:  "with Stale a failed fetch of an expired key returns the old value marked, and fetches again next time",
			stale: staleMark,
			steps: []step{
				{key: "usd", fetched: true, value: "100", want: "100"},
				{advance: 61 * time.Second, key: "usd", fetched: true, err: down, want: "100 (stale: upstream down)"},
				{key: "usd", fetched: true, err: down, want: "100 (stale: upstream down)"},
				{key: "usd", fetched: true, value: "102", want: "102"},
				{key: "usd", want: "102"},
			},
		},
		{
			name:  "with Stale a failed fetch of a key never held returns the error",
			stale: staleMark,
			steps: []step{
				{key: "usd", fetched: true, err: down, wantErr: "upstream down"},
			},
		},
		{
			name: "at Max an expired key is dropped before the oldest fresh one",
			max:  2,
			steps: []step{
				{key: "a", fetched: true, value: "A", want: "A"},
				{advance: 30 * time.Second, key: "b", fetched: true, value: "B", want: "B"},
				{advance: 40 * time.Second, key: "c", fetched: true, value: "C", want: "C"}, // a (70 s) expired
				{key: "b", want: "B"},
				{key: "c", want: "C"},
			},
		},
		{
			name: "at Max with every key fresh the oldest is dropped",
			max:  2,
			steps: []step{
				{key: "a", fetched: true, value: "A", want: "A"},
				{advance: 10 * time.Second, key: "b", fetched: true, value: "B", want: "B"},
				{advance: 10 * time.Second, key: "c", fetched: true, value: "C", want: "C"},
				{key: "b", want: "B"},
				{key: "c", want: "C"},
				{key: "a", fetched: true, value: "A2", want: "A2"}, // drops b, now the oldest
				{key: "c", want: "C"},
				{key: "b", fetched: true, value: "B2", want: "B2"},
			},
		},
		{
			name: "refetching a held key at Max drops nothing else",
			max:  2,
			steps: []step{
				{key: "a", fetched: true, value: "A", want: "A"},
				{key: "b", fetched: true, value: "B", want: "B"},
				{advance: time.Minute, key: "a", fetched: true, value: "A2", want: "A2"},
				{key: "a", want: "A2"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := t0
			c := New[string, string](Config[string]{TTL: time.Minute, Max: tc.max, Now: func() time.Time { return now }, Stale: tc.stale})
			for i, s := range tc.steps {
				now = now.Add(s.advance)
				called := false
				got, err := c.Get(t.Context(), s.key, func(context.Context) (string, error) {
					called = true
					return s.value, s.err
				})
				require.Equal(t, s.fetched, called, "step %d: fetched", i)
				if s.wantErr != "" {
					require.EqualError(t, err, s.wantErr, "step %d", i)
					require.Equal(t, "", got, "step %d", i)
					continue
				}
				require.NoError(t, err, "step %d", i)
				require.Equal(t, s.want, got, "step %d", i)
			}
			if tc.max > 0 {
				require.LessOrEqual(t, len(c.entries), tc.max)
			}
		})
	}
}

// TestConcurrentCallersShareOneFetch starts N callers of one key while the
// first one's fetch is blocked: synctest.Wait returns once every goroutine
// is blocked, so the others are all waiting on that fetch when it is
// released.
func TestConcurrentCallersShareOneFetch(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		err     error
		wantErr string
		// fetchesAfter is how many fetches one more caller makes after the
		// shared one: none when the value was cached, one after an error.
		fetchesAfter int
	}{
		{name: "eight callers get the one fetched value", value: "100", fetchesAfter: 0},
		{name: "eight callers get the one fetch's error, which is not cached", err: errors.New("upstream down"), wantErr: "upstream down", fetchesAfter: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const n = 8
				c := New[string, string](Config[string]{TTL: time.Minute})
				release := make(chan struct{})
				var fetches int
				var mu sync.Mutex
				fetch := func(context.Context) (string, error) {
					mu.Lock()
					fetches++
					mu.Unlock()
					<-release
					return tc.value, tc.err
				}
				got := make([]string, n)
				errs := make([]error, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() { got[i], errs[i] = c.Get(t.Context(), "usd", fetch) })
				}
				synctest.Wait()
				require.Equal(t, 1, fetches)
				close(release)
				wg.Wait()
				for i := range n {
					require.Equal(t, tc.value, got[i], "caller %d", i)
					if tc.wantErr != "" {
						require.EqualError(t, errs[i], tc.wantErr, "caller %d", i)
					} else {
						require.NoError(t, errs[i], "caller %d", i)
					}
				}
				_, _ = c.Get(t.Context(), "usd", fetch)
				require.Equal(t, 1+tc.fetchesAfter, fetches)
			})
		})
	}
}

func TestWaiterWhoseContextEndsGetsWaitErrorAndTheFetchGoesOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New[string, string](Config[string]{TTL: time.Minute, Stale: staleMark})
		release := make(chan struct{})
		fetch := func(context.Context) (string, error) { <-release; return "100", nil }
		var first string
		var firstErr error
		var wg sync.WaitGroup
		wg.Go(func() { first, firstErr = c.Get(t.Context(), "usd", fetch) })
		synctest.Wait()

		ctx, cancel := context.WithCancel(t.Context())
		var waited string
		var waitErr error
		wg.Go(func() { waited, waitErr = c.Get(ctx, "usd", fetch) })
		synctest.Wait()
		cancel()
		synctest.Wait()
		var we *WaitError
		require.ErrorAs(t, waitErr, &we)
		require.ErrorIs(t, waitErr, context.Canceled)
		require.Equal(t, "waiting for a fetch in progress: context canceled", waitErr.Error())
		require.Equal(t, "", waited)

		close(release)
		wg.Wait()
		require.NoError(t, firstErr)
		require.Equal(t, "100", first)
	})
}
