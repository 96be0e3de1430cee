//go:build unix

package e2e

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/server/demo"
)

// localhostURL is the http URL of a loopback address as http://localhost:PORT:
// another host than 127.0.0.1, so another origin and another site.
func localhostURL(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return "http://localhost:" + port
}

// relayChoiceError submits url in the welcome's "Use another relay" form
// and returns the error it shows (message, then hint).
func relayChoiceError(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	eval[bool](t, ctx, `(() => { const e = document.querySelector("form[aria-labelledby=other-relay-h] .error"); if (e) e.remove(); return true; })()`)
	fill(t, ctx, "input[name=relay-url]", url)
	clickButton(t, ctx, "Connect")
	waitJS(t, ctx, "the relay choice's error for "+url, `document.querySelector("form[aria-labelledby=other-relay-h] .error")`)
	return eval[string](t, ctx, `[...document.querySelectorAll("form[aria-labelledby=other-relay-h] .error p")].map(p => p.textContent).join(" | ")`)
}

// TestRelayURLAnotherRelayServesTheNodeAndRefusalsAreExplained: relay A
// (127.0.0.1, no node) serves the page and lets it connect to relays on
// localhost (--connect-relay); relay B (localhost, demo btcd) trusts A's
// origin (--allow-origin). On A's welcome screen the user picks "another
// relay": a malformed URL, a relay that does not run, a relay outside A's
// CSP and relay C, which does not trust A's origin, are each explained and
// the app stays on A. Then B: the admin is set up on B from A's page (a
// bearer session, kept only in sessionStorage), B's demo node is chosen and
// reachable, and a wallet paid on B's chain syncs through B from the
// engine worker with the exact balance. A reload keeps B and the session;
// "Use this page's relay" goes back to A and forgets B's session.
func TestRelayURLAnotherRelayServesTheNodeAndRefusalsAreExplained(t *testing.T) {
	skipWithoutBtcd(t)
	bin := specterBinary(t)
	addrA, addrB, addrC, addrDead := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	originA := "http://" + addrA
	urlB, urlC, urlDead := localhostURL(t, addrB), localhostURL(t, addrC), localhostURL(t, addrDead)

	a := startRelay(t, bin, t.TempDir(), addrA, "--demo", "off",
		"--connect-relay", urlB, "--connect-relay", urlC, "--connect-relay", urlDead)
	dataB := t.TempDir()
	b := startRelay(t, bin, dataB, addrB, "--demo", "on", "--allow-origin", originA)
	startRelay(t, bin, t.TempDir(), addrC, "--demo", "off")
	node := readDemoNode(t, dataB)

	bctx := newBrowser(t, t.TempDir())
	ctx, cancel := context.WithTimeout(bctx, 4*time.Minute)
	t.Cleanup(cancel)
	shot := newShots(t)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(a.url())))
	waitJS(t, ctx, "the relay choice", `document.querySelector("input[name=relay-url]")`)
	require.Equal(t, originA, text(t, ctx, "[data-testid=relay-origin]"))
	waitJS(t, ctx, "A's setup form", `document.querySelector("input[name=token]")`)

	// Refusals, each explained; the app stays on A.
	for _, tc := range []struct{ name, url, want string }{
		{"no scheme", "relay.example", `"relay.example" is not a relay address: it must start with http:// or https:// | ` +
			"What to do: type the relay's address as its page shows it, such as https://relay.example or http://192.168.1.5:25441"},
		{"a path", urlB + "/api", `"` + urlB + `/api" is not a relay address: give only scheme, host and port, with no path | ` +
			"What to do: type the relay's address as its page shows it, such as https://relay.example or http://192.168.1.5:25441"},
		{"no relay runs there", urlDead, "the relay at " + urlDead + " did not answer | What to do: check the address and that `specter serve` runs there " +
			"and is reachable from this device; it must be started with --allow-origin " + originA},
		{"not in A's CSP", "http://localhost:9", "this page may not connect to the relay at http://localhost:9 | " +
			"What to do: start the relay that served this page with --connect-relay http://localhost:9 (or add it to SPECTER_CONNECT_RELAYS), then reload"},
		{"C does not trust A's origin", urlC, "this relay does not accept requests from the app at " + originA + " | " +
			"What to do: start that relay with --allow-origin " + originA + " (or add it to SPECTER_ALLOW_ORIGINS), or use the relay that served this app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, relayChoiceError(t, ctx, tc.url))
			require.Equal(t, originA, text(t, ctx, "[data-testid=relay-origin]"))
			require.Equal(t, "", eval[string](t, ctx, `localStorage.getItem("specter.relayURL") || ""`))
		})
	}
	shot.take(t, ctx, "relay-refused")

	// B: connect, set up its admin from A's page, choose its node.
	eval[bool](t, ctx, `(() => { document.querySelector("form[aria-labelledby=other-relay-h] .error").remove(); return true; })()`)
	fill(t, ctx, "input[name=relay-url]", urlB+"/")
	clickButton(t, ctx, "Connect")
	waitJS(t, ctx, "B chosen", `document.querySelector("[data-testid=relay-origin]") && document.querySelector("[data-testid=relay-origin]").textContent === `+quote(urlB))
	hostB := strings.TrimPrefix(urlB, "http://")
	waitJS(t, ctx, "the status bar naming B", `document.getElementById("relay-state").textContent === `+quote("Relay "+hostB+": reachable"))
	require.Equal(t, "ok", eval[string](t, ctx, `document.getElementById("relay-state").dataset.state`))
	setUpAdmin(t, ctx, b.token)
	chooseNode(t, ctx, demo.NodeName+" (regtest, "+node.url+")")
	require.Equal(t, "Logged in to the relay at "+urlB+" as admin (admin).", eval[string](t, ctx, `document.querySelector("section[aria-labelledby=session-h] p").textContent`))
	require.Equal(t, "Logged in as admin", text(t, ctx, "#user-state"))
	shot.take(t, ctx, "relay-b")

	// The session is a bearer token in sessionStorage only, for B; A's
	// origin holds no session cookie, and the wallet data has no token.
	saved := eval[map[string]any](t, ctx, `JSON.parse(sessionStorage.getItem("specter.relayToken"))`)
	require.Equal(t, urlB, saved["origin"])
	token, _ := saved["token"].(string)
	require.Len(t, token, 43)
	require.Equal(t, urlB, eval[string](t, ctx, `localStorage.getItem("specter.relayURL")`))
	require.NotContains(t, eval[string](t, ctx, `document.cookie`), "specter_")
	require.NotContains(t, eval[string](t, ctx, `specterApp.call("config.get").then(c => JSON.stringify(c))`), token)

	// A wallet paid on B's chain syncs through B from the engine worker.
	app := demoApp{ctx: ctx, node: node, shot: shot}
	walletID, first := app.hotWallet(t, "Key J", mnemonicJelly, "Through B", "wpkh")
	node.payFromCoinbase(t, 10, first, 25_000_000)
	node.rpc(t, "generate", 1)
	tip := node.height(t)
	summary := app.syncOverview(t, walletID, "Through B")
	require.True(t, strings.HasPrefix(summary, fmt.Sprintf("Synced to block %d: ", tip)), summary)
	require.Equal(t, btc(25_000_000), text(t, ctx, "[data-testid=balance]"))

	// A reload keeps B and this tab's session.
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
	waitJS(t, ctx, "B after the reload", `document.getElementById("relay-state").textContent === `+quote("Relay "+hostB+": reachable")+
		` && document.getElementById("user-state").textContent === "Logged in as admin"`)

	// Back to the page's own relay: A needs its admin; B's session is gone.
	goHash(t, ctx, "#/welcome")
	clickButton(t, ctx, "Use this page's relay")
	waitJS(t, ctx, "A chosen again", `document.querySelector("[data-testid=relay-origin]") && document.querySelector("[data-testid=relay-origin]").textContent === `+quote(originA))
	waitJS(t, ctx, "the status bar for A", `document.getElementById("relay-state").textContent === "Relay: reachable"`)
	waitJS(t, ctx, "A's setup form", `document.querySelector("input[name=token]")`)
	require.Nil(t, eval[any](t, ctx, `sessionStorage.getItem("specter.relayToken")`))
	require.Nil(t, eval[any](t, ctx, `localStorage.getItem("specter.relayURL")`))
}

