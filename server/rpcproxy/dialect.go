package rpcproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/server/rpcproxy/btcderr"
)

// call is one upstream JSON-RPC request.
type call struct {
	Method string
	Params []json.RawMessage
}

// plan says how one client request is served: by these upstream calls, whose
// results combine turns into the Core-shaped answer; or, when err is set,
// by that error without any upstream call.
type plan struct {
	calls   []call
	combine func(results []upstreamResult) (json.RawMessage, *nodes.RPCError)
	err     *nodes.RPCError
}

type upstreamResult struct {
	Result json.RawMessage
	Error  *nodes.RPCError
}

// passthrough is the plan of a request the node understands as it is.
func passthrough(method string, params json.RawMessage) plan {
	return plan{
		calls: []call{{Method: method, Params: rawParams(params)}},
		combine: func(r []upstreamResult) (json.RawMessage, *nodes.RPCError) {
			return r[0].Result, r[0].Error
		},
	}
}

// rawParams splits a params array; nil, null and named (object) params are
// sent as they are by marshalParams.
func rawParams(params json.RawMessage) []json.RawMessage {
	var list []json.RawMessage
	if len(bytes.TrimSpace(params)) == 0 || json.Unmarshal(params, &list) != nil {
		return nil
	}
	if list == nil {
		list = []json.RawMessage{}
	}
	return list
}

// Core error codes the translations reproduce.
const (
	rpcInvalidParameter = -8
	rpcInvalidAddrOrKey = -5
	rpcMiscError        = -1
)

