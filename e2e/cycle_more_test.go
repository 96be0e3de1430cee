//go:build unix

package e2e

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/server/demo"
)

// BIP39's published test mnemonics (bip-0039 vectors.json, no passphrase)
// that the demo does not use: each scenario's hot device has its own seed.
const (
	mnemonicZoo   = "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong"
	mnemonicJelly = "jelly better achieve collect unaware mountain thought cargo oxygen act hood bridge"
)

// demoApp is a relay in demo mode and Chromium; startDemoApp also sets up
// the admin and chooses the demo node.
type demoApp struct {
	ctx       context.Context
	rl        *relay
	node      demoNode
	downloads string
	shot      *shots
}

// startDemoRelay skips the test in -short or without btcd, builds the app,
// starts a relay in demo mode and Chromium (whose context ends after
// timeout or with the test), on no page yet.
func startDemoRelay(t *testing.T, timeout time.Duration) demoApp {
	t.Helper()
	skipWithoutBtcd(t)
	bin := specterBinary(t)
	dataDir := t.TempDir()
	// Demo mode on, not auto: a Bitcoin Core cookie found on this machine
	// must not replace the demo node.
	t.Setenv("SPECTER_DEMO", "on")
	rl := startRelay(t, bin, dataDir, freeAddr(t))
	node := readDemoNode(t, dataDir)
	downloads := t.TempDir()
	bctx := newBrowser(t, downloads)
	ctx, cancel := context.WithTimeout(bctx, timeout)
	t.Cleanup(cancel)
	return demoApp{ctx: ctx, rl: rl, node: node, downloads: downloads, shot: newShots(t)}
}

// startDemoApp is startDemoRelay, then the admin created and the demo node
// chosen.
func startDemoApp(t *testing.T, timeout time.Duration) demoApp {
	t.Helper()
	a := startDemoRelay(t, timeout)
	createAdmin(t, a.ctx, a.rl)
	chooseNode(t, a.ctx, demo.NodeName+" (regtest, "+a.node.url+")")
	return a
}

// hotWallet restores mnemonic as the hot device name (password "pw "+name)
// and creates a single-sig wallet of scriptType from it; it returns the
// wallet's id and first receive address.
func (a demoApp) hotWallet(t *testing.T, name, mnemonic, wallet, scriptType string) (string, string) {
	t.Helper()
	id := eval[string](t, a.ctx, fmt.Sprintf(`specterApp.call("devices.createHot", {name: %s, mnemonic: %s, password: %s, network: "regtest"}).then(r => r.device.id)`,
		quote(name), quote(mnemonic), quote("pw "+name)))
	created := eval[map[string]any](t, a.ctx, fmt.Sprintf(`specterApp.call("wallets.create", {name: %s, kind: "single", script_type: %s, device_ids: [%s], network: "regtest", birthday: 0}).then(r => ({id: r.wallet.id, first: r.first_address}))`,
		quote(wallet), quote(scriptType), quote(id)))
	return created["id"].(string), created["first"].(string)
}

