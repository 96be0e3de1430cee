package keys

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specterpwa/specter/shared/network"
	"github.com/stretchr/testify/require"
)

// coldcardSimulatorWords is the Coldcard simulator's fixed seed
// (Coldcard/firmware testing constants simulator_fixed_words, xfp
// 0x4369050f = 0f056943): the seed behind the Coldcard fixtures.
const coldcardSimulatorWords = "wife shiver author away frog air rough vanish fantasy frozen noodle athlete pioneer citizen symptom firm much faith extend rare axis garment kiwi clarify"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "exports", name))
	require.NoError(t, err)
	return data
}

func exportStrings(ex []KeyExport) []string {
	out := make([]string, len(ex))
	for i, e := range ex {
		out[i] = e.String()
	}
	return out
}

// TestParseExportReadsEachVendorFixture reads every real export file and
// checks each key, hint, label and source exactly.
func TestParseExportReadsEachVendorFixture(t *testing.T) {
	for _, tc := range []struct {
		file   string
		source string
		labels []string
		keys   []string
	}{
		{"coldcard-generic-btc-account123.json", SourceColdcardGeneric, nil, []string{
			"pkh [0f056943/44h/0h/123h]xpub6DStQXfAgHuLbMpCf86ruVkF4yT9pSLyWsFiqQTWY9osuinq8Dyee4W5jCjMfyku5LNkRB9oFinrY5ufn9XXEn8Vvzc2jnifKMaQCNV7RBZ",
			"sh-wpkh [0f056943/49h/0h/123h]xpub6DDm8WzH5a9qjKkttzqSB3uGofNohU9D3n3UG8WMxkUZzJEMPTYiQRf1dvTFCQR82MjGW4LUMVuTtnW4hF17RpzCqVwhf6Z2fnJPWtjG164",
			"wpkh [0f056943/84h/0h/123h]xpub6CaWStGvcXqSW9BzU2vpCoP7aWjz9VfR5DS2nuYWVvKV2nug2dESg3HdFsaWHeoZaxuAhNcPB3TH2gq8MugS3JX1yGuhB4QbC2BneaYqB16",
			"sh-wsh [0f056943/48h/0h/123h/1h]xpub6EkcQSTygvxVnBP2X2fM6HY5D7wv46tWbBc54ADaypuCr47vQh1GPdPAZFdx81ou5Rp4vBnzeJT5MDWDZstzijxkHfrofXRycpt1ASfg1La",
			"wsh [0f056943/48h/0h/123h/2h]xpub6EkcQSTygvxVneXmk3ywiS2PFhBdiPxeMxYf6RFxHCHH36NxdcN7DjUpudCppAAxs58CG6DQLjtqZNmyC3MpgVob6wpdeATjpZZ1woX92EF",
		}},
		{"coldcard-generic-xtn-account123.json", SourceColdcardGeneric, nil, []string{
			"pkh [0f056943/44h/1h/123h]tpubDCiHGUNYdRRGoSH22j8YnruUKgguCK1CC2NFQUf9PApeZh8ewAJJWGMUrhggDNK73iCTanWXv1RN5FYemUH8UrVUBjqDb8WF2VoKmDh9UTo",
			"sh-wpkh [0f056943/49h/1h/123h]tpubDCDqt7XXvhAdy1MpSze5nMJA9x8DrdRaKALRRPasfxyHpiqWWEAr9cbDBQ9BcX7cB3up98Pk97U2QQ3xrvQsi5dNPmRYYhdcsKY9wwEY87T",
			"wpkh [0f056943/84h/1h/123h]tpubDC7jGaaSE66VDB6VhEDFYQSCAyugXmfnMnrMVyHNzW9wryyTxvha7TmfAHd7GRXrr2TaAn2HXn9T8ep4gyNX1bzGiieqcTUNcu2poyntrET",
		}},
		{"coldcard-generic-xtn-bip86.json", SourceColdcardGeneric, nil, []string{
			"wpkh [0f056943/84h/1h/0h]tpubDC7jGaaSE66Pn4dgtbAAstde4bCyhSUs4r3P8WhMVvPByvcRrzrwqSvpF9Ghx83Z1LfVugGRrSBko5UEKELCz9HoMv5qKmGq3fqnnbS5E9r",
			"tr [0f056943/86h/1h/0h]tpubDCeEX49avtiXrBTv3JWTtco99Ka499jXdZHBRtm7va2gkMAui11ctZjqNAT9dLVNaEozt2C1kfTM88cnvZCXsWLJN2p4viGvsyGjtKVV7A1",
		}},
		{"coldcard-multisig-0F056943.json", SourceColdcardMultisig, nil, []string{
			"sh [0f056943/45h]tpubD8NXmKsmWp3a3DXhbihAYbYLGaRNVdTnr6JoSxxfXYQcmwVtW2hv8QoDwng6JtEonmJoL3cNEwfd2cLXMpGezwZ2vL2dQ7259bueNKj9C8n",
			"sh-wsh [0f056943/48h/1h/0h/1h]tpubDF2rnouQaaYrUEy2JM1YD3RFzew4onawGM4X2Re67gguTf5CbHonBRiFGe3Xjz7DK88dxBFGf2i7K1hef3PM4cFKyUjcbJXddaY9F5tJBoP",
			"wsh [0f056943/48h/1h/0h/2h]tpubDF2rnouQaaYrXF4noGTv6rQYmx87cQ4GrUdhpvXkhtChwQPbdGTi8GA88NUaSrwZBwNsTkC9bFkkC8vDyGBVVAQTZ2AS6gs68RQXtXcCvkP",
		}},
		{"coldcard-multisig-6BA6CFD0.json", SourceColdcardMultisig, nil, []string{
			"sh [6ba6cfd0/45h]tpubD9429UXFGCTKJ9NdiNK4rC5ygqSUkginycYHccqSg5gkmyQ7PZRHNjk99M6a6Y3NY8ctEUUJvCu6iCCui8Ju3xrHRu3Ez1CKB4ZFoRZDdP9",
			"sh-wsh [6ba6cfd0/48h/1h/0h/1h]tpubDFcrvj5n7gyatVbr8dHCUfHT4CGvL8hREBjtxc4ge7HZgqNuPhFimPRtVg6fRRwfXiQthV9EBjNbwbpgV2VoQeL1ZNXoAWXxP2L9vMtRjax",
			"wsh [6ba6cfd0/48h/1h/0h/2h]tpubDFcrvj5n7gyaxWQkoX69k2Zij4vthiAwvN2uhYjDrE6wktKoQaE7gKVZRiTbYdrAYH1UFPGdzdtWJc6WfR2gFMq6XpxA12gCdQmoQNU9mgm",
		}},
		{"coldcard-multisig-5271C071.json", SourceColdcardMultisig, nil, []string{
			"sh [5271c071/45h]tpubD8sGsX8cpVReqMzjTH9QxbSrQd5sTodLWpNf7HWNaJgUFH31LZQfgqxYoj2infUf49NPtao85o9a2x3PNhQ2SmU8xGmDKZaBdiyck711mBk",
			"sh-wsh [5271c071/48h/1h/0h/1h]tpubDExVVYRiBtwvk75wRLeSwLSWSUwpMSCb5YhJYB2gycGes9nrBamkcNR8DPtt9QqzfQRraemx3BMamuBXwSYL7w5MVz4Tn9jAUbheDWNkEMg",
			"wsh [5271c071/48h/1h/0h/2h]tpubDExVVYRiBtwvkkgrX6m5WQzMbf5fiUMueL98x4MZo9ARiUY4Q7YeWSrfGTb5JhZ9B9WRWfEpNXRFcnBiyzEcbwiNZYgnAkD21Swb9YqH2nm",
		}},
		{"cobo-multisig-5271C071_P2WSH.json", SourceCoboMultisig, nil, []string{
			"wsh [5271c071/48h/1h/0h/2h]tpubDExVVYRiBtwvkkgrX6m5WQzMbf5fiUMueL98x4MZo9ARiUY4Q7YeWSrfGTb5JhZ9B9WRWfEpNXRFcnBiyzEcbwiNZYgnAkD21Swb9YqH2nm",
		}},
		{"cobo-singlesig.json", SourceKeystone, nil, []string{
			"wpkh [73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V",
		}},
		{"electrum-coldcard-single.json", SourceElectrum, []string{"Coldcard Import 4369050F"}, []string{
			"wpkh [0f056943/84h/1h/0h]tpubDC7jGaaSE66Pn4dgtbAAstde4bCyhSUs4r3P8WhMVvPByvcRrzrwqSvpF9Ghx83Z1LfVugGRrSBko5UEKELCz9HoMv5qKmGq3fqnnbS5E9r",
		}},
		{"electrum-coldcard-2of4.json", SourceElectrum, []string{"Coldcard D0CFA66B", "Coldcard 8E697B74", "Coldcard BE26B07B", "Coldcard 4369050F"}, []string{
			"sh [6ba6cfd0/45h]tpubD9429UXFGCTKJ9NdiNK4rC5ygqSUkginycYHccqSg5gkmyQ7PZRHNjk99M6a6Y3NY8ctEUUJvCu6iCCui8Ju3xrHRu3Ez1CKB4ZFoRZDdP9",
			"sh [747b698e/45h]tpubD97nVL37v5tWyMf9ofh5rznwhh1593WMRg6FT4o6MRJkKWANtwAMHYLrcJFsFmPfYbY1TE1LLQ4KBb84LBPt1ubvFwoosvMkcWJtMwvXgSc",
			"sh [7bb026be/45h]tpubD9ArfXowvGHnuECKdGXVKDMfZVGdephVWg8fWGWStH3VKHzT4ph3A4ZcgXWqFu1F5xGTfxncmrnf3sLC86dup2a8Kx7z3xQ3AgeNTQeFxPa",
			"sh [0f056943/45h]tpubD8NXmKsmWp3a3DXhbihAYbYLGaRNVdTnr6JoSxxfXYQcmwVtW2hv8QoDwng6JtEonmJoL3cNEwfd2cLXMpGezwZ2vL2dQ7259bueNKj9C8n",
		}},
		{"electrum-coldcard-multisig-2of4-sh-wsh.json", SourceElectrum, []string{"Coldcard 0F056943", "Coldcard 6BA6CFD0", "Coldcard 747B698E", "Coldcard 7BB026BE"}, []string{
			"sh-wsh [0f056943/48h/1h/0h/1h]tpubDF2rnouQaaYrUEy2JM1YD3RFzew4onawGM4X2Re67gguTf5CbHonBRiFGe3Xjz7DK88dxBFGf2i7K1hef3PM4cFKyUjcbJXddaY9F5tJBoP",
			"sh-wsh [6ba6cfd0/48h/1h/0h/1h]tpubDFcrvj5n7gyatVbr8dHCUfHT4CGvL8hREBjtxc4ge7HZgqNuPhFimPRtVg6fRRwfXiQthV9EBjNbwbpgV2VoQeL1ZNXoAWXxP2L9vMtRjax",
			"sh-wsh [747b698e/48h/1h/0h/1h]tpubDExj5FnaUnPAjjgzELoSiNRkuXJG8Cm1pbdiA4Hc5vkAZHphibeVcUp6mqH5LuNVKbtLVZxVSzyja5X26Cfmx6pzRH6gXBUJAH7MiqwNyuM",
			"sh-wsh [7bb026be/48h/1h/0h/1h]tpubDFiuHYSJhNbHaGtB5skiuDLg12tRboh2uVZ6KGXxr8WVr28pLcS7F3gv8SsHFa2tm1jtx3VAuw56YfgRkdo6DXyfp51oygTKY3nJFT5jBMt",
		}},
		{"sparrow-wallet-model-p2wsh.json", SourceSparrowWallet, []string{"Coldcard simulator", "Specter DIY"}, []string{
			"wsh [0f056943/48h/0h/123h/2h]xpub6EkcQSTygvxVneXmk3ywiS2PFhBdiPxeMxYf6RFxHCHH36NxdcN7DjUpudCppAAxs58CG6DQLjtqZNmyC3MpgVob6wpdeATjpZZ1woX92EF",
			"wsh [7fd1bbf4/48h/0h/0h/2h]xpub6DnVFCXjZKhSAJw1oGzksdc1CtMxHxqG6DgNSjZHsymMSgcNEb2c3bz5N2bBMEEUFos98CeAWbh1pTMBcJrsKW63icdAQNGT6Aqv1WWrkxg",
		}},
		{"specter-desktop-device.json", SourceSpecterDevice, []string{"Specter", "Specter", "Specter", "Specter", "Specter"}, []string{
			"wsh [08686ac6/48h/1h/0h/2h]tpubDFHpKypXq4kwUrqLotPs6fCic5bFqTRGMBaTi9s5YwwGymE8FLGwB2kDXALxqvNwFxB1dLWYBmmeFVjmUSdt2AsaQuPmkyPLBKRZW8BGCiL",
			"wpkh [08686ac6/84h/1h/0h]tpubDDUotcvrYMUiy4ncDirveTfhmvggdj8nxcW5JgHpGzYz3UVscJY5aEzFvgUPk4YyajadBnsTBmE2YZmAtJC14Q21xncJgVaHQ7UdqMRVRbU",
			"wpkh [08686ac6/84h/1h/1h]tpubDDUotcvrYMUj3UJV7ZtqKgoy8JKprrjdHubbBb3r7qmwHsEH69g7h6xyanWaCYdVEEV3Yu7a6s4ceFnp8DjXeeFxY8eXvH7XTAC4gxfDNEW",
			"wpkh [08686ac6/84h/1h/2h]tpubDDUotcvrYMUj4TVBBYDKWsjaUcE9M52MJd8emp7QTAJBDTY9BRRFdomVCAFAjWMNcKLe8Cd5HJwg3AJKFyEDcGFTNyryYJgYmNdJMhwB2RG",
			"wpkh [08686ac6/84h/1h/3h]tpubDDUotcvrYMUj6zu5oyRdaZSjnq56GnWCfXRuUz38zSWztUvpJuFjsjscGHhheyAncK4z15rLVukBdUDwpPBDLtRBykqC9KHeG9akJWRipKK",
		}},
		{"specter-diy-keystore.txt", SourceKeyExpressions, nil, []string{
			"wpkh [b317ec86/84h/1h/0h]tpubDCKVXMvGq2YRczuCLcfcY8TaxHGjFTuhFrkRGpBk4DXmQeJXM3JAz8ijxTS59PZQBUtiq5wkstpzgvow7A25F4vDbmiAEy3rE4xHcR2XUUq",
		}},
		{"specter-diy-addwallet.txt", SourceKeyExpressions, nil, []string{
			"wsh [7fd1bbf4/48h/0h/0h/2h]xpub6DnVFCXjZKhSAJw1oGzksdc1CtMxHxqG6DgNSjZHsymMSgcNEb2c3bz5N2bBMEEUFos98CeAWbh1pTMBcJrsKW63icdAQNGT6Aqv1WWrkxg",
			"wsh [8ff26349/48h/0h/0h/2h]xpub6ErPooPdSeBoXVZocBe8EWF9GXjFuV52kme35p4MtrP2SAFdUmgTJM1urrJzSuA44izrEuiQNNdmWEVRaBJcBDcPpnLBR8tP2Pcu2EiyeHu",
			"wsh [ff3305c2/48h/0h/0h/2h]xpub6Dpndp2xurqbfSGhxKVXzk3nJZgah3PdD3qD11KyPicYYBatRxfxqoN7s9tnWKXaz7zhyVqcvnJyak7BVKonW2wTXHd1zNDxJAu8jcxF59j",
		}},
		{"jade-descriptor.txt", SourceKeyExpressions, nil, []string{
			"wpkh [73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V",
		}},
		{"keystone-descriptor.txt", SourceKeyExpressions, nil, []string{
			"wpkh [5271c071/84h/0h/0h]xpub6Cx3zCunLUy4JP68knrisNg26pqCLqYVJChHsCfUnrxSgVGC9FTdhSvkvVnZmXnv11WHss4P8hUFwRAdpYhrTfGoX2EnBMUzBBShaoZavQQ",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			ex, err := ParseExport(readFixture(t, tc.file))
			require.NoError(t, err)
			require.Equal(t, tc.keys, exportStrings(ex))
			for i, e := range ex {
				require.Equal(t, tc.source, e.Source)
				if tc.labels == nil {
					require.Empty(t, e.Label)
				} else {
					require.Equal(t, tc.labels[i], e.Label)
				}
			}
		})
	}
}

