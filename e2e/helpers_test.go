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
