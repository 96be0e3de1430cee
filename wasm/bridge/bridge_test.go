package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// call sends one request through Handle and decodes the response.
func call(t *testing.T, r *Registry, method string, params any) (json.RawMessage, *Error) {
	t.Helper()
	p, err := json.Marshal(params)
	require.NoError(t, err)
	req, err := json.Marshal(Request{ID: json.RawMessage("7"), Method: method, Params: p})
	require.NoError(t, err)
	var resp Response
	require.NoError(t, json.Unmarshal(r.Handle(context.Background(), req), &resp))
	require.Equal(t, "7", string(resp.ID))
	require.True(t, (resp.Error == nil) != (resp.Result == nil), "exactly one of result and error")
	return resp.Result, resp.Error
}

type echoParams struct {
	Text  string `json:"text"`
	Times int    `json:"times"`
}

func testRegistry() *Registry {
	r := NewRegistry()
	Register(r, "test.echo", "repeats text", func(ctx context.Context, p echoParams) (map[string]any, error) {
		out := ""
		for range p.Times {
			out += p.Text
		}
		return map[string]any{"text": out}, nil
	})
	Register(r, "test.fail", "fails with a hint", func(ctx context.Context, _ struct{}) (any, error) {
		return nil, WithHint(errors.New("the wallet is locked"), "unlock it first")
	})
	Register(r, "test.plainError", "fails without a hint", func(ctx context.Context, _ struct{}) (any, error) {
		return nil, errors.New("plain")
	})
	Register(r, "test.panic", "panics", func(ctx context.Context, _ struct{}) (any, error) {
		var m map[string]int
		m["x"] = 1
		return nil, nil
	})
	Register(r, "test.unencodable", "returns a value JSON cannot encode", func(ctx context.Context, _ struct{}) (any, error) {
		return func() {}, nil
	})
	return r
}

func TestHandleRawRequestsAndTheirExactResponses(t *testing.T) {
	r := testRegistry()
	for name, tc := range map[string]struct{ req, resp string }{
		"result with a numeric id":   {`{"id":1,"method":"test.echo","params":{"text":"ab","times":2}}`, `{"id":1,"result":{"text":"abab"}}`},
		"string id echoed unchanged": {`{"id":"req-9","method":"test.echo","params":{"text":"x","times":1}}`, `{"id":"req-9","result":{"text":"x"}}`},
		"absent params":              {`{"id":2,"method":"test.echo"}`, `{"id":2,"result":{"text":""}}`},
		"null params":                {`{"id":3,"method":"test.echo","params":null}`, `{"id":3,"result":{"text":""}}`},
		"absent id becomes null":     {`{"method":"test.echo"}`, `{"id":null,"result":{"text":""}}`},
		"error with hint":            {`{"id":4,"method":"test.fail"}`, `{"id":4,"error":{"message":"the wallet is locked","hint":"unlock it first","code":"failed"}}`},
		"error without hint":         {`{"id":5,"method":"test.plainError","params":{}}`, `{"id":5,"error":{"message":"plain","code":"failed"}}`},
		"unknown method": {`{"id":6,"method":"nope.nothing"}`,
			`{"id":6,"error":{"message":"unknown method \"nope.nothing\"","hint":"call \"engine.methods\" for the list of methods; the page and the engine may be of different versions: reload the page","code":"unknown_method"}}`},
		"no method": {`{"id":7}`, `{"id":7,"error":{"message":"the request names no method","hint":"set \"method\", e.g. \"engine.methods\" to list them","code":"bad_request"}}`},
		"unknown param field": {`{"id":8,"method":"test.echo","params":{"txt":"a"}}`,
			`{"id":8,"error":{"message":"test.echo: the parameters are not valid: json: unknown field \"txt\"","hint":"this is a bug in the page that called the engine: check the parameter names and types of test.echo","code":"bad_params"}}`},
		"wrong param type": {`{"id":9,"method":"test.echo","params":{"times":"2"}}`,
			`{"id":9,"error":{"message":"test.echo: the parameters are not valid: json: cannot unmarshal string into Go struct field echoParams.times of type int","hint":"this is a bug in the page that called the engine: check the parameter names and types of test.echo","code":"bad_params"}}`},
		"panic becomes an internal error": {`{"id":10,"method":"test.panic"}`,
			`{"id":10,"error":{"message":"test.panic failed unexpectedly: assignment to entry in nil map","hint":"this is a bug in the engine: please report it with what you were doing","code":"internal"}}`},
		"unencodable result": {`{"id":11,"method":"test.unencodable"}`,
			`{"id":11,"error":{"message":"test.unencodable: the result could not be encoded: json: unsupported type: func()","hint":"this is a bug in the engine: please report it","code":"internal"}}`},
		"not JSON": {`{"id":`,
			`{"id":null,"error":{"message":"the request is not a valid JSON object: unexpected end of JSON input","hint":"send {\"id\": ..., \"method\": \"...\", \"params\": {...}}","code":"bad_request"}}`},
		"JSON but not an object": {`[1,2]`,
			`{"id":null,"error":{"message":"the request is not a valid JSON object: json: cannot unmarshal array into Go value of type bridge.Request","hint":"send {\"id\": ..., \"method\": \"...\", \"params\": {...}}","code":"bad_request"}}`},
	} {
		t.Run(name, func(t *testing.T) {
			require.JSONEq(t, tc.resp, string(r.Handle(context.Background(), []byte(tc.req))))
		})
	}
}

