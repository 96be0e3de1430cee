package manager

import (
	"context"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// The three mainnet BIP48 wsh keys of BIP129's test vectors.
var (
	keyA = "[1cf0bf7e/48'/0'/0'/2']xpub6FL8FhxNNUVnG64YurPd16AfGyvFLhh7S2uSsDqR3Qfcm6o9jtcMYwh6DvmcBF9qozxNQmTCVvWtxLpKTnhVLN3Pgnu2D3pAoXYFgVyd8Yz"
	keyB = "[4fc1dd4a/48'/0'/0'/2']xpub6EebMbEps7ZcV3FYEnddRsvrFWDrt2tiPmCeM7pPXQEmphvq9ZfJ1LWFUDjf3vxCeBuPrfyGrMazWUsYsetrnHatQZVLJH7LsgCjtMqdzgj"
	keyC = "[b7868815/48'/0'/0'/2']xpub6FA5rfxJc94K1kNtxRby1hoHwi7YDyTWwx1KUR3FwskaF6HzCbZMz3zQwGnCqdiFeMTPV3YneTGS2YQPiuNYsSvtggWWMQpEJD4jXU7ZzEh"
)

func xpubOf(line string) string { return line[strings.Index(line, "]")+1:] }

func hOrigin(line string) string {
	return strings.ReplaceAll(line, "'", "h")
}

func TestThreeDevicesFromKeyTextMakeA2of3WshWalletWithExactDescriptorAndAddresses(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	da := addDevice(t, e, "Signer 1", TypeColdcard, keyA)
	db := addDevice(t, e, "Signer 2", TypeLedger, keyB)
	dc := addDevice(t, e, "Signer 3", TypeJade, keyC)
	require.Equal(t, []string{"signer_1", "signer_2", "signer_3"}, []string{da.ID, db.ID, dc.ID})
	require.Equal(t, hOrigin(keyA), da.Keys[0].String())

	res, err := e.CreateWallet(ctx, WalletSpec{Name: "Family Vault", ScriptType: ScriptWSH, DeviceIDs: []string{da.ID, db.ID, dc.ID}, Network: network.Main})
	require.NoError(t, err)
	require.Empty(t, res.Warnings)
	w := res.Wallet
	require.Equal(t, "family_vault", w.ID)
	require.Equal(t, Multi, w.Kind)
	require.Equal(t, 2, w.M, "Specter's default M for 3 cosigners is 3/2+1")
	require.Equal(t, 3, w.N)

	body := func(branch string) string {
		return "wsh(sortedmulti(2," + hOrigin(keyA) + "/" + branch + "/*," + hOrigin(keyB) + "/" + branch + "/*," + hOrigin(keyC) + "/" + branch + "/*))"
	}
	withSum := func(s string) string {
		sum, err := descriptor.Checksum(s)
		require.NoError(t, err)
		return s + "#" + sum
	}
	require.Equal(t, withSum(body("<0;1>")), w.Descriptor)
	require.Equal(t, withSum(body("0")), w.Receive)
	require.Equal(t, withSum(body("1")), w.Change)

	xpubs := []string{xpubOf(keyA), xpubOf(keyB), xpubOf(keyC)}
	require.Equal(t, wshSortedMultiAddress(t, 2, xpubs, 0, 0, &chaincfg.MainNetParams), res.FirstAddress)
	// The wallet core hands out the same first address.
	var got wallet.AddressInfo
	require.NoError(t, e.Update(ctx, w.ID, func(c *wallet.Wallet) (wallet.ChangeSet, error) {
		a, cs, err := c.NextReceiveAddress()
		got = a
		return cs, err
	}))
	require.Equal(t, res.FirstAddress, got.Address)
	require.Equal(t, uint32(0), got.Index)
	d, err := descriptor.Parse(w.Receive)
	require.NoError(t, err)
	c, err := descriptor.Parse(w.Change)
	require.NoError(t, err)
	for i := uint32(0); i < 3; i++ {
		a, err := d.Address(i, network.Main)
		require.NoError(t, err)
		require.Equal(t, wshSortedMultiAddress(t, 2, xpubs, 0, i, &chaincfg.MainNetParams), a, "receive %d", i)
		a, err = c.Address(i, network.Main)
		require.NoError(t, err)
		require.Equal(t, wshSortedMultiAddress(t, 2, xpubs, 1, i, &chaincfg.MainNetParams), a, "change %d", i)
	}

	// Reopening the store gives the same wallet and core.
	e2 := openEngine(t, e.st)
	w2, err := e2.Wallet(w.ID)
	require.NoError(t, err)
	require.Equal(t, w, w2)
	a1, err := e.ExportAll()
	require.NoError(t, err)
	a2, err := e2.ExportAll()
	require.NoError(t, err)
	require.Equal(t, string(a1), string(a2))
}

func TestBIP129MultisigVectorsGiveTheirFirstAddress(t *testing.T) {
	ctx := context.Background()
	v := loadVectors(t)
	for _, tc := range v.WSH {
		t.Run("create "+tc.Name, func(t *testing.T) {
			e := openEngine(t, store.NewMemory())
			var ids []string
			for i, k := range tc.Keys {
				ids = append(ids, addDevice(t, e, "cosigner "+string(rune('A'+i)), TypeOther, k).ID)
			}
			res, err := e.CreateWallet(ctx, WalletSpec{Name: tc.Name, Kind: Multi, ScriptType: ScriptWSH, M: tc.M, DeviceIDs: ids, Network: network.Main})
			require.NoError(t, err)
			require.Equal(t, tc.FirstAddress, res.FirstAddress)
		})
	}
	for _, tc := range v.Import {
		t.Run("import "+tc.Name, func(t *testing.T) {
			e := openEngine(t, store.NewMemory())
			res, err := e.ImportDescriptor(ctx, ImportSpec{Name: "Imported", Descriptor: tc.Descriptor, Network: network.Main})
			require.NoError(t, err)
			require.Equal(t, tc.FirstAddress, res.FirstAddress)
			require.Equal(t, ScriptSHWSH, res.Wallet.ScriptType)
			require.Equal(t, 2, res.Wallet.M)
			require.Equal(t, 3, res.Wallet.N)
			require.Len(t, res.NewDevices, 3)
			require.Equal(t, "Cosigner 793cc70b", res.NewDevices[0].Name)
			require.Equal(t, []string{"cosigner_793cc70b", "cosigner_b3118e52", "cosigner_842bd2ed"}, res.Wallet.DeviceIDs)
			require.Len(t, e.Devices(), 3)
		})
	}
}

func TestImportDescriptorMatchesKnownDevicesAndDerivesChangeFromASinglePath(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	da := addDevice(t, e, "A", TypeColdcard, keyA)
	desc := "wsh(sortedmulti(2," + keyA + "/0/*," + keyB + "/0/*))"
	res, err := e.ImportDescriptor(ctx, ImportSpec{Name: "Old", Descriptor: desc, Network: network.Main, GapLimit: 30})
	require.NoError(t, err)
	require.Equal(t, []string{"the change descriptor was made by replacing /0/* with /1/*"}, res.Warnings)
	require.Equal(t, []string{da.ID, "cosigner_4fc1dd4a"}, res.Wallet.DeviceIDs)
	require.Equal(t, "", res.Wallet.Descriptor)
	require.True(t, strings.HasPrefix(res.Wallet.Change, "wsh(sortedmulti(2,"+hOrigin(keyA)+"/1/*,"))
	require.Equal(t, uint32(30), res.Wallet.GapLimit)
	require.Equal(t, "bc1qrgc6p3kylfztu06ysl752gwwuekhvtfh9vr7zg43jvu60mutamcsv948ej", res.FirstAddress)
}

func TestCreateWalletChecksRefuseWithClearErrors(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	a := addDevice(t, e, "A", TypeColdcard, keyA).ID
	b := addDevice(t, e, "B", TypeColdcard, keyB).ID
	c := addDevice(t, e, "C", TypeColdcard, keyC).ID
	same := addDevice(t, e, "Same as A", TypeOther, keyA).ID
	tpub := addDevice(t, e, "Testnet", TypeOther, keyAt(t, 7, &chaincfg.TestNet3Params, "48'/1'/0'/2'")).ID
	single := addDevice(t, e, "Single", TypeOther, keyAt(t, 8, &chaincfg.MainNetParams, "84'/0'/0'")).ID
	_, err := e.CreateWallet(ctx, WalletSpec{Name: "Taken", ScriptType: ScriptWSH, DeviceIDs: []string{a, b}, Network: network.Main})
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		spec WalletSpec
		kind Kind
		msg  string
	}{
		{"name already used, any case", WalletSpec{Name: "taken", ScriptType: ScriptWSH, DeviceIDs: []string{a, c}, Network: network.Main}, KindDuplicate, `a wallet named "Taken" already exists (choose another name)`},
		{"empty name", WalletSpec{Name: "  ", ScriptType: ScriptWSH, DeviceIDs: []string{a, c}, Network: network.Main}, KindInvalid, "the wallet name is empty (give the wallet a name)"},
		{"unknown script", WalletSpec{Name: "x", ScriptType: "p2wsh", DeviceIDs: []string{a, c}, Network: network.Main}, KindInvalid, `unknown wallet script type "p2wsh" (use pkh, sh-wpkh, wpkh or tr for single-sig; wsh, sh-wsh or tr-multi_a for multisig)`},
		{"kind does not fit script", WalletSpec{Name: "x", Kind: Single, ScriptType: ScriptWSH, DeviceIDs: []string{a, c}, Network: network.Main}, KindInvalid, "script type wsh is for multi-key wallets, not single (choose a script type of the wallet kind)"},
		{"M above N", WalletSpec{Name: "x", ScriptType: ScriptWSH, M: 3, DeviceIDs: []string{a, c}, Network: network.Main}, KindInvalid, "3 signatures of 2 cosigners is impossible (choose between 1 and 2)"},
		{"M negative", WalletSpec{Name: "x", ScriptType: ScriptWSH, M: -1, DeviceIDs: []string{a, c}, Network: network.Main}, KindInvalid, "-1 signatures of 2 cosigners is impossible (choose between 1 and 2)"},
		{"one device multisig", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a}, Network: network.Main}, KindInvalid, "a multisig wallet needs at least 2 devices, 1 given (add cosigners, or create a single-sig wallet)"},
		{"16 cosigners in wsh", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: make([]string, 16), Network: network.Main}, KindInvalid, "16 cosigners is more than the 15 a wsh wallet allows (use fewer devices)"},
		{"two devices single-sig", WalletSpec{Name: "x", ScriptType: ScriptWPKH, DeviceIDs: []string{a, c}, Network: network.Main}, KindInvalid, "a single-sig wallet uses exactly one device, 2 given (choose one device, or a multisig script type)"},
		{"device twice", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a, a}, Network: network.Main}, KindDuplicate, `device "a" is chosen twice (each cosigner must be a different device)`},
		{"same key in two devices", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a, same}, Network: network.Main}, KindDuplicate, `devices "A" and "Same as A" would use the same key (a multisig wallet needs a different key from each cosigner)`},
		{"unknown device", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a, "nope"}, Network: network.Main}, KindNotFound, `no device with id "nope" (reload the list: it may have been deleted)`},
		{"xpub device on testnet", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a, c}, Network: network.Test}, KindInvalid, `device "A" has only keys for main (xpub), none for test (add the device's m/48'/1'/0'/2' key (test networks (tpub)))`},
		{"tpub device on mainnet", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a, tpub}, Network: network.Main}, KindInvalid, `device "Testnet" has only keys for test networks (tpub), none for main (add the device's m/48'/0'/0'/2' key (main (xpub)))`},
		{"multisig key for single-sig", WalletSpec{Name: "x", ScriptType: ScriptWPKH, DeviceIDs: []string{a}, Network: network.Main}, KindInvalid, `device "A" has no key for a wpkh wallet on main (add the device's m/84'/0'/0' key (main (xpub)))`},
		{"single-sig key for multisig", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a, single}, Network: network.Main}, KindInvalid, `device "Single" has no key for a wsh wallet on main (add the device's m/48'/0'/0'/2' key (main (xpub)))`},
		{"chosen key not on the device", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a, c}, Network: network.Main, Keys: map[string]string{a: xpubOf(keyB)}}, KindInvalid, `device "A" has no key xpub6Eeb…Mqdzgj (pick one of the device's keys)`},
		{"unknown network", WalletSpec{Name: "x", ScriptType: ScriptWSH, DeviceIDs: []string{a, c}, Network: "litecoin"}, KindInvalid, `unknown network: unknown network "litecoin": use main, test, signet or regtest`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, e.st)
			_, err := e.CreateWallet(ctx, tc.spec)
			require.Error(t, err)
			var me *Error
			require.ErrorAs(t, err, &me)
			require.Equal(t, tc.kind, me.Kind)
			require.Equal(t, tc.msg, err.Error())
			require.Equal(t, before, snapshot(t, e.st))
		})
	}
}

