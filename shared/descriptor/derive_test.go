package descriptor

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

func mustParse(t *testing.T, s string) *Descriptor {
	t.Helper()
	d, err := Parse(s)
	require.NoError(t, err)
	return d
}

func TestAddressesFromBIP84BIP86BIP49Vectors(t *testing.T) {
	var f struct {
		Vectors []struct {
			Name, Descriptor, Network string
			Addresses                 []struct {
				Branch       int
				Index        uint32
				Address      string
				PubKey       string `json:"pubkey"`
				OutputKey    string `json:"output_key"`
				RedeemScript string `json:"redeem_script"`
				Path         string
			}
		}
	}
	loadJSON(t, "addresses.json", &f)
	require.Len(t, f.Vectors, 7)
	for _, v := range f.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			d := mustParse(t, v.Descriptor)
			net, err := network.Parse(v.Network)
			require.NoError(t, err)
			for _, a := range v.Addresses {
				b, err := d.Branch(a.Branch)
				require.NoError(t, err)
				got, err := b.Address(a.Index, net)
				require.NoError(t, err)
				require.Equal(t, a.Address, got)
				if a.PubKey == "" {
					continue
				}
				der, err := b.Derive(a.Index)
				require.NoError(t, err)
				require.Len(t, der.Keys, 1)
				require.Equal(t, a.PubKey, hex.EncodeToString(der.Keys[0].PubKey))
				require.Equal(t, "73c5da0a/"+a.Path, der.Keys[0].Origin.String())
				require.Equal(t, a.RedeemScript, hex.EncodeToString(der.RedeemScript))
				if a.OutputKey != "" {
					require.Equal(t, a.OutputKey, hex.EncodeToString(der.Taproot.OutputKey))
					require.Equal(t, der.Keys[0], der.Taproot.InternalKey)
					require.Nil(t, der.Taproot.MerkleRoot)
					require.Empty(t, der.Taproot.Leaves)
				}
			}
		})
	}
}

func TestAddressOnRegtestAndSignetUsesTheirBech32Prefixes(t *testing.T) {
	// The BIP84 account key re-encoded as a tpub gives the same witness
	// programs as on mainnet, under the bcrt and tb prefixes.
	ek, err := keys.ParseExtendedKey("zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs")
	require.NoError(t, err)
	tpub, err := keys.ConvertVersion(ek.Key, keys.FormatX, true)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(tpub, "tpub"))
	d := mustParse(t, "wpkh("+tpub+"/0/*)")
	main, err := btcutil.DecodeAddress("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", network.Main.Params())
	require.NoError(t, err)
	for net, prefix := range map[network.Network]string{network.Regtest: "bcrt1q", network.Signet: "tb1q", network.Test: "tb1q"} {
		got, err := d.Address(0, net)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(got, prefix), got)
		a, err := btcutil.DecodeAddress(got, net.Params())
		require.NoError(t, err)
		require.Equal(t, main.ScriptAddress(), a.ScriptAddress())
	}
	_, err = d.Address(0, network.Main)
	require.EqualError(t, err, `key "`+tpub[:12]+"…"+tpub[len(tpub)-8:]+`" is a testnet key but addresses for main were asked: use the network the keys were exported for`)
}

