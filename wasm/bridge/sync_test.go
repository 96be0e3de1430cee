//go:build unix

package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/internal/regtest/rpcrelay"
	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/feeest"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/spend"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
	"github.com/specterpwa/specter/wasm/relay"
)

// regtestSubsidy is the block reward at height h on regtest (halving every
// 150 blocks).
func regtestSubsidy(h int) int64 { return 50 * btcutil.SatoshiPerBitcoin >> (h / 150) }

// TestSyncAndBroadcastThroughTheRelayProxy syncs a wallet with btcd through
// the relay's real JSON-RPC proxy (its Core-to-btcd dialect included) behind
// a CSRF check, then spends a coin: PSBT signed by the hot device, broadcast
// through the relay, seen in the mempool by the next sync.
func TestSyncAndBroadcastThroughTheRelayProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	if _, err := regtest.EnsureBtcd(); err != nil {
		t.Skipf("btcd is not installed (make deps installs it): %v", err)
	}
	// Real time: pending PSBTs are stamped by the engine's clock and
	// mempool sightings by the sync's, as in the browser.
	r := realClockRegistry(t)
	hot := ok[HotDeviceResult](t, r, "devices.createHot", HotDeviceParams{Name: "Phone", Mnemonic: cosignerMnemonics[0],
		Password: "correct horse battery", Network: "regtest"})
	w := ok[manager.CreateResult](t, r, "wallets.create", manager.WalletSpec{Name: "Spending", Kind: manager.Single,
		ScriptType: manager.ScriptWPKH, DeviceIDs: []string{hot.Device.ID}, Network: network.Regtest})

	// btcd picks one of its two mining addresses per block: the wallet's
	// first address gets about half of the coinbases.
	node := regtest.StartWith(t, regtest.Options{ExtraArgs: []string{"--miningaddr=" + w.FirstAddress}})
	const blocks = regtest.SegwitHeight + 10
	hashes := node.Generate(blocks)

	relaySrv, nodeID := relayFor(t, node)

	// What the wallet should find, read from the node block by block.
	var total, mature int64
	var ours int
	for i, h := range hashes {
		height := i + 1
		if node.CoinbaseAddress(h) == w.FirstAddress {
			ours++
			total += regtestSubsidy(height)
			if blocks-height+1 >= wallet.CoinbaseMaturity {
				mature += regtestSubsidy(height)
			}
		}
	}
	require.Greater(t, ours, 0, "no coinbase paid the wallet")

	e := fails(t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: NodeParams{Relay: relaySrv.URL, NodeID: nodeID}})
	require.Contains(t, e.Message, "the relay answered 403: CSRF token missing")

	var events []Event
	r.OnEvent(func(b []byte) {
		var ev Event
		require.NoError(t, json.Unmarshal(b, &ev))
		events = append(events, ev)
	})
	np := NodeParams{Relay: relaySrv.URL, NodeID: nodeID, CSRF: "tok"}
	res := ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: np})
	require.Equal(t, int32(blocks), res.Tip.Height)
	require.Equal(t, hashes[len(hashes)-1], res.Tip.Hash)
	// Matched counts the blocks whose BIP158 filter matched a watched script:
	// the coinbases paying the wallet plus any filter false positive (about
	// 1 in 784,931 per script and block). The same sync run natively over the
	// same relay must match exactly the same blocks.
	require.Equal(t, nativeSync(t, w.Wallet, relaySrv.URL, nodeID, "tok").Matched, res.Matched)
	require.GreaterOrEqual(t, res.Matched, ours)
	require.NotEmpty(t, events)
	for _, ev := range events {
		require.Equal(t, "sync.progress", ev.Event)
		require.Equal(t, w.Wallet.ID, ev.Data.(map[string]any)["wallet_id"])
	}
	require.Equal(t, wallet.Balance{Confirmed: mature, Immature: total - mature}, res.Balance)
	require.Equal(t, res.Balance, ok[wallet.Balance](t, r, "wallets.balance", IDParams{ID: w.Wallet.ID}))
	require.Len(t, ok[TransactionsResult](t, r, "wallets.transactions", TransactionsParams{ID: w.Wallet.ID}).Transactions, ours)

	fees := ok[FeesResult](t, r, "fees.estimate", FeesParams{NodeParams: np})
	require.Len(t, fees.Targets, len(feeest.DefaultTargets()))
	for i, ft := range fees.Targets {
		require.Equal(t, feeest.DefaultTargets()[i], ft.Target)
		require.Equal(t, ft.FeeRate.SatPerVByte(), ft.FeeRateSatVB)
		require.Positive(t, ft.FeeRateSatVB)
	}
	require.NotEmpty(t, fees.Source)
	manual := ok[FeesResult](t, r, "fees.estimate", FeesParams{NodeParams: np, Manual: 3.5, Targets: []int{2}})
	require.Equal(t, feeest.FromManual, manual.Source)
	require.Equal(t, 3.5, manual.Targets[0].FeeRateSatVB)

	// Pay 1 BTC to the node's address: coins chosen by the engine, change
	// back to the wallet, the PSBT kept as pending with its coins locked.
	const paid int64 = 100_000_000
	built := ok[CreatePSBTResult](t, r, "wallets.createPSBT", CreatePSBTParams{ID: w.Wallet.ID, FeeRate: 2, Name: "to the node",
		Recipients: []spend.Recipient{{Address: node.MiningAddress.EncodeAddress(), Amount: paid}}, TipHeight: uint32(blocks)})
	require.Equal(t, paid, built.Sent)
	require.Equal(t, 2.0, built.FeeRateSatVB)
	require.NotNil(t, built.Change)
	require.Equal(t, built.ID, built.Pending.ID)
	require.Equal(t, "to the node", built.Pending.Name)
	require.Equal(t, built.Warnings, built.Pending.Warnings)
	require.Equal(t, []manager.PendingPSBT{built.Pending}, ok[PSBTsResult](t, r, "psbts.list", WalletPSBTParams{WalletID: w.Wallet.ID}).PSBTs)
	locked := ok[wallet.Balance](t, r, "wallets.balance", IDParams{ID: w.Wallet.ID}).Locked
	require.Greater(t, locked, int64(paid))

	signed := ok[SignResult](t, r, "devices.signPSBT", SignParams{ID: hot.Device.ID, Password: "correct horse battery", PSBT: built.PSBTBase64})
	require.Equal(t, len(built.Analysis.Inputs), signed.Signatures, "one signature per input")
	sent := ok[BroadcastResult](t, r, "tx.broadcast", BroadcastParams{NodeParams: np, PSBT: signed.PSBT})
	require.Equal(t, built.ID, sent.TxID)
	fee := built.Fee

	e = fails(t, r, "tx.broadcast", BroadcastParams{NodeParams: np, PSBT: signed.PSBT})
	require.Equal(t, "the coins may be spent already or the fee too low; sync the wallet and check the transaction", e.Hint)
	e = fails(t, r, "tx.broadcast", BroadcastParams{NodeParams: np, PSBT: built.PSBTBase64})
	require.Equal(t, Error{Message: "the PSBT is not fully signed", Hint: "collect the missing signatures first", Code: CodeFailed}, *e)

	res = ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: np})
	require.Equal(t, int32(blocks), res.Tip.Height)
	// The sync saw the broadcast transaction: its pending PSBT is gone and
	// nothing is locked any more.
	require.Equal(t, 1, res.ClearedPSBTs)
	require.Empty(t, ok[PSBTsResult](t, r, "psbts.list", WalletPSBTParams{WalletID: w.Wallet.ID}).PSBTs)
	require.Zero(t, res.Balance.Locked)
	// The spent coins are replaced by the unconfirmed change.
	require.Equal(t, total-paid-fee, res.Balance.Total())
	var found bool
	for _, tx := range ok[TransactionsResult](t, r, "wallets.transactions", TransactionsParams{ID: w.Wallet.ID}).Transactions {
		if tx.Txid == sent.TxID {
			found = true
			require.Equal(t, wallet.StatusPending, tx.Status)
			require.Equal(t, -(paid + fee), tx.Net)
		}
	}
	require.True(t, found, "the broadcast transaction is in the wallet's history")

	// Bump its fee (BIP125): same payment, higher fee; the original's
	// pending PSBT gives way to the replacement's.
	bumped := ok[CreatePSBTResult](t, r, "wallets.bumpFee", ReplaceParams{ID: w.Wallet.ID, TxID: sent.TxID, FeeRate: 5})
	require.Equal(t, sent.TxID, bumped.Replaces)
	require.Equal(t, paid, bumped.Sent)
	require.Greater(t, bumped.Fee, fee)
	require.Equal(t, []manager.PendingPSBT{bumped.Pending}, ok[PSBTsResult](t, r, "psbts.list", WalletPSBTParams{WalletID: w.Wallet.ID}).PSBTs)
	require.Equal(t, bumped.Warnings, bumped.Pending.Warnings)
	require.Contains(t, bumped.Pending.Warnings[0], "replaces transaction "+sent.TxID)
	// The replacement spends the coins of the transaction in the mempool,
	// which the wallet saw before it was built: a sync keeps it.
	time.Sleep(1100 * time.Millisecond)
	res = ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: np})
	require.Zero(t, res.ClearedPSBTs)
	require.Equal(t, []manager.PendingPSBT{bumped.Pending}, ok[PSBTsResult](t, r, "psbts.list", WalletPSBTParams{WalletID: w.Wallet.ID}).PSBTs)
	signed = ok[SignResult](t, r, "devices.signPSBT", SignParams{ID: hot.Device.ID, Password: "correct horse battery", PSBT: bumped.PSBTBase64})
	require.Equal(t, bumped.ID, ok[BroadcastResult](t, r, "tx.broadcast", BroadcastParams{NodeParams: np, PSBT: signed.PSBT}).TxID)

	// Then cancel it: its coins come back to the wallet, minus a higher fee.
	e = fails(t, r, "wallets.cancelTx", ReplaceParams{ID: w.Wallet.ID, TxID: bumped.ID, FeeRate: 10})
	require.Equal(t, "sync the wallet first: only its unconfirmed sends that signal replace-by-fee can be replaced, at a higher fee rate", e.Hint)
	// Mempool sightings are stamped in whole seconds and the wallet core
	// resolves two unconfirmed conflicts to the later one: let a second
	// pass between the sightings of a transaction and its replacement.
	time.Sleep(1100 * time.Millisecond)
	ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: np})
	cancelled := ok[CreatePSBTResult](t, r, "wallets.cancelTx", ReplaceParams{ID: w.Wallet.ID, TxID: bumped.ID, FeeRate: 10})
	require.Equal(t, bumped.ID, cancelled.Replaces)
	require.Zero(t, cancelled.Sent)
	signed = ok[SignResult](t, r, "devices.signPSBT", SignParams{ID: hot.Device.ID, Password: "correct horse battery", PSBT: cancelled.PSBTBase64})
	require.Equal(t, cancelled.ID, ok[BroadcastResult](t, r, "tx.broadcast", BroadcastParams{NodeParams: np, PSBT: signed.PSBT}).TxID)

	time.Sleep(1100 * time.Millisecond)
	res = ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: np})
	require.Equal(t, total-cancelled.Fee, res.Balance.Total())
	statuses := map[string]wallet.TxStatus{}
	for _, tx := range ok[TransactionsResult](t, r, "wallets.transactions", TransactionsParams{ID: w.Wallet.ID}).Transactions {
		statuses[tx.Txid] = tx.Status
	}
	require.Equal(t, wallet.StatusReplaced, statuses[sent.TxID])
	require.Equal(t, wallet.StatusReplaced, statuses[bumped.ID])
	require.Equal(t, wallet.StatusPending, statuses[cancelled.ID])

	// Child pays for parent: the cancel transaction and a child together
	// reach 20 sat/vB.
	child := ok[CreatePSBTResult](t, r, "wallets.cpfp", CPFPParams{ID: w.Wallet.ID, TxID: cancelled.ID, FeeRate: 20})
	require.GreaterOrEqual(t, child.PackageFeeRate.SatPerVByte(), 20.0)
	signed = ok[SignResult](t, r, "devices.signPSBT", SignParams{ID: hot.Device.ID, Password: "correct horse battery", PSBT: child.PSBTBase64})
	require.Equal(t, child.ID, ok[BroadcastResult](t, r, "tx.broadcast", BroadcastParams{NodeParams: np, PSBT: signed.PSBT}).TxID)
	res = ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: np})
	require.Equal(t, total-cancelled.Fee-child.Fee, res.Balance.Total())
}

