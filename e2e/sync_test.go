//go:build unix

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
)

// TestWalletSyncsWithANodeThroughTheRelay is the node path of the UI: the
// admin adds btcd regtest to the relay on the welcome screen and chooses it
// (the status bar shows it reachable), imports a wallet whose first address
// received coinbase outputs of 110 mined blocks, syncs it from the overview, and sees the
// node's balance, transactions and outputs; freezing an output shows it as
// frozen.
func TestWalletSyncsWithANodeThroughTheRelay(t *testing.T) {
	skipWithoutBtcd(t)
	bin := specterBinary(t)
	k := accountKey(t, 21, 84, 1, 0)
	key := "[" + k.fingerprint + "/" + k.path + "]" + k.tpub
	first := cliAddresses(t, bin, "regtest", "wpkh("+key+"/0/*)", 1)[0]
	node := regtest.StartWith(t, regtest.Options{ExtraArgs: []string{"--miningaddr=" + first}})
	const blocks = 110 // 50 BTC each on regtest (the first halving is at 150)
	// btcd pays each coinbase to one of its mining addresses, ours or the
	// harness's: count ours.
	ours := 0
	for _, hash := range node.Generate(blocks) {
		if node.CoinbaseAddress(hash) == first {
			ours++
		}
	}
	require.Greater(t, ours, 0)
	total := fmt.Sprintf("%d.00000000 BTC", ours*50)

	app := startApp(t, 5*time.Minute)
	ctx, shot := app.ctx, app.shot

	createAdmin(t, ctx, app.rl)
	waitJS(t, ctx, "the node form", `document.querySelector("input[name=node-url]")`)
	fill(t, ctx, "input[name=node-name]", "btcd regtest")
	fill(t, ctx, "input[name=node-url]", node.URL)
	fill(t, ctx, "select[name=node-network]", "regtest")
	fill(t, ctx, "input[name=node-user]", node.User)
	fill(t, ctx, "input[name=node-password]", node.Password)
	clickButton(t, ctx, "Add the node")
	chooseNode(t, ctx, "btcd regtest (regtest, "+node.URL+")")
	require.True(t, strings.HasPrefix(text(t, ctx, "#node-state"), "Node: reachable ("), text(t, ctx, "#node-state"))
	shot.take(t, ctx, "node-reachable")

	goHash(t, ctx, "#/wallets/import")
	waitHeading(t, ctx, "Import a wallet")
	fill(t, ctx, "input[name=name]", "Mined")
	fill(t, ctx, "textarea[name=wallet]", "wpkh("+key+"/<0;1>/*)")
	fill(t, ctx, "select[name=network]", "regtest")
	clickButton(t, ctx, "Import the wallet")
	waitHeading(t, ctx, "Mined")
	waitJS(t, ctx, "the balance", `document.querySelector("[data-testid=balance]")`)
	require.Equal(t, "0.00000000 BTC", text(t, ctx, "[data-testid=balance]"))
	walletHash := eval[string](t, ctx, "location.hash")

	clickButton(t, ctx, "Sync with the node")
	waitJS(t, ctx, "the sync summary", `document.querySelector("main .notice")`)
	require.True(t, strings.HasPrefix(text(t, ctx, "main .notice"), "Synced to block 110: "), text(t, ctx, "main .notice"))
	require.Equal(t, total, text(t, ctx, "[data-testid=balance]"))
	shot.take(t, ctx, "wallet-synced")

	goHash(t, ctx, walletHash+"/transactions")
	waitJS(t, ctx, "the transactions", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "Transactions" && document.querySelectorAll("main table tbody tr").length === `+fmt.Sprint(ours))
	// The history exports as CSV (the download's blob is caught in the page):
	// a header, then one row per coinbase, oldest first, with the running balance.
	eval[bool](t, ctx, `(() => { const orig = URL.createObjectURL; window.__csv = null; URL.createObjectURL = (b) => { window.__csv = b; return orig.call(URL, b); }; return true; })()`)
	clickButton(t, ctx, "Export history (CSV)")
	waitJS(t, ctx, "the CSV download", `window.__csv`)
	rows := strings.Split(strings.TrimSpace(eval[string](t, ctx, `window.__csv.text()`)), "\n")
	require.Len(t, rows, ours+1)
	require.Equal(t, "date,txid,label,amount,fee,balance,confirmations", rows[0])
	last := strings.Split(rows[ours], ",")
	require.Equal(t, []string{"50.00000000", "", fmt.Sprintf("%d.00000000", 50*ours)}, last[3:6])
	goHash(t, ctx, walletHash+"/utxos")
	waitJS(t, ctx, "the outputs", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "Unspent outputs" && document.querySelectorAll("main table tbody tr").length === `+fmt.Sprint(ours))
	require.Equal(t, "50.00000000 BTC", tableColumn(t, ctx, 3)[0])
	clickXPath(t, ctx, `(//main//table//button[normalize-space()="Freeze"])[1]`)
	waitJS(t, ctx, "the frozen output", `document.querySelector("main table button[aria-pressed=true]")`)
	shot.take(t, ctx, "wallet-utxos")
	goHash(t, ctx, walletHash)
	waitJS(t, ctx, "the balance", `document.querySelector("[data-testid=balance]")`)
	require.Contains(t, eval[string](t, ctx, `document.querySelector("main .facts").textContent`), "Frozen50.00000000 BTC")
}
