package bridge

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/walletfile"
)

func TestWalletFilesRoundTripBetweenTwoInstallations(t *testing.T) {
	r := managerRegistry(t, store.NewMemory())
	walletID, first := runWalletScenario(t, r)
	w := ok[manager.Wallet](t, r, "wallets.get", IDParams{ID: walletID})

	formats := ok[FormatsResult](t, r, "walletfile.formats", nil)
	require.Equal(t, walletfile.Formats, formats.Formats)

	require.ElementsMatch(t, []walletfile.Format{walletfile.FormatDescriptor, walletfile.FormatCore, walletfile.FormatSpecter, walletfile.FormatAccountMap,
		walletfile.FormatColdcard, walletfile.FormatElectrum, walletfile.FormatCaravan, walletfile.FormatBSMS}, walletfile.Formats, "every format is round-tripped below")
	for _, f := range walletfile.Formats {
		t.Run(string(f), func(t *testing.T) {
			file := ok[FileResult](t, r, "wallets.exportFile", WalletExportParams{ID: walletID, Format: string(f)})
			require.Equal(t, string(f), file.Format)
			imp := ok[walletfile.Imported](t, r, "walletfile.import", WalletFileParams{Text: file.Text, Network: "test"})
			require.Equal(t, f, imp.Format)
			require.Equal(t, w.Descriptor, imp.Setup.Descriptor)
			require.Equal(t, 2, imp.Setup.M)
			require.Equal(t, 3, imp.Setup.N)

			// Another installation imports the file: same wallet, same
			// first address, the three cosigners created as devices.
			r2 := managerRegistry(t, store.NewMemory())
			res := ok[ImportFileResult](t, r2, "wallets.importFile", ImportFileParams{WalletFileParams: WalletFileParams{Text: file.Text, Network: "test"}, Name: "Imported"})
			require.Equal(t, f, res.Format)
			require.Equal(t, first, res.FirstAddress)
			require.Equal(t, w.Descriptor, res.Wallet.Descriptor)
			require.Len(t, res.NewDevices, 3)
			for _, d := range res.NewDevices {
				require.Nil(t, d.Seed)
			}
		})
	}
	spec := ok[FileResult](t, r, "wallets.exportFile", WalletExportParams{ID: walletID, Format: "specter"})
	imp := ok[walletfile.Imported](t, r, "walletfile.import", WalletFileParams{Text: spec.Text})
	require.Equal(t, "Family vault", imp.Setup.Name)
	names := []string{}
	for _, d := range imp.Setup.Devices {
		names = append(names, d.Name)
	}
	require.ElementsMatch(t, []string{"Signer A", "Signer B", "Signer C"}, names)

	e := fails(t, r, "walletfile.import", WalletFileParams{Text: "hello"})
	require.Equal(t, "choose the wallet file exported by Specter, Sparrow, Coldcard, Electrum, Caravan, Bitcoin Core or a BSMS record", e.Hint)
	e = fails(t, r, "wallets.exportFile", WalletExportParams{ID: "nope", Format: "specter"})
	require.Equal(t, "not_found", e.Code)
}
