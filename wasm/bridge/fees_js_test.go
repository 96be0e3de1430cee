//go:build js && wasm

package bridge

import (
	"strings"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/store"
)

// TestFeesEstimateReadsTheConfigAndAsksTheRelayWithFetch runs in Chromium:
// with a fee server in the config, fees.estimate GETs the relay's
// /api/fees through fetch (the test page's origin stands in for the relay
// and answers its page, not fees) and reports that the answer is no fee
// recommendation, naming the server, with a hint.
func TestFeesEstimateReadsTheConfigAndAsksTheRelayWithFetch(t *testing.T) {
	r := managerRegistry(t, store.NewMemory())
	cfg := ok[manager.Config](t, r, "config.get", nil)
	cfg.FeeSource = "https://mempool.example/testnet"
	ok[manager.Config](t, r, "config.set", cfg)
	origin := js.Global().Get("location").Get("origin").String()
	e := fails(t, r, "fees.estimate", FeesParams{NodeParams: NodeParams{Relay: origin, CSRF: "tok"}})
	require.True(t, strings.HasPrefix(e.Message, "no fee estimate from the fee server https://mempool.example/testnet: the fee server's answer is not JSON"), e.Message)
	require.Equal(t, "check the fee server's address in Settings or choose your node as the fee source; or enter a fee rate by hand", e.Hint)
}
