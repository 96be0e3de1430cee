package manager

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
)

func TestAliasFollowsSpecterAndStaysURLSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"My Ledger", "my_ledger"},
		{"Cold-Card #2", "coldcard_2"},
		{"  Jade  ", "__jade__"},
		{"Ünïcode Wallet", "ncode_wallet"},
		{"🔑🔑", ""},
		{strings.Repeat("a", 50), strings.Repeat("a", 40)},
	} {
		t.Run(tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, Alias(tc.in))
			require.True(t, tc.want == "" || validID(tc.want))
		})
	}
}

func TestDeviceIDsAreUniqueAliasesOfTheirNames(t *testing.T) {
	e := openEngine(t, store.NewMemory())
	for _, tc := range []struct{ name, id string }{
		{"A b", "a_b"},
		{"A_b", "a_b_2"},
		{"A-b!", "ab"},
		{"a__b", "a__b"},
		{"🔑", "device"},
		{"🗝", "device_2"},
		{strings.Repeat("x", 40) + "1", strings.Repeat("x", 40)},
		{strings.Repeat("x", 40) + "2", strings.Repeat("x", 38) + "_2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := addDevice(t, e, tc.name, TypeOther, keyAt(t, byte(len(e.Devices())+1), &chaincfg.MainNetParams, "84'/0'/0'"))
			require.Equal(t, tc.id, d.ID)
			require.Equal(t, tc.name, d.Name)
			require.Equal(t, testClock, d.CreatedAt)
		})
	}
}

func TestAddDeviceChecksNameTypeAndKeys(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	ok, err := KeysFromExport([]byte(keyA))
	require.NoError(t, err)
	_, err = e.AddDevice(ctx, Device{Name: "Taken", Type: TypeLedger, Keys: ok})
	require.NoError(t, err)
	priv := "[d34db33f/48'/0'/0'/2']xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
	for _, tc := range []struct {
		name string
		dev  Device
		kind Kind
		msg  string
	}{
		{"name taken in another case", Device{Name: "TAKEN", Type: TypeLedger, Keys: ok}, KindDuplicate, `a device named "Taken" already exists (choose another name)`},
		{"name too long", Device{Name: strings.Repeat("n", 65), Type: TypeLedger, Keys: ok}, KindInvalid, "the device name is longer than 64 characters (use a shorter name)"},
		{"control character", Device{Name: "a\x00b", Type: TypeLedger, Keys: ok}, KindInvalid, "the device name contains control characters (use letters, digits, spaces and punctuation)"},
		{"unknown type", Device{Name: "x", Type: "nano", Keys: ok}, KindInvalid, `unknown device type "nano" (use one of ledger, trezor, bitbox02, coldcard, jade, keystone, passport, seedsigner, specterdiy, krux, other, hot)`},
		{"hot from keys", Device{Name: "x", Type: TypeHot, Keys: ok}, KindInvalid, "a hot device cannot be added from public keys (create it from a mnemonic (CreateHotDevice))"},
		{"no keys", Device{Name: "x", Type: TypeLedger}, KindInvalid, "the device has no keys (paste its [fingerprint/path]xpub lines or upload its export file)"},
		{"private key", Device{Name: "x", Type: TypeLedger, Keys: []DeviceKey{{Origin: ok[0].Origin, Xpub: priv[strings.Index(priv, "]")+1:]}}}, KindInvalid,
			"key 1cf0bf7e/48h/0h/0h/2h is a private key (xprv/tprv) (export the public key (xpub) from the device; private keys are never stored for hardware devices)"},
		{"depth does not match the origin", Device{Name: "x", Type: TypeLedger, Keys: []DeviceKey{{Origin: ok[0].Origin, Xpub: xpubOf(keyAt(t, 1, &chaincfg.MainNetParams, "84'/0'/0'"))}}}, KindInvalid,
			"key [1cf0bf7e/48h/0h/0h/2h] is at depth 3 but its origin path has 4 steps (the fingerprint/path in brackets must be the path from the master key to this xpub)"},
		{"same xpub, two origins", Device{Name: "x", Type: TypeLedger, Keys: []DeviceKey{ok[0], {Origin: mustOrigin(t, "00000000/48'/0'/0'/2'"), Xpub: ok[0].Xpub}}}, KindInvalid,
			"key xpub6FL8…Vyd8Yz is given with two origins, [1cf0bf7e/48h/0h/0h/2h] and [00000000/48h/0h/0h/2h] (keep the origin the device exported)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, e.st)
			_, err := e.AddDevice(ctx, tc.dev)
			var me *Error
			require.ErrorAs(t, err, &me)
			require.Equal(t, tc.kind, me.Kind)
			require.Equal(t, tc.msg, err.Error())
			require.Equal(t, before, snapshot(t, e.st))
		})
	}
}

