//go:build unix

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
)

// sats formats satoshis as the app does in sats units ("10,000,000 sats").
func sats(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + " sats"
}

// parseSats reads "84,600 sats" back into satoshis.
func parseSats(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	_, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimSuffix(s, " sats"), ",", ""), "%d", &n)
	require.NoError(t, err, "amount %q", s)
	return n
}

// TestSendInSatsWithTheFeeFallbackNoticeAndAnAbsurdFeeWarningKeptForALaterReview
// drives the send screen of a wpkh hot wallet against btcd regtest with the
// units set to sats in Settings: 0.1 BTC typed as 10000000 sats builds the
// same amounts as in BTC (recipient and change to the satoshi, in the PSBT
// too); a send at 600 sat/vB shows the absurd-fee warning (exact text),
// which is still there when the pending transaction's review is opened
// again after a reload, and is then discarded with its coin unlocked. The
// review's testmempoolaccept check fails closed: only the node's "allowed"
// verdict lets a transaction go out. A pending transaction signed here
// and broadcast straight to btcd is cleared by the next sync (cleared_psbts
// 1): the send screen lists no pending transaction and nothing locked.
// Last, with a fresh btcd that has no fee estimates chosen, the fallback
// notice shows its exact text.
func TestSendInSatsWithTheFeeFallbackNoticeAndAnAbsurdFeeWarningKeptForALaterReview(t *testing.T) {
	a := startDemoApp(t, 3*time.Minute)
	ctx, node := a.ctx, a.node
	walletID, first := a.hotWallet(t, "Key J", mnemonicJelly, "Sats", "wpkh")
	outside, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0x42}, 20), &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	funding := node.payFromCoinbase(t, 10, first, 40_000_000)
	node.rpc(t, "generate", 1)
	a.syncOverview(t, walletID, "Sats")
	require.Equal(t, btc(40_000_000), text(t, ctx, "[data-testid=balance]"))

	// Units: sats, in Settings.
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	clickXPath(t, ctx, `//main//label[@for="units-sats"]`)
	clickButton(t, ctx, "Save the preferences")
	waitJS(t, ctx, "the saved units", `specterApp.config.units === "sats"`)

	// The demo node estimates fees (its blocks hold the demo's payments).
	goHash(t, ctx, "#/send/"+walletID)
	waitHeading(t, ctx, "Send from Sats")
	waitJS(t, ctx, "the fee estimate", `document.querySelector("[data-testid=fee-source]") && document.querySelector("input[name=fee_rate]").value !== ""`)
	require.Equal(t, "node", eval[string](t, ctx, `document.querySelector("[data-testid=fee-source]").dataset.source`))
	estimate := eval[string](t, ctx, `document.querySelector("select[name=fee_target]").options[0].value`)
	require.Equal(t, estimate, eval[string](t, ctx, `document.querySelector("input[name=fee_rate]").value`))
	require.Contains(t, text(t, ctx, "main .facts"), "Confirmed balance"+sats(40_000_000))

	// 0.1 BTC typed in sats at 3 sat/vB.
	createTransaction(t, ctx, outside.EncodeAddress(), "10000000", "sats", "3")
	require.Equal(t, sats(10_000_000), text(t, ctx, "[data-testid=review-sent]"))
	fee := parseSats(t, text(t, ctx, "[data-testid=review-fee]"))
	require.Greater(t, fee, int64(0))
	requireRate(t, ctx, 3)
	outputs := reviewOutputs(t, ctx)
	require.Len(t, outputs, 2)
	require.Contains(t, outputs, outside.EncodeAddress()+" "+sats(10_000_000)+" recipient")
	// The PSBT itself pays exactly 10,000,000 sats and the change.
	amounts := eval[[]float64](t, ctx, fmt.Sprintf(`specterApp.call("psbts.list", {wallet_id: %s}).then(r => specterApp.call("psbt.analyse", {psbt: r.psbts[0].psbt, network: "regtest"})).then(a => a.outputs.map(o => o.amount).sort((x, y) => x - y))`, quote(walletID)))
	require.Equal(t, []float64{10_000_000, float64(40_000_000 - 10_000_000 - fee)}, amounts)
	require.Equal(t, []string{"low fee rate: 3 sat/vB is less than half the node's estimate of " + estimate + " sat/vB: it may take long to confirm"},
		eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=send-warnings] li")].map(li => li.textContent)`))
	discardReview(t, ctx, "Sats")

	// 600 sat/vB: above the 500 sat/vB absurd-fee bound.
	createTransaction(t, ctx, outside.EncodeAddress(), "2000000", "sats", "600")
	waitJS(t, ctx, "the warnings", `document.querySelector("[data-testid=send-warnings]")`)
	wantWarnings := []string{
		"absurd fee: 600 sat/vB is above 500 sat/vB",
		"high fee rate: 600 sat/vB is more than twice the node's estimate of " + estimate + " sat/vB",
	}
	warnings := func() []string {
		return eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=send-warnings] li")].map(li => li.textContent)`)
	}
	require.Equal(t, wantWarnings, warnings())
	a.shot.take(t, ctx, "send-absurd-fee")

	// Opened again later (a reload, from the pending list): same warnings.
	goHash(t, ctx, "#/send/"+walletID)
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
	waitHeading(t, ctx, "Send from Sats")
	require.Contains(t, text(t, ctx, "main .facts"), "Locked by pending PSBTs"+sats(40_000_000))
	clickXPath(t, ctx, `//main//ul[@data-testid="pending-psbts"]//a`)
	waitHeading(t, ctx, "Review the transaction")
	waitJS(t, ctx, "the warnings", `document.querySelector("[data-testid=send-warnings]")`)
	require.Equal(t, wantWarnings, warnings())
	discardReview(t, ctx, "Sats")
	require.Contains(t, text(t, ctx, "main .facts"), "Locked by pending PSBTs"+sats(0))
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("[data-testid=pending-psbts]")`))
	require.Equal(t, []string{funding + ":0"}, eval[[]string](t, ctx, `specterApp.call("wallets.utxos", {id: `+quote(walletID)+`}).then(r => r.utxos.filter(u => !u.locked_by).map(u => u.outpoint))`))

	// testmempoolaccept fails closed: anything but an "allowed" verdict
	// stops the broadcast with the node's reason or "no verdict".
	verdicts := eval[[]string](t, ctx, `import("/js/views/send.js").then(m => [
		[{txid: "ab", allowed: true}],
		[{txid: "ab", allowed: false, "reject-reason": "min relay fee not met"}],
		[{txid: "ab", allowed: false}],
		[{txid: "ab"}],
		[],
		{},
		null,
	].map(c => { const e = m.mempoolRefusal(c); return e ? e.message + " | " + e.hint : "broadcast"; }))`)
	noVerdict := func(answer string) string {
		return "the node gave no verdict on the transaction (testmempoolaccept answered " + answer + "), so it was not broadcast | check the node on the Relay screen, then try again"
	}
	require.Equal(t, []string{
		"broadcast",
		"the node would refuse the transaction: min relay fee not met; it was not broadcast | sync the wallet: its coins may be spent already, or raise the fee rate",
		"the node would refuse the transaction: no reason given; it was not broadcast | sync the wallet: its coins may be spent already, or raise the fee rate",
		noVerdict(`[{"txid":"ab"}]`),
		noVerdict(`[]`),
		noVerdict(`{}`),
		noVerdict(`null`),
	}, verdicts)

	// A pending transaction signed here but broadcast elsewhere (straight
	// to btcd): the next sync removes it from the pending list and unlocks
	// its coin.
	goHash(t, ctx, "#/send/"+walletID)
	waitHeading(t, ctx, "Send from Sats")
	createTransaction(t, ctx, outside.EncodeAddress(), "1000000", "sats", "5")
	signHot(t, ctx, "Key J", fullySigned)
	elsewhere := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("psbts.list", {wallet_id: %s}).then(r => specterApp.call("psbt.finalize", {psbt: r.psbts[0].psbt})).then(f => f.tx_hex)`, quote(walletID)))
	var sentTxid string
	require.NoError(t, json.Unmarshal(node.rpc(t, "sendrawtransaction", elsewhere), &sentTxid))
	require.Contains(t, node.mempool(t), sentTxid)
	goHash(t, ctx, "#/send/"+walletID)
	waitHeading(t, ctx, "Send from Sats")
	require.Equal(t, []string{"Transaction " + sentTxid[:8] + " (1 input locked)"},
		eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=pending-psbts] li")].map(li => li.textContent)`))
	require.Equal(t, 1.0, eval[float64](t, ctx, `specterApp.call("wallets.sync", {id: `+quote(walletID)+`, relay: location.origin, node_id: specterApp.config.node_id, csrf: specterApp.relay.csrf}).then(r => r.cleared_psbts)`))
	goHash(t, ctx, "#/wallets/"+walletID)
	waitHeading(t, ctx, "Sats")
	goHash(t, ctx, "#/send/"+walletID)
	waitHeading(t, ctx, "Send from Sats")
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("[data-testid=pending-psbts]")`), "the pending list is gone")
	require.Contains(t, text(t, ctx, "main .facts"), "Locked by pending PSBTs"+sats(0))

	// A node that has seen no transactions has no fee estimate: the engine
	// falls back to its minimum relay fee and the send screen says so.
	fresh := regtest.Start(t)
	eval[string](t, ctx, fmt.Sprintf(`specterApp.relay.addNode({name: "Fresh btcd", url: %s, network: "regtest", user: %s, password: %s}).then(n => n.id)`,
		quote(fresh.URL), quote(fresh.User), quote(fresh.Password)))
	goHash(t, ctx, "#/welcome")
	chooseNode(t, ctx, "Fresh btcd (regtest, "+fresh.URL+")")
	goHash(t, ctx, "#/send/"+walletID)
	waitHeading(t, ctx, "Send from Sats")
	waitJS(t, ctx, "the fee notice", `document.querySelector("[data-testid=fee-notice]") && document.querySelector("input[name=fee_rate]").value !== ""`)
	require.Equal(t, "the node has no fee estimate yet (it needs to see more blocks); using 1 sat/vB; set a fee rate by hand", text(t, ctx, "[data-testid=fee-notice]"))
	require.Equal(t, "1", eval[string](t, ctx, `document.querySelector("input[name=fee_rate]").value`))
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("[data-testid=fee-source]")`), "a fallback names no source")
	a.shot.take(t, ctx, "send-fee-fallback")
}
