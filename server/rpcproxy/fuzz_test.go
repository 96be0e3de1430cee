package rpcproxy

import (
	"encoding/json"
	"testing"

	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/shared/network"
)

// FuzzTranslate feeds arbitrary methods and params from a client to the
// allowlist and the btcd dialect layer: they must never panic, and a plan is
// either an error or calls with a combiner.
func FuzzTranslate(f *testing.F) {
	for _, seed := range []struct{ method, params string }{
		{"getblockfilter", `["00", "basic"]`},
		{"getblockfilter", `["00", 1]`},
		{"getblock", `["00", true]`},
		{"getblock", `["00", 2]`},
		{"getblock", `{"blockhash":"00"}`},
		{"getrawtransaction", `["00", 1, "00"]`},
		{"estimatesmartfee", `[6, "CONSERVATIVE"]`},
		{"estimatesmartfee", `["x"]`},
		{"stop", `null`},
		{"", ``},
	} {
		f.Add(seed.method, seed.params)
	}
	f.Fuzz(func(t *testing.T, method, params string) {
		_ = refusal(method, network.Regtest)
		for _, fl := range []nodes.Flavour{nodes.Core, nodes.Btcd} {
			p := translate(fl, method, json.RawMessage(params))
			if p.err != nil {
				continue
			}
			if len(p.calls) == 0 || p.combine == nil {
				t.Fatalf("plan for %q %q has no calls", method, params)
			}
			rs := make([]upstreamResult, len(p.calls))
			for i := range rs {
				rs[i] = upstreamResult{Result: json.RawMessage(params)}
			}
			_, _ = p.combine(rs)
		}
	})
}