func TestDeviceKeysAreDeduplicatedAndSLIP132Normalised(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	d := addDevice(t, e, "Multi", TypeColdcard, keyA+"\n"+keyA+"\n")
	require.Len(t, d.Keys, 1)
	require.Equal(t, "wsh", string(d.Keys[0].ScriptHint))
	d, err := e.AddDeviceKeys(ctx, d.ID, append(mustKeys(t, keyA), mustKeys(t, keyAt(t, 9, &chaincfg.MainNetParams, "84'/0'/0'"))...))
	require.NoError(t, err)
	require.Len(t, d.Keys, 2)
	require.Equal(t, "wpkh", string(d.Keys[1].ScriptHint))
	again, err := openEngine(t, e.st).Device(d.ID)
	require.NoError(t, err)
	require.Equal(t, d, again)
	_, err = e.AddDeviceKeys(ctx, "missing", nil)
	require.EqualError(t, err, `no device with id "missing" (reload the list: it may have been deleted)`)
}

func mustKeys(t testing.TB, text string) []DeviceKey {
	t.Helper()
	ks, err := KeysFromExport([]byte(text))
	require.NoError(t, err)
	return ks
}

func mustOrigin(t testing.TB, s string) (o keys.Origin) {
	t.Helper()
	require.NoError(t, o.UnmarshalText([]byte(s)))
	return o
}

func TestDeleteDeviceIsRefusedWhileWalletsUseItAndNamesThem(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	a := addDevice(t, e, "A", TypeOther, keyA).ID
	b := addDevice(t, e, "B", TypeOther, keyB).ID
	c := addDevice(t, e, "C", TypeOther, keyC).ID
	_, err := e.CreateWallet(ctx, WalletSpec{Name: "Zeta vault", ScriptType: ScriptWSH, DeviceIDs: []string{a, b}, Network: network.Main})
	require.NoError(t, err)
	_, err = e.CreateWallet(ctx, WalletSpec{Name: "alpha", ScriptType: ScriptWSH, DeviceIDs: []string{c, a}, Network: network.Main})
	require.NoError(t, err)

	err = e.DeleteDevice(ctx, a)
	require.ErrorIs(t, err, ErrInUse)
	require.EqualError(t, err, `device "A" is used by wallet(s) alpha, Zeta vault (delete those wallets first)`)
	var me *Error
	require.ErrorAs(t, err, &me)
	require.Equal(t, []string{"alpha", "Zeta vault"}, me.Wallets)
	_, err = e.Device(a)
	require.NoError(t, err)

	require.NoError(t, e.DeleteWallet(ctx, "zeta_vault"))
	err = e.DeleteDevice(ctx, b)
	require.NoError(t, err)
	require.NoError(t, e.DeleteWallet(ctx, "alpha"))
	require.NoError(t, e.DeleteDevice(ctx, a))
	require.ErrorIs(t, e.DeleteDevice(ctx, a), ErrNotFound)
	require.Equal(t, []string{"C"}, names(openEngine(t, e.st).Devices()))
}

func names(ds []Device) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

