// Package rpcproxy is the relay's JSON-RPC proxy (POST /api/nodes/{id}/rpc):
// it forwards single and batch JSON-RPC requests (JSON-RPC 1.0 as Bitcoin
// Core serves it, and 2.0 requests) from the engine to a stored node, with
// the node's credentials, but only for an allowlist of chain methods; it
// bounds the body size, the time of a request and the number of concurrent
// upstream calls per node, and smooths the differences between Bitcoin Core
// and btcd in one place (dialect.go).
package rpcproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/shared/network"
)

// Options bound the proxy. Zero values take the defaults.
type Options struct {
	// MaxBody is the largest request body in bytes; default 4 MiB (a
	// sendrawtransaction of a 400 kvB transaction is 2 MB of hex... with room).
	MaxBody int64
	// MaxBatch is the most requests in one batch; default 1000.
	MaxBatch int
	// Timeout bounds one proxied HTTP request, waiting included; default 60s.
	Timeout time.Duration
	// MaxConcurrent is the most upstream calls in flight per node; default 8
	// (Bitcoin Core serves 4 RPC threads with a queue of 16 by default).
	MaxConcurrent int
	// QueueWait is how long a request waits for a free call slot of its node
	// before the relay answers 503; default 10s, never more than Timeout.
	QueueWait time.Duration
}

// Defaults fills the zero fields of o.
func (o Options) Defaults() Options {
	if o.MaxBody <= 0 {
		o.MaxBody = 4 << 20
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1000
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 8
	}
	if o.QueueWait <= 0 {
		o.QueueWait = 10 * time.Second
	}
	o.QueueWait = min(o.QueueWait, o.Timeout)
	return o
}

// CodeRefused is the JSON-RPC error code of a method the relay refuses
// (in the implementation-defined server error range of JSON-RPC 2.0).
const CodeRefused = -32001

// JSON-RPC 2.0 error codes.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
)

// Proxy serves POST /api/nodes/{id}/rpc.
type Proxy struct {
	nodes  *nodes.Manager
	access nodes.Access
	opts   Options

	mu   sync.Mutex
	sems map[string]chan struct{}
}

// New makes a proxy over the nodes of m. access may be nil (everyone may use
// every node).
func New(m *nodes.Manager, access nodes.Access, opts Options) *Proxy {
	return &Proxy{nodes: m, access: access, opts: opts.Defaults(), sems: map[string]chan struct{}{}}
}

func (p *Proxy) sem(id string) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.sems[id]
	if !ok {
		s = make(chan struct{}, p.opts.MaxConcurrent)
		p.sems[id] = s
	}
	return s
}

type request struct {
	JSONRPC string          `json:"jsonrpc,omitempty"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc,omitempty"`
	Result  json.RawMessage `json:"result"`
	Error   *nodes.RPCError `json:"error"`
	ID      json.RawMessage `json:"id"`
}

// MarshalJSON writes a JSON-RPC 1.0 response (as Bitcoin Core does: result
// and error both present, one of them null) or, for a 2.0 request, a
// JSON-RPC 2.0 response with exactly one of result and error.
func (r response) MarshalJSON() ([]byte, error) {
	if r.JSONRPC != "2.0" {
		type v1 response
		return json.Marshal(v1(r))
	}
	if r.Error != nil {
		return json.Marshal(struct {
			JSONRPC string          `json:"jsonrpc"`
			Error   *nodes.RPCError `json:"error"`
			ID      json.RawMessage `json:"id"`
		}{r.JSONRPC, r.Error, r.ID})
	}
	return json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		Result  json.RawMessage `json:"result"`
		ID      json.RawMessage `json:"id"`
	}{r.JSONRPC, r.Result, r.ID})
}

// httpError is the JSON body of a failure of the whole request.
type httpError struct {
	Error string `json:"error"`
	// Kind is the class of node failure (nodes.ErrorKind) or "busy",
	// "too_large", "not_found".
	Kind string `json:"kind,omitempty"`
}