func paramErr(code int, format string, args ...any) plan {
	return plan{err: &nodes.RPCError{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// translate makes the plan of one allowed request for a node flavour. The
// engine speaks Bitcoin Core; for btcd this is the one place where the
// dialects are reconciled:
//
//   - getblockfilter HASH ["basic"] -> getcfilter HASH 0 + getcfilterheader HASH 0,
//     answered as Core's {"filter": ..., "header": ...}; btcd's -5 "The CF
//     index must be enabled" (--nocfilters) becomes Core's -1 "Index is not
//     enabled for filtertype basic" (btcderr.BlockFilterError)
//   - getblock HASH VERBOSITY: bool verbosity -> int; at verbosity 2 btcd's
//     "rawtx" is renamed "tx"; verbosity 3 is refused (btcd has no prevouts)
//   - getrawtransaction TXID VERBOSE [BLOCKHASH]: bool -> int, the block hash
//     is dropped (btcd finds transactions through its txindex)
//   - estimatesmartfee TARGET [MODE] -> estimatefee min(TARGET, 25), answered
//     as Core's {"feerate": BTC/kvB, "blocks": n} or {"errors": [...], "blocks": 0}
//   - testmempoolaccept TXS: btcd requires maxfeerate; Core's default 0.10 is added
func translate(f nodes.Flavour, method string, params json.RawMessage) plan {
	if f != nodes.Btcd {
		return passthrough(method, params)
	}
	switch strings.ToLower(method) {
	case "getblockfilter", "getblock", "getrawtransaction", "estimatesmartfee", "testmempoolaccept":
	default:
		return passthrough(method, params)
	}
	list := rawParams(params)
	if list == nil && len(bytes.TrimSpace(params)) > 0 && !bytes.Equal(bytes.TrimSpace(params), []byte("null")) {
		return paramErr(rpcInvalidParameter, "%s: btcd takes positional parameters only: send params as an array", method)
	}
	switch strings.ToLower(method) {
	case "getblockfilter":
		return btcdBlockFilter(list)
	case "getblock":
		return btcdGetBlock(list)
	case "getrawtransaction":
		return btcdGetRawTransaction(list)
	case "testmempoolaccept":
		if len(list) == 1 {
			list = append(list, json.RawMessage("0.1")) // Core's default maxfeerate, BTC/kvB
		}
		return passthrough(method, mustMarshal(list))
	default:
		return btcdEstimateSmartFee(list)
	}
}

func btcdBlockFilter(p []json.RawMessage) plan {
	if len(p) < 1 || len(p) > 2 {
		return paramErr(rpcInvalidParameter, "getblockfilter takes a block hash and an optional filter type")
	}
	if len(p) == 2 {
		var ft string
		if json.Unmarshal(p[1], &ft) != nil || ft != "basic" {
			return paramErr(rpcInvalidAddrOrKey, "Unknown filtertype")
		}
	}
	zero := json.RawMessage("0")
	return plan{
		calls: []call{
			{Method: "getcfilter", Params: []json.RawMessage{p[0], zero}},
			{Method: "getcfilterheader", Params: []json.RawMessage{p[0], zero}},
		},
		combine: func(r []upstreamResult) (json.RawMessage, *nodes.RPCError) {
			for _, x := range r {
				if x.Error != nil {
					code, msg := btcderr.BlockFilterError(x.Error.Code, x.Error.Message)
					return nil, &nodes.RPCError{Code: code, Message: msg}
				}
			}
			var filter, header string
			if json.Unmarshal(r[0].Result, &filter) != nil || json.Unmarshal(r[1].Result, &header) != nil {
				return nil, &nodes.RPCError{Code: rpcMiscError, Message: "btcd answered getcfilter/getcfilterheader with something other than hex strings"}
			}
			out, _ := json.Marshal(map[string]string{"filter": filter, "header": header})
			return out, nil
		},
	}
}

// intVerbosity turns Core's bool-or-int verbosity into btcd's int.
func intVerbosity(v json.RawMessage) (int, bool) {
	var b bool
	if json.Unmarshal(v, &b) == nil {
		if b {
			return 1, true
		}
		return 0, true
	}
	var i int
	if json.Unmarshal(v, &i) == nil {
		return i, true
	}
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return -1, true
	}
	return 0, false
}

func btcdGetBlock(p []json.RawMessage) plan {
	if len(p) < 1 || len(p) > 2 {
		return paramErr(rpcInvalidParameter, "getblock takes a block hash and an optional verbosity")
	}
	args := []json.RawMessage{p[0]}
	verbosity := 1
	if len(p) == 2 {
		v, ok := intVerbosity(p[1])
		if !ok {
			return paramErr(rpcInvalidParameter, "getblock: verbosity must be 0, 1, 2 or a bool")
		}
		if v >= 0 {
			verbosity = v
		}
		if verbosity < 0 || verbosity > 2 {
			return paramErr(rpcInvalidParameter, "getblock: verbosity %d is not supported by btcd (use 0, 1 or 2)", verbosity)
		}
		args = append(args, json.RawMessage(fmt.Sprint(verbosity)))
	}
	return plan{
		calls: []call{{Method: "getblock", Params: args}},
		combine: func(r []upstreamResult) (json.RawMessage, *nodes.RPCError) {
			if r[0].Error != nil || verbosity != 2 {
				return r[0].Result, r[0].Error
			}
			var block map[string]json.RawMessage
			if err := json.Unmarshal(r[0].Result, &block); err != nil {
				return nil, &nodes.RPCError{Code: rpcMiscError, Message: "btcd answered getblock with something other than an object"}
			}
			if txs, ok := block["rawtx"]; ok {
				block["tx"] = txs
				delete(block, "rawtx")
			}
			out, _ := json.Marshal(block)
			return out, nil
		},
	}
}

func btcdGetRawTransaction(p []json.RawMessage) plan {
	if len(p) < 1 || len(p) > 3 {
		return paramErr(rpcInvalidParameter, "getrawtransaction takes a txid, an optional verbose flag and an optional block hash")
	}
	args := []json.RawMessage{p[0]}
	if len(p) >= 2 {
		v, ok := intVerbosity(p[1])
		if !ok {
			return paramErr(rpcInvalidParameter, "getrawtransaction: verbose must be a bool or 0/1")
		}
		if v < 0 {
			v = 0
		}
		if v > 1 {
			v = 1 // Core's verbosity 2 adds prevouts, which btcd lacks; the base fields are those of 1
		}
		args = append(args, json.RawMessage(fmt.Sprint(v)))
	}
	return plan{
		calls: []call{{Method: "getrawtransaction", Params: args}},
		combine: func(r []upstreamResult) (json.RawMessage, *nodes.RPCError) {
			return r[0].Result, r[0].Error
		},
	}
}

// btcdMaxFeeTarget is btcd's estimateFeeDepth: it estimates up to 25 blocks.
const btcdMaxFeeTarget = 25

func btcdEstimateSmartFee(p []json.RawMessage) plan {
	if len(p) < 1 || len(p) > 2 {
		return paramErr(rpcInvalidParameter, "estimatesmartfee takes a confirmation target and an optional estimate mode")
	}
	var target int
	if err := json.Unmarshal(p[0], &target); err != nil || target < 1 || target > 1008 {
		return paramErr(rpcInvalidParameter, "Invalid conf_target, must be between 1 and 1008")
	}
	blocks := min(target, btcdMaxFeeTarget)
	return plan{
		calls: []call{{Method: "estimatefee", Params: []json.RawMessage{json.RawMessage(fmt.Sprint(blocks))}}},
		combine: func(r []upstreamResult) (json.RawMessage, *nodes.RPCError) {
			var rate float64
			if r[0].Error != nil || json.Unmarshal(r[0].Result, &rate) != nil || rate <= 0 {
				out, _ := json.Marshal(map[string]any{"errors": []string{"Insufficient data or no feerate found"}, "blocks": 0})
				return out, nil
			}
			out, _ := json.Marshal(map[string]any{"feerate": rate, "blocks": blocks})
			return out, nil
		},
	}
}

func mustMarshal(list []json.RawMessage) json.RawMessage {
	out, err := json.Marshal(list)
	if err != nil { // only valid JSON values come in: they came out of Unmarshal
		return json.RawMessage("[]")
	}
	return out
}
