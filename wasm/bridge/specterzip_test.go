package bridge

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/store"
)

// specterBackupZip is testdata/specter-backup.zip, a copy of
// shared/manager/testdata/specter-desktop/specter-backup.zip (Specter
// Desktop's restore fixtures packed as its backup does; see PROVENANCE.md
// there).
func specterBackupZip(t *testing.T) []byte {
	t.Helper()
	b, err := testdataFS.ReadFile("testdata/specter-backup.zip")
	require.NoError(t, err)
	return b
}

// breakSpecterZip rewrites the archive with one file replaced.
func breakSpecterZip(t *testing.T, data []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		require.NoError(t, err)
		if f.Name == name {
			_, err = w.Write(content)
			require.NoError(t, err)
			continue
		}
		rc, err := f.Open()
		require.NoError(t, err)
		_, err = io.Copy(w, rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// checkSpecterRestore restores the fixture through the bridge (the zip as
// base64, as the page sends it) and checks what the engine lists.
func checkSpecterRestore(t *testing.T, r *Registry) {
	t.Helper()
	sum := ok[manager.SpecterSummary](t, r, "backup.importSpecterZip", map[string]string{"zip": base64.StdEncoding.EncodeToString(specterBackupZip(t))})
	require.Equal(t, manager.SpecterSummary{Devices: 2, Wallets: 2, Labels: 1, Skipped: []string{}}, sum)
	devices := ok[DevicesResult](t, r, "devices.list", nil)
	require.Len(t, devices.Devices, 2)
	require.Equal(t, "btchot", devices.Devices[0].Name)
	require.Equal(t, "myNiceDevice", devices.Devices[1].Name)
	wallets := ok[WalletsResult](t, r, "wallets.list", nil)
	require.Len(t, wallets.Wallets, 2)
	require.Equal(t, "btc+Hot+Wallet", wallets.Wallets[0].Name)
	require.Equal(t, "SimpleMyNiceDevice", wallets.Wallets[1].Name)
	labels := ok[LabelsResult](t, r, "labels.list", WalletPSBTParams{WalletID: wallets.Wallets[0].ID})
	require.Len(t, labels.Labels, 1)
	require.Equal(t, "bcrt1qt2xpsvztclcks4q4m0yunre9a3zu4pyc4zdf66", labels.Labels[0].Ref)
	require.Equal(t, "Savings", labels.Labels[0].Label)
}

func TestSpecterZipRestoresThroughOneBridgeCall(t *testing.T) {
	r := managerRegistry(t, store.NewMemory())
	checkSpecterRestore(t, r)

	again := ok[manager.SpecterSummary](t, r, "backup.importSpecterZip", SpecterZipParams{Zip: specterBackupZip(t)})
	require.Equal(t, 0, again.Devices+again.Wallets+again.Labels)
	require.Len(t, again.Skipped, 4, "everything is already here")
}

func TestSpecterZipWithABrokenWalletFileAddsNothing(t *testing.T) {
	st := store.NewMemory()
	r := managerRegistry(t, st)
	before := snapshotStore(t, st)
	e := fails(t, r, "backup.importSpecterZip", SpecterZipParams{Zip: breakSpecterZip(t, specterBackupZip(t), "wallets/simplemynicedevice.json", []byte(`{"name":"SimpleMyNiceDevice","recv_descriptor":`))})
	require.Equal(t, "invalid", e.Code)
	require.Equal(t, "the Specter Desktop backup cannot be restored (1 file has a problem): wallets/simplemynicedevice.json: it is not a Specter wallet file (the JSON does not parse: unexpected end of JSON input)", e.Message)
	require.Equal(t, "nothing was added; fix or remove the files named, or save the backup again in Specter Desktop (Settings > Backup), then restore it again", e.Hint)
	require.Equal(t, before, snapshotStore(t, st))
	require.Empty(t, ok[DevicesResult](t, r, "devices.list", nil).Devices, "the good device files were not added either")

	e = fails(t, r, "backup.importSpecterZip", SpecterZipParams{})
	require.Equal(t, "bad_params", e.Code)
	e = fails(t, r, "backup.importSpecterZip", SpecterZipParams{Zip: []byte("not a zip")})
	require.Equal(t, "invalid", e.Code)
	require.Equal(t, "the file is not a ZIP archive, or it is damaged: zip: not a valid zip file", e.Message)
	require.Equal(t, "choose the specter-backup.zip that Specter Desktop saved (Settings > Backup), unchanged", e.Hint)
}

// snapshotStore returns every record of every collection.
func snapshotStore(t *testing.T, st store.Store) map[string][]store.Record {
	t.Helper()
	out := map[string][]store.Record{}
	for _, c := range store.Collections {
		recs, err := st.List(t.Context(), c)
		require.NoError(t, err)
		out[c] = recs
	}
	return out
}