func writeHTTPError(w http.ResponseWriter, status int, kind, msg string) {
	nodes.WriteJSON(w, status, httpError{Error: msg, Kind: kind})
}

func writeRPCError(w http.ResponseWriter, status, code int, msg string) {
	nodes.WriteJSON(w, status, response{JSONRPC: "2.0", Error: &nodes.RPCError{Code: code, Message: msg}, ID: json.RawMessage("null")})
}

// ServeHTTP proxies one single or batch JSON-RPC request. Requests are
// answered with HTTP 200 and JSON-RPC responses (a refused method gets an
// error response with CodeRefused); a body that is too large gets 413, one
// that is not JSON-RPC 400, an unknown node 404, a node that cannot be reached
// 502, a node that is too slow 504, and a node whose call slots stay full
// until the deadline 503. Those failures are {"error": "...", "kind": "..."}.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	node, found := p.nodes.Lookup(id)
	if !found || (p.access != nil && !p.access.CanUseNode(r, id)) {
		writeHTTPError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no node with id %q", id))
		return
	}
	body, err := readBody(w, r, p.opts.MaxBody)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeHTTPError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the JSON-RPC body is larger than the relay's limit of %d bytes (--rpc-max-body): split the batch", mbe.Limit))
			return
		}
		writeHTTPError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("reading the request body: %v", err))
		return
	}
	trimmed := bytes.TrimSpace(body)
	batch := len(trimmed) > 0 && trimmed[0] == '['
	var reqs []request
	if batch {
		err = json.Unmarshal(trimmed, &reqs)
	} else {
		var one request
		err = json.Unmarshal(trimmed, &one)
		reqs = []request{one}
	}
	if err != nil {
		writeRPCError(w, http.StatusBadRequest, codeParseError, fmt.Sprintf("the body is not a JSON-RPC request or batch: %v", err))
		return
	}
	if batch && len(reqs) == 0 {
		writeRPCError(w, http.StatusBadRequest, codeInvalidRequest, "the batch is empty")
		return
	}
	if len(reqs) > p.opts.MaxBatch {
		writeRPCError(w, http.StatusRequestEntityTooLarge, codeInvalidRequest, fmt.Sprintf("the batch has %d requests, more than the relay's limit of %d: split it", len(reqs), p.opts.MaxBatch))
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), p.opts.Timeout)
	defer cancel()

	// Take a call slot of this node for the whole exchange. A free slot is
	// taken at once, so that a request that was descheduled past QueueWait
	// on a loaded machine is not answered busy while nothing holds the node.
	sem := p.sem(id)
	select {
	case sem <- struct{}{}:
	default:
		if !p.waitSlot(ctx, w, sem, node) {
			return
		}
	}
	defer func() { <-sem }()

	out, err := p.serve(ctx, id, node, reqs)
	if err != nil {
		var ue *nodes.UpstreamError
		if errors.As(err, &ue) {
			status := http.StatusBadGateway
			if ue.Kind == nodes.Timeout {
				status = http.StatusGatewayTimeout
			}
			writeHTTPError(w, status, string(ue.Kind), ue.Error())
			return
		}
		writeHTTPError(w, http.StatusBadGateway, string(nodes.BadResponse), err.Error())
		return
	}
	if batch {
		nodes.WriteJSON(w, http.StatusOK, out)
		return
	}
	nodes.WriteJSON(w, http.StatusOK, out[0])
}

// waitSlot waits up to QueueWait (and the request's deadline) for a call
// slot of the node; it answers 503 and returns false when none frees up.
func (p *Proxy) waitSlot(ctx context.Context, w http.ResponseWriter, sem chan struct{}, node nodes.Node) bool {
	wait := time.NewTimer(p.opts.QueueWait)
	defer wait.Stop()
	select {
	case sem <- struct{}{}:
		return true
	case <-wait.C:
		writeHTTPError(w, http.StatusServiceUnavailable, "busy", fmt.Sprintf("node %q is busy: %d calls were in flight for %s (the relay's --rpc-max-concurrent); retry later", node.Name, p.opts.MaxConcurrent, p.opts.QueueWait))
	case <-ctx.Done():
		writeHTTPError(w, http.StatusServiceUnavailable, "busy", fmt.Sprintf("node %q is busy: %d calls were in flight until the request's deadline (the relay's --rpc-max-concurrent); retry later", node.Name, p.opts.MaxConcurrent))
	}
	return false
}