// bip86Address derives BIP86's receive address index of a BIP39 mnemonic
// (no passphrase) on regtest, m/86'/1'/0'/0/index, independently of the
// engine: PBKDF2 seed, hdkeychain, then the BIP341 key-path-only output key.
func bip86Address(t *testing.T, mnemonic string, index uint32) string {
	t.Helper()
	// BIP39's seed: PBKDF2-HMAC-SHA512 of the mnemonic, salt "mnemonic".
	seed, err := pbkdf2.Key(sha512.New, mnemonic, []byte("mnemonic"), 2048, 64)
	require.NoError(t, err)
	k, err := hdkeychain.NewMaster(seed, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	for _, i := range []uint32{hdkeychain.HardenedKeyStart + 86, hdkeychain.HardenedKeyStart + 1, hdkeychain.HardenedKeyStart, 0, index} {
		k, err = k.Derive(i)
		require.NoError(t, err)
	}
	pub, err := k.ECPubKey()
	require.NoError(t, err)
	addr, err := btcutil.NewAddressTaproot(schnorr.SerializePubKey(txscript.ComputeTaprootKeyNoScript(pub)), &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	return addr.EncodeAddress()
}

// height is the node's block count.
func (n demoNode) height(t *testing.T) int64 {
	t.Helper()
	var h int64
	require.NoError(t, json.Unmarshal(n.rpc(t, "getblockcount"), &h))
	return h
}

func (n demoNode) blockHash(t *testing.T, height int64) string {
	t.Helper()
	var h string
	require.NoError(t, json.Unmarshal(n.rpc(t, "getblockhash", height), &h))
	return h
}

func (n demoNode) block(t *testing.T, hash string) *wire.MsgBlock {
	t.Helper()
	var raw string
	require.NoError(t, json.Unmarshal(n.rpc(t, "getblock", hash, 0), &raw))
	b, err := hex.DecodeString(raw)
	require.NoError(t, err)
	var blk wire.MsgBlock
	require.NoError(t, blk.Deserialize(bytes.NewReader(b)))
	return &blk
}

func (n demoNode) send(t *testing.T, tx *wire.MsgTx) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, tx.Serialize(&buf))
	var txid string
	require.NoError(t, json.Unmarshal(n.rpc(t, "sendrawtransaction", hex.EncodeToString(buf.Bytes())), &txid))
	require.Equal(t, tx.TxHash().String(), txid)
	return txid
}

// payFromCoinbase spends the coinbase of block height (paid to the demo's
// published mining key, server/demo MiningKey) to address, the rest minus
// a 10,000 sat fee back to the miner, and sends it; it returns the txid.
func (n demoNode) payFromCoinbase(t *testing.T, height int64, address string, sats int64) string {
	t.Helper()
	cb := n.block(t, n.blockHash(t, height)).Transactions[0]
	key := demo.MiningKey()
	miner, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	mine, err := txscript.PayToAddrScript(miner)
	require.NoError(t, err)
	require.Equal(t, mine, cb.TxOut[0].PkScript, "the coinbase of block %d pays the demo miner", height)
	to, err := btcutil.DecodeAddress(address, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	script, err := txscript.PayToAddrScript(to)
	require.NoError(t, err)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: cb.TxHash(), Index: 0}, nil, nil))
	tx.AddTxOut(wire.NewTxOut(sats, script))
	tx.AddTxOut(wire.NewTxOut(cb.TxOut[0].Value-sats-10_000, mine))
	sig, err := txscript.SignatureScript(tx, 0, mine, txscript.SigHashAll, key, true)
	require.NoError(t, err)
	tx.TxIn[0].SignatureScript = sig
	return n.send(t, tx)
}

// mineEmpty builds and submits a block holding only its coinbase on top of
// the node's tip: `generate` would take the mempool in, this leaves it
// there. It returns the block's hash.
func (n demoNode) mineEmpty(t *testing.T) string {
	t.Helper()
	tipHash := n.blockHash(t, n.height(t))
	parent := n.block(t, tipHash).Header
	height := n.height(t) + 1
	sigScript, err := txscript.NewScriptBuilder().AddInt64(height).AddData([]byte("specter e2e")).Script()
	require.NoError(t, err)
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, wire.MaxPrevOutIndex), sigScript, nil))
	cb.AddTxOut(wire.NewTxOut(100_000_000, []byte{txscript.OP_TRUE}))
	when := time.Now().Truncate(time.Second)
	if !when.After(parent.Timestamp) {
		when = parent.Timestamp.Add(time.Second)
	}
	hdr := wire.BlockHeader{Version: 0x20000000, PrevBlock: parent.BlockHash(), MerkleRoot: cb.TxHash(), Timestamp: when, Bits: parent.Bits}
	target := blockchain.CompactToBig(hdr.Bits)
	for {
		h := hdr.BlockHash()
		if blockchain.HashToBig(&h).Cmp(target) <= 0 {
			break
		}
		hdr.Nonce++
	}
	blk := wire.MsgBlock{Header: hdr, Transactions: []*wire.MsgTx{cb}}
	var buf bytes.Buffer
	require.NoError(t, blk.Serialize(&buf))
	res := n.rpc(t, "submitblock", hex.EncodeToString(buf.Bytes()))
	require.Equal(t, "null", string(res), "btcd refused the block")
	return hdr.BlockHash().String()
}

