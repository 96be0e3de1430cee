package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
)

// appSession is what a test of the PWA without a node starts from: the app
// built, a relay on a fresh data dir, and Chromium saving downloads into
// downloads.
type appSession struct {
	bin string // the built specter binary
	rl  *relay
	// ctx is Chromium's, cancelled after the timeout given to startApp or
	// when the test ends.
	ctx       context.Context
	downloads string
	shot      *shots
}

// startApp skips the test in -short, builds the app, starts a relay and
// Chromium with extra options (such as a fake camera).
func startApp(t *testing.T, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) appSession {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the app and drives Chromium: not in -short")
	}
	bin := specterBinary(t)
	rl := startRelay(t, bin, t.TempDir(), freeAddr(t))
	downloads := t.TempDir()
	bctx := newBrowser(t, downloads, extra...)
	ctx, cancel := context.WithTimeout(bctx, timeout)
	t.Cleanup(cancel)
	return appSession{bin: bin, rl: rl, ctx: ctx, downloads: downloads, shot: newShots(t)}
}

// useOffline opens the relay's page and goes on offline from the welcome
// screen (no relay account) to the wallets screen.
func useOffline(t *testing.T, ctx context.Context, rl *relay) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url())))
	waitJS(t, ctx, "the setup form", `document.querySelector("input[name=token]")`)
	clickButton(t, ctx, "Go on offline")
	waitHeading(t, ctx, "Wallets")
}

// createAdmin opens the relay's page and creates its admin ("admin",
// password "correct horse battery") with the relay's setup token.
func createAdmin(t *testing.T, ctx context.Context, rl *relay) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url())))
	setUpAdmin(t, ctx, rl.token)
}

// setUpAdmin fills in the welcome screen's setup form, once it shows, with
// the relay's setup token and the admin "admin", password "correct horse
// battery", and submits it.
func setUpAdmin(t *testing.T, ctx context.Context, token string) {
	t.Helper()
	waitJS(t, ctx, "the setup form", `document.querySelector("input[name=token]")`)
	fill(t, ctx, "input[name=token]", token)
	fill(t, ctx, "input[name=username]", "admin")
	fill(t, ctx, "input[name=password]", "correct horse battery")
	fill(t, ctx, "input[name=password2]", "correct horse battery")
	clickButton(t, ctx, "Create the admin")
}

// chooseNode chooses, on the welcome screen, the node whose choice reads
// label and waits until the status bar shows it reachable.
func chooseNode(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	waitJS(t, ctx, "the node choice "+quote(label), `[...document.querySelectorAll("main label")].some(l => l.textContent === `+quote(label)+`)`)
	clickXPath(t, ctx, `//main//label[normalize-space()=`+quote(label)+`]`)
	clickButton(t, ctx, "Use this node")
	waitJS(t, ctx, "the node shown reachable", `document.getElementById("node-state").dataset.state === "ok"`)
}

// testnetPSBTWallet reads the receive and change descriptors of the app's
// wallet walletID and returns them as a shared/psbt wallet on testnet, for
// the test to build the PSBTs the app then reviews and signs, and the
// receive descriptor as the app shows it.
func testnetPSBTWallet(t *testing.T, ctx context.Context, walletID string) (w *psbt.Wallet, receive string) {
	t.Helper()
	recv := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("wallets.get", {id: %s}).then(w => w.receive)`, quote(walletID)))
	change := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("wallets.get", {id: %s}).then(w => w.change)`, quote(walletID)))
	rd, err := descriptor.Parse(recv)
	require.NoError(t, err)
	cd, err := descriptor.Parse(change)
	require.NoError(t, err)
	w, err = psbt.NewWallet(network.Test, rd, cd)
	require.NoError(t, err)
	return w, recv
}

// cameraFlags make Chromium grant camera access without asking and play
// camFile (MJPEG frames) as its camera.
func cameraFlags(camFile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", camFile),
	}
}

