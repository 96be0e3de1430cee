package rpcproxy

import (
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/network"
)

// allowed are the chain methods the engine needs (Bitcoin Core RPC names,
// plus btcd's own filter and info methods): reading the chain, the mempool,
// fee estimates, and the two transaction calls that change nothing but the
// mempool (testmempoolaccept, sendrawtransaction).
var allowed = map[string]bool{
	"getblockchaininfo": true, "getblockcount": true, "getbestblockhash": true, "getblockhash": true,
	"getblockheader": true, "getblock": true, "getblockstats": true, "getchaintips": true,
	"getchaintxstats": true, "getdifficulty": true, "getdeploymentinfo": true,
	"getblockfilter": true, "getcfilter": true, "getcfilterheader": true, "getindexinfo": true,
	"getrawtransaction": true, "decoderawtransaction": true, "decodescript": true, "gettxout": true,
	"getrawmempool": true, "getmempoolinfo": true, "getmempoolentry": true,
	"getmempoolancestors": true, "getmempooldescendants": true,
	"estimatesmartfee": true, "estimatefee": true,
	"testmempoolaccept": true, "sendrawtransaction": true,
	"getnetworkinfo": true, "getinfo": true, "version": true, "uptime": true,
}

// regtestOnly are mining methods allowed only on regtest nodes (the demo):
// the node entry must say regtest (refusal) and the node itself must report
// chain "regtest" in getblockchaininfo (Proxy.serve, miningRefusal).
var regtestOnly = map[string]bool{"generate": true, "generatetoaddress": true, "generateblock": true, "generatetodescriptor": true}

// control are methods that change or steer the node itself.
var control = map[string]bool{
	"stop": true, "setban": true, "clearbanned": true, "addnode": true, "disconnectnode": true,
	"setnetworkactive": true, "pruneblockchain": true, "invalidateblock": true, "reconsiderblock": true,
	"preciousblock": true, "savemempool": true, "importmempool": true, "logging": true,
	"dumptxoutset": true, "loadtxoutset": true, "verifychain": true, "submitblock": true,
	"submitheader": true, "getblocktemplate": true, "prioritisetransaction": true, "scantxoutset": true,
	"setmocktime": true, "node": true, "debuglevel": true, "getpeerinfo": true, "getnodeaddresses": true,
	"addpeeraddress": true, "getrpcinfo": true, "help": true, "getzmqnotifications": true,
}

// walletWords mark wallet and key methods by name.
var walletWords = []string{"wallet", "privkey", "address", "import", "dump", "keypool", "label", "balance", "descriptor", "hdseed", "passphrase", "psbt", "multisig", "sign", "listunspent", "listtransactions", "listsinceblock", "lockunspent", "send", "bumpfee", "settxfee", "rescan", "abandon", "gettransaction", "getreceived", "backup", "encrypt", "upgrade", "move", "account"}

// refusal says why a method may not go through the relay, or "" when it may.
func refusal(method string, n network.Network) string {
	m := strings.ToLower(method)
	switch {
	case method == "":
		return "a request needs a method name"
	case allowed[m]:
		return ""
	case regtestOnly[m]:
		if n == network.Regtest {
			return ""
		}
		return fmt.Sprintf("method %q is allowed only on regtest nodes, and this node is on %s", method, n)
	case control[m]:
		return fmt.Sprintf("method %q is not allowed through the relay: it controls or reconfigures the node (only chain-reading methods, testmempoolaccept and sendrawtransaction are proxied)", method)
	}
	for _, w := range walletWords {
		if strings.Contains(m, w) {
			return fmt.Sprintf("method %q is not allowed through the relay: wallet and key methods are refused, since Specter keeps wallets and keys in the browser, never in the node", method)
		}
	}
	return fmt.Sprintf("method %q is not allowed through the relay: it is not in the allowlist of chain methods (blocks, headers, block filters, transactions, mempool, fee estimates, testmempoolaccept, sendrawtransaction)", method)
}
