//go:build js && wasm

package bridge

import (
	"context"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// callFromJS makes the call the way the Web Worker does: plain JavaScript
// calling the global with JSON text and a reply function, awaited as a
// promise. It returns the response text.
func callFromJS(t *testing.T, global, request string) string {
	t.Helper()
	fn := js.Global().Get("Function").New("g", "req", "return new Promise(resolve => globalThis[g](req, resolve));")
	ch := make(chan string, 1)
	then := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- a[0].String(); return nil })
	defer then.Release()
	fn.Invoke(global, request).Call("then", then)
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no reply from the engine")
		return ""
	}
}

func TestServeAnswersJavaScriptCallsInChromium(t *testing.T) {
	r := engine()
	stop := Serve(context.Background(), r, "testSpecterEngine")
	require.Equal(t, js.TypeFunction, js.Global().Get("testSpecterEngine").Type())

	resp := callFromJS(t, "testSpecterEngine", `{"id":1,"method":"descriptor.normalize","params":{"descriptor":"raw(deadbeef)"}}`)
	require.JSONEq(t, `{"id":1,"result":{"descriptor":"raw(deadbeef)#89f8spxm","checksum":"89f8spxm","script_type":"raw","is_range":false,"branches":1,"m":0,"n":0,"has_private_keys":false,"keys":[]}}`, resp)

	resp = callFromJS(t, "testSpecterEngine", `{"id":"x","method":"nope"}`)
	require.JSONEq(t, `{"id":"x","error":{"message":"unknown method \"nope\"","hint":"call \"engine.methods\" for the list of methods; the page and the engine may be of different versions: reload the page","code":"unknown_method"}}`, resp)

	// A request that is not text gets an error reply, not an exception.
	fn := js.Global().Get("Function").New("return new Promise(resolve => globalThis.testSpecterEngine({id: 1}, resolve));")
	ch := make(chan string, 1)
	then := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- a[0].String(); return nil })
	defer then.Release()
	fn.Invoke().Call("then", then)
	require.JSONEq(t, `{"id":null,"error":{"message":"the request must be JSON text","hint":"pass JSON.stringify({id, method, params})","code":"bad_request"}}`, <-ch)

	stop()
	require.True(t, js.Global().Get("testSpecterEngine").IsUndefined())
}

func TestManyConcurrentCallsAllGetTheirOwnReply(t *testing.T) {
	r := engine()
	stop := Serve(context.Background(), r, "testSpecterEngine2")
	defer stop()
	// 50 calls issued from JavaScript at once; each reply carries its id.
	fn := js.Global().Get("Function").New(`
		const calls = [];
		for (let i = 0; i < 50; i++) {
			calls.push(new Promise(resolve => globalThis.testSpecterEngine2(
				JSON.stringify({id: i, method: "keys.completeWord", params: {prefix: i % 2 ? "zo" : "zer"}}), resolve)));
		}
		return Promise.all(calls).then(rs => rs.map(r => JSON.parse(r)).every((r, i) =>
			r.id === i && r.result.words.join() === (i % 2 ? "zone,zoo" : "zero")));`)
	ch := make(chan bool, 1)
	then := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- a[0].Bool(); return nil })
	defer then.Release()
	fn.Invoke().Call("then", then)
	select {
	case good := <-ch:
		require.True(t, good)
	case <-time.After(20 * time.Second):
		t.Fatal("the calls did not all come back")
	}
}
