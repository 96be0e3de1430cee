package manager

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// testPSBT builds an unsigned BIP174 PSBT spending the given outpoints of
// txid-like hashes (byte b repeated) to one P2WPKH output.
func testPSBT(t testing.TB, ins ...wire.OutPoint) string {
	t.Helper()
	ops := make([]*wire.OutPoint, len(ins))
	seq := make([]uint32, len(ins))
	for i := range ins {
		ops[i] = &ins[i]
		seq[i] = wire.MaxTxInSequenceNum - 2
	}
	out := wire.NewTxOut(50_000, append([]byte{0x00, 0x14}, make([]byte, 20)...))
	p, err := bpsbt.New(ops, []*wire.TxOut{out}, 2, 0, seq)
	require.NoError(t, err)
	s, err := p.B64Encode()
	require.NoError(t, err)
	return s
}

func outpoint(b byte, vout uint32) wire.OutPoint {
	var h chainhash.Hash
	for i := range h {
		h[i] = b
	}
	return wire.OutPoint{Hash: h, Index: vout}
}

// fullEngine fills an engine with every kind of record.
func fullEngine(t testing.TB, st store.Store) *Engine {
	t.Helper()
	ctx := context.Background()
	v := loadVectors(t)
	e := openEngine(t, st)
	a := addDevice(t, e, "Signer 1", TypeColdcard, keyA).ID
	b := addDevice(t, e, "Signer 2", TypeLedger, keyB).ID
	c := addDevice(t, e, "Signer 3", TypeJade, keyC).ID
	addDevice(t, e, "Spare", TypeKrux, keyAt(t, 11, &chaincfgMain, "84'/0'/0'"))
	hot, _, err := e.CreateHotDevice(ctx, "Hot", v.Hot.Mnemonic, "", hotPassword, network.Main)
	require.NoError(t, err)
	res, err := e.CreateWallet(ctx, WalletSpec{Name: "Vault", ScriptType: ScriptWSH, DeviceIDs: []string{a, b, c}, Network: network.Main, Birthday: 800000})
	require.NoError(t, err)
	_, err = e.CreateWallet(ctx, WalletSpec{Name: "Spending", ScriptType: ScriptWPKH, DeviceIDs: []string{hot.ID}, Network: network.Main})
	require.NoError(t, err)
	_, err = e.ImportDescriptor(ctx, ImportSpec{Name: "Imported", Descriptor: v.Import[0].Descriptor, Network: network.Main})
	require.NoError(t, err)
	require.NoError(t, e.SetLabel(ctx, res.Wallet.ID, wallet.Label{Type: "addr", Ref: res.FirstAddress, Label: "donations"}))
	require.NoError(t, e.Update(ctx, res.Wallet.ID, func(w *wallet.Wallet) (wallet.ChangeSet, error) {
		_, cs, err := w.NextReceiveAddress()
		return cs, err
	}))
	_, err = e.SavePSBT(ctx, res.Wallet.ID, "Rent", []byte(testPSBT(t, outpoint(1, 0), outpoint(2, 1))))
	require.NoError(t, err)
	_, err = e.SetConfig(ctx, Config{Units: UnitsSats, Explorer: "https://mempool.space", FeeSource: "https://mempool.space/api", Language: "pt-BR", RelayID: "home", NodeID: "core-1"})
	require.NoError(t, err)
	return e
}