func TestCreateWalletWarnsAboutNonStandardPathsAndSharedFingerprints(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	odd := keyAt(t, 1, &chaincfg.TestNet3Params, "48'/1'/5'/2'/7'")
	std := keyAt(t, 2, &chaincfg.TestNet3Params, "48'/1'/0'/2'")
	std2 := keyAt(t, 2, &chaincfg.TestNet3Params, "48'/1'/1'/2'")
	// A device with an unhinted non-standard key and a second account.
	a := addDevice(t, e, "Odd", TypeOther, odd).ID
	b := addDevice(t, e, "Std", TypeOther, std).ID
	c := addDevice(t, e, "Std other account", TypeOther, std2).ID
	res, err := e.CreateWallet(ctx, WalletSpec{Name: "W", ScriptType: ScriptWSH, M: 2, DeviceIDs: []string{a, b, c}, Network: network.Test})
	require.NoError(t, err)
	fpOdd := odd[1:9]
	fpStd := std[1:9]
	require.Equal(t, []string{
		`device "Odd": key [` + fpOdd + `/48h/1h/5h/2h/7h] is not on the standard wsh path m/48'/1'/0'/2'; make sure the device can sign with it`,
		`devices "Std" and "Std other account" have the same master fingerprint ` + fpStd + `: they may be the same seed, which gives no multisig protection`,
	}, res.Warnings)
	require.Equal(t, 2, res.Wallet.M)
	require.True(t, strings.HasPrefix(res.FirstAddress, "tb1q"))
}

