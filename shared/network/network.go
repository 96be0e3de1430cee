// Package network names the four Bitcoin networks the wallet works on and maps
// each to its btcd chain parameters.
package network

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// Network is one of the Bitcoin networks: mainnet, testnet, signet or regtest.
type Network string

// The networks the wallet supports.
const (
	Main    Network = "main"
	Test    Network = "test"
	Signet  Network = "signet"
	Regtest Network = "regtest"
)

// All lists every supported network, mainnet first.
var All = []Network{Main, Test, Signet, Regtest}

// Parse reads a network name. It accepts the names Bitcoin Core uses
// ("main", "test", "signet", "regtest") and common aliases ("mainnet",
// "bitcoin", "testnet", "testnet3").
func Parse(s string) (Network, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "main", "mainnet", "bitcoin":
		return Main, nil
	case "test", "testnet", "testnet3":
		return Test, nil
	case "signet":
		return Signet, nil
	case "regtest":
		return Regtest, nil
	}
	return "", fmt.Errorf("unknown network %q: use main, test, signet or regtest", s)
}

// Params returns btcd's chain parameters for the network.
func (n Network) Params() *chaincfg.Params {
	switch n {
	case Test:
		return &chaincfg.TestNet3Params
	case Signet:
		return &chaincfg.SigNetParams
	case Regtest:
		return &chaincfg.RegressionNetParams
	default:
		return &chaincfg.MainNetParams
	}
}

// IsTestnetLike reports whether the network uses testnet key versions
// (tpub/tprv) and coin type 1 in BIP44-style paths.
func (n Network) IsTestnetLike() bool { return n != Main }

// CoinType is the BIP44 coin type: 0 for mainnet, 1 for every test network.
func (n Network) CoinType() uint32 {
	if n.IsTestnetLike() {
		return 1
	}
	return 0
}

// DecodeAddress decodes a base58check (P2PKH, P2SH) or bech32/bech32m
// (BIP173, BIP350) address and checks that it belongs to the network:
// btcutil's DecodeAddress alone accepts some addresses of other networks, so
// IsForNet is checked too. Surrounding white space is not trimmed.
func (n Network) DecodeAddress(s string) (btcutil.Address, error) {
	params := n.Params()
	a, err := btcutil.DecodeAddress(s, params)
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid %s address (%v): check it was copied whole", s, n, err)
	}
	if !a.IsForNet(params) {
		return nil, fmt.Errorf("%q is not a %s address: use an address of the wallet's network", s, n)
	}
	return a, nil
}

// AddressNetworks lists, in the order of All, the networks on which s is a
// valid address (DecodeAddress). Testnet and signet share their address
// formats, and regtest shares testnet's base58 versions, so an address can
// belong to several networks; none means s is not an address.
func AddressNetworks(s string) []Network {
	var out []Network
	for _, n := range All {
		if _, err := n.DecodeAddress(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}