func TestEngineMethodsListsEveryMethodSorted(t *testing.T) {
	r := testRegistry()
	res, e := call(t, r, "engine.methods", nil)
	require.Nil(t, e)
	var got []MethodInfo
	require.NoError(t, json.Unmarshal(res, &got))
	require.Equal(t, []MethodInfo{
		{Name: "engine.cancel", Doc: "cancels a running request by its id"},
		{Name: "engine.methods", Doc: "lists the methods of this engine with their descriptions"},
		{Name: "test.echo", Doc: "repeats text"},
		{Name: "test.fail", Doc: "fails with a hint"},
		{Name: "test.panic", Doc: "panics"},
		{Name: "test.plainError", Doc: "fails without a hint"},
		{Name: "test.unencodable", Doc: "returns a value JSON cannot encode"},
	}, got)
}

func TestRegisteringANameTwicePanicsAtStartUp(t *testing.T) {
	r := NewRegistry()
	require.PanicsWithValue(t, "bridge: method engine.methods registered twice", func() {
		Register(r, "engine.methods", "", func(ctx context.Context, _ struct{}) (int, error) { return 0, nil })
	})
}

func TestErrorsKeepTheirChainAndCodes(t *testing.T) {
	base := errors.New("base")
	err := WithCode(base, CodeUnavailable, "open the app in a normal window")
	require.ErrorIs(t, err, base)
	require.Equal(t, &Error{Message: "base", Hint: "open the app in a normal window", Code: CodeUnavailable}, toError(err))
	require.Equal(t, &Error{Message: "wrapped: base", Hint: "h", Code: CodeFailed}, toError(fmt.Errorf("wrapped: %w", WithHint(base, "h"))))
	require.Nil(t, WithHint(nil, "x"))
	require.Nil(t, WithCode(nil, CodeFailed, "x"))
	require.Equal(t, "m (h)", (&Error{Message: "m", Hint: "h"}).Error())
	require.Equal(t, "m", (&Error{Message: "m"}).Error())
}

func TestEngineCancelStopsARunningRequest(t *testing.T) {
	r := NewRegistry()
	started := make(chan struct{})
	Register(r, "test.wait", "waits until cancelled", func(ctx context.Context, _ struct{}) (string, error) {
		close(started)
		<-ctx.Done()
		return "", fmt.Errorf("waiting: %w", ctx.Err())
	})
	done := make(chan string, 1)
	go func() { done <- string(r.Handle(context.Background(), []byte(`{"id":"w1","method":"test.wait"}`))) }()
	<-started
	require.JSONEq(t, `{"id":"c","result":{"cancelled":true}}`,
		string(r.Handle(context.Background(), []byte(`{"id":"c","method":"engine.cancel","params":{"id":"w1"}}`))))
	require.JSONEq(t, `{"id":"w1","error":{"message":"test.wait was cancelled: waiting: context canceled","code":"cancelled"}}`, <-done)

	// Finished or unknown requests: nothing to cancel.
	require.JSONEq(t, `{"id":"c2","result":{"cancelled":false}}`,
		string(r.Handle(context.Background(), []byte(`{"id":"c2","method":"engine.cancel","params":{"id":"w1"}}`))))
	require.JSONEq(t, `{"id":"c3","error":{"message":"no request id to cancel","hint":"give {\"id\": ...} of the request","code":"bad_params"}}`,
		string(r.Handle(context.Background(), []byte(`{"id":"c3","method":"engine.cancel","params":{}}`))))
	require.Empty(t, r.inflight)
}

func TestEmitSendsEventsOnlyToAListener(t *testing.T) {
	r := NewRegistry()
	r.Emit("sync.progress", map[string]int{"height": 1}) // nobody listens: dropped
	var got []string
	r.OnEvent(func(b []byte) { got = append(got, string(b)) })
	r.Emit("sync.progress", map[string]int{"height": 2})
	r.Emit("bad", func() {}) // cannot be encoded: dropped
	require.Equal(t, []string{`{"event":"sync.progress","data":{"height":2}}`}, got)
}
