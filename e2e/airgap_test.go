package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/airgap"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/qr"
)

// Fake camera frames: Chromium's file capture device plays an MJPEG file
// (concatenated JPEG frames) at 30 frames a second, in a loop.
const (
	camWidth     = 640
	camHeight    = 480
	camRepeat    = 6 // each QR code stays 1/5 s, as a phone shows animated QR
	camLoopTimes = 3
)

// cameraBrowser starts headless Chromium as newBrowser does, with a fake
// camera that plays camFile (read again at each getUserMedia call) and
// camera permission granted without a prompt.
func cameraBrowser(t *testing.T, downloadDir, camFile string) context.Context {
	t.Helper()
	return newBrowser(t, downloadDir, cameraFlags(camFile)...)
}

// qrFrame draws a QR text (shared/qr, error correction L) centred on a
// white camera frame.
func qrFrame(t *testing.T, text string) image.Image {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, camWidth, camHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	if text == "" {
		return img
	}
	m, err := qr.Matrix(text, qr.Low)
	require.NoError(t, err)
	n := len(m)
	scale := (camHeight - 40) / (n + 2*qr.QuietZone)
	require.GreaterOrEqual(t, scale, 3, "QR version too large for the fake camera: %d modules", n)
	x0 := (camWidth - n*scale) / 2
	y0 := (camHeight - n*scale) / 2
	for y, row := range m {
		for x, dark := range row {
			if dark {
				draw.Draw(img, image.Rect(x0+x*scale, y0+y*scale, x0+(x+1)*scale, y0+(y+1)*scale), image.NewUniform(color.Black), image.Point{}, draw.Src)
			}
		}
	}
	return img
}

// writeMJPEG writes the fake camera's video: the QR texts in order, each
// held camRepeat frames, the sequence camLoopTimes times (a blank frame when
// texts is empty).
func writeMJPEG(t *testing.T, path string, texts []string) {
	t.Helper()
	if len(texts) == 0 {
		texts = []string{""}
	}
	var out bytes.Buffer
	for range camLoopTimes {
		for _, s := range texts {
			var jb bytes.Buffer
			require.NoError(t, jpeg.Encode(&jb, qrFrame(t, s), &jpeg.Options{Quality: 90}))
			for range camRepeat {
				out.Write(jb.Bytes())
			}
		}
	}
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, out.Bytes(), 0o644))
	require.NoError(t, os.Rename(tmp, path))
}

