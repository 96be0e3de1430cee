package airgap

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/walletfile"
)

func caravanSetup(t *testing.T) walletfile.WalletSetup {
	t.Helper()
	raw, err := os.ReadFile("../walletfile/testdata/caravan/bitcoin-2-of-2-P2WSH_TESTNET.json")
	require.NoError(t, err)
	imp, err := walletfile.Import(raw)
	require.NoError(t, err)
	imp.Setup.Name = "Family Vault"
	return imp.Setup
}

// collect scans frames in reverse order and returns the payload.
func collect(t *testing.T, frames []string) *Payload {
	t.Helper()
	c := NewCollector()
	for i := len(frames) - 1; i >= 0; i-- {
		_, err := c.Add(frames[i])
		require.NoError(t, err)
	}
	p, err := c.Result()
	require.NoError(t, err)
	return p
}

func TestRegister_EachVendorGetsWhatItReadsAndItReadsBack(t *testing.T) {
	setup := caravanSetup(t)
	coldcardText, err := walletfile.Export(setup, walletfile.FormatColdcard)
	require.NoError(t, err)
	tests := []struct {
		name    string
		typ     manager.DeviceType
		model   string
		formats []Format
		source  string // Source of the first registration scanned back
	}{
		{"Coldcard Mk4: SD file", manager.TypeColdcard, "", []Format{FormatFile}, ""},
		{"Coldcard Q: BBQr U then file", manager.TypeColdcard, "Q", []Format{FormatBBQr, FormatFile}, "bbqr:U"},
		{"Keystone: UR bytes then file", manager.TypeKeystone, "", []Format{FormatUR, FormatFile}, "ur:bytes"},
		{"Passport: UR bytes then file", manager.TypePassport, "", []Format{FormatUR, FormatFile}, "ur:bytes"},
		{"Jade: UR bytes", manager.TypeJade, "", []Format{FormatUR}, "ur:bytes"},
		{"SeedSigner: UR bytes then Specter wallet JSON as pMofN", manager.TypeSeedSigner, "", []Format{FormatUR, FormatPMofN}, "ur:bytes"},
		{"Specter DIY: addwallet as pMofN", manager.TypeSpecterDIY, "", []Format{FormatPMofN}, ""},
		{"Krux: descriptor as UR bytes then file", manager.TypeKrux, "", []Format{FormatUR, FormatFile}, "ur:bytes"},
		{"Other: BSMS and descriptor files", manager.TypeOther, "", []Format{FormatFile, FormatFile}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			regs, err := Register(setup, tc.typ, tc.model, DensityLow)
			require.NoError(t, err)
			var formats []Format
			for i, r := range regs {
				formats = append(formats, r.Format)
				require.NotEmpty(t, r.Note)
				if r.Format == FormatFile {
					require.NotNil(t, r.File)
					require.Empty(t, r.Frames)
					require.Equal(t, "text/plain", r.File.MIME)
					require.True(t, strings.HasPrefix(r.File.Filename, "Family-Vault"), r.File.Filename)
					imp, err := walletfile.Import(r.File.Data)
					require.NoError(t, err, r.File.Filename)
					require.Equal(t, setup.Descriptor, imp.Setup.Descriptor)
				} else {
					require.Nil(t, r.File)
					p := collect(t, r.Frames)
					require.Equal(t, KindWalletSetup, p.Kind)
					require.NotNil(t, p.Setup)
					require.Equal(t, setup.Descriptor, p.Setup.Setup.Descriptor)
					if tc.source != "" && i == 0 {
						require.Equal(t, tc.source, p.Source)
					}
				}
			}
			require.Equal(t, tc.formats, formats)
			switch tc.typ {
			case manager.TypeKeystone, manager.TypePassport, manager.TypeJade:
				require.Equal(t, coldcardText, collect(t, regs[0].Frames).Data)
			case manager.TypeSeedSigner:
				// what SeedSigner checks before reading a bytes UR as a wallet
				text := strings.ToLower(string(collect(t, regs[0].Frames).Data))
				require.Contains(t, text, "policy:")
				require.Contains(t, text, "format:")
				require.Contains(t, text, "derivation:")
				for _, f := range regs[1].Frames {
					require.Regexp(t, `^p[0-9]+of[0-9]+ [^ ]+$`, f)
				}
				p := collect(t, regs[1].Frames)
				require.Equal(t, "Family_Vault", p.Setup.Setup.Name)
				require.True(t, strings.HasPrefix(string(p.Data), `{"blockheight":`), string(p.Data))
			case manager.TypeColdcard:
				if tc.model == "" {
					require.Equal(t, "Family-Vault-coldcard.txt", regs[0].File.Filename)
					require.Equal(t, coldcardText, regs[0].File.Data)
				}
			case manager.TypeOther:
				require.Equal(t, "Family-Vault.bsms", regs[0].File.Filename)
				require.True(t, strings.HasPrefix(string(regs[0].File.Data), "BSMS 1.0\n"))
				require.Equal(t, "Family-Vault-descriptor.txt", regs[1].File.Filename)
			}
		})
	}
}

func TestRegister_SeedSignerShortWalletStillHasThePrefix(t *testing.T) {
	regs, err := Register(caravanSetup(t), manager.TypeSeedSigner, "", DensityHigh)
	require.NoError(t, err)
	require.Len(t, regs[1].Frames, 1)
	require.True(t, strings.HasPrefix(regs[1].Frames[0], "p1of1 {"), regs[1].Frames[0])
}

