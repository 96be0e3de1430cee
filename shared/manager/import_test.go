package manager

import (
	"context"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
)

func TestDefaultMIsSpectersMajority(t *testing.T) {
	for n, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 7: 4, 15: 8} {
		require.Equal(t, want, DefaultM(n), "n=%d", n)
	}
}

func TestImportDescriptorNamesTheWalletType(t *testing.T) {
	ctx := context.Background()
	k1 := keyAt(t, 1, &chaincfg.TestNet3Params, "84'/1'/0'")
	k2 := keyAt(t, 2, &chaincfg.TestNet3Params, "45'")
	k3 := keyAt(t, 3, &chaincfg.TestNet3Params, "45'")
	for _, tc := range []struct {
		desc   string
		script WalletScript
		kind   WalletKind
		m, n   int
		prefix string
	}{
		{"wpkh(" + k1 + "/<0;1>/*)", ScriptWPKH, Single, 1, 1, "tb1q"},
		{"pkh(" + k1 + "/<0;1>/*)", ScriptPKH, Single, 1, 1, "m"},
		{"sh(wpkh(" + k1 + "/<0;1>/*))", ScriptSHWPKH, Single, 1, 1, "2"},
		{"tr(" + k1 + "/<0;1>/*)", ScriptTR, Single, 1, 1, "tb1p"},
		{"tr(" + numsKey + ",multi_a(1," + k2 + "/<0;1>/*," + k3 + "/<0;1>/*))", ScriptTRMultiA, Multi, 1, 2, "tb1p"},
		{"sh(sortedmulti(2," + k2 + "/<0;1>/*," + k3 + "/<0;1>/*))", ScriptLegacySH, Multi, 2, 2, "2"},
		{"wsh(multi(1," + k2 + "/<0;1>/*," + k3 + "/<0;1>/*))", ScriptWSH, Multi, 1, 2, "tb1q"},
	} {
		t.Run(string(tc.script), func(t *testing.T) {
			e := openEngine(t, store.NewMemory())
			res, err := e.ImportDescriptor(ctx, ImportSpec{Name: "W", Descriptor: tc.desc, Network: network.Test})
			require.NoError(t, err)
			require.Equal(t, []any{tc.script, tc.kind, tc.m, tc.n}, []any{res.Wallet.ScriptType, res.Wallet.Kind, res.Wallet.M, res.Wallet.N})
			require.True(t, strings.HasPrefix(res.FirstAddress, tc.prefix), res.FirstAddress)
			require.Len(t, res.Wallet.DeviceIDs, tc.n)
			// Its backup restores: the type read back from the descriptor agrees.
			b, err := e.ExportAll()
			require.NoError(t, err)
			_, err = openEngine(t, store.NewMemory()).ImportAll(ctx, b)
			require.NoError(t, err)
		})
	}
}

func TestImportDescriptorRefusesWhatAWalletCannotUse(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	_, err := e.ImportDescriptor(ctx, ImportSpec{Name: "Taken", Descriptor: "wpkh(" + keyA[:0] + keyAt(t, 1, &chaincfg.MainNetParams, "84'/0'/0'") + "/<0;1>/*)", Network: network.Main})
	require.NoError(t, err)
	tpub := keyAt(t, 1, &chaincfg.TestNet3Params, "84'/1'/0'")
	bare := xpubOf(keyAt(t, 4, &chaincfg.MainNetParams, "84'/0'/0'"))
	for _, tc := range []struct {
		name string
		spec ImportSpec
		msg  string
	}{
		{"name taken", ImportSpec{Name: "TAKEN", Descriptor: "wpkh(" + tpub + "/<0;1>/*)", Network: network.Test}, `a wallet named "Taken" already exists`},
		{"bad checksum", ImportSpec{Name: "x", Descriptor: "wpkh(" + tpub + "/<0;1>/*)#aaaaaaaa", Network: network.Test}, "the descriptor cannot be parsed"},
		{"wrong network", ImportSpec{Name: "x", Descriptor: "wpkh(" + tpub + "/<0;1>/*)", Network: network.Main}, "the descriptor does not fit network main"},
		{"private key", ImportSpec{Name: "x", Descriptor: "wpkh(tprv8ZgxMBicQKsPd9TeAdPADNnSyH9SSUUbTVeFszDE23Ki6TBB5nCefAdHkK8Fm3qMQR6sHwA56zqRmKmxnHk37JkiFzvncDqoKmPWubu7hDF/<0;1>/*)", Network: network.Test}, "the descriptor holds private keys"},
		{"key without origin", ImportSpec{Name: "x", Descriptor: "wpkh(" + bare + "/<0;1>/*)", Network: network.Main}, "key xpub6"},
		{"no change branch", ImportSpec{Name: "x", Descriptor: "wpkh(" + tpub + "/5/*)", Network: network.Test}, "the descriptor has no change branch"},
		{"not ranged", ImportSpec{Name: "x", Descriptor: "wpkh(" + tpub + "/0/0)", Network: network.Test}, "the descriptor has no change branch"},
		{"three branches", ImportSpec{Name: "x", Descriptor: "wpkh(" + tpub + "/<0;1;2>/*)", Network: network.Test}, "the descriptor has 3 branch(es), a wallet needs receive and change"},
		{"addr", ImportSpec{Name: "x", Descriptor: "addr(bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu)", Network: network.Main}, "the descriptor has no change branch"},
		{"bad change", ImportSpec{Name: "x", Descriptor: "wpkh(" + tpub + "/0/*)", Change: "wpkh(", Network: network.Test}, "the change descriptor cannot be parsed"},
		{"same receive and change", ImportSpec{Name: "x", Descriptor: "wpkh(" + tpub + "/0/*)", Change: "wpkh(" + tpub + "/0/*)", Network: network.Test}, "the wallet cannot be set up"},
		{"negative birthday", ImportSpec{Name: "x", Descriptor: "wpkh(" + tpub + "/<0;1>/*)", Network: network.Test, Birthday: -1}, "the birthday height is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, e.st)
			_, err := e.ImportDescriptor(ctx, tc.spec)
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), tc.msg), err.Error())
			require.Equal(t, before, snapshot(t, e.st))
		})
	}
}