// realClockRegistry is managerRegistry with the engine on the real clock.
func realClockRegistry(t *testing.T) *Registry {
	t.Helper()
	e, err := manager.Open(context.Background(), store.NewMemory(), manager.Options{ScryptN: 1 << 10, Now: time.Now})
	require.NoError(t, err)
	r := NewRegistry()
	RegisterEngine(r)
	RegisterManager(r, Ready(e))
	RegisterNode(r, Ready(e), nil)
	RegisterSpend(r, Ready(e))
	return r
}

// nativeSync syncs a fresh wallet core of the same descriptors natively over
// the same relay, as the reference the engine's sync must agree with.
func nativeSync(t *testing.T, mw manager.Wallet, relayURL, nodeID, csrf string) chainsync.Result {
	t.Helper()
	w, _, err := wallet.New(wallet.Params{Receive: mw.Receive, Change: mw.Change, Network: string(mw.Network), Birthday: mw.Birthday, GapLimit: mw.GapLimit})
	require.NoError(t, err)
	c, err := relay.New(relayURL, nodeID, csrf, relay.DefaultTransport())
	require.NoError(t, err)
	res, err := chainsync.Sync(context.Background(), w, &chainsync.RPCSource{Caller: c}, chainsync.Options{})
	require.NoError(t, err)
	return res
}

