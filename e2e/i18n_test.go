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
	d := createScreenData(t, ctx)

	// The pseudo-locale, injected through the documented test hook.
	eval[bool](t, ctx, `(specterApp.i18n.useCatalogue("en-XA", `+pseudoCatalogue(t)+`), true)`)
	waitJS(t, ctx, "the pseudo-locale", `specterApp.i18n.language() === "en-XA" && document.querySelector("header nav a").textContent === "⟦Wallets⟧"`)
	namesJS, err := json.Marshal(d.names)
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

	// Every screen and state of the shared walk, in the pseudo-locale.
	pseudo := func(m string) string { return "⟦" + m + "⟧" }
	walkScreens(t, ctx, rl, d, pseudo, check)

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
