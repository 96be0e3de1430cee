package regtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/specterpwa/specter/server/rpcproxy/btcderr"
)

// Endpoint is the JSON-RPC 1.0 server of a node (Bitcoin Core's dialect as
// btcd implements it) and its credentials: a Node's own (Node.Endpoint) or a
// node started elsewhere, such as the relay's demo btcd.
type Endpoint struct {
	// URL is the node's JSON-RPC endpoint, http://HOST:PORT.
	URL string
	// User and Password are sent with HTTP basic authentication.
	User, Password string
	// Client sends the requests; nil means a client with a 30-second
	// timeout.
	Client *http.Client
}

// Call is one JSON-RPC request of a batch.
type Call struct {
	Method string `json:"method"`
	Params []any  `json:"params"`
}

// Answer is the node's answer to one Call: its Result, or Error when the
// node refused the call.
type Answer struct {
	Result json.RawMessage `json:"result"`
	Error  *RPCError       `json:"error"`
}

// Endpoint returns the node's JSON-RPC endpoint, with the node's client.
func (n *Node) Endpoint() Endpoint {
	return Endpoint{URL: n.URL, User: n.User, Password: n.Password, Client: n.client}
}

// Batch sends calls to the node as one JSON-RPC 1.0 batch (a JSON array of
// requests in one HTTP POST) and returns the answers in request order,
// whatever order the node answered in. A call the node refused has its
// Error set; the error is for a batch that failed as a whole.
func (n *Node) Batch(ctx context.Context, calls []Call) ([]Answer, error) {
	return n.Endpoint().Batch(ctx, calls)
}

// CoreBatch is Batch for calls in Bitcoin Core's dialect; see
// Endpoint.CoreBatch.
func (n *Node) CoreBatch(ctx context.Context, calls []Call) ([]Answer, error) {
	return n.Endpoint().CoreBatch(ctx, calls)
}

func (e Endpoint) client() *http.Client {
	if e.Client != nil {
		return e.Client
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// post sends one JSON-RPC body and returns the HTTP status and the answer's
// body; what names the request in errors.
func (e Endpoint) post(ctx context.Context, what string, v any) (int, []byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return 0, nil, fmt.Errorf("encoding %s: %w", what, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", what, err)
	}
	req.SetBasicAuth(e.User, e.Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client().Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: reading the answer: %w", what, err)
	}
	return resp.StatusCode, raw, nil
}

// request is a JSON-RPC 1.0 request object.
type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int    `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

func newRequest(id int, method string, params []any) request {
	if params == nil {
		params = []any{}
	}
	return request{JSONRPC: "1.0", ID: id, Method: method, Params: params}
}

// RPC calls one JSON-RPC method and returns its raw result; a refusal by the
// node is returned as an *RPCError.
func (e Endpoint) RPC(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	status, raw, err := e.post(ctx, method, newRequest(1, method, params))
	if err != nil {
		return nil, err
	}
	var a Answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%s: HTTP %d, not JSON-RPC: %q", method, status, tail(raw, 200))
	}
	if a.Error != nil {
		return nil, a.Error
	}
	return a.Result, nil
}

// Batch sends calls as one JSON-RPC 1.0 batch (a JSON array of requests in
// one HTTP POST) and returns the answers in request order, whatever order
// the node answered in. A call the node refused has its Answer.Error set;
// the error is for a batch that failed as a whole (no connection, an answer
// that is not a batch of as many answers, wrong credentials). An empty batch
// sends nothing.
func (e Endpoint) Batch(ctx context.Context, calls []Call) ([]Answer, error) {
	if len(calls) == 0 {
		return []Answer{}, nil
	}
	reqs := make([]request, len(calls))
	for i, c := range calls {
		reqs[i] = newRequest(i, c.Method, c.Params)
	}
	first := calls[0].Method
	status, raw, err := e.post(ctx, first, reqs)
	if err != nil {
		return nil, err
	}
	var got []struct {
		ID *int `json:"id"`
		Answer
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		return nil, fmt.Errorf("%s: btcd answered HTTP %d, not a JSON-RPC batch: %.200q", first, status, raw)
	}
	if len(got) != len(calls) {
		return nil, fmt.Errorf("%s: btcd answered %d of %d requests", first, len(got), len(calls))
	}
	answers := make([]Answer, len(calls))
	seen := make([]bool, len(calls))
	for _, g := range got {
		if g.ID == nil || *g.ID < 0 || *g.ID >= len(calls) || seen[*g.ID] {
			return nil, fmt.Errorf("%s: btcd's batch answer has a missing, unexpected or repeated id", first)
		}
		seen[*g.ID] = true
		answers[*g.ID] = g.Answer
	}
	return answers, nil
}

// CoreBatch is Batch for calls in Bitcoin Core's dialect where btcd's
// differs, as the relay's rpcproxy translates them in production:
// getblockfilter HASH ["basic"] (BIP 157/158; btcd has no getblockfilter)
// is sent as getcfilter HASH 0 and getcfilterheader HASH 0 and answered as
// Core answers it, {"filter": HEX, "header": HEX}, or with the first error
// of the two as Core would give it (btcderr.BlockFilterError, the relay's
// own mapping: btcd's -5 "The CF index must be enabled" of a btcd run with
// --nocfilters becomes Core's -1 "Index is not enabled for filtertype
// basic"). Other calls are sent as they are.
func (e Endpoint) CoreBatch(ctx context.Context, calls []Call) ([]Answer, error) {
	var sent []Call
	for _, c := range calls {
		if c.Method != "getblockfilter" {
			sent = append(sent, c)
			continue
		}
		if len(c.Params) == 0 {
			return nil, fmt.Errorf("getblockfilter needs a block hash")
		}
		sent = append(sent, Call{"getcfilter", []any{c.Params[0], 0}}, Call{"getcfilterheader", []any{c.Params[0], 0}})
	}
	got, err := e.Batch(ctx, sent)
	if err != nil {
		return nil, err
	}
	answers := make([]Answer, 0, len(calls))
	for _, c := range calls {
		if c.Method != "getblockfilter" {
			answers, got = append(answers, got[0]), got[1:]
			continue
		}
		f, h := got[0], got[1]
		got = got[2:]
		if f.Error != nil || h.Error != nil {
			e := firstError(f.Error, h.Error)
			code, msg := btcderr.BlockFilterError(e.Code, e.Message)
			answers = append(answers, Answer{Error: &RPCError{Code: code, Message: msg}})
			continue
		}
		var bf struct {
			Filter string `json:"filter"`
			Header string `json:"header"`
		}
		if err := json.Unmarshal(f.Result, &bf.Filter); err != nil {
			return nil, fmt.Errorf("getcfilter: btcd answered %.100q, not a hex string: %w", f.Result, err)
		}
		if err := json.Unmarshal(h.Result, &bf.Header); err != nil {
			return nil, fmt.Errorf("getcfilterheader: btcd answered %.100q, not a hex string: %w", h.Result, err)
		}
		enc, err := json.Marshal(bf)
		if err != nil {
			return nil, fmt.Errorf("encoding the getblockfilter answer: %w", err)
		}
		answers = append(answers, Answer{Result: enc})
	}
	return answers, nil
}

func firstError(a, b *RPCError) *RPCError {
	if a != nil {
		return a
	}
	return b
}