// requireFinalTx finalizes p, the test's own fully signed copy of the PSBT
// on the screen, clicks Finalize and requires the app to show the same
// transaction; it returns the transaction's hex.
func requireFinalTx(t *testing.T, ctx context.Context, p *psbt.Packet) string {
	t.Helper()
	_, err := psbt.Finalize(p)
	require.NoError(t, err)
	tx, err := psbt.Extract(p)
	require.NoError(t, err)
	var raw bytes.Buffer
	require.NoError(t, tx.Serialize(&raw))
	clickButton(t, ctx, "Finalize")
	waitJS(t, ctx, "the final transaction", `document.querySelector("[data-testid=final-tx]")`)
	txHex := hex.EncodeToString(raw.Bytes())
	require.Equal(t, txHex, eval[string](t, ctx, `document.querySelector("[data-testid=final-tx]").value`))
	return txHex
}

// skipWithoutBtcd skips the test in -short (it builds the app, runs btcd and
// drives Chromium) or when btcd is not installed.
func skipWithoutBtcd(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the app, runs btcd and drives Chromium: not in -short")
	}
	if _, err := regtest.EnsureBtcd(); err != nil {
		t.Skipf("btcd is not installed (make deps installs it): %v", err)
	}
}

// logIn logs in as username from the welcome screen's login form and waits
// for the session ("Connected").
func logIn(t *testing.T, ctx context.Context, username, password string) {
	t.Helper()
	waitJS(t, ctx, "the login form", `document.querySelector("input[name=username]")`)
	fill(t, ctx, "input[name=username]", username)
	fill(t, ctx, "input[name=password]", password)
	clickButton(t, ctx, "Log in")
	waitJS(t, ctx, username+"'s session", `[...document.querySelectorAll("main h2")].some(h => h.textContent === "Connected")`)
}

// fillLabelled sets the value of the control whose label reads exactly label.
func fillLabelled(t *testing.T, ctx context.Context, label, value string) {
	t.Helper()
	expr := fmt.Sprintf(`(() => { const l = [...document.querySelectorAll("main label")].find(l => l.textContent === %s);
		const el = l && document.getElementById(l.htmlFor); if (!el) return false;
		el.value = %s; el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`,
		quote(label), quote(value))
	require.True(t, eval[bool](t, ctx, expr), "no control labelled %q", label)
}

// createTransaction waits on the send screen for the fee estimate, fills in
// the first recipient (address, and amount in unit: "BTC" or "sats", as
// Settings chose) and the fee rate, creates the transaction and waits for
// its review.
func createTransaction(t *testing.T, ctx context.Context, address, amount, unit, feeRate string) {
	t.Helper()
	waitJS(t, ctx, "the fee estimate", `document.querySelector("input[name=fee_rate]").value !== ""`)
	fillLabelled(t, ctx, "Address", address)
	fillLabelled(t, ctx, "Amount ("+unit+")", amount)
	fillLabelled(t, ctx, "Fee rate (sat/vB)", feeRate)
	clickButton(t, ctx, "Create the transaction")
	waitHeading(t, ctx, "Review the transaction")
}

// reviewOutputs lists the review's outputs as "address amount role", sorted.
func reviewOutputs(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `[...document.querySelectorAll("main table")[0].querySelectorAll("tbody tr")].map(r => r.children[1].textContent + " " + r.children[2].textContent + " " + r.children[3].textContent).sort()`)
}

// discardReview deletes the reviewed pending transaction (its coins are
// unlocked) and waits for the send screen of walletName.
func discardReview(t *testing.T, ctx context.Context, walletName string) {
	t.Helper()
	clickButton(t, ctx, "Delete the pending transaction")
	clickButton(t, ctx, "Yes, delete the pending transaction")
	waitHeading(t, ctx, "Send from "+walletName)
}

// fullySigned is the review's signature count once the transaction can be
// broadcast.
const fullySigned = "Fully signed: ready to broadcast."

