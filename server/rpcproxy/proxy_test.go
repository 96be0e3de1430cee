package rpcproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/server/nodes"
)

// relay is a test relay: a node manager and the proxy behind an HTTP server.
type relay struct {
	t     *testing.T
	nodes *nodes.Manager
	srv   *httptest.Server
	// entered gets a value for each request that reaches the proxy.
	entered chan struct{}
}

func newRelay(t *testing.T, opts Options) *relay {
	t.Helper()
	dir := t.TempDir()
	m, err := nodes.Open(dir, nodes.Options{BitcoinDir: filepath.Join(dir, "none")})
	require.NoError(t, err)
	rl := &relay{t: t, nodes: m, entered: make(chan struct{}, 1000)}
	proxy := New(m, nil, opts)
	r := chi.NewRouter()
	r.Post("/api/nodes/{id}/rpc", func(w http.ResponseWriter, req *http.Request) {
		select {
		case rl.entered <- struct{}{}:
		default: // nobody counts beyond the buffer
		}
		proxy.ServeHTTP(w, req)
	})
	rl.srv = httptest.NewServer(r)
	t.Cleanup(rl.srv.Close)
	return rl
}

func (r *relay) add(name, rawURL, netw, user, pass string) string {
	r.t.Helper()
	info, err := r.nodes.Add(nodes.NewNode{Name: name, URL: rawURL, Network: netw, User: user, Password: pass})
	require.NoError(r.t, err)
	return info.ID
}

