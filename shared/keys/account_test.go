package keys

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/txscript"
	"github.com/specterpwa/specter/shared/network"
	"github.com/stretchr/testify/require"
)

type accountVectors struct {
	Mnemonic string `json:"mnemonic"`
	BIP84    struct {
		RootPriv, RootPub, Account, XPriv, XPub string
		Addresses                               []struct{ Path, Privkey, Pubkey, Address string }
	} `json:"bip84"`
	BIP86 struct {
		RootPriv, RootPub, Account, Xprv, Xpub string
		Addresses                              []struct {
			Path, Xprv, Xpub, Address string
			InternalKey               string `json:"internal_key"`
			OutputKey                 string `json:"output_key"`
			ScriptPubKey              string `json:"script_pubkey"`
		}
	} `json:"bip86"`
	BIP49 struct {
		Masterseed, Account, Account0Xpriv, Account0Xpub string
		Addresses                                        []struct {
			Path, Privkey, Pubkey, Keyhash, Address string
			RedeemScript                            string `json:"redeem_script"`
			AddressBytes                            string `json:"address_bytes"`
		}
	} `json:"bip49"`
}

func loadAccountVectors(t *testing.T) accountVectors {
	t.Helper()
	data, err := os.ReadFile("testdata/accounts.json")
	require.NoError(t, err)
	var v accountVectors
	require.NoError(t, json.Unmarshal(data, &v))
	return v
}

// withVersion re-serialises a key with SLIP-132 version bytes, private
// ones included, to compare with vectors printed as zprv/uprv.
func withVersion(t *testing.T, k *hdkeychain.ExtendedKey, version uint32) string {
	t.Helper()
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], version)
	c, err := k.CloneWithVersion(b[:])
	require.NoError(t, err)
	return c.String()
}

func derivePath(t *testing.T, k *hdkeychain.ExtendedKey, path string) *hdkeychain.ExtendedKey {
	t.Helper()
	p, err := ParsePath(path)
	require.NoError(t, err)
	for _, step := range p {
		k, err = k.Derive(step)
		require.NoError(t, err)
	}
	return k
}

func TestDeriveAccountBIP84Vectors(t *testing.T) {
	v := loadAccountVectors(t)
	master, err := MasterFromMnemonic(v.Mnemonic, "", network.Main)
	require.NoError(t, err)
	require.Equal(t, v.BIP84.RootPriv, withVersion(t, master, 0x04b2430c))
	masterPub, err := master.Neuter()
	require.NoError(t, err)
	require.Equal(t, v.BIP84.RootPub, withVersion(t, masterPub, 0x04b24746))

	acc, err := DeriveAccount(master, ScriptWPKH, network.Main, 0)
	require.NoError(t, err)
	require.Equal(t, "73c5da0a/84h/0h/0h", acc.Origin.String())
	require.Equal(t, v.BIP84.Account, acc.Origin.Path.StringApostrophe())
	require.Equal(t, v.BIP84.XPub, acc.SLIP132)
	require.Equal(t, "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V", acc.Xpub)
	require.Equal(t, ScriptWPKH, acc.ScriptType)
	require.Equal(t, v.BIP84.XPriv, withVersion(t, derivePath(t, master, v.BIP84.Account), 0x04b2430c))

	for _, a := range v.BIP84.Addresses {
		t.Run("address "+a.Path, func(t *testing.T) {
			child := derivePath(t, acc.Key, a.Path) // public derivation from the account xpub
			pub, err := child.ECPubKey()
			require.NoError(t, err)
			require.Equal(t, a.Pubkey, hex.EncodeToString(pub.SerializeCompressed()))
			addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), network.Main.Params())
			require.NoError(t, err)
			require.Equal(t, a.Address, addr.EncodeAddress())

			priv, err := derivePath(t, master, v.BIP84.Account+"/"+a.Path).ECPrivKey()
			require.NoError(t, err)
			wif, err := btcutil.NewWIF(priv, network.Main.Params(), true)
			require.NoError(t, err)
			require.Equal(t, a.Privkey, wif.String())
		})
	}
}