// signHot signs the open review with the hot device name, whose password is
// "pw "+name (as the send tests create their hot devices), and waits until
// the review's signature count reads count ("1 of 2 signatures.",
// fullySigned).
func signHot(t *testing.T, ctx context.Context, name, count string) {
	t.Helper()
	fillLabelled(t, ctx, "Password of "+name, "pw "+name)
	clickButton(t, ctx, "Sign with "+name)
	waitJS(t, ctx, "the signature count "+quote(count), `document.querySelector("[data-testid=signature-count]") && document.querySelector("[data-testid=signature-count]").textContent === `+quote(count))
}

// broadcast broadcasts the fully signed review and returns the txid the
// transaction screen shows.
func broadcast(t *testing.T, ctx context.Context) string {
	t.Helper()
	clickButton(t, ctx, "Broadcast the transaction")
	waitHeading(t, ctx, "Transaction")
	return text(t, ctx, "[data-testid=sent-txid]")
}

// createHotVault makes, through the engine, the hot device "Hot H" (BIP39's
// abandonMnemonic, password "hunter22"), the devices "Keystone A" and
// "Coldcard B" (bip48Key 1 and 2) and the 2-of-3 wsh testnet wallet name of
// the three. It returns the wallet's id, the two hardware devices' ids and
// the wallet as a shared/psbt wallet.
func createHotVault(t *testing.T, ctx context.Context, name string) (walletID string, deviceIDs []string, w *psbt.Wallet) {
	t.Helper()
	hotID := eval[string](t, ctx, `specterApp.call("devices.createHot", {name: "Hot H", mnemonic: `+quote(abandonMnemonic)+`, password: "hunter22", network: "test"}).then(r => r.device.id)`)
	for i, d := range []struct{ name, typ string }{{"Keystone A", "keystone"}, {"Coldcard B", "coldcard"}} {
		k := bip48Key(t, byte(i+1))
		deviceIDs = append(deviceIDs, eval[string](t, ctx, fmt.Sprintf(`specterApp.call("devices.add", {name: %s, type: %s, export: %s}).then(d => d.id)`, quote(d.name), quote(d.typ), quote(k.line()))))
	}
	walletID = eval[string](t, ctx, fmt.Sprintf(`specterApp.call("wallets.create", {name: %s, kind: "multi", script_type: "wsh", m: 2, device_ids: [%s, %s, %s], network: "test"}).then(r => r.wallet.id)`,
		quote(name), quote(hotID), quote(deviceIDs[0]), quote(deviceIDs[1])))
	w, _ = testnetPSBTWallet(t, ctx, walletID)
	return walletID, deviceIDs, w
}

// rentPSBT builds w's PSBT spending a coin of 250,000 sats (receive #2, at
// an outpoint made up from coinSeed): 200,000 sats to BIP173's testnet
// address, 48,500 back to change #changeIndex, a fee of 1,500.
func rentPSBT(t *testing.T, w *psbt.Wallet, coinSeed string, changeIndex uint32) *psbt.Packet {
	t.Helper()
	p, err := psbt.Create(w, psbt.CreateOptions{
		Inputs:  []psbt.UTXO{{OutPoint: wire.OutPoint{Hash: chainhash.DoubleHashH([]byte(coinSeed)), Index: 0}, Value: 250000, Branch: 0, Index: 2}},
		Outputs: []psbt.Recipient{{Address: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", Amount: 200000}},
		Change:  &psbt.ChangeOutput{Branch: 1, Index: changeIndex, Amount: 48500},
	})
	require.NoError(t, err)
	return p
}

// base64PSBT is p in base64, as pasted or stored.
func base64PSBT(t *testing.T, p *psbt.Packet) string {
	t.Helper()
	b64, err := psbt.EncodeBase64(p)
	require.NoError(t, err)
	return b64
}

// savePendingPSBT saves p as the pending transaction name of walletID, as
// wallets.createPSBT stores one.
func savePendingPSBT(t *testing.T, ctx context.Context, walletID, name string, p *psbt.Packet) {
	t.Helper()
	eval[string](t, ctx, fmt.Sprintf(`specterApp.call("psbts.save", {wallet_id: %s, name: %s, psbt: %s}).then(p => p.id)`, quote(walletID), quote(name), quote(base64PSBT(t, p))))
}

// signIntoSlot signs p with key as a device outside the browser would (one
// signature), saves it as the file name and loads that into the open
// signer's slot, then waits until the review counts count signatures
// ("2 of 2"). p holds the signature afterwards.
func signIntoSlot(t *testing.T, ctx context.Context, p *psbt.Packet, key *hdkeychain.ExtendedKey, name, count string) {
	t.Helper()
	res, err := psbt.Sign(p, key)
	require.NoError(t, err)
	require.Equal(t, 1, res.Signatures)
	signed, err := psbt.Serialize(p)
	require.NoError(t, err)
	signedFile := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(signedFile, signed, 0o644))
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`.signer-slot input[name=scan-file]`), []string{signedFile})))
	waitJS(t, ctx, "the signature count "+count, `document.querySelector("[data-testid=psbt-signatures]").textContent === `+quote(count))
}

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