func TestAddressErrorsSayWhy(t *testing.T) {
	for name, tc := range map[string]struct {
		desc string
		net  network.Network
		err  string
	}{
		"pk has no address":            {"pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", network.Main, "a pubkey script has no address form: use the script itself"},
		"bare multisig has no address": {"multi(1,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", network.Main, "a multisig script has no address form: use the script itself"},
		"raw nonstandard script":       {"raw(deadbeef)", network.Main, "script deadbeef has no address form"},
		"xpub on testnet":              {"wpkh(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/*)", network.Test, `key "xpub6ERApfZw…uZZvRcEL" is a mainnet key but addresses for test were asked: use the network the keys were exported for`},
		"mainnet WIF on regtest":       {"wpkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", network.Regtest, "is a mainnet key but addresses for regtest were asked"},
		"mainnet addr() on testnet":    {"addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)", network.Test, "addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j) is not an address for test"},
		"combo has several":            {"combo(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", network.Main, "combo() produces several scripts per index (BIP384): use DeriveAll"},
		"multipath needs a branch":     {"wpkh(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/<0;1>/*)", network.Main, "descriptor has 2 multipath branches: pick one with Branch first (BIP389)"},
		"hardened step from xpub":      {"wpkh(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/1h/*)", network.Main, "cannot derive the hardened step 1h from a public key: give the private key or the xpub after the last hardened step"},
	} {
		t.Run(name, func(t *testing.T) {
			d := mustParse(t, tc.desc)
			_, err := d.Address(0, tc.net)
			require.ErrorContains(t, err, tc.err)
			netErr := d.CheckNetwork(tc.net)
			if strings.Contains(tc.err, "key but addresses") || strings.Contains(tc.err, "is not an address for") {
				require.ErrorIs(t, err, ErrWrongNetwork)
				require.EqualError(t, netErr, err.Error())
			} else {
				require.NotErrorIs(t, err, ErrWrongNetwork)
				require.NoError(t, netErr)
			}
		})
	}
}

func TestAddrDescriptorOnItsNetworks(t *testing.T) {
	d := mustParse(t, "addr(tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx)")
	for _, net := range []network.Network{network.Test, network.Signet} {
		got, err := d.Address(0, net)
		require.NoError(t, err)
		require.Equal(t, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", got)
	}
	der, err := d.Derive(0)
	require.NoError(t, err)
	require.Equal(t, "0014751e76e8199196d454941c45d1b3a323f1433bd6", hex.EncodeToString(der.ScriptPubKey))
	require.Equal(t, Addr, d.ScriptType())
	m, n := d.Threshold()
	require.Equal(t, [2]int{0, 0}, [2]int{m, n})
}

// testAccount returns the tpub at m/48h/1h/0h/2h of a master key made from a
// fixed seed, and the master fingerprint, as a cosigner would export them.
func testAccount(t testing.TB, seedByte byte) (tpub string, fp keys.Fingerprint) {
	t.Helper()
	seed := bytes.Repeat([]byte{seedByte}, 32)
	master, err := hdkeychain.NewMaster(seed, &chaincfg.TestNet3Params)
	require.NoError(t, err)
	mpub, err := master.ECPubKey()
	require.NoError(t, err)
	copy(fp[:], btcutil.Hash160(mpub.SerializeCompressed()))
	k := master
	for _, step := range []uint32{48, 1, 0, 2} {
		k, err = k.Derive(step + hdkeychain.HardenedKeyStart)
		require.NoError(t, err)
	}
	pub, err := k.Neuter()
	require.NoError(t, err)
	return pub.String(), fp
}

func TestDeriveWshSortedMultiGivesScriptsKeysAndOrigins(t *testing.T) {
	tpubA, fpA := testAccount(t, 1)
	tpubB, fpB := testAccount(t, 2)
	tpubC, fpC := testAccount(t, 3)
	desc := "wsh(sortedmulti(2,[" + fpA.String() + "/48h/1h/0h/2h]" + tpubA + "/<0;1>/*,[" + fpB.String() + "/48h/1h/0h/2h]" + tpubB + "/<0;1>/*,[" + fpC.String() + "/48h/1h/0h/2h]" + tpubC + "/<0;1>/*))"
	d := mustParse(t, desc)
	require.Equal(t, WSH, d.ScriptType())
	require.Equal(t, 2, d.PathCount())
	require.True(t, d.IsRange())
	m, n := d.Threshold()
	require.Equal(t, [2]int{2, 3}, [2]int{m, n})
	ks := d.Keys()
	require.Len(t, ks, 3)
	require.Equal(t, tpubB, ks[1].Xpub)
	require.Equal(t, keys.Path{0}, ks[1].Path)
	require.Equal(t, []uint32{0, 1}, ks[1].Multipath)
	require.Equal(t, 0, ks[1].MultipathIndex)
	require.True(t, ks[1].Wildcard)
	require.False(t, ks[1].Hardened)
	require.Equal(t, fpB.String()+"/48h/1h/0h/2h", ks[1].Origin.String())

	change, err := d.Branch(1)
	require.NoError(t, err)
	der, err := change.Derive(7)
	require.NoError(t, err)
	require.Equal(t, 2, der.Required)
	require.Nil(t, der.RedeemScript)
	require.Nil(t, der.Taproot)
	require.Len(t, der.Keys, 3)
	// The witness script is OP_2 <k1> <k2> <k3> OP_3 OP_CHECKMULTISIG with
	// the keys sorted, and Keys follows that order.
	ws := der.WitnessScript
	require.Len(t, ws, 1+3*34+2)
	require.Equal(t, byte(txscript.OP_2), ws[0])
	require.Equal(t, []byte{txscript.OP_3, txscript.OP_CHECKMULTISIG}, ws[len(ws)-2:])
	for i, k := range der.Keys {
		require.Equal(t, k.PubKey, ws[2+34*i:2+34*i+33])
		require.Equal(t, "48h/1h/0h/2h/1/7", k.Origin.Path.String())
		if i > 0 {
			require.Less(t, hex.EncodeToString(der.Keys[i-1].PubKey), hex.EncodeToString(k.PubKey))
		}
	}
	fps := map[string]bool{}
	for _, k := range der.Keys {
		fps[k.Origin.Fingerprint.String()] = true
	}
	require.Equal(t, map[string]bool{fpA.String(): true, fpB.String(): true, fpC.String(): true}, fps)
	wantSPK := append([]byte{0, 32}, sha256Sum(ws)...)
	require.Equal(t, wantSPK, der.ScriptPubKey)

	// sh(wsh()) wraps the same witness script.
	nested := mustParse(t, strings.Replace(strings.Replace(desc, "wsh(", "sh(wsh(", 1), "))", ")))", 1))
	require.Equal(t, SHWSH, nested.ScriptType())
	nb, err := nested.Branch(1)
	require.NoError(t, err)
	nder, err := nb.Derive(7)
	require.NoError(t, err)
	require.Equal(t, ws, nder.WitnessScript)
	require.Equal(t, der.ScriptPubKey, nder.RedeemScript)
	require.Equal(t, p2sh(der.ScriptPubKey), nder.ScriptPubKey)
	addr, err := nb.Address(7, network.Test)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(addr, "2"), addr)
}