// relayFor serves node through the relay's JSON-RPC proxy behind a CSRF
// check (token "tok") and returns the relay and the node's id there.
func relayFor(t *testing.T, node *regtest.Node) (relaySrv *httptest.Server, nodeID string) {
	t.Helper()
	h, nodeID := rpcrelay.Handler(t, node, "tok")
	relaySrv = httptest.NewServer(h)
	t.Cleanup(relaySrv.Close)
	return relaySrv, nodeID
}

// TestCancelledSyncKeepsItsSavedBatchesAndTheNextSyncResumesAfterThem is
// issue 5's resumable sync: a sync in batches of 100 blocks is cancelled
// (engine.cancel) at its second progress report and fails with "sync
// cancelled at block 199 of T"; the next, cancelled by wallets.cancelSync
// at its first report, goes on from block 200 and stops at 299; after a
// reload (an engine opened from the store) the last sync scans only the
// blocks above 299 and ends with the same tip, balance, transactions and
// outputs as a wallet of the same keys synced in one go.
func TestCancelledSyncKeepsItsSavedBatchesAndTheNextSyncResumesAfterThem(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	if _, err := regtest.EnsureBtcd(); err != nil {
		t.Skipf("btcd is not installed (make deps installs it): %v", err)
	}
	st := store.NewMemory()
	r := managerRegistry(t, st)
	hot := ok[HotDeviceResult](t, r, "devices.createHot", HotDeviceParams{Name: "Phone", Mnemonic: cosignerMnemonics[0],
		Password: "correct horse battery", Network: "regtest"})
	w := ok[manager.CreateResult](t, r, "wallets.create", manager.WalletSpec{Name: "Resumed", Kind: manager.Single,
		ScriptType: manager.ScriptWPKH, DeviceIDs: []string{hot.Device.ID}, Network: network.Regtest})
	node := regtest.StartWith(t, regtest.Options{ExtraArgs: []string{"--miningaddr=" + w.FirstAddress}})
	const blocks = regtest.SegwitHeight + 10
	hashes := node.Generate(blocks)
	relaySrv, nodeID := relayFor(t, node)
	np := NodeParams{Relay: relaySrv.URL, NodeID: nodeID, CSRF: "tok"}

	var reports []SyncProgress
	r.OnEvent(func(b []byte) {
		var ev struct {
			Event string       `json:"event"`
			Data  SyncProgress `json:"data"`
		}
		require.NoError(t, json.Unmarshal(b, &ev))
		require.Equal(t, "sync.progress", ev.Event)
		reports = append(reports, ev.Data)
		switch len(reports) {
		case 2:
			var res struct {
				Result Cancelled `json:"result"`
			}
			require.NoError(t, json.Unmarshal(r.Handle(context.Background(), []byte(`{"id":"c1","method":"engine.cancel","params":{"id":"s1"}}`)), &res))
			require.True(t, res.Result.Cancelled)
		case 3:
			require.True(t, ok[CancelSyncResult](t, r, "wallets.cancelSync", IDParams{ID: w.Wallet.ID}).Cancelled)
		}
	})
	params, err := json.Marshal(SyncParams{ID: w.Wallet.ID, NodeParams: np, BatchSize: 100})
	require.NoError(t, err)
	var resp struct {
		Error *Error `json:"error"`
	}
	require.NoError(t, json.Unmarshal(r.Handle(context.Background(), []byte(`{"id":"s1","method":"wallets.sync","params":`+string(params)+`}`)), &resp))
	require.Equal(t, &Error{Message: fmt.Sprintf("sync cancelled at block 199 of %d; the blocks up to 199 are saved", blocks),
		Hint: "sync again to go on from there", Code: CodeCancelled}, resp.Error)
	require.Len(t, reports, 2)
	require.Equal(t, []int32{99, 199}, []int32{reports[0].Height, reports[1].Height})
	require.Equal(t, []int{100, 200}, []int{reports[0].Scanned, reports[1].Scanned})
	require.Equal(t, blocks+1, reports[1].Total, "blocks 0 to the tip")
	require.Equal(t, int32(blocks), reports[1].TipHeight)

	// The next sync goes on from block 200; wallets.cancelSync stops it at
	// its first report.
	e := fails(t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: np, BatchSize: 100})
	require.Equal(t, Error{Message: fmt.Sprintf("sync cancelled at block 299 of %d; the blocks up to 299 are saved", blocks),
		Hint: "sync again to go on from there", Code: CodeCancelled}, *e)
	require.Len(t, reports, 3)
	require.Equal(t, SyncProgress{WalletID: w.Wallet.ID, Progress: chainsync.Progress{Stage: "blocks", Scanned: 100, Total: blocks - 199,
		Height: 299, TipHeight: blocks, Matched: reports[2].Matched, Rate: reports[2].Rate, ETA: reports[2].ETA}, ETASeconds: reports[2].ETA.Seconds()}, reports[2])
	require.False(t, ok[CancelSyncResult](t, r, "wallets.cancelSync", IDParams{ID: w.Wallet.ID}).Cancelled, "no sync running")

	// A reload: an engine opened from the store. The next sync scans
	// blocks 300 to the tip only.
	r = managerRegistry(t, st)
	resumed := ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: w.Wallet.ID, NodeParams: np, BatchSize: 100})
	require.Equal(t, blocks-299, resumed.Scanned)
	require.Equal(t, chainsync.Tip{Height: blocks, Hash: hashes[len(hashes)-1]}, resumed.Tip)

	// The same keys synced in one go end identical.
	ref := ok[manager.CreateResult](t, r, "wallets.create", manager.WalletSpec{Name: "Reference", Kind: manager.Single,
		ScriptType: manager.ScriptWPKH, DeviceIDs: []string{hot.Device.ID}, Network: network.Regtest})
	whole := ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: ref.Wallet.ID, NodeParams: np})
	require.Equal(t, blocks+1, whole.Scanned)
	require.Equal(t, whole.Tip, resumed.Tip)
	require.Equal(t, whole.Balance, resumed.Balance)
	require.Positive(t, resumed.Balance.Total())
	require.Equal(t, ok[TransactionsResult](t, r, "wallets.transactions", TransactionsParams{ID: ref.Wallet.ID}),
		ok[TransactionsResult](t, r, "wallets.transactions", TransactionsParams{ID: w.Wallet.ID}))
	require.Equal(t, ok[UTXOsResult](t, r, "wallets.utxos", IDParams{ID: ref.Wallet.ID}),
		ok[UTXOsResult](t, r, "wallets.utxos", IDParams{ID: w.Wallet.ID}))
	require.NotEmpty(t, ok[UTXOsResult](t, r, "wallets.utxos", IDParams{ID: w.Wallet.ID}).UTXOs)
}

