package manager

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/store"
)

// FuzzImportAll feeds arbitrary backup files to ImportAll: it must never
// panic, and when it refuses a file the store must be unchanged.
func FuzzImportAll(f *testing.F) {
	seedEngine := fullEngine(f, store.NewMemory())
	good, err := seedEngine.ExportAll()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"format":"specter-pwa-backup","version":1,"config":{"units":"btc","fee_source":"node","language":"en"},"devices":[],"wallets":[],"psbts":[]}`))
	f.Add([]byte(`{"format":"specter-pwa-backup","version":1,"devices":[{"id":"a","name":"a","type":"hot","keys":[],"seed":{"version":1,"kdf":"scrypt","n":1024,"r":8,"p":1}}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := store.NewMemory()
		e := openEngine(t, st)
		addDevice(t, e, "Existing", TypeOther, keyA)
		before := snapshot(t, st)
		if _, err := e.ImportAll(context.Background(), data); err != nil {
			require.Equal(t, before, snapshot(t, st))
			return
		}
		// What was accepted exports and restores to the same bytes.
		out, err := e.ExportAll()
		require.NoError(t, err)
		e2 := openEngine(t, store.NewMemory())
		_, err = e2.ImportAll(context.Background(), out)
		require.NoError(t, err)
		again, err := e2.ExportAll()
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
	})
}

// FuzzAlias checks that every name gives a URL-safe id.
func FuzzAlias(f *testing.F) {
	for _, s := range []string{"My Ledger", "🔑", "a/b?c#d", "   ", "Ünïcode"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id := uniqueID(name, "device", func(string) bool { return false })
		require.True(t, validID(id), "%q -> %q", name, id)
	})
}
