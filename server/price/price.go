// Package price serves the relay's GET /api/price: the BTC price in a chosen
// fiat currency, fetched from a configured provider (the counterpart of
// Specter Desktop's /price blueprint and its price providers), through the
// relay's HTTP client (Tor when Tor is on), cached, and served stale with a
// clear flag when the provider fails.
package price

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/specterpwa/specter/server/internal/httpjson"
	"github.com/specterpwa/specter/server/internal/ttlcache"
)

// Provider names accepted in Config.Provider.
const (
	// ProviderCoinGecko speaks CoinGecko's /api/v3/simple/price:
	// GET URL?ids=bitcoin&vs_currencies=usd -> {"bitcoin":{"usd":12345.6}}.
	ProviderCoinGecko = "coingecko"
	// ProviderKraken speaks Kraken's /0/public/Ticker:
	// GET URL?pair=XBTUSD -> {"error":[],"result":{"XXBTZUSD":{"c":["12345.6","0.1"],...}}}.
	ProviderKraken = "kraken"
	// ProviderJSONPath is a generic provider: Config.URL and Config.Path may
	// contain {currency} (lower case) or {CURRENCY} (upper case); Path is a
	// dot-separated path into the JSON answer ("data.rates.{CURRENCY}",
	// "result.0.price") that must end at a number or a numeric string.
	ProviderJSONPath = "jsonpath"
)

// Default endpoints of the built-in providers, used when Config.URL is empty.
const (
	DefaultCoinGeckoURL = "https://api.coingecko.com/api/v3/simple/price"
	DefaultKrakenURL    = "https://api.kraken.com/0/public/Ticker"
)

// Defaults applied by New for zero Config fields.
const (
	DefaultCacheFor = 5 * time.Minute
	DefaultTimeout  = 20 * time.Second
	// maxBody caps how much of a provider's answer is read.
	maxBody = 1 << 20
)

// Config chooses the provider. Provider is one of ProviderCoinGecko (the
// default when empty), ProviderKraken, ProviderJSONPath.
type Config struct {
	Provider string
	// URL overrides the provider's endpoint (required for ProviderJSONPath).
	URL string
	// CacheFor is how long a fetched price is served without asking the
	// provider again (DefaultCacheFor when zero).
	CacheFor time.Duration
	// Path is the JSON path of ProviderJSONPath.
	Path string
	// Currencies, when not empty, is the list of accepted currency codes
	// (lower case); otherwise any three-letter ISO 4217-style code is accepted.
	Currencies []string
	// Timeout bounds one provider request (DefaultTimeout when zero).
	Timeout time.Duration
	// Now is the clock (time.Now when nil); tests inject their own.
	Now func() time.Time
}

// Quote is one price answer, the JSON body of GET /api/price.
type Quote struct {
	Currency  string    `json:"currency"`
	Price     float64   `json:"price"`
	Source    string    `json:"source"`
	FetchedAt time.Time `json:"fetched_at"`
	// Stale is true when the provider failed and this is the last good price.
	Stale bool `json:"stale"`
	// Error says why a stale price is served (empty when fresh).
	Error string `json:"error,omitempty"`
}

// Service fetches and caches prices. Create it with New.
type Service struct {
	cfg      Config
	client   *http.Client
	provider string
	cache    *ttlcache.Cache[string, Quote]
}

