package network

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseAcceptsCoreNamesAndAliases(t *testing.T) {
	cases := map[string]Network{
		"main": Main, "mainnet": Main, "bitcoin": Main,
		"test": Test, "testnet": Test, "testnet3": Test,
		"signet": Signet, "REGTEST": Regtest,
	}
	for in, want := range cases {
		got, err := Parse(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := Parse("litecoin")
	require.EqualError(t, err, `unknown network "litecoin": use main, test, signet or regtest`)
}

func TestParamsAndCoinType(t *testing.T) {
	require.Equal(t, "bc", Main.Params().Bech32HRPSegwit)
	require.Equal(t, "tb", Test.Params().Bech32HRPSegwit)
	require.Equal(t, "tb", Signet.Params().Bech32HRPSegwit)
	require.Equal(t, "bcrt", Regtest.Params().Bech32HRPSegwit)
	require.Equal(t, uint32(0), Main.CoinType())
	require.Equal(t, uint32(1), Regtest.CoinType())
}

func TestDecodeAddressChecksTheNetwork(t *testing.T) {
	// BIP173 test vectors (P2WPKH of the same key on mainnet and testnet),
	// the regtest form of that key, and the BIP13 example P2SH address.
	const (
		mainP2WPKH    = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
		testP2WPKH    = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
		regtestP2WPKH = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
		mainP2SH      = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
	)
	for _, tc := range []struct {
		name    string
		addr    string
		net     Network
		wantErr string
	}{
		{"mainnet bech32 on mainnet", mainP2WPKH, Main, ""},
		{"testnet bech32 on testnet", testP2WPKH, Test, ""},
		{"testnet bech32 on signet", testP2WPKH, Signet, ""},
		{"regtest bech32 on regtest", regtestP2WPKH, Regtest, ""},
		{"mainnet P2SH on mainnet", mainP2SH, Main, ""},
		{"mainnet bech32 on testnet is refused", mainP2WPKH, Test,
			`"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" is not a test address: use an address of the wallet's network`},
		{"mainnet P2SH on regtest is refused", mainP2SH, Regtest,
			`"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy" is not a valid regtest address (unknown address type): check it was copied whole`},
		{"garbage is refused", "not-an-address", Main,
			`"not-an-address" is not a valid main address (decoded address is of unknown format): check it was copied whole`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := tc.net.DecodeAddress(tc.addr)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				require.Nil(t, a)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.addr, a.EncodeAddress())
		})
	}
}

func TestAddressNetworksListsEveryMatchingNetwork(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr string
		want []Network
	}{
		{"mainnet bech32 is mainnet only", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", []Network{Main}},
		{"testnet bech32 is testnet and signet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", []Network{Test, Signet}},
		{"regtest bech32 is regtest only", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", []Network{Regtest}},
		{"garbage is on no network", "not-an-address", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, AddressNetworks(tc.addr))
		})
	}
}