// TestRelayURLTrustedByNoOneShowsTheAllowOriginFlag: relay B runs without
// --allow-origin; the page of relay A, allowed to connect to it, shows
// that B refuses this app and which flag B needs, and stays on A.
func TestRelayURLTrustedByNoOneShowsTheAllowOriginFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and drives Chromium: not in -short")
	}
	bin := specterBinary(t)
	addrA, addrB := freeAddr(t), freeAddr(t)
	originA, urlB := "http://"+addrA, localhostURL(t, addrB)
	a := startRelay(t, bin, t.TempDir(), addrA, "--demo", "off", "--connect-relay", urlB)
	startRelay(t, bin, t.TempDir(), addrB, "--demo", "off")
	bctx := newBrowser(t, t.TempDir())
	ctx, cancel := context.WithTimeout(bctx, 2*time.Minute)
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(a.url())))
	waitJS(t, ctx, "the relay choice", `document.querySelector("input[name=relay-url]")`)
	require.Equal(t, "this relay does not accept requests from the app at "+originA+" | What to do: start that relay with --allow-origin "+originA+
		" (or add it to SPECTER_ALLOW_ORIGINS), or use the relay that served this app", relayChoiceError(t, ctx, urlB))
	require.Equal(t, originA, text(t, ctx, "[data-testid=relay-origin]"))
	require.Equal(t, "Relay: reachable", text(t, ctx, "#relay-state"))
}