// resendOnStaleConn runs call, an exchange with a node over the relay's
// keep-alive connections, and runs it once more when it failed on a reused
// connection that the node closed before sending any byte of an answer. That
// is the race of a node closing an idle connection (Bitcoin Core does after
// rpcservertimeout, 30s by default) just as the relay sends a request on it;
// Go's transport resends only idempotent methods itself, never a POST. The
// node has not answered, so the request is sent again on another connection:
// safe for the proxied methods, which read the chain, or test or broadcast a
// transaction (a node that already has it answers with its own error). A
// failure on a new connection, or after the first byte of an answer, is
// returned as it is.
func resendOnStaleConn(ctx context.Context, call func(ctx context.Context) error) error {
	var stale staleTrace
	err := call(httptrace.WithClientTrace(ctx, stale.trace()))
	if err == nil || ctx.Err() != nil || !stale.closedBeforeAnswer() || !isUnreachable(err) {
		return err
	}
	return call(ctx)
}

// staleTrace follows the last connection an exchange used: whether it was a
// reused keep-alive connection and whether an answer began on it.
type staleTrace struct {
	mu       sync.Mutex
	reused   bool
	answered bool
}

func (s *staleTrace) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			s.mu.Lock()
			s.reused, s.answered = info.Reused, false
			s.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			s.mu.Lock()
			s.answered = true
			s.mu.Unlock()
		},
	}
}

func (s *staleTrace) closedBeforeAnswer() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reused && !s.answered
}

func isUnreachable(err error) bool {
	var ue *nodes.UpstreamError
	return errors.As(err, &ue) && ue.Kind == nodes.Unreachable
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return buf.Bytes(), err
}

