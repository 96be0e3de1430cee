package bridge

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/store"
)

// TestWalletsAnalysePSBTBoundsTheChangeByTheWatchedAddresses: a PSBT that
// comes back from a signer is reviewed against the stored wallet: change
// at change/3 is proven and watched; change at change/500, far past the
// gap limit, is the wallet's but flagged unwatched with a warning (a sync
// would never see it); the wallet's network and descriptors come from the
// store, and an unknown wallet is not_found.
func TestWalletsAnalysePSBTBoundsTheChangeByTheWatchedAddresses(t *testing.T) {
	r := managerRegistry(t, store.NewMemory())
	walletID, _ := runWalletScenario(t, r)
	w := ok[manager.Wallet](t, r, "wallets.get", IDParams{ID: walletID})
	rd, err := descriptor.Parse(w.Receive)
	require.NoError(t, err)
	cd, err := descriptor.Parse(w.Change)
	require.NoError(t, err)
	pw, err := psbt.NewWallet(network.Test, rd, cd)
	require.NoError(t, err)
	build := func(changeIndex uint32) string {
		p, err := psbt.Create(pw, psbt.CreateOptions{
			Inputs:  []psbt.UTXO{{OutPoint: wire.OutPoint{Hash: chainhash.DoubleHashH([]byte("analyse coin")), Index: 0}, Value: 100_000, Branch: 0, Index: 1}},
			Outputs: []psbt.Recipient{{Address: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", Amount: 60_000}},
			Change:  &psbt.ChangeOutput{Branch: 1, Index: changeIndex, Amount: 39_000},
		})
		require.NoError(t, err)
		s, err := psbt.EncodeBase64(p)
		require.NoError(t, err)
		return s
	}

	a := ok[psbt.Analysis](t, r, "wallets.analysePSBT", WalletPSBTAnalyseParams{ID: walletID, PSBT: build(3)})
	require.Equal(t, int64(1_000), a.Fee)
	require.True(t, a.Outputs[1].Change)
	require.False(t, a.Outputs[1].Unwatched)
	require.Equal(t, uint32(3), a.Outputs[1].AddrIndex)
	require.Empty(t, a.Warnings)

	far := ok[psbt.Analysis](t, r, "wallets.analysePSBT", WalletPSBTAnalyseParams{ID: walletID, PSBT: build(500)})
	require.True(t, far.Outputs[1].Change, "still the wallet's own script")
	require.True(t, far.Outputs[1].Unwatched)
	require.Len(t, far.Warnings, 1)
	require.Contains(t, far.Warnings[0], "change address #500, beyond the wallet's watched addresses (up to #19)")

	e := fails(t, r, "wallets.analysePSBT", WalletPSBTAnalyseParams{ID: "nope", PSBT: build(3)})
	require.Equal(t, "not_found", e.Code)
	e = fails(t, r, "wallets.analysePSBT", WalletPSBTAnalyseParams{ID: walletID, PSBT: "not a psbt"})
	require.NotEmpty(t, e.Hint)
}