func TestDeriveAccountBIP86Vectors(t *testing.T) {
	v := loadAccountVectors(t)
	master, err := MasterFromMnemonic(v.Mnemonic, "", network.Main)
	require.NoError(t, err)
	require.Equal(t, v.BIP86.RootPriv, master.String())
	masterPub, err := master.Neuter()
	require.NoError(t, err)
	require.Equal(t, v.BIP86.RootPub, masterPub.String())

	acc, err := DeriveAccount(master, ScriptTR, network.Main, 0)
	require.NoError(t, err)
	require.Equal(t, "73c5da0a/86h/0h/0h", acc.Origin.String())
	require.Equal(t, v.BIP86.Xpub, acc.Xpub)
	require.Empty(t, acc.SLIP132, "SLIP-132 registers no taproot version")
	require.Equal(t, v.BIP86.Xprv, derivePath(t, master, v.BIP86.Account).String())

	for _, a := range v.BIP86.Addresses {
		t.Run("address "+a.Path, func(t *testing.T) {
			child := derivePath(t, acc.Key, a.Path)
			require.Equal(t, a.Xpub, child.String())
			require.Equal(t, a.Xprv, derivePath(t, master, v.BIP86.Account+"/"+a.Path).String())
			pub, err := child.ECPubKey()
			require.NoError(t, err)
			require.Equal(t, a.InternalKey, hex.EncodeToString(schnorr.SerializePubKey(pub)))
			output := txscript.ComputeTaprootKeyNoScript(pub)
			require.Equal(t, a.OutputKey, hex.EncodeToString(schnorr.SerializePubKey(output)))
			script, err := txscript.PayToTaprootScript(output)
			require.NoError(t, err)
			require.Equal(t, a.ScriptPubKey, hex.EncodeToString(script))
			addr, err := btcutil.NewAddressTaproot(schnorr.SerializePubKey(output), network.Main.Params())
			require.NoError(t, err)
			require.Equal(t, a.Address, addr.EncodeAddress())
		})
	}
}

func TestDeriveAccountBIP49TestnetVector(t *testing.T) {
	v := loadAccountVectors(t)
	master, err := MasterFromMnemonic(v.Mnemonic, "", network.Test)
	require.NoError(t, err)
	require.Equal(t, v.BIP49.Masterseed, withVersion(t, master, 0x044a4e28))

	acc, err := DeriveAccount(master, ScriptSHWPKH, network.Test, 0)
	require.NoError(t, err)
	require.Equal(t, "73c5da0a/49h/1h/0h", acc.Origin.String())
	require.Equal(t, v.BIP49.Account0Xpub, acc.SLIP132)
	require.Equal(t, "tpub", acc.Xpub[:4])
	parsed, err := ParseExtendedKey(v.BIP49.Account0Xpub)
	require.NoError(t, err)
	require.Equal(t, acc.Xpub, parsed.Key.String())
	require.Equal(t, v.BIP49.Account0Xpriv, withVersion(t, derivePath(t, master, v.BIP49.Account), 0x044a4e28))

	for _, a := range v.BIP49.Addresses {
		child := derivePath(t, acc.Key, a.Path)
		pub, err := child.ECPubKey()
		require.NoError(t, err)
		require.Equal(t, a.Pubkey, hex.EncodeToString(pub.SerializeCompressed()))
		keyhash := btcutil.Hash160(pub.SerializeCompressed())
		require.Equal(t, a.Keyhash, hex.EncodeToString(keyhash))
		redeem, err := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(keyhash).Script()
		require.NoError(t, err)
		require.Equal(t, a.RedeemScript, hex.EncodeToString(redeem))
		addr, err := btcutil.NewAddressScriptHash(redeem, network.Test.Params())
		require.NoError(t, err)
		require.Equal(t, a.AddressBytes, hex.EncodeToString(addr.ScriptAddress()))
		require.Equal(t, a.Address, addr.EncodeAddress())
		priv, err := derivePath(t, master, v.BIP49.Account+"/"+a.Path).ECPrivKey()
		require.NoError(t, err)
		wif, err := btcutil.NewWIF(priv, network.Test.Params(), true)
		require.NoError(t, err)
		require.Equal(t, a.Privkey, wif.String())
	}
}

