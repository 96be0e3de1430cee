package e2e

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/bbqr"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/ur"
)

// abandonMnemonic is BIP39's all-zero-entropy test mnemonic; with an empty
// passphrase its master fingerprint is 73c5da0a.
const abandonMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// bip39Fingerprint computes the master key fingerprint of a mnemonic with
// an empty passphrase (BIP39 seed: PBKDF2-HMAC-SHA512, 2048 rounds, salt
// "mnemonic"; BIP32 master key), independently of the app's engine.
func bip39Fingerprint(t *testing.T, mnemonic string) string {
	t.Helper()
	seed, err := pbkdf2.Key(sha512.New, mnemonic, []byte("mnemonic"), 2048, 64)
	require.NoError(t, err)
	master, err := hdkeychain.NewMaster(seed, &chaincfg.TestNet3Params)
	require.NoError(t, err)
	pub, err := master.ECPubKey()
	require.NoError(t, err)
	return hex.EncodeToString(btcutil.Hash160(pub.SerializeCompressed())[:4])
}

// goOffline cuts the page off the network as an air-gapped laptop is:
// every request fails (the service worker's own fetches too) and
// navigator.onLine is false.
func goOffline(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	yes := true
	_, err = chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &yes,
		MatchedNetworkConditions:    []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
	})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	require.NoError(t, err)
}

