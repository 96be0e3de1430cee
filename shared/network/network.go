// Package network names the four Bitcoin networks the wallet works on and maps
// each to its btcd chain parameters.
package network

import (
	"fmt"
	"strings"

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