func TestDeriveTaprootTreeControlBlocksVerify(t *testing.T) {
	// BIP386's four-leaf vector: every control block must prove its leaf
	// against the output key (checked with btcd's BIP341 verifier).
	d := mustParse(t, "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,{pk(xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334/0),{{pk(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL),pk(02df12b7035bdac8e3bab862a3a83d06ea6b17b6753d52edecba9be46f5d09e076)},pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)}})")
	require.Equal(t, TR, d.ScriptType())
	der, err := d.Derive(0)
	require.NoError(t, err)
	tr := der.Taproot
	require.NotNil(t, tr)
	require.Equal(t, "71fff39599a7b78bc02623cbe814efebf1a404f5d8ad34ea80f213bd8943f574", hex.EncodeToString(tr.OutputKey))
	require.Equal(t, "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd", hex.EncodeToString(tr.InternalKey.PubKey))
	require.Len(t, tr.MerkleRoot, 32)
	require.Len(t, tr.Leaves, 4)
	require.Len(t, der.Keys, 5)
	outKey, err := schnorr.ParsePubKey(tr.OutputKey)
	require.NoError(t, err)
	depths := []int{1, 3, 3, 2}
	for i, leaf := range tr.Leaves {
		require.Equal(t, byte(0xc0), leaf.LeafVersion)
		require.Equal(t, 1, leaf.Required)
		require.Len(t, leaf.Keys, 1)
		require.Len(t, leaf.Script, 34)
		require.Equal(t, leaf.Keys[0].PubKey, leaf.Script[1:33])
		require.Equal(t, der.Keys[i+1], leaf.Keys[0])
		require.Len(t, leaf.ControlBlock, 33+32*depths[i], "leaf %d", i)
		cb, err := txscript.ParseControlBlock(leaf.ControlBlock)
		require.NoError(t, err)
		require.NoError(t, txscript.VerifyTaprootLeafCommitment(cb, schnorr.SerializePubKey(outKey), leaf.Script), "leaf %d", i)
	}
	require.Equal(t, "02df12b7035bdac8e3bab862a3a83d06ea6b17b6753d52edecba9be46f5d09e076"[2:], hex.EncodeToString(tr.Leaves[2].Keys[0].PubKey))
	addr, err := d.Address(0, network.Main)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(addr, "bc1p"), addr)
}

