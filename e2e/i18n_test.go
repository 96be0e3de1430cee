package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// pseudoCatalogue is the pseudo-locale of every message of the UI
// (web/i18n/messages.json, written by internal/tools/i18n): each message
// becomes "⟦" + message + "⟧" with its {placeholders} kept, so a text on
// screen that is not between ⟦ ⟧ did not go through t().
func pseudoCatalogue(t *testing.T) string {
	t.Helper()
	ids := messageIDs(t)
	cat := make(map[string]string, len(ids))
	for _, id := range ids {
		cat[id] = "⟦" + id + "⟧"
	}
	out, err := json.Marshal(cat)
	require.NoError(t, err)
	return string(out)
}

// messageIDs is web/i18n/messages.json.
func messageIDs(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "web", "i18n", "messages.json"))
	require.NoError(t, err)
	var ids []string
	require.NoError(t, json.Unmarshal(data, &ids))
	require.NotEmpty(t, ids)
	return ids
}

// untranslatedJS lists the visible texts of the page's headings, labels,
// buttons, table headers and captions, legends, help lines, definition
// terms, summaries, button links and navigation links (in <main> and the
// header's nav), of index.html's data-i18n elements and the status bar,
// and the aria-labels in <main>, that are not wrapped in ⟦ ⟧. Data is left
// out: elements marked translate="no" (names), code and .mono (keys,
// addresses, txids), [data-testid] leaves (amounts, counts), [data-engine]
// texts (the engine's notes, which stay English), form controls'
// values, and aria-labels equal to one of the data names given.
const untranslatedJS = `((names) => {
	const texts = "h1,h2,h3,h4,label,button,th,caption,legend,.help,dt,summary,a.button,nav a,p.empty";
	const data = "[translate=no],[data-engine],code,.mono,[data-testid]:not(:has(*)),select,textarea,input,option,canvas";
	const wrapped = (s) => s.startsWith("⟦") && s.endsWith("⟧");
	const visible = (el) => el.getClientRects().length > 0;
	const own = (el) => {
		let s = "";
		for (const c of el.childNodes) {
			if (c.nodeType === Node.TEXT_NODE) s += c.data;
			else if (c.nodeType === Node.ELEMENT_NODE && !c.matches(data)) s += own(c);
		}
		return s;
	};
	const bad = [];
	const roots = [document.querySelector("main"), document.querySelector("header nav")];
	for (const root of roots) {
		for (const el of root.querySelectorAll(texts)) {
			if (!visible(el) || el.closest(data)) continue;
			const s = own(el).trim();
			if (s && !wrapped(s)) bad.push(el.tagName.toLowerCase() + ": " + s);
		}
	}
	for (const el of document.querySelectorAll("main [aria-label], header nav[aria-label]")) {
		const s = el.getAttribute("aria-label").trim();
		if (s && !wrapped(s) && !names.includes(s) && !el.closest("[translate=no]")) bad.push("aria-label of " + el.tagName.toLowerCase() + ": " + s);
	}
	for (const el of document.querySelectorAll("[data-i18n], #statusbar > span")) {
		const s = el.textContent.trim();
		if (s && !wrapped(s)) bad.push("static " + (el.id || el.tagName.toLowerCase()) + ": " + s);
	}
	return bad;
})`

// leftoverJS lists the messages of the UI (ids, the English message ids)
// whose English text is still in <main> once the pseudo-locale's ⟦ ⟧
// segments, the data elements (as untranslatedJS), the engine's error
// messages and amounts are taken out: a text composed in JS around a
// translated part ("Keystone · 1 key") that untranslatedJS's elements do
// not cover.
const leftoverJS = `((ids) => {
	const data = "[translate=no],[data-engine],code,.mono,[data-testid]:not(:has(*)),select,textarea,input,option,canvas,.error-message";
	const clone = document.querySelector("main").cloneNode(true);
	for (const el of clone.querySelectorAll(data)) el.remove();
	let s = clone.textContent, prev;
	do { prev = s; s = s.replace(/⟦[^⟦⟧]*⟧/g, " | "); } while (s !== prev);
	s = s.replace(/-?[0-9][0-9,.]*\s*(BTC|sats)\b/g, " | ");
	const esc = (x) => x.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
	return ids.filter((id) => /[A-Za-z]{3,}/.test(id.replace(/\{[A-Za-z0-9_]+\}/g, ""))).filter((id) => {
		const body = id.split(/\{[A-Za-z0-9_]+\}/).map(esc).join("[^|]+?");
		return new RegExp((/^\w/.test(id) ? "\\b" : "") + body + (/\w$/.test(id) ? "\\b" : "")).test(s);
	});
})`

