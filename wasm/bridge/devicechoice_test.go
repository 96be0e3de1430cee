package bridge

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
)

// wshAccountLine is the BIP48 (script type 2) testnet key of account acct
// of a mnemonic as a "[fingerprint/path]tpub" line.
func wshAccountLine(t *testing.T, mnemonic string, acct uint32) string {
	t.Helper()
	master, err := keys.MasterFromMnemonic(mnemonic, "", network.Test)
	require.NoError(t, err)
	acc, err := keys.DeriveAccount(master, keys.ScriptWSH, network.Test, acct)
	require.NoError(t, err)
	return "[" + acc.Origin.String() + "]" + acc.Xpub
}

func TestDeviceModelIsSetOnAddChangedAndRefusedForTheWrongType(t *testing.T) {
	st := store.NewMemory()
	r := managerRegistry(t, st)
	require.Equal(t, DeviceModelsResult{Models: map[manager.DeviceType][]string{manager.TypeColdcard: {"mk4", "q"}}},
		ok[DeviceModelsResult](t, r, "devices.models", nil))

	d := ok[manager.Device](t, r, "devices.add", DeviceParams{Name: "Coldcard Q", Type: manager.TypeColdcard, Model: "Q", Export: wshKeyLine(t, cosignerMnemonics[0])})
	require.Equal(t, "q", d.Model)
	require.Equal(t, "q", ok[manager.Device](t, r, "devices.get", IDParams{ID: d.ID}).Model)
	// It survives reopening the store.
	require.Equal(t, "q", ok[manager.Device](t, managerRegistry(t, st), "devices.get", IDParams{ID: d.ID}).Model)

	d = ok[manager.Device](t, r, "devices.setModel", ModelParams{ID: d.ID, Model: "mk4"})
	require.Equal(t, "mk4", d.Model)
	e := fails(t, r, "devices.setModel", ModelParams{ID: d.ID, Model: "mk9"})
	require.Equal(t, &Error{Message: `unknown coldcard model "mk9"`, Hint: "use one of mk4, q, or leave it empty", Code: "invalid"}, e)
	e = fails(t, r, "devices.add", DeviceParams{Name: "Jade", Type: manager.TypeJade, Model: "q", Export: wshKeyLine(t, cosignerMnemonics[1])})
	require.Equal(t, &Error{Message: `a jade device has no model "q"`, Hint: "leave the model empty", Code: "invalid"}, e)
	e = fails(t, r, "devices.setModel", ModelParams{ID: "nope", Model: "q"})
	require.Equal(t, "not_found", e.Code)
	// Without a model the field is left out of the record.
	j := ok[manager.Device](t, r, "devices.add", DeviceParams{Name: "Jade", Type: manager.TypeJade, Export: wshKeyLine(t, cosignerMnemonics[1])})
	require.Equal(t, "", j.Model)
	raw, errc := call(t, r, "devices.get", IDParams{ID: j.ID})
	require.Nil(t, errc)
	require.NotContains(t, string(raw), `"model"`)
}

func TestWalletKeyChoicesOfferASecondAccountAndCreateUsesTheChosenKey(t *testing.T) {
	r := managerRegistry(t, store.NewMemory())
	acct0 := wshAccountLine(t, cosignerMnemonics[0], 0)
	acct1 := wshAccountLine(t, cosignerMnemonics[0], 1)
	two := ok[manager.Device](t, r, "devices.add", DeviceParams{Name: "Two accounts", Type: manager.TypeSpecterDIY, Export: acct0 + "\n" + acct1 + "\n"})
	other := ok[manager.Device](t, r, "devices.add", DeviceParams{Name: "Other", Type: manager.TypeOther, Export: wshKeyLine(t, cosignerMnemonics[1])})
	require.Len(t, two.Keys, 2)

	res := ok[KeyChoicesResult](t, r, "wallets.keyChoices", KeyChoicesParams{DeviceIDs: []string{two.ID, other.ID}, ScriptType: manager.ScriptWSH, Network: "test"})
	require.Equal(t, KeyChoicesResult{Choices: []manager.KeyChoice{
		{DeviceID: two.ID, Keys: two.Keys, Default: two.Keys[0].Xpub},
		{DeviceID: other.ID, Keys: other.Keys, Default: other.Keys[0].Xpub},
	}}, res)
	none := ok[KeyChoicesResult](t, r, "wallets.keyChoices", KeyChoicesParams{DeviceIDs: []string{two.ID}, ScriptType: manager.ScriptWPKH, Network: "test"})
	require.Equal(t, KeyChoicesResult{Choices: []manager.KeyChoice{{DeviceID: two.ID, Keys: []manager.DeviceKey{}, Default: ""}}}, none)
	e := fails(t, r, "wallets.keyChoices", KeyChoicesParams{DeviceIDs: []string{two.ID}, ScriptType: manager.ScriptWSH})
	require.Equal(t, CodeBadParams, e.Code)

	created := ok[manager.CreateResult](t, r, "wallets.create", manager.WalletSpec{Name: "Second account", Kind: manager.Multi, ScriptType: manager.ScriptWSH,
		M: 2, DeviceIDs: []string{two.ID, other.ID}, Network: network.Test, Keys: map[string]string{two.ID: two.Keys[1].Xpub}})
	require.Contains(t, created.Wallet.Descriptor, acct1+"/<0;1>/*")
	require.NotContains(t, created.Wallet.Descriptor, two.Keys[0].Xpub)
}
