//go:build js && wasm

package bridge

import (
	"context"
	"syscall/js"
)

// Serve installs r as the JavaScript function globalThis[name](request,
// reply): request is the JSON text of one Request, and reply is called once
// with the JSON text of its Response. Each request runs in its own goroutine,
// so the call returns at once and never blocks the event loop; responses may
// come back in any order (the client matches them by id). The returned
// function removes the global and frees the callback. Events (Emit) are
// passed as JSON text to globalThis[name+"Event"] when it is a function.
func Serve(ctx context.Context, r *Registry, name string) (stop func()) {
	f := js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) < 2 || args[1].Type() != js.TypeFunction {
			js.Global().Get("console").Call("error", "specter engine: "+name+"(request, reply) needs a reply function")
			return nil
		}
		reply := args[1]
		if args[0].Type() != js.TypeString {
			go reply.Invoke(string(encode(Response{ID: []byte("null"), Error: &Error{
				Message: "the request must be JSON text", Hint: "pass JSON.stringify({id, method, params})", Code: CodeBadRequest}})))
			return nil
		}
		req := args[0].String()
		go func() { reply.Invoke(string(r.Handle(ctx, []byte(req)))) }()
		return nil
	})
	js.Global().Set(name, f)
	// Events go to globalThis[name+"Event"](text) when the worker defines it.
	r.OnEvent(func(event []byte) {
		if fn := js.Global().Get(name + "Event"); fn.Type() == js.TypeFunction {
			fn.Invoke(string(event))
		}
	})
	return func() {
		r.OnEvent(nil)
		js.Global().Delete(name)
		f.Release()
	}
}
