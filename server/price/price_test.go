package price

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// clock is an injected, settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// provider plays a price provider: it records each request's path and query
// and answers with status and body.
type provider struct {
	srv    *httptest.Server
	hits   atomic.Int32
	mu     sync.Mutex
	status int
	body   []byte
	last   string
}

func newProvider(t *testing.T, body []byte) *provider {
	p := &provider{status: http.StatusOK, body: body}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.last = r.URL.RequestURI()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(p.status)
		_, _ = w.Write(p.body)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) set(status int, body []byte) {
	p.mu.Lock()
	p.status, p.body = status, body
	p.mu.Unlock()
}

func get(t *testing.T, h http.Handler, method, target string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	return rec.Code, rec.Body.String()
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestProvidersAnswerThroughHandler(t *testing.T) {
	tests := []struct {
		name      string
		provider  string
		path      string
		urlSuffix string
		body      string
		query     string
		wantURI   string
		wantJSON  string
	}{
		{
			name: "coingecko simple price in usd", provider: ProviderCoinGecko,
			urlSuffix: "/api/v3/simple/price", body: "coingecko_simple_price_usd.json", query: "?currency=usd",
			wantURI:  "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd",
			wantJSON: `{"currency":"usd","price":67187.33,"source":"coingecko","fetched_at":"2026-11-25T12:00:00Z","stale":false}`,
		},
		{
			name: "kraken ticker XBTUSD last trade, upper-case currency accepted", provider: ProviderKraken,
			urlSuffix: "/0/public/Ticker", body: "kraken_ticker_xbtusd.json", query: "?currency=USD",
			wantURI:  "/0/public/Ticker?pair=XBTUSD",
			wantJSON: `{"currency":"usd","price":30303.2,"source":"kraken","fetched_at":"2026-11-25T12:00:00Z","stale":false}`,
		},
		{
			name: "generic json path on a coinbase-style spot answer in eur", provider: ProviderJSONPath,
			urlSuffix: "/v2/prices/BTC-{CURRENCY}/spot", path: "data.amount", body: "coinbase_spot_eur.json", query: "?currency=eur",
			wantURI:  "/v2/prices/BTC-EUR/spot",
			wantJSON: `{"currency":"eur","price":58210.45,"source":"jsonpath","fetched_at":"2026-11-25T12:00:00Z","stale":false}`,
		},
		{
			name: "coingecko with no currency defaults to usd", provider: ProviderCoinGecko,
			urlSuffix: "/simple/price", body: "coingecko_simple_price_usd.json", query: "",
			wantURI:  "/simple/price?ids=bitcoin&vs_currencies=usd",
			wantJSON: `{"currency":"usd","price":67187.33,"source":"coingecko","fetched_at":"2026-11-25T12:00:00Z","stale":false}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t, readTestdata(t, tc.body))
			clk := &clock{t: t0}
			s := New(Config{Provider: tc.provider, URL: p.srv.URL + tc.urlSuffix, Path: tc.path, Now: clk.Now}, p.srv.Client())
			code, body := get(t, s.Handler(), http.MethodGet, "/api/price"+tc.query)
			require.Equal(t, http.StatusOK, code, body)
			require.JSONEq(t, tc.wantJSON, body)
			require.Equal(t, tc.wantURI, p.last)
			require.Equal(t, int32(1), p.hits.Load())
		})
	}
}

func TestCacheThenStaleWhileProviderFails(t *testing.T) {
	p := newProvider(t, readTestdata(t, "coingecko_simple_price_usd.json"))
	clk := &clock{t: t0}
	s := New(Config{Provider: ProviderCoinGecko, URL: p.srv.URL, CacheFor: time.Minute, Now: clk.Now}, p.srv.Client())
	h := s.Handler()

	code, body := get(t, h, http.MethodGet, "/api/price?currency=usd")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"currency":"usd","price":67187.33,"source":"coingecko","fetched_at":"2026-11-25T12:00:00Z","stale":false}`, body)

	// Within CacheFor: served from the cache, the provider is not asked.
	clk.Add(59 * time.Second)
	code, body = get(t, h, http.MethodGet, "/api/price?currency=usd")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"currency":"usd","price":67187.33,"source":"coingecko","fetched_at":"2026-11-25T12:00:00Z","stale":false}`, body)
	require.Equal(t, int32(1), p.hits.Load())

	// Expired and the provider fails: the old price, flagged stale.
	clk.Add(2 * time.Second)
	p.set(http.StatusTooManyRequests, []byte(`{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}`))
	code, body = get(t, h, http.MethodGet, "/api/price?currency=usd")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"currency":"usd","price":67187.33,"source":"coingecko","fetched_at":"2026-11-25T12:00:00Z","stale":true,"error":"price provider coingecko answered HTTP 429"}`, body)
	require.Equal(t, int32(2), p.hits.Load())

	// The provider recovers: a fresh price with the new time.
	p.set(http.StatusOK, []byte(`{"bitcoin":{"usd":70000.5}}`))
	clk.Add(time.Second)
	code, body = get(t, h, http.MethodGet, "/api/price?currency=usd")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"currency":"usd","price":70000.5,"source":"coingecko","fetched_at":"2026-11-25T12:01:02Z","stale":false}`, body)
	require.Equal(t, int32(3), p.hits.Load())
}

func TestHandlerErrors(t *testing.T) {
	krakenErr := readTestdata(t, "kraken_unknown_pair.json")
	tests := []struct {
		name     string
		cfg      Config
		status   int
		body     []byte
		method   string
		query    string
		wantCode int
		wantJSON string
	}{
		{
			name: "currency that is not three letters is refused", cfg: Config{Provider: ProviderCoinGecko},
			method: http.MethodGet, query: "?currency=us1", wantCode: http.StatusBadRequest,
			wantJSON: `{"error":"currency \"us1\" is not a three-letter ISO 4217 code","hint":"pass ?currency= with a code such as usd, eur or chf"}`,
		},
		{
			name: "currency outside the configured list is refused", cfg: Config{Provider: ProviderKraken, Currencies: []string{"usd", "eur"}},
			method: http.MethodGet, query: "?currency=jpy", wantCode: http.StatusBadRequest,
			wantJSON: `{"error":"currency \"jpy\" is not offered by this relay (offered: usd, eur)","hint":"pass ?currency= with a code such as usd, eur or chf"}`,
		},
		{
			name: "POST is not allowed", cfg: Config{Provider: ProviderCoinGecko},
			method: http.MethodPost, query: "?currency=usd", wantCode: http.StatusMethodNotAllowed,
			wantJSON: `{"error":"method POST not allowed","hint":"use GET /api/price?currency=usd"}`,
		},
		{
			name: "unknown provider is a relay configuration error", cfg: Config{Provider: "bitstamp"},
			method: http.MethodGet, query: "?currency=usd", wantCode: http.StatusInternalServerError,
			wantJSON: `{"error":"unknown price provider \"bitstamp\"","hint":"fix the relay's price settings: provider coingecko, kraken or jsonpath (with a URL and a JSON path)"}`,
		},
		{
			name: "kraken unknown pair with nothing cached is a 502", cfg: Config{Provider: ProviderKraken},
			status: http.StatusOK, body: krakenErr, method: http.MethodGet, query: "?currency=xyz", wantCode: http.StatusBadGateway,
			wantJSON: `{"error":"price provider kraken: provider error: EQuery:Unknown asset pair","hint":"check the relay's internet (or Tor) connection and its price provider setting, then retry"}`,
		},
		{
			name: "coingecko without the currency is a 502 naming it", cfg: Config{Provider: ProviderCoinGecko},
			status: http.StatusOK, body: []byte(`{"bitcoin":{}}`), method: http.MethodGet, query: "?currency=xyz", wantCode: http.StatusBadGateway,
			wantJSON: `{"error":"price provider coingecko: answer has no price in \"xyz\": the provider does not offer this currency","hint":"check the relay's internet (or Tor) connection and its price provider setting, then retry"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t, tc.body)
			if tc.status != 0 {
				p.set(tc.status, tc.body)
			}
			cfg := tc.cfg
			if cfg.Provider != "bitstamp" {
				cfg.URL = p.srv.URL
			}
			cfg.Now = (&clock{t: t0}).Now
			code, body := get(t, New(cfg, p.srv.Client()).Handler(), tc.method, "/api/price"+tc.query)
			require.Equal(t, tc.wantCode, code)
			require.JSONEq(t, tc.wantJSON, body)
		})
	}
}

