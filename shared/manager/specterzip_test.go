package manager

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// specterFixture is testdata/specter-desktop/specter-backup.zip: Specter
// Desktop's published restore fixtures packed as its backup does (see
// PROVENANCE.md there).
func specterFixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/specter-desktop/specter-backup.zip")
	require.NoError(t, err)
	return b
}

// specterFixtureFiles returns the fixture's files by archive name.
func specterFixtureFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := ReadSpecterZip(specterFixture(t))
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Name] = f.Data
	}
	return out
}

// zipOf packs files (name -> content) deflated, in name order.
func zipOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write(files[name])
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// countingStore counts the Apply calls that reached the store.
type countingStore struct {
	store.Store
	mu      sync.Mutex
	applies int
}

func (c *countingStore) Apply(ctx context.Context, ops ...store.Op) error {
	c.mu.Lock()
	c.applies++
	c.mu.Unlock()
	return c.Store.Apply(ctx, ops...)
}

// address derives a descriptor's address at index 0.
func address(t testing.TB, desc string, net network.Network) string {
	t.Helper()
	d, err := descriptor.Parse(desc)
	require.NoError(t, err)
	a, err := d.Address(0, net)
	require.NoError(t, err)
	return a
}

func TestSpecterBackupZipIsRestoredInOneApplyWithItsDevicesWalletsAndCustomLabels(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: store.NewMemory()}
	e := openEngine(t, st)

	sum, err := e.ImportSpecterZip(ctx, specterFixture(t))
	require.NoError(t, err)
	require.Equal(t, SpecterSummary{Devices: 2, Wallets: 2, Labels: 1, Skipped: []string{}}, sum)
	require.Equal(t, 1, st.applies, "everything in one store transaction")

	check := func(e *Engine) {
		ds := e.Devices()
		require.Len(t, ds, 2)
		require.Equal(t, "btchot", ds[0].Name)
		require.Equal(t, TypeOther, ds[0].Type, "Specter's bitcoincore hot wallet becomes other")
		require.Len(t, ds[0].Keys, 4)
		require.Equal(t, "[0c28f912/84h/1h/0h]tpubDDpeUiiTJ2qdFGPCtkZHxdDP1fmDb74qcujm1QyTkFE7uvye2Y32P1X18tirrWLokSu3gX37SGufhNdmTkWVVuB2tGM61iQCXvLZZvCvChu", ds[0].Keys[1].String())
		require.Equal(t, "myNiceDevice", ds[1].Name)
		require.Equal(t, "mynicedevice", ds[1].ID)
		require.Equal(t, TypeSpecterDIY, ds[1].Type)
		require.Equal(t, "[1831e62e/84h/1h/0h]tpubDDArDQWC6J5LCiB2LoNKTyEdcee2bXboauk5XzLLY1zQvFSESD6B7zwnz2YWWFemepcE69or1UzYcLtwpvBh3bmKSFmqT84UUAfrQCcaTMY", ds[1].Keys[0].String())

		ws := e.Wallets()
		require.Len(t, ws, 2)
		for i, want := range []struct{ name, device, receive, change string }{
			{"btc+Hot+Wallet", "btchot", "bcrt1qgh00vt35pmvjsedlh45vcnmts3ntgxj6w8gsa8", "bcrt1qvfh56wqnx37yzhxh0sd2wqcq9hcqv0h9n3p5tr"},
			{"SimpleMyNiceDevice", "mynicedevice", "bcrt1qavs8svrqcgnrzktvsn27z3w7acq0dljgnf8k89", "bcrt1qx70x540rcy26usrdxpv27l5qfhx7rmv9sjdx6c"},
		} {
			w := ws[i]
			require.Equal(t, want.name, w.Name)
			require.Equal(t, network.Regtest, w.Network)
			require.Equal(t, ScriptWPKH, w.ScriptType)
			require.Equal(t, Single, w.Kind)
			require.Equal(t, []string{want.device}, w.DeviceIDs)
			require.Equal(t, int32(50), w.Birthday, "Specter's blockheight")
			require.Equal(t, uint32(20), w.GapLimit)
			require.Equal(t, want.receive, address(t, w.Receive, w.Network), "Specter's recorded first receive address")
			require.Equal(t, want.change, address(t, w.Change, w.Network), "Specter's recorded first change address")
		}
		labels, err := e.Labels(ws[0].ID)
		require.NoError(t, err)
		require.Equal(t, []wallet.Label{{Type: "addr", Ref: "bcrt1qt2xpsvztclcks4q4m0yunre9a3zu4pyc4zdf66", Label: "Savings"}}, labels,
			"the custom label comes along, Specter's default Address #n labels do not")
		labels, err = e.Labels(ws[1].ID)
		require.NoError(t, err)
		require.Empty(t, labels)
	}
	check(e)
	check(openEngine(t, st.Store)) // what was stored is what the engine holds
}