func TestRenameDeviceKeepsItsIDAndRefusesATakenName(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	a := addDevice(t, e, "Old name", TypeOther, keyA)
	addDevice(t, e, "Other", TypeOther, keyB)
	_, err := e.RenameDevice(ctx, a.ID, " other ")
	require.EqualError(t, err, `a device named "Other" already exists (choose another name)`)
	d, err := e.RenameDevice(ctx, a.ID, "  New name ")
	require.NoError(t, err)
	require.Equal(t, "old_name", d.ID)
	require.Equal(t, "New name", d.Name)
	d, err = e.RenameDevice(ctx, a.ID, "NEW NAME")
	require.NoError(t, err, "changing only the case of its own name is allowed")
	again, err := openEngine(t, e.st).Device("old_name")
	require.NoError(t, err)
	require.Equal(t, d, again)
	require.Equal(t, []string{"NEW NAME", "Other"}, names(e.Devices()))
	_, err = e.RenameDevice(ctx, "nope", "x")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestDeviceModelIsCheckedPerTypeSetOnAddAndEditAndStored(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	ks := mustKeys(t, keyA)
	for _, tc := range []struct {
		name  string
		typ   DeviceType
		model string
		want  string
		err   string
	}{
		{"coldcard q in capitals", TypeColdcard, " Q ", ModelColdcardQ, ""},
		{"coldcard mk4", TypeColdcard, "mk4", ModelColdcardMk4, ""},
		{"coldcard model not said", TypeColdcard, "", "", ""},
		{"keystone without models", TypeKeystone, "", "", ""},
		{"unknown coldcard model", TypeColdcard, "mk5", "", `unknown coldcard model "mk5" (use one of mk4, q, or leave it empty)`},
		{"model for a type without models", TypeLedger, "q", "", `a ledger device has no model "q" (leave the model empty)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, e.st)
			d, err := e.AddDevice(ctx, Device{Name: tc.name, Type: tc.typ, Model: tc.model, Keys: ks})
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				var me *Error
				require.ErrorAs(t, err, &me)
				require.Equal(t, KindInvalid, me.Kind)
				require.Equal(t, before, snapshot(t, e.st))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, d.Model)
			again, err := openEngine(t, e.st).Device(d.ID)
			require.NoError(t, err)
			require.Equal(t, tc.want, again.Model)
			require.NoError(t, e.DeleteDevice(ctx, d.ID))
		})
	}

	d := addDevice(t, e, "Coldcard", TypeColdcard, keyA)
	require.Equal(t, "", d.Model)
	d, err := e.SetDeviceModel(ctx, d.ID, "Q")
	require.NoError(t, err)
	require.Equal(t, ModelColdcardQ, d.Model)
	again, err := openEngine(t, e.st).Device(d.ID)
	require.NoError(t, err)
	require.Equal(t, d, again)
	before := snapshot(t, e.st)
	_, err = e.SetDeviceModel(ctx, d.ID, "mk2")
	require.EqualError(t, err, `unknown coldcard model "mk2" (use one of mk4, q, or leave it empty)`)
	require.Equal(t, before, snapshot(t, e.st))
	d, err = e.SetDeviceModel(ctx, d.ID, "")
	require.NoError(t, err)
	require.Equal(t, "", d.Model)
	_, err = e.SetDeviceModel(ctx, "missing", "q")
	require.ErrorIs(t, err, ErrNotFound)

	j := addDevice(t, e, "Jade", TypeJade, keyB)
	_, err = e.SetDeviceModel(ctx, j.ID, "q")
	require.EqualError(t, err, `a jade device has no model "q" (leave the model empty)`)
}

func TestDeviceModelsListOnlyColdcardModels(t *testing.T) {
	for _, typ := range DeviceTypes() {
		t.Run(string(typ), func(t *testing.T) {
			if typ == TypeColdcard {
				require.Equal(t, []string{"mk4", "q"}, DeviceModels(typ))
				return
			}
			require.Nil(t, DeviceModels(typ))
		})
	}
}

// A device record written before devices had a model (no "model" field)
// loads with an empty model and can be given one.
func TestDeviceRecordWithoutModelFieldLoadsAndTakesAModel(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	k := mustKeys(t, keyA)[0]
	old := `{"id":"old_coldcard","name":"Old Coldcard","type":"coldcard","keys":[{"origin":"` + k.Origin.String() + `","xpub":"` + k.Xpub + `","script_hint":"wsh"}],"created_at":"2025-01-02T03:04:05Z"}`
	require.NoError(t, st.Apply(ctx, store.Put(store.Devices, "old_coldcard", []byte(old))))
	e := openEngine(t, st)
	d, err := e.Device("old_coldcard")
	require.NoError(t, err)
	require.Equal(t, "", d.Model)
	require.Equal(t, "Old Coldcard", d.Name)
	require.Equal(t, []DeviceKey{k}, d.Keys)
	_, err = e.SetDeviceModel(ctx, d.ID, "q")
	require.NoError(t, err)
	raw, err := st.Get(ctx, store.Devices, "old_coldcard")
	require.NoError(t, err)
	require.Contains(t, string(raw), `"model":"q"`)
}

func TestKeyChoicesListTheDeviceKeysOfTheScriptAndNetworkWithTheDefault(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	acct0 := keyAt(t, 7, &chaincfg.MainNetParams, "48'/0'/0'/2'")
	acct1 := keyAt(t, 7, &chaincfg.MainNetParams, "48'/0'/1'/2'")
	single := keyAt(t, 7, &chaincfg.MainNetParams, "84'/0'/0'")
	test := keyAt(t, 7, &chaincfg.TestNet3Params, "48'/1'/0'/2'")
	two := addDevice(t, e, "Two accounts", TypeColdcard, acct0+"\n"+acct1+"\n"+single+"\n")
	two, err := e.AddDeviceKeys(ctx, two.ID, mustKeys(t, test))
	require.NoError(t, err)
	other := addDevice(t, e, "Other", TypeOther, keyB)

	for _, tc := range []struct {
		name   string
		script WalletScript
		net    network.Network
		want   []string
		def    string
	}{
		// Both accounts are on the standard path: the first in the device's
		// order is the default.
		{"wsh on main: both accounts, the first by default", ScriptWSH, network.Main, []string{xpubOf(acct0), xpubOf(acct1)}, xpubOf(acct0)},
		{"wpkh on main: the BIP84 key", ScriptWPKH, network.Main, []string{xpubOf(single)}, xpubOf(single)},
		{"wsh on test: the tpub", ScriptWSH, network.Test, []string{xpubOf(test)}, xpubOf(test)},
		{"tr on test: none", ScriptTR, network.Test, []string{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := e.KeyChoices([]string{two.ID}, tc.script, tc.net)
			require.NoError(t, err)
			require.Len(t, cs, 1)
			require.Equal(t, two.ID, cs[0].DeviceID)
			got := []string{}
			for _, k := range cs[0].Keys {
				got = append(got, k.Xpub)
			}
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.def, cs[0].Default)
		})
	}

	_, err = e.KeyChoices([]string{two.ID, "nope"}, ScriptWSH, network.Main)
	require.ErrorIs(t, err, ErrNotFound)
	_, err = e.KeyChoices([]string{two.ID}, "wsh-ish", network.Main)
	require.EqualError(t, err, `unknown wallet script type "wsh-ish" (use pkh, sh-wpkh, wpkh or tr for single-sig; wsh, sh-wsh or tr-multi_a for multisig)`)
	_, err = e.KeyChoices([]string{two.ID}, ScriptWSH, "litecoin")
	require.EqualError(t, err, `unknown network: unknown network "litecoin": use main, test, signet or regtest`)

	// The second account, chosen, is the one in the wallet's descriptor.
	res, err := e.CreateWallet(ctx, WalletSpec{Name: "Account one", ScriptType: ScriptWSH, DeviceIDs: []string{two.ID, other.ID}, Network: network.Main,
		Keys: map[string]string{two.ID: xpubOf(acct1)}})
	require.NoError(t, err)
	require.Contains(t, res.Wallet.Descriptor, "["+mustKeys(t, acct1)[0].Origin.String()+"]"+xpubOf(acct1)+"/<0;1>/*")
	require.NotContains(t, res.Wallet.Descriptor, xpubOf(acct0))
}

// FuzzParseDeviceModel: any type and model text either gives a model of the
// type (or "") or an invalid-input error, never a panic.
func FuzzParseDeviceModel(f *testing.F) {
	for _, s := range [][2]string{{"coldcard", "q"}, {"coldcard", " MK4 "}, {"coldcard", "mk5"}, {"ledger", "q"}, {"jade", ""}, {"", "q"}, {"coldcard", "\x00"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, typ, model string) {
		m, err := ParseDeviceModel(DeviceType(typ), model)
		if err != nil {
			var me *Error
			require.ErrorAs(t, err, &me)
			require.Equal(t, KindInvalid, me.Kind)
			require.Equal(t, "", m)
			return
		}
		require.True(t, m == "" || slices.Contains(DeviceModels(DeviceType(typ)), m), "model %q of type %q", m, typ)
	})
}