func TestDeriveMultiAThresholdAbove16(t *testing.T) {
	// 17-of-17 multi_a pushes its threshold as a script number (BIP387).
	var ks []string
	for i := 0; i < 17; i++ {
		ks = append(ks, "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/"+string(rune('0'+i%10))+"/"+string(rune('0'+i/10))+"/*")
	}
	d := mustParse(t, "tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(17,"+strings.Join(ks, ",")+"))")
	m, n := d.Threshold()
	require.Equal(t, [2]int{17, 17}, [2]int{m, n})
	der, err := d.Derive(3)
	require.NoError(t, err)
	s := der.Taproot.Leaves[0].Script
	require.Equal(t, 17, der.Taproot.Leaves[0].Required)
	require.Len(t, s, 17*34+3)
	require.Equal(t, byte(txscript.OP_CHECKSIG), s[33])
	require.Equal(t, byte(txscript.OP_CHECKSIGADD), s[67])
	require.Equal(t, []byte{0x01, 17, txscript.OP_NUMEQUAL}, s[len(s)-3:])
}

func TestPushIntMinimalEncoding(t *testing.T) {
	for v, want := range map[int]string{0: "00", 1: "51", 16: "60", 17: "0111", 127: "017f", 128: "028000", 255: "02ff00", 256: "020001", 999: "02e703"} {
		require.Equal(t, want, hex.EncodeToString(pushInt(v)), "value %d", v)
	}
}

func TestDeriveKeysWithoutOriginUseTheirOwnFingerprint(t *testing.T) {
	// BIP32 test vector 1: m is xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8 with fingerprint 3442193e.
	d := mustParse(t, "pkh(xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8/1/*)")
	der, err := d.Derive(5)
	require.NoError(t, err)
	require.Equal(t, "3442193e/1/5", der.Keys[0].Origin.String())
	require.Equal(t, 1, der.Required)
	require.Equal(t, PKH, d.ScriptType())
	_, err = d.Derive(1 << 31)
	require.EqualError(t, err, "index 2147483648 is out of range: wildcard indexes go from 0 to 2147483647")
}

func TestDeriveAllCombo(t *testing.T) {
	d := mustParse(t, "combo(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)")
	require.Equal(t, Combo, d.ScriptType())
	all, err := d.DeriveAll(0)
	require.NoError(t, err)
	require.Len(t, all, 4)
	require.Equal(t, "00149a1c78a507689f6f54b847ad1cef1e614ee23f1e", hex.EncodeToString(all[3].RedeemScript))
	one, err := mustParse(t, "wpkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)").DeriveAll(0)
	require.NoError(t, err)
	require.Equal(t, []*Derived{all[2]}, one)
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

func TestFastWildcardStepMatchesHdkeychain(t *testing.T) {
	tpub, _ := testAccount(t, 9)
	d := mustParse(t, "wpkh("+tpub+"/1/*)")
	ext, err := hdkeychain.NewKeyFromString(tpub)
	require.NoError(t, err)
	parent, err := ext.Derive(1)
	require.NoError(t, err)
	for i := uint32(0); i < 64; i++ {
		child, err := parent.Derive(i)
		require.NoError(t, err)
		want, err := child.ECPubKey()
		require.NoError(t, err)
		der, err := d.Derive(i)
		require.NoError(t, err)
		require.Equal(t, want.SerializeCompressed(), der.Keys[0].PubKey, "index %d", i)
	}
}
