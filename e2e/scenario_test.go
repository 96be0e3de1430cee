// Package e2e holds the end-to-end tests of the PWA: a real `specter serve`
// (built by the test with the engine's WebAssembly) driven through headless
// Debian Chromium with chromedp, doing what a new user does.
package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// eval runs an expression in the page (awaiting a promise) and returns its
// value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	require.NoError(t, err, "evaluating %s", expr)
	return v
}

// waitJS polls until expr (or the promise it gives) is truthy in the page.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("(async () => !!(await ("+expr+")))()", chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText : document.body.innerText`))
			t.Fatalf("waiting for %s (%s): timed out (err %v); the page shows:\n%s", what, expr, err, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// goHash opens a route of the app (a same-document navigation).
func goHash(t *testing.T, ctx context.Context, hash string) {
	t.Helper()
	eval[string](t, ctx, "location.hash = "+quote(hash))
}

// fill sets a form control's value as typing would (input and change events).
func fill(t *testing.T, ctx context.Context, selector, value string) {
	t.Helper()
	expr := fmt.Sprintf(`(() => { const el = document.querySelector(%s); if (!el) return false;
		el.value = %s; el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`,
		quote(selector), quote(value))
	require.True(t, eval[bool](t, ctx, expr), "no element %s", selector)
}

// clickButton clicks the button or link with exactly this text, with a real
// mouse click.
func clickButton(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	sel := fmt.Sprintf(`//main//*[self::button or self::a][normalize-space()=%s]`, quote(text))
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(cctx, chromedp.Click(chromedp.Search(sel), chromedp.NodeVisible)), "clicking %q", text)
}

// clickXPath clicks the element at an XPath with a real mouse click.
func clickXPath(t *testing.T, ctx context.Context, xpath string) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(cctx, chromedp.Click(chromedp.Search(xpath), chromedp.NodeVisible)), "clicking %s", xpath)
}

// text is the text content of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%s).textContent`, quote(selector)))
}

func heading(ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main h1") ? document.querySelector("main h1").textContent : ""`))
	return s
}

func waitHeading(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	waitJS(t, ctx, "the heading "+text, `document.querySelector("main h1") && document.querySelector("main h1").textContent === `+quote(text))
}

// tableColumn reads column col (1-based) of the main table's rows.
func tableColumn(t *testing.T, ctx context.Context, col int) []string {
	t.Helper()
	return eval[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll("main table tbody tr")].map(r => r.children[%d].textContent)`, col-1))
}

// cliAddresses runs `specter addresses` for the descriptor.
func cliAddresses(t *testing.T, bin, network, desc string, count int) []string {
	t.Helper()
	out, err := exec.Command(bin, "addresses", "--network", network, "--count", fmt.Sprint(count), desc).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return strings.Fields(strings.TrimSpace(string(out)))
}

func canvasPNG(t *testing.T, ctx context.Context, selector string) []byte {
	t.Helper()
	url := eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%s).toDataURL("image/png")`, quote(selector)))
	data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(url, "data:image/png;base64,"))
	require.NoError(t, err)
	return data
}

// waitDownload waits for one downloaded file matching the glob pattern.
func waitDownload(t *testing.T, dir, pattern string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(matches) == 1 {
			return matches[0]
		}
		require.True(t, time.Now().Before(deadline), "no file %s was downloaded", pattern)
		time.Sleep(100 * time.Millisecond)
	}
}

// exportBackup returns the engine's backup document as compact JSON.
func exportBackup(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `specterApp.call("backup.export").then(r => JSON.stringify(r.backup))`)
}

