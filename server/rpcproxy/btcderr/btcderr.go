// Package btcderr turns btcd's JSON-RPC errors into the errors Bitcoin Core
// gives for the same condition, where the engine tells conditions apart by
// Core's error. It is the part of the relay's btcd dialect layer
// (server/rpcproxy, dialect.go) that the btcd test harness
// (internal/regtest's CoreBatch) shares; it imports nothing of the project,
// so both can use it without an import cycle.
package btcderr

import "strings"

// Bitcoin Core's answer to getblockfilter when its block filter index is off
// (src/rpc/blockchain.cpp: RPC_MISC_ERROR, "Index is not enabled for
// filtertype " + the BIP 158 filter type name).
const (
	CoreNoIndexCode    = -1
	CoreNoIndexMessage = "Index is not enabled for filtertype basic"
)

// btcd's answer to getcfilter and getcfilterheader when it runs with
// --nocfilters (rpcserver.go: btcjson.ErrRPCNoCFIndex).
const (
	btcdNoCFIndexCode    = -5
	btcdNoCFIndexMessage = "cf index must be enabled"
)

// BlockFilterError maps btcd's error to getcfilter or getcfilterheader
// (BIP 157) to Bitcoin Core's error to getblockfilter: btcd's -5 "The CF
// index must be enabled for this command" becomes Core's -1 "Index is not
// enabled for filtertype basic", so that a client falls back to scanning
// blocks as it does for Core without blockfilterindex. Any other error is
// returned as it is.
func BlockFilterError(code int, message string) (int, string) {
	if code == btcdNoCFIndexCode && strings.Contains(strings.ToLower(message), btcdNoCFIndexMessage) {
		return CoreNoIndexCode, CoreNoIndexMessage
	}
	return code, message
}