// readAnimatedQR reads the frames the page shows on the canvas selector
// (its data-frame attribute, frame after frame) into a Collector until the
// sequence is complete, and returns the payload.
func readAnimatedQR(t *testing.T, ctx context.Context, selector string) (*airgap.Payload, int) {
	t.Helper()
	c := airgap.NewCollector()
	seen := map[string]bool{}
	deadline := time.Now().Add(60 * time.Second)
	for {
		f := eval[string](t, ctx, fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.frame || ""`, quote(selector)))
		if f != "" && !seen[f] {
			seen[f] = true
			p, err := c.Add(f)
			require.NoError(t, err, "frame %q", f)
			if p.Complete {
				res, err := c.Result()
				require.NoError(t, err)
				return res, len(seen)
			}
		}
		require.True(t, time.Now().Before(deadline), "the animated QR %s did not complete in 60 s (%d frames read)", selector, len(seen))
		time.Sleep(40 * time.Millisecond)
	}
}

// softwareSigner is a cosigner key held by the test: the master key of a
// seed made of one repeated byte (bip48Key's seeds).
func softwareSigner(t *testing.T, b byte) *hdkeychain.ExtendedKey {
	t.Helper()
	master, err := hdkeychain.NewMaster(bytes.Repeat([]byte{b}, 32), &chaincfg.TestNet3Params)
	require.NoError(t, err)
	return master
}

// TestAirGappedSigningOfA2of3WalletOverAnimatedURAndBBQrThroughTheCamera:
// a 2-of-3 wallet of a Keystone, a Coldcard Q and a Jade (xpubs; the test
// holds the first two seeds). An unsigned PSBT is pasted on #/psbt and
// reviewed (change verified); the Keystone's animated BC-UR is read from
// the page and decoded with shared/airgap, signed by the test, and played
// back to the PWA through the fake camera as animated UR; then the same
// with the Coldcard Q's BBQr. The PWA combines, finalizes, and shows the
// transaction the test computes itself.
func TestAirGappedSigningOfA2of3WalletOverAnimatedURAndBBQrThroughTheCamera(t *testing.T) {
	camFile := filepath.Join(t.TempDir(), "camera.mjpeg")
	writeMJPEG(t, camFile, nil)
	app := startApp(t, 5*time.Minute, cameraFlags(camFile)...)
	bin, rl, ctx, downloads, shot := app.bin, app.rl, app.ctx, app.downloads, app.shot

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/devices")))
	waitHeading(t, ctx, "Devices")

	// The wallet, through the engine's API (the device and wallet screens
	// have their own tests).
	// The Coldcard is stored as a Q (model "q").
	type dev struct{ name, typ, model string }
	devs := []dev{{"Keystone A", "keystone", ""}, {"Coldcard Q B", "coldcard", "q"}, {"Specter DIY C", "specterdiy", ""}}
	var ids []string
	for i, d := range devs {
		k := bip48Key(t, byte(i+1))
		id := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("devices.add", {name: %s, type: %s, model: %s, export: %s}).then(d => d.id)`, quote(d.name), quote(d.typ), quote(d.model), quote(k.line())))
		ids = append(ids, id)
	}
	walletID := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("wallets.create", {name: "Vault", kind: "multi", script_type: "wsh", m: 2, device_ids: [%s, %s, %s], network: "test"}).then(r => r.wallet.id)`,
		quote(ids[0]), quote(ids[1]), quote(ids[2])))
	w, recv := testnetPSBTWallet(t, ctx, walletID)

	// The unsigned PSBT: 100000 sats of the wallet's receive #0 to an
	// outside address, change to the wallet's change #0, 1000 sats fee.
	prev := chainhash.DoubleHashH([]byte("airgap e2e coin"))
	unsigned, err := psbt.Create(w, psbt.CreateOptions{
		Inputs:  []psbt.UTXO{{OutPoint: wire.OutPoint{Hash: prev, Index: 1}, Value: 100000, Branch: 0, Index: 0}},
		Outputs: []psbt.Recipient{{Address: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", Amount: 60000}},
		Change:  &psbt.ChangeOutput{Branch: 1, Index: 0, Amount: 39000},
	})
	require.NoError(t, err)
	unsignedB64, err := psbt.EncodeBase64(unsigned)
	require.NoError(t, err)

	goHash(t, ctx, "#/psbt")
	waitHeading(t, ctx, "Air-gapped signing")
	require.Equal(t, walletID, eval[string](t, ctx, `document.querySelector("select[name=wallet]").value`))
	// Pasting something else is refused; the PSBT comes as a binary .psbt
	// file (an SD card's) through the scanner's file fallback.
	fill(t, ctx, "textarea[name=psbt-text]", "not a psbt")
	clickButton(t, ctx, "Load the pasted PSBT")
	waitJS(t, ctx, "the refusal", `document.querySelector("main .error")`)
	unsignedRaw, err := psbt.Serialize(unsigned)
	require.NoError(t, err)
	psbtFile := filepath.Join(t.TempDir(), "unsigned.psbt")
	require.NoError(t, os.WriteFile(psbtFile, unsignedRaw, 0o644))
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[name=scan-file]`), []string{psbtFile})))
	waitJS(t, ctx, "the review", `document.querySelector("[data-testid=psbt-fee]")`)
	require.Equal(t, "Scanned: a PSBT (file)", text(t, ctx, "[data-testid=scan-status]"))
	require.Equal(t, unsigned.UnsignedTx.TxHash().String(), eval[string](t, ctx, `document.querySelector("[data-testid=psbt-review] code").textContent`))
	// The review of the file stays until the pasted PSBT's replaces it:
	// mark it to tell the two apart.
	eval[string](t, ctx, `document.querySelector("[data-testid=psbt-fee]").dataset.stale = "yes"`)
	fill(t, ctx, "textarea[name=psbt-text]", unsignedB64)
	clickButton(t, ctx, "Load the pasted PSBT")
	waitJS(t, ctx, "the review", `document.querySelector("[data-testid=psbt-fee]") && !document.querySelector("[data-testid=psbt-fee]").dataset.stale && !document.querySelector("main .error")`)
	require.Equal(t, "0.00001000 BTC", text(t, ctx, "[data-testid=psbt-fee]"))
	require.Equal(t, "0.00060000 BTC", text(t, ctx, "[data-testid=psbt-sent]"))
	require.Equal(t, "0 of 2", text(t, ctx, "[data-testid=psbt-signatures]"))
	require.Equal(t, []string{"Recipient", "Change, verified (change #0)"}, tableColumn(t, ctx, 4))
	shot.take(t, ctx, "airgap-review")

	// Keystone: animated BC-UR crypto-psbt, its default.
	clickButton(t, ctx, "Sign with Keystone A")
	require.Equal(t, "ur", eval[string](t, ctx, `document.querySelector("select[name=format]").value`))
	fill(t, ctx, "select[name=qr-speed]", "10")
	fill(t, ctx, "select[name=qr-density]", "low")
	waitJS(t, ctx, "UR frames", `(document.querySelector("[data-testid=psbt-qr]").dataset.frame || "").startsWith("UR:CRYPTO-PSBT/")`)
	shot.take(t, ctx, "airgap-show-ur")
	got, n := readAnimatedQR(t, ctx, "[data-testid=psbt-qr]")
	require.Greater(t, n, 1, "the PSBT fits one frame: the test shows no animation")
	require.Equal(t, airgap.KindPSBT, got.Kind)
	require.Equal(t, "ur:crypto-psbt", got.Source)
	p1, err := psbt.Decode(got.Data)
	require.NoError(t, err)
	require.Equal(t, unsigned.UnsignedTx.TxHash(), p1.UnsignedTx.TxHash())
	res, err := psbt.Sign(p1, softwareSigner(t, 1))
	require.NoError(t, err)
	require.Equal(t, 1, res.Signatures)
	signed1, err := psbt.Serialize(p1)
	require.NoError(t, err)
	frames, err := airgap.Frames(airgap.Payload{Kind: airgap.KindPSBT, Data: signed1}, airgap.FormatUR, airgap.DensityLow)
	require.NoError(t, err)
	require.Greater(t, len(frames), 1)
	writeMJPEG(t, camFile, frames)
	clickXPath(t, ctx, `//main//div[contains(@class,"signer-slot")]//button[normalize-space()="Start the camera"]`)
	waitJS(t, ctx, "the first signature", `document.querySelector("[data-testid=psbt-signatures]") && document.querySelector("[data-testid=psbt-signatures]").textContent === "1 of 2"`)
	shot.take(t, ctx, "airgap-scanned-ur")

	// Coldcard Q: BBQr, its default, from the device's stored model with
	// no model chosen on this page.
	clickButton(t, ctx, "Sign with Coldcard Q B")
	require.Equal(t, "q", eval[string](t, ctx, `document.querySelector("select[name=model]").value`))
	require.Equal(t, "bbqr", eval[string](t, ctx, `document.querySelector("select[name=format]").value`))
	// Switched to a Mk3/Mk4 for this session, it offers the SD-card file;
	// back to the Q, BBQr again.
	fill(t, ctx, "select[name=model]", "")
	require.Equal(t, "file", eval[string](t, ctx, `document.querySelector("select[name=format]").value`))
	fill(t, ctx, "select[name=model]", "q")
	require.Equal(t, "bbqr", eval[string](t, ctx, `document.querySelector("select[name=format]").value`))
	fill(t, ctx, "select[name=qr-speed]", "10")
	fill(t, ctx, "select[name=qr-density]", "low")
	waitJS(t, ctx, "BBQr frames", `(document.querySelector("[data-testid=psbt-qr]").dataset.frame || "").startsWith("B$")`)
	shot.take(t, ctx, "airgap-show-bbqr")
	got, _ = readAnimatedQR(t, ctx, "[data-testid=psbt-qr]")
	require.Equal(t, "bbqr:P", got.Source)
	p2, err := psbt.Decode(got.Data)
	require.NoError(t, err)
	res, err = psbt.Sign(p2, softwareSigner(t, 2))
	require.NoError(t, err)
	require.Equal(t, 1, res.Signatures)
	signed2, err := psbt.Serialize(p2)
	require.NoError(t, err)
	frames, err = airgap.Frames(airgap.Payload{Kind: airgap.KindPSBT, Data: signed2}, airgap.FormatBBQr, airgap.DensityLow)
	require.NoError(t, err)
	require.Greater(t, len(frames), 1)
	writeMJPEG(t, camFile, frames)
	clickXPath(t, ctx, `//main//div[contains(@class,"signer-slot")]//button[normalize-space()="Start the camera"]`)
	waitJS(t, ctx, "the second signature", `document.querySelector("[data-testid=psbt-signatures]") && document.querySelector("[data-testid=psbt-signatures]").textContent === "2 of 2"`)

	// What the test computes from its own signed PSBT (both signatures).
	final, err := psbt.Decode(signed2)
	require.NoError(t, err)
	txHex := requireFinalTx(t, ctx, final)
	waitJS(t, ctx, "the transaction's QR code", `document.querySelector("[data-testid=tx-qr]").dataset.frame`)
	require.Equal(t, txHex, eval[string](t, ctx, `document.querySelector("[data-testid=tx-qr]").dataset.frame`), "a small transaction is one static QR code of its hex")
	shot.take(t, ctx, "airgap-final")

	// Registration of the wallet on each device: the Keystone's animated
	// BC-UR bytes hold the Coldcard setup text, which verifies as the
	// wallet; the Coldcard Q starts on its BBQr code (its stored model) and
	// offers the SD-card file too.
	goHash(t, ctx, "#/psbt/register/"+walletID)
	waitHeading(t, ctx, "Register Vault on its devices")
	waitJS(t, ctx, "the Coldcard Q's BBQr registration", `[...document.querySelectorAll("[data-testid=register-qr]")].some(c => (c.dataset.frame || "").startsWith("B$"))`)
	require.Equal(t, "q", eval[string](t, ctx, `document.querySelector("select[name=model]").value`))
	waitJS(t, ctx, "the Keystone's registration QR", `(document.querySelector("section[aria-label='Keystone A'] [data-testid=register-qr]") || {dataset: {}}).dataset.frame`)
	fill(t, ctx, "section[aria-label='Keystone A'] select[name=qr-speed]", "10")
	reg, _ := readAnimatedQR(t, ctx, "section[aria-label='Keystone A'] [data-testid=register-qr]")
	require.Equal(t, airgap.KindWalletSetup, reg.Kind)
	require.Equal(t, "ur:bytes", reg.Source)
	require.NotNil(t, reg.Setup)
	require.Equal(t, 2, reg.Setup.Setup.M)
	require.Equal(t, 3, reg.Setup.Setup.N)
	shot.take(t, ctx, "airgap-register")
	clickButton(t, ctx, "Download Vault-coldcard.txt")
	saved, err := os.ReadFile(waitDownload(t, downloads, "Vault-coldcard.txt"))
	require.NoError(t, err)
	require.Contains(t, string(saved), "Policy: 2 of 3")

	// Show-address-on-device: Specter DIY reads the address with its index.
	want := cliAddresses(t, bin, "test", recv, 4)
	goHash(t, ctx, "#/psbt/address/"+walletID+"/3")
	waitJS(t, ctx, "the address QR", `document.querySelector("[data-testid=address-qr]")`)
	require.Equal(t, want[3], text(t, ctx, "[data-testid=check-address]"))
	require.Equal(t, "bitcoin:"+want[3]+"?index=3", decodeQR(t, canvasPNG(t, ctx, "[data-testid=address-qr]")))
	shot.take(t, ctx, "airgap-address")

	// A fourth signer's key, scanned from its static "[fp/path]tpub" QR.
	k4 := bip48Key(t, 4)
	writeMJPEG(t, camFile, []string{k4.line()})
	goHash(t, ctx, "#/psbt/device")
	waitHeading(t, ctx, "Add a device from its QR code")
	clickButton(t, ctx, "Start the camera")
	waitJS(t, ctx, "the scanned key", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "1 key found"`)
	fill(t, ctx, "input[name=device-name]", "SeedSigner D")
	fill(t, ctx, "select[name=device-type]", "seedsigner")
	shot.take(t, ctx, "airgap-device-scanned")
	clickButton(t, ctx, "Add the device")
	waitHeading(t, ctx, "SeedSigner D")
	require.Equal(t, []string{"[" + k4.fingerprint + "/" + k4.path + "]"}, tableColumn(t, ctx, 1))
	require.Equal(t, []string{k4.tpub}, tableColumn(t, ctx, 2))
}

// TestHotDeviceSignsOnPSBTScreenAndAKeystoneSignsThroughTheSDCardFile: a
// 2-of-3 wallet with a hot device of this browser and a pending transaction,
// loaded from the wallet's list on #/psbt. The hot device
// refuses a wrong password and then signs; the Keystone is switched from its
// default (animated UR) to a file: the PSBT file is downloaded, signed by
// the test, and loaded back through the file fallback; the PWA finalizes
// the transaction the test computes.
func TestHotDeviceSignsOnPSBTScreenAndAKeystoneSignsThroughTheSDCardFile(t *testing.T) {
	app := startApp(t, 5*time.Minute)
	rl, ctx, downloads, shot := app.rl, app.ctx, app.downloads, app.shot
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/devices")))
	waitHeading(t, ctx, "Devices")

	walletID, _, w := createHotVault(t, ctx, "Hot vault")
	unsigned := rentPSBT(t, w, "hot e2e coin", 1)

	// The wallet's pending transaction (as wallets.createPSBT stores it).
	savePendingPSBT(t, ctx, walletID, "Rent", unsigned)
	goHash(t, ctx, "#/psbt")
	waitHeading(t, ctx, "Air-gapped signing")
	fill(t, ctx, "select[name=wallet]", walletID)
	clickButton(t, ctx, "Load Rent")
	waitJS(t, ctx, "the review", `document.querySelector("[data-testid=psbt-fee]")`)
	require.Equal(t, "0.00001500 BTC", text(t, ctx, "[data-testid=psbt-fee]"))
	require.Equal(t, []string{"Recipient", "Change, verified (change #1)"}, tableColumn(t, ctx, 4))

	clickButton(t, ctx, "Sign with Hot H")
	fill(t, ctx, "input[name=password]", "wrong password")
	clickButton(t, ctx, "Sign")
	waitJS(t, ctx, "the refusal", `document.querySelector(".signer-errors .error")`)
	require.Equal(t, "0 of 2", text(t, ctx, "[data-testid=psbt-signatures]"))
	fill(t, ctx, "input[name=password]", "hunter22")
	clickButton(t, ctx, "Sign")
	waitJS(t, ctx, "the hot signature", `document.querySelector("[data-testid=psbt-signatures]").textContent === "1 of 2"`)
	// The signature is kept with the pending transaction.
	stored := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("psbts.get", {wallet_id: %s, id: %s}).then(p => p.psbt)`, quote(walletID), quote(unsigned.UnsignedTx.TxHash().String())))
	sp, err := psbt.DecodeBase64(stored)
	require.NoError(t, err)
	require.Len(t, sp.Inputs[0].PartialSigs, 1)
	shot.take(t, ctx, "airgap-hot-signed")

	clickButton(t, ctx, "Sign with Keystone A")
	require.Equal(t, "ur", eval[string](t, ctx, `document.querySelector("select[name=format]").value`))
	fill(t, ctx, "select[name=format]", "file")
	clickButton(t, ctx, "Download the PSBT file")
	file := waitDownload(t, downloads, "*.psbt")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	p, err := psbt.Decode(data)
	require.NoError(t, err)
	signIntoSlot(t, ctx, p, softwareSigner(t, 1), "signed.psbt", "2 of 2")

	txHex := requireFinalTx(t, ctx, p)
	shot.take(t, ctx, "airgap-hot-final")

	// Air-gapped: with the relay gone the installed app still opens
	// #/psbt from the service worker, with the PSBT being worked on, and the
	// QR decoder is there for the camera.
	waitJS(t, ctx, "the service worker in control", `navigator.serviceWorker.controller !== null`)
	rl.stop(t)
	reloadAt(t, ctx, rl.url()+"#/psbt")
	waitHeading(t, ctx, "Air-gapped signing")
	waitJS(t, ctx, "the relay shown down", `document.getElementById("relay-state").dataset.state === "down"`)
	require.Equal(t, "Relay: not reachable", text(t, ctx, "#relay-state"))
	waitJS(t, ctx, "the review offline", `document.querySelector("[data-testid=psbt-signatures]") && document.querySelector("[data-testid=final-tx]")`)
	require.Equal(t, "2 of 2", text(t, ctx, "[data-testid=psbt-signatures]"))
	require.Equal(t, txHex, eval[string](t, ctx, `document.querySelector("[data-testid=final-tx]").value`))
	require.True(t, eval[bool](t, ctx, `fetch("/vendor/jsQR.js").then(r => r.ok)`), "jsQR is not cached for offline use")
	shot.take(t, ctx, "airgap-offline")

	// A PSBT whose change goes to change #500, the wallet's script but far
	// past the 20 addresses it watches: flagged, with the reason.
	farB64 := base64PSBT(t, rentPSBT(t, w, "hot e2e coin", 500))
	eval[string](t, ctx, `document.querySelector("[data-testid=psbt-fee]").dataset.stale = "yes"`)
	fill(t, ctx, "textarea[name=psbt-text]", farB64)
	clickButton(t, ctx, "Load the pasted PSBT")
	waitJS(t, ctx, "the review of the far change", `document.querySelector("[data-testid=psbt-fee]") && !document.querySelector("[data-testid=psbt-fee]").dataset.stale`)
	require.Equal(t, []string{"Recipient", "Change to #500, but NOT watched by this wallet: it would not see these funds"}, tableColumn(t, ctx, 4))
	require.Contains(t, text(t, ctx, "main .warning"), "change address #500, beyond the wallet's watched addresses (up to #19)")
	shot.take(t, ctx, "airgap-unwatched-change")
}
