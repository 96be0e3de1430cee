package price

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPriceGoesThroughTorForNamesAndOnions gives the service an HTTP client
// whose dialer stands in for the relay's Tor client (tornet's DialContext,
// which dials loopback directly and everything else through Tor's SOCKS
// port): it records the address asked and connects to the fake provider.
// The provider's host name and an onion provider reach the dialer as names,
// never resolved by the relay, and the default https endpoint goes through
// it too.
func TestPriceGoesThroughTorForNamesAndOnions(t *testing.T) {
	body := readTestdata(t, "coingecko_simple_price_usd.json")
	var hosts []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	var dialed []string
	tor := &http.Client{Transport: &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			dialed = append(dialed, addr)
			mu.Unlock()
			var d net.Dialer
			return d.DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}}

	const onion = "coingeckox4isw62xs7abwphsq7ldayuidyx2v2oethdhhj6mlo2r6ad.onion"
	cases := []struct {
		name string
		url  string
		addr string
	}{
		{"a clearnet host name", "http://prices.example/api/v3/simple/price", "prices.example:80"},
		{"an onion provider", "http://" + onion + "/api/v3/simple/price", onion + ":80"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			dialed, hosts = nil, nil
			mu.Unlock()
			s := New(Config{Provider: ProviderCoinGecko, URL: tc.url, Now: (&clock{t: t0}).Now}, tor)
			code, got := get(t, s.Handler(), http.MethodGet, "/api/price?currency=usd")
			require.Equal(t, http.StatusOK, code, got)
			require.JSONEq(t, `{"currency":"usd","price":67187.33,"source":"coingecko","fetched_at":"2026-11-25T12:00:00Z","stale":false}`, got)
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, []string{tc.addr}, dialed)
			require.Equal(t, []string{tc.addr[:len(tc.addr)-len(":80")]}, hosts, "the provider is asked by name")
		})
	}

	t.Run("the default coingecko endpoint over https", func(t *testing.T) {
		mu.Lock()
		dialed, hosts = nil, nil
		mu.Unlock()
		s := New(Config{Now: (&clock{t: t0}).Now}, tor)
		code, got := get(t, s.Handler(), http.MethodGet, "/api/price?currency=usd")
		// The fake speaks plain HTTP: the TLS handshake fails after the
		// connection went through the Tor dialer.
		require.Equal(t, http.StatusBadGateway, code, got)
		var e errorBody
		require.NoError(t, json.Unmarshal([]byte(got), &e))
		require.Contains(t, e.Error, "price provider coingecko unreachable: ")
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, []string{"api.coingecko.com:443"}, dialed)
		require.Empty(t, hosts)
	})
}
