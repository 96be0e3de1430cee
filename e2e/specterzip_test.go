package e2e

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// specterBackupZip packs Specter Desktop's restore fixtures as its backup
// zip lays them out (devices/<alias>.json, wallets/<alias>.json), with one
// entry stored and the others deflated, and adds the label "Savings" to
// the first wallet's address #1. With broken, the second wallet's file is
// cut short (invalid JSON).
func specterBackupZip(t *testing.T, dir string, broken bool) string {
	t.Helper()
	read := func(name string) []map[string]any {
		data, err := os.ReadFile(filepath.Join("testdata", "specter-desktop", name))
		require.NoError(t, err)
		var v []map[string]any
		require.NoError(t, json.Unmarshal(data, &v))
		return v
	}
	devices, wallets := read("restore_devices.json"), read("restore_wallets.json")
	wallets[0]["labels"].(map[string]any)["Savings"] = []any{"bcrt1qt2xpsvztclcks4q4m0yunre9a3zu4pyc4zdf66"}
	name := "specter-backup.zip"
	if broken {
		name = "specter-backup-broken.zip"
	}
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	add := func(name string, v any, method uint16) {
		data, err := json.MarshalIndent(v, "", "  ")
		require.NoError(t, err)
		if broken && name == "wallets/"+wallets[1]["alias"].(string)+".json" {
			data = data[:len(data)/2]
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	for _, d := range devices {
		add("devices/"+d["alias"].(string)+".json", d, zip.Deflate)
	}
	add("wallets/"+wallets[0]["alias"].(string)+".json", wallets[0], zip.Store)
	add("wallets/"+wallets[1]["alias"].(string)+".json", wallets[1], zip.Deflate)
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return path
}

// TestSpecterDesktopBackupZipIsRestored restores Specter Desktop's backup
// zip from the settings screen: its devices and wallets appear, each wallet
// derives the first receive and change addresses Specter recorded, and a
// custom address label comes along (Specter's default labels do not). The
// restore is all or nothing: the same zip with one broken wallet file adds
// no device and no wallet and says which file is broken.
func TestSpecterDesktopBackupZipIsRestored(t *testing.T) {
	app := startApp(t, 3*time.Minute)
	ctx, downloads, shot := app.ctx, app.downloads, app.shot
	dir := t.TempDir()
	zipPath := specterBackupZip(t, dir, false)

	useOffline(t, ctx, app.rl)
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("input[name=restore]"), []string{specterBackupZip(t, dir, true)})))
	clickButton(t, ctx, "Restore")
	waitJS(t, ctx, "the refusal", `document.querySelector("main .error-message")`)
	require.Equal(t, "the Specter Desktop backup cannot be restored (1 file has a problem): wallets/simplemynicedevice.json: "+
		"it is not a Specter wallet file (the JSON does not parse: unexpected end of JSON input)", text(t, ctx, "main .error-message"))
	require.Equal(t, "What to do: nothing was added; fix or remove the files named, or save the backup again in Specter Desktop (Settings > Backup), then restore it again",
		text(t, ctx, "main .error-hint"))
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("main .notice")`), "no restore summary")
	shot.take(t, ctx, "specter-zip-refused")
	goHash(t, ctx, "#/devices")
	waitHeading(t, ctx, "Devices")
	waitJS(t, ctx, "the empty device list", `document.querySelector("main .empty")`)
	require.Equal(t, 0, eval[int](t, ctx, `document.querySelectorAll("main .cards li").length`), "no device of the broken backup was added")
	goHash(t, ctx, "#/wallets")
	waitHeading(t, ctx, "Wallets")
	waitJS(t, ctx, "the empty wallet list", `document.querySelector("main .empty")`)
	require.Equal(t, 0, eval[int](t, ctx, `document.querySelectorAll("main .cards li").length`), "no wallet of the broken backup was added")

	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("input[name=restore]"), []string{zipPath})))
	clickButton(t, ctx, "Restore")
	waitJS(t, ctx, "the restore summary", `document.querySelector("main .notice")`)
	require.Equal(t, "Added 2 devices, 2 wallets and 1 labels from the Specter Desktop backup.", text(t, ctx, "main .notice"))
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("main .error-message")`), "no error left from the refused zip")
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("main .skipped")`), "nothing was already here")
	shot.take(t, ctx, "specter-zip-restored")

	goHash(t, ctx, "#/devices")
	waitJS(t, ctx, "two devices", `document.querySelectorAll("main .cards li").length === 2`)
	require.Equal(t, []string{"btchot", "myNiceDevice"}, eval[[]string](t, ctx, `[...document.querySelectorAll("main .cards .title")].map(e => e.textContent)`))

	for _, w := range []struct{ name, receive, change string }{
		{"btc+Hot+Wallet", "bcrt1qgh00vt35pmvjsedlh45vcnmts3ntgxj6w8gsa8", "bcrt1qvfh56wqnx37yzhxh0sd2wqcq9hcqv0h9n3p5tr"},
		{"SimpleMyNiceDevice", "bcrt1qavs8svrqcgnrzktvsn27z3w7acq0dljgnf8k89", "bcrt1qx70x540rcy26usrdxpv27l5qfhx7rmv9sjdx6c"},
	} {
		goHash(t, ctx, "#/wallets")
		waitHeading(t, ctx, "Wallets")
		clickXPath(t, ctx, `//main//a[.//span[@class="title" and text()=`+quote(w.name)+`]]`)
		waitHeading(t, ctx, w.name)
		walletHash := eval[string](t, ctx, "location.hash")
		goHash(t, ctx, walletHash+"/addresses")
		waitJS(t, ctx, "the receive addresses", `document.querySelectorAll("main table tbody tr").length >= 2`)
		require.Equal(t, w.receive, tableColumn(t, ctx, 2)[0])
		if w.name == "btc+Hot+Wallet" {
			require.Equal(t, "Savings", tableColumn(t, ctx, 5)[1])
		}
		goHash(t, ctx, walletHash+"/addresses/change")
		waitJS(t, ctx, "the change addresses", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "Change addresses"`)
		require.Equal(t, w.change, tableColumn(t, ctx, 2)[0])
	}

	// BIP-329: export the first wallet's labels, import one more.
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	fill(t, ctx, "select[name=label-wallet]", eval[string](t, ctx,
		`[...document.querySelectorAll("select[name=label-wallet] option")].find(o => o.textContent === "btc+Hot+Wallet").value`))
	clickButton(t, ctx, "Export the labels")
	exported, err := os.ReadFile(waitDownload(t, downloads, "btc+Hot+Wallet-labels.jsonl"))
	require.NoError(t, err)
	require.Contains(t, string(exported), `"ref":"bcrt1qt2xpsvztclcks4q4m0yunre9a3zu4pyc4zdf66"`)
	require.Contains(t, string(exported), `"label":"Savings"`)
	jsonl := filepath.Join(t.TempDir(), "labels.jsonl")
	require.NoError(t, os.WriteFile(jsonl, []byte(`{"type":"addr","ref":"bcrt1qs4zevx7889na3fjpeq0anv7ysyplpaqex4064g","label":"Rent"}`+"\nnot json\n"), 0o644))
	require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("input[name=labels]"), []string{jsonl})))
	clickButton(t, ctx, "Import the labels")
	waitJS(t, ctx, "the label import report", `document.querySelector("main .notice")`)
	require.Equal(t, "Imported 1 labels.", text(t, ctx, "main .notice"))
	require.Equal(t, 1, eval[int](t, ctx, `document.querySelectorAll("main .warning p").length`), "the bad line is reported")
	shot.take(t, ctx, "labels-imported")
	clickXPath(t, ctx, `//header//nav//a[normalize-space()="Wallets"]`)
	waitHeading(t, ctx, "Wallets")
	clickXPath(t, ctx, `//main//a[.//span[@class="title" and text()="btc+Hot+Wallet"]]`)
	waitHeading(t, ctx, "btc+Hot+Wallet")
	goHash(t, ctx, eval[string](t, ctx, "location.hash")+"/addresses")
	waitJS(t, ctx, "the receive addresses", `document.querySelectorAll("main table tbody tr").length >= 3`)
	require.Equal(t, []string{"", "Savings", "Rent"}, tableColumn(t, ctx, 5)[:3])
}