func (r *relay) post(id, body string) (int, string) {
	r.t.Helper()
	resp, err := http.Post(r.srv.URL+"/api/nodes/"+id+"/rpc", "application/json", strings.NewReader(body))
	require.NoError(r.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(r.t, err)
	require.Equal(r.t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	return resp.StatusCode, string(raw)
}

// refusedControl is the relay's JSON-RPC 1.0 answer to a control method.
func refusedControl(id int, method string) string {
	return fmt.Sprintf(`{"result":null,"error":{"code":-32001,"message":"method \"%s\" is not allowed through the relay: it controls or reconfigures the node (only chain-reading methods, testmempoolaccept and sendrawtransaction are proxied)"},"id":%d}`, method, id)
}

func jsonString(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	require.NoError(t, json.Unmarshal(raw, &s))
	return s
}

func TestProxySingleBatchAndAllowlistAgainstBtcd(t *testing.T) {
	btcd := regtest.Start(t)
	hashes := btcd.Generate(10)
	r := newRelay(t, Options{})
	id := r.add("btcd", btcd.URL, "regtest", btcd.User, btcd.Password)
	tip := hashes[9]

	cases := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"single JSON-RPC 1.0 call", `{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]}`, 200,
			`{"result":10,"error":null,"id":1}`},
		{"single JSON-RPC 2.0 call echoes the version", `{"jsonrpc":"2.0","id":"x","method":"getbestblockhash"}`, 200,
			fmt.Sprintf(`{"jsonrpc":"2.0","result":%q,"id":"x"}`, tip)},
		{"JSON-RPC 2.0 refusal has only an error", `{"jsonrpc":"2.0","id":3,"method":"stop"}`, 200,
			`{"jsonrpc":"2.0","error":{"code":-32001,"message":"method \"stop\" is not allowed through the relay: it controls or reconfigures the node (only chain-reading methods, testmempoolaccept and sendrawtransaction are proxied)"},"id":3}`},
		{"batch mixes answers and refusals in request order", `[
			{"id":"a","method":"getblockcount","params":[]},
			{"id":7,"method":"stop","params":[]},
			{"id":8,"method":"getblockhash","params":[10]},
			{"id":9,"method":"dumpprivkey","params":["x"]},
			{"id":10,"method":"getpeerinfo"},
			{"id":11,"method":"frobnicate"},
			{"id":12,"method":"getblockhash","params":[99]}]`, 200,
			fmt.Sprintf(`[
			{"result":10,"error":null,"id":"a"},
			{"result":null,"error":{"code":-32001,"message":"method \"stop\" is not allowed through the relay: it controls or reconfigures the node (only chain-reading methods, testmempoolaccept and sendrawtransaction are proxied)"},"id":7},
			{"result":%q,"error":null,"id":8},
			{"result":null,"error":{"code":-32001,"message":"method \"dumpprivkey\" is not allowed through the relay: wallet and key methods are refused, since Specter keeps wallets and keys in the browser, never in the node"},"id":9},
			{"result":null,"error":{"code":-32001,"message":"method \"getpeerinfo\" is not allowed through the relay: it controls or reconfigures the node (only chain-reading methods, testmempoolaccept and sendrawtransaction are proxied)"},"id":10},
			{"result":null,"error":{"code":-32001,"message":"method \"frobnicate\" is not allowed through the relay: it is not in the allowlist of chain methods (blocks, headers, block filters, transactions, mempool, fee estimates, testmempoolaccept, sendrawtransaction)"},"id":11},
			{"result":null,"error":{"code":-1,"message":"Block number out of range"},"id":12}]`, tip)},
		{"config-changing methods are refused in a batch without reaching the node", `[
			{"id":1,"method":"setnetworkactive","params":[false]},
			{"id":2,"method":"logging","params":[["all"]]},
			{"id":3,"method":"setban","params":["10.0.0.1","add"]},
			{"id":4,"method":"addnode","params":["10.0.0.2:8333","add"]},
			{"id":5,"method":"SetNetworkActive","params":[false]},
			{"id":6,"method":"debuglevel","params":["trace"]},
			{"id":7,"method":"node","params":["connect","10.0.0.3:18444"]},
			{"id":8,"method":"disconnectnode","params":["10.0.0.2:8333"]},
			{"id":9,"method":"clearbanned"},
			{"id":10,"method":"invalidateblock","params":["00"]}]`, 200,
			`[` + refusedControl(1, "setnetworkactive") + `,` + refusedControl(2, "logging") + `,` + refusedControl(3, "setban") + `,` +
				refusedControl(4, "addnode") + `,` + refusedControl(5, "SetNetworkActive") + `,` + refusedControl(6, "debuglevel") + `,` +
				refusedControl(7, "node") + `,` + refusedControl(8, "disconnectnode") + `,` + refusedControl(9, "clearbanned") + `,` +
				refusedControl(10, "invalidateblock") + `]`},
		{"refusal of a wallet method in a single call", `{"id":2,"method":"createwallet","params":["w"]}`, 200,
			`{"result":null,"error":{"code":-32001,"message":"method \"createwallet\" is not allowed through the relay: wallet and key methods are refused, since Specter keeps wallets and keys in the browser, never in the node"},"id":2}`},
		{"body that is not JSON", `{"id":1,`, 400,
			`{"jsonrpc":"2.0","error":{"code":-32700,"message":"the body is not a JSON-RPC request or batch: unexpected end of JSON input"},"id":null}`},
		{"empty batch", `[]`, 400,
			`{"jsonrpc":"2.0","error":{"code":-32600,"message":"the batch is empty"},"id":null}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := r.post(id, tc.body)
			require.Equal(t, tc.status, status, body)
			require.JSONEq(t, tc.want, body)
		})
	}

	t.Run("after the refused addnode and node connect btcd has no added node and no peer", func(t *testing.T) {
		// btcd's own view after the refusals: the relay sent none of them.
		var peers []json.RawMessage
		require.NoError(t, json.Unmarshal(btcd.MustRPC("getpeerinfo"), &peers))
		require.Empty(t, peers)
		var added []json.RawMessage
		require.NoError(t, json.Unmarshal(btcd.MustRPC("getaddednodeinfo", true), &added))
		require.Empty(t, added)
	})

	t.Run("unknown node is 404", func(t *testing.T) {
		status, body := r.post("nope", `{"id":1,"method":"getblockcount"}`)
		require.Equal(t, 404, status)
		require.JSONEq(t, `{"error":"no node with id \"nope\"","kind":"not_found"}`, body)
	})

	t.Run("generate is allowed on a regtest node", func(t *testing.T) {
		status, body := r.post(id, `{"id":1,"method":"generate","params":[2]}`)
		require.Equal(t, 200, status)
		var resp struct {
			Result []string
			Error  *nodes.RPCError
		}
		require.NoError(t, json.Unmarshal([]byte(body), &resp))
		require.Nil(t, resp.Error)
		require.Len(t, resp.Result, 2)
		require.Equal(t, resp.Result[1], jsonString(t, btcd.MustRPC("getbestblockhash")))
	})

	t.Run("generate is refused on a node entered as testnet", func(t *testing.T) {
		other := r.add("claims testnet", btcd.URL, "test", btcd.User, btcd.Password)
		status, body := r.post(other, `{"id":1,"method":"generatetoaddress","params":[1,"x"]}`)
		require.Equal(t, 200, status)
		require.JSONEq(t, `{"result":null,"error":{"code":-32001,"message":"method \"generatetoaddress\" is allowed only on regtest nodes, and this node is on test"},"id":1}`, body)
	})
}

func TestBtcdDialectIsTranslatedToCoreShapes(t *testing.T) {
	btcd := regtest.Start(t)
	hashes := btcd.Generate(3)
	r := newRelay(t, Options{})
	id := r.add("btcd", btcd.URL, "regtest", btcd.User, btcd.Password)
	h := hashes[2]

	call := func(t *testing.T, method string, params ...any) (json.RawMessage, *nodes.RPCError) {
		t.Helper()
		body, err := json.Marshal(map[string]any{"id": 1, "method": method, "params": params})
		require.NoError(t, err)
		status, raw := r.post(id, string(body))
		require.Equal(t, 200, status, raw)
		var resp struct {
			Result json.RawMessage
			Error  *nodes.RPCError
		}
		require.NoError(t, json.Unmarshal([]byte(raw), &resp))
		return resp.Result, resp.Error
	}

	t.Run("getblockfilter becomes getcfilter and getcfilterheader with Core's shape", func(t *testing.T) {
		res, rerr := call(t, "getblockfilter", h)
		require.Nil(t, rerr)
		want := fmt.Sprintf(`{"filter":%q,"header":%q}`, jsonString(t, btcd.MustRPC("getcfilter", h, 0)), jsonString(t, btcd.MustRPC("getcfilterheader", h, 0)))
		require.JSONEq(t, want, string(res))
		res2, rerr := call(t, "getblockfilter", h, "basic")
		require.Nil(t, rerr)
		require.JSONEq(t, want, string(res2))
	})
	t.Run("getblockfilter with another filter type is Core's error", func(t *testing.T) {
		_, rerr := call(t, "getblockfilter", h, "extended")
		require.Equal(t, &nodes.RPCError{Code: -5, Message: "Unknown filtertype"}, rerr)
	})
	t.Run("getblock verbosity 2 lists transactions under tx", func(t *testing.T) {
		res, rerr := call(t, "getblock", h, 2)
		require.Nil(t, rerr)
		var got, direct map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(res, &got))
		require.NoError(t, json.Unmarshal(btcd.MustRPC("getblock", h, 2), &direct))
		require.NotContains(t, got, "rawtx")
		require.JSONEq(t, string(direct["rawtx"]), string(got["tx"]))
		delete(direct, "rawtx")
		delete(got, "tx")
		require.Equal(t, direct, got)
	})
	t.Run("getblock bool verbosity becomes an int", func(t *testing.T) {
		res, rerr := call(t, "getblock", h, true)
		require.Nil(t, rerr)
		require.JSONEq(t, string(btcd.MustRPC("getblock", h, 1)), string(res))
		res, rerr = call(t, "getblock", h, false)
		require.Nil(t, rerr)
		require.JSONEq(t, string(btcd.MustRPC("getblock", h, 0)), string(res))
	})
	t.Run("getblock verbosity 3 is refused for btcd", func(t *testing.T) {
		_, rerr := call(t, "getblock", h, 3)
		require.Equal(t, &nodes.RPCError{Code: -8, Message: "getblock: verbosity 3 is not supported by btcd (use 0, 1 or 2)"}, rerr)
	})
	t.Run("getrawtransaction bool verbose becomes an int and the block hash is dropped", func(t *testing.T) {
		var block struct {
			Tx []string `json:"tx"`
		}
		require.NoError(t, json.Unmarshal(btcd.MustRPC("getblock", h, 1), &block))
		txid := block.Tx[0]
		res, rerr := call(t, "getrawtransaction", txid, true, h)
		require.Nil(t, rerr)
		require.JSONEq(t, string(btcd.MustRPC("getrawtransaction", txid, 1)), string(res))
		res, rerr = call(t, "getrawtransaction", txid, false)
		require.Nil(t, rerr)
		require.JSONEq(t, string(btcd.MustRPC("getrawtransaction", txid, 0)), string(res))
	})
	t.Run("estimatesmartfee without data answers Core's errors shape", func(t *testing.T) {
		res, rerr := call(t, "estimatesmartfee", 6)
		require.Nil(t, rerr)
		require.JSONEq(t, `{"errors":["Insufficient data or no feerate found"],"blocks":0}`, string(res))
		res, rerr = call(t, "estimatesmartfee", 6, "ECONOMICAL")
		require.Nil(t, rerr)
		require.JSONEq(t, `{"errors":["Insufficient data or no feerate found"],"blocks":0}`, string(res))
	})
	t.Run("estimatesmartfee with a target out of range is Core's error", func(t *testing.T) {
		_, rerr := call(t, "estimatesmartfee", 0)
		require.Equal(t, &nodes.RPCError{Code: -8, Message: "Invalid conf_target, must be between 1 and 1008"}, rerr)
	})
	t.Run("named parameters are refused for translated btcd methods", func(t *testing.T) {
		status, raw := r.post(id, fmt.Sprintf(`{"id":1,"method":"getblock","params":{"blockhash":%q}}`, h))
		require.Equal(t, 200, status)
		require.JSONEq(t, `{"result":null,"error":{"code":-8,"message":"getblock: btcd takes positional parameters only: send params as an array"},"id":1}`, raw)
	})
	t.Run("the flavour is detected once and cached", func(t *testing.T) {
		info, found := r.nodes.Get(id)
		require.True(t, found)
		require.Equal(t, nodes.Btcd, info.Flavour)
	})
}

func TestEstimateSmartFeeShapeFromBtcdRate(t *testing.T) {
	// btcd answers estimatefee in BTC/kB; Core's estimatesmartfee gives BTC/kvB.
	p := btcdEstimateSmartFee([]json.RawMessage{json.RawMessage("40")})
	require.Nil(t, p.err)
	require.Equal(t, []call{{Method: "estimatefee", Params: []json.RawMessage{json.RawMessage("25")}}}, p.calls)
	out, rerr := p.combine([]upstreamResult{{Result: json.RawMessage("0.00012")}})
	require.Nil(t, rerr)
	require.JSONEq(t, `{"feerate":0.00012,"blocks":25}`, string(out))
}

func TestNodeFailuresGiveJSONErrorsThatSayWhatToCheck(t *testing.T) {
	btcd := regtest.Start(t)
	r := newRelay(t, Options{})
	good := r.add("soon down", btcd.URL, "regtest", btcd.User, btcd.Password)
	wrong := r.add("wrong pass", btcd.URL, "regtest", btcd.User, "nope")
	status, _ := r.post(good, `{"id":1,"method":"getblockcount"}`)
	require.Equal(t, 200, status)

	status, body := r.post(wrong, `{"id":1,"method":"getblockcount"}`)
	require.Equal(t, 502, status)
	require.JSONEq(t, fmt.Sprintf(`{"kind":"unauthorized","error":"node \"wrong pass\" at %s refused the relay's credentials (HTTP 401): check the RPC user and password (Core: rpcauth/rpcuser/rpcpassword; btcd: rpcuser/rpcpass) or that the cookie file is the current one"}`, btcd.URL), body)

	btcd.Stop()
	status, body = r.post(good, `{"id":1,"method":"getblockcount"}`)
	require.Equal(t, 502, status)
	var e httpError
	require.NoError(t, json.Unmarshal([]byte(body), &e))
	require.Equal(t, "unreachable", e.Kind)
	require.True(t, strings.HasPrefix(e.Error, fmt.Sprintf(`node "soon down" at %s is unreachable (`, btcd.URL)), e.Error)
	require.True(t, strings.HasSuffix(e.Error, "): check that it is running, that the URL and port are right, and that it accepts RPC from this host (Core: rpcbind/rpcallowip; btcd: rpclisten)"), e.Error)
	require.Contains(t, e.Error, "connection refused")

	// Refused methods are answered even when the node is down.
	status, body = r.post(good, `{"id":1,"method":"stop"}`)
	require.Equal(t, 200, status)
	require.Contains(t, body, `"code":-32001`)
}

func TestBodyAndBatchLimits(t *testing.T) {
	btcd := regtest.Start(t)
	r := newRelay(t, Options{MaxBody: 200, MaxBatch: 2})
	id := r.add("btcd", btcd.URL, "regtest", btcd.User, btcd.Password)

	big := fmt.Sprintf(`{"id":1,"method":"sendrawtransaction","params":[%q]}`, strings.Repeat("00", 200))
	status, body := r.post(id, big)
	require.Equal(t, 413, status)
	require.JSONEq(t, `{"kind":"too_large","error":"the JSON-RPC body is larger than the relay's limit of 200 bytes (--rpc-max-body): split the batch"}`, body)

	status, body = r.post(id, `[{"id":1,"method":"getblockcount"},{"id":2,"method":"getblockcount"},{"id":3,"method":"getblockcount"}]`)
	require.Equal(t, 413, status)
	require.JSONEq(t, `{"jsonrpc":"2.0","error":{"code":-32600,"message":"the batch has 3 requests, more than the relay's limit of 2: split it"},"id":null}`, body)

	status, body = r.post(id, `[{"id":1,"method":"getblockcount"},{"id":2,"method":"getblockcount"}]`)
	require.Equal(t, 200, status)
	require.JSONEq(t, `[{"result":0,"error":null,"id":1},{"result":0,"error":null,"id":2}]`, body)
}

// receive waits for n values on ch. The bound is only a guard against a hung
// test: nothing here depends on timing.
func receive(t *testing.T, ch <-chan struct{}, n int, what string) {
	t.Helper()
	guard := time.NewTimer(2 * time.Minute)
	defer guard.Stop()
	for i := range n {
		select {
		case <-ch:
		case <-guard.C:
			t.Fatalf("%s: %d of %d after 2 minutes", what, i, n)
		}
	}
}

// gatedProxy forwards JSON-RPC requests to btcd, but holds each request that
// arrives while its gate is shut until the test opens it. It counts the
// requests it has in flight and the most it had at once.
type gatedProxy struct {
	srv      *httptest.Server
	arrived  chan struct{} // a value for each request that arrived
	inflight atomic.Int64
	peak     atomic.Int64

	mu   sync.Mutex
	gate chan struct{} // closed while open
}

func newGatedProxy(t *testing.T, target string) *gatedProxy {
	g := &gatedProxy{arrived: make(chan struct{}, 1000), gate: make(chan struct{})}
	close(g.gate)
	fwd := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		gate := g.gate
		g.mu.Unlock()
		n := g.inflight.Add(1)
		for {
			p := g.peak.Load()
			if n <= p || g.peak.CompareAndSwap(p, n) {
				break
			}
		}
		body, err := io.ReadAll(r.Body)
		select {
		case g.arrived <- struct{}{}:
		default:
		}
		select {
		case <-gate:
		case <-r.Context().Done(): // the relay gave up on this call
			g.inflight.Add(-1)
			return
		}
		// Count down before answering: once the answer is out, the relay frees
		// its slot and the next call may arrive before this handler returns.
		g.inflight.Add(-1)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := fwd.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
	}))
	t.Cleanup(g.srv.Close)
	t.Cleanup(g.open) // let held requests go before the server closes
	return g
}

// shut holds the requests that arrive from now on.
func (g *gatedProxy) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.gate:
		g.gate = make(chan struct{})
	default:
	}
}

// open lets the held requests and all later ones through.
func (g *gatedProxy) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.gate:
	default:
		close(g.gate)
	}
}

func TestConcurrentUpstreamCallsAreCapped(t *testing.T) {
	btcd := regtest.Start(t)
	slow := newGatedProxy(t, btcd.URL)
	// Queued calls wait as long as the test needs: only the cap is tested.
	r := newRelay(t, Options{MaxConcurrent: 3, QueueWait: time.Minute})
	id := r.add("btcd", slow.srv.URL, "regtest", btcd.User, btcd.Password)
	status, _ := r.post(id, `{"id":0,"method":"getblockcount"}`) // detects the flavour
	require.Equal(t, 200, status)
	receive(t, r.entered, 1, "the first call entered the relay")
	for len(slow.arrived) > 0 {
		<-slow.arrived
	}
	require.Equal(t, int64(0), slow.inflight.Load())
	slow.peak.Store(0)

	// Hold every call at the node until all 20 are in the relay and 3 of
	// them reached the node: the other 17 can only be waiting for a slot.
	slow.shut()
	var wg sync.WaitGroup
	results := make([]string, 20)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(r.srv.URL+"/api/nodes/"+id+"/rpc", "application/json", strings.NewReader(fmt.Sprintf(`{"id":%d,"method":"getblockcount"}`, i)))
			if err != nil {
				results[i] = err.Error()
				return
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			results[i] = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(raw)))
		}()
	}
	receive(t, r.entered, 20, "calls entered the relay")
	receive(t, slow.arrived, 3, "calls reached the node")
	require.Equal(t, int64(3), slow.inflight.Load())
	slow.open()
	wg.Wait()
	for i, res := range results {
		require.Equal(t, fmt.Sprintf(`200 {"result":0,"error":null,"id":%d}`, i), res)
	}
	require.Equal(t, int64(3), slow.peak.Load())
}

func TestSlowNodeGives504AndFullSlotsGive503(t *testing.T) {
	btcd := regtest.Start(t)

	t.Run("a node that does not answer within the timeout gives 504", func(t *testing.T) {
		slow := newGatedProxy(t, btcd.URL)
		slow.shut() // the node never answers before the relay gives up
		r := newRelay(t, Options{MaxConcurrent: 1, Timeout: 300 * time.Millisecond, QueueWait: 100 * time.Millisecond})
		id := r.add("slow", slow.srv.URL, "regtest", btcd.User, btcd.Password)
		status, body := r.post(id, `{"id":1,"method":"getblockcount"}`)
		require.Equal(t, 504, status, body)
		var e httpError
		require.NoError(t, json.Unmarshal([]byte(body), &e))
		require.Equal(t, "timeout", e.Kind)
		require.True(t, strings.HasPrefix(e.Error, fmt.Sprintf(`node "slow" at %s did not answer in time (`, slow.srv.URL)), e.Error)
	})

	t.Run("while one call holds the only slot a second one gets 503 after the queue wait", func(t *testing.T) {
		slow := newGatedProxy(t, btcd.URL)
		slow.shut() // the first call holds the slot until the gate opens
		r := newRelay(t, Options{MaxConcurrent: 1, Timeout: time.Minute, QueueWait: 100 * time.Millisecond})
		id := r.add("slow", slow.srv.URL, "regtest", btcd.User, btcd.Password)
		type answer struct {
			status int
			body   string
		}
		first := make(chan answer, 1)
		go func() {
			status, body := r.post(id, `{"id":1,"method":"getblockcount"}`)
			first <- answer{status, body}
		}()
		receive(t, slow.arrived, 1, "the first call reached the node")
		status, body := r.post(id, `{"id":2,"method":"getblockcount"}`)
		require.Equal(t, 503, status)
		require.JSONEq(t, `{"kind":"busy","error":"node \"slow\" is busy: 1 calls were in flight for 100ms (the relay's --rpc-max-concurrent); retry later"}`, body)
		slow.open()
		got := <-first
		require.Equal(t, 200, got.status, got.body)
		require.JSONEq(t, `{"result":0,"error":null,"id":1}`, got.body)
	})
}