func TestDepthOneKeyMustNameItsParentAsTheMaster(t *testing.T) {
	e := openEngine(t, store.NewMemory())
	good := keyAt(t, 1, &chaincfg.MainNetParams, "0'")
	d := addDevice(t, e, "Depth one", TypeOther, good)
	require.Len(t, d.Keys, 1)
	// keys.ParseExport already refuses this; AddDevice checks keys given
	// directly too.
	bad := DeviceKey{Origin: mustOrigin(t, "00000000/0'"), Xpub: xpubOf(good)}
	_, err := e.AddDevice(context.Background(), Device{Name: "Bad", Type: TypeOther, Keys: []DeviceKey{bad}})
	require.ErrorIs(t, err, ErrInvalid)
	require.True(t, strings.HasPrefix(err.Error(), "key [00000000/0h] says its parent is "+good[1:9]+", not the master fingerprint 00000000"), err.Error())
}

func TestOpenReportsUnreadableRecords(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		ops  []store.Op
		msg  string
	}{
		{"device not JSON", []store.Op{store.Put(store.Devices, "a", []byte("{"))}, "stored device a cannot be read"},
		{"wallet not JSON", []store.Op{store.Put(store.Wallets, "w", []byte("["))}, "stored wallet w cannot be read"},
		{"wallet without history", []store.Op{store.Put(store.Wallets, "w", []byte(`{"id":"w","name":"W"}`))}, "stored wallet W cannot be read: its history (change sets) is missing"},
		{"change set key", []store.Op{store.Put(store.ChangeSets, "w-1", []byte(`{}`))}, "stored change set w-1 cannot be read"},
		{"change set not JSON", []store.Op{store.Put(store.Wallets, "w", []byte(`{"id":"w","name":"W"}`)), store.Put(store.ChangeSets, "w/000000000000", []byte(`x`))}, "stored change set w/000000000000 cannot be read"},
		{"change set without params", []store.Op{store.Put(store.Wallets, "w", []byte(`{"id":"w","name":"W"}`)), store.Put(store.ChangeSets, "w/000000000000", []byte(`{}`))}, "stored wallet W cannot be read: wallet change set has no parameters"},
		{"psbt not JSON", []store.Op{store.Put(store.PSBTs, "w/x", []byte(`x`))}, "stored pending PSBT w/x cannot be read"},
		{"config not JSON", []store.Op{store.Put(store.Config, configKey, []byte(`x`))}, "stored configuration cannot be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := store.NewMemory()
			require.NoError(t, st.Apply(ctx, tc.ops...))
			_, err := Open(ctx, st, testOptions())
			require.ErrorIs(t, err, ErrCorrupt)
			require.True(t, strings.HasPrefix(err.Error(), tc.msg), err.Error())
			require.True(t, strings.HasSuffix(err.Error(), "(restore from a backup)"), err.Error())
		})
	}
	// A change set of a wallet that no longer exists is ignored.
	st := store.NewMemory()
	require.NoError(t, st.Apply(ctx, store.Put(store.ChangeSets, "gone/000000000003", []byte(`{}`))))
	_, err := Open(ctx, st, testOptions())
	require.NoError(t, err)
}