// TestAirGappedLaptopWithTheNetworkOffImportsReviewsSignsAndExportsAPSBTFile:
// the installed PWA (service worker in control) holds a 2-of-3 wsh wallet
// of a hot device and two xpub devices. The relay is stopped and the
// browser cut off the network; the app reloads from the service worker,
// imports an unsigned binary .psbt file, shows its exact review (fee,
// amount sent, verified change, 0 of 2), signs with the hot device,
// routes the PSBT as a file to a second signer (the test, with the Coldcard
// seed), loads the signed file back, finalizes and exports the transaction.
// The exported transaction is the unsigned one (same txid) and its witness
// passes script verification with the signatures of exactly the hot
// device and the Coldcard.
func TestAirGappedLaptopWithTheNetworkOffImportsReviewsSignsAndExportsAPSBTFile(t *testing.T) {
	app := startApp(t, 3*time.Minute)
	rl, ctx, downloads, shot := app.rl, app.ctx, app.downloads, app.shot

	// First visit: the app installs its service worker.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/devices")))
	waitHeading(t, ctx, "Devices")
	waitJS(t, ctx, "the service worker in control", `navigator.serviceWorker.controller !== null`)

	// The wallet, through the engine's API (the device and wallet screens
	// have their own tests).
	hotID := eval[string](t, ctx, `specterApp.call("devices.createHot", {name: "Laptop hot key", mnemonic: `+quote(abandonMnemonic)+`, password: "offline pass 1", network: "test"}).then(r => r.device.id)`)
	var ids []string
	cosigners := []struct{ name, typ string }{{"Coldcard B", "coldcard"}, {"Keystone C", "keystone"}}
	for i, d := range cosigners {
		k := bip48Key(t, byte(i+1))
		ids = append(ids, eval[string](t, ctx, fmt.Sprintf(`specterApp.call("devices.add", {name: %s, type: %s, export: %s}).then(d => d.id)`, quote(d.name), quote(d.typ), quote(k.line()))))
	}
	walletID := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("wallets.create", {name: "Cold vault", kind: "multi", script_type: "wsh", m: 2, device_ids: [%s, %s, %s], network: "test"}).then(r => r.wallet.id)`,
		quote(hotID), quote(ids[0]), quote(ids[1])))
	w, recv := testnetPSBTWallet(t, ctx, walletID)
	hotFP := bip39Fingerprint(t, abandonMnemonic)
	require.Equal(t, "73c5da0a", hotFP)
	require.Contains(t, recv, "["+hotFP+"/48h/1h/0h/2h]")

	// The unsigned PSBT, made by the test: 300000 sats of receive #5 pay
	// 250000 to an outside address, 48800 come back to change #3, 1200 fee.
	unsigned, err := psbt.Create(w, psbt.CreateOptions{
		Inputs:  []psbt.UTXO{{OutPoint: wire.OutPoint{Hash: chainhash.DoubleHashH([]byte("offline e2e coin")), Index: 2}, Value: 300000, Branch: 0, Index: 5}},
		Outputs: []psbt.Recipient{{Address: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", Amount: 250000}},
		Change:  &psbt.ChangeOutput{Branch: 1, Index: 3, Amount: 48800},
	})
	require.NoError(t, err)
	unsignedRaw, err := psbt.Serialize(unsigned)
	require.NoError(t, err)
	psbtFile := filepath.Join(t.TempDir(), "cold-vault-unsigned.psbt")
	require.NoError(t, os.WriteFile(psbtFile, unsignedRaw, 0o644))

	// The network goes away: relay stopped, browser offline. The app
	// reloads from the service worker.
	rl.stop(t)
	goOffline(t, ctx)
	require.False(t, eval[bool](t, ctx, `navigator.onLine`))
	require.False(t, eval[bool](t, ctx, `fetch("/healthz", {cache: "no-store"}).then(() => true, () => false)`), "the relay still answers")
	reloadAt(t, ctx, rl.url()+"#/psbt")
	waitHeading(t, ctx, "Air-gapped signing")
	require.True(t, eval[bool](t, ctx, `navigator.serviceWorker.controller !== null`), "the reloaded page is not served by the service worker")
	fill(t, ctx, "select[name=wallet]", walletID)
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[name=scan-file]`), []string{psbtFile})))
	waitJS(t, ctx, "the review", `document.querySelector("[data-testid=psbt-fee]")`)
	require.Equal(t, "Scanned: a PSBT (file)", text(t, ctx, "[data-testid=scan-status]"))
	require.Equal(t, unsigned.UnsignedTx.TxHash().String(), text(t, ctx, "[data-testid=psbt-review] code"))
	require.Equal(t, "0.00001200 BTC", text(t, ctx, "[data-testid=psbt-fee]"))
	require.Equal(t, "0.00250000 BTC", text(t, ctx, "[data-testid=psbt-sent]"))
	require.Equal(t, "0 of 2", text(t, ctx, "[data-testid=psbt-signatures]"))
	require.Equal(t, []string{"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}, tableColumn(t, ctx, 2)[:1])
	require.Equal(t, []string{"0.00250000 BTC", "0.00048800 BTC"}, tableColumn(t, ctx, 3))
	require.Equal(t, []string{"Recipient", "Change, verified (change #3)"}, tableColumn(t, ctx, 4))
	shot.take(t, ctx, "offline-psbt-review")

	// The hot device of this browser signs (its password).
	clickButton(t, ctx, "Sign with Laptop hot key")
	fill(t, ctx, "input[name=password]", "offline pass 1")
	clickButton(t, ctx, "Sign")
	waitJS(t, ctx, "the hot signature", `document.querySelector("[data-testid=psbt-signatures]").textContent === "1 of 2"`)

	// The Coldcard signs from the SD card: the file is saved, signed by the
	// test, and loaded back.
	clickButton(t, ctx, "Sign with Coldcard B")
	require.Equal(t, "file", eval[string](t, ctx, `document.querySelector("select[name=format]").value`))
	clickButton(t, ctx, "Download the PSBT file")
	data, err := os.ReadFile(waitDownload(t, downloads, "*.psbt"))
	require.NoError(t, err)
	forColdcard, err := psbt.Decode(data)
	require.NoError(t, err)
	require.Equal(t, unsigned.UnsignedTx.TxHash(), forColdcard.UnsignedTx.TxHash())
	require.Len(t, forColdcard.Inputs[0].PartialSigs, 1, "the file holds the hot device's signature")
	signIntoSlot(t, ctx, forColdcard, softwareSigner(t, 1), "cold-vault-signed.psbt", "2 of 2")

	// Finalize and export the transaction file.
	clickButton(t, ctx, "Finalize")
	waitJS(t, ctx, "the final transaction", `document.querySelector("[data-testid=final-tx]")`)
	shown := eval[string](t, ctx, `document.querySelector("[data-testid=final-tx]").value`)
	clickButton(t, ctx, "Download the transaction (.txn)")
	saved, err := os.ReadFile(waitDownload(t, downloads, "*.txn"))
	require.NoError(t, err)
	require.Equal(t, shown, string(saved))
	shot.take(t, ctx, "offline-psbt-final")
	require.False(t, eval[bool](t, ctx, `navigator.onLine`), "the page went back online")

	// The exported transaction: the unsigned one, with a witness that
	// verifies, signed by the hot device and the Coldcard.
	raw, err := hex.DecodeString(strings.TrimSpace(string(saved)))
	require.NoError(t, err)
	var tx wire.MsgTx
	require.NoError(t, tx.Deserialize(bytes.NewReader(raw)))
	require.Equal(t, unsigned.UnsignedTx.TxHash(), tx.TxHash())
	require.Len(t, tx.TxIn, 1)
	prev := unsigned.Inputs[0].WitnessUtxo
	require.NotNil(t, prev)
	fetcher := txscript.NewCannedPrevOutputFetcher(prev.PkScript, prev.Value)
	hashes := txscript.NewTxSigHashes(&tx, fetcher)
	vm, err := txscript.NewEngine(prev.PkScript, &tx, 0, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
	require.NoError(t, err)
	require.NoError(t, vm.Execute(), "the witness does not satisfy the wallet's script")

	witness := tx.TxIn[0].Witness
	require.Len(t, witness, 4, "wsh 2-of-3: empty item, two signatures, witness script")
	require.Empty(t, witness[0])
	script := witness[3]
	fpOf := map[string]string{}
	for _, d := range unsigned.Inputs[0].Bip32Derivation {
		fpOf[string(d.PubKey)] = keys.FingerprintFromUint32(d.MasterKeyFingerprint).String()
	}
	pushes, err := txscript.PushedData(script)
	require.NoError(t, err)
	var signers []string
	for _, sig := range witness[1:3] {
		require.Equal(t, byte(txscript.SigHashAll), sig[len(sig)-1])
		parsed, err := ecdsa.ParseDERSignature(sig[:len(sig)-1])
		require.NoError(t, err)
		hash, err := txscript.CalcWitnessSigHash(script, hashes, txscript.SigHashAll, &tx, 0, prev.Value)
		require.NoError(t, err)
		var by string
		for _, p := range pushes {
			if pk, err := btcec.ParsePubKey(p); err == nil && parsed.Verify(hash, pk) {
				by = fpOf[string(p)]
			}
		}
		require.NotEmpty(t, by, "a signature of none of the wallet's keys")
		signers = append(signers, by)
	}
	sort.Strings(signers)
	want := []string{hotFP, bip48Key(t, 1).fingerprint}
	sort.Strings(want)
	require.Equal(t, want, signers)
}

// Minimal CBOR (RFC 8949) writer for the BC-UR key exports the test shows
// to the camera: unsigned integers, byte strings, arrays, maps with
// integer keys in ascending order, tags and booleans.
func cborHead(major byte, n uint64) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 1<<8:
		return []byte{major<<5 | 24, byte(n)}
	case n < 1<<16:
		return binary.BigEndian.AppendUint16([]byte{major<<5 | 25}, uint16(n))
	case n < 1<<32:
		return binary.BigEndian.AppendUint32([]byte{major<<5 | 26}, uint32(n))
	}
	return binary.BigEndian.AppendUint64([]byte{major<<5 | 27}, n)
}