func TestSpecterBackupZipRestoredTwiceSkipsWhatIsAlreadyHere(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: store.NewMemory()}
	e := openEngine(t, st)
	_, err := e.ImportSpecterZip(ctx, specterFixture(t))
	require.NoError(t, err)
	before := snapshot(t, st)

	sum, err := e.ImportSpecterZip(ctx, specterFixture(t))
	require.NoError(t, err)
	require.Equal(t, SpecterSummary{Skipped: []string{
		`devices/btchot.json: device "btchot" is already here with these keys; kept as it is`,
		`devices/mynicedevice.json: device "myNiceDevice" is already here with these keys; kept as it is`,
		`wallets/simple.json: wallet "btc+Hot+Wallet" is already here with these descriptors; kept as it is`,
		`wallets/simplemynicedevice.json: wallet "SimpleMyNiceDevice" is already here with these descriptors; kept as it is`,
	}}, sum)
	require.Equal(t, 1, st.applies, "nothing new, nothing written")
	require.Equal(t, before, snapshot(t, st))
}

func TestSpecterBackupWalletUsesDevicesAlreadyHereAndMakesCosignersForUnknownKeys(t *testing.T) {
	ctx := context.Background()
	files := specterFixtureFiles(t)
	e := openEngine(t, store.NewMemory())
	// myNiceDevice is already here under another name: the wallet uses it.
	kept := addDevice(t, e, "My DIY", TypeSpecterDIY, "[1831e62e/84h/1h/0h]tpubDDArDQWC6J5LCiB2LoNKTyEdcee2bXboauk5XzLLY1zQvFSESD6B7zwnz2YWWFemepcE69or1UzYcLtwpvBh3bmKSFmqT84UUAfrQCcaTMY")
	// Without btchot's file, its wallet's key gets a new cosigner device.
	sum, err := e.ImportSpecter(ctx, []SpecterFile{
		{Name: "wallets/simple.json", Data: files["wallets/simple.json"]},
		{Name: "wallets/simplemynicedevice.json", Data: files["wallets/simplemynicedevice.json"]},
	})
	require.NoError(t, err)
	require.Equal(t, SpecterSummary{Devices: 1, Wallets: 2, Labels: 1, Skipped: []string{}}, sum)
	ws := e.Wallets()
	require.Equal(t, []string{"cosigner_0c28f912"}, ws[0].DeviceIDs)
	require.Equal(t, []string{kept.ID}, ws[1].DeviceIDs)
	d, err := e.Device("cosigner_0c28f912")
	require.NoError(t, err)
	require.Equal(t, "Cosigner 0c28f912", d.Name)
	require.Equal(t, TypeOther, d.Type)
}

