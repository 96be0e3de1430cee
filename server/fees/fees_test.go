package fees

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/feeest"
)

// busyAnswer is an answer of mempool.space quoted in mrtnetwork/bitcoin_base
// issue #6 (shared/feeest/testdata/mempool-space-busy.json).
const busyAnswer = `{"fastestFee":31,"halfHourFee":29,"hourFee":27,"economyFee":14,"minimumFee":7}`

// fakeMempool is a local mempool.space-compatible server whose answer
// depends on the path before /api/v1/fees/recommended.
type fakeMempool struct {
	*httptest.Server
	hits  atomic.Int32
	paths sync.Map
}

func newFakeMempool(t *testing.T) *fakeMempool {
	t.Helper()
	f := &fakeMempool{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		f.paths.Store(r.URL.Path, true)
		prefix, ok := strings.CutSuffix(r.URL.Path, feeest.MempoolPath)
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch prefix {
		case "", "/testnet":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(busyAnswer))
		case "/badjson":
			_, _ = w.Write([]byte(`<html>mempool</html>`))
		case "/notmempool":
			_, _ = w.Write([]byte(`{"fastest":5}`))
		case "/error":
			http.Error(w, "internal error", http.StatusInternalServerError)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case "/huge":
			_, _ = w.Write([]byte(`{"fastestFee":1,"halfHourFee":1,"hourFee":1,"pad":"` + strings.Repeat("x", maxBody) + `"}`))
		case "/redirect":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

type answerOrError struct {
	Answer
	Error string `json:"error"`
	Hint  string `json:"hint"`
}

func get(t *testing.T, h http.Handler, method, source string) (int, answerOrError) {
	t.Helper()
	req := httptest.NewRequest(method, "/api/fees?source="+url.QueryEscape(source), nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var out answerOrError
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

func TestFeesServesAndCachesTheServersRecommendation(t *testing.T) {
	srv := newFakeMempool(t)
	now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	s := New(Config{AllowPrivate: true, Now: func() time.Time { return now }})
	want := feeest.Recommended{FastestFee: 31, HalfHourFee: 29, HourFee: 27, EconomyFee: 14, MinimumFee: 7}

	code, a := get(t, s.Handler(), http.MethodGet, srv.URL+"/")
	require.Equal(t, http.StatusOK, code, a.Error)
	require.Equal(t, Answer{Recommended: want, Source: srv.URL, FetchedAt: now}, a.Answer)
	require.EqualValues(t, 1, srv.hits.Load())

	// Within CacheFor the same server (however written) is not asked again.
	now = now.Add(30 * time.Second)
	code, a = get(t, s.Handler(), http.MethodGet, srv.URL+"/api")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, srv.URL, a.Source)
	require.EqualValues(t, 1, srv.hits.Load())

	// After it, it is.
	now = now.Add(DefaultCacheFor)
	code, a = get(t, s.Handler(), http.MethodGet, srv.URL)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, now, a.FetchedAt)
	require.EqualValues(t, 2, srv.hits.Load())

	// A base URL with a path (mempool.space/testnet) keeps it.
	code, a = get(t, s.Handler(), http.MethodGet, srv.URL+"/testnet/")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, srv.URL+"/testnet", a.Source)
	_, asked := srv.paths.Load("/testnet" + feeest.MempoolPath)
	require.True(t, asked)
}

func TestFeesReportsServerFailuresWithHints(t *testing.T) {
	srv := newFakeMempool(t)
	s := New(Config{AllowPrivate: true, Timeout: 300 * time.Millisecond})
	for _, tc := range []struct {
		name, path string
		status     int
		err, hint  string
	}{
		{"answer is not JSON", "/badjson", http.StatusBadGateway,
			srv.URL + "/badjson: the fee server's answer is not JSON (invalid character '<' looking for beginning of value): is the address a mempool.space-compatible server?",
			"check that the address is a mempool.space-compatible server, or choose your node as the fee source"},
		{"answer is JSON of another API", "/notmempool", http.StatusBadGateway,
			srv.URL + "/notmempool: the fee server's answer has no fastestFee: is the address a mempool.space-compatible server (it must answer /api/v1/fees/recommended)?",
			"check that the address is a mempool.space-compatible server, or choose your node as the fee source"},
		{"server error 500", "/error", http.StatusBadGateway,
			"the fee server " + srv.URL + "/error answered HTTP 500 to /api/v1/fees/recommended", unreachableHint},
		{"no such API 404", "/elsewhere", http.StatusBadGateway,
			"the fee server " + srv.URL + "/elsewhere answered HTTP 404 to /api/v1/fees/recommended", unreachableHint},
		{"slow answer times out", "/slow", http.StatusGatewayTimeout,
			"the fee server " + srv.URL + "/slow did not answer within 300ms", unreachableHint},
		{"answer too large", "/huge", http.StatusBadGateway,
			"the fee server " + srv.URL + "/huge answered more than 65536 bytes", "is the address a mempool.space-compatible server?"},
		{"redirect is not followed", "/redirect", http.StatusBadGateway,
			"the fee server " + srv.URL + "/redirect answered HTTP 302, a redirect to \"http://169.254.169.254/latest/meta-data\", which the relay does not follow",
			"give the server's final address in Settings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, a := get(t, s.Handler(), http.MethodGet, srv.URL+tc.path)
			require.Equal(t, tc.status, code)
			require.Equal(t, tc.err, a.Error)
			require.Equal(t, tc.hint, a.Hint)
		})
	}
	// Failures are not cached: the server is asked each time.
	before := srv.hits.Load()
	code, _ := get(t, s.Handler(), http.MethodGet, srv.URL+"/error")
	require.Equal(t, http.StatusBadGateway, code)
	require.Equal(t, before+1, srv.hits.Load())
}

func TestFeesRefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	srv := newFakeMempool(t)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	s := New(Config{})
	sources := []struct{ name, source, addr string }{
		{"IPv4 loopback", "http://127.0.0.1:" + port, "127.0.0.1"},
		{"localhost", "http://localhost:" + port, "localhost"},
		{"IPv6 loopback", "http://[::1]:" + port, "::1"},
		{"cloud metadata link-local", "http://169.254.169.254", "169.254.169.254"},
		{"RFC 1918", "https://192.168.1.10:8999", "192.168.1.10"},
	}
	// A host name that resolves to loopback (the machine's own name, in
	// /etc/hosts here) is refused on the address actually dialed.
	if name, err := os.Hostname(); err == nil {
		if addrs, err := net.LookupHost(name); err == nil && len(addrs) > 0 && net.ParseIP(addrs[0]).IsLoopback() {
			sources = append(sources, struct{ name, source, addr string }{"name resolving to loopback", "http://" + name + ":" + port, name + " (" + addrs[0] + ")"})
		}
	}
	for _, tc := range sources {
		t.Run(tc.name, func(t *testing.T) {
			code, a := get(t, s.Handler(), http.MethodGet, tc.source)
			require.Equal(t, http.StatusForbidden, code)
			require.Equal(t, "the fee server's address "+tc.addr+" is a loopback or private address, which this relay does not fetch from", a.Error)
			require.Equal(t, privateHint, a.Hint)
		})
	}
	require.EqualValues(t, 0, srv.hits.Load())

	allowed := New(Config{AllowPrivate: true})
	code, a := get(t, allowed.Handler(), http.MethodGet, "http://localhost:"+port)
	require.Equal(t, http.StatusOK, code, a.Error)
	require.Equal(t, 31.0, a.FastestFee)
}

func TestFeesGoesThroughTorForNamesAndOnions(t *testing.T) {
	srv := newFakeMempool(t)
	var dialed []string
	var mu sync.Mutex
	tor := func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, addr)
		mu.Unlock()
		var d net.Dialer
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}
	s := New(Config{TorDial: tor})
	onion := "http://mempoolhqx4isw62xs7abwphsq7ldayuidyx2v2oethdhhj6mlo2r6ad.onion"
	for _, source := range []string{onion, "https://mempool.example/testnet"} {
		code, a := get(t, s.Handler(), http.MethodGet, source)
		if strings.HasPrefix(source, "https") {
			// The fake speaks plain HTTP: the TLS handshake fails, after
			// the connection went through Tor.
			require.Equal(t, http.StatusBadGateway, code)
			require.Contains(t, a.Error, "the fee server https://mempool.example/testnet is unreachable: ")
			continue
		}
		require.Equal(t, http.StatusOK, code, a.Error)
		require.Equal(t, onion, a.Source)
	}
	require.Equal(t, []string{"mempoolhqx4isw62xs7abwphsq7ldayuidyx2v2oethdhhj6mlo2r6ad.onion:80", "mempool.example:443"}, dialed)

	off := New(Config{})
	code, a := get(t, off.Handler(), http.MethodGet, onion)
	require.Equal(t, http.StatusBadGateway, code)
	require.Equal(t, "cannot reach mempoolhqx4isw62xs7abwphsq7ldayuidyx2v2oethdhhj6mlo2r6ad.onion:80: Tor is off on this relay", a.Error)
	require.Equal(t, "ask the relay's admin to start it with --tor builtin or --tor custom, or use a clearnet fee server", a.Hint)
}