// TestParseExportColdcardFixturesMatchSimulatorSeed derives every account
// of the Coldcard fixtures from the simulator seed: the files and
// DeriveAccount must agree key for key (and so BIP44/48/49/84/86 paths are
// checked against a real device's output).
func TestParseExportColdcardFixturesMatchSimulatorSeed(t *testing.T) {
	for _, tc := range []struct {
		file    string
		net     network.Network
		account uint32
	}{
		{"coldcard-generic-btc-account123.json", network.Main, 123},
		{"coldcard-generic-xtn-account123.json", network.Test, 123},
		{"coldcard-generic-xtn-bip86.json", network.Test, 0},
		{"coldcard-multisig-0F056943.json", network.Test, 0},
		{"electrum-coldcard-single.json", network.Test, 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			master, err := MasterFromMnemonic(coldcardSimulatorWords, "", tc.net)
			require.NoError(t, err)
			ex, err := ParseExport(readFixture(t, tc.file))
			require.NoError(t, err)
			for _, e := range ex {
				if e.ScriptHint == ScriptSH {
					require.Equal(t, mustNeuter(t, derivePath(t, master, "45'")), e.Xpub)
					continue
				}
				acc, err := DeriveAccount(master, e.ScriptHint, tc.net, tc.account)
				require.NoError(t, err)
				require.Equal(t, acc.Origin, e.Origin, e.String())
				require.Equal(t, acc.Xpub, e.Xpub, e.String())
			}
		})
	}
}

