package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestFeeSourceMempoolServer: the relay runs with --fees-allow-private so a
// fake mempool.space server on this machine is allowed; the user picks "A
// mempool.space-compatible server (URL)" in Settings (a non-http address is
// refused with a hint first), and the send screen shows the server's
// estimate, fetched by the relay (no node is chosen), and says where it
// comes from.
func TestFeeSourceMempoolServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and drives Chromium: not in -short")
	}
	var asked atomic.Int32
	mempool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/fees/recommended" {
			http.NotFound(w, r)
			return
		}
		asked.Add(1)
		w.Header().Set("Content-Type", "application/json")
		// An answer of mempool.space (shared/feeest/testdata/mempool-space-busy.json).
		_, _ = w.Write([]byte(`{"fastestFee":31,"halfHourFee":29,"hourFee":27,"economyFee":14,"minimumFee":7}`))
	}))
	defer mempool.Close()

	bin := specterBinary(t)
	rl := startRelay(t, bin, t.TempDir(), freeAddr(t), "--fees-allow-private")
	bctx := newBrowser(t, t.TempDir())
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	defer cancel()
	shot := newShots(t)

	createAdmin(t, ctx, rl)
	waitJS(t, ctx, "the node form", `document.querySelector("input[name=node-url]")`)
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	require.True(t, eval[bool](t, ctx, `document.getElementById("fee-node").checked && document.querySelector("input[name=fee_source_url]").disabled`))

	// A non-http address is refused before it is saved.
	clickXPath(t, ctx, `//main//label[@for="fee-server"]`)
	fill(t, ctx, "input[name=fee_source_url]", "ftp://mempool.example")
	clickButton(t, ctx, "Save the preferences")
	waitJS(t, ctx, "the refusal", `document.querySelector("main .error-message")`)
	require.Equal(t, `"ftp://mempool.example" is not an http or https address`, text(t, ctx, "main .error-message"))
	require.Equal(t, "What to do: give its base address, such as https://mempool.space, or choose Your node", text(t, ctx, "main .error-hint"))
	require.Equal(t, "node", eval[string](t, ctx, `specterApp.config.fee_source`))

	fill(t, ctx, "input[name=fee_source_url]", mempool.URL)
	clickButton(t, ctx, "Save the preferences")
	waitJS(t, ctx, "the saved fee source", `specterApp.config.fee_source === `+quote(mempool.URL))
	shot.take(t, ctx, "settings-fee-server")

	// A wallet to send from (no node needed for the fee estimate).
	id := eval[string](t, ctx, `specterApp.call("devices.createHot", {name: "Phone", mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", password: "pw Phone", network: "regtest"}).then(r => r.device.id)`)
	wid := eval[string](t, ctx, `specterApp.call("wallets.create", {name: "Fees", kind: "single", script_type: "wpkh", device_ids: [`+quote(id)+`], network: "regtest", birthday: 0}).then(r => r.wallet.id)`)
	goHash(t, ctx, "#/send/"+wid)
	waitJS(t, ctx, "the fee server's estimate", `document.querySelector("[data-testid=fee-source]")`)
	require.Equal(t, "Estimated by the fee server "+mempool.URL+". Its minimum fee is 7 sat/vB.", text(t, ctx, "[data-testid=fee-source]"))
	require.Equal(t, "mempool", eval[string](t, ctx, `document.querySelector("[data-testid=fee-source]").dataset.source`))
	require.Equal(t, "31", eval[string](t, ctx, `document.querySelector("input[name=fee_rate]").value`))
	require.Equal(t, []string{"1 blocks: 31 sat/vB", "3 blocks: 29 sat/vB", "6 blocks: 27 sat/vB", "144 blocks: 14 sat/vB"},
		eval[[]string](t, ctx, `[...document.querySelectorAll("select[name=fee_target] option")].map(o => o.textContent)`))
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("[data-testid=fee-notice]")`))
	require.EqualValues(t, 1, asked.Load())
	shot.take(t, ctx, "send-fee-server")

	// Back to the node: with no node chosen, the send screen says so.
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	clickXPath(t, ctx, `//main//label[@for="fee-node"]`)
	clickButton(t, ctx, "Save the preferences")
	waitJS(t, ctx, "the saved fee source", `specterApp.config.fee_source === "node"`)
	goHash(t, ctx, "#/send/"+wid)
	waitJS(t, ctx, "the fee notice", `document.querySelector("[data-testid=fee-notice]")`)
	require.Equal(t, "No fee estimate from the node (no node is chosen): set the fee rate by hand.", text(t, ctx, "[data-testid=fee-notice]"))
}