// brokenSpecterBackups are archives that must be refused whole, with the
// file and the problem named.
func brokenSpecterBackups(t testing.TB) []struct {
	name  string
	edit  func(files map[string][]byte)
	want  string
	setup func(e *Engine)
} {
	t.Helper()
	editJSON := func(files map[string][]byte, name string, fn func(v map[string]any)) {
		var v map[string]any
		require.NoError(t, json.Unmarshal(files[name], &v))
		fn(v)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		files[name] = b
	}
	return []struct {
		name  string
		edit  func(files map[string][]byte)
		want  string
		setup func(e *Engine)
	}{
		{name: "a wallet file cut short",
			edit: func(f map[string][]byte) {
				f["wallets/simplemynicedevice.json"] = f["wallets/simplemynicedevice.json"][:200]
			},
			want: "wallets/simplemynicedevice.json: it is not a Specter wallet file (the JSON does not parse: unexpected end of JSON input)"},
		{name: "a wallet whose descriptor checksum is wrong",
			edit: func(f map[string][]byte) {
				editJSON(f, "wallets/simple.json", func(v map[string]any) {
					v["recv_descriptor"] = strings.Replace(v["recv_descriptor"].(string), "#am92xxvq", "#am92xxvz", 1)
				})
			},
			want: `wallets/simple.json: the wallet file cannot be read: reading the Specter Desktop wallet backup JSON: receive descriptor: descriptor: checksum "am92xxvz" does not match the descriptor (expected "am92xxvq"): the descriptor or its checksum was mistyped`},
		{name: "a wallet whose recorded address is not its descriptor's",
			edit: func(f map[string][]byte) {
				editJSON(f, "wallets/simple.json", func(v map[string]any) { v["address"] = "bcrt1qavs8svrqcgnrzktvsn27z3w7acq0dljgnf8k89" })
			},
			want: `wallets/simple.json: the wallet file cannot be read: reading the Specter Desktop wallet backup JSON: the "address" is bcrt1qavs8svrqcgnrzktvsn27z3w7acq0dljgnf8k89 but the descriptor's receive address 0 is bcrt1qgh00vt35pmvjsedlh45vcnmts3ntgxj6w8gsa8: the file's keys or policy do not give its addresses, do not use it`},
		{name: "a wallet file that is no wallet",
			edit: func(f map[string][]byte) { f["wallets/simple.json"] = []byte(`{"name":"notes","text":"hello"}`) },
			want: `wallets/simple.json: it is not a Specter wallet file: it has no "recv_descriptor"`},
		{name: "a device with a damaged key",
			edit: func(f map[string][]byte) {
				f["devices/mynicedevice.json"] = bytes.Replace(f["devices/mynicedevice.json"], []byte("tpubDDArDQWC6J5L"), []byte("tpubDDArDQWC6J5M"), 1)
			},
			want: `devices/mynicedevice.json: device "myNiceDevice": the key export cannot be read: Specter Desktop device "myNiceDevice", key 1: "xpub": extended key "tpubDDAr…CcaTMY": not valid base58check: checksum does not match: check for a typo or a truncated copy`},
		{name: "two devices of the backup with one name",
			edit: func(f map[string][]byte) {
				editJSON(f, "devices/btchot.json", func(v map[string]any) { v["name"] = "MYNICEDEVICE" })
			},
			want: "devices/mynicedevice.json: another file of the backup has a device named \"MYNICEDEVICE\" too"},
		{name: "a device name already here with other keys",
			setup: func(e *Engine) { addDevice(t, e, "btchot", TypeLedger, keyA) },
			want:  "devices/btchot.json: a device named \"btchot\" is already in this app with other keys (rename or delete that device, then restore again)"},
		{name: "a wallet name already here with other descriptors",
			setup: func(e *Engine) {
				d := addDevice(t, e, "Other", TypeOther, keyAt(t, 7, &chaincfg.RegressionNetParams, "84'/1'/0'"))
				_, err := e.CreateWallet(context.Background(), WalletSpec{Name: "simplemynicedevice", ScriptType: ScriptWPKH, DeviceIDs: []string{d.ID}, Network: network.Regtest})
				require.NoError(t, err)
			},
			want: "wallets/simplemynicedevice.json: a wallet named \"simplemynicedevice\" is already in this app with other descriptors (rename or delete that wallet, then restore again)"},
		{name: "a label not given addresses",
			edit: func(f map[string][]byte) {
				editJSON(f, "wallets/simple.json", func(v map[string]any) { v["labels"].(map[string]any)["Rent"] = 42 })
			},
			want: "wallets/simple.json: wallet \"btc+Hot+Wallet\": label \"Rent\" is not given a list of addresses"},
	}
}

