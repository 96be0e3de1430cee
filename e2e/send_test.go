//go:build unix

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/server/demo"
)

// demoNode is the demo btcd the relay started (server/demo), reached
// directly with the credentials of DATADIR/demo-btcd/demo.json so the test
// can mine and read the mempool.
type demoNode struct {
	url, user, password string
}

func readDemoNode(t *testing.T, dataDir string) demoNode {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dataDir, demo.DirName, "demo.json"))
	require.NoError(t, err, "the relay did not start demo mode")
	var st struct {
		RPCPort     int    `json:"rpc_port"`
		RPCUser     string `json:"rpc_user"`
		RPCPassword string `json:"rpc_password"`
	}
	require.NoError(t, json.Unmarshal(data, &st))
	return demoNode{url: fmt.Sprintf("http://127.0.0.1:%d", st.RPCPort), user: st.RPCUser, password: st.RPCPassword}
}

func (n demoNode) rpc(t *testing.T, method string, params ...any) json.RawMessage {
	t.Helper()
	btcd := regtest.Endpoint{URL: n.url, User: n.user, Password: n.password}
	res, err := btcd.RPC(context.Background(), method, params...)
	require.NoError(t, err, "btcd %s", method)
	return res
}

func (n demoNode) mempool(t *testing.T) []string {
	t.Helper()
	var txids []string
	require.NoError(t, json.Unmarshal(n.rpc(t, "getrawmempool"), &txids))
	return txids
}

// btc formats satoshis as the app does in BTC units.
func btc(sats int64) string {
	neg := ""
	if sats < 0 {
		neg, sats = "-", -sats
	}
	return fmt.Sprintf("%s%d.%08d BTC", neg, sats/1e8, sats%1e8)
}

// parseBTC reads "0.00001234 BTC" back into satoshis.
func parseBTC(t *testing.T, s string) int64 {
	t.Helper()
	var whole, frac int64
	_, err := fmt.Sscanf(strings.TrimSuffix(s, " BTC"), "%d.%08d", &whole, &frac)
	require.NoError(t, err, "amount %q", s)
	return whole*1e8 + frac
}

// requireRate checks the review's fee rate: the rate asked for, within the
// rounding of the size estimate of unsigned inputs.
func requireRate(t *testing.T, ctx context.Context, want float64) {
	t.Helper()
	shown := text(t, ctx, "[data-testid=review-fee-rate]")
	var rate float64
	_, err := fmt.Sscanf(shown, "%g sat/vB", &rate)
	require.NoError(t, err, shown)
	require.InDelta(t, want, rate, want*0.05, shown)
}

// signAndBroadcast signs the open review with two hot devices, checks the
// cosigner list after each, broadcasts, and returns the broadcast txid.
func signAndBroadcast(t *testing.T, ctx context.Context, shot *shots, first, second string) string {
	t.Helper()
	waitJS(t, ctx, "the signature count", `document.querySelector("[data-testid=signature-count]")`)
	require.Equal(t, "0 of 2 signatures.", text(t, ctx, "[data-testid=signature-count]"))
	signHot(t, ctx, first, "1 of 2 signatures.")
	require.Contains(t, text(t, ctx, "[data-testid=cosigners]"), first+" (")
	signed := eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=cosigners] li")].filter(li => li.querySelector("strong").textContent === "signed").map(li => li.textContent.split(" (")[0])`)
	require.Equal(t, []string{first}, signed)
	shot.take(t, ctx, "send-one-signature")
	signHot(t, ctx, second, fullySigned)
	return broadcast(t, ctx)
}

