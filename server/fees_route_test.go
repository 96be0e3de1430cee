package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFeesRouteNeedsALoginAndTheFlagForALocalServer: /api/fees is behind
// the session check like /api/price, refuses a fee server on loopback by
// default (saying which flag allows it), and fetches it with
// --fees-allow-private.
func TestFeesRouteNeedsALoginAndTheFlagForALocalServer(t *testing.T) {
	mempool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/api/v1/fees/recommended", r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"fastestFee":31,"halfHourFee":29,"hourFee":27,"economyFee":14,"minimumFee":7}`))
	}))
	defer mempool.Close()
	path := "/api/fees?source=" + url.QueryEscape(mempool.URL)

	for _, allow := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.DataDir = t.TempDir()
		cfg.FeesAllowPrivate = allow
		tr := startRelay(t, cfg)

		status, body := newSession(t, tr.base).do("GET", path, "")
		require.Equal(t, http.StatusUnauthorized, status, body)

		admin := setupAdmin(t, tr)
		status, body = admin.do("GET", path, "")
		var out struct {
			FastestFee float64 `json:"fastestFee"`
			MinimumFee float64 `json:"minimumFee"`
			Source     string  `json:"source"`
			Error      string  `json:"error"`
			Hint       string  `json:"hint"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &out), body)
		if !allow {
			require.Equal(t, http.StatusForbidden, status, body)
			require.Equal(t, "the fee server's address 127.0.0.1 is a loopback or private address, which this relay does not fetch from", out.Error)
			require.Contains(t, out.Hint, "--fees-allow-private")
			continue
		}
		require.Equal(t, http.StatusOK, status, body)
		require.Equal(t, 31.0, out.FastestFee)
		require.Equal(t, 7.0, out.MinimumFee)
		require.Equal(t, mempool.URL, out.Source)
	}
}
