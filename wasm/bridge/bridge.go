// Package bridge is the typed message API between the PWA's user interface and
// the Go engine running in a Web Worker.
//
// A request is one JSON object {"id": ..., "method": "...", "params": {...}};
// its response is {"id": ..., "result": ...} or
// {"id": ..., "error": {"message": "...", "hint": "...", "code": "..."}}.
// The id is echoed unchanged (the client matches responses to requests by it).
// Methods are registered in a Registry with a Go function taking typed
// params, decoded with encoding/json (unknown fields refused so a typo in the
// UI shows up at once), and returning a JSON-encodable result.
//
// The package is plain Go: dispatch is tested natively, and js.go (GOOS=js)
// connects a Registry to JavaScript.
package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Error codes carried in a response's error.code, so the UI can react to a
// kind of failure without parsing messages.
const (
	// CodeBadRequest: the request itself is not valid JSON or lacks a method.
	CodeBadRequest = "bad_request"
	// CodeUnknownMethod: no method of that name is registered.
	CodeUnknownMethod = "unknown_method"
	// CodeBadParams: the params do not decode into the method's parameters.
	CodeBadParams = "bad_params"
	// CodeFailed: the method ran and refused or failed (the usual user error).
	CodeFailed = "failed"
	// CodeInternal: the method panicked; a bug to report.
	CodeInternal = "internal"
	// CodeUnavailable: the method needs something the engine could not open
	// (such as the IndexedDB database).
	CodeUnavailable = "unavailable"
	// CodeCancelled: the client cancelled the request (engine.cancel) before
	// it finished; writes of a cancelled request are rolled back.
	CodeCancelled = "cancelled"
)

// Request is one call from the UI: {id, method, params}.
type Request struct {
	// ID is any JSON value chosen by the client; it is echoed in the response.
	ID json.RawMessage `json:"id"`
	// Method names a registered method, e.g. "descriptor.normalize".
	Method string `json:"method"`
	// Params is the method's parameter object (null or absent for none).
	Params json.RawMessage `json:"params,omitempty"`
}

// Response answers one Request: exactly one of Result and Error is set.
type Response struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// Error is the error object of a response: a message for the user, a hint
// telling them what to do, and a machine-readable code (Code* constants).
type Error struct {
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	Code    string `json:"code,omitempty"`
}

// Error implements error.
func (e *Error) Error() string {
	if e.Hint == "" {
		return e.Message
	}
	return e.Message + " (" + e.Hint + ")"
}

// Hinter is implemented by errors that carry advice for the user; the
// response's error.hint is taken from the first error in the chain that
// implements it.
type Hinter interface {
	Hint() string
}

// Coder is implemented by errors that choose their own response code.
type Coder interface {
	Code() string
}

type hinted struct {
	err  error
	hint string
	code string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }
func (h *hinted) Hint() string  { return h.hint }
func (h *hinted) Code() string {
	if h.code == "" {
		return CodeFailed
	}
	return h.code
}

// WithHint attaches advice for the user to err (shown as error.hint).
func WithHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: hint}
}

// WithCode attaches a response code (Code* constants) and a hint to err.
func WithCode(err error, code, hint string) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: hint, code: code}
}

type method struct {
	doc    string
	handle func(ctx context.Context, params json.RawMessage) (any, error)
}

// Registry maps method names to handlers. Register every method before
// serving; after that a Registry is safe for concurrent use.
type Registry struct {
	methods map[string]method

	mu       sync.Mutex
	inflight map[string]*running // by compact JSON id
	emit     func(event []byte)
}

// Event is a notification the engine sends without a request, such as the
// progress of a sync: {"event": "sync.progress", "data": {...}}.
type Event struct {
	Event string `json:"event"`
	Data  any    `json:"data"`
}

// OnEvent sets where Emit sends events (the worker's postMessage, through
// Serve). Without it events are dropped.
func (r *Registry) OnEvent(fn func(event []byte)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.emit = fn
}

// Emit sends an event to the page, if anyone listens. It never blocks on
// the page.
func (r *Registry) Emit(name string, data any) {
	r.mu.Lock()
	fn := r.emit
	r.mu.Unlock()
	if fn == nil {
		return
	}
	b, err := json.Marshal(Event{Event: name, Data: data})
	if err != nil {
		return
	}
	fn(b)
}

// running is one request in progress.
type running struct{ cancel context.CancelFunc }

// CancelParams names the request to cancel by its id.
type CancelParams struct {
	ID json.RawMessage `json:"id"`
}

// Cancelled tells whether a request of that id was running.
type Cancelled struct {
	Cancelled bool `json:"cancelled"`
}

// NewRegistry returns a Registry holding the built-in methods
// "engine.methods", which lists every method with its one-line description,
// and "engine.cancel", which cancels the context of a running request (the
// client sends it when it gives up waiting; of two running requests with the
// same id only the later can be cancelled).
func NewRegistry() *Registry {
	r := &Registry{methods: map[string]method{}, inflight: map[string]*running{}}
	Register(r, "engine.methods", "lists the methods of this engine with their descriptions",
		func(ctx context.Context, _ struct{}) ([]MethodInfo, error) { return r.Methods(), nil })
	Register(r, "engine.cancel", "cancels a running request by its id",
		func(ctx context.Context, p CancelParams) (Cancelled, error) {
			key, ok := idKey(p.ID)
			if !ok {
				return Cancelled{}, WithCode(errors.New("no request id to cancel"), CodeBadParams, `give {"id": ...} of the request`)
			}
			r.mu.Lock()
			run, found := r.inflight[key]
			r.mu.Unlock()
			if found {
				run.cancel()
			}
			return Cancelled{Cancelled: found}, nil
		})
	return r
}