func replaceOnce(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	require.Equal(t, 1, bytes.Count(data, []byte(old)), old)
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

// asVersion re-encodes a public key in another SLIP-132 format of the same
// network.
func asVersion(t *testing.T, key string, f Format) string {
	t.Helper()
	k, err := ParseExtendedKey(key)
	require.NoError(t, err)
	s, err := ConvertVersion(k.Key, f, k.Testnet)
	require.NoError(t, err)
	return s
}

func TestParseExportRejectsWithClearErrors(t *testing.T) {
	generic := readFixture(t, "coldcard-generic-xtn-account123.json")
	multisig := readFixture(t, "coldcard-multisig-0F056943.json")
	for _, tc := range []struct {
		name string
		data []byte
		msg  string
	}{
		{"electrum keystore whose path does not fit its key", readFixture(t, "electrum-trezor-single.json"),
			"Electrum wallet, keystore: the key is at depth 4 but its path m/84'/0'/0' has 3 steps: the path does not belong to this key"},
		{"coldcard first address altered", replaceOnce(t, generic, "tb1qc58ys2dphtphg6yuugdf3d0kufmk0tye044g3l", "tb1qupyd58ndsh7lut0et0vtrq432jvu9jtdyws9n9"),
			"Coldcard generic JSON, section bip84: the first address in the file is tb1qupyd58ndsh7lut0et0vtrq432jvu9jtdyws9n9 but the key gives tb1qc58ys2dphtphg6yuugdf3d0kufmk0tye044g3l: the file is corrupt or the key is not this account's"},
		{"coldcard _pub of another key", replaceOnce(t, generic, "vpub5Y5a91QvDT45EnXQaKeuvJupVvX8f9BiywDcadSTtaeJ1VgJPPXMitnYsqd9k7GnEqh44FKJ5McJfu6KrihFXhAmvSWgm7BAVVK8Gupu4fL", "vpub5Y5a91QvDT3yog4bmgbqFo7GPXpRpozogzQeDArSPzsY8SKGHTgjSswhxhGkRonUQ9tyo9ZSQ1ecLKkVUyewWEUJZdwgUQycvG86FV7sdhZ"),
			`Coldcard generic JSON, section bip84: "_pub" and "xpub" are different keys: the file is corrupt`},
		{"coldcard section xfp wrong", replaceOnce(t, generic, `"xfp": "78CF94E5"`, `"xfp": "78CF94E6"`),
			`Coldcard generic JSON, section bip84: "xfp" 78cf94e6 is neither the key's fingerprint 78cf94e5 nor the master's 0f056943: the file is corrupt`},
		{"coldcard master xfp wrong", replaceOnce(t, generic, `"xfp": "0F056943"`, `"xfp": "0F056944"`),
			"Coldcard generic JSON, master xpub: the key is a master key whose fingerprint is 0f056943, not 0f056944"},
		{"coldcard chain says mainnet for tpubs", replaceOnce(t, generic, `"chain": "XTN"`, `"chain": "BTC"`),
			`Coldcard generic JSON, section bip44: the key is a tpub but "chain" is BTC: the key is for another network`},
		{"coldcard unknown chain", replaceOnce(t, generic, `"chain": "XTN"`, `"chain": "LTC"`),
			`Coldcard generic JSON: unknown "chain" "LTC": expected BTC, XTN or XRT`},
		{"coldcard name contradicts section", replaceOnce(t, generic, `"name": "p2wpkh",`, `"name": "p2tr",`),
			`Coldcard generic JSON, section bip84: "name" says p2tr but the section is for wpkh`},
		{"coldcard path of another account", replaceOnce(t, generic, `"deriv": "m/84'/1'/123'"`, `"deriv": "m/84'/1'/124'"`),
			"Coldcard generic JSON, section bip84: the key is child 123' but its path m/84'/1'/124' ends in 124': the path does not belong to this key"},
		{"coldcard multisig key written as Vpub for nested segwit", replaceOnce(t, multisig, "Upub5T4XUooQzDXL58NCHk8ZCw9BsRSLCtnyHeZEExAq1XdnBFXiXVrHFuvvmh3TnCR7XmKHxkwqdACv68z7QKT1vwru9L1SZSsw8B2fuBvtSa6", asVersion(t, "Upub5T4XUooQzDXL58NCHk8ZCw9BsRSLCtnyHeZEExAq1XdnBFXiXVrHFuvvmh3TnCR7XmKHxkwqdACv68z7QKT1vwru9L1SZSsw8B2fuBvtSa6", FormatZMult)),
			"Coldcard multisig JSON, p2wsh_p2sh: the key is written as a Vpub (wsh) but the file lists it for sh-wsh; re-export the key"},
		{"coldcard _pub written for another script", replaceOnce(t, generic, "upub5DMRSsh6mNak9KbcVjJ7xAgHJvbE3Nx22CBTier5C35kv8j7g2q58ywxskBe6JCcAE2VH86CE2aL4MifJyKbRw8Gj9ay7SWvUBkp2DJ7y52", asVersion(t, "upub5DMRSsh6mNak9KbcVjJ7xAgHJvbE3Nx22CBTier5C35kv8j7g2q58ywxskBe6JCcAE2VH86CE2aL4MifJyKbRw8Gj9ay7SWvUBkp2DJ7y52", FormatZ)),
			`Coldcard generic JSON, section bip49: "_pub" is a vpub (wpkh) but the section is for sh-wpkh`},
		{"coldcard multisig without xfp", replaceOnce(t, multisig, `"xfp": "0F056943"`, `"xfq": "0F056943"`),
			`Coldcard multisig JSON: the master fingerprint "xfp" is missing`},
		{"coldcard multisig parent fingerprint mismatch", replaceOnce(t, multisig, `"xfp": "0F056943"`, `"xfp": "0F056944"`),
			"Coldcard multisig JSON, p2sh: the key's parent fingerprint is 0f056943 but the file names master 0f056944"},
		{"private key in a key expression", []byte("[0f056943]xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi\n"),
			"key expression on line 1: the file holds a private extended key; export only the public key (xpub) from the device"},
		{"key expression with a bad path step", []byte("\n\n[73c5da0a/84h/01h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"),
			`key expression on line 3: derivation path "84h/01h/0h": step "01" is not a decimal index`},
		{"mainnet and testnet keys mixed", append(readFixture(t, "jade-descriptor.txt"), append([]byte("\n"), readFixture(t, "specter-diy-keystore.txt")...)...),
			"key export mixes mainnet (xpub) and test-network (tpub) keys: [73c5da0a/84h/0h/0h] and [b317ec86/84h/1h/0h]; export again for one network"},
		{"electrum coldcard master xpub of another wallet", replaceOnce(t, readFixture(t, "electrum-coldcard-single.json"), `"ckcc_xfp": 1130956047`, `"ckcc_xfp": 1130956048`),
			"Electrum wallet, keystore, ckcc_xpub: the key is a master key whose fingerprint is 0f056943, not 10056943"},
		{"electrum keystore without origin", []byte(`{"keystore": {"type": "bip32", "xpub": "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"}, "wallet_type": "standard"}`),
			"Electrum wallet, keystore: the keystore has no root_fingerprint: its key origin is unknown; export the xpub from the device instead"},
		{"electrum imported-address wallet", []byte(`{"addresses": {}, "wallet_type": "imported", "keystore": {"type": "imported"}}`),
			`Electrum wallet: wallet type "imported" has no extended keys to import: use a standard or multisig wallet`},
		{"keystone with a bad fingerprint", replaceOnce(t, readFixture(t, "cobo-singlesig.json"), "73C5DA0A", "73C5DA0"),
			`Keystone/Cobo JSON: "MasterFingerprint": fingerprint "73c5da0" must be 8 hex digits`},
		{"keystone string field of the wrong type", []byte(`{"ExtPubKey": 5, "MasterFingerprint": "73C5DA0A", "AccountKeyPath": "84'/0'/0'"}`),
			`Keystone/Cobo JSON: "ExtPubKey" must be a string`},
		{"empty file", []byte(" \n\t"), "key export: the file is empty"},
		{"specter device whose xpub is another key", replaceOnce(t, readFixture(t, "specter-desktop-device.json"), "tpubDDUotcvrYMUiy4ncDirveTfhmvggdj8nxcW5JgHpGzYz3UVscJY5aEzFvgUPk4YyajadBnsTBmE2YZmAtJC14Q21xncJgVaHQ7UdqMRVRbU", "tpubDDUotcvrYMUj3UJV7ZtqKgoy8JKprrjdHubbBb3r7qmwHsEH69g7h6xyanWaCYdVEEV3Yu7a6s4ceFnp8DjXeeFxY8eXvH7XTAC4gxfDNEW"),
			`Specter Desktop device "Specter", key 2: "original" and "xpub" are different keys: the file is corrupt`},
		{"specter device key type contradicts its version", replaceOnce(t, readFixture(t, "specter-desktop-device.json"), `"type": "wsh"`, `"type": "sh-wsh"`),
			`Specter Desktop device "Specter", key 1: the key is written as a Vpub (wsh) but the file lists it for sh-wsh; re-export the key`},
		{"encrypted sparrow wallet", readFixture(t, "sparrow-encrypted-wallet"),
			"key export: this is an encrypted wallet file (BIE1, as Sparrow and Electrum write them) and holds no readable keys: export the wallet or its xpubs unencrypted from the wallet"},
		{"sparrow script type contradicts a key", replaceOnce(t, readFixture(t, "sparrow-wallet-model-p2wsh.json"), `"scriptType": "P2WSH"`, `"scriptType": "P2SH_P2WSH"`),
			"Sparrow wallet JSON, keystore 2: the key is written as a Zpub (wsh) but the file lists it for sh-wsh; re-export the key"},
		{"sparrow keystore without origin", []byte(`{"scriptType": "P2WPKH", "keystores": [{"extendedPublicKey": "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"}]}`),
			`Sparrow wallet JSON, keystore 1: "keyDerivation" is missing: the key origin is unknown`},
		{"oversized file", bytes.Repeat([]byte("a"), maxExportSize+1), "key export: the file is 1048577 bytes, key exports are a few KiB: is this the right file?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := ParseExport(tc.data)
			require.Nil(t, ex)
			require.EqualError(t, err, tc.msg)
		})
	}
}