// serve plans every request, sends all upstream calls as one batch and builds
// the answers in the order of the requests.
func (p *Proxy) serve(ctx context.Context, id string, node nodes.Node, reqs []request) ([]response, error) {
	plans := make([]plan, len(reqs))
	var flavour nodes.Flavour
	needUpstream := false
	var chain *string // the chain the node reports, asked once for mining methods
	for i, rq := range reqs {
		why := refusal(rq.Method, node.Network)
		if why == "" && regtestOnly[strings.ToLower(rq.Method)] {
			if chain == nil {
				c, err := p.nodeChain(ctx, id)
				if err != nil {
					return nil, err
				}
				chain = &c
			}
			why = miningRefusal(rq.Method, *chain)
		}
		if why != "" {
			plans[i] = plan{err: &nodes.RPCError{Code: CodeRefused, Message: why}}
			continue
		}
		if flavour == "" {
			err := resendOnStaleConn(ctx, func(ctx context.Context) error {
				f, err := p.nodes.Flavour(ctx, id)
				flavour = f
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		plans[i] = translate(flavour, rq.Method, rq.Params)
		if plans[i].err == nil {
			needUpstream = true
		}
	}
	results := map[int]upstreamResult{}
	if needUpstream {
		var err error
		results, err = p.upstream(ctx, id, plans)
		if err != nil {
			return nil, err
		}
	}
	out := make([]response, len(reqs))
	next := 0
	for i, rq := range reqs {
		resp := response{ID: rq.ID}
		if resp.ID == nil {
			resp.ID = json.RawMessage("null")
		}
		if rq.JSONRPC == "2.0" {
			resp.JSONRPC = "2.0"
		}
		pl := plans[i]
		if pl.err != nil {
			resp.Error = pl.err
		} else {
			rs := make([]upstreamResult, len(pl.calls))
			for j := range pl.calls {
				rs[j] = results[next]
				next++
			}
			resp.Result, resp.Error = pl.combine(rs)
		}
		if resp.Error == nil && resp.Result == nil {
			resp.Result = json.RawMessage("null")
		}
		out[i] = resp
	}
	return out, nil
}

// nodeChain asks the node which chain it is on (getblockchaininfo's
// "chain": "main", "test", "signet" or "regtest" for Core; "mainnet",
// "testnet3", "signet" or "regtest" for btcd). A JSON-RPC error or an answer
// without a chain comes back as "" (unknown), a failure to reach the node
// as its *nodes.UpstreamError.
func (p *Proxy) nodeChain(ctx context.Context, id string) (string, error) {
	client, err := p.nodes.Client(id)
	if err != nil {
		return "", err
	}
	var raw json.RawMessage
	err = resendOnStaleConn(ctx, func(ctx context.Context) error {
		raw, err = client.Call(ctx, "getblockchaininfo")
		return err
	})
	var rerr *nodes.RPCError
	if errors.As(err, &rerr) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var bci struct {
		Chain string `json:"chain"`
	}
	if json.Unmarshal(raw, &bci) != nil {
		return "", nil
	}
	return bci.Chain, nil
}

// miningRefusal says why a mining method may not run on a node whose entry
// says regtest but which reports chain (see nodeChain), or "" when the node
// really is on regtest: the admin's choice of network alone does not allow
// mining, since a mistyped entry would let anyone mine on a live chain.
func miningRefusal(method, chain string) string {
	if n, err := network.Parse(chain); err == nil && n == network.Regtest {
		return ""
	}
	if chain == "" {
		return fmt.Sprintf("method %q is allowed only on regtest nodes, and this node did not say which chain it is on (getblockchaininfo): test the node in the node settings", method)
	}
	return fmt.Sprintf("method %q is allowed only on regtest nodes: this node's entry says regtest, but the node reports chain %q; fix the node's network in the node settings", method, chain)
}

// upstream sends the calls of the plans as one JSON-RPC batch with ids 0..n-1
// and returns the results by id.
func (p *Proxy) upstream(ctx context.Context, id string, plans []plan) (map[int]upstreamResult, error) {
	type wire struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      int             `json:"id"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params"`
	}
	var batch []wire
	for _, pl := range plans {
		if pl.err != nil {
			continue
		}
		for _, c := range pl.calls {
			params := json.RawMessage("[]")
			if c.Params != nil {
				params, _ = json.Marshal(c.Params)
			}
			batch = append(batch, wire{JSONRPC: "1.0", ID: len(batch), Method: c.Method, Params: params})
		}
	}
	client, err := p.nodes.Client(id)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(batch)
	if err != nil {
		return nil, fmt.Errorf("encoding the upstream batch: %w", err)
	}
	var status int
	var raw []byte
	err = resendOnStaleConn(ctx, func(ctx context.Context) error {
		status, raw, err = client.Post(ctx, body)
		return err
	})
	if err != nil {
		return nil, err
	}
	var answers []struct {
		Result json.RawMessage `json:"result"`
		Error  *nodes.RPCError `json:"error"`
		ID     *int            `json:"id"`
	}
	if err := json.Unmarshal(raw, &answers); err != nil {
		return nil, &nodes.UpstreamError{Kind: nodes.BadResponse, Node: client.Node().Name, URL: client.Node().URL, Status: status, Err: fmt.Errorf("the batch answer is not a JSON-RPC array: %v", err)}
	}
	results := make(map[int]upstreamResult, len(batch))
	for _, a := range answers {
		if a.ID == nil || *a.ID < 0 || *a.ID >= len(batch) {
			continue
		}
		results[*a.ID] = upstreamResult{Result: a.Result, Error: a.Error}
	}
	for i := range batch {
		if _, ok := results[i]; !ok {
			results[i] = upstreamResult{Error: &nodes.RPCError{Code: rpcMiscError, Message: "the node sent no answer to this request"}}
		}
	}
	return results, nil
}