func TestSpecterDIYAddWallet_DescriptorWithoutChecksumAndBranches(t *testing.T) {
	setup := caravanSetup(t)
	text, err := SpecterDIYAddWallet(setup)
	require.NoError(t, err)
	desc, _, _ := strings.Cut(setup.Descriptor, "#")
	require.Equal(t, "addwallet Family Vault&"+strings.ReplaceAll(desc, "/<0;1>/*", "/{0,1}/*"), text)
	require.Equal(t, 2, strings.Count(text, "/{0,1}/*"))
	require.True(t, strings.HasPrefix(text, "addwallet Family Vault&wsh(sortedmulti(2,["), text)

	odd := setup
	odd.Name = "a&b\nc"
	text, err = SpecterDIYAddWallet(odd)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(text, "addwallet a b c&wsh("), text)

	single := setup
	single.Descriptor = strings.Replace(setup.Descriptor, "/<0;1>/*", "/0/*", 1)
	_, err = SpecterDIYAddWallet(single)
	require.EqualError(t, err, "Specter DIY registration: the descriptor's keys must all end in /<0;1>/* (receive /0/*, change /1/*)")
}

func TestRegister_RefusedForUSBDevicesAndSingleSig(t *testing.T) {
	setup := caravanSetup(t)
	for _, typ := range []manager.DeviceType{manager.TypeLedger, manager.TypeTrezor, manager.TypeBitBox02, manager.TypeHot} {
		_, err := Register(setup, typ, "", DensityLow)
		require.EqualError(t, err, "multisig registration: a "+string(typ)+" device signs over USB, not by QR code or file")
	}
	_, err := Register(setup, "nokia", "", DensityLow)
	require.ErrorContains(t, err, "multisig registration: air-gapped signing: ")
	_, err = Register(setup, manager.TypeKeystone, "q", DensityLow)
	require.EqualError(t, err, `multisig registration: device type "keystone" has no model "q": leave the model empty`)
	single := setup
	single.N, single.M = 1, 1
	_, err = Register(single, manager.TypeColdcard, "", DensityLow)
	require.EqualError(t, err, "multisig registration: this wallet is single-sig, there is nothing to register on the device")
	_, err = Register(setup, manager.TypeColdcard, "", Density(-1))
	require.EqualError(t, err, "QR density -1 is unknown: use low, medium or high")
}

func TestProfiles_MatchManagerDeviceTypes(t *testing.T) {
	all := manager.DeviceTypes()
	seen := map[manager.DeviceType]bool{}
	for _, p := range Profiles() {
		require.Contains(t, all, p.Type)
		require.NotEmpty(t, p.Note)
		require.NotContains(t, p.Alternatives, p.Default)
		seen[p.Type] = true
	}
	for _, typ := range all {
		usb := slices.Contains([]manager.DeviceType{manager.TypeLedger, manager.TypeTrezor, manager.TypeBitBox02, manager.TypeHot}, typ)
		require.Equal(t, !usb, seen[typ], typ)
	}
	tests := []struct {
		typ   manager.DeviceType
		model string
		want  Format
	}{
		{manager.TypeKeystone, "", FormatUR},
		{manager.TypePassport, "", FormatUR},
		{manager.TypeColdcard, "Q", FormatBBQr},
		{manager.TypeColdcard, "", FormatFile},
		{manager.TypeSeedSigner, "", FormatUR},
		{manager.TypeSpecterDIY, "", FormatPMofN},
		{manager.TypeJade, "", FormatUR},
		{manager.TypeKrux, "", FormatUR},
	}
	for _, tc := range tests {
		p, err := ProfileFor(tc.typ, tc.model)
		require.NoError(t, err)
		require.Equal(t, tc.want, p.Default, "%s %s", tc.typ, tc.model)
	}
	sp, err := ProfileFor(manager.TypeSeedSigner, "")
	require.NoError(t, err)
	require.Equal(t, []Format{FormatPMofN, FormatStatic}, sp.Alternatives)
	_, err = ProfileFor(manager.TypeLedger, "")
	require.EqualError(t, err, "a ledger device signs over USB, not by QR code or file")
}

func TestAddressQR_PerDevice(t *testing.T) {
	// BIP173 test vectors: P2WPKH on testnet and mainnet
	const tb = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
	const bc = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
	tests := []struct {
		name string
		typ  manager.DeviceType
		addr string
		net  network.Network
		want string
		err  string
	}{
		{"Specter DIY gets the index", manager.TypeSpecterDIY, tb, network.Test, "bitcoin:" + tb + "?index=17", ""},
		{"SeedSigner searches itself", manager.TypeSeedSigner, bc, network.Main, "bitcoin:" + bc, ""},
		{"Krux", manager.TypeKrux, " " + bc + "\n", network.Main, "bitcoin:" + bc, ""},
		{"Passport", manager.TypePassport, tb, network.Signet, "bitcoin:" + tb, ""},
		{"upper-case bech32 normalised", manager.TypeSeedSigner, strings.ToUpper(bc), network.Main, "bitcoin:" + bc, ""},
		{"wrong network", manager.TypeSeedSigner, tb, network.Main, "", `"` + tb + `" is not a main address: copy it again from the wallet's address list`},
		{"not an address", manager.TypeSpecterDIY, "hello", network.Test, "", `"hello" is not a test address: copy it again from the wallet's address list`},
		{"Coldcard verifies on its own screen", manager.TypeColdcard, bc, network.Main, "", "a coldcard device does not check addresses from a QR code: use its own address screen, or USB"},
		{"unknown network", manager.TypeSeedSigner, bc, network.Network("moon"), "", `address QR: unknown network "moon": use main, test, signet or regtest`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AddressQR(tc.typ, tc.addr, 17, tc.net)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