func TestCreateWalletPicksTheStandardKeyOfEachScriptTypeFromAHotDevice(t *testing.T) {
	ctx := context.Background()
	v := loadVectors(t)
	e := openEngine(t, store.NewMemory())
	d, shown, err := e.CreateHotDevice(ctx, "Hot", v.Hot.Mnemonic, "", "correct horse battery", network.Main)
	require.NoError(t, err)
	require.Equal(t, "", shown, "a given mnemonic is never returned")
	for _, tc := range []struct {
		script WalletScript
		prefix string
		first  string
	}{
		{ScriptWPKH, "wpkh([73c5da0a/84h/0h/0h]" + v.Hot.BIP84Xpub + "/<0;1>/*)#", v.Hot.BIP84FirstAddress},
		// BIP86's first receive address of the same mnemonic.
		{ScriptTR, "tr([73c5da0a/86h/0h/0h]", "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"},
		// BIP49's first receive address of the same mnemonic.
		{ScriptSHWPKH, "sh(wpkh([73c5da0a/49h/0h/0h]", "37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf"},
		{ScriptPKH, "pkh([73c5da0a/44h/0h/0h]", "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA"},
	} {
		t.Run(string(tc.script), func(t *testing.T) {
			res, err := e.CreateWallet(ctx, WalletSpec{Name: "hot " + string(tc.script), ScriptType: tc.script, DeviceIDs: []string{d.ID}, Network: network.Main})
			require.NoError(t, err)
			require.Empty(t, res.Warnings)
			require.True(t, strings.HasPrefix(res.Wallet.Descriptor, tc.prefix), res.Wallet.Descriptor)
			require.Equal(t, tc.first, res.FirstAddress)
			require.Equal(t, Single, res.Wallet.Kind)
			require.Equal(t, 1, res.Wallet.M)
		})
	}
}

