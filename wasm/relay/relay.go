// Package relay is the engine's transport to the user's node: JSON-RPC
// batches (Bitcoin Core's dialect) sent through the relay's proxy,
// POST {relay}/api/nodes/{id}/rpc, which holds the node's credentials. For
// the relay that served the page the session cookie goes along (same
// origin) and the CSRF token travels in the X-CSRF-Token header (the page
// reads it from its cookie; a worker cannot). For another relay, which
// trusts the page's origin (its --allow-origin), the session is a bearer
// token (WithToken: Authorization: Bearer, RFC 6750) and no cookie or CSRF
// token is sent. In the browser the requests go
// through fetch directly (syscall/js), so the engine does not link net/http
// (several megabytes of WebAssembly); natively they go through net/http.
//
// Caller implements chainsync.Caller, so chainsync.RPCSource syncs wallets
// (BIP158 filters, blocks, mempool) over it.
package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/specterpwa/specter/shared/chainsync"
)

// CSRFHeader is the header the relay checks against its CSRF cookie.
const CSRFHeader = "X-CSRF-Token"

// AuthorizationHeader carries a bearer session token (RFC 6750 section 2.1).
const AuthorizationHeader = "Authorization"

// MaxResponse bounds a batch answer (a batch of 10 blocks of up to 8 MB of
// hex each fits).
const MaxResponse = 200 << 20

// Transport posts one request body and returns the answer's status and
// body. DefaultTransport is fetch in the browser and net/http elsewhere.
type Transport interface {
	Post(ctx context.Context, url string, header map[string]string, body []byte) (status int, answer []byte, err error)
}

// Caller sends JSON-RPC batches to one node through the relay.
type Caller struct {
	endpoint  string
	csrf      string
	token     string
	transport Transport
}

// New returns the Caller for node nodeID of the relay at base (an absolute
// http or https URL, such as the page's origin). t nil means
// DefaultTransport().
func New(base, nodeID, csrf string, t Transport) (*Caller, error) {
	u, err := baseURL(base)
	if err != nil {
		return nil, err
	}
	if nodeID == "" {
		return nil, errors.New("no node is chosen: pick a node of the relay first")
	}
	if t == nil {
		t = DefaultTransport()
	}
	return &Caller{endpoint: u + "/api/nodes/" + url.PathEscape(nodeID) + "/rpc", csrf: csrf, transport: t}, nil
}

// baseURL checks a relay's address (an absolute http or https URL) and
// returns it without a trailing slash.
func baseURL(base string) (string, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(base), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("the relay address %q is not an http(s) URL such as https://relay.example", base)
	}
	return u.String(), nil
}

// setSession adds the session to a request's header: the bearer token a
// relay of another origin answered at login, else the cookie session's
// CSRF token (the browser sends the cookie itself).
func setSession(header map[string]string, csrf, token string) {
	if token = strings.TrimSpace(token); token != "" {
		header[AuthorizationHeader] = "Bearer " + token
	} else if csrf != "" {
		header[CSRFHeader] = csrf
	}
}

// WithToken returns a copy of c that authenticates with the bearer session
// token a relay of another origin answered at login (RFC 6750), instead of
// the cookie and CSRF token; "" returns c unchanged.
func (c *Caller) WithToken(token string) *Caller {
	token = strings.TrimSpace(token)
	if token == "" {
		return c
	}
	cp := *c
	cp.token, cp.csrf = token, ""
	return &cp
}