func TestFeesRefusesBadRequests(t *testing.T) {
	s := New(Config{})
	const hint = "give the base URL of a mempool.space-compatible server, such as https://mempool.space or https://mempool.space/testnet"
	for _, tc := range []struct{ name, source, err string }{
		{"no source", "", "no fee source: pass ?source= with the server's base URL"},
		{"node is not a URL", "node", `the fee source "node" is not an http or https URL`},
		{"ftp scheme", "ftp://mempool.space", `the fee source "ftp://mempool.space" is not an http or https URL`},
		{"no host", "https:///api", `the fee source "https:///api" has no host`},
		{"user name", "https://me:pw@mempool.space", `the fee source "https://me:pw@mempool.space" has a user name, query or fragment`},
		{"query", "https://mempool.space/?x=1", `the fee source "https://mempool.space/?x=1" has a user name, query or fragment`},
		{"too long", "https://mempool.space/" + strings.Repeat("a", maxURL), "the fee source URL is longer than 2048 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, a := get(t, s.Handler(), http.MethodGet, tc.source)
			require.Equal(t, http.StatusBadRequest, code)
			require.Equal(t, tc.err, a.Error)
			require.Equal(t, hint, a.Hint)
		})
	}
	code, a := get(t, s.Handler(), http.MethodPost, "https://mempool.space")
	require.Equal(t, http.StatusMethodNotAllowed, code)
	require.Equal(t, "method POST not allowed", a.Error)
}

func TestEndpointNormalizesBaseURLs(t *testing.T) {
	for _, tc := range []struct{ in, base string }{
		{"https://mempool.space", "https://mempool.space"},
		{" https://Mempool.Space/ ", "https://mempool.space"},
		{"https://mempool.space/testnet/", "https://mempool.space/testnet"},
		{"https://mempool.space/api", "https://mempool.space"},
		{"https://mempool.space/signet/api/v1/", "https://mempool.space/signet"},
		{"https://mempool.space/api/v1/fees/recommended", "https://mempool.space"},
		{"http://192.168.1.5:4080", "http://192.168.1.5:4080"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			base, endpoint, err := Endpoint(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.base, base)
			require.Equal(t, tc.base+"/api/v1/fees/recommended", endpoint)
		})
	}
}

func TestBlockedAddresses(t *testing.T) {
	for _, tc := range []struct {
		ip      string
		blocked bool
	}{
		{"127.0.0.1", true}, {"::1", true}, {"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.0.1", true},
		{"169.254.169.254", true}, {"fe80::1", true}, {"fd00::1", true}, {"0.0.0.0", true}, {"0.1.2.3", true},
		{"100.64.0.1", true}, {"224.0.0.1", true}, {"::ffff:127.0.0.1", true},
		{"64:ff9b::a9fe:a9fe", true}, {"64:ff9b::7f00:1", true}, {"64:ff9b:1::a00:1", true}, {"64:ff9b::101:101", false},
		{"1.1.1.1", false}, {"103.165.192.2", false}, {"2606:4700::1111", false}, {"100.128.0.1", false},
	} {
		t.Run(tc.ip, func(t *testing.T) {
			require.Equal(t, tc.blocked, Blocked(netip.MustParseAddr(tc.ip)))
		})
	}
}

func TestFeesSharesOneRequestBetweenConcurrentCallers(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		<-release
		_, _ = w.Write([]byte(busyAnswer))
	}))
	defer srv.Close()
	s := New(Config{AllowPrivate: true})
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = get(t, s.Handler(), http.MethodGet, srv.URL)
		}()
	}
	require.Eventually(t, func() bool { return hits.Load() == 1 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	require.Equal(t, []int{200, 200, 200, 200, 200}, codes)
	require.EqualValues(t, 1, hits.Load())
}