func TestParseExportListsFormatsWhenNoneMatches(t *testing.T) {
	list := strings.Join(SupportedExportFormats(), "; ")
	for _, tc := range []struct {
		name, data, msg string
	}{
		{"plain text", "hello world\n", "unrecognised key export: it matches none of the formats read here: " + list},
		{"bare xpub without origin", "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V", "unrecognised key export: it matches none of the formats read here: " + list},
		{"json of another shape", `{"wallet": "x"}`, "unrecognised key export: it matches none of the formats read here: " + list},
		{"broken json", `{"xfp": `, "key export looks like JSON but does not parse (unexpected end of JSON input); unrecognised key export: it matches none of the formats read here: " + list},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseExport([]byte(tc.data))
			require.EqualError(t, err, tc.msg)
			require.True(t, errors.Is(err, ErrUnknownExportFormat))
		})
	}
}

func TestParseExportDropsDuplicatesAndKeepsOrder(t *testing.T) {
	line := "[b317ec86/84h/1h/0h]vpub5YHLPnkkpPW1ecL7Di7Gv2wDHDtBNqRdt17gMULpxJ27ZA1MmW7xbZjdg1S7d5JKaJ8CiZEmRUHrEB6CGuLomA6ioVa1Pcke6fEb5CzDBU1"
	ex, err := ParseExport([]byte("# Specter DIY\r\n" + line + "\r\n" + line + "\r\n"))
	require.NoError(t, err)
	require.Equal(t, []string{"wpkh [b317ec86/84h/1h/0h]tpubDCKVXMvGq2YRczuCLcfcY8TaxHGjFTuhFrkRGpBk4DXmQeJXM3JAz8ijxTS59PZQBUtiq5wkstpzgvow7A25F4vDbmiAEy3rE4xHcR2XUUq"}, exportStrings(ex))
}