// New returns a price service for cfg that fetches through client (the
// relay's Tor client when Tor is on; http.DefaultClient when nil). A bad
// Config is reported by every request as a 500 JSON error that names the
// setting to fix, so New itself never fails.
func New(cfg Config, client *http.Client) *Service {
	if client == nil {
		client = http.DefaultClient
	}
	if cfg.CacheFor <= 0 {
		cfg.CacheFor = DefaultCacheFor
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := strings.ToLower(strings.TrimSpace(cfg.Provider))
	if p == "" {
		p = ProviderCoinGecko
	}
	if cfg.URL == "" {
		switch p {
		case ProviderCoinGecko:
			cfg.URL = DefaultCoinGeckoURL
		case ProviderKraken:
			cfg.URL = DefaultKrakenURL
		}
	}
	return &Service{cfg: cfg, client: client, provider: p,
		cache: ttlcache.New[string, Quote](ttlcache.Config[Quote]{TTL: cfg.CacheFor, Now: cfg.Now, Stale: markStale})}
}

// configError reports a Config that cannot work, or nil.
func (s *Service) configError() error {
	switch s.provider {
	case ProviderCoinGecko, ProviderKraken:
	case ProviderJSONPath:
		if s.cfg.URL == "" || s.cfg.Path == "" {
			return errors.New("price provider jsonpath needs both a URL and a JSON path")
		}
	default:
		return fmt.Errorf("unknown price provider %q", s.cfg.Provider)
	}
	if u, err := url.Parse(strings.NewReplacer("{currency}", "usd", "{CURRENCY}", "USD").Replace(s.cfg.URL)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("price provider URL %q is not an http(s) URL", s.cfg.URL)
	}
	return nil
}

// ValidateCurrency normalises code to lower case and checks it: three ASCII
// letters (ISO 4217 alphabetic code), and one of Config.Currencies when that
// list is set.
func (s *Service) ValidateCurrency(code string) (string, error) {
	c := strings.ToLower(strings.TrimSpace(code))
	if len(c) != 3 {
		return "", fmt.Errorf("currency %q is not a three-letter ISO 4217 code", code)
	}
	for i := 0; i < len(c); i++ {
		if c[i] < 'a' || c[i] > 'z' {
			return "", fmt.Errorf("currency %q is not a three-letter ISO 4217 code", code)
		}
	}
	if len(s.cfg.Currencies) > 0 {
		for _, allowed := range s.cfg.Currencies {
			if strings.EqualFold(allowed, c) {
				return c, nil
			}
		}
		return "", fmt.Errorf("currency %q is not offered by this relay (offered: %s)", c, strings.Join(s.cfg.Currencies, ", "))
	}
	return c, nil
}

// Get returns the price in currency (already validated): from the cache when
// younger than CacheFor, otherwise from the provider; when the provider fails
// and an older price is cached, that price is returned with Stale set.
// Concurrent callers for the same currency share one provider request.
func (s *Service) Get(ctx context.Context, currency string) (Quote, error) {
	q, err := s.cache.Get(ctx, currency, func(ctx context.Context) (Quote, error) { return s.fetch(ctx, currency) })
	var we *ttlcache.WaitError
	if errors.As(err, &we) {
		return Quote{}, fmt.Errorf("waiting for the price: %w", we.Err)
	}
	return q, err
}

// markStale is the last good quote served when the provider fails.
func markStale(q Quote, err error) Quote {
	q.Stale = true
	q.Error = err.Error()
	return q
}

// fetch asks the provider once.
func (s *Service) fetch(ctx context.Context, currency string) (Quote, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	u, err := s.requestURL(currency)
	if err != nil {
		return Quote{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Quote{}, fmt.Errorf("building the price request to %s: %w", s.provider, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "specter-relay")
	resp, err := s.client.Do(req)
	if err != nil {
		return Quote{}, fmt.Errorf("price provider %s unreachable: %w", s.provider, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return Quote{}, fmt.Errorf("reading the answer of price provider %s: %w", s.provider, err)
	}
	if len(body) > maxBody {
		return Quote{}, fmt.Errorf("price provider %s answered more than %d bytes", s.provider, maxBody)
	}
	if resp.StatusCode != http.StatusOK {
		return Quote{}, fmt.Errorf("price provider %s answered HTTP %d", s.provider, resp.StatusCode)
	}
	var p float64
	switch s.provider {
	case ProviderCoinGecko:
		p, err = ParseCoinGecko(body, currency)
	case ProviderKraken:
		p, err = ParseKraken(body)
	default:
		p, err = ParseJSONPath(body, expand(s.cfg.Path, currency))
	}
	if err != nil {
		return Quote{}, fmt.Errorf("price provider %s: %w", s.provider, err)
	}
	return Quote{Currency: currency, Price: p, Source: s.provider, FetchedAt: s.cfg.Now().UTC()}, nil
}

func expand(template, currency string) string {
	return strings.NewReplacer("{currency}", currency, "{CURRENCY}", strings.ToUpper(currency)).Replace(template)
}

// requestURL builds the provider request for currency.
func (s *Service) requestURL(currency string) (string, error) {
	raw := s.cfg.URL
	if s.provider == ProviderJSONPath {
		raw = expand(raw, url.PathEscape(currency))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("price provider URL %q: %w", s.cfg.URL, err)
	}
	q := u.Query()
	switch s.provider {
	case ProviderCoinGecko:
		q.Set("ids", "bitcoin")
		q.Set("vs_currencies", currency)
	case ProviderKraken:
		q.Set("pair", "XBT"+strings.ToUpper(currency))
	default:
		return u.String(), nil
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// errorBody is the JSON error shape shared by the relay's APIs.
type errorBody = httpjson.ErrorBody

// Handler serves GET (and HEAD) ?currency=usd at whatever path it is mounted
// on (the relay mounts it at /api/price). Answers: 200 with a Quote; 400 for
// a bad currency; 405 for other methods; 500 for a bad relay configuration;
// 502 when the provider fails and nothing is cached. Errors are
// {"error": "...", "hint": "..."}.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			httpjson.Write(w, http.StatusMethodNotAllowed, errorBody{Error: "method " + r.Method + " not allowed", Hint: "use GET /api/price?currency=usd"})
			return
		}
		if err := s.configError(); err != nil {
			httpjson.Write(w, http.StatusInternalServerError, errorBody{Error: err.Error(),
				Hint: "fix the relay's price settings: provider coingecko, kraken or jsonpath (with a URL and a JSON path)"})
			return
		}
		raw := r.URL.Query().Get("currency")
		if raw == "" {
			raw = "usd"
		}
		cur, err := s.ValidateCurrency(raw)
		if err != nil {
			httpjson.Write(w, http.StatusBadRequest, errorBody{Error: err.Error(), Hint: "pass ?currency= with a code such as usd, eur or chf"})
			return
		}
		q, err := s.Get(r.Context(), cur)
		if err != nil {
			httpjson.Write(w, http.StatusBadGateway, errorBody{Error: err.Error(),
				Hint: "check the relay's internet (or Tor) connection and its price provider setting, then retry"})
			return
		}
		httpjson.Write(w, http.StatusOK, q)
	})
}
