package manager

import (
	"context"
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