// visit opens a route and waits until its screen is drawn: a new view with
// a heading, and ready (a JS condition) when given.
func visit(t *testing.T, ctx context.Context, hash, ready string) {
	t.Helper()
	eval[bool](t, ctx, `(() => { const v = document.querySelector("main > .view"); if (v) v.dataset.old = "1"; return true; })()`)
	goHash(t, ctx, hash)
	waitJS(t, ctx, "the screen "+hash, `document.querySelector("main > .view:not([data-old]) h1")`)
	if ready != "" {
		waitJS(t, ctx, "the screen "+hash+" ready", ready)
	}
}

func TestI18nPseudoLocaleWrapsEveryTextOfEveryScreenAndEnglishComesBack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and drives Chromium: not in -short")
	}
	bin := specterBinary(t)
	rl := startRelay(t, bin, t.TempDir(), freeAddr(t))
	bctx := newBrowser(t, t.TempDir())
	ctx, cancel := context.WithTimeout(bctx, 5*time.Minute)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/devices")))
	waitHeading(t, ctx, "Devices")

	// The catalogues are precached by the service worker and listed for
	// the Settings screen: English and German.
	require.True(t, eval[bool](t, ctx, `fetch("/precache.js").then(r => r.text()).then(s => ["/i18n/messages.json", "/i18n/languages.json", "/i18n/de.json"].every(u => s.includes(JSON.stringify(u))))`))
	require.Equal(t, []string{"en", "de"}, eval[[]string](t, ctx, `specterApp.i18n.available().then(l => l.map(x => x.tag))`))

	// Data on every screen: a hot device, two hardware devices, a 2-of-3
	// wallet and a pending transaction of it.
	names := []string{"Hot H", "Keystone A", "Coldcard B", "Vault"}
	walletID, ids, w := createHotVault(t, ctx, "Vault")
	unsigned := rentPSBT(t, w, "i18n e2e coin", 1)
	savePendingPSBT(t, ctx, walletID, "Rent", unsigned)
	txid := unsigned.UnsignedTx.TxHash().String()

	// The pseudo-locale, injected through the documented test hook.
	eval[bool](t, ctx, `(specterApp.i18n.useCatalogue("en-XA", `+pseudoCatalogue(t)+`), true)`)
	waitJS(t, ctx, "the pseudo-locale", `specterApp.i18n.language() === "en-XA" && document.querySelector("header nav a").textContent === "⟦Wallets⟧"`)
	namesJS, err := json.Marshal(names)
	require.NoError(t, err)
	idsJS, err := json.Marshal(messageIDs(t))
	require.NoError(t, err)
	check := func(screen string) {
		t.Helper()
		bad := eval[[]string](t, ctx, untranslatedJS+"("+string(namesJS)+")")
		require.Empty(t, bad, "texts of %s that did not go through t()", screen)
		left := eval[[]string](t, ctx, leftoverJS+"("+string(idsJS)+")")
		require.Empty(t, left, "English messages left on %s", screen)
	}
	// The status bar is drawn again in the new language.
	waitJS(t, ctx, "the status bar", `[...document.querySelectorAll("#statusbar > span")].every(s => !s.textContent.trim() || s.textContent.trim().startsWith("⟦"))`)

	wid := "/" + walletID
	screens := []struct{ hash, ready string }{
		{"#/wallets", `document.querySelector("main ul.cards")`},
		{"#/wallets/new", `document.querySelector("main select[name=script] option")`},
		{"#/wallets/import", ""},
		{"#/wallets" + wid + "/overview", `document.querySelector("#sync-h")`},
		{"#/wallets" + wid + "/receive", `document.querySelector("[data-testid=receive-address]")`},
		{"#/wallets" + wid + "/addresses", `document.querySelector("main table tbody tr")`},
		{"#/wallets" + wid + "/addresses/change", `document.querySelector("main table tbody tr")`},
		{"#/wallets" + wid + "/transactions", ""},
		{"#/wallets" + wid + "/utxos", ""},
		{"#/wallets" + wid + "/settings", `document.querySelector("main select[name=format], main .panel button")`},
		{"#/wallets" + wid + "/print", `document.querySelector("[data-testid=print-qr-descriptor]")`},
		{"#/devices", `document.querySelector("main ul.cards")`},
		{"#/devices/new", `document.querySelector("main select[name=type]")`},
		{"#/devices/hot", ""},
		{"#/devices/" + ids[0], `document.querySelector("main table")`},
		{"#/settings", `document.querySelector("main select[name=language]")`},
		{"#/send", ""},
		{"#/send" + wid, `document.querySelector("[data-testid=pending-psbts]") && document.querySelector("[data-testid=fee-notice], main .help")`},
		{"#/send" + wid + "/psbt/" + txid, `document.querySelector("[data-testid=signature-count]")`},
		{"#/send" + wid + "/tx/" + txid, `document.querySelector("[data-testid=sent-status]")`},
		{"#/psbt/device", `document.querySelector("main .camera")`},
		{"#/psbt/register" + wid, `document.querySelector("[data-testid=register-qr], main .animqr, main .error")`},
		{"#/psbt/address" + wid + "/0", `document.querySelectorAll("main section.panel h2").length === 3`},
		{"#/no-such-screen", ""},
	}
	for _, s := range screens {
		visit(t, ctx, s.hash, s.ready)
		check(s.hash)
	}

	// The air-gap screen with the pending transaction loaded and a QR
	// signer open, then the hot device's password form.
	visit(t, ctx, "#/psbt", `document.querySelector("main select[name=wallet]")`)
	fill(t, ctx, "select[name=wallet]", walletID)
	waitJS(t, ctx, "the pending transaction", `[...document.querySelectorAll("main .pending button")].some(b => b.textContent === "⟦Load Rent⟧")`)
	eval[bool](t, ctx, `([...document.querySelectorAll("main .pending button")].find(b => b.textContent === "⟦Load Rent⟧").click(), true)`)
	waitJS(t, ctx, "the review", `document.querySelector("[data-testid=psbt-fee]")`)
	eval[bool](t, ctx, `([...document.querySelectorAll("main .signer-list button")].find(b => b.textContent === "⟦Sign with Keystone A⟧").click(), true)`)
	waitJS(t, ctx, "the signer's QR", `document.querySelector("[data-testid=psbt-qr]") && document.querySelector("main select[name=format]")`)
	check("#/psbt with a Keystone signer")
	eval[bool](t, ctx, `([...document.querySelectorAll("main .signer-list button")].find(b => b.textContent === "⟦Sign with Hot H⟧").click(), true)`)
	waitJS(t, ctx, "the password form", `document.querySelector("main .signer-slot input[name=password]")`)
	check("#/psbt with the hot signer")

	// A confirmation step of ui.js.
	visit(t, ctx, "#/devices/"+ids[1], `document.querySelector("main table")`)
	eval[bool](t, ctx, `([...document.querySelectorAll("main button")].find(b => b.textContent === "⟦Delete⟧").click(), true)`)
	waitJS(t, ctx, "the question", `document.querySelector("main .confirm-question")`)
	check("a device's delete confirmation")
	require.Equal(t, "⟦Yes, delete⟧", eval[string](t, ctx, `document.querySelector("main .confirm button.danger").textContent`))

	// The welcome screen: the first-run setup (the relay has no admin yet)
	// with its passwords that differ, the "Use another relay" form with an
	// address it refuses, the admin created, the node choice, then the
	// login form.
	visit(t, ctx, "#/welcome", `document.querySelector("main input[name=token]")`)
	check("#/welcome, first run")
	fill(t, ctx, "input[name=token]", rl.token)
	fill(t, ctx, "input[name=password]", "correct horse battery")
	fill(t, ctx, "input[name=password2]", "correct horse staple")
	clickButton(t, ctx, "⟦Create the admin⟧")
	waitJS(t, ctx, "the setup's error", `document.querySelector("main .view > .errors .error")`)
	require.Equal(t, []string{"⟦the two passwords differ⟧", "⟦What to do: ⟦type the same password twice⟧⟧"},
		eval[[]string](t, ctx, `[...document.querySelectorAll("main .view > .errors .error p")].map(p => p.textContent)`))
	check("#/welcome, first run with an error")
	fill(t, ctx, "input[name=relay-url]", "relay.example")
	clickButton(t, ctx, "⟦Connect⟧")
	waitJS(t, ctx, "the relay choice's error", `document.querySelector("form[aria-labelledby=other-relay-h] .error")`)
	require.Equal(t, []string{`⟦"relay.example" is not a relay address: it must start with http:// or https://⟧`,
		"⟦What to do: ⟦type the relay's address as its page shows it, such as https://relay.example or http://192.168.1.5:25441⟧⟧"},
		eval[[]string](t, ctx, `[...document.querySelectorAll("form[aria-labelledby=other-relay-h] .error p")].map(p => p.textContent)`))
	check("#/welcome, another relay refused")
	fill(t, ctx, "input[name=password2]", "correct horse battery")
	clickButton(t, ctx, "⟦Create the admin⟧")
	waitJS(t, ctx, "the session and the add-node form", `document.querySelector("main #session-h") && document.querySelector("main input[name=node-url]")`)
	require.Equal(t, "⟦Logged in to this relay as admin (admin).⟧", text(t, ctx, "section[aria-labelledby=session-h] p"))
	check("#/welcome, logged in")
	// A node of the relay (not reachable: only its choice is drawn).
	eval[string](t, ctx, `specterApp.relay.addNode({name: "Node N", url: "http://127.0.0.1:1", network: "regtest", user: "u", password: "p"}).then(n => n.id)`)
	eval[bool](t, ctx, `(document.querySelector("main > .view").dataset.old = "1", specterApp.go("#/welcome"), true)`)
	waitJS(t, ctx, "the node choice", `document.querySelector("main > .view:not([data-old]) label[for=node-none]") && [...document.querySelectorAll("main label[translate=no]")].some(l => l.textContent.startsWith("Node N (regtest, "))`)
	require.Equal(t, "⟦None⟧", text(t, ctx, "main label[for=node-none]"))
	check("#/welcome, node choice")
	clickButton(t, ctx, "⟦Log out⟧")
	waitJS(t, ctx, "the login form", `document.querySelector("main #login-h") && document.querySelector("main input[name=username]")`)
	check("#/welcome, login")

	// English comes back, byte for byte, with no catalogue.
	eval[bool](t, ctx, `(specterApp.i18n.useCatalogue("en", null), true)`)
	waitJS(t, ctx, "English", `specterApp.i18n.language() === "en" && document.querySelector("header nav a").textContent === "Wallets"`)
	visit(t, ctx, "#/wallets", `document.querySelector("main ul.cards")`)
	waitHeading(t, ctx, "Wallets")
	require.Equal(t, []string{"Create a wallet", "Import a wallet"}, eval[[]string](t, ctx, `[...document.querySelectorAll("main .actions a")].map(a => a.textContent)`))
	require.Equal(t, "Vault", eval[string](t, ctx, `document.querySelector("main ul.cards .title").textContent`))

	// The Settings screen's language: chosen, saved in the config, applied
	// at once and again after a reload.
	visit(t, ctx, "#/settings", `document.querySelector("main select[name=language]")`)
	require.Equal(t, "en", eval[string](t, ctx, `document.querySelector("main select[name=language]").value`))
	require.Equal(t, []string{"English", "Deutsch"}, eval[[]string](t, ctx, `[...document.querySelectorAll("main select[name=language] option")].map(o => o.textContent)`))
	fill(t, ctx, "select[name=language]", "de")
	waitHeading(t, ctx, "Einstellungen")
	require.Equal(t, "de", eval[string](t, ctx, `specterApp.call("config.get").then(c => c.language)`))
	require.Equal(t, "Geräte", eval[string](t, ctx, `document.querySelector("header nav a[data-nav=devices]").textContent`))
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
	waitHeading(t, ctx, "Einstellungen")
	require.Equal(t, "de", eval[string](t, ctx, `document.documentElement.lang`))
	require.Equal(t, "de", eval[string](t, ctx, `document.querySelector("main select[name=language]").value`))
	// German plurals and placeholders on the devices screen.
	visit(t, ctx, "#/devices", `document.querySelector("main ul.cards")`)
	waitHeading(t, ctx, "Geräte")
	require.Contains(t, eval[[]string](t, ctx, `[...document.querySelectorAll("main ul.cards .sub:not(.mono)")].map(s => s.textContent)`), "Keystone · 1 Schlüssel")

	// A regional tag falls back to its language; a language without a
	// catalogue falls back to English.
	for _, tc := range []struct{ tag, used, heading string }{{"de-AT", "de", "Einstellungen"}, {"fr", "en", "Settings"}} {
		require.Equal(t, tc.tag, eval[string](t, ctx, `specterApp.call("config.set", {...specterApp.config, language: `+quote(tc.tag)+`}).then(c => c.language)`))
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/settings")))
		require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
		waitHeading(t, ctx, tc.heading)
		require.Equal(t, tc.used, eval[string](t, ctx, `specterApp.i18n.language()`), tc.tag)
	}
	require.True(t, strings.HasPrefix(eval[string](t, ctx, `document.title`), "Settings"))

	// The welcome screen when the relay is gone: its error and going on
	// offline, in the pseudo-locale.
	rl.stop(t)
	eval[bool](t, ctx, `(specterApp.i18n.useCatalogue("en-XA", `+pseudoCatalogue(t)+`), true)`)
	waitJS(t, ctx, "the status bar without the relay", `document.getElementById("relay-state").textContent === "⟦Relay: not reachable⟧"`)
	visit(t, ctx, "#/welcome", `document.querySelector("main #relay-h")`)
	require.Equal(t, "⟦Relay not reachable⟧", text(t, ctx, "main #relay-h"))
	require.Equal(t, []string{"⟦the relay did not answer⟧", "⟦What to do: ⟦check that `specter serve` runs and that this device reaches it; the app works offline meanwhile⟧⟧"},
		eval[[]string](t, ctx, `[...document.querySelectorAll("section[aria-labelledby=relay-h] .error p")].map(p => p.textContent)`))
	check("#/welcome, relay not reachable")
}