// syncOverview opens the wallet's overview, syncs it through the UI and
// returns the sync summary.
func (a demoApp) syncOverview(t *testing.T, walletID, name string) string {
	t.Helper()
	goHash(t, a.ctx, "#/wallets/"+walletID)
	waitHeading(t, a.ctx, name)
	clickButton(t, a.ctx, "Sync with the node")
	waitJS(t, a.ctx, "the sync summary", `document.querySelector("main .notice")`)
	return text(t, a.ctx, "main .notice")
}

// TestSingleSigTaprootWalletSendsSignedByItsHotDeviceAndGetsItsChangeBack
// is issue 5's spend cycle for a single-sig tr wallet (BIP86 key of a hot
// device restored from a BIP39 test mnemonic): paid 0.4 BTC from a mined
// coinbase and one block, the sync shows the exact balance; on the send
// screen 0.1 BTC goes to an outside address at 4 sat/vB, the review shows
// the verified change, the hot device signs (one signature is all it
// takes), the transaction is broadcast and seen unconfirmed in btcd's
// mempool; after a block it shows confirmed with the change back and the
// balance is 0.4 BTC less 0.1 BTC and the fee, to the satoshi. Then, as the
// 2-of-3 wallet does, a second send at 2 sat/vB is broadcast and its fee
// bumped to 10 sat/vB: the replacement is in btcd's mempool and the
// original is not, and the next sync shows no pending transaction left.
func TestSingleSigTaprootWalletSendsSignedByItsHotDeviceAndGetsItsChangeBack(t *testing.T) {
	a := startDemoApp(t, 4*time.Minute)
	ctx, node := a.ctx, a.node
	walletID, first := a.hotWallet(t, "Key Z", mnemonicZoo, "Taproot", "tr")
	require.Equal(t, bip86Address(t, mnemonicZoo, 0), first, "the wallet's first address is BIP86's m/86'/1'/0'/0/0")
	outside, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0x42}, 20), &chaincfg.RegressionNetParams)
	require.NoError(t, err)

	funding := node.payFromCoinbase(t, 10, first, 40_000_000)
	node.rpc(t, "generate", 1)
	tip := node.height(t)
	summary := a.syncOverview(t, walletID, "Taproot")
	require.True(t, strings.HasPrefix(summary, fmt.Sprintf("Synced to block %d: ", tip)), summary)
	require.Equal(t, btc(40_000_000), text(t, ctx, "[data-testid=balance]"))
	require.Contains(t, eval[string](t, ctx, `document.querySelector("main .facts").textContent`), "Confirmed"+btc(40_000_000))
	require.Equal(t, []string{funding + ":0"}, eval[[]string](t, ctx, `specterApp.call("wallets.utxos", {id: `+quote(walletID)+`}).then(r => r.utxos.map(u => u.outpoint))`))

	clickButton(t, ctx, "Send")
	waitHeading(t, ctx, "Send from Taproot")
	createTransaction(t, ctx, outside.EncodeAddress(), "0.1", "BTC", "4")
	require.Equal(t, btc(10_000_000), text(t, ctx, "[data-testid=review-sent]"))
	fee := parseBTC(t, text(t, ctx, "[data-testid=review-fee]"))
	require.Greater(t, fee, int64(0))
	requireRate(t, ctx, 4)
	change := int64(40_000_000 - 10_000_000 - fee)
	outputs := eval[[]string](t, ctx, `[...document.querySelectorAll("main table")[0].querySelectorAll("tbody tr")].map(r => r.children[2].textContent + " " + r.children[3].textContent).sort()`)
	require.Equal(t, []string{btc(10_000_000) + " recipient", btc(change) + " change (verified)"}, outputs)
	changeAddr := eval[string](t, ctx, `[...document.querySelectorAll("main table")[0].querySelectorAll("tbody tr")].find(r => r.children[3].textContent === "change (verified)").children[1].textContent`)
	require.True(t, strings.HasPrefix(changeAddr, "bcrt1p"), "the change goes back to a taproot address of the wallet: %s", changeAddr)
	require.Equal(t, "0 of 1 signatures.", text(t, ctx, "[data-testid=signature-count]"))
	a.shot.take(t, ctx, "tr-review")

	signHot(t, ctx, "Key Z", fullySigned)
	require.Equal(t, []string{"Key Z signed"}, eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=cosigners] li")].map(li => li.textContent.split(" (")[0] + " " + li.querySelector("strong").textContent)`))
	txid := broadcast(t, ctx)
	require.Equal(t, "unconfirmed", text(t, ctx, "[data-testid=sent-status]"))
	require.Equal(t, btc(-10_000_000-fee), text(t, ctx, "[data-testid=sent-net]"))
	require.Contains(t, node.mempool(t), txid)

	node.rpc(t, "generate", 1)
	clickButton(t, ctx, "Sync and check again")
	waitJS(t, ctx, "the confirmation", `document.querySelector("[data-testid=sent-status]") && document.querySelector("[data-testid=sent-status]").textContent === "confirmed (1 confirmation)"`)
	utxos := eval[[]string](t, ctx, `specterApp.call("wallets.utxos", {id: `+quote(walletID)+`}).then(r => r.utxos.map(u => u.outpoint.split(":")[0] + " " + u.value + " " + u.confirmed))`)
	require.Equal(t, []string{fmt.Sprintf("%s %d true", txid, change)}, utxos, "only the change is left, confirmed")
	goHash(t, ctx, "#/wallets/"+walletID)
	waitJS(t, ctx, "the balance", `document.querySelector("[data-testid=balance]")`)
	require.Equal(t, btc(change), text(t, ctx, "[data-testid=balance]"))
	require.Contains(t, eval[string](t, ctx, `document.querySelector("main .facts").textContent`), "Confirmed"+btc(change))
	a.shot.take(t, ctx, "tr-confirmed")

	// A second send at 2 sat/vB, broadcast, then its fee bumped to 10.
	signAndSend := func() string {
		t.Helper()
		signHot(t, ctx, "Key Z", fullySigned)
		return broadcast(t, ctx)
	}
	clickButton(t, ctx, "Send")
	waitHeading(t, ctx, "Send from Taproot")
	createTransaction(t, ctx, outside.EncodeAddress(), "0.05", "BTC", "2")
	requireRate(t, ctx, 2)
	fee2 := parseBTC(t, text(t, ctx, "[data-testid=review-fee]"))
	txid2 := signAndSend()
	require.Equal(t, "unconfirmed", text(t, ctx, "[data-testid=sent-status]"))
	require.Contains(t, node.mempool(t), txid2)
	waitJS(t, ctx, "the bump controls", `document.querySelector("input[name=new_fee_rate]")`)
	fillLabelled(t, ctx, "New fee rate (sat/vB)", "10")
	clickButton(t, ctx, "Bump the fee")
	waitHeading(t, ctx, "Review the transaction")
	requireRate(t, ctx, 10)
	require.Equal(t, btc(5_000_000), text(t, ctx, "[data-testid=review-sent]"), "the bump pays the same recipient the same amount")
	fee3 := parseBTC(t, text(t, ctx, "[data-testid=review-fee]"))
	require.Greater(t, fee3, fee2)
	// The replacement's warning is stored with it and shown.
	require.Contains(t, text(t, ctx, "[data-testid=send-warnings]"), "replaces transaction "+txid2)
	a.shot.take(t, ctx, "tr-bump-review")
	txid3 := signAndSend()
	require.NotEqual(t, txid2, txid3)
	mempool := node.mempool(t)
	require.Contains(t, mempool, txid3, "the replacement is in btcd's mempool")
	require.NotContains(t, mempool, txid2, "the replaced transaction left btcd's mempool")
	require.Equal(t, "unconfirmed", text(t, ctx, "[data-testid=sent-status]"))
	require.Equal(t, btc(-5_000_000-fee3), text(t, ctx, "[data-testid=sent-net]"))
	require.Empty(t, eval[[]any](t, ctx, `specterApp.call("psbts.list", {wallet_id: `+quote(walletID)+`}).then(r => r.psbts)`))
}