func TestTaprootMultiAUsesTheUnspendableInternalKey(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	var ids []string
	for i := byte(1); i <= 3; i++ {
		ids = append(ids, addDevice(t, e, "T"+string(rune('0'+i)), TypeOther, keyAt(t, i, &chaincfg.RegressionNetParams, "48'/1'/0'/3'")).ID)
	}
	res, err := e.CreateWallet(ctx, WalletSpec{Name: "Tap", ScriptType: ScriptTRMultiA, DeviceIDs: ids, Network: network.Regtest})
	require.NoError(t, err)
	require.Empty(t, res.Warnings)
	require.True(t, strings.HasPrefix(res.Wallet.Descriptor, "tr("+numsKey+",sortedmulti_a(2,"), res.Wallet.Descriptor)
	require.True(t, strings.HasPrefix(res.FirstAddress, "bcrt1p"))
	d, err := descriptor.Parse(res.Wallet.Receive)
	require.NoError(t, err)
	a, err := d.Address(0, network.Regtest)
	require.NoError(t, err)
	require.Equal(t, a, res.FirstAddress)
}

func TestRenameWalletAndGapLimitPersist(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := openEngine(t, st)
	a := addDevice(t, e, "A", TypeOther, keyA).ID
	b := addDevice(t, e, "B", TypeOther, keyB).ID
	res, err := e.CreateWallet(ctx, WalletSpec{Name: "One", ScriptType: ScriptWSH, DeviceIDs: []string{a, b}, Network: network.Main})
	require.NoError(t, err)
	_, err = e.CreateWallet(ctx, WalletSpec{Name: "Two", ScriptType: ScriptWSH, M: 1, DeviceIDs: []string{a, b}, Network: network.Main})
	require.NoError(t, err)
	_, err = e.RenameWallet(ctx, res.Wallet.ID, "TWO")
	require.ErrorIs(t, err, ErrDuplicate)
	w, err := e.RenameWallet(ctx, res.Wallet.ID, "Savings")
	require.NoError(t, err)
	require.Equal(t, "one", w.ID)
	require.Equal(t, "Savings", w.Name)

	require.NoError(t, e.Update(ctx, "one", func(c *wallet.Wallet) (wallet.ChangeSet, error) {
		_, cs, err := c.NextReceiveAddress()
		return cs, err
	}))
	_, err = e.SetGapLimit(ctx, "one", 0)
	require.EqualError(t, err, "gap limit 0 is out of range (use a number from 1 to 10000 (Specter's default is 20))")
	w, err = e.SetGapLimit(ctx, "one", 30)
	require.NoError(t, err)
	require.Equal(t, uint32(30), w.GapLimit)
	recs, err := st.List(ctx, store.ChangeSets)
	require.NoError(t, err)
	var keysOfOne []string
	for _, r := range recs {
		if strings.HasPrefix(r.Key, "one/") {
			keysOfOne = append(keysOfOne, r.Key)
		}
	}
	require.Equal(t, []string{"one/000000000002"}, keysOfOne, "history compacted into one change set")

	e2 := openEngine(t, st)
	w2, err := e2.Wallet("one")
	require.NoError(t, err)
	require.Equal(t, "Savings", w2.Name)
	require.NoError(t, e2.View("one", func(c *wallet.Wallet) error {
		require.Equal(t, uint32(30), c.Params().GapLimit)
		require.Len(t, c.Addresses(wallet.Receive, wallet.AllAddresses), 1, "the revealed address survives compaction")
		require.Equal(t, 31+30, c.ScriptCount(), "30 past the revealed receive address, 30 change")
		return nil
	}))
	require.Equal(t, []string{"Savings", "Two"}, []string{e2.Wallets()[0].Name, e2.Wallets()[1].Name})

	require.NoError(t, e2.DeleteWallet(ctx, "one"))
	_, err = e2.Wallet("one")
	require.ErrorIs(t, err, ErrNotFound)
	recs, err = st.List(ctx, store.ChangeSets)
	require.NoError(t, err)
	for _, r := range recs {
		require.False(t, strings.HasPrefix(r.Key, "one/"), r.Key)
	}
}

