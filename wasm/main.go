//go:build js && wasm

// Command wasm is the Specter engine compiled to WebAssembly. It runs inside
// a Web Worker (web/js/engine-worker.js): it opens the IndexedDB database,
// registers the bridge methods and installs globalThis.specterEngine(request,
// reply), then calls globalThis.specterEngineReady(info) so the worker can
// start relaying the page's messages. When the worker sets
// globalThis.specterEngineExclusive to false (another tab's engine holds the
// wallet data), the database is left closed and only the stateless methods
// work.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"syscall/js"
	"time"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/wasm/bridge"
	"github.com/specterpwa/specter/wasm/idb"
)

// openTimeout bounds the wait for IndexedDB (an upgrade blocked by another
// tab waits until that tab closes the database).
const openTimeout = 20 * time.Second

func main() {
	ctx := context.Background()
	r := bridge.NewRegistry()
	bridge.RegisterEngine(r)

	info := bridge.EngineInfo{Storage: "indexeddb", SchemaVersion: idb.Version}
	var db *idb.DB
	var err error
	if lock := js.Global().Get("specterEngineExclusive"); lock.Type() == js.TypeBoolean && !lock.Bool() {
		// The worker could not get the engine's Web Lock.
		err = errors.New("another tab or window of this app has the wallet data open")
	} else {
		openCtx, cancel := context.WithTimeout(ctx, openTimeout)
		db, err = idb.Open(openCtx, idb.Name)
		cancel()
	}
	if err != nil {
		info.Storage = "unavailable"
		info.StorageError = err.Error()
	}
	src := bridge.Unavailable(err)
	if err == nil {
		e, merr := manager.Open(ctx, db, manager.Options{})
		if merr != nil {
			info.Storage = "unavailable"
			info.StorageError = merr.Error()
			src = bridge.Unavailable(merr)
		} else {
			src = bridge.Ready(e)
		}
	}
	bridge.RegisterManager(r, src)
	bridge.RegisterWalletFiles(r, src)
	bridge.Register(r, "engine.info", "tells whether the engine's storage is open, and the schema version",
		func(context.Context, struct{}) (bridge.EngineInfo, error) { return info, nil })

	bridge.Serve(ctx, r, "specterEngine")
	if ready := js.Global().Get("specterEngineReady"); ready.Type() == js.TypeFunction {
		b, _ := json.Marshal(info)
		ready.Invoke(string(b))
	}
	select {} // serve until the worker is terminated
}
