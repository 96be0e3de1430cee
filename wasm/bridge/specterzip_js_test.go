//go:build js && wasm

package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/wasm/idb"
)

// TestSpecterZipRestorePersistsInIndexedDB restores Specter Desktop's
// backup zip over the real IndexedDB store in Chromium: a zip with a broken
// wallet file leaves the database empty; the intact zip is found again by a
// fresh engine after the database is closed, as after a reload.
func TestSpecterZipRestorePersistsInIndexedDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const name = "test-bridge-specter-zip"
	require.NoError(t, idb.Delete(ctx, name))
	defer func() { require.NoError(t, idb.Delete(context.Background(), name)) }()

	db, err := idb.Open(ctx, name)
	require.NoError(t, err)
	r := managerRegistry(t, db)
	broken := breakSpecterZip(t, specterBackupZip(t), "wallets/simple.json", []byte("{"))
	e := fails(t, r, "backup.importSpecterZip", SpecterZipParams{Zip: broken})
	require.Equal(t, "invalid", e.Code)
	require.Equal(t, map[string]int{}, countRecords(t, db), "nothing of the broken backup is stored")
	checkSpecterRestore(t, r)
	db.Close()

	db2, err := idb.Open(ctx, name)
	require.NoError(t, err)
	defer db2.Close()
	require.Equal(t, map[string]int{"devices": 2, "wallets": 2, "changesets": 2}, countRecords(t, db2))
	r2 := managerRegistry(t, db2)
	wallets := ok[WalletsResult](t, r2, "wallets.list", nil)
	require.Len(t, wallets.Wallets, 2)
	labels := ok[LabelsResult](t, r2, "labels.list", WalletPSBTParams{WalletID: wallets.Wallets[0].ID})
	require.Len(t, labels.Labels, 1)
	require.Equal(t, "Savings", labels.Labels[0].Label)
}

// countRecords counts the records of each non-empty collection.
func countRecords(t *testing.T, db *idb.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for c, recs := range snapshotStore(t, db) {
		if len(recs) > 0 {
			out[c] = len(recs)
		}
	}
	return out
}