// idKey is the canonical form of a request id, "" and false for none.
func idKey(id json.RawMessage) (string, bool) {
	var b bytes.Buffer
	if len(id) == 0 || json.Compact(&b, id) != nil || b.String() == "null" {
		return "", false
	}
	return b.String(), true
}

// track makes ctx cancellable by engine.cancel under the request's id.
func (r *Registry) track(ctx context.Context, id json.RawMessage) (context.Context, func()) {
	key, ok := idKey(id)
	if !ok {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	run := &running{cancel: cancel}
	r.mu.Lock()
	r.inflight[key] = run
	r.mu.Unlock()
	return ctx, func() {
		r.mu.Lock()
		// A later request may have reused the id: remove only our own.
		if r.inflight[key] == run {
			delete(r.inflight, key)
		}
		r.mu.Unlock()
		cancel()
	}
}

// MethodInfo describes one registered method.
type MethodInfo struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// Methods lists the registered methods sorted by name.
func (r *Registry) Methods() []MethodInfo {
	out := make([]MethodInfo, 0, len(r.methods))
	for name, m := range r.methods {
		out = append(out, MethodInfo{Name: name, Doc: m.doc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Register adds a method: its params are decoded from JSON into P (unknown
// fields are refused; absent or null params leave P at its zero value) and
// fn's result is encoded as the response's result. Registering a name twice
// panics: it is a programming error found at start-up, never caused by input.
func Register[P, R any](r *Registry, name, doc string, fn func(ctx context.Context, params P) (R, error)) {
	if _, dup := r.methods[name]; dup {
		panic("bridge: method " + name + " registered twice")
	}
	r.methods[name] = method{doc: doc, handle: func(ctx context.Context, raw json.RawMessage) (any, error) {
		var p P
		if len(bytes.TrimSpace(raw)) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, WithCode(fmt.Errorf("%s: the parameters are not valid: %w", name, err), CodeBadParams,
					"this is a bug in the page that called the engine: check the parameter names and types of "+name)
			}
			if dec.More() {
				return nil, WithCode(fmt.Errorf("%s: the parameters hold more than one JSON value", name), CodeBadParams,
					"send one JSON object as params")
			}
		}
		return fn(ctx, p)
	}}
}

// Handle decodes one request, runs its method and returns the encoded
// response. It never fails: every problem becomes an error response, and a
// panicking method becomes a CodeInternal error instead of killing the engine.
func (r *Registry) Handle(ctx context.Context, raw []byte) []byte {
	var req Request
	if err := json.Unmarshal(raw, &req); err != nil {
		return encode(Response{ID: json.RawMessage("null"), Error: &Error{
			Message: "the request is not a valid JSON object: " + err.Error(),
			Hint:    "send {\"id\": ..., \"method\": \"...\", \"params\": {...}}",
			Code:    CodeBadRequest,
		}})
	}
	if len(req.ID) == 0 {
		req.ID = json.RawMessage("null")
	}
	resp := Response{ID: req.ID}
	if req.Method != "engine.cancel" {
		var done func()
		ctx, done = r.track(ctx, req.ID)
		defer done()
	}
	result, err := r.call(ctx, req)
	if err != nil && errors.Is(err, context.Canceled) && ctx.Err() != nil {
		err = WithCode(fmt.Errorf("%s was cancelled: %w", req.Method, err), CodeCancelled, "")
	}
	if err == nil {
		b, merr := json.Marshal(result)
		if merr != nil {
			err = WithCode(fmt.Errorf("%s: the result could not be encoded: %w", req.Method, merr), CodeInternal,
				"this is a bug in the engine: please report it")
		} else {
			resp.Result = b
		}
	}
	if err != nil {
		resp.Error = toError(err)
	}
	return encode(resp)
}

func (r *Registry) call(ctx context.Context, req Request) (result any, err error) {
	if strings.TrimSpace(req.Method) == "" {
		return nil, WithCode(errors.New("the request names no method"), CodeBadRequest,
			"set \"method\", e.g. \"engine.methods\" to list them")
	}
	m, ok := r.methods[req.Method]
	if !ok {
		return nil, WithCode(fmt.Errorf("unknown method %q", req.Method), CodeUnknownMethod,
			"call \"engine.methods\" for the list of methods; the page and the engine may be of different versions: reload the page")
	}
	defer func() {
		if p := recover(); p != nil {
			result = nil
			err = WithCode(fmt.Errorf("%s failed unexpectedly: %v", req.Method, p), CodeInternal,
				"this is a bug in the engine: please report it with what you were doing")
		}
	}()
	return m.handle(ctx, req.Params)
}

func toError(err error) *Error {
	e := &Error{Message: err.Error(), Code: CodeFailed}
	var h Hinter
	if errors.As(err, &h) {
		e.Hint = h.Hint()
	}
	var c Coder
	if errors.As(err, &c) {
		e.Code = c.Code()
	}
	return e
}

func encode(resp Response) []byte {
	b, err := json.Marshal(resp)
	if err != nil {
		// Only the ID could be at fault (it came from a valid request, so
		// it is valid JSON); answer without it.
		b, _ = json.Marshal(Response{ID: json.RawMessage("null"), Error: &Error{
			Message: "the response could not be encoded: " + err.Error(), Code: CodeInternal}})
	}
	return b
}

// EngineInfo is the result of engine.info, also handed to the worker when
// the engine is ready.
type EngineInfo struct {
	// Storage is "indexeddb" when the database is open, "unavailable"
	// when it could not be opened (the stateless methods still work).
	Storage       string `json:"storage"`
	StorageError  string `json:"storage_error,omitempty"`
	SchemaVersion int    `json:"schema_version"`
}