func TestBackupWipeRestoreGivesIdenticalExport(t *testing.T) {
	ctx := context.Background()
	e := fullEngine(t, store.NewMemory())
	first, err := e.ExportAll()
	require.NoError(t, err)

	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(first, &doc))
	require.Equal(t, `"specter-pwa-backup"`, string(doc["format"]))
	require.Equal(t, "1", string(doc["version"]))

	fresh := store.NewMemory()
	e2 := openEngine(t, fresh)
	sum, err := e2.ImportAll(ctx, first)
	require.NoError(t, err)
	require.Equal(t, ImportSummary{Devices: 8, Wallets: 3, PSBTs: 1}, sum)
	second, err := e2.ExportAll()
	require.NoError(t, err)
	require.Equal(t, string(first), string(second))

	// A third engine reading the restored store sees the same, and the
	// restored hot device still unlocks.
	e3 := openEngine(t, fresh)
	third, err := e3.ExportAll()
	require.NoError(t, err)
	require.Equal(t, string(first), string(third))
	_, err = e3.UnlockHotDevice(ctx, "hot", hotPassword)
	require.NoError(t, err)
	labels, err := e3.Labels("vault")
	require.NoError(t, err)
	require.Equal(t, "donations", labels[0].Label)
	require.Equal(t, UnitsSats, e3.Config().Units)
	require.Equal(t, "https://mempool.space/", e3.Config().Explorer)

	// Restoring into a store with other data replaces it.
	other := openEngine(t, store.NewMemory())
	addDevice(t, other, "Stranger", TypeOther, keyAt(t, 5, &chaincfgMain, "84'/0'/0'"))
	_, err = other.ImportAll(ctx, first)
	require.NoError(t, err)
	_, err = other.Device("stranger")
	require.ErrorIs(t, err, ErrNotFound)
	fourth, err := other.ExportAll()
	require.NoError(t, err)
	require.Equal(t, string(first), string(fourth))
}

func TestImportAllRefusesABadFileAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := fullEngine(t, st)
	good, err := e.ExportAll()
	require.NoError(t, err)
	before := snapshot(t, st)

	edit := func(f func(b *Backup)) []byte {
		var b Backup
		require.NoError(t, json.Unmarshal(good, &b))
		f(&b)
		out, err := json.Marshal(b)
		require.NoError(t, err)
		return out
	}
	for _, tc := range []struct {
		name string
		data []byte
		msg  string
	}{
		{"not JSON", []byte("PK\x03\x04zip"), "the backup file is not a backup of this app"},
		{"trailing data", append(append([]byte{}, good...), []byte(" {}")...), "the backup file has data after the backup"},
		{"unknown field", []byte(strings.Replace(string(good), `"format"`, `"extra": 1, "format"`, 1)), "the backup file is not a backup of this app"},
		{"other format", edit(func(b *Backup) { b.Format = "specter-desktop" }), `the file's format is "specter-desktop", not "specter-pwa-backup"`},
		{"newer version", edit(func(b *Backup) { b.Version = 2 }), "backup version 2 is not supported (this app reads version 1)"},
		{"wallet uses a missing device", edit(func(b *Backup) { b.Devices = b.Devices[1:] }), "the backup cannot be restored: wallet"},
		{"broken descriptor", edit(func(b *Backup) {
			b.Wallets[2].Descriptor = strings.Replace(b.Wallets[2].Descriptor, "wsh(", "wsh((", 1)
		}), `the backup cannot be restored: wallet 3 ("Vault")`},
		{"descriptor of another wallet", edit(func(b *Backup) { b.Wallets[2].State = b.Wallets[0].State }), `the backup cannot be restored: wallet 3 ("Vault"): its stored state was made for other descriptors or settings`},
		{"wrong threshold", edit(func(b *Backup) { b.Wallets[2].M = 3 }), `the backup cannot be restored: wallet 3 ("Vault"): its type multi wsh 3-of-3 does not match its descriptor (multi wsh 2-of-3)`},
		{"bad xpub", edit(func(b *Backup) { b.Devices[0].Keys[0].Xpub = b.Devices[0].Keys[0].Xpub[:50] }), `the backup cannot be restored: device 1`},
		{"hot device without seed", edit(func(b *Backup) {
			for i := range b.Devices {
				b.Devices[i].Seed = nil
			}
		}), `the backup cannot be restored: device 4 ("Hot"): a hot device needs its encrypted seed and only a hot device has one`},
		{"model of another type", edit(func(b *Backup) { b.Devices[3].Model = "q" }), `the backup cannot be restored: device 4 ("Hot"): a hot device has no model "q"`},
		{"truncated seed", edit(func(b *Backup) { b.Devices[3].Seed.Salt = b.Devices[3].Seed.Salt[:3] }), `the backup cannot be restored: device 4 ("Hot"): the encrypted seed is truncated`},
		{"duplicate device names", edit(func(b *Backup) { b.Devices[5].Name = "signer 1" }), `the backup cannot be restored: device 6 ("signer 1"): two devices are named "signer 1"`},
		{"bad device id", edit(func(b *Backup) { b.Devices[0].ID = "../etc" }), `the backup cannot be restored: device 1 ("Cosigner 793cc70b"): id "../etc" is not valid`},
		{"PSBT of a missing wallet", edit(func(b *Backup) { b.PSBTs[0].WalletID = "gone" }), `the backup cannot be restored: pending transaction 1 ("Rent"): its wallet "gone" is not in the backup`},
		{"PSBT not matching its id", edit(func(b *Backup) { b.PSBTs[0].ID = strings.Repeat("0", 64) }), `the backup cannot be restored: pending transaction 1 ("Rent"): its id 0000000000000000000000000000000000000000000000000000000000000000 is not its transaction id`},
		{"PSBT garbage", edit(func(b *Backup) { b.PSBTs[0].PSBT = base64.StdEncoding.EncodeToString([]byte("psbt\xffxx")) }), `the backup cannot be restored: pending transaction 1 ("Rent")`},
		{"bad config", edit(func(b *Backup) { b.Config.Units = "mbtc" }), `the backup cannot be restored: settings: unknown units "mbtc"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.ImportAll(ctx, tc.data)
			require.ErrorIs(t, err, ErrInvalid)
			require.True(t, strings.HasPrefix(err.Error(), tc.msg), err.Error())
			require.Equal(t, before, snapshot(t, st))
			now, err := e.ExportAll()
			require.NoError(t, err)
			require.Equal(t, string(good), string(now))
		})
	}
}

func TestFailingApplyLeavesStoreAndEngineAsTheyWere(t *testing.T) {
	ctx := context.Background()
	fs := &failingStore{Store: store.NewMemory()}
	e := fullEngine(t, fs)
	good, err := e.ExportAll()
	require.NoError(t, err)
	before := snapshot(t, fs)
	other := fullEngine(t, store.NewMemory())
	otherBackup, err := other.ExportAll()
	require.NoError(t, err)
	v := loadVectors(t)

	fs.setFail(true)
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"add device", func() error {
			_, err := e.AddDevice(ctx, Device{Name: "New", Type: TypeOther, Keys: mustKeys(t, keyAt(t, 4, &chaincfgMain, "84'/0'/0'"))})
			return err
		}},
		{"add hot device", func() error {
			_, _, err := e.CreateHotDevice(ctx, "Hot 2", v.Hot.Mnemonic, "", hotPassword, network.Test)
			return err
		}},
		{"rename device", func() error { _, err := e.RenameDevice(ctx, "signer_1", "Renamed"); return err }},
		{"add keys", func() error {
			_, err := e.AddDeviceKeys(ctx, "signer_1", mustKeys(t, keyAt(t, 4, &chaincfgMain, "84'/0'/0'")))
			return err
		}},
		{"delete device", func() error { return e.DeleteDevice(ctx, "spare") }},
		{"create wallet", func() error {
			_, err := e.CreateWallet(ctx, WalletSpec{Name: "New", ScriptType: ScriptWSH, DeviceIDs: []string{"signer_1", "signer_2"}, Network: network.Main})
			return err
		}},
		{"import descriptor", func() error {
			_, err := e.ImportDescriptor(ctx, ImportSpec{Name: "New", Descriptor: "wpkh(" + keyAt(t, 6, &chaincfgMain, "84'/0'/0'") + "/<0;1>/*)", Network: network.Main})
			return err
		}},
		{"rename wallet", func() error { _, err := e.RenameWallet(ctx, "vault", "Renamed"); return err }},
		{"gap limit", func() error { _, err := e.SetGapLimit(ctx, "vault", 50); return err }},
		{"delete wallet", func() error { return e.DeleteWallet(ctx, "vault") }},
		{"label", func() error {
			return e.SetLabel(ctx, "vault", wallet.Label{Type: "tx", Ref: strings.Repeat("ab", 32), Label: "x"})
		}},
		{"reveal address", func() error {
			return e.Update(ctx, "vault", func(w *wallet.Wallet) (wallet.ChangeSet, error) {
				_, cs, err := w.NextChangeAddress()
				return cs, err
			})
		}},
		{"save PSBT", func() error {
			_, err := e.SavePSBT(ctx, "vault", "Other", []byte(testPSBT(t, outpoint(3, 0))))
			return err
		}},
		{"delete PSBT", func() error {
			ps, err := e.PSBTs("vault")
			require.NoError(t, err)
			return e.DeletePSBT(ctx, "vault", ps[0].ID)
		}},
		{"config", func() error { _, err := e.SetUnits(ctx, UnitsBTC); return err }},
		{"restore", func() error { _, err := e.ImportAll(ctx, otherBackup); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			require.ErrorIs(t, err, ErrStorage)
			require.ErrorIs(t, err, errDiskFull)
			require.Equal(t, before, snapshot(t, fs))
			now, err := e.ExportAll()
			require.NoError(t, err)
			require.Equal(t, string(good), string(now))
		})
	}
	fs.setFail(false)
	require.Equal(t, string(good), string(mustExport(t, openEngine(t, fs))))
}

func mustExport(t testing.TB, e *Engine) []byte {
	t.Helper()
	b, err := e.ExportAll()
	require.NoError(t, err)
	return b
}

func TestPendingPSBTsLockTheirInputs(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := fullEngine(t, st)
	ps, err := e.PSBTs("vault")
	require.NoError(t, err)
	require.Len(t, ps, 1)
	rent := ps[0]
	require.Equal(t, "Rent", rent.Name)
	require.Equal(t, []string{outpoint(1, 0).String(), outpoint(2, 1).String()}, rent.Inputs)
	locked := func(e *Engine) map[string]string {
		var out map[string]string
		require.NoError(t, e.View("vault", func(w *wallet.Wallet) error {
			out = map[string]string{}
			for k, v := range w.State().Locked {
				if v != "" {
					out[k] = v
				}
			}
			return nil
		}))
		return out
	}
	require.Equal(t, map[string]string{outpoint(1, 0).String(): rent.ID, outpoint(2, 1).String(): rent.ID}, locked(e))

	_, err = e.SavePSBT(ctx, "vault", "Double spend", []byte(testPSBT(t, outpoint(2, 1), outpoint(4, 0))))
	require.ErrorIs(t, err, ErrDuplicate)
	require.EqualError(t, err, "input "+outpoint(2, 1).String()+` is already spent by pending transaction "Rent" (delete that pending transaction first, or use other coins)`)

	// The same transaction saved again replaces it and keeps its name.
	again, err := e.SavePSBT(ctx, "vault", "", []byte(rent.PSBT))
	require.NoError(t, err)
	require.Equal(t, rent, again)
	_, err = e.SavePSBT(ctx, "vault", "x", []byte("not a psbt"))
	require.ErrorIs(t, err, ErrInvalid)
	_, err = e.SavePSBT(ctx, "nope", "x", []byte(rent.PSBT))
	require.ErrorIs(t, err, ErrNotFound)

	e2 := openEngine(t, st)
	require.Equal(t, locked(e), locked(e2))
	require.NoError(t, e2.DeletePSBT(ctx, "vault", rent.ID))
	require.Empty(t, locked(e2))
	ps, err = openEngine(t, st).PSBTs("vault")
	require.NoError(t, err)
	require.Empty(t, ps)
	require.ErrorIs(t, e2.DeletePSBT(ctx, "vault", rent.ID), ErrNotFound)
	// Now the other spend is allowed.
	p, err := e2.SavePSBT(ctx, "vault", "", []byte(testPSBT(t, outpoint(2, 1))))
	require.NoError(t, err)
	require.Equal(t, "Transaction "+p.ID[:8], p.Name)
	got, err := e2.PSBT("vault", p.ID)
	require.NoError(t, err)
	require.Equal(t, p, got)
}

func TestDeleteWalletRemovesItsPendingPSBTs(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := fullEngine(t, st)
	require.NoError(t, e.DeleteWallet(ctx, "vault"))
	recs, err := st.List(ctx, store.PSBTs)
	require.NoError(t, err)
	require.Empty(t, recs)
	_, err = e.PSBTs("vault")
	require.ErrorIs(t, err, ErrNotFound)
}