// screenData is what walkScreens shows on its screens: the hot device "Hot
// H", the devices "Keystone A" and "Coldcard B" and the 2-of-3 wallet
// "Vault" of createHotVault, and the wallet's pending transaction "Rent"
// (rentPSBT).
type screenData struct {
	walletID  string
	deviceIDs []string // Keystone A, Coldcard B
	txid      string   // the pending transaction's
	names     []string // the devices' and the wallet's names
}

// createScreenData makes screenData's devices, wallet and pending
// transaction through the engine.
func createScreenData(t *testing.T, ctx context.Context) screenData {
	t.Helper()
	walletID, ids, w := createHotVault(t, ctx, "Vault")
	unsigned := rentPSBT(t, w, "i18n e2e coin", 1)
	savePendingPSBT(t, ctx, walletID, "Rent", unsigned)
	return screenData{walletID: walletID, deviceIDs: ids, txid: unsigned.UnsignedTx.TxHash().String(),
		names: []string{"Hot H", "Keystone A", "Coldcard B", "Vault"}}
}

// walkScreens opens every main screen and state of the app with d's data
// and calls check on each once it is drawn: the routes of the wallets (their
// tabs), devices, settings, send (the pending transaction's review) and
// air-gap screens, #/psbt with the pending transaction loaded and a QR then
// the hot signer open, a device's delete confirmation, then the welcome
// screen on rl (which has no admin yet): the first-run setup, its error,
// another relay refused, the admin created, the node choice and the login
// form. msg is a message of the UI as the current language shows it (the
// English message itself, or the pseudo-locale's "⟦message⟧"), for the
// buttons it clicks and the errors it expects.
func walkScreens(t *testing.T, ctx context.Context, rl *relay, d screenData, msg func(string) string, check func(screen string)) {
	t.Helper()
	walletID, ids, txid := d.walletID, d.deviceIDs, d.txid
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
	waitJS(t, ctx, "the pending transaction", `[...document.querySelectorAll("main .pending button")].some(b => b.textContent === `+quote(msg("Load Rent"))+`)`)
	eval[bool](t, ctx, `([...document.querySelectorAll("main .pending button")].find(b => b.textContent === `+quote(msg("Load Rent"))+`).click(), true)`)
	waitJS(t, ctx, "the review", `document.querySelector("[data-testid=psbt-fee]")`)
	eval[bool](t, ctx, `([...document.querySelectorAll("main .signer-list button")].find(b => b.textContent === `+quote(msg("Sign with Keystone A"))+`).click(), true)`)
	waitJS(t, ctx, "the signer's QR", `document.querySelector("[data-testid=psbt-qr]") && document.querySelector("main select[name=format]")`)
	check("#/psbt with a Keystone signer")
	eval[bool](t, ctx, `([...document.querySelectorAll("main .signer-list button")].find(b => b.textContent === `+quote(msg("Sign with Hot H"))+`).click(), true)`)
	waitJS(t, ctx, "the password form", `document.querySelector("main .signer-slot input[name=password]")`)
	check("#/psbt with the hot signer")

	// A confirmation step of ui.js.
	visit(t, ctx, "#/devices/"+ids[1], `document.querySelector("main table")`)
	eval[bool](t, ctx, `([...document.querySelectorAll("main button")].find(b => b.textContent === `+quote(msg("Delete"))+`).click(), true)`)
	waitJS(t, ctx, "the question", `document.querySelector("main .confirm-question")`)
	check("a device's delete confirmation")
	require.Equal(t, msg("Yes, delete"), eval[string](t, ctx, `document.querySelector("main .confirm button.danger").textContent`))

	// The welcome screen: the first-run setup (the relay has no admin yet)
	// with its passwords that differ, the "Use another relay" form with an
	// address it refuses, the admin created, the node choice, then the
	// login form.
	visit(t, ctx, "#/welcome", `document.querySelector("main input[name=token]")`)
	check("#/welcome, first run")
	fill(t, ctx, "input[name=token]", rl.token)
	fill(t, ctx, "input[name=password]", "correct horse battery")
	fill(t, ctx, "input[name=password2]", "correct horse staple")
	clickButton(t, ctx, msg("Create the admin"))
	waitJS(t, ctx, "the setup's error", `document.querySelector("main .view > .errors .error")`)
	require.Equal(t, []string{msg("the two passwords differ"), msg("What to do: " + msg("type the same password twice"))},
		eval[[]string](t, ctx, `[...document.querySelectorAll("main .view > .errors .error p")].map(p => p.textContent)`))
	check("#/welcome, first run with an error")
	fill(t, ctx, "input[name=relay-url]", "relay.example")
	clickButton(t, ctx, msg("Connect"))
	waitJS(t, ctx, "the relay choice's error", `document.querySelector("form[aria-labelledby=other-relay-h] .error")`)
	require.Equal(t, []string{msg(`"relay.example" is not a relay address: it must start with http:// or https://`),
		msg("What to do: " + msg("type the relay's address as its page shows it, such as https://relay.example or http://192.168.1.5:25441"))},
		eval[[]string](t, ctx, `[...document.querySelectorAll("form[aria-labelledby=other-relay-h] .error p")].map(p => p.textContent)`))
	check("#/welcome, another relay refused")
	fill(t, ctx, "input[name=password2]", "correct horse battery")
	clickButton(t, ctx, msg("Create the admin"))
	waitJS(t, ctx, "the session and the add-node form", `document.querySelector("main #session-h") && document.querySelector("main input[name=node-url]")`)
	require.Equal(t, msg("Logged in to this relay as admin (admin)."), text(t, ctx, "section[aria-labelledby=session-h] p"))
	check("#/welcome, logged in")
	// A node of the relay (not reachable: only its choice is drawn).
	eval[string](t, ctx, `specterApp.relay.addNode({name: "Node N", url: "http://127.0.0.1:1", network: "regtest", user: "u", password: "p"}).then(n => n.id)`)
	eval[bool](t, ctx, `(document.querySelector("main > .view").dataset.old = "1", specterApp.go("#/welcome"), true)`)
	waitJS(t, ctx, "the node choice", `document.querySelector("main > .view:not([data-old]) label[for=node-none]") && [...document.querySelectorAll("main label[translate=no]")].some(l => l.textContent.startsWith("Node N (regtest, "))`)
	require.Equal(t, msg("None"), text(t, ctx, "main label[for=node-none]"))
	check("#/welcome, node choice")
	clickButton(t, ctx, msg("Log out"))
	waitJS(t, ctx, "the login form", `document.querySelector("main #login-h") && document.querySelector("main input[name=username]")`)
	check("#/welcome, login")
}

// reloadAt opens url with a real page load, as a user reopening the app
// does: chromedp.Navigate to a URL that differs from the current one only
// in its fragment is a same-document navigation that loads nothing, so the
// page is reloaded after it; a marker set before must be gone after.
func reloadAt(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	eval[bool](t, ctx, `window.specterNotReloaded = true`)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url)))
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
	waitJS(t, ctx, "the reloaded page", `window.specterNotReloaded === undefined && document.readyState === "complete"`)
	require.Equal(t, url, eval[string](t, ctx, "location.href"))
}
