package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// axeVersion is the axe-core that scripts/install-test-deps.sh installs.
const axeVersion = "4.10.3"

// axeScript is axe-core's axe.min.js: $AXE_CORE_JS, or where
// scripts/install-test-deps.sh installs it
// (${XDG_CACHE_HOME:-~/.cache}/specter-test/axe-core-VERSION). The test
// skips when it is missing, except under CI (CI set), where it fails.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_CORE_JS")
	if path == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			require.NoError(t, err)
			cache = filepath.Join(home, ".cache")
		}
		path = filepath.Join(cache, "specter-test", "axe-core-"+axeVersion, "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		msg := fmt.Sprintf("axe-core %s is not installed at %s (%v): run scripts/install-test-deps.sh (or make deps)", axeVersion, path, err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so the accessibility check may not be skipped")
		}
		t.Skip(msg + "; skipping the accessibility check (it fails instead when CI is set)")
	}
	return string(src)
}

// axeViolation is one rule axe-core found broken, with the elements that
// break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeRunJS runs axe-core on the whole page against WCAG 2.0 and 2.1, levels
// A and AA, and axe's best practices (heading order, landmarks, one main,
// unique ids of landmarks...), and gives its violations and the number of
// rules passed as JSON.
const axeRunJS = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => JSON.stringify({passes: r.passes.length, violations: r.violations.map(v => ({
	id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary})),
}))}))`

// axeViolations injects axe-core into the page (once per document, through
// CDP's Runtime.evaluate, which the page's CSP does not govern) and runs it.
func axeViolations(t *testing.T, ctx context.Context, axeSrc string) []axeViolation {
	t.Helper()
	if !eval[bool](t, ctx, `typeof axe !== "undefined"`) {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSrc+"\n;true"))
		require.NoError(t, err, "injecting axe-core")
		require.True(t, eval[bool](t, ctx, `typeof axe !== "undefined" && typeof axe.run === "function"`), "axe-core did not load")
	}
	var out struct {
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}
	require.NoError(t, json.Unmarshal([]byte(eval[string](t, ctx, axeRunJS)), &out))
	// A page with a heading, links and form controls passes some rules: none
	// passed means axe-core checked nothing.
	require.Positive(t, out.Passes, "axe-core passed no rule on the page")
	return out.Violations
}

// describeViolations writes each violation as its rule, impact, help text
// and link, and each element's CSS selector and what to fix.
func describeViolations(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n- %s (%s): %s [%s]", v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " / "))
		}
	}
	return b.String()
}

// Every main screen and state of walkScreens (the i18n test's walk), with
// data, in English: the wallets list and a wallet's tabs, the devices list,
// adding a device, a device page and its delete confirmation, the hot
// device creation, Settings, the send screen and its review of a pending
// transaction, #/psbt with a loaded PSBT and its signers, the air-gap
// screens, the welcome screen's setup (with errors), node choice and login.
// None has a WCAG 2.0/2.1 A or AA violation, nor a best-practice one, that
// axe-core finds: any impact, minor ones included.
func TestA11yEveryScreenPassesAxeWCAG21AA(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and drives Chromium: not in -short")
	}
	axeSrc := axeScript(t)
	bin := specterBinary(t)
	rl := startRelay(t, bin, t.TempDir(), freeAddr(t))
	bctx := newBrowser(t, t.TempDir())
	ctx, cancel := context.WithTimeout(bctx, 5*time.Minute)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/devices")))
	waitHeading(t, ctx, "Devices")
	d := createScreenData(t, ctx)

	var failures []string
	checked := 0
	check := func(screen string) {
		t.Helper()
		checked++
		if vs := axeViolations(t, ctx, axeSrc); len(vs) > 0 {
			failures = append(failures, screen+":"+describeViolations(vs))
		}
		// Nor does any text node show a JavaScript value meant to be left
		// out (the DOM writes null as "null").
		if bad := eval[[]string](t, ctx, `(() => { const out = []; const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
			while (w.nextNode()) { const s = w.currentNode.textContent.trim(); if (/^(null|undefined|NaN|\[object Object\])$/.test(s) || /\b(undefined|NaN)\b|\[object Object\]/.test(s)) out.push(s); }
			return out; })()`); len(bad) > 0 {
			failures = append(failures, fmt.Sprintf("%s: text nodes show JavaScript values: %q", screen, bad))
		}
	}
	english := func(m string) string { return m }
	walkScreens(t, ctx, rl, d, english, check)
	t.Logf("axe-core %s checked %d screens and states", axeVersion, checked)
	require.Greater(t, checked, 30, "screens checked")
	require.Empty(t, failures, "axe-core %s found WCAG 2.1 A/AA or best-practice violations on %d of %d screens:\n%s", axeVersion, len(failures), checked, strings.Join(failures, "\n\n"))

	// The check itself catches a violation: a text field without a label
	// and a button without a name, added to the screen.
	eval[bool](t, ctx, `(document.querySelector("main > .view").insertAdjacentHTML("beforeend", '<div id="a11y-probe"><input type="text"><button></button></div>'), true)`)
	probe := map[string][]string{}
	for _, v := range axeViolations(t, ctx, axeSrc) {
		for _, n := range v.Nodes {
			probe[v.ID] = append(probe[v.ID], fmt.Sprint(n.Target...))
		}
	}
	require.Equal(t, map[string][]string{"label": {`#a11y-probe > input[type="text"]`}, "button-name": {"#a11y-probe > button"}}, probe)
	eval[bool](t, ctx, `(document.getElementById("a11y-probe").remove(), true)`)
}
