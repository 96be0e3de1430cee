package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

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
	waitJS(t, ctx, "the setup form", `document.querySelector("input[name=token]")`)
	fill(t, ctx, "input[name=token]", rl.token)
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