func TestUnreachableProviderIs502(t *testing.T) {
	p := newProvider(t, nil)
	url := p.srv.URL
	p.srv.Close()
	s := New(Config{Provider: ProviderCoinGecko, URL: url, Now: (&clock{t: t0}).Now}, &http.Client{})
	code, body := get(t, s.Handler(), http.MethodGet, "/api/price?currency=usd")
	require.Equal(t, http.StatusBadGateway, code)
	var e errorBody
	require.NoError(t, json.Unmarshal([]byte(body), &e))
	require.Contains(t, e.Error, "price provider coingecko unreachable: ")
	require.Equal(t, "check the relay's internet (or Tor) connection and its price provider setting, then retry", e.Hint)
}

func TestConcurrentRequestsShareOneFetch(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-release
		_, _ = w.Write([]byte(`{"bitcoin":{"chf":53000}}`))
	}))
	defer srv.Close()
	s := New(Config{Provider: ProviderCoinGecko, URL: srv.URL, Now: (&clock{t: t0}).Now}, srv.Client())
	var wg sync.WaitGroup
	results := make([]Quote, 8)
	errs := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Get(t.Context(), "chf")
		}()
	}
	require.Eventually(t, func() bool { return hits.Load() == 1 }, time.Minute, 5*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // let the other callers queue on the in-flight request
	close(release)
	wg.Wait()
	for i := range results {
		require.NoError(t, errs[i])
		require.Equal(t, Quote{Currency: "chf", Price: 53000, Source: "coingecko", FetchedAt: t0}, results[i])
	}
	require.Equal(t, int32(1), hits.Load())
}