// TestReorgOfTwoBlocksPutsAConfirmedPaymentBackToUnconfirmed is issue 5's
// reorg: a payment to a wpkh wallet confirmed in block N is synced and shown
// confirmed; block N-1 is invalidated on btcd (blocks N-1 and N
// disconnected; btcd puts the payment back into its mempool), three blocks
// without it are mined on the fork (submitted by hand: `generate` would take
// the mempool in), and the next sync shows the new tip, the payment
// unconfirmed and the balance unconfirmed only.
func TestReorgOfTwoBlocksPutsAConfirmedPaymentBackToUnconfirmed(t *testing.T) {
	a := startDemoApp(t, 3*time.Minute)
	ctx, node := a.ctx, a.node
	walletID, first := a.hotWallet(t, "Key J", mnemonicJelly, "Reorged", "wpkh")

	node.rpc(t, "generate", 1)
	forkParent := node.height(t) // block N-1
	payment := node.payFromCoinbase(t, 11, first, 20_000_000)
	node.rpc(t, "generate", 1)
	n := node.height(t)
	require.Equal(t, forkParent+1, n)
	var inBlock []string
	for _, tx := range node.block(t, node.blockHash(t, n)).Transactions {
		inBlock = append(inBlock, tx.TxHash().String())
	}
	require.Contains(t, inBlock, payment, "the payment is in block N")

	summary := a.syncOverview(t, walletID, "Reorged")
	require.True(t, strings.HasPrefix(summary, fmt.Sprintf("Synced to block %d: ", n)), summary)
	require.Equal(t, btc(20_000_000), text(t, ctx, "[data-testid=balance]"))
	require.Contains(t, eval[string](t, ctx, `document.querySelector("main .facts").textContent`), "Confirmed"+btc(20_000_000))
	goHash(t, ctx, "#/wallets/"+walletID+"/transactions")
	waitJS(t, ctx, "the confirmed payment", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "Transactions" && document.querySelectorAll("main table tbody tr").length === 1`)
	require.Equal(t, []string{payment}, tableColumn(t, ctx, 2))
	require.Equal(t, []string{"1 confirmations"}, tableColumn(t, ctx, 3))
	require.Equal(t, []string{btc(20_000_000)}, tableColumn(t, ctx, 4))

	// Blocks N-1 and N disconnected; three empty blocks make the longer fork.
	node.rpc(t, "invalidateblock", node.blockHash(t, forkParent))
	require.Equal(t, forkParent-1, node.height(t))
	require.Contains(t, node.mempool(t), payment, "btcd put the disconnected payment back into its mempool")
	for range 3 {
		node.mineEmpty(t)
	}
	tip := node.height(t)
	require.Equal(t, n+1, tip)
	require.Contains(t, node.mempool(t), payment)

	summary = a.syncOverview(t, walletID, "Reorged")
	require.True(t, strings.HasPrefix(summary, fmt.Sprintf("Synced to block %d: ", tip)), summary)
	require.Equal(t, btc(20_000_000), text(t, ctx, "[data-testid=balance]"))
	require.Equal(t, "Confirmed"+btc(0)+"Unconfirmed"+btc(20_000_000)+"Frozen"+btc(0)+"Locked by pending PSBTs"+btc(0),
		eval[string](t, ctx, `document.querySelector("main .facts").textContent`))
	require.Equal(t, map[string]float64{"confirmed": 0, "trusted_pending": 0, "untrusted_pending": 20_000_000, "immature": 0, "frozen": 0, "locked": 0},
		eval[map[string]float64](t, ctx, `specterApp.call("wallets.balance", {id: `+quote(walletID)+`})`))
	goHash(t, ctx, "#/wallets/"+walletID+"/transactions")
	waitJS(t, ctx, "the transactions", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "Transactions" && document.querySelectorAll("main table tbody tr").length === 1`)
	require.Equal(t, []string{payment}, tableColumn(t, ctx, 2))
	require.Equal(t, []string{"pending"}, tableColumn(t, ctx, 3))
	require.Equal(t, []string{btc(20_000_000)}, tableColumn(t, ctx, 4))
	a.shot.take(t, ctx, "reorg-unconfirmed")
}

