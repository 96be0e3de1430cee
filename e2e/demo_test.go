//go:build unix

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/server/demo"
)

// demoFunding sums server/demo's FundingPlan for wallet (0 multisig, 1
// single-sig): what its mined transactions pay it, and what its last
// transaction, left in the mempool, pays it.
func demoFunding(wallet int) (confirmed, unconfirmed int64) {
	plan := demo.FundingPlan()
	for i, tx := range plan {
		for _, p := range tx {
			if p.Wallet != wallet {
				continue
			}
			if i == len(plan)-1 {
				unconfirmed += p.Sats
			} else {
				confirmed += p.Sats
			}
		}
	}
	return confirmed, unconfirmed
}

// TestNewUserLoadsTheDemoWalletsFromTheWelcomeScreenSeesTheirFundsAndASecondLoadAddsNothing
// is `make run` as a new user meets it: a relay in demo mode (btcd regtest
// with the two funded demo wallets), the admin created, logged out and in
// again on the welcome screen. The welcome screen offers the demo wallets
// with the warning that their mnemonics are public; loading them (a
// password typed for the demo keys) creates the three demo signers as hot
// devices and the two wallets with the demo's descriptors, chooses the demo
// node and opens the wallets list. Synced, each wallet's balance is what
// server/demo's FundingPlan paid it (confirmed and in the mempool, to the
// satoshi). A second load says the wallets are already loaded and adds no
// device and no wallet.
func TestNewUserLoadsTheDemoWalletsFromTheWelcomeScreenSeesTheirFundsAndASecondLoadAddsNothing(t *testing.T) {
	a := startDemoRelay(t, 4*time.Minute)
	ctx, shot := a.ctx, a.shot
	wallets, err := demo.Wallets()
	require.NoError(t, err)

	// The admin, then a log out and a log in as a returning user would.
	createAdmin(t, ctx, a.rl)
	clickButton(t, ctx, "Log out")
	waitJS(t, ctx, "the login form", `document.querySelector("main h2") && [...document.querySelectorAll("main h2")].some(h => h.textContent === "Log in to the relay")`)
	logIn(t, ctx, "admin", "correct horse battery")

	// The demo panel: both wallets named, the warning, the load action.
	waitJS(t, ctx, "the demo panel", `document.querySelector("[data-testid=demo-panel]")`)
	require.Equal(t, []string{wallets[0].Name, wallets[1].Name},
		eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=demo-panel] li")].map(li => li.textContent)`))
	require.Equal(t, "Their mnemonics are public: they are published in Specter's source code and anyone can spend from them. Never use them for real funds and never send real bitcoin to their addresses.",
		text(t, ctx, "[data-testid=demo-warning]"))
	require.Equal(t, "", eval[string](t, ctx, `specterApp.config.node_id`), "no node chosen yet")
	nodeID := eval[string](t, ctx, `specterApp.relay.demo().then(d => d.node_id)`)
	require.NotEmpty(t, nodeID)
	shot.take(t, ctx, "demo-panel")

	// Two passwords that differ are refused before anything is created.
	fill(t, ctx, "input[name=demo-password]", "demo keys pw")
	fill(t, ctx, "input[name=demo-password2]", "demo keys pX")
	clickButton(t, ctx, "Load the demo wallets (REGTEST, worthless coins)")
	waitJS(t, ctx, "the password error", `document.querySelector("[data-testid=demo-panel] .error-message")`)
	require.Equal(t, "the two passwords differ", text(t, ctx, "[data-testid=demo-panel] .error-message"))
	require.Equal(t, 0, eval[int](t, ctx, `specterApp.call("devices.list").then(r => r.devices.length)`))

	fill(t, ctx, "input[name=demo-password2]", "demo keys pw")
	clickButton(t, ctx, "Load the demo wallets (REGTEST, worthless coins)")
	waitHeading(t, ctx, "Wallets")
	waitJS(t, ctx, "the demo node shown reachable", `document.getElementById("node-state").dataset.state === "ok"`)
	require.Equal(t, nodeID, eval[string](t, ctx, `specterApp.config.node_id`), "the demo node is chosen")
	require.Equal(t, []string{"Demo key A:hot", "Demo key B:hot", "Demo key C:hot"},
		eval[[]string](t, ctx, `specterApp.call("devices.list").then(r => r.devices.map(d => d.name + ":" + d.type).sort())`))
	type loaded struct {
		ID, Name, Descriptor, Network string
		Devices                       int
	}
	list := eval[[]map[string]any](t, ctx, `specterApp.call("wallets.list").then(r => r.wallets.map(w => ({id: w.id, name: w.name, descriptor: w.descriptor, network: w.network, devices: w.device_ids.length})).sort((a, b) => a.name < b.name ? -1 : 1))`)
	require.Len(t, list, 2)
	got := map[string]loaded{}
	for _, w := range list {
		got[w["name"].(string)] = loaded{ID: w["id"].(string), Name: w["name"].(string), Descriptor: w["descriptor"].(string),
			Network: w["network"].(string), Devices: int(w["devices"].(float64))}
	}
	for i, dw := range wallets {
		w, ok := got[dw.Name]
		require.True(t, ok, "wallet %q is loaded", dw.Name)
		require.Equal(t, dw.Descriptor, w.Descriptor, "wallet %q has the demo's descriptor", dw.Name)
		require.Equal(t, "regtest", w.Network)
		require.Equal(t, len(dw.Signers), w.Devices, "wallet %q's cosigners are the demo's hot devices", dw.Name)
		require.Contains(t, text(t, ctx, "main"), dw.Name, "the wallets list shows %q", dw.Name)

		// Synced through the UI, the balance is what the demo paid it.
		goHash(t, ctx, "#/wallets/"+w.ID)
		waitHeading(t, ctx, dw.Name)
		clickButton(t, ctx, "Sync with the node")
		waitJS(t, ctx, "the sync summary", `document.querySelector("main .notice")`)
		confirmed, unconfirmed := demoFunding(i)
		require.Equal(t, btc(confirmed+unconfirmed), text(t, ctx, "[data-testid=balance]"), "wallet %q", dw.Name)
		bal := eval[map[string]float64](t, ctx, fmt.Sprintf(`specterApp.call("wallets.balance", {id: %s})`, quote(w.ID)))
		require.Equal(t, float64(confirmed), bal["confirmed"], "wallet %q confirmed", dw.Name)
		require.Equal(t, float64(unconfirmed), bal["trusted_pending"]+bal["untrusted_pending"], "wallet %q in the mempool", dw.Name)
		if i == 0 {
			shot.take(t, ctx, "demo-multisig-synced")
		}
		goHash(t, ctx, "#/wallets")
		waitHeading(t, ctx, "Wallets")
	}

	// A second load adds nothing and says so.
	goHash(t, ctx, "#/welcome")
	waitJS(t, ctx, "the demo panel", `document.querySelector("[data-testid=demo-panel]")`)
	clickButton(t, ctx, "Load the demo wallets (REGTEST, worthless coins)")
	waitJS(t, ctx, "the already-loaded notice", `document.querySelector("[data-testid=demo-result] .notice")`)
	require.Equal(t, "The demo wallets are already loaded: nothing was added.", text(t, ctx, "[data-testid=demo-result] .notice"))
	require.Equal(t, "Welcome to Specter", heading(ctx), "the welcome screen stays")
	require.Equal(t, 2, eval[int](t, ctx, `specterApp.call("wallets.list").then(r => r.wallets.length)`))
	require.Equal(t, 3, eval[int](t, ctx, `specterApp.call("devices.list").then(r => r.devices.length)`))

	// After a reload (the engine's data read back from IndexedDB) it is
	// still recognised as loaded.
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
	waitJS(t, ctx, "the demo panel", `document.querySelector("[data-testid=demo-panel]")`)
	clickButton(t, ctx, "Load the demo wallets (REGTEST, worthless coins)")
	waitJS(t, ctx, "the already-loaded notice", `document.querySelector("[data-testid=demo-result] .notice")`)
	require.Equal(t, 2, eval[int](t, ctx, `specterApp.call("wallets.list").then(r => r.wallets.length)`))
	require.Equal(t, 3, eval[int](t, ctx, `specterApp.call("devices.list").then(r => r.devices.length)`))
}
