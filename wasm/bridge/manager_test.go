package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/spend"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// Three BIP39 test vector mnemonics (bip-0039.mediawiki, English vectors 1,
// 3 and 2) as the three signers of a 2-of-3 wallet.
var cosignerMnemonics = []string{
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
	"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
	"legal winner thank year wave sausage worth useful legal winner thank yellow",
}

// managerRegistry opens the managers over st (cheap scrypt for tests) and
// returns a registry with every method.
func managerRegistry(t *testing.T, st store.Store) *Registry {
	t.Helper()
	e, err := manager.Open(context.Background(), st, manager.Options{ScryptN: 1 << 10,
		Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	r := NewRegistry()
	RegisterEngine(r)
	RegisterManager(r, Ready(e))
	RegisterWalletFiles(r, Ready(e))
	RegisterNode(r, Ready(e), nil)
	RegisterSpend(r, Ready(e))
	return r
}

// wshKeyLine is the BIP48 (script type 2) testnet account key of a mnemonic
// as a "[fingerprint/path]tpub" line.
func wshKeyLine(t *testing.T, mnemonic string) string {
	master, err := keys.MasterFromMnemonic(mnemonic, "", network.Test)
	require.NoError(t, err)
	acc, err := keys.DeriveAccount(master, keys.ScriptWSH, network.Test, 0)
	require.NoError(t, err)
	return "[" + acc.Origin.String() + "]" + acc.Xpub
}

// runWalletScenario is what a new user does: three devices from xpub text, a
// 2-of-3 wallet, settings and a label. It returns the wallet id and its
// first receive address.
func runWalletScenario(t *testing.T, r *Registry) (string, string) {
	var lines []string
	for i, typ := range []string{"coldcard", "jade", "other"} {
		lines = append(lines, wshKeyLine(t, cosignerMnemonics[i]))
		d := ok[manager.Device](t, r, "devices.add", DeviceParams{Name: "Signer " + string(rune('A'+i)), Type: manager.DeviceType(typ), Export: lines[i] + "\n"})
		require.Equal(t, "Signer "+string(rune('A'+i)), d.Name)
		require.Len(t, d.Keys, 1)
		require.Equal(t, keys.ScriptWSH, d.Keys[0].ScriptHint)
	}
	devs := ok[DevicesResult](t, r, "devices.list", nil)
	require.Len(t, devs.Devices, 3)
	ids := []string{devs.Devices[0].ID, devs.Devices[1].ID, devs.Devices[2].ID}

	res := ok[manager.CreateResult](t, r, "wallets.create", manager.WalletSpec{Name: "Family vault", Kind: manager.Multi,
		ScriptType: manager.ScriptWSH, DeviceIDs: ids, Network: network.Test})
	require.Equal(t, 2, res.Wallet.M, "Specter's default M of 3 is 2")
	require.Equal(t, 3, res.Wallet.N)

	// The first address computed from the key lines alone.
	want := ok[AddressesResult](t, r, "descriptor.addresses", AddressesParams{Network: "test", Count: 1,
		Descriptor: "wsh(sortedmulti(2," + lines[0] + "/0/*," + lines[1] + "/0/*," + lines[2] + "/0/*))"})
	require.Equal(t, want.Addresses[0].Address, res.FirstAddress)
	require.True(t, strings.HasPrefix(res.FirstAddress, "tb1q"), res.FirstAddress)

	// Nothing handed out yet; the next address is the first one, and from
	// then on it is listed.
	require.Empty(t, ok[WalletAddressesResult](t, r, "wallets.addresses", WalletAddressesParams{ID: res.Wallet.ID}).Addresses)
	next := ok[wallet.AddressInfo](t, r, "wallets.nextAddress", NextAddressParams{ID: res.Wallet.ID})
	require.Equal(t, wallet.AddressInfo{Address: res.FirstAddress, Keychain: wallet.Receive, Index: 0}, next)
	addrs := ok[WalletAddressesResult](t, r, "wallets.addresses", WalletAddressesParams{ID: res.Wallet.ID, Used: "unused"})
	require.Equal(t, []wallet.AddressInfo{next}, addrs.Addresses)
	require.Equal(t, wallet.Balance{}, ok[wallet.Balance](t, r, "wallets.balance", IDParams{ID: res.Wallet.ID}))
	require.Empty(t, ok[UTXOsResult](t, r, "wallets.utxos", IDParams{ID: res.Wallet.ID}).UTXOs)
	require.Empty(t, ok[TransactionsResult](t, r, "wallets.transactions", TransactionsParams{ID: res.Wallet.ID}).Transactions)
	require.Equal(t, HistoryCSVResult{CSV: "date,txid,label,amount,fee,balance,confirmations\n"},
		ok[HistoryCSVResult](t, r, "wallets.historyCSV", TransactionsParams{ID: res.Wallet.ID}))

	cfg := ok[manager.Config](t, r, "config.get", nil)
	require.Equal(t, manager.DefaultConfig(), cfg)
	cfg.Units = manager.UnitsSats
	require.Equal(t, cfg, ok[manager.Config](t, r, "config.set", cfg))

	label := wallet.Label{Type: "addr", Ref: res.FirstAddress, Label: "first deposit"}
	ok[wallet.Label](t, r, "labels.set", LabelParams{WalletID: res.Wallet.ID, Label: label})
	require.Equal(t, LabelsResult{Labels: []wallet.Label{label}}, ok[LabelsResult](t, r, "labels.list", WalletPSBTParams{WalletID: res.Wallet.ID}))
	exported := ok[TextParams](t, r, "labels.export", WalletPSBTParams{WalletID: res.Wallet.ID})
	require.Equal(t, `{"type":"addr","ref":"`+res.FirstAddress+`","label":"first deposit"}`+"\n", exported.Text)
	rep := ok[wallet.ImportReport](t, r, "labels.import", LabelsImportParams{WalletID: res.Wallet.ID,
		Text: `{"type":"tx","ref":"` + strings.Repeat("ab", 32) + `","label":"rent"}` + "\nnot json\n"})
	require.Equal(t, 1, rep.Imported)
	require.Len(t, rep.Problems, 1)
	ok[wallet.Label](t, r, "labels.set", LabelParams{WalletID: res.Wallet.ID, Label: wallet.Label{Type: "tx", Ref: strings.Repeat("ab", 32)}})
	return res.Wallet.ID, res.FirstAddress
}

func TestManagerMethodsFromDevicesToABackupRestore(t *testing.T) {
	st := store.NewMemory()
	r := managerRegistry(t, st)
	walletID, first := runWalletScenario(t, r)

	// A device in use cannot go, and the error names the wallet.
	devs := ok[DevicesResult](t, r, "devices.list", nil)
	e := fails(t, r, "devices.delete", IDParams{ID: devs.Devices[0].ID})
	require.Equal(t, "in_use", e.Code)
	require.Contains(t, e.Message, "Family vault")
	require.NotEmpty(t, e.Hint)

	e = fails(t, r, "wallets.get", IDParams{ID: "nope"})
	require.Equal(t, "not_found", e.Code)
	e = fails(t, r, "wallets.addresses", WalletAddressesParams{ID: walletID, Keychain: 2})
	require.Equal(t, Error{Message: "keychain 2 does not exist", Hint: "use 0 for receive or 1 for change", Code: CodeBadParams}, *e)

	backup := ok[BackupResult](t, r, "backup.export", nil)
	require.True(t, json.Valid(backup.Backup))

	// Restore into an empty installation: everything comes back.
	r2 := managerRegistry(t, store.NewMemory())
	sum := ok[manager.ImportSummary](t, r2, "backup.import", RestoreParams{Backup: backup.Backup})
	require.Equal(t, manager.ImportSummary{Devices: 3, Wallets: 1, PSBTs: 0}, sum)
	require.Equal(t, ok[DevicesResult](t, r, "devices.list", nil), ok[DevicesResult](t, r2, "devices.list", nil))
	require.Equal(t, ok[WalletsResult](t, r, "wallets.list", nil), ok[WalletsResult](t, r2, "wallets.list", nil))
	require.Equal(t, manager.UnitsSats, ok[manager.Config](t, r2, "config.get", nil).Units)
	addrs := ok[WalletAddressesResult](t, r2, "wallets.addresses", WalletAddressesParams{ID: walletID})
	require.Equal(t, []wallet.AddressInfo{{Address: first, Keychain: wallet.Receive, Index: 0, Label: "first deposit"}}, addrs.Addresses)

	e = fails(t, r2, "backup.import", RestoreParams{Text: "{not json"})
	require.Equal(t, "invalid", e.Code)
	e = fails(t, r2, "backup.import", RestoreParams{})
	require.Equal(t, Error{Message: "no backup given", Hint: "choose the backup file to restore", Code: CodeBadParams}, *e)
}

func TestHotDeviceSignsAPSBTOfItsWallet(t *testing.T) {
	r := managerRegistry(t, store.NewMemory())
	hot := ok[HotDeviceResult](t, r, "devices.createHot", HotDeviceParams{Name: "Phone", Mnemonic: cosignerMnemonics[0],
		Password: "correct horse battery", Network: "test"})
	require.Empty(t, hot.Mnemonic, "a given mnemonic is never returned")
	require.Nil(t, hot.Device.Seed, "the encrypted seed stays in the engine")
	require.Equal(t, manager.TypeHot, hot.Device.Type)
	require.Len(t, hot.Device.Keys, 6)

	res := ok[manager.CreateResult](t, r, "wallets.create", manager.WalletSpec{Name: "Spending", Kind: manager.Single,
		ScriptType: manager.ScriptWPKH, DeviceIDs: []string{hot.Device.ID}, Network: network.Test})

	// An unsigned PSBT spending a coin of the wallet's first address.
	d, err := descriptor.Parse(res.Wallet.Descriptor)
	require.NoError(t, err)
	w, err := psbt.NewWallet(network.Test, d)
	require.NoError(t, err)
	var prev wire.OutPoint
	prev.Hash[0] = 1
	unsigned, err := psbt.Create(w, psbt.CreateOptions{
		Inputs:  []psbt.UTXO{{OutPoint: prev, Value: 100_000}},
		Outputs: []psbt.Recipient{{Address: res.FirstAddress, Amount: 99_000}},
	})
	require.NoError(t, err)
	b64, err := psbt.EncodeBase64(unsigned)
	require.NoError(t, err)

	e := fails(t, r, "devices.signPSBT", SignParams{ID: hot.Device.ID, Password: "wrong password!", PSBT: b64})
	require.Equal(t, "wrong_password", e.Code)

	signed := ok[SignResult](t, r, "devices.signPSBT", SignParams{ID: hot.Device.ID, Password: "correct horse battery", PSBT: b64})
	require.Equal(t, 1, signed.Signatures)
	require.Equal(t, []int{0}, signed.Inputs)
	require.False(t, signed.Complete)

	fin := ok[FinalizeResult](t, r, "psbt.finalize", PSBTParams{PSBT: signed.PSBT})
	require.True(t, fin.Complete)
	require.NotEmpty(t, fin.TxHex)

	// The review warnings saved with the unsigned PSBT stay with the
	// signed copy saved over it without any.
	warn := []string{"absurd fee: 1000 sat/vB is above 500 sat/vB"}
	first := ok[manager.PendingPSBT](t, r, "psbts.save", SavePSBTParams{WalletID: res.Wallet.ID, Name: "rent", PSBT: b64, Warnings: warn})
	require.Equal(t, warn, first.Warnings)
	saved := ok[manager.PendingPSBT](t, r, "psbts.save", SavePSBTParams{WalletID: res.Wallet.ID, PSBT: signed.PSBT})
	require.Equal(t, fin.TxID, saved.ID)
	require.Equal(t, warn, saved.Warnings)
	require.Equal(t, saved, ok[manager.PendingPSBT](t, r, "psbts.get", WalletPSBTParams{WalletID: res.Wallet.ID, ID: saved.ID}))
	list := ok[PSBTsResult](t, r, "psbts.list", WalletPSBTParams{WalletID: res.Wallet.ID})
	require.Len(t, list.PSBTs, 1)
	require.Equal(t, "rent", list.PSBTs[0].Name)
	ok[Deleted](t, r, "psbts.delete", WalletPSBTParams{WalletID: res.Wallet.ID, ID: saved.ID})
	require.Empty(t, ok[PSBTsResult](t, r, "psbts.list", WalletPSBTParams{WalletID: res.Wallet.ID}).PSBTs)
}

func TestStatefulMethodsSayWhyStorageIsUnavailable(t *testing.T) {
	r := NewRegistry()
	RegisterManager(r, Unavailable(errors.New("IndexedDB is disabled")))
	for _, m := range []string{"devices.list", "wallets.list", "config.get", "backup.export"} {
		e := fails(t, r, m, nil)
		require.Equal(t, Error{Code: CodeUnavailable, Message: "the app's storage is not available: IndexedDB is disabled",
			Hint: "allow site data for this app (private windows may block it), close other tabs of the app and reload"}, *e, m)
	}
}

func TestHolderSwapsTheEngine(t *testing.T) {
	h := NewHolder(nil, errors.New("wiping"))
	r := NewRegistry()
	RegisterManager(r, h.Source())
	e := fails(t, r, "devices.list", nil)
	require.Equal(t, "the app's storage is not available: wiping", e.Message)

	eng, err := manager.Open(context.Background(), store.NewMemory(), manager.Options{ScryptN: 1 << 10})
	require.NoError(t, err)
	h.Set(eng, nil)
	require.Equal(t, DevicesResult{Devices: []manager.Device{}}, ok[DevicesResult](t, r, "devices.list", nil))
	h.Set(nil, nil)
	e = fails(t, r, "devices.list", nil)
	require.Equal(t, "the app's storage is not available: the wallet data is not open", e.Message)
}

func TestSpendParsers(t *testing.T) {
	r := managerRegistry(t, store.NewMemory())
	// BIP21's example URI with amount, label and message.
	b := ok[spend.BIP21](t, r, "spend.parseBIP21", BIP21Params{URI: "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz"})
	require.Equal(t, spend.BIP21{Address: "175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W", Amount: 5_000_000_000, Label: "Luke-Jr", Message: "Donation for project xyz"}, b)
	e := fails(t, r, "spend.parseBIP21", BIP21Params{URI: "http://example.com"})
	require.Equal(t, "scan or paste the payment request again", e.Hint)

	rs := ok[RecipientsResult](t, r, "spend.parseCSV", TextParams{Text: "address,amount\nbc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu,0.015,rent\nbc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g,1500 sats\n"})
	require.Equal(t, []spend.Recipient{
		{Address: "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", Amount: 1_500_000, Label: "rent"},
		{Address: "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g", Amount: 1500},
	}, rs.Recipients)
	e = fails(t, r, "spend.parseCSV", TextParams{Text: "bc1q,abc"})
	require.Equal(t, "write one recipient per line: address,amount[,label] (amount in BTC, or with sats)", e.Hint)

	// Nothing to spend in an empty wallet.
	res := ok[manager.CreateResult](t, r, "wallets.importDescriptor", manager.ImportSpec{Name: "Empty", Network: network.Main,
		Descriptor: "wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/<0;1>/*)"})
	e = fails(t, r, "wallets.createPSBT", CreatePSBTParams{ID: res.Wallet.ID, FeeRate: 1,
		Recipients: []spend.Recipient{{Address: "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g", Amount: 10_000}}})
	require.Contains(t, e.Message, "insufficient funds")
	require.Empty(t, ok[PSBTsResult](t, r, "psbts.list", WalletPSBTParams{WalletID: res.Wallet.ID}).PSBTs)
}
