//go:build js && wasm

package relay

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// FetchTransport posts (and gets) with the browser's fetch (same-origin credentials,
// so the relay's session cookie goes along). Post must be called from a
// goroutine, never inside a js.Func callback: it waits for fetch's promises.
type FetchTransport struct{}

// DefaultTransport is fetch in the browser.
func DefaultTransport() Transport { return FetchTransport{} }

// Post implements Transport. A cancelled ctx aborts the fetch.
func (f FetchTransport) Post(ctx context.Context, url string, header map[string]string, body []byte) (int, []byte, error) {
	return f.do(ctx, "POST", url, header, body)
}

// Get implements Getter. A cancelled ctx aborts the fetch.
func (f FetchTransport) Get(ctx context.Context, url string, header map[string]string) (int, []byte, error) {
	return f.do(ctx, "GET", url, header, nil)
}

func (FetchTransport) do(ctx context.Context, method, url string, header map[string]string, body []byte) (int, []byte, error) {
	fetch := js.Global().Get("fetch")
	if fetch.Type() != js.TypeFunction {
		return 0, nil, errors.New("this browser has no fetch")
	}
	abort := js.Global().Get("AbortController").New()
	headers := map[string]any{}
	for k, v := range header {
		headers[k] = v
	}
	init := map[string]any{
		"method": method, "credentials": "same-origin", "cache": "no-store",
		"headers": headers, "signal": abort.Get("signal"),
	}
	if body != nil {
		data := js.Global().Get("Uint8Array").New(len(body))
		js.CopyBytesToJS(data, body)
		init["body"] = data
	}
	opts := js.ValueOf(init)
	resp, err := await(ctx, abort, func() js.Value { return fetch.Invoke(url, opts) })
	if err != nil {
		return 0, nil, err
	}
	buf, err := await(ctx, abort, func() js.Value { return resp.Call("arrayBuffer") })
	if err != nil {
		return 0, nil, fmt.Errorf("reading the answer: %w", err)
	}
	u8 := js.Global().Get("Uint8Array").New(buf)
	if n := u8.Get("length").Int(); n > MaxResponse {
		return 0, nil, fmt.Errorf("the answer is larger than %d bytes", MaxResponse)
	}
	out := make([]byte, u8.Get("length").Int())
	js.CopyBytesToGo(out, u8)
	return resp.Get("status").Int(), out, nil
}

// await runs start (which returns a promise) and waits for it to settle; a
// cancelled ctx aborts the request and returns ctx's error.
func await(ctx context.Context, abort js.Value, start func() js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{v: args[0]}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "the request failed"
		if len(args) > 0 {
			if m := args[0].Get("message"); m.Type() == js.TypeString {
				msg = m.String()
			}
		}
		ch <- settled{err: errors.New(msg)}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	var p js.Value
	func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- settled{err: fmt.Errorf("%v", r)}
			}
		}()
		p = start()
		p.Call("then", onOK, onErr)
	}()
	select {
	case s := <-ch:
		return s.v, s.err
	case <-ctx.Done():
		abort.Call("abort")
		<-ch // the promise rejects with an AbortError; then the callbacks may go
		return js.Value{}, ctx.Err()
	}
}
