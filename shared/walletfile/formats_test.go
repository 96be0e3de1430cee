package walletfile

import (
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
)

// specterAccountMapDesc is the multisig account map's descriptor with the
// change branch added, as the import normalises it.
const (
	tpubFB7C = "tpubDExnGppazLhZPNadP8Q5Vgee2QcvbyAf9GvGaEY7ALVJREaG2vdTqv1MHRoDtPaYP3y1DGVx7wrKKhsLhs26GY263uE6Wi3qNbi71AHZ6p7"
	tpub1EF4 = "tpubDFiVCZzdarbyk8kE65tjRhHCambEo8iTx4xkXL8b33BKZj66HWsDnUb3rg4GZz6Mwm6vTNyzRCjYtiScCQJ77ENedb2deDDtcoNQXiUouJQ"
)

func mustImport(t *testing.T, file string, opts Options) *Imported {
	t.Helper()
	imp, err := ImportWith(readTestdata(t, file), opts)
	require.NoError(t, err)
	return imp
}

// branchAddr derives an address of a setup's descriptor.
func branchAddr(t *testing.T, s WalletSetup, branch int, index uint32) string {
	t.Helper()
	d, err := descriptor.Parse(s.Descriptor)
	require.NoError(t, err)
	br, err := d.Branch(branch)
	require.NoError(t, err)
	a, err := br.Address(index, s.Network)
	require.NoError(t, err)
	return a
}

func TestDetectNamesEveryFixturesFormat(t *testing.T) {
	cases := map[string]Format{
		"specter/restore_wallets.json":                        FormatSpecter,
		"specter/account_map_multisig.json":                   FormatAccountMap,
		"specter/account_map_single.json":                     FormatAccountMap,
		"electrum/multisig_1of2.json":                         FormatElectrum,
		"electrum/singlesig_segwit.json":                      FormatElectrum,
		"caravan/bitcoin-2-of-2-P2WSH_TESTNET.json":           FormatCaravan,
		"caravan/bitcoin-2-of-2-P2SH_MAINNET.json":            FormatCaravan,
		"coldcard/unchained_wallets_config_uuid.txt":          FormatColdcard,
		"bip129/no-encryption/my_multisig_wallet.bsms":        FormatBSMS,
		"bip129/extended/my_multisig_wallet_for_signer_1.dat": FormatBSMS,
	}
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			f, err := Detect(readTestdata(t, file))
			require.NoError(t, err)
			require.Equal(t, want, f)
		})
	}
}