// TestNewUserSetsUpA2of3WalletThatSurvivesReloadOfflineAndRestore is the
// path of a new user: create the relay's admin with the console token, add
// three devices from xpub text, create a 2-of-3 wallet (Specter's default
// M), see the same first receive addresses as `specter addresses` and a
// scannable QR code, reload (everything is still there), stop the relay (the
// app still loads from the service worker and shows the wallet), then
// backup, erase and restore (identical data).
func TestNewUserSetsUpA2of3WalletThatSurvivesReloadOfflineAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and drives Chromium: not in -short")
	}
	bin := specterBinary(t)
	rl := startRelay(t, bin, t.TempDir(), freeAddr(t))
	require.NotEmpty(t, rl.token, "the relay printed no setup token")
	downloads := t.TempDir()
	bctx := newBrowser(t, downloads)
	ctx, cancel := context.WithTimeout(bctx, 5*time.Minute)
	defer cancel()
	shot := newShots(t)

	// Welcome: first-run admin setup with the token from the console.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url())))
	waitJS(t, ctx, "the setup form", `location.hash === "#/welcome" && document.querySelector("input[name=token]")`)
	require.Equal(t, "Welcome to Specter", heading(ctx))
	shot.take(t, ctx, "welcome-setup")
	fill(t, ctx, "input[name=token]", rl.token)
	fill(t, ctx, "input[name=username]", "admin")
	fill(t, ctx, "input[name=password]", "correct horse battery")
	fill(t, ctx, "input[name=password2]", "correct horse battery")
	clickButton(t, ctx, "Create the admin")
	waitJS(t, ctx, "the connected panel", `document.getElementById("session-h")`)
	waitJS(t, ctx, "the relay shown reachable", `document.getElementById("relay-state").dataset.state === "ok"`)
	waitJS(t, ctx, "the user in the status bar", `document.getElementById("user-state").textContent === "Logged in as admin"`)
	// The admin adds a node (nothing listens there) and chooses it: the
	// status bar says the node is not reachable.
	fill(t, ctx, "input[name=node-name]", "Kitchen node")
	fill(t, ctx, "input[name=node-url]", "http://127.0.0.1:1")
	fill(t, ctx, "select[name=node-network]", "test")
	fill(t, ctx, "input[name=node-user]", "rpc")
	fill(t, ctx, "input[name=node-password]", "secret")
	clickButton(t, ctx, "Add the node")
	waitJS(t, ctx, "the node choice", `[...document.querySelectorAll("main label")].some(l => l.textContent === "Kitchen node (test, http://127.0.0.1:1)")`)
	clickXPath(t, ctx, `//main//label[normalize-space()="Kitchen node (test, http://127.0.0.1:1)"]`)
	clickButton(t, ctx, "Use this node")
	waitJS(t, ctx, "the node shown not reachable", `document.getElementById("node-state").dataset.state === "down" && specterApp.config.node_id !== ""`)
	require.Equal(t, "Node: not reachable", text(t, ctx, "#node-state"))
	shot.take(t, ctx, "welcome-connected")

	// Log out, then back in: a wrong password is refused and says why; the
	// right one opens the session again with the node still chosen.
	clickButton(t, ctx, "Log out")
	waitJS(t, ctx, "the login form", `document.getElementById("login-h")`)
	require.Equal(t, "Log in to the relay", text(t, ctx, "#login-h"))
	fill(t, ctx, "input[name=username]", "admin")
	fill(t, ctx, "input[name=password]", "wrong horse battery")
	clickButton(t, ctx, "Log in")
	waitJS(t, ctx, "the refusal", `document.querySelector("main .error")`)
	require.Equal(t, "wrong user name or password", text(t, ctx, "main .error .error-message"))
	require.Nil(t, eval[any](t, ctx, `document.getElementById("session-h")`), "no session after a wrong password")
	shot.take(t, ctx, "welcome-login-refused")
	fill(t, ctx, "input[name=password]", "correct horse battery")
	clickButton(t, ctx, "Log in")
	waitJS(t, ctx, "the connected panel again", `document.getElementById("session-h")`)
	waitJS(t, ctx, "the user in the status bar again", `document.getElementById("user-state").textContent === "Logged in as admin"`)
	// The node is checked again at once: it is still the chosen, unreachable one.
	waitJS(t, ctx, "the node checked again", `document.getElementById("node-state").textContent === "Node: not reachable" && specterApp.config.node_id !== ""`)
	// The service worker has precached the app (needed for the offline part).
	waitJS(t, ctx, "the service worker in control", `navigator.serviceWorker.controller !== null`)
	requireInstallable(t, ctx)
	// The engine's WebAssembly is cached by its content-hashed URL, which
	// the relay serves cacheable for a year.
	engine := eval[[]string](t, ctx, `(async () => {
		const text = await (await fetch("/precache.js")).text();
		const url = /self\.SPECTER_ENGINE = "([^"]+)"/.exec(text)[1];
		const resp = await fetch(url, {cache: "no-store"});
		const cached = (await (await caches.open((await caches.keys())[0])).keys()).map((r) => new URL(r.url).pathname).filter((p) => p.startsWith("/wasm/engine"));
		return [url, String(resp.status), resp.headers.get("Content-Type"), resp.headers.get("Cache-Control"), cached.join(" ")];
	})()`)
	require.Regexp(t, `^/wasm/engine\.[0-9a-f]{16}\.wasm$`, engine[0])
	require.Equal(t, []string{engine[0], "200", "application/wasm", "public, max-age=31536000, immutable", engine[0]}, engine)

	// Devices: three hardware signers from "[fp/path]tpub" text.
	devices := []struct{ name, typ string }{{"Coldcard A", "coldcard"}, {"Trezor B", "trezor"}, {"Jade C", "jade"}}
	var lines []string
	for i, d := range devices {
		k := bip48Key(t, byte(i+1))
		lines = append(lines, k.line())
		goHash(t, ctx, "#/devices/new")
		waitHeading(t, ctx, "Add a device")
		fill(t, ctx, "input[name=name]", d.name)
		fill(t, ctx, "select[name=type]", d.typ)
		fill(t, ctx, "textarea[name=keys]", k.line())
		waitJS(t, ctx, "the key preview", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "1 key found"`)
		if i == 0 {
			shot.take(t, ctx, "device-add")
		}
		clickButton(t, ctx, "Add the device")
		waitHeading(t, ctx, d.name)
		require.Equal(t, []string{"[" + k.fingerprint + "/" + k.path + "]"}, tableColumn(t, ctx, 1))
		require.Equal(t, []string{k.tpub}, tableColumn(t, ctx, 2))
	}
	shot.take(t, ctx, "device-page")
	goHash(t, ctx, "#/devices")
	waitJS(t, ctx, "three device cards", `document.querySelectorAll("main .cards li").length === 3`)
	shot.take(t, ctx, "devices")

	// A 2-of-3 wallet from the three devices: M defaults to N/2+1 = 2.
	goHash(t, ctx, "#/wallets/new")
	waitHeading(t, ctx, "Create a wallet")
	fill(t, ctx, "input[name=name]", "Family vault")
	eval[int](t, ctx, `document.querySelectorAll("input[name=device]").forEach(b => b.click()); 1`)
	require.Equal(t, "2", eval[string](t, ctx, `document.querySelector("input[name=m]").value`))
	require.Equal(t, "wsh", eval[string](t, ctx, `document.querySelector("select[name=script]").value`))
	require.Equal(t, "test", eval[string](t, ctx, `document.querySelector("select[name=network]").value`))
	shot.take(t, ctx, "wallet-create")
	clickButton(t, ctx, "Create the wallet")
	waitHeading(t, ctx, "Family vault")
	walletHash := eval[string](t, ctx, "location.hash")
	require.True(t, strings.HasPrefix(walletHash, "#/wallets/"), walletHash)
	waitJS(t, ctx, "the balance", `document.querySelector("[data-testid=balance]")`)
	shot.take(t, ctx, "wallet-overview")

	// The descriptor, and the same first addresses as `specter addresses`.
	goHash(t, ctx, walletHash+"/settings")
	waitJS(t, ctx, "the descriptors", `document.querySelector("[data-testid=descriptor-receive]")`)
	desc := text(t, ctx, "[data-testid=descriptor-receive]")
	require.True(t, strings.HasPrefix(desc, "wsh(sortedmulti(2,"), desc)
	for _, l := range lines {
		require.Contains(t, strings.ReplaceAll(desc, "'", "h"), l+"/0/*")
	}
	shot.take(t, ctx, "wallet-settings")

	// The printable backup page: its QR code scans to the descriptor shown.
	clickButton(t, ctx, "Printable backup page with QR codes")
	waitHeading(t, ctx, "Wallet backup: Family vault")
	printed := text(t, ctx, "main figure code")
	require.True(t, strings.HasPrefix(printed, "wsh(sortedmulti(2,"), printed)
	require.Equal(t, printed, decodeQR(t, canvasPNG(t, ctx, "[data-testid=print-qr-descriptor]")))
	shot.take(t, ctx, "wallet-print")
	want := cliAddresses(t, bin, "test", desc, 5)
	require.Len(t, want, 5)
	goHash(t, ctx, walletHash+"/addresses")
	waitJS(t, ctx, "the address table", `document.querySelectorAll("main table tbody tr").length >= 5`)
	require.Equal(t, want, tableColumn(t, ctx, 2)[:5])
	require.Equal(t, []string{"0", "1", "2", "3", "4"}, tableColumn(t, ctx, 1)[:5])
	shot.take(t, ctx, "wallet-addresses")

	// Receive: the first unused address, and a QR code that scans to it.
	goHash(t, ctx, walletHash+"/receive")
	waitJS(t, ctx, "the receive address", `document.querySelector("[data-testid=receive-address]")`)
	addr := text(t, ctx, "[data-testid=receive-address]")
	require.Equal(t, want[0], addr)
	require.Equal(t, "bitcoin:"+want[0], decodeQR(t, canvasPNG(t, ctx, "[data-testid=receive-qr]")))
	fill(t, ctx, "input[name=amount]", "0.0015")
	fill(t, ctx, "input[name=label]", "Rent March")
	require.Equal(t, "bitcoin:"+want[0]+"?amount=0.0015&label=Rent%20March", decodeQR(t, canvasPNG(t, ctx, "[data-testid=receive-qr]")))
	shot.take(t, ctx, "wallet-receive")

	// A device in use cannot be deleted; the error names the wallet.
	goHash(t, ctx, "#/devices")
	waitJS(t, ctx, "the device cards", `document.querySelectorAll("main .cards li").length === 3`)
	clickXPath(t, ctx, `//main//a[.//span[@class="title" and text()="Coldcard A"]]`)
	waitHeading(t, ctx, "Coldcard A")
	clickButton(t, ctx, "Delete")
	clickButton(t, ctx, "Yes, delete")
	waitJS(t, ctx, "the refusal", `document.querySelector("main .error")`)
	refusal := text(t, ctx, "main .error")
	require.Contains(t, refusal, "Family vault")
	shot.take(t, ctx, "device-delete-refused")

	// Reload: everything is still there.
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
	goHash(t, ctx, "#/wallets")
	waitJS(t, ctx, "the wallet card", `[...document.querySelectorAll("main .cards .title")].map(e => e.textContent).join() === "Family vault"`)
	goHash(t, ctx, walletHash+"/addresses")
	waitJS(t, ctx, "the address table", `document.querySelectorAll("main table tbody tr").length >= 5`)
	require.Equal(t, want, tableColumn(t, ctx, 2)[:5])
	before := exportBackup(t, ctx)

	// Stop the relay: the app still loads from the service worker.
	rl.stop(t)
	reloadAt(t, ctx, rl.url()+walletHash+"/receive")
	waitHeading(t, ctx, "Family vault")
	waitJS(t, ctx, "the receive address", `document.querySelector("[data-testid=receive-address]")`)
	addr = text(t, ctx, "[data-testid=receive-address]")
	require.Equal(t, want[0], addr)
	waitJS(t, ctx, "the relay shown down", `document.getElementById("relay-state").dataset.state === "down"`)
	waitJS(t, ctx, "the offline badge", `!document.getElementById("offline-badge").hidden`)
	shot.take(t, ctx, "offline-wallet")
	require.Equal(t, before, exportBackup(t, ctx))

	// Backup to a file, erase everything, restore: identical data.
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	clickButton(t, ctx, "Download a backup")
	file := waitDownload(t, downloads, "specter-backup-*.json")
	saved, err := os.ReadFile(file)
	require.NoError(t, err)
	require.JSONEq(t, before, string(saved))
	shot.take(t, ctx, "settings")
	clickButton(t, ctx, "Erase everything")
	clickButton(t, ctx, "Yes, erase everything")
	waitHeading(t, ctx, "Wallets")
	waitJS(t, ctx, "no wallets", `document.querySelector("main .empty")`)
	goHash(t, ctx, "#/devices")
	waitHeading(t, ctx, "Devices")
	waitJS(t, ctx, "no devices", `document.querySelector("main .empty")`)
	shot.take(t, ctx, "erased")
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("input[name=restore]"), []string{file})))
	clickButton(t, ctx, "Restore")
	waitJS(t, ctx, "the restore summary", `document.querySelector("main .notice")`)
	summary := text(t, ctx, "main .notice")
	require.Equal(t, "Restored 3 devices, 1 wallets and 0 pending PSBTs.", summary)
	shot.take(t, ctx, "restored")
	require.JSONEq(t, before, exportBackup(t, ctx))
	goHash(t, ctx, walletHash+"/addresses")
	waitJS(t, ctx, "the address table", `document.querySelectorAll("main table tbody tr").length >= 5`)
	require.Equal(t, want, tableColumn(t, ctx, 2)[:5])
}