// walletState is what a sync leaves in a wallet, read through the engine:
// balances, transactions (txid, height, status, net) and unspent outputs.
func (a demoApp) walletState(t *testing.T, walletID string) string {
	t.Helper()
	return eval[string](t, a.ctx, `(async () => {
		const id = `+quote(walletID)+`;
		const b = await specterApp.call("wallets.balance", {id});
		const txs = (await specterApp.call("wallets.transactions", {id})).transactions.map(x => [x.txid, x.height, x.status, x.confirmations, x.net].join(" ")).sort();
		const utxos = (await specterApp.call("wallets.utxos", {id})).utxos.map(u => [u.outpoint, u.value, u.height, u.address].join(" ")).sort();
		return JSON.stringify({b, txs, utxos});
	})()`)
}

// TestReloadMidSyncResumesToTheSameStateAsAnUninterruptedSync is issue 5's
// "a reload mid-sync resumes": a wpkh wallet synced once (0.3 BTC) falls
// 1,500 blocks behind, with a 0.07 BTC payment near the new tip; its next
// sync is interrupted by a page reload at its first progress report (a
// height below the tip, so the payment is not seen yet); synced again after
// the reload, it scans only the blocks above the batch persisted before the
// reload and ends with the same tip, balances, transactions and outputs as
// a second wallet of the same keys synced without interruption, whose sync
// shows its progress (bar, "Block H of T · N blocks/s · about M s left",
// Cancel) in the page; a third, cancelled with that button at its first
// report, says what it saved and resumes from there to the same state.
func TestReloadMidSyncResumesToTheSameStateAsAnUninterruptedSync(t *testing.T) {
	a := startDemoApp(t, 3*time.Minute)
	ctx, node := a.ctx, a.node
	walletID, first := a.hotWallet(t, "Key Z", mnemonicZoo, "Resumed", "wpkh")

	node.payFromCoinbase(t, 12, first, 30_000_000)
	node.rpc(t, "generate", 1)
	h1 := node.height(t)
	summary := a.syncOverview(t, walletID, "Resumed")
	require.True(t, strings.HasPrefix(summary, fmt.Sprintf("Synced to block %d: ", h1)), summary)
	require.Equal(t, btc(30_000_000), text(t, ctx, "[data-testid=balance]"))

	node.rpc(t, "generate", 1500)
	late := node.payFromCoinbase(t, 13, first, 7_000_000)
	node.rpc(t, "generate", 1)
	tip := node.height(t)

	// The first progress report reloads the page: the sync dies with the
	// engine's worker.
	goHash(t, ctx, "#/wallets/"+walletID)
	waitHeading(t, ctx, "Resumed")
	eval[bool](t, ctx, `(specterApp.engine.on("sync.progress", (p) => {
		if (sessionStorage.getItem("e2e.midsync")) return;
		sessionStorage.setItem("e2e.midsync", JSON.stringify(p));
		location.reload();
	}), true)`)
	clickButton(t, ctx, "Sync with the node")
	waitJS(t, ctx, "the reloaded page", `sessionStorage.getItem("e2e.midsync") && window.specterApp && !document.querySelector("main .notice") && [...document.querySelectorAll("main button")].some(b => b.textContent === "Sync with the node" && !b.disabled)`)
	waitHeading(t, ctx, "Resumed")
	mid := eval[map[string]any](t, ctx, `JSON.parse(sessionStorage.getItem("e2e.midsync"))`)
	require.Equal(t, "blocks", mid["stage"])
	require.Equal(t, float64(tip), mid["tip_height"])
	require.Less(t, mid["height"].(float64), float64(tip), "the progress showed a height below the tip")
	require.Less(t, mid["scanned"].(float64), mid["total"].(float64))
	// The late payment near the tip is unseen: the reload came first.
	require.Equal(t, btc(30_000_000), text(t, ctx, "[data-testid=balance]"))

	// wasm/bridge saves each batch before it reports it (sync.progress):
	// the reported batch was persisted before the reload, so the next sync
	// resumes from its checkpoint, above the previous sync's tip h1, and
	// scans only the blocks after it.
	saved := int64(mid["height"].(float64))
	require.Greater(t, saved, h1, "the interrupted sync persisted a batch above block %d before the reload", h1)
	summary = a.syncOverview(t, walletID, "Resumed")
	var syncedTo, scanned int64
	_, err := fmt.Sscanf(summary, "Synced to block %d: %d blocks scanned", &syncedTo, &scanned)
	require.NoError(t, err, summary)
	require.Equal(t, tip, syncedTo)
	require.Equal(t, tip-saved, scanned, "resumed from the persisted block %d, not from %d: %s", saved, h1, summary)
	require.Equal(t, btc(37_000_000), text(t, ctx, "[data-testid=balance]"))
	resumed := a.walletState(t, walletID)
	require.Contains(t, resumed, late)

	// The same keys as a second wallet, synced in one go.
	refID := eval[string](t, ctx, `specterApp.call("devices.list").then(r => specterApp.call("wallets.create", {name: "Reference", kind: "single", script_type: "wpkh", device_ids: [r.devices[0].id], network: "regtest", birthday: 0})).then(r => r.wallet.id)`)
	// While it runs, the page shows its first batch's progress (blocks 0
	// to 999): the bar and "Block H of T · N blocks/s · about M s left".
	eval[bool](t, ctx, `(window.e2eShown = null, specterApp.engine.on("sync.progress", (p) => {
		if (window.e2eShown || p.stage !== "blocks") return;
		setTimeout(() => {
			const bar = document.querySelector("main progress[data-testid=sync-progress]");
			const st = document.querySelector("main [data-testid=sync-status]");
			window.e2eShown = {text: st ? st.textContent : "", now: bar && bar.getAttribute("aria-valuenow"), max: bar && bar.getAttribute("aria-valuemax"),
				cancel: [...document.querySelectorAll("main button")].some(b => b.textContent === "Cancel")};
		}, 0);
	}), true)`)
	summary = a.syncOverview(t, refID, "Reference")
	shown := eval[map[string]any](t, ctx, `window.e2eShown`)
	require.Regexp(t, fmt.Sprintf(`^Block 999 of %d · [0-9.]+ blocks/s · about [0-9]+ s left$`, tip), shown["text"])
	require.Equal(t, map[string]any{"text": shown["text"], "now": "1000", "max": fmt.Sprint(tip + 1), "cancel": true}, shown)
	require.True(t, strings.HasPrefix(summary, fmt.Sprintf("Synced to block %d: ", tip)), summary)
	require.Equal(t, btc(37_000_000), text(t, ctx, "[data-testid=balance]"))
	require.Equal(t, a.walletState(t, refID), resumed)

	// Cancel: a third wallet of the same keys, its sync cancelled with the
	// page's Cancel button at the first report (blocks 0 to 999 saved),
	// says so; its next sync scans only the blocks above 999 and ends
	// identical too.
	cancID := eval[string](t, ctx, `specterApp.call("devices.list").then(r => specterApp.call("wallets.create", {name: "Cancelled", kind: "single", script_type: "wpkh", device_ids: [r.devices[0].id], network: "regtest", birthday: 0})).then(r => r.wallet.id)`)
	goHash(t, ctx, "#/wallets/"+cancID)
	waitHeading(t, ctx, "Cancelled")
	eval[bool](t, ctx, `(window.e2eCancelled = false, specterApp.engine.on("sync.progress", (p) => {
		if (window.e2eCancelled || p.wallet_id !== `+quote(cancID)+`) return;
		window.e2eCancelled = true;
		[...document.querySelectorAll("main button")].find(b => b.textContent === "Cancel").click();
	}), true)`)
	clickButton(t, ctx, "Sync with the node")
	waitJS(t, ctx, "the cancelled sync's message", `document.querySelector("main .error-message")`)
	require.Equal(t, fmt.Sprintf("sync cancelled at block 999 of %d; the blocks up to 999 are saved", tip), text(t, ctx, "main .error-message"))
	require.Equal(t, "What to do: sync again to go on from there", text(t, ctx, "main .error-hint"))
	summary = a.syncOverview(t, cancID, "Cancelled")
	require.True(t, strings.HasPrefix(summary, fmt.Sprintf("Synced to block %d: %d blocks scanned", tip, tip-999)), summary)
	require.Equal(t, a.walletState(t, refID), a.walletState(t, cancID))
}