func cborUint(n uint64) []byte               { return cborHead(0, n) }
func cborBytes(b []byte) []byte              { return append(cborHead(2, uint64(len(b))), b...) }
func cborTag(tag uint64, item []byte) []byte { return append(cborHead(6, tag), item...) }

func cborBool(b bool) []byte {
	if b {
		return []byte{0xf5}
	}
	return []byte{0xf4}
}

func cborArray(items ...[]byte) []byte {
	out := cborHead(4, uint64(len(items)))
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

// cborMap writes a map of integer keys, given as key, value, key, value...
func cborMap(kv ...any) []byte {
	out := cborHead(5, uint64(len(kv)/2))
	for i := 0; i < len(kv); i += 2 {
		out = append(out, cborUint(uint64(kv[i].(int)))...)
		out = append(out, kv[i+1].([]byte)...)
	}
	return out
}

// urHDKey is the crypto-hdkey map (BCR-2020-007, tag 303 when tagged) of
// the testnet account key at the hardened path of a seed of one repeated
// byte: key data, chain code, use-info testnet, origin (with the master
// fingerprint when withSource), parent fingerprint.
func urHDKey(t *testing.T, seedByte byte, withSource bool, path ...uint32) []byte {
	t.Helper()
	master := softwareSigner(t, seedByte)
	mpub, err := master.ECPubKey()
	require.NoError(t, err)
	k := master
	var comps [][]byte
	for _, i := range path {
		k, err = k.Derive(hdkeychain.HardenedKeyStart + i)
		require.NoError(t, err)
		comps = append(comps, cborUint(uint64(i)), cborBool(true))
	}
	pub, err := k.ECPubKey()
	require.NoError(t, err)
	origin := []any{1, cborArray(comps...)}
	if withSource {
		origin = append(origin, 2, cborUint(uint64(binary.BigEndian.Uint32(btcutil.Hash160(mpub.SerializeCompressed())[:4]))))
	}
	return cborMap(
		3, cborBytes(pub.SerializeCompressed()),
		4, cborBytes(k.ChainCode()),
		5, cborTag(305, cborMap(2, cborUint(1))),
		6, cborTag(304, cborMap(origin...)),
		8, cborUint(uint64(k.ParentFingerprint())),
	)
}

// urFrames encodes a UR as the upper-case QR texts a signer's screen
// loops through: one part, or the fountain's pure parts once each.
func urFrames(t *testing.T, u ur.UR, maxFragmentLen int) []string {
	t.Helper()
	enc, err := ur.NewEncoder(u, maxFragmentLen)
	require.NoError(t, err)
	frames := make([]string, enc.SeqLen())
	for i := range frames {
		frames[i] = strings.ToUpper(enc.NextPart())
	}
	return frames
}

// TestDevicesAddedByScanningTheirKeyExportQRCodes shows the key exports of
// QR signers to the fake camera on #/devices/new: a Keystone/Passport
// multisig crypto-account (animated BC-UR), a single crypto-hdkey, and a
// Coldcard Q's generic JSON export (animated BBQr, file type J, zlib). The
// exact keys (origins and tpubs, testnet) land in the form, and the
// device is added with them.
func TestDevicesAddedByScanningTheirKeyExportQRCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and drives Chromium: not in -short")
	}
	type key struct{ origin, tpub, script string }
	fromSeed := func(b byte, script string, path ...uint32) key {
		k := accountKey(t, b, path...)
		return key{"[" + k.fingerprint + "/" + k.path + "]", k.tpub, script}
	}

	// Keystone / Passport: the account's multisig keys (BCR-2020-015:
	// cosigner keys written as wsh(KEY) and sh(wsh(KEY))) and its
	// single-sig BIP84 key, under the master fingerprint.
	const ksSeed = 0x51
	ksMaster, err := softwareSigner(t, ksSeed).ECPubKey()
	require.NoError(t, err)
	account := cborMap(
		1, cborUint(uint64(binary.BigEndian.Uint32(btcutil.Hash160(ksMaster.SerializeCompressed())[:4]))),
		2, cborArray(
			cborTag(404, cborTag(303, urHDKey(t, ksSeed, false, 84, 1, 0))),
			cborTag(400, cborTag(401, cborTag(303, urHDKey(t, ksSeed, false, 48, 1, 0, 1)))),
			cborTag(401, cborTag(303, urHDKey(t, ksSeed, false, 48, 1, 0, 2))),
		))
	accountFrames := urFrames(t, ur.UR{Type: ur.TypeCryptoAccount, CBOR: account}, 90)
	require.Greater(t, len(accountFrames), 1, "the account export fits one frame: the test shows no animation")

	// A single key as crypto-hdkey, with its own source fingerprint.
	const hdSeed = 0x52
	hdFrames := urFrames(t, ur.UR{Type: ur.TypeCryptoHDKey, CBOR: urHDKey(t, hdSeed, true, 48, 1, 0, 2)}, 1000)
	require.Len(t, hdFrames, 1)
	require.True(t, strings.HasPrefix(hdFrames[0], "UR:CRYPTO-HDKEY/"), hdFrames[0])

	// Coldcard Q: its generic JSON export (the firmware's example file,
	// testnet, account 123) as an animated BBQr series of type J.
	ccJSON, err := os.ReadFile(filepath.Join(repoRoot(t), "shared", "keys", "testdata", "exports", "coldcard-generic-xtn-account123.json"))
	require.NoError(t, err)
	split, err := bbqr.SplitData(ccJSON, bbqr.JSON, bbqr.SplitOptions{MaxVersion: 10})
	require.NoError(t, err)
	require.Greater(t, len(split.Parts), 1)
	require.True(t, strings.HasPrefix(split.Parts[0], "B$ZJ"), split.Parts[0])

	tests := []struct {
		name, device, typ string
		frames            []string
		want              []key
	}{
		{"Keystone crypto-account, animated BC-UR", "Keystone scanned", "keystone", accountFrames, []key{
			fromSeed(ksSeed, "wpkh", 84, 1, 0),
			fromSeed(ksSeed, "sh-wsh", 48, 1, 0, 1),
			fromSeed(ksSeed, "wsh", 48, 1, 0, 2),
		}},
		{"single crypto-hdkey, one QR code", "Passport scanned", "passport", hdFrames, []key{
			fromSeed(hdSeed, "wsh", 48, 1, 0, 2),
		}},
		{"Coldcard Q generic JSON, animated BBQr type J", "Coldcard Q scanned", "coldcard", split.Parts, []key{
			{"[0f056943/44h/1h/123h]", "tpubDCiHGUNYdRRGoSH22j8YnruUKgguCK1CC2NFQUf9PApeZh8ewAJJWGMUrhggDNK73iCTanWXv1RN5FYemUH8UrVUBjqDb8WF2VoKmDh9UTo", "pkh"},
			{"[0f056943/49h/1h/123h]", "tpubDCDqt7XXvhAdy1MpSze5nMJA9x8DrdRaKALRRPasfxyHpiqWWEAr9cbDBQ9BcX7cB3up98Pk97U2QQ3xrvQsi5dNPmRYYhdcsKY9wwEY87T", "sh-wpkh"},
			{"[0f056943/84h/1h/123h]", "tpubDC7jGaaSE66VDB6VhEDFYQSCAyugXmfnMnrMVyHNzW9wryyTxvha7TmfAHd7GRXrr2TaAn2HXn9T8ep4gyNX1bzGiieqcTUNcu2poyntrET", "wpkh"},
		}},
	}

	bin := specterBinary(t)
	rl := startRelay(t, bin, t.TempDir(), freeAddr(t))
	camFile := filepath.Join(t.TempDir(), "camera.mjpeg")
	writeMJPEG(t, camFile, nil)
	bctx := cameraBrowser(t, t.TempDir(), camFile)
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	defer cancel()
	shot := newShots(t)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/devices")))
	waitHeading(t, ctx, "Devices")

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The camera plays this device's screen from the next
			// getUserMedia call on.
			writeMJPEG(t, camFile, tc.frames)
			goHash(t, ctx, "#/devices/new")
			waitJS(t, ctx, "an empty add-device form", `document.querySelector("main h1") && document.querySelector("main h1").textContent === "Add a device" && document.querySelector("textarea[name=keys]") && document.querySelector("textarea[name=keys]").value === ""`)
			fill(t, ctx, "input[name=name]", tc.device)
			fill(t, ctx, "select[name=type]", tc.typ)
			// Every text the scanner's status line shows, in order.
			eval[bool](t, ctx, `(() => { const el = document.querySelector("[data-testid=scan-status]"); window.scanLog = [];
				new MutationObserver(() => window.scanLog.push(el.textContent)).observe(el, {childList: true, characterData: true, subtree: true}); return true; })()`)
			clickButton(t, ctx, "Start the camera")
			waitJS(t, ctx, "the scanned keys", `document.querySelector("textarea[name=keys]").value !== ""`)
			if len(tc.frames) > 1 {
				// An animated code: the user saw the parts come in.
				log := eval[[]string](t, ctx, `window.scanLog`)
				var partial []string
				for _, line := range log {
					var k, n int
					if _, err := fmt.Sscanf(line, "Parts received: %d of %d.", &k, &n); err == nil && k > 0 && k < n {
						partial = append(partial, line)
					}
				}
				require.NotEmpty(t, partial, "no 'Parts received: k of n.' with 0 < k < n among %q", log)
				require.Equal(t, "Scanned: keys", log[len(log)-1])
				require.Equal(t, 1.0, eval[float64](t, ctx, `document.querySelector("[data-testid=scan-progress]").value`))
			}
			var lines []string
			for _, k := range tc.want {
				lines = append(lines, k.origin+k.tpub)
			}
			require.Equal(t, strings.Join(lines, "\n"), eval[string](t, ctx, `document.querySelector("textarea[name=keys]").value`))
			found := fmt.Sprintf("%d key%s found", len(tc.want), map[bool]string{true: "", false: "s"}[len(tc.want) == 1])
			waitJS(t, ctx, "the key preview", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === `+quote(found))
			shot.take(t, ctx, "device-scanned-"+tc.typ)
			clickButton(t, ctx, "Add the device")
			waitHeading(t, ctx, tc.device)
			var origins, tpubs, scripts []string
			for _, k := range tc.want {
				origins = append(origins, k.origin)
				tpubs = append(tpubs, k.tpub)
				scripts = append(scripts, k.script)
			}
			require.Equal(t, origins, tableColumn(t, ctx, 1))
			require.Equal(t, tpubs, tableColumn(t, ctx, 2))
			require.Equal(t, scripts, tableColumn(t, ctx, 3))
			stored := eval[[]string](t, ctx, `specterApp.call("devices.list").then(r => r.devices.filter(d => d.name === `+quote(tc.device)+`).map(d => d.type + " " + d.keys.map(k => "[" + k.origin + "]" + k.xpub).join(" ")))`)
			require.Equal(t, []string{tc.typ + " " + strings.Join(lines, " ")}, stored)
		})
	}
}
