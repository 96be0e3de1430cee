//go:build !js

package relay

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// postOnly is a Transport without GET.
type postOnly struct{}

func (postOnly) Post(context.Context, string, map[string]string, []byte) (int, []byte, error) {
	return 0, nil, nil
}

func TestFeesAsksTheRelaysFeesRoute(t *testing.T) {
	var seen []http.Header
	relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Clone())
		require.Equal(t, http.MethodGet, r.Method)
		require.Equal(t, "/api/fees", r.URL.Path)
		switch r.URL.Query().Get("source") {
		case "https://mempool.space/testnet":
			_, _ = w.Write([]byte(`{"fastestFee":3,"halfHourFee":2,"hourFee":1,"source":"https://mempool.space/testnet"}`))
		case "http://127.0.0.1:8999":
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":"the fee server's address 127.0.0.1 is a loopback or private address, which this relay does not fetch from","hint":"start it with --fees-allow-private"}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"not logged in"}`))
		}
	}))
	defer relay.Close()

	body, err := Fees(context.Background(), nil, relay.URL+"/", "tok", "", "https://mempool.space/testnet")
	require.NoError(t, err)
	require.JSONEq(t, `{"fastestFee":3,"halfHourFee":2,"hourFee":1,"source":"https://mempool.space/testnet"}`, string(body))
	require.Equal(t, "tok", seen[0].Get(CSRFHeader))
	require.Empty(t, seen[0].Get(AuthorizationHeader))

	_, err = Fees(context.Background(), HTTPTransport{}, relay.URL, "tok", "bearer1", "http://127.0.0.1:8999")
	require.EqualError(t, err, "the relay answered 403: the fee server's address 127.0.0.1 is a loopback or private address, which this relay does not fetch from (start it with --fees-allow-private)")
	require.Equal(t, "Bearer bearer1", seen[1].Get(AuthorizationHeader))
	require.Empty(t, seen[1].Get(CSRFHeader))

	_, err = Fees(context.Background(), nil, relay.URL, "", "", "https://elsewhere.example")
	require.EqualError(t, err, "the relay answered 401: not logged in (log in to the relay again)")

	_, err = Fees(context.Background(), nil, "relay.example", "", "", "https://mempool.space")
	require.EqualError(t, err, `the relay address "relay.example" is not an http(s) URL such as https://relay.example`)
	_, err = Fees(context.Background(), postOnly{}, relay.URL, "", "", "https://mempool.space")
	require.EqualError(t, err, "this transport cannot send GET requests to the relay")
}