func TestParsers(t *testing.T) {
	tests := []struct {
		name    string
		parse   func([]byte) (float64, error)
		body    string
		want    float64
		wantErr string
	}{
		{name: "coingecko string price accepted", parse: func(b []byte) (float64, error) { return ParseCoinGecko(b, "usd") }, body: `{"bitcoin":{"usd":"1.5"}}`, want: 1.5},
		{name: "coingecko error field", parse: func(b []byte) (float64, error) { return ParseCoinGecko(b, "usd") }, body: `{"error":"coin not found"}`, wantErr: "provider error: coin not found"},
		{name: "coingecko not JSON", parse: func(b []byte) (float64, error) { return ParseCoinGecko(b, "usd") }, body: `<html>`, wantErr: "answer is not JSON: invalid character '<' looking for beginning of value"},
		{name: "coingecko negative price", parse: func(b []byte) (float64, error) { return ParseCoinGecko(b, "usd") }, body: `{"bitcoin":{"usd":-3}}`, wantErr: "bitcoin.usd is \"-3\", not a positive price"},
		{name: "coingecko trailing data", parse: func(b []byte) (float64, error) { return ParseCoinGecko(b, "usd") }, body: `{"bitcoin":{"usd":3}} {}`, wantErr: "answer has data after its JSON value"},
		{name: "kraken two pairs", parse: ParseKraken, body: `{"error":[],"result":{"A":{"c":["1"]},"B":{"c":["2"]}}}`, wantErr: "answer has 2 pairs in \"result\", expected exactly one"},
		{name: "kraken missing last trade", parse: ParseKraken, body: `{"error":[],"result":{"XXBTZEUR":{"a":["1"]}}}`, wantErr: "result.XXBTZEUR has no last trade \"c\""},
		{name: "kraken non-numeric last trade", parse: ParseKraken, body: `{"error":[],"result":{"XXBTZEUR":{"c":["abc"]}}}`, wantErr: "result.XXBTZEUR.c[0] is \"abc\", not a number"},
		{name: "jsonpath array index", parse: func(b []byte) (float64, error) { return ParseJSONPath(b, "rates.1.last") }, body: `{"rates":[{"last":1},{"last":"42.25"}]}`, want: 42.25},
		{name: "jsonpath index out of range", parse: func(b []byte) (float64, error) { return ParseJSONPath(b, "rates.2.last") }, body: `{"rates":[{"last":1},{"last":"42.25"}]}`, wantErr: "answer has no \"rates.2\" (array of 2)"},
		{name: "jsonpath missing key", parse: func(b []byte) (float64, error) { return ParseJSONPath(b, "data.price") }, body: `{"data":{"amount":"1"}}`, wantErr: "answer has no \"data.price\""},
		{name: "jsonpath ends at object", parse: func(b []byte) (float64, error) { return ParseJSONPath(b, "data") }, body: `{"data":{"amount":"1"}}`, wantErr: "data is an object, not a number"},
		{name: "jsonpath through a string", parse: func(b []byte) (float64, error) { return ParseJSONPath(b, "data.x") }, body: `{"data":"1"}`, wantErr: "answer has no \"data.x\": its parent is a string"},
		{name: "jsonpath empty path reads a bare number", parse: func(b []byte) (float64, error) { return ParseJSONPath(b, "") }, body: `12.5`, want: 12.5},
		{name: "jsonpath infinity refused", parse: func(b []byte) (float64, error) { return ParseJSONPath(b, "p") }, body: `{"p":"Inf"}`, wantErr: "p is \"Inf\", not a positive price"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse([]byte(tc.body))
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzParsers(f *testing.F) {
	for _, name := range []string{"coingecko_simple_price_usd.json", "kraken_ticker_xbtusd.json", "kraken_unknown_pair.json", "coinbase_spot_eur.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(b, "data.amount")
	}
	f.Add([]byte(`[1,2,{"a":"3"}]`), "2.a")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		for _, fn := range []func() (float64, error){
			func() (float64, error) { return ParseCoinGecko(body, "usd") },
			func() (float64, error) { return ParseKraken(body) },
			func() (float64, error) { return ParseJSONPath(body, path) },
		} {
			p, err := fn()
			if err == nil && !(p > 0) {
				t.Fatalf("accepted a non-positive price %v", p)
			}
		}
	})
}
