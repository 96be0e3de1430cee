package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestDeviceModelSecondAccountKeyAndReceiveAddressCheckLink: on the device
// screens a Coldcard is added as a Q (the model select appears for the
// Coldcard type only) and changed to a Mk3/Mk4; a Specter DIY with two
// BIP48/2h keys (accounts 0 and 1) is added from key lines. On the
// create-wallet screen the DIY gets a key select (the Coldcard, with one
// key, none) defaulting to account 0; account 1 is chosen and the wallet's
// descriptor holds that key's origin. The receive tab links to the
// address-check page of the shown address's index, whose QR code the
// Specter DIY reads.
func TestDeviceModelSecondAccountKeyAndReceiveAddressCheckLink(t *testing.T) {
	app := startApp(t, 4*time.Minute)
	rl, ctx, shot := app.rl, app.ctx, app.shot
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/devices")))
	waitHeading(t, ctx, "Devices")

	// A Coldcard Q, through the add form's model select.
	goHash(t, ctx, "#/devices/new")
	waitHeading(t, ctx, "Add a device")
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("main form select[name=model]")`), "the Other type has no models")
	fill(t, ctx, "input[name=name]", "Coldcard Q")
	fill(t, ctx, "select[name=type]", "coldcard")
	require.Equal(t, []string{"", "mk4", "q"}, eval[[]string](t, ctx, `[...document.querySelectorAll("main form select[name=model] option")].map(o => o.value)`))
	require.Equal(t, []string{"Not set", "Mk3 / Mk4", "Coldcard Q"}, eval[[]string](t, ctx, `[...document.querySelectorAll("main form select[name=model] option")].map(o => o.textContent)`))
	fill(t, ctx, "select[name=model]", "q")
	cc := bip48Key(t, 21)
	fill(t, ctx, "textarea[name=keys]", cc.line())
	// The key preview moves the button down: click it once it is drawn.
	waitJS(t, ctx, "the key preview", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "1 key found"`)
	clickButton(t, ctx, "Add the device")
	waitHeading(t, ctx, "Coldcard Q")
	ccID := eval[string](t, ctx, `decodeURIComponent(location.hash.split("/")[2])`)
	require.Equal(t, "q", eval[string](t, ctx, fmt.Sprintf(`specterApp.call("devices.get", {id: %s}).then(d => d.model)`, quote(ccID))))
	require.Equal(t, "Coldcard Q", eval[string](t, ctx, `[...document.querySelectorAll("main dl.facts dt")].find(dt => dt.textContent === "Model").nextElementSibling.textContent`))
	require.Equal(t, "q", eval[string](t, ctx, `document.querySelector("main select[name=model]").value`))
	shot.take(t, ctx, "device-model")
	// Edited to a Mk3/Mk4 on its page.
	fill(t, ctx, "select[name=model]", "mk4")
	clickButton(t, ctx, "Save the model")
	waitJS(t, ctx, "the saved model", `[...document.querySelectorAll("main dl.facts dd")].some(dd => dd.textContent === "Mk3 / Mk4")`)
	require.Equal(t, "mk4", eval[string](t, ctx, fmt.Sprintf(`specterApp.call("devices.get", {id: %s}).then(d => d.model)`, quote(ccID))))

	// A Specter DIY with the BIP48/2h keys of accounts 0 and 1.
	acct0 := accountKey(t, 22, 48, 1, 0, 2)
	acct1 := accountKey(t, 22, 48, 1, 1, 2)
	goHash(t, ctx, "#/devices/new")
	waitHeading(t, ctx, "Add a device")
	fill(t, ctx, "input[name=name]", "DIY two accounts")
	fill(t, ctx, "select[name=type]", "specterdiy")
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("main form select[name=model]")`), "Specter DIY has no models")
	fill(t, ctx, "textarea[name=keys]", acct0.line()+"\n"+acct1.line()+"\n")
	waitJS(t, ctx, "the key preview", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "2 keys found"`)
	clickButton(t, ctx, "Add the device")
	waitHeading(t, ctx, "DIY two accounts")
	diyID := eval[string](t, ctx, `decodeURIComponent(location.hash.split("/")[2])`)
	require.Equal(t, []string{"[" + acct0.fingerprint + "/" + acct0.path + "]", "[" + acct1.fingerprint + "/" + acct1.path + "]"}, tableColumn(t, ctx, 1))

	// The create-wallet screen: a key select for the DIY only.
	goHash(t, ctx, "#/wallets/new")
	waitHeading(t, ctx, "Create a wallet")
	fill(t, ctx, "input[name=name]", "Account one")
	eval[bool](t, ctx, fmt.Sprintf(`(document.getElementById(%s).click(), true)`, quote("dev-"+ccID)))
	eval[bool](t, ctx, fmt.Sprintf(`(document.getElementById(%s).click(), true)`, quote("dev-"+diyID)))
	require.Equal(t, "wsh", eval[string](t, ctx, `document.querySelector("select[name=script]").value`))
	require.Equal(t, "test", eval[string](t, ctx, `document.querySelector("select[name=network]").value`))
	keySel := fmt.Sprintf(`select[name=%s]`, quote("key-"+diyID))
	waitJS(t, ctx, "the DIY's key select", fmt.Sprintf(`document.querySelector(%s)`, quote(keySel)))
	require.Equal(t, 1, eval[int](t, ctx, `document.querySelectorAll("[data-testid=key-choices] select").length`), "the Coldcard has one key: no select")
	require.Equal(t, []string{acct0.tpub, acct1.tpub}, eval[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%s)].map(o => o.value)`, quote(keySel+" option"))))
	require.Equal(t, acct0.tpub, eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%s).value`, quote(keySel))), "the engine's default is the first standard key")
	require.Equal(t, "["+acct1.fingerprint+"/"+acct1.path+"] "+acct1.tpub[:8]+"…"+acct1.tpub[len(acct1.tpub)-6:],
		eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%s).options[1].textContent`, quote(keySel))))
	fill(t, ctx, keySel, acct1.tpub)
	shot.take(t, ctx, "wallet-key-choice")
	clickButton(t, ctx, "Create the wallet")
	waitHeading(t, ctx, "Account one")
	walletID := eval[string](t, ctx, `decodeURIComponent(location.hash.split("/")[2])`)
	desc := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("wallets.get", {id: %s}).then(w => w.descriptor)`, quote(walletID)))
	require.Contains(t, desc, acct1.line()+"/<0;1>/*")
	require.NotContains(t, desc, acct0.tpub)
	require.Contains(t, desc, cc.line()+"/<0;1>/*")
	goHash(t, ctx, "#/wallets/"+walletID+"/settings")
	waitJS(t, ctx, "the descriptors", `document.querySelector("[data-testid=descriptor-receive]")`)
	require.Contains(t, text(t, ctx, "[data-testid=descriptor-receive]"), acct1.line()+"/0/*")

	// The receive tab links to the check of this address on the DIY.
	goHash(t, ctx, "#/wallets/"+walletID+"/receive")
	waitJS(t, ctx, "the address check link", `document.querySelector("[data-testid=receive-check-link]")`)
	addr := text(t, ctx, "[data-testid=receive-address]")
	require.Equal(t, "Receive address #0:", eval[string](t, ctx, `[...document.querySelectorAll("main p")].find(p => p.textContent.startsWith("Receive address #")).textContent`))
	require.Equal(t, "#/psbt/address/"+walletID+"/0", eval[string](t, ctx, `document.querySelector("[data-testid=receive-check-link]").getAttribute("href")`))
	require.Equal(t, "Show address #0 as a QR code to DIY two accounts", text(t, ctx, "[data-testid=receive-check-link]"))
	shot.take(t, ctx, "receive-check-link")
	clickButton(t, ctx, "Show address #0 as a QR code to DIY two accounts")
	waitJS(t, ctx, "the address QR page", `document.querySelector("[data-testid=address-qr]")`)
	require.Equal(t, "Check an address of Account one on a device", eval[string](t, ctx, `document.querySelector("main h1").textContent`))
	require.Equal(t, "0", eval[string](t, ctx, `document.querySelector("input[name=index]").value`))
	require.Equal(t, addr, text(t, ctx, "[data-testid=check-address]"))
	require.Equal(t, "bitcoin:"+addr+"?index=0", eval[string](t, ctx, `document.querySelector("section[aria-label='DIY two accounts'] [data-testid=address-qr]").dataset.frame`))
}