func TestDetectUnknownDataListsTheSupportedFormats(t *testing.T) {
	for name, data := range map[string]string{
		"empty":        "  \n",
		"prose":        "hello, this is not a wallet",
		"other json":   `{"hello": "world"}`,
		"bad json":     `{"recv_descriptor": `,
		"number array": `[1, 2]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Import([]byte(data))
			require.ErrorIs(t, err, ErrUnknownFormat)
			for _, f := range Formats {
				require.Contains(t, err.Error(), string(f)+": ", "the error names format %s", f)
			}
		})
	}
}

func TestSpecterRestoreFileGivesBothWalletsAndTheirAddresses(t *testing.T) {
	data := readTestdata(t, "specter/restore_wallets.json")
	_, err := Import(data)
	require.ErrorContains(t, err, "holds 2 wallets: use ImportAll")
	imps, err := ImportAll(data, Options{})
	require.NoError(t, err)
	require.Len(t, imps, 2)

	var raw []struct {
		Labels map[string][]string `json:"labels"`
	}
	require.NoError(t, json.Unmarshal(data, &raw))
	want := []struct {
		name, device, fp, desc string
	}{
		{"btc+Hot+Wallet", "btchot", "0c28f912", "wpkh([0c28f912/84h/1h/0h]tpubDDpeUiiTJ2qdFGPCtkZHxdDP1fmDb74qcujm1QyTkFE7uvye2Y32P1X18tirrWLokSu3gX37SGufhNdmTkWVVuB2tGM61iQCXvLZZvCvChu/<0;1>/*)"},
		{"SimpleMyNiceDevice", "mynicedevice", "1831e62e", "wpkh([1831e62e/84h/1h/0h]tpubDDArDQWC6J5LCiB2LoNKTyEdcee2bXboauk5XzLLY1zQvFSESD6B7zwnz2YWWFemepcE69or1UzYcLtwpvBh3bmKSFmqT84UUAfrQCcaTMY/<0;1>/*)"},
	}
	for i, imp := range imps {
		s := imp.Setup
		require.Equal(t, FormatSpecter, imp.Format)
		require.Equal(t, want[i].name, s.Name)
		require.Equal(t, network.Regtest, s.Network, "bcrt1 addresses make it regtest")
		require.Equal(t, int64(50), s.BirthdayHeight)
		require.Equal(t, 1, s.M)
		require.Equal(t, 1, s.N)
		require.True(t, strings.HasPrefix(s.Descriptor, want[i].desc+"#"), s.Descriptor)
		require.Len(t, s.Devices, 1)
		require.Equal(t, want[i].device, s.Devices[0].Name)
		require.Equal(t, want[i].fp, s.Devices[0].Fingerprint.String())
		require.Equal(t, "84h/1h/0h", s.Devices[0].Path.String())
		// Every address Specter listed under its labels is derived again.
		checked := 0
		for label, addrs := range raw[i].Labels {
			kind, num, ok := strings.Cut(label, "+#")
			require.True(t, ok, label)
			idx, err := strconv.Atoi(num)
			require.NoError(t, err)
			branch := map[string]int{"Address": 0, "Change": 1}[kind]
			require.Equal(t, addrs[0], branchAddr(t, s, branch, uint32(idx)), label)
			checked++
		}
		require.Equal(t, 41, checked)
	}
}

func TestSpecterFileWithAWrongAddressIsRefused(t *testing.T) {
	data := string(readTestdata(t, "specter/restore_wallets.json"))
	one := data[strings.Index(data, "{") : strings.Index(data, "  },\n  {")+3]
	_, err := Import([]byte(one))
	require.NoError(t, err)
	bad := strings.Replace(one, `"address": "bcrt1qgh00vt35pmvjsedlh45vcnmts3ntgxj6w8gsa8"`, `"address": "bcrt1qt2xpsvztclcks4q4m0yunre9a3zu4pyc4zdf66"`, 1)
	_, err = Import([]byte(bad))
	require.ErrorContains(t, err, "the \"address\" is bcrt1qt2xpsvztclcks4q4m0yunre9a3zu4pyc4zdf66 but the descriptor's receive address 0 is bcrt1qgh00vt35pmvjsedlh45vcnmts3ntgxj6w8gsa8")
	badChange := strings.Replace(one, "/1/*)#v0qtmnuc", "/2/*)", 1)
	_, err = Import([]byte(badChange))
	require.ErrorContains(t, err, "the change descriptor does not match the receive descriptor")
	badKeys := strings.Replace(one, `"fingerprint": "0c28f912"`, `"fingerprint": "0c28f913"`, 1)
	_, err = Import([]byte(badKeys))
	require.ErrorContains(t, err, "\"keys\" entry 1 claims origin [0c28f913/84h/1h/0h]")
}

func TestAccountMapMultisigFromSpecterTests(t *testing.T) {
	imp := mustImport(t, "specter/account_map_multisig.json", Options{})
	s := imp.Setup
	require.Equal(t, FormatAccountMap, imp.Format)
	require.Equal(t, "MyTestMultisig", s.Name)
	require.Equal(t, network.Test, s.Network, "tpub keys without a stated network default to testnet")
	require.Equal(t, 1, s.M)
	require.Equal(t, 2, s.N)
	require.True(t, strings.HasPrefix(s.Descriptor, "wsh(sortedmulti(1,[fb7c1f11/48h/1h/0h/2h]"+tpubFB7C+"/<0;1>/*,[1ef4e492/48h/1h/0h/2h]"+tpub1EF4+"/<0;1>/*))#"), s.Descriptor)
	require.Equal(t, []Device{
		{Name: "MyColdcard", Type: "coldcard", Fingerprint: s.Devices[0].Fingerprint, Path: s.Devices[0].Path, Xpub: tpubFB7C},
		{Name: "MyTestTrezor", Type: "trezor", Fingerprint: s.Devices[1].Fingerprint, Path: s.Devices[1].Path, Xpub: tpub1EF4},
	}, s.Devices)
	require.Equal(t, "fb7c1f11", s.Devices[0].Fingerprint.String())
	require.Equal(t, "48h/1h/0h/2h", s.Devices[1].Path.String())

	reg := mustImport(t, "specter/account_map_multisig.json", Options{Network: network.Regtest})
	require.Equal(t, network.Regtest, reg.Setup.Network)
	_, err := ImportWith(readTestdata(t, "specter/account_map_multisig.json"), Options{Network: "moon"})
	require.ErrorContains(t, err, "unknown network")
}

func TestElectrumFilesGiveSpectersDescriptors(t *testing.T) {
	// Specter's test_WalletImporter_unit expects these receive descriptors.
	cases := []struct {
		file, want string
		m, n       int
		warnings   int
	}{
		{"electrum/multisig_1of2.json", "wsh(sortedmulti(1,[9f09087f/1h]Vpub5gHreumWwHVxJbLG3Tp1sULdRVgUZBzFrhg9EuyJUropjEPXoVJe6u4r7y2EpwyVXHgehJ2PNn2R3kDxXLBGNnKmbicdibuoGmNjhCfyEZF/0/*,[1f0a071c/1h]Vpub5fMHpbAWPpGcqsaM9JjRYKRJ6n1CqSL4UVFgTL4EwiZMMdtTZDm9yDp87ko2WA1N9dWLuM48H9oiPDE4nGPfpxFNe7ZkcSqc2L2ncuEXu4Z/0/*))", 1, 2, 2},
		{"electrum/singlesig_segwit.json", "wpkh([1f0a071c/0h]vpub5UTChMS4priFNLTGQPh6SgQgQ11DhkiiWyqzF3pTMj5J6C3KTDXtefXKhrrRPuF2TsEuoU9w6NvydP9axJQKuof6gzdvt1eDJSRZzy3WDzV/0/*)", 1, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			imp := mustImport(t, c.file, Options{})
			s := imp.Setup
			require.Equal(t, FormatElectrum, imp.Format)
			require.Equal(t, c.m, s.M)
			require.Equal(t, c.n, s.N)
			require.Equal(t, network.Test, s.Network)
			require.Len(t, imp.Warnings, c.warnings)
			require.Contains(t, imp.Warnings[0], "holds a seed or private key: it was not imported")
			want, err := descriptor.Parse(c.want)
			require.NoError(t, err)
			d, err := descriptor.Parse(s.Descriptor)
			require.NoError(t, err)
			recv, err := d.Branch(0)
			require.NoError(t, err)
			require.Equal(t, want.StringNoChecksum(), recv.StringNoChecksum())
			// Round trip through Electrum's own format.
			out, err := Export(s, FormatElectrum)
			require.NoError(t, err)
			require.NotContains(t, string(out), `"seed":`)
			require.NotContains(t, string(out), "prv")
			back, err := Import(out)
			require.NoError(t, err)
			require.Equal(t, s.Descriptor, back.Setup.Descriptor)
			require.Empty(t, back.Warnings)
		})
	}
}

func TestElectrumMultisigExportUsesSLIP132AndWalletType(t *testing.T) {
	s := mustImport(t, "electrum/multisig_1of2.json", Options{}).Setup
	out, err := Export(s, FormatElectrum)
	require.NoError(t, err)
	var f map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(out, &f))
	require.JSONEq(t, `"1of2"`, string(f["wallet_type"]))
	var x1 electrumKeystore
	require.NoError(t, json.Unmarshal(f["x1/"], &x1))
	require.Equal(t, electrumKeystore{Type: "bip32", Xpub: "Vpub5gHreumWwHVxJbLG3Tp1sULdRVgUZBzFrhg9EuyJUropjEPXoVJe6u4r7y2EpwyVXHgehJ2PNn2R3kDxXLBGNnKmbicdibuoGmNjhCfyEZF", Derivation: "m/1'", RootFingerprint: "9f09087f"}, x1)
}

func TestCaravanFixturesImport(t *testing.T) {
	cases := []struct {
		file, name, script string
		net                network.Network
		names              []string
	}{
		{"caravan/bitcoin-2-of-2-P2WSH_TESTNET.json", "P2WSH-T", "wsh(sortedmulti(2,", network.Test, []string{"osw", "three"}},
		{"caravan/bitcoin-2-of-2-P2SH-P2WSH_MAINNET.json", "P2SH-P2WSH-M", "sh(wsh(sortedmulti(2,", network.Main, []string{"five", "osw"}},
		{"caravan/bitcoin-2-of-2-P2SH_MAINNET.json", "P2SH-M", "sh(sortedmulti(2,", network.Main, []string{"osw", "four"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			imp := mustImport(t, c.file, Options{})
			s := imp.Setup
			require.Equal(t, FormatCaravan, imp.Format)
			require.Equal(t, c.name, s.Name)
			require.Equal(t, c.net, s.Network)
			require.True(t, strings.HasPrefix(s.Descriptor, c.script), s.Descriptor)
			require.Equal(t, 2, s.M)
			require.Equal(t, 2, s.N)
			require.Equal(t, c.names, []string{s.Devices[0].Name, s.Devices[1].Name})
			require.Empty(t, imp.Warnings)
			// Caravan -> Coldcard -> Caravan keeps the wallet.
			cc, err := Export(s, FormatColdcard)
			require.NoError(t, err)
			viaCC, err := ImportWith(cc, Options{Network: c.net})
			require.NoError(t, err)
			require.Equal(t, FormatColdcard, viaCC.Format)
			require.Equal(t, s.Descriptor, viaCC.Setup.Descriptor)
			require.Equal(t, c.net, viaCC.Setup.Network)
			cv, err := Export(s, FormatCaravan)
			require.NoError(t, err)
			back, err := Import(cv)
			require.NoError(t, err)
			require.Equal(t, s, back.Setup)
		})
	}
}

func TestCaravanNetworkMustFitTheKeys(t *testing.T) {
	data := strings.Replace(string(readTestdata(t, "caravan/bitcoin-2-of-2-P2WSH_TESTNET.json")), `"testnet"`, `"mainnet"`, 1)
	_, err := Import([]byte(data))
	require.ErrorContains(t, err, "the file says the wallet is on main, but its keys and addresses are for test or signet or regtest")
	reg, err := Import([]byte(strings.Replace(data, `"mainnet"`, `"regtest"`, 1)))
	require.NoError(t, err)
	require.Equal(t, network.Regtest, reg.Setup.Network)
}

func TestBDKCaravanDocKeysContradictTheirOrigins(t *testing.T) {
	// bdk_wallet's documentation imports this Caravan file, whose tpubs sit
	// at depth 3 under 4-step paths (and says mainnet for tpubs): the
	// origin check refuses it.
	_, err := Import(readTestdata(t, "caravan/bdk_export_doc.json"))
	require.ErrorContains(t, err, "the key is at depth 3 but its origin path has 4 steps")
	// The descriptors it expects carry rust-miniscript's checksums, which
	// this package's parser accepts; the same origin check refuses them.
	recv := "wsh(sortedmulti(2,[73756c7f/48'/0'/0'/2']tpubDCKxNyM3bLgbEX13Mcd8mYxbVg9ajDkWXMh29hMWBurKfVmBfWAM96QVP3zaUcN51HvkZ3ar4VwP82kC8JZhhux8vFQoJintSpVBwpFvyU3/0/*,[f9f62194/48'/0'/0'/2']tpubDDp3ZSH1yCwusRppH7zgSxq2t1VEUyXSeEp8E5aFS8m43MknUjiF1bSLo3CGWAxbDyhF1XowA5ukPzyJZjznYk3kYi6oe7QxtX2euvKWsk4/0/*))#pgthjwtg"
	change := "wsh(sortedmulti(2,[73756c7f/48'/0'/0'/2']tpubDCKxNyM3bLgbEX13Mcd8mYxbVg9ajDkWXMh29hMWBurKfVmBfWAM96QVP3zaUcN51HvkZ3ar4VwP82kC8JZhhux8vFQoJintSpVBwpFvyU3/1/*,[f9f62194/48'/0'/0'/2']tpubDDp3ZSH1yCwusRppH7zgSxq2t1VEUyXSeEp8E5aFS8m43MknUjiF1bSLo3CGWAxbDyhF1XowA5ukPzyJZjznYk3kYi6oe7QxtX2euvKWsk4/1/*))#cmcnua7a"
	for _, d := range []string{recv, change} {
		_, err := descriptor.Parse(d)
		require.NoError(t, err)
	}
	_, err = Import([]byte(recv + "\n" + change + "\n"))
	require.ErrorContains(t, err, "the key is at depth 3 but its origin path has 4 steps")
	_, err = Import([]byte(change))
	require.ErrorContains(t, err, "this is a change descriptor")
	_, err = Import([]byte(change + "\n" + recv))
	require.ErrorContains(t, err, "this is a change descriptor")
}

func TestColdcardFileWithPerKeyDerivations(t *testing.T) {
	imp := mustImport(t, "coldcard/unchained_wallets_config_uuid.txt", Options{})
	s := imp.Setup
	require.Equal(t, FormatColdcard, imp.Format)
	require.Equal(t, "OWPyFOA1", s.Name)
	require.Equal(t, network.Test, s.Network)
	require.Equal(t, 2, s.M)
	require.Equal(t, 3, s.N)
	require.True(t, strings.HasPrefix(s.Descriptor, "sh(sortedmulti(2,[77e80477/0/0/0/0]tpubDF17mBZYUi35iCPDfFAa3jFd23L5ZF49tpS1AS1cEqNwhNaS8qVVD8ZPj67iKEarhPuMapZHuxr7TBDYA4DLxAoz25FN8ksyakdbc2V4X2Q/<0;1>/*,[39b12f98/45h/1/0/0]"), s.Descriptor)
	require.Equal(t, []string{"0/0/0/0", "45h/1/0/0", "45h/1/0/0"}, []string{s.Devices[0].Path.String(), s.Devices[1].Path.String(), s.Devices[2].Path.String()})
	// The export writes a Derivation line wherever the path changes.
	out, err := Export(s, FormatColdcard)
	require.NoError(t, err)
	want := "# Coldcard Multisig setup file (exported from Specter PWA)\n#\nName: OWPyFOA1\nPolicy: 2 of 3\nFormat: P2SH\n\n" +
		"Derivation: m/0/0/0/0\n77E80477: tpubDF17mBZYUi35iCPDfFAa3jFd23L5ZF49tpS1AS1cEqNwhNaS8qVVD8ZPj67iKEarhPuMapZHuxr7TBDYA4DLxAoz25FN8ksyakdbc2V4X2Q\n" +
		"Derivation: m/45'/1/0/0\n39B12F98: tpubDEzYMGvKjbsnqEsjPvnG1TAxBGvk3EUJ9tqpTjnv6XEHktLASz8omNFS9VfSgbmpQWZefiRisKKCtERgsjsK39S6ueTHRXd8w5kNw8LzBoF\n" +
		"77D36D3B: tpubDF4Ar5bxLQV9qbr2bZ7N7TYYWNv28kPEChWwyvrrxTMKJjqsYhce79mUkLNiKpW121TshHwjZhZbHmT66oPbwLqxJzcXLyf32ubCJyr4pRR\n"
	require.Equal(t, want, string(out))
	back, err := ImportWith(out, Options{Network: network.Test})
	require.NoError(t, err)
	require.Equal(t, s, back.Setup)
}

func TestColdcardExportWritesTheSetupFile(t *testing.T) {
	s := mustImport(t, "caravan/bitcoin-2-of-2-P2WSH_TESTNET.json", Options{}).Setup
	out, err := Export(s, FormatColdcard)
	require.NoError(t, err)
	d, err := descriptor.Parse(s.Descriptor)
	require.NoError(t, err)
	ks := d.Keys()
	want := "# Coldcard Multisig setup file (exported from Specter PWA)\n#\n" +
		"Name: P2WSH-T\nPolicy: 2 of 2\nDerivation: m/48'/1'/100'/2'\nFormat: P2WSH\n\n" +
		strings.ToUpper(ks[0].Origin.Fingerprint.String()) + ": " + ks[0].Xpub + "\n" +
		strings.ToUpper(ks[1].Origin.Fingerprint.String()) + ": " + ks[1].Xpub + "\n"
	require.Equal(t, want, string(out))
}

func TestColdcardImportErrors(t *testing.T) {
	base := string(readTestdata(t, "caravan/bitcoin-2-of-2-P2WSH_TESTNET.json"))
	s, err := Import([]byte(base))
	require.NoError(t, err)
	good, err := Export(s.Setup, FormatColdcard)
	require.NoError(t, err)
	cases := map[string]struct{ from, to, msg string }{
		"policy needs more keys": {"Policy: 2 of 2", "Policy: 2 of 3", "the policy is 2 of 3 but the file lists 2 keys"},
		"policy out of range":    {"Policy: 2 of 2", "Policy: 3 of 2", "out of range"},
		"bad format":             {"Format: P2WSH", "Format: P2TR", "is not P2WSH, P2SH-P2WSH or P2SH"},
		"bad derivation":         {"Derivation: m/48'/1'/100'/2'", "Derivation: m/x", "is not a BIP32 path"},
		"wrong depth":            {"Derivation: m/48'/1'/100'/2'", "Derivation: m/48'/1'/2'", "the origin does not belong to this key"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ImportAs([]byte(strings.Replace(string(good), c.from, c.to, 1)), FormatColdcard, Options{})
			require.ErrorContains(t, err, c.msg)
		})
	}
	// Per-key Derivation lines and the older P2WSH-P2SH name.
	perKey := strings.Replace(string(good), "Derivation: m/48'/1'/100'/2'\nFormat: P2WSH\n\n", "Format: P2WSH-P2SH\n\nDerivation: m/48'/1'/100'/2'\n", 1)
	imp, err := ImportWith([]byte(perKey), Options{Network: network.Test})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(imp.Setup.Descriptor, "sh(wsh(sortedmulti(2,"))
}

func TestDescriptorTextForms(t *testing.T) {
	am := mustImport(t, "specter/account_map_multisig.json", Options{}).Setup
	d, err := descriptor.Parse(am.Descriptor)
	require.NoError(t, err)
	recv, _ := d.Branch(0)
	change, _ := d.Branch(1)
	for name, text := range map[string]string{
		"one <0;1> line":        am.Descriptor,
		"receive only":          recv.String(),
		"receive and change":    recv.String() + "\n" + change.String() + "\n",
		"with comments, CRLF":   "# my wallet\r\n" + recv.String() + "\r\n" + change.StringNoChecksum() + "\r\n",
		"keys without branches": "wsh(sortedmulti(1,[fb7c1f11/48h/1h/0h/2h]" + tpubFB7C + ",[1ef4e492/48h/1h/0h/2h]" + tpub1EF4 + "))",
	} {
		t.Run(name, func(t *testing.T) {
			imp, err := Import([]byte(text))
			require.NoError(t, err)
			require.Equal(t, FormatDescriptor, imp.Format)
			require.Equal(t, am.Descriptor, imp.Setup.Descriptor)
		})
	}
	_, err = Import([]byte("wpkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)"))
	require.ErrorContains(t, err, "private keys")
	_, err = Import([]byte(recv.String() + "\n" + recv.String() + "\n" + change.String()))
	require.ErrorContains(t, err, "3 descriptors found")
	_, err = Import([]byte(strings.Repeat(recv.String()+"\n", 4)))
	require.ErrorIs(t, err, ErrUnknownFormat)
	// Sparrow's "Output Descriptor" export (sparrow's io/Descriptor.java).
	sparrow := "# Receive and change descriptor (BIP389):\n" + am.Descriptor + "\n\n\n" +
		"# Receive descriptor (Bitcoin Core):\n" + recv.String() + "\n\n" +
		"# Change descriptor (Bitcoin Core):\n" + change.String() + "\n"
	imp, err := Import([]byte(sparrow))
	require.NoError(t, err)
	require.Equal(t, am.Descriptor, imp.Setup.Descriptor)
	_, err = Import([]byte(strings.Replace(sparrow, change.String(), recv.String(), 1)))
	require.ErrorContains(t, err, "descriptor 3 is not branch 1 of the <0;1> descriptor")
}

func TestCoreDescriptorsImportAndExport(t *testing.T) {
	am := mustImport(t, "specter/account_map_multisig.json", Options{}).Setup
	out, err := Export(am, FormatCore)
	require.NoError(t, err)
	var req []map[string]any
	require.NoError(t, json.Unmarshal(out, &req))
	require.Len(t, req, 2)
	require.Equal(t, false, req[0]["internal"])
	require.Equal(t, true, req[1]["internal"])
	require.Equal(t, []any{float64(0), float64(999)}, req[0]["range"])
	back, err := Import(out)
	require.NoError(t, err)
	require.Equal(t, FormatCore, back.Format)
	require.Equal(t, am.Descriptor, back.Setup.Descriptor)

	d, _ := descriptor.Parse(am.Descriptor)
	r, _ := d.Branch(0)
	c, _ := d.Branch(1)
	list := `{"wallet_name": "ms", "descriptors": [` +
		`{"desc": "` + c.String() + `", "timestamp": 1700000000, "active": true, "internal": true, "range": [0, 999], "next": 0},` +
		`{"desc": "` + r.String() + `", "timestamp": 1700000000, "active": true, "internal": false, "range": [0, 999], "next": 3}]}`
	imp, err := Import([]byte(list))
	require.NoError(t, err)
	require.Equal(t, "ms", imp.Setup.Name)
	require.Equal(t, am.Descriptor, imp.Setup.Descriptor)
}

func TestKeyOriginMismatchesAreRefused(t *testing.T) {
	cases := map[string]string{
		"depth":          "wpkh([1ef4e492/84h/1h]tpubDC5EUwdy9WWpzqMWKNhVmXdMgMbi4ywxkdysRdNr1MdM4SCfVLbNtsFvzY6WKSuzsaVAitj6FmP6TugPuNT6yKZDLsHrSwMd816TnqX7kuc/<0;1>/*)",
		"child number":   "wpkh([1ef4e492/84h/1h/1h]tpubDC5EUwdy9WWpzqMWKNhVmXdMgMbi4ywxkdysRdNr1MdM4SCfVLbNtsFvzY6WKSuzsaVAitj6FmP6TugPuNT6yKZDLsHrSwMd816TnqX7kuc/<0;1>/*)",
		"unhardened end": "wpkh([1ef4e492/84h/1h/0]tpubDC5EUwdy9WWpzqMWKNhVmXdMgMbi4ywxkdysRdNr1MdM4SCfVLbNtsFvzY6WKSuzsaVAitj6FmP6TugPuNT6yKZDLsHrSwMd816TnqX7kuc/<0;1>/*)",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Import([]byte(text))
			require.ErrorContains(t, err, "the origin does not belong to this key")
		})
	}
	ok := mustImport(t, "specter/account_map_single.json", Options{})
	require.Equal(t, "trezor", ok.Setup.Devices[0].Type)
}

func TestEveryFormatRoundTripsAMultisigSetup(t *testing.T) {
	base := mustImport(t, "specter/account_map_multisig.json", Options{}).Setup
	base.BirthdayHeight = 812345
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			out, err := Export(base, f)
			require.NoError(t, err)
			got, err := Detect(out)
			require.NoError(t, err)
			require.Equal(t, f, got)
			imp, err := ImportWith(out, Options{Network: base.Network})
			require.NoError(t, err)
			s := imp.Setup
			require.Equal(t, base.Descriptor, s.Descriptor)
			require.Equal(t, base.Network, s.Network)
			require.Equal(t, base.M, s.M)
			require.Equal(t, base.N, s.N)
			require.Len(t, s.Devices, 2)
			for i := range s.Devices {
				require.Equal(t, base.Devices[i].Fingerprint, s.Devices[i].Fingerprint)
				require.Equal(t, base.Devices[i].Path, s.Devices[i].Path)
				require.Equal(t, base.Devices[i].Xpub, s.Devices[i].Xpub)
			}
			switch f {
			case FormatSpecter, FormatAccountMap:
				require.Equal(t, base.Name, s.Name)
				require.Equal(t, base.BirthdayHeight, s.BirthdayHeight)
				require.Equal(t, base.Devices[0].Name, s.Devices[0].Name)
			case FormatCaravan, FormatColdcard:
				require.Equal(t, base.Name, s.Name)
			}
		})
	}
}

func TestSingleSigTaprootFitsOnlyTheGenericFormats(t *testing.T) {
	text := "tr([1ef4e492/84h/1h/0h]tpubDC5EUwdy9WWpzqMWKNhVmXdMgMbi4ywxkdysRdNr1MdM4SCfVLbNtsFvzY6WKSuzsaVAitj6FmP6TugPuNT6yKZDLsHrSwMd816TnqX7kuc/<0;1>/*)"
	imp, err := Import([]byte(text))
	require.NoError(t, err)
	for _, f := range []Format{FormatColdcard, FormatCaravan, FormatElectrum} {
		_, err := Export(imp.Setup, f)
		require.Error(t, err, f)
	}
	for _, f := range []Format{FormatDescriptor, FormatCore, FormatSpecter, FormatAccountMap, FormatBSMS} {
		out, err := Export(imp.Setup, f)
		require.NoError(t, err, f)
		back, err := ImportWith(out, Options{Network: network.Test})
		require.NoError(t, err, f)
		require.Equal(t, imp.Setup.Descriptor, back.Setup.Descriptor, f)
	}
}

func TestExportRefusesAnInconsistentSetup(t *testing.T) {
	s := mustImport(t, "specter/account_map_multisig.json", Options{}).Setup
	bad := s
	bad.M = 2
	_, err := Export(bad, FormatDescriptor)
	require.ErrorContains(t, err, "the setup says 2-of-2 but its descriptor is 1-of-2")
	bad = s
	bad.Network = network.Main
	_, err = Export(bad, FormatDescriptor)
	require.ErrorIs(t, err, descriptor.ErrWrongNetwork)
	_, err = Export(s, "pdf")
	require.ErrorContains(t, err, `format "pdf" is not one of`)
}

func TestElectrumAddressesAreChecked(t *testing.T) {
	s := mustImport(t, "electrum/multisig_1of2.json", Options{}).Setup
	out, err := Export(s, FormatElectrum)
	require.NoError(t, err)
	var f map[string]any
	require.NoError(t, json.Unmarshal(out, &f))
	recv, change := branchAddr(t, s, 0, 0), branchAddr(t, s, 1, 0)
	f["addresses"] = map[string]any{"receiving": []string{recv, branchAddr(t, s, 0, 1)}, "change": []string{change}}
	good, err := json.Marshal(f)
	require.NoError(t, err)
	imp, err := Import(good)
	require.NoError(t, err)
	require.Equal(t, s.Descriptor, imp.Setup.Descriptor)
	f["addresses"] = map[string]any{"receiving": []string{change}}
	bad, err := json.Marshal(f)
	require.NoError(t, err)
	_, err = Import(bad)
	require.ErrorContains(t, err, "the first receiving address is "+change+" but the descriptor's receive address 0 is "+recv)
	// A regtest address decides the network of tpub keys.
	rs := s
	rs.Network = network.Regtest
	f["addresses"] = map[string]any{"receiving": []string{branchAddr(t, rs, 0, 0)}}
	withAddr, err := json.Marshal(f)
	require.NoError(t, err)
	imp, err = Import(withAddr)
	require.NoError(t, err)
	require.Equal(t, network.Regtest, imp.Setup.Network)
}

func TestElectrumColdcardExportWithCkccXfp(t *testing.T) {
	// Coldcard's Electrum export (multisig.py export_electrum) names the
	// master by ckcc_xfp, the fingerprint as a little-endian uint32, and
	// has no root_fingerprint.
	s := mustImport(t, "electrum/multisig_1of2.json", Options{}).Setup
	out, err := Export(s, FormatElectrum)
	require.NoError(t, err)
	var f map[string]map[string]any
	var top map[string]any
	require.NoError(t, json.Unmarshal(out, &top))
	f = map[string]map[string]any{}
	for _, k := range []string{"x1/", "x2/"} {
		ks := top[k].(map[string]any)
		delete(ks, "root_fingerprint")
		ks["hw_type"], ks["type"] = "coldcard", "hardware"
		f[k] = ks
	}
	f["x1/"]["ckcc_xfp"] = 0x7f08099f // 9f09087f
	f["x2/"]["ckcc_xfp"] = 0x1c070a1f // 1f0a071c
	top["x1/"], top["x2/"] = f["x1/"], f["x2/"]
	data, err := json.Marshal(top)
	require.NoError(t, err)
	imp, err := Import(data)
	require.NoError(t, err)
	require.Equal(t, s.Descriptor, imp.Setup.Descriptor)
	require.Equal(t, "coldcard", imp.Setup.Devices[0].Type)
}

func TestReceiveChangeGivesTheSpecterDescriptors(t *testing.T) {
	imps, err := ImportAll(readTestdata(t, "specter/restore_wallets.json"), Options{})
	require.NoError(t, err)
	r, c, err := imps[0].Setup.ReceiveChange()
	require.NoError(t, err)
	require.Equal(t, "wpkh([0c28f912/84h/1h/0h]tpubDDpeUiiTJ2qdFGPCtkZHxdDP1fmDb74qcujm1QyTkFE7uvye2Y32P1X18tirrWLokSu3gX37SGufhNdmTkWVVuB2tGM61iQCXvLZZvCvChu/0/*)#am92xxvq", r)
	require.Equal(t, "wpkh([0c28f912/84h/1h/0h]tpubDDpeUiiTJ2qdFGPCtkZHxdDP1fmDb74qcujm1QyTkFE7uvye2Y32P1X18tirrWLokSu3gX37SGufhNdmTkWVVuB2tGM61iQCXvLZZvCvChu/1/*)#v0qtmnuc", c)
	bsms := mustImport(t, "bip129/no-encryption-pubkeys/my_multisig_wallet.bsms", Options{}).Setup
	r, c, err = bsms.ReceiveChange()
	require.NoError(t, err)
	require.Equal(t, bsms.Descriptor, r)
	require.Empty(t, c)
}

func TestOriginsCheckedAtDepthZeroAndOne(t *testing.T) {
	// BIP32 test vector 1: the master key (fingerprint 3442193e) and m/0h.
	const master = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
	const child = "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw"
	for _, ok := range []string{"wpkh([3442193e]" + master + "/<0;1>/*)", "wpkh([3442193e/0h]" + child + "/<0;1>/*)"} {
		imp, err := Import([]byte(ok))
		require.NoError(t, err, ok)
		require.Equal(t, "3442193e", imp.Setup.Devices[0].Fingerprint.String())
	}
	_, err := Import([]byte("wpkh([deadbeef]" + master + "/<0;1>/*)"))
	require.ErrorContains(t, err, "this master key's fingerprint is 3442193e, not deadbeef")
	_, err = Import([]byte("wpkh([deadbeef/0h]" + child + "/<0;1>/*)"))
	require.ErrorContains(t, err, "the key's parent fingerprint is 3442193e, so its master is not deadbeef")
	// Without an origin the device is named by the key's own fingerprint.
	imp, err := Import([]byte("wpkh(" + master + "/<0;1>/*)"))
	require.NoError(t, err)
	require.Equal(t, "3442193e", imp.Setup.Devices[0].Fingerprint.String())
	require.Empty(t, imp.Setup.Devices[0].Path)
	_, err = Import([]byte("wpkh(" + master + "/<0;2>/*)"))
	require.ErrorContains(t, err, "only <0;1> (receive 0, change 1) is supported")
}

func TestCoreWalletWithSeveralScriptTypesIsAmbiguous(t *testing.T) {
	const master = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
	var descs []string
	for _, f := range []string{"wpkh(%s)", "pkh(%s)"} {
		for _, br := range []string{"0", "1"} {
			d, err := descriptor.Parse(strings.Replace(f, "%s", master+"/"+br+"/*", 1))
			require.NoError(t, err)
			descs = append(descs, `{"desc": "`+d.String()+`", "active": true, "internal": `+strconv.FormatBool(br == "1")+`}`)
		}
	}
	_, err := Import([]byte(`{"wallet_name": "core", "descriptors": [` + strings.Join(descs, ",") + `]}`))
	require.ErrorContains(t, err, "the file holds 2 receive and 2 change descriptors")
	one, err := Import([]byte(`{"wallet_name": "core", "descriptors": [` + strings.Join(descs[:2], ",") + `]}`))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(one.Setup.Descriptor, "wpkh("+master+"/<0;1>/*)#"), one.Setup.Descriptor)
}

// TestKeysWithoutOriginGetTheFingerprintTheirDerivationsCarry: a key given
// without [fingerprint/path] becomes a device whose fingerprint is the one
// the descriptor writes into PSBT derivations (HASH160 of the compressed
// key; an x-only key as 02||x, as Bitcoin Core does), so a signer's
// signatures are matched to the right device.
func TestKeysWithoutOriginGetTheFingerprintTheirDerivationsCarry(t *testing.T) {
	const x = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
	for _, desc := range []string{
		"tr(" + x + ")",
		"wsh(multi(1,02" + x + ",03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))",
		"wpkh(tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B/0/*)",
	} {
		t.Run(desc[:4], func(t *testing.T) {
			imp, err := ImportWith([]byte(desc), Options{Network: network.Test})
			require.NoError(t, err)
			d, err := descriptor.Parse(imp.Setup.Descriptor)
			require.NoError(t, err)
			if d.PathCount() > 1 {
				d, err = d.Branch(0)
				require.NoError(t, err)
			}
			der, err := d.Derive(0)
			require.NoError(t, err)
			keysOf := der.Keys
			if der.Taproot != nil {
				keysOf = []descriptor.DerivedKey{der.Taproot.InternalKey}
			}
			var want []string
			for _, k := range keysOf {
				want = append(want, k.Origin.Fingerprint.String())
			}
			var got []string
			for _, dev := range imp.Setup.Devices {
				got = append(got, dev.Fingerprint.String())
			}
			require.ElementsMatch(t, want, got)
		})
	}
	// The x-only key's fingerprint is HASH160(02||x), not of the 32 bytes.
	imp, err := ImportWith([]byte("tr("+x+")"), Options{Network: network.Test})
	require.NoError(t, err)
	raw, err := hex.DecodeString("02" + x)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(btcutil.Hash160(raw)[:4]), imp.Setup.Devices[0].Fingerprint.String())
}