// Endpoint is the URL the batches are posted to.
func (c *Caller) Endpoint() string { return c.endpoint }

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int    `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

type rpcResponse struct {
	ID     json.RawMessage     `json:"id"`
	Result json.RawMessage     `json:"result"`
	Error  *chainsync.RPCError `json:"error"`
}

// HTTP status codes are written as numbers: net/http is not linked into
// the browser's engine.

// HTTPError is a refusal of the relay itself (not of the node), with the
// relay's message and what the user can do.
type HTTPError struct {
	Status  int
	Kind    string
	Message string
	// Hint is the relay's advice, shown for refusals of the page's origin.
	Hint string
}

// OriginRefused is the kind of the relay's refusal of a page of another
// origin that it does not trust (start it with --allow-origin).
const OriginRefused = "origin_refused"

// FeeServer is the kind of an HTTPError of GET /api/fees: the relay's
// refusal or the fee server's failure, with the relay's hint.
const FeeServer = "fee_server"

// httpError reads a relay's error answer ({"error": "..." or {"message":
// ...}, "kind", "hint"}).
func httpError(status int, data []byte) *HTTPError {
	he := &HTTPError{Status: status}
	var body struct {
		Error any    `json:"error"`
		Kind  string `json:"kind"`
		Hint  string `json:"hint"`
	}
	if json.Unmarshal(data, &body) == nil {
		he.Kind, he.Hint = body.Kind, body.Hint
		switch e := body.Error.(type) {
		case string:
			he.Message = e
		case map[string]any:
			if m, ok := e["message"].(string); ok {
				he.Message = m
			}
		}
	}
	return he
}

// Error says what the relay answered and what to do.
func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("the relay answered %d", e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	switch {
	case e.Status == 401:
		msg += " (log in to the relay again)"
	case e.Kind == FeeServer:
		// Not about a node: the relay's hint, or what a 403 means here.
		if e.Hint != "" {
			msg += " (" + e.Hint + ")"
		} else if e.Status == 403 {
			msg += " (reload the page to renew the session)"
		}
	case e.Status == 403 && e.Kind == OriginRefused && e.Hint != "":
		msg += " (" + e.Hint + ")"
	case e.Status == 403:
		msg += " (reload the page to renew the session's CSRF token, or ask the relay's admin for access to this node)"
	case e.Status == 404:
		msg += " (the node was removed from the relay: choose another one)"
	case e.Status == 502 || e.Status == 504:
		msg += " (the relay cannot reach the node: check that it is running)"
	case e.Status == 503:
		msg += " (the node is busy: try again in a moment)"
	}
	return msg
}

// CallBatch implements chainsync.Caller: one POST with the whole batch,
// answers returned in request order.
func (c *Caller) CallBatch(ctx context.Context, reqs []chainsync.Request) ([]chainsync.Response, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	batch := make([]rpcRequest, len(reqs))
	for i, r := range reqs {
		params := r.Params
		if params == nil {
			params = []any{}
		}
		batch[i] = rpcRequest{JSONRPC: "1.0", ID: i, Method: r.Method, Params: params}
	}
	body, err := json.Marshal(batch)
	if err != nil {
		return nil, fmt.Errorf("encoding the batch: %w", err)
	}
	header := map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
	setSession(header, c.csrf, c.token)
	status, data, err := c.transport.Post(ctx, c.endpoint, header, body)
	if err != nil {
		return nil, fmt.Errorf("the relay cannot be reached (check the network and that the relay runs): %w", err)
	}
	if len(data) > MaxResponse {
		return nil, fmt.Errorf("the relay's answer is larger than %d bytes", MaxResponse)
	}
	if status != 200 {
		return nil, httpError(status, data)
	}
	var answers []rpcResponse
	if err := json.Unmarshal(data, &answers); err != nil {
		return nil, fmt.Errorf("the relay's answer is not a JSON-RPC batch answer: %.80q", data)
	}
	out := make([]chainsync.Response, len(reqs))
	seen := make([]bool, len(reqs))
	for _, a := range answers {
		var id int
		if err := json.Unmarshal(a.ID, &id); err != nil || id < 0 || id >= len(reqs) || seen[id] {
			return nil, fmt.Errorf("the relay's answer has an unexpected id %s", a.ID)
		}
		seen[id] = true
		out[id] = chainsync.Response{Result: a.Result, Error: a.Error}
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("the relay's answer lacks the answer to %s (request %d of %d)", reqs[i].Method, i+1, len(reqs))
		}
	}
	return out, nil
}
