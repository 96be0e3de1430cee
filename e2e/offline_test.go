package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// TestOfflineUserCreatesAHotDeviceAndImportsAWallet goes on offline from the
// welcome screen (no relay account), creates a hot device whose new mnemonic
// is shown once, sees the engine's errors as message and hint (a mistyped
// mnemonic word, a bad descriptor), imports a single-sig wallet from a
// descriptor whose addresses match `specter addresses`, and switches the
// units to sats. Each screen change moves the focus to its heading.
func TestOfflineUserCreatesAHotDeviceAndImportsAWallet(t *testing.T) {
	app := startApp(t, 4*time.Minute)
	bin, ctx, downloads, shot := app.bin, app.ctx, app.downloads, app.shot
	focusOnHeading := `document.activeElement === document.querySelector("main h1")`

	useOffline(t, ctx, app.rl)
	waitJS(t, ctx, "the focus on the heading", focusOnHeading)
	require.Equal(t, "page", eval[string](t, ctx, `document.querySelector("[data-nav=wallets]").getAttribute("aria-current")`))
	require.Equal(t, "Wallets · Specter", eval[string](t, ctx, `document.title`))

	// A hot device from a new mnemonic, shown once.
	clickXPath(t, ctx, `//header//nav//a[normalize-space()="Devices"]`)
	waitHeading(t, ctx, "Devices")
	waitJS(t, ctx, "the focus on the heading", focusOnHeading)
	clickButton(t, ctx, "Create a hot device")
	waitHeading(t, ctx, "Create a hot device")
	fill(t, ctx, "input[name=name]", "Laptop key")
	fill(t, ctx, "input[name=password]", "a long password")
	fill(t, ctx, "input[name=password2]", "a long password")
	shot.take(t, ctx, "hot-device")
	clickButton(t, ctx, "Create the hot device")
	waitHeading(t, ctx, "Write down your mnemonic")
	words := eval[[]string](t, ctx, `[...document.querySelectorAll("main .mnemonic li")].map(li => li.textContent)`)
	require.Len(t, words, 12)
	require.True(t, eval[bool](t, ctx, `specterApp.call("keys.validateMnemonic", {mnemonic: `+quote(strings.Join(words, " "))+`}).then(r => r.valid)`))
	shot.take(t, ctx, "hot-device-mnemonic")
	clickButton(t, ctx, "I wrote the words down")
	waitHeading(t, ctx, "Laptop key")
	require.False(t, eval[bool](t, ctx, `document.body.textContent.includes(`+quote(strings.Join(words[:3], ""))+`)`))
	require.GreaterOrEqual(t, len(tableColumn(t, ctx, 1)), 4, "the standard account keys (BIP44/49/84/86, BIP48)")

	// Keyboard only: rename the device by typing and pressing Enter.
	eval[string](t, ctx, `document.querySelector("input[name=rename]").value = ""`)
	require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("input[name=rename]"), "Laptop key 2"+kb.Enter)))
	waitHeading(t, ctx, "Laptop key 2")
	waitJS(t, ctx, "the focus on the heading", focusOnHeading)

	// A hardware device from the vendor's export file (Coldcard generic JSON).
	goHash(t, ctx, "#/devices/new")
	waitHeading(t, ctx, "Add a device")
	fill(t, ctx, "select[name=type]", "coldcard")
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("input[name=file]"),
		[]string{filepath.Join(repoRoot(t), "shared", "keys", "testdata", "exports", "coldcard-generic-xtn-account123.json")})))
	waitJS(t, ctx, "the key preview", `document.querySelector("main table caption")`)
	found := text(t, ctx, "main table caption")
	require.Regexp(t, `^\d+ keys found$`, found)
	require.Equal(t, "coldcard-generic-xtn-account123", eval[string](t, ctx, `document.querySelector("input[name=name]").value`))
	shot.take(t, ctx, "device-upload")
	clickButton(t, ctx, "Add the device")
	waitHeading(t, ctx, "coldcard-generic-xtn-account123")
	require.Equal(t, strings.TrimSuffix(found, " keys found"), fmt.Sprint(len(tableColumn(t, ctx, 1))))
	for _, origin := range tableColumn(t, ctx, 1) {
		require.True(t, strings.HasPrefix(origin, "[0f056943/"), origin)
	}

	// A mistyped word: the engine's message and a hint.
	goHash(t, ctx, "#/devices/hot")
	waitHeading(t, ctx, "Create a hot device")
	eval[bool](t, ctx, `document.getElementById("mode-restore").click(), true`)
	fill(t, ctx, "textarea[name=mnemonic]", strings.Join(append(append([]string{}, words[:11]...), "abandonn"), " "))
	waitJS(t, ctx, "the mnemonic problem", `document.querySelector("main .error-hint")`)
	require.Contains(t, text(t, ctx, "main .error-message"), "abandonn")
	require.True(t, strings.HasPrefix(text(t, ctx, "main .error-hint"), "What to do: "))
	shot.take(t, ctx, "hot-device-typo")

	// A bad descriptor: message and hint.
	goHash(t, ctx, "#/wallets/import")
	waitHeading(t, ctx, "Import a wallet")
	fill(t, ctx, "textarea[name=wallet]", "wsh(nonsense)")
	clickButton(t, ctx, "Import the wallet")
	waitJS(t, ctx, "the import error", `document.querySelector("main .error-hint")`)
	require.NotEmpty(t, text(t, ctx, "main .error-message"))
	shot.take(t, ctx, "import-error")

	// A single-sig descriptor: same addresses as `specter addresses`.
	k := accountKey(t, 9, 84, 1, 0)
	desc := "wpkh([" + k.fingerprint + "/" + k.path + "]" + k.tpub + "/0/*)"
	fill(t, ctx, "input[name=name]", "Spending")
	fill(t, ctx, "textarea[name=wallet]", desc)
	fill(t, ctx, "select[name=network]", "test")
	clickButton(t, ctx, "Import the wallet")
	waitHeading(t, ctx, "Spending")
	waitJS(t, ctx, "the balance", `document.querySelector("[data-testid=balance]")`)
	require.Equal(t, "0.00000000 BTC", text(t, ctx, "[data-testid=balance]"))
	walletHash := eval[string](t, ctx, "location.hash")
	want := cliAddresses(t, bin, "test", desc, 3)
	goHash(t, ctx, walletHash+"/addresses")
	waitJS(t, ctx, "the address table", `document.querySelectorAll("main table tbody tr").length >= 3`)
	require.Equal(t, want, tableColumn(t, ctx, 2)[:3])

	// Export the wallet file (Specter's JSON), delete the wallet, import the
	// file again: the same descriptor.
	goHash(t, ctx, walletHash+"/settings")
	waitJS(t, ctx, "the descriptors", `document.querySelector("[data-testid=descriptor-receive]")`)
	receive := text(t, ctx, "[data-testid=descriptor-receive]")
	fill(t, ctx, "select[name=format]", "specter")
	clickButton(t, ctx, "Download the wallet file")
	file := waitDownload(t, downloads, "Spending-specter.*")
	clickButton(t, ctx, "Delete the wallet")
	clickButton(t, ctx, "Yes, delete the wallet")
	waitHeading(t, ctx, "Wallets")
	waitJS(t, ctx, "no wallets", `document.querySelector("main .empty")`)
	goHash(t, ctx, "#/wallets/import")
	waitHeading(t, ctx, "Import a wallet")
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("input[name=file]"), []string{file})))
	waitJS(t, ctx, "the file's text", `document.querySelector("textarea[name=wallet]").value.includes("wpkh(")`)
	clickButton(t, ctx, "Import the wallet")
	waitHeading(t, ctx, "Spending")
	walletHash = eval[string](t, ctx, "location.hash")
	goHash(t, ctx, walletHash+"/settings")
	waitJS(t, ctx, "the descriptors", `document.querySelector("[data-testid=descriptor-receive]")`)
	require.Equal(t, receive, text(t, ctx, "[data-testid=descriptor-receive]"))

	// Wallet settings: rename, and a wider gap limit the addresses tab
	// follows.
	eval[string](t, ctx, `document.querySelector("input[name=rename]").value = ""`)
	require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("input[name=rename]"), "Daily spending"+kb.Enter)))
	waitHeading(t, ctx, "Daily spending")
	walletID := strings.TrimPrefix(walletHash, "#/wallets/")
	fill(t, ctx, "input[name=gap]", "30")
	clickXPath(t, ctx, `//main//form[h2[normalize-space()="Gap limit"]]//button[normalize-space()="Save"]`)
	waitJS(t, ctx, "the saved gap limit", `specterApp.call("wallets.get", {id: `+quote(walletID)+`}).then(w => w.gap_limit === 30)`)
	goHash(t, ctx, walletHash+"/addresses")
	waitJS(t, ctx, "30 receive addresses", `document.querySelectorAll("main table")[0] && document.querySelectorAll("main table")[0].querySelectorAll("tbody tr").length === 30`)
	require.Equal(t, cliAddresses(t, bin, "test", desc, 30), tableColumn(t, ctx, 2)[:30])

	// Receive: the next unused address, a BIP21 link with amount and
	// label that the QR code carries, and the label kept by the wallet.
	goHash(t, ctx, walletHash+"/receive")
	waitJS(t, ctx, "the receive address", `document.querySelector("[data-testid=receive-address]")`)
	require.Equal(t, want[0], text(t, ctx, "[data-testid=receive-address]"))
	fill(t, ctx, "input[name=amount]", "0.0015")
	fill(t, ctx, "input[name=label]", "Rent from Bob")
	uri := "bitcoin:" + want[0] + "?amount=0.0015&label=Rent%20from%20Bob"
	require.Equal(t, uri, text(t, ctx, "[data-testid=receive-uri]"))
	require.Equal(t, uri, decodeQR(t, canvasPNG(t, ctx, "[data-testid=receive-qr]")))
	fill(t, ctx, "input[name=amount]", "0.123456789")
	waitJS(t, ctx, "the amount refused", `document.querySelector("main .error")`)
	require.Equal(t, `"0.123456789" is not an amount in BTC`, text(t, ctx, "main .error .error-message"))
	fill(t, ctx, "input[name=amount]", "")
	waitJS(t, ctx, "the error gone", `!document.querySelector("main .error")`)
	clickButton(t, ctx, "Save the label")
	waitJS(t, ctx, "the stored label", `specterApp.call("labels.list", {wallet_id: `+quote(walletID)+`}).then(r => r.labels.some(l => l.type === "addr" && l.ref === `+quote(want[0])+` && l.label === "Rent from Bob"))`)
	shot.take(t, ctx, "receive-bip21")

	// Units: sats.
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	eval[bool](t, ctx, `document.getElementById("units-sats").click(), true`)
	clickButton(t, ctx, "Save the preferences")
	waitJS(t, ctx, "the saved units", `specterApp.config.units === "sats"`)
	goHash(t, ctx, walletHash)
	waitJS(t, ctx, "the balance in sats", `document.querySelector("[data-testid=balance]") && document.querySelector("[data-testid=balance]").textContent === "0 sats"`)
	shot.take(t, ctx, "wallet-sats")
}