// TestTwoSyncsOfOneWalletTakeTurns: a second wallets.sync of a wallet while
// one runs (a broadcast's sync during a long scan) waits for it and goes on
// from where it saved: together they scan every block exactly once and end
// at the tip, and the wallet equals one synced in one go.
func TestTwoSyncsOfOneWalletTakeTurns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	if _, err := regtest.EnsureBtcd(); err != nil {
		t.Skipf("btcd is not installed (make deps installs it): %v", err)
	}
	r := managerRegistry(t, store.NewMemory())
	hot := ok[HotDeviceResult](t, r, "devices.createHot", HotDeviceParams{Name: "Phone", Mnemonic: cosignerMnemonics[0],
		Password: "correct horse battery", Network: "regtest"})
	w := ok[manager.CreateResult](t, r, "wallets.create", manager.WalletSpec{Name: "Twice", Kind: manager.Single,
		ScriptType: manager.ScriptWPKH, DeviceIDs: []string{hot.Device.ID}, Network: network.Regtest})
	node := regtest.StartWith(t, regtest.Options{ExtraArgs: []string{"--miningaddr=" + w.FirstAddress}})
	const blocks = regtest.SegwitHeight + 10
	node.Generate(blocks)
	relaySrv, nodeID := relayFor(t, node)
	np := NodeParams{Relay: relaySrv.URL, NodeID: nodeID, CSRF: "tok"}

	results := make(chan SyncResult, 2)
	for range 2 {
		go func() {
			params, _ := json.Marshal(SyncParams{ID: w.Wallet.ID, NodeParams: np, BatchSize: 50})
			var resp struct {
				Result SyncResult `json:"result"`
				Error  *Error     `json:"error"`
			}
			if err := json.Unmarshal(r.Handle(context.Background(), []byte(`{"id":"s","method":"wallets.sync","params":`+string(params)+`}`)), &resp); err != nil || resp.Error != nil {
				results <- SyncResult{Scanned: -1}
				return
			}
			results <- resp.Result
		}()
	}
	a, b := <-results, <-results
	require.NotEqual(t, -1, a.Scanned)
	require.NotEqual(t, -1, b.Scanned)
	require.Equal(t, blocks+1, a.Scanned+b.Scanned, "every block scanned once: %d and %d", a.Scanned, b.Scanned)
	require.Equal(t, a.Tip, b.Tip)
	require.Equal(t, int32(blocks), a.Tip.Height)

	ref := ok[manager.CreateResult](t, r, "wallets.create", manager.WalletSpec{Name: "Reference", Kind: manager.Single,
		ScriptType: manager.ScriptWPKH, DeviceIDs: []string{hot.Device.ID}, Network: network.Regtest})
	whole := ok[SyncResult](t, r, "wallets.sync", SyncParams{ID: ref.Wallet.ID, NodeParams: np})
	require.Equal(t, whole.Balance, ok[wallet.Balance](t, r, "wallets.balance", IDParams{ID: w.Wallet.ID}))
	require.Equal(t, ok[UTXOsResult](t, r, "wallets.utxos", IDParams{ID: ref.Wallet.ID}),
		ok[UTXOsResult](t, r, "wallets.utxos", IDParams{ID: w.Wallet.ID}))
}
