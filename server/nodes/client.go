package nodes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
)

// Flavour is the node software behind an RPC URL, which decides the JSON-RPC
// dialect: Bitcoin Core (and forks that keep its RPC, such as Knots) or btcd.
type Flavour string

// The node flavours the relay speaks to.
const (
	Core Flavour = "core"
	Btcd Flavour = "btcd"
)

// ErrorKind classifies why a call to a node failed, so the API can say what
// to check.
type ErrorKind string

// The kinds of upstream failure.
const (
	Unreachable  ErrorKind = "unreachable"  // no TCP/HTTP answer
	Unauthorized ErrorKind = "unauthorized" // HTTP 401: wrong user/password or cookie
	Forbidden    ErrorKind = "forbidden"    // HTTP 403: Core's rpcallowip refuses the relay
	Timeout      ErrorKind = "timeout"      // the node did not answer in time
	BadResponse  ErrorKind = "bad_response" // an answer that is not JSON-RPC
	BadConfig    ErrorKind = "bad_config"   // the relay's own node entry is unusable (cookie unreadable...)
)

// UpstreamError is a failure to get a JSON-RPC answer from a node. Its message
// says what to check.
type UpstreamError struct {
	Kind   ErrorKind
	Node   string // node name
	URL    string
	Status int // HTTP status when there was one
	Err    error
}

// Error says what failed and what to check.
func (e *UpstreamError) Error() string {
	switch e.Kind {
	case Unreachable:
		return fmt.Sprintf("node %q at %s is unreachable (%v): check that it is running, that the URL and port are right, and that it accepts RPC from this host (Core: rpcbind/rpcallowip; btcd: rpclisten)", e.Node, e.URL, e.Err)
	case Unauthorized:
		return fmt.Sprintf("node %q at %s refused the relay's credentials (HTTP 401): check the RPC user and password (Core: rpcauth/rpcuser/rpcpassword; btcd: rpcuser/rpcpass) or that the cookie file is the current one", e.Node, e.URL)
	case Forbidden:
		return fmt.Sprintf("node %q at %s refused this host (HTTP 403): add the relay's address to rpcallowip in bitcoin.conf", e.Node, e.URL)
	case Timeout:
		return fmt.Sprintf("node %q at %s did not answer in time (%v): it may be busy (still syncing, reindexing) or overloaded", e.Node, e.URL, e.Err)
	case BadConfig:
		return fmt.Sprintf("node %q: %v", e.Node, e.Err)
	default:
		return fmt.Sprintf("node %q at %s gave an answer that is not JSON-RPC (HTTP %d, %v): check that the URL is the node's RPC port", e.Node, e.URL, e.Status, e.Err)
	}
}

// Unwrap returns the underlying transport error.
func (e *UpstreamError) Unwrap() error { return e.Err }

// RPCError is a JSON-RPC error object returned by a node.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *RPCError) Error() string { return fmt.Sprintf("RPC error %d: %s", e.Code, e.Message) }

// MethodNotFound is the JSON-RPC "method not found" code Core and btcd use.
const MethodNotFound = -32601

// Client talks JSON-RPC to one node with the credentials the relay holds.
type Client struct {
	node   Node
	http   *http.Client
	nextID atomic.Int64
}

// credentials returns the user and password for a request: the stored pair or
// the cookie file's current content (it changes at every restart of Core).
func (c *Client) credentials() (string, string, error) {
	if c.node.CookieFile == "" {
		return c.node.User, c.node.Password, nil
	}
	return ReadCookie(c.node.CookieFile)
}

// ReadCookie reads a Bitcoin Core .cookie file ("__cookie__:password").
func ReadCookie(path string) (user, pass string, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("reading the cookie file %s (is the node running, and may the relay's user read its data dir?): %w", path, err)
	}
	user, pass, ok := strings.Cut(strings.TrimSpace(string(raw)), ":")
	if !ok || user == "" || pass == "" {
		return "", "", fmt.Errorf("the cookie file %s is not of the form user:password", path)
	}
	return user, pass, nil
}

// Post sends a raw JSON-RPC body (one request or a batch) and returns the raw
// answer. Transport failures and HTTP 401/403 come back as *UpstreamError;
// any other HTTP status is returned with its body, since Core answers JSON-RPC
// errors with 404 and 500.
func (c *Client) Post(ctx context.Context, body []byte) (int, []byte, error) {
	user, pass, err := c.credentials()
	if err != nil {
		return 0, nil, &UpstreamError{Kind: BadConfig, Node: c.node.Name, URL: c.node.URL, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.node.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, &UpstreamError{Kind: BadConfig, Node: c.node.Name, URL: c.node.URL, Err: err}
	}
	req.SetBasicAuth(user, pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		kind := Unreachable
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			kind = Timeout
		}
		return 0, nil, &UpstreamError{Kind: kind, Node: c.node.Name, URL: c.node.URL, Err: stripURL(err)}
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return resp.StatusCode, nil, &UpstreamError{Kind: Unauthorized, Node: c.node.Name, URL: c.node.URL, Status: resp.StatusCode}
	case http.StatusForbidden:
		return resp.StatusCode, nil, &UpstreamError{Kind: Forbidden, Node: c.node.Name, URL: c.node.URL, Status: resp.StatusCode}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxUpstreamBody))
	if err != nil {
		return resp.StatusCode, nil, &UpstreamError{Kind: Unreachable, Node: c.node.Name, URL: c.node.URL, Status: resp.StatusCode, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	return resp.StatusCode, raw, nil
}

// maxUpstreamBody bounds what the relay reads from a node: a verbose block of
// 4 MWU is about 10 MB of JSON; 64 MiB leaves room for batches.
const maxUpstreamBody = 64 << 20

// stripURL drops the request URL from *url.Error so that no credential that
// a user put in the URL leaks into a message.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Response is one JSON-RPC response.
type Response struct {
	Result json.RawMessage `json:"result"`
	Error  *RPCError       `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// Call calls one method with positional parameters and returns its raw result.
// A JSON-RPC error from the node comes back as *RPCError.
func (c *Client) Call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "1.0", "id": c.nextID.Add(1), "method": method, "params": params})
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", method, err)
	}
	status, raw, err := c.Post(ctx, body)
	if err != nil {
		return nil, err
	}
	var r Response
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, &UpstreamError{Kind: BadResponse, Node: c.node.Name, URL: c.node.URL, Status: status, Err: fmt.Errorf("%s: %w", method, err)}
	}
	if r.Error != nil {
		return nil, r.Error
	}
	if r.Result == nil && status != http.StatusOK {
		return nil, &UpstreamError{Kind: BadResponse, Node: c.node.Name, URL: c.node.URL, Status: status, Err: fmt.Errorf("%s: no result", method)}
	}
	return r.Result, nil
}

// Node returns the node the client talks to (with its credentials: for
// in-process use only).
func (c *Client) Node() Node { return c.node }