func TestLabelsAreKeptInTheWalletCore(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := openEngine(t, st)
	a := addDevice(t, e, "A", TypeOther, keyA).ID
	b := addDevice(t, e, "B", TypeOther, keyB).ID
	res, err := e.CreateWallet(ctx, WalletSpec{Name: "L", ScriptType: ScriptWSH, DeviceIDs: []string{a, b}, Network: network.Main})
	require.NoError(t, err)
	require.NoError(t, e.SetLabel(ctx, res.Wallet.ID, wallet.Label{Type: "addr", Ref: res.FirstAddress, Label: "first"}))
	err = e.SetLabel(ctx, res.Wallet.ID, wallet.Label{Type: "coin", Ref: "x", Label: "y"})
	require.ErrorIs(t, err, ErrInvalid)
	require.Contains(t, err.Error(), `label type "coin" is not a BIP329 type`)
	got, err := openEngine(t, st).Labels(res.Wallet.ID)
	require.NoError(t, err)
	require.Equal(t, []wallet.Label{{Type: "addr", Ref: res.FirstAddress, Label: "first"}}, got)
}

func TestBIP329LabelsExportAndImportThroughTheEngine(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e := openEngine(t, st)
	a := addDevice(t, e, "A", TypeOther, keyA).ID
	b := addDevice(t, e, "B", TypeOther, keyB).ID
	res, err := e.CreateWallet(ctx, WalletSpec{Name: "L", ScriptType: ScriptWSH, DeviceIDs: []string{a, b}, Network: network.Main})
	require.NoError(t, err)
	in := `{"type":"addr","ref":"` + res.FirstAddress + `","label":"cold storage"}` + "\n" + `not json` + "\n"
	rep, err := e.ImportLabels(ctx, "l", []byte(in))
	require.NoError(t, err)
	require.Equal(t, 1, rep.Imported)
	require.Len(t, rep.Problems, 1)
	out, err := openEngine(t, st).ExportLabels("l")
	require.NoError(t, err)
	require.Equal(t, `{"type":"addr","ref":"`+res.FirstAddress+`","label":"cold storage"}`+"\n", string(out))
	_, err = e.ImportLabels(ctx, "nope", []byte(in))
	require.ErrorIs(t, err, ErrNotFound)
}