func TestSpecterWalletFileWalletfileRefusesFallsBackToItsDescriptors(t *testing.T) {
	files := specterFixtureFiles(t)
	var v map[string]any
	require.NoError(t, json.Unmarshal(files["wallets/simple.json"], &v))
	v["sigs_required"] = 2 // walletfile refuses a threshold its descriptor does not have
	b, err := json.Marshal(v)
	require.NoError(t, err)
	files["wallets/simple.json"] = b
	e := openEngine(t, store.NewMemory())
	sum, err := e.ImportSpecterZip(context.Background(), zipOf(t, files))
	require.NoError(t, err)
	require.Equal(t, SpecterSummary{Devices: 2, Wallets: 2, Labels: 1, Skipped: []string{}}, sum)
	w := e.Wallets()[0]
	require.Equal(t, "btc+Hot+Wallet", w.Name)
	require.Equal(t, int32(50), w.Birthday)
	require.Equal(t, "bcrt1qgh00vt35pmvjsedlh45vcnmts3ntgxj6w8gsa8", address(t, w.Receive, w.Network))
	require.Equal(t, "bcrt1qvfh56wqnx37yzhxh0sd2wqcq9hcqv0h9n3p5tr", address(t, w.Change, w.Network))
}

func TestSpecterBackupWithABadFileStoresNothingAndNamesTheFile(t *testing.T) {
	for _, tc := range brokenSpecterBackups(t) {
		t.Run(tc.name, func(t *testing.T) {
			files := specterFixtureFiles(t)
			if tc.edit != nil {
				tc.edit(files)
			}
			st := &countingStore{Store: store.NewMemory()}
			e := openEngine(t, st)
			if tc.setup != nil {
				tc.setup(e)
			}
			before, applies := snapshot(t, st), st.applies
			devices, wallets := e.Devices(), e.Wallets()

			_, err := e.ImportSpecterZip(context.Background(), zipOf(t, files))
			require.Error(t, err)
			var me *Error
			require.True(t, errors.As(err, &me))
			require.Equal(t, KindInvalid, me.Kind)
			require.Equal(t, "the Specter Desktop backup cannot be restored (1 file has a problem)", me.Message)
			require.Equal(t, tc.want, me.Err.Error())
			require.True(t, strings.HasPrefix(me.Hint, "nothing was added;"), me.Hint)
			require.Equal(t, applies, st.applies, "no write at all")
			require.Equal(t, before, snapshot(t, st))
			require.Equal(t, devices, e.Devices())
			require.Equal(t, wallets, e.Wallets())
		})
	}
}

func TestSpecterBackupNamesEveryBadFile(t *testing.T) {
	files := specterFixtureFiles(t)
	files["wallets/simple.json"] = []byte("{")
	files["devices/btchot.json"] = []byte(`{"name":"btchot","keys":[]}`)
	_, err := openEngine(t, store.NewMemory()).ImportSpecterZip(context.Background(), zipOf(t, files))
	var me *Error
	require.True(t, errors.As(err, &me))
	require.Equal(t, "the Specter Desktop backup cannot be restored (2 files have problems)", me.Message)
	require.Equal(t, `devices/btchot.json: device "btchot": the key export cannot be read: Specter Desktop device "btchot": "keys" is empty; `+
		`wallets/simple.json: it is not a Specter wallet file (the JSON does not parse: unexpected end of JSON input)`, me.Err.Error())
}

