package rpcproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/specterpwa/specter/internal/regtest"

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

// FuzzServeBody sends arbitrary bodies through the proxy to a node that is
// not listening: every answer must be JSON with a status the API documents.
func FuzzServeBody(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"method":"getblockcount"}`,
		`[{"id":1,"method":"stop"},{"id":2,"method":"dumpprivkey","params":["x"]}]`,
		`[]`, `{`, `null`, `[null]`, `{"method":"getblock","params":{"a":1}}`, `"str"`, `[1,2]`,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	m, err := nodes.Open(dir, nodes.Options{BitcoinDir: dir})
	if err != nil {
		f.Fatal(err)
	}
	ports, err := regtest.FreePorts(1)
	if err != nil {
		f.Fatal(err)
	}
	info, err := m.Add(nodes.NewNode{Name: "down", URL: fmt.Sprintf("http://127.0.0.1:%d", ports[0]), Network: "regtest", User: "u", Password: "p"})
	if err != nil {
		f.Fatal(err)
	}
	r := chi.NewRouter()
	r.Post("/api/nodes/{id}/rpc", New(m, nil, Options{MaxBody: 4096}).ServeHTTP)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("POST", "/api/nodes/"+info.ID+"/rpc", bytes.NewReader(body)))
		switch rec.Code {
		case 200, 400, 413, 502:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("answer to %q is not JSON: %q", body, rec.Body.String())
		}
	})
}