// TestSendFromA2of3WalletSignedByTwoHotDevicesThenBumpAndCancel is issue 5's
// spend cycle in the PWA against btcd regtest through the relay: the relay's
// demo mode mines past SegWit and pays the 2-of-3 wsh wallet of three public
// BIP39 test mnemonics from mined coinbases; the three mnemonics are restored
// as hot devices and the wallet created from them (the same descriptor);
// after a sync the balance shows. On the send screen: a payment to an
// outside address (a BIP21 paste) from a chosen coin (coin control) at a
// manual fee rate, reviewed (verified change), signed by two devices, broadcast, seen
// unconfirmed; a block mined, it shows confirmed and the change came back
// with exact amounts. Before that, an address of another network is
// refused, a CPFP of the demo's incoming unconfirmed payment and a send of
// the maximum (no change) are built and discarded. A second send (CSV paste,
// the fee subtracted from the amount) is broadcast and its fee bumped, one
// cosigner signing the downloaded binary PSBT file: the replacement is in
// btcd's mempool and the original is not. The replacement is then cancelled
// with two signed files uploaded at once (base64 text and binary).
func TestSendFromA2of3WalletSignedByTwoHotDevicesThenBumpAndCancel(t *testing.T) {
	app := startDemoApp(t, 4*time.Minute)
	ctx, node, downloads, shot := app.ctx, app.node, app.downloads, app.shot
	wallets, err := demo.Wallets()
	require.NoError(t, err)
	multi := wallets[0]
	firstAddr, err := multi.ReceiveAddress(0)
	require.NoError(t, err)
	// An outside address: P2WPKH of a hash no wallet here knows.
	outside, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0x42}, 20), &chaincfg.RegressionNetParams)
	require.NoError(t, err)

	// The three cosigners restored from their mnemonics as hot devices, and
	// the 2-of-3 wsh wallet made of them.
	var ids []string
	for _, s := range multi.Signers {
		name := strings.Replace(s.Name, "Demo key", "Key", 1)
		ids = append(ids, eval[string](t, ctx, fmt.Sprintf(`specterApp.call("devices.createHot", {name: %s, mnemonic: %s, password: %s, network: "regtest"}).then(r => r.device.id)`,
			quote(name), quote(s.Mnemonic), quote("pw "+name))))
	}
	idsJSON, err := json.Marshal(ids)
	require.NoError(t, err)
	created := eval[map[string]any](t, ctx, `specterApp.call("wallets.create", {name: "Team", kind: "multi", script_type: "wsh", m: 2, device_ids: `+string(idsJSON)+`, network: "regtest"}).then(r => ({id: r.wallet.id, first: r.first_address}))`)
	require.Equal(t, firstAddr, created["first"], "the wallet made of the restored devices is the demo's")
	walletID := created["id"].(string)

	goHash(t, ctx, "#/wallets/"+walletID)
	waitHeading(t, ctx, "Team")
	clickButton(t, ctx, "Sync with the node")
	waitJS(t, ctx, "the sync summary", `document.querySelector("main .notice")`)
	// server/demo's FundingPlan: 1.0 and 0.5 BTC confirmed, 0.1 BTC in the mempool.
	require.Equal(t, btc(160_000_000), text(t, ctx, "[data-testid=balance]"))
	clickButton(t, ctx, "Send")
	waitHeading(t, ctx, "Send from Team")
	waitJS(t, ctx, "the fee estimate", `document.querySelector("[data-testid=fee-notice], main .help") && document.querySelector("input[name=fee_rate]").value !== ""`)

	// An address of another network is refused before anything is built.
	waitJS(t, ctx, "the fee estimate", `document.querySelector("input[name=fee_rate]").value !== ""`)
	fillLabelled(t, ctx, "Address", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	fillLabelled(t, ctx, "Amount (BTC)", "0.25")
	clickButton(t, ctx, "Create the transaction")
	waitJS(t, ctx, "the network error", `document.querySelector("main .error-message")`)
	require.Equal(t, "recipient 1's address bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 is not a regtest address", text(t, ctx, "main .error-message"))
	require.Equal(t, "What to do: this wallet is on regtest: check where the address came from", text(t, ctx, "main .error-hint"))

	// CPFP of the demo's incoming unconfirmed 0.1 BTC: built for review,
	// then discarded (its coins unlocked again).
	fillLabelled(t, ctx, "New fee rate (sat/vB)", "60")
	clickButton(t, ctx, "Speed up (CPFP)")
	waitHeading(t, ctx, "Review the transaction")
	require.Equal(t, "0 of 2 signatures.", text(t, ctx, "[data-testid=signature-count]"))
	discardReview(t, ctx, "Team")
	require.Equal(t, 0.0, eval[float64](t, ctx, `specterApp.call("wallets.balance", {id: `+quote(walletID)+`}).then(b => b.locked)`))

	// Send the maximum: every confirmed coin (1.5 BTC) minus the fee, no
	// change output; discarded again.
	waitJS(t, ctx, "the fee estimate", `document.querySelector("input[name=fee_rate]").value !== ""`)
	fillLabelled(t, ctx, "Address", outside.EncodeAddress())
	clickXPath(t, ctx, `//main//label[normalize-space()="Send the maximum (everything left)"]`)
	fillLabelled(t, ctx, "Fee rate (sat/vB)", "3")
	clickButton(t, ctx, "Create the transaction")
	waitHeading(t, ctx, "Review the transaction")
	maxFee := parseBTC(t, text(t, ctx, "[data-testid=review-fee]"))
	require.Equal(t, btc(150_000_000-maxFee), text(t, ctx, "[data-testid=review-sent]"))
	require.Equal(t, 1, eval[int](t, ctx, `document.querySelectorAll("main table")[0].querySelectorAll("tbody tr").length`), "no change output")
	discardReview(t, ctx, "Team")

	// Send 0.25 BTC from the 1 BTC coin at 5 sat/vB, the recipient pasted
	// as a BIP21 link.
	fillLabelled(t, ctx, "Paste a bitcoin: link or CSV lines (address,amount)", "bitcoin:"+outside.EncodeAddress()+"?amount=0.25&label=Shop")
	clickButton(t, ctx, "Fill in from the pasted text")
	waitJS(t, ctx, "the pasted recipient", `document.querySelector("input[name=address]").value === `+quote(outside.EncodeAddress()))
	require.Equal(t, "0.25", eval[string](t, ctx, `document.querySelector("input[name=amount]").value`))
	require.Equal(t, "Shop", eval[string](t, ctx, `document.querySelector("input[name=label]").value`))
	fillLabelled(t, ctx, "Fee rate (sat/vB)", "5")
	clickXPath(t, ctx, `//main//summary[normalize-space()="Coin control (optional)"]`)
	clickXPath(t, ctx, `//main//label[contains(., " 1.00000000 BTC")]`)
	shot.take(t, ctx, "send-form")
	clickButton(t, ctx, "Create the transaction")
	waitHeading(t, ctx, "Review the transaction")
	require.Equal(t, btc(25_000_000), text(t, ctx, "[data-testid=review-sent]"))
	fee := parseBTC(t, text(t, ctx, "[data-testid=review-fee]"))
	require.Greater(t, fee, int64(0))
	requireRate(t, ctx, 5)
	change := int64(100_000_000 - 25_000_000 - fee)
	outputs := reviewOutputs(t, ctx)
	require.Len(t, outputs, 2)
	require.Contains(t, outputs, outside.EncodeAddress()+" "+btc(25_000_000)+" recipient")
	changeRow := outputs[0]
	if strings.HasPrefix(changeRow, outside.EncodeAddress()) {
		changeRow = outputs[1]
	}
	require.True(t, strings.HasSuffix(changeRow, " "+btc(change)+" change (verified)"), changeRow)
	shot.take(t, ctx, "send-review")
	// The pending transaction is saved with its coin locked: after a reload
	// the send screen lists it, and its link opens the review again.
	reviewHash := eval[string](t, ctx, "location.hash")
	goHash(t, ctx, "#/send/"+walletID)
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload()))
	waitHeading(t, ctx, "Send from Team")
	require.Contains(t, text(t, ctx, "main .facts"), "Locked by pending PSBTs"+btc(100_000_000))
	require.Equal(t, []string{text(t, ctx, "[data-testid=pending-psbts] a") + " (1 input locked)"},
		eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=pending-psbts] li")].map(li => li.textContent)`))
	clickXPath(t, ctx, `//main//ul[@data-testid="pending-psbts"]//a`)
	waitHeading(t, ctx, "Review the transaction")
	require.Equal(t, reviewHash, eval[string](t, ctx, "location.hash"))
	txid1 := signAndBroadcast(t, ctx, shot, "Key A", "Key B")
	require.Equal(t, "unconfirmed", text(t, ctx, "[data-testid=sent-status]"))
	require.Equal(t, btc(-25_000_000-fee), text(t, ctx, "[data-testid=sent-net]"))
	require.Contains(t, node.mempool(t), txid1)
	shot.take(t, ctx, "send-unconfirmed")

	// A block confirms it (and the demo's unconfirmed funding).
	node.rpc(t, "generate", 1)
	clickButton(t, ctx, "Sync and check again")
	waitJS(t, ctx, "the confirmation", `document.querySelector("[data-testid=sent-status]") && document.querySelector("[data-testid=sent-status]").textContent === "confirmed (1 confirmation)"`)
	changeBack := eval[[]float64](t, ctx, `specterApp.call("wallets.utxos", {id: `+quote(walletID)+`}).then(r => r.utxos.filter(u => u.outpoint.startsWith(`+quote(txid1)+`)).map(u => u.value))`)
	require.Equal(t, []float64{float64(change)}, changeBack, "the change came back")
	goHash(t, ctx, "#/wallets/"+walletID)
	waitJS(t, ctx, "the balance", `document.querySelector("[data-testid=balance]")`)
	require.Equal(t, btc(160_000_000-25_000_000-fee), text(t, ctx, "[data-testid=balance]"))
	require.Contains(t, eval[string](t, ctx, `document.querySelector("main .facts").textContent`), "Confirmed"+btc(160_000_000-25_000_000-fee))
	shot.take(t, ctx, "send-confirmed")

	// A second send at 2 sat/vB, then its fee bumped to 10 sat/vB.
	clickButton(t, ctx, "Send")
	waitHeading(t, ctx, "Send from Team")
	waitJS(t, ctx, "the fee estimate", `document.querySelector("input[name=fee_rate]").value !== ""`)
	fillLabelled(t, ctx, "Paste a bitcoin: link or CSV lines (address,amount)", outside.EncodeAddress()+",0.1\n"+firstAddr+",0.02")
	clickButton(t, ctx, "Fill in from the pasted text")
	waitJS(t, ctx, "the CSV recipients", `document.querySelectorAll("input[name=address]").length === 2`)
	require.Equal(t, []string{outside.EncodeAddress() + " 0.1", firstAddr + " 0.02"},
		eval[[]string](t, ctx, `[...document.querySelectorAll("main fieldset.recipient")].map(f => f.querySelector("input[name=address]").value + " " + f.querySelector("input[name=amount]").value)`))
	clickButton(t, ctx, "Remove recipient 2")
	fillLabelled(t, ctx, "Fee rate (sat/vB)", "2")
	clickXPath(t, ctx, `//main//label[normalize-space()="Subtract the fee from this amount"]`)
	clickButton(t, ctx, "Create the transaction")
	waitHeading(t, ctx, "Review the transaction")
	fee2 := parseBTC(t, text(t, ctx, "[data-testid=review-fee]"))
	require.Equal(t, btc(10_000_000-fee2), text(t, ctx, "[data-testid=review-sent]"), "the recipient pays the fee")
	txid2 := signAndBroadcast(t, ctx, shot, "Key B", "Key C")
	require.Contains(t, node.mempool(t), txid2)
	waitJS(t, ctx, "the bump controls", `document.querySelector("input[name=new_fee_rate]")`)
	fillLabelled(t, ctx, "New fee rate (sat/vB)", "10")
	shot.take(t, ctx, "send-bump")
	clickButton(t, ctx, "Bump the fee")
	waitHeading(t, ctx, "Review the transaction")
	requireRate(t, ctx, 10)
	// Key C signs "elsewhere": the binary PSBT file is downloaded, signed
	// outside the review screen and uploaded back, then Key A signs here.
	clickButton(t, ctx, "Download the PSBT file (binary)")
	unsigned, err := os.ReadFile(waitDownload(t, downloads, "*.psbt"))
	require.NoError(t, err)
	require.Equal(t, "psbt\xff", string(unsigned[:5]), "a binary BIP174 file")
	signedB64 := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("devices.signPSBT", {id: %s, password: "pw Key C", psbt: %s}).then(r => r.psbt)`,
		quote(ids[2]), quote(base64.StdEncoding.EncodeToString(unsigned))))
	signed, err := base64.StdEncoding.DecodeString(signedB64)
	require.NoError(t, err)
	signedFile := filepath.Join(t.TempDir(), "signed-by-c.psbt")
	require.NoError(t, os.WriteFile(signedFile, signed, 0o644))
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[name=signed]`), []string{signedFile})))
	waitJS(t, ctx, "the uploaded signature", `document.querySelector("[data-testid=signature-count]") && document.querySelector("[data-testid=signature-count]").textContent === "1 of 2 signatures."`)
	require.Contains(t, text(t, ctx, "[data-testid=cosigners]"), "Key C (28645006): signed")
	signHot(t, ctx, "Key A", fullySigned)
	txid3 := broadcast(t, ctx)
	require.NotEqual(t, txid2, txid3)
	mempool := node.mempool(t)
	require.Contains(t, mempool, txid3, "the replacement is in btcd's mempool")
	require.NotContains(t, mempool, txid2, "the replaced transaction left btcd's mempool")
	require.Equal(t, "unconfirmed", text(t, ctx, "[data-testid=sent-status]"))

	// Cancel the replacement: everything back to the wallet at 30 sat/vB,
	// signed by Key B and Key C from the base64 download, their signed
	// PSBTs uploaded together (one base64 text file, one binary file).
	waitJS(t, ctx, "the bump controls", `document.querySelector("input[name=new_fee_rate]")`)
	fillLabelled(t, ctx, "New fee rate (sat/vB)", "30")
	clickButton(t, ctx, "Cancel the transaction")
	waitHeading(t, ctx, "Review the transaction")
	require.Equal(t, btc(0), text(t, ctx, "[data-testid=review-sent]"))
	requireRate(t, ctx, 30)
	clickButton(t, ctx, "Download the PSBT as base64 text")
	b64text, err := os.ReadFile(waitDownload(t, downloads, "*-psbt.txt"))
	require.NoError(t, err)
	dir := t.TempDir()
	var files []string
	for i, key := range []string{"Key B", "Key C"} {
		out := eval[string](t, ctx, fmt.Sprintf(`specterApp.call("devices.signPSBT", {id: %s, password: %s, psbt: %s}).then(r => r.psbt)`,
			quote(ids[i+1]), quote("pw "+key), quote(strings.TrimSpace(string(b64text)))))
		f := filepath.Join(dir, fmt.Sprintf("signed-%d.psbt", i))
		if i == 0 {
			require.NoError(t, os.WriteFile(f, []byte(out+"\n"), 0o644))
		} else {
			raw, err := base64.StdEncoding.DecodeString(out)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(f, raw, 0o644))
		}
		files = append(files, f)
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[name=signed]`), files)))
	waitJS(t, ctx, "fully signed", `document.querySelector("[data-testid=signature-count]") && document.querySelector("[data-testid=signature-count]").textContent === `+quote(fullySigned))
	cancelFee := parseBTC(t, text(t, ctx, "[data-testid=review-fee]"))
	txid4 := broadcast(t, ctx)
	mempool = node.mempool(t)
	require.Contains(t, mempool, txid4, "the cancellation is in btcd's mempool")
	require.NotContains(t, mempool, txid3, "the cancelled transaction left btcd's mempool")
	require.Equal(t, btc(-cancelFee), text(t, ctx, "[data-testid=sent-net]"), "a cancellation only costs its fee")
}