func TestParseExportHintsFromDescriptorFunctions(t *testing.T) {
	const key = "[0f056943/48h/1h/0h/1h]tpubDF2rnouQaaYrUEy2JM1YD3RFzew4onawGM4X2Re67gguTf5CbHonBRiFGe3Xjz7DK88dxBFGf2i7K1hef3PM4cFKyUjcbJXddaY9F5tJBoP"
	for prefix, want := range map[string]ScriptType{
		"sh(wsh(sortedmulti(2,": ScriptSHWSH,
		"wsh(multi(1,":          ScriptWSH,
		"sh(sortedmulti(1,":     ScriptSH,
		"tr(":                   ScriptTR,
		"":                      ScriptSHWSH, // from the path's BIP48 script type 1
	} {
		ex, err := ParseExport([]byte(prefix + key + "/0/*)"))
		require.NoError(t, err, prefix)
		require.Len(t, ex, 1)
		require.Equal(t, want, ex[0].ScriptHint, prefix)
	}
}

func TestKeyExportJSONForTheWasmBridge(t *testing.T) {
	ex, err := ParseExport(readFixture(t, "electrum-coldcard-single.json"))
	require.NoError(t, err)
	b, err := json.Marshal(ex)
	require.NoError(t, err)
	require.JSONEq(t, `[{"origin":"0f056943/84h/1h/0h","xpub":"tpubDC7jGaaSE66Pn4dgtbAAstde4bCyhSUs4r3P8WhMVvPByvcRrzrwqSvpF9Ghx83Z1LfVugGRrSBko5UEKELCz9HoMv5qKmGq3fqnnbS5E9r","script_hint":"wpkh","label":"Coldcard Import 4369050F","source":"electrum-wallet"}]`, string(b))
	var back []KeyExport
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, ex, back)
}