// TestDeriveAccountPathsAndFormatsPerNetwork checks every script type's
// path, coin type and SLIP-132 prefix on mainnet and on each test network.
func TestDeriveAccountPathsAndFormatsPerNetwork(t *testing.T) {
	const about = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	type want struct{ path, slip string }
	main := map[ScriptType]want{
		ScriptPKH: {"44h/0h/3h", "xpub"}, ScriptSHWPKH: {"49h/0h/3h", "ypub"}, ScriptWPKH: {"84h/0h/3h", "zpub"},
		ScriptTR: {"86h/0h/3h", ""}, ScriptSHWSH: {"48h/0h/3h/1h", "Ypub"}, ScriptWSH: {"48h/0h/3h/2h", "Zpub"},
	}
	test := map[ScriptType]want{
		ScriptPKH: {"44h/1h/3h", "tpub"}, ScriptSHWPKH: {"49h/1h/3h", "upub"}, ScriptWPKH: {"84h/1h/3h", "vpub"},
		ScriptTR: {"86h/1h/3h", ""}, ScriptSHWSH: {"48h/1h/3h/1h", "Upub"}, ScriptWSH: {"48h/1h/3h/2h", "Vpub"},
	}
	for _, net := range network.All {
		master, err := MasterFromMnemonic(about, "", net)
		require.NoError(t, err)
		table, std := main, "xpub"
		if net.IsTestnetLike() {
			table, std = test, "tpub"
		}
		for _, st := range ScriptTypes {
			t.Run(string(net)+"/"+string(st), func(t *testing.T) {
				acc, err := DeriveAccount(master, st, net, 3)
				require.NoError(t, err)
				require.Equal(t, table[st].path, acc.Origin.Path.String())
				require.Equal(t, std, acc.Xpub[:4])
				if table[st].slip == "" {
					require.Empty(t, acc.SLIP132)
				} else {
					require.Equal(t, table[st].slip, acc.SLIP132[:4])
					k, err := ParseExtendedKey(acc.SLIP132)
					require.NoError(t, err)
					require.Equal(t, acc.Xpub, k.Key.String())
				}
				require.Equal(t, mustNeuter(t, derivePath(t, master, acc.Origin.Path.String())), acc.Xpub)
			})
		}
	}
}

func mustNeuter(t *testing.T, k *hdkeychain.ExtendedKey) string {
	t.Helper()
	p, err := k.Neuter()
	require.NoError(t, err)
	return p.String()
}

func TestDeriveAccountRejectsBadInput(t *testing.T) {
	const about = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	master, err := MasterFromMnemonic(about, "", network.Main)
	require.NoError(t, err)
	_, err = DeriveAccount(master, ScriptWPKH, network.Test, 0)
	require.EqualError(t, err, "derive wpkh account: the master key is not for test (an xprv is for mainnet, a tprv for test networks)")
	pub, err := master.Neuter()
	require.NoError(t, err)
	_, err = DeriveAccount(pub, ScriptWPKH, network.Main, 0)
	require.EqualError(t, err, "derive wpkh account: the master key is public; hardened account paths need the private master key")
	_, err = DeriveAccount(master, ScriptWPKH, network.Main, Hardened)
	require.EqualError(t, err, "account 2147483648: account numbers go from 0 to 2147483647")
	_, err = DeriveAccount(master, "p2pk", network.Main, 0)
	require.EqualError(t, err, `unknown script type "p2pk": use pkh, sh-wpkh, wpkh, tr, sh-wsh or wsh`)
}

func TestParseScriptTypeAcceptsDescriptorAndAddressNames(t *testing.T) {
	for in, want := range map[string]ScriptType{
		"wpkh": ScriptWPKH, "SH_WPKH": ScriptSHWPKH, "sh(wsh)": ScriptSHWSH, "p2wsh": ScriptWSH,
		"P2SH-P2WSH": ScriptSHWSH, "p2tr": ScriptTR, "pkh": ScriptPKH, "p2sh-p2wpkh": ScriptSHWPKH,
	} {
		got, err := ParseScriptType(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := ParseScriptType("p2wsh-legacy")
	require.EqualError(t, err, `unknown script type "p2wsh-legacy": use pkh, sh-wpkh, wpkh, tr, sh-wsh or wsh`)
	st, err := ParseScriptType("p2sh")
	require.NoError(t, err)
	require.Equal(t, ScriptSH, st)
	require.True(t, st.Multisig())
	_, err = AccountPath(ScriptSH, network.Main, 0)
	require.EqualError(t, err, "no standard account for sh: BIP45 legacy P2SH multisig uses m/45' without accounts; use wsh or sh-wsh")
}

func TestStandardAccountsOffersEveryScriptTypeInOrder(t *testing.T) {
	const about = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	master, err := MasterFromMnemonic(about, "", network.Signet)
	require.NoError(t, err)
	accs, err := StandardAccounts(master, network.Signet, 0)
	require.NoError(t, err)
	var got []string
	for _, a := range accs {
		got = append(got, string(a.ScriptType)+" "+a.Origin.String())
	}
	require.Equal(t, []string{
		"pkh 73c5da0a/44h/1h/0h", "sh-wpkh 73c5da0a/49h/1h/0h", "wpkh 73c5da0a/84h/1h/0h",
		"tr 73c5da0a/86h/1h/0h", "sh-wsh 73c5da0a/48h/1h/0h/1h", "wsh 73c5da0a/48h/1h/0h/2h",
	}, got)
	_, err = StandardAccounts(master, network.Main, 0)
	require.EqualError(t, err, "derive pkh account: the master key is not for main (an xprv is for mainnet, a tprv for test networks)")
}
