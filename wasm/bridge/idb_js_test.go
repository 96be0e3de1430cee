//go:build js && wasm

package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/wallet"
	"github.com/specterpwa/specter/wasm/idb"
)

// TestWalletScenarioPersistsInIndexedDB runs the new-user scenario over the
// real IndexedDB store in Chromium, closes the database as a reload does, and
// finds everything again with a fresh engine.
func TestWalletScenarioPersistsInIndexedDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const name = "test-bridge-scenario"
	require.NoError(t, idb.Delete(ctx, name))
	defer func() { require.NoError(t, idb.Delete(context.Background(), name)) }()

	db, err := idb.Open(ctx, name)
	require.NoError(t, err)
	r := managerRegistry(t, db)
	walletID, first := runWalletScenario(t, r)
	devices := ok[DevicesResult](t, r, "devices.list", nil)
	wallets := ok[WalletsResult](t, r, "wallets.list", nil)
	db.Close()

	db2, err := idb.Open(ctx, name)
	require.NoError(t, err)
	defer db2.Close()
	r2 := managerRegistry(t, db2)
	require.Equal(t, devices, ok[DevicesResult](t, r2, "devices.list", nil))
	require.Equal(t, wallets, ok[WalletsResult](t, r2, "wallets.list", nil))
	require.Equal(t, manager.UnitsSats, ok[manager.Config](t, r2, "config.get", nil).Units)
	addrs := ok[WalletAddressesResult](t, r2, "wallets.addresses", WalletAddressesParams{ID: walletID})
	require.Equal(t, []wallet.AddressInfo{{Address: first, Keychain: wallet.Receive, Index: 0, Label: "first deposit"}}, addrs.Addresses)

	// A backup restored over the data is one transaction: a bad document
	// changes nothing.
	e := fails(t, r2, "backup.import", RestoreParams{Text: `{"format":"nope"}`})
	require.Equal(t, "invalid", e.Code)
	require.Equal(t, devices, ok[DevicesResult](t, r2, "devices.list", nil))
}
