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