func TestSpecterBackupRestoreWhoseWriteFailsLeavesStoreAndEngineAsTheyWere(t *testing.T) {
	ctx := context.Background()
	st := &failingStore{Store: store.NewMemory()}
	e := openEngine(t, st)
	existing := addDevice(t, e, "Existing", TypeOther, keyA)
	before := snapshot(t, st)

	st.setFail(true)
	_, err := e.ImportSpecterZip(ctx, specterFixture(t))
	require.ErrorIs(t, err, ErrStorage)
	require.ErrorIs(t, err, errDiskFull)
	require.Equal(t, before, snapshot(t, st), "nothing half-written")
	require.Equal(t, []Device{existing}, e.Devices(), "the engine holds what the store holds")
	require.Empty(t, e.Wallets())

	// The same restore succeeds once the store works: nothing of the failed
	// attempt is in the way.
	st.setFail(false)
	sum, err := e.ImportSpecterZip(ctx, specterFixture(t))
	require.NoError(t, err)
	require.Equal(t, SpecterSummary{Devices: 2, Wallets: 2, Labels: 1, Skipped: []string{}}, sum)
	require.Len(t, openEngine(t, st.Store).Wallets(), 2)
}

func TestReadSpecterZipRefusesWhatIsNotASpecterBackup(t *testing.T) {
	big := bytes.Repeat([]byte(" "), maxSpecterFileSize+1)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not a zip", []byte(`{"format":"specter-pwa-backup"}`), "the file is not a ZIP archive, or it is damaged: zip: not a valid zip file"},
		{"an empty zip", zipOf(t, map[string][]byte{}), "the ZIP archive has no devices/ or wallets/ files"},
		{"a zip of other files", zipOf(t, map[string][]byte{"notes.txt": []byte("hi"), "devices/readme.md": []byte("x"), "config.json": []byte("{}")}), "the ZIP archive has no devices/ or wallets/ files"},
		{"only macOS copies", zipOf(t, map[string][]byte{"__MACOSX/devices/._a.json": {0, 5, 22, 7}, "backup/devices/._b.json": {0}}), "the ZIP archive has no devices/ or wallets/ files"},
		{"a file unpacking past 4 MiB", zipOf(t, map[string][]byte{"devices/a.json": big}), "devices/a.json is larger than 4 MiB, far more than a device or wallet file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSpecterZip(tc.data)
			var me *Error
			require.True(t, errors.As(err, &me), "%v", err)
			require.Equal(t, KindInvalid, me.Kind)
			require.Equal(t, tc.want, me.Text())
			require.Equal(t, "choose the specter-backup.zip that Specter Desktop saved (Settings > Backup), unchanged", me.Hint)
		})
	}
}

func TestReadSpecterZipKeepsDeviceAndWalletFilesInAnyFolderSorted(t *testing.T) {
	files, err := ReadSpecterZip(zipOf(t, map[string][]byte{
		"specter/wallets/w.json": []byte("w"), "devices/b.JSON": []byte("b"), "devices/a.json": []byte("a"),
		"__MACOSX/devices/._a.json": {0}, "devices/notes.txt": []byte("n"), "wallets/": nil,
	}))
	require.NoError(t, err)
	require.Equal(t, []SpecterFile{{"devices/a.json", []byte("a")}, {"devices/b.JSON", []byte("b")}, {"specter/wallets/w.json", []byte("w")}}, files)
}

// FuzzImportSpecterZip feeds arbitrary archives to ImportSpecterZip: it
// must never panic, and a refused archive leaves the store unchanged.
func FuzzImportSpecterZip(f *testing.F) {
	f.Add(specterFixture(f))
	files := specterFixtureFiles(f)
	files["wallets/simple.json"] = []byte(`{"name":"x","recv_descriptor":"wpkh(tpub)"}`)
	f.Add(zipOf(f, files))
	f.Add(zipOf(f, map[string][]byte{"devices/a.json": []byte(`{"name":"a","keys":[{"xpub":"tpub"}]}`)}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := store.NewMemory()
		e := openEngine(t, st)
		addDevice(t, e, "Existing", TypeOther, keyA)
		before := snapshot(t, st)
		if _, err := e.ImportSpecterZip(context.Background(), data); err != nil {
			require.Equal(t, before, snapshot(t, st))
			return
		}
		require.Equal(t, len(e.Devices()), len(openEngine(t, st).Devices()))
		require.Equal(t, e.Wallets(), openEngine(t, st).Wallets())
	})
}
