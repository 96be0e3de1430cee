//go:build js && wasm

// Command wasm is the Specter engine compiled to WebAssembly. It runs inside
// a Web Worker (web/js/engine-worker.js): it opens the IndexedDB database,
// registers the bridge methods and installs globalThis.specterEngine(request,
// reply), then calls globalThis.specterEngineReady(info) so the worker can
// start relaying the page's messages. When the worker sets
// globalThis.specterEngineExclusive to false (another tab's engine holds the
// wallet data), the database is left closed and only the stateless methods
// work. Hot device seeds are sealed and opened by the browser's WebCrypto
// AES-GCM (wasm/webcrypto); their scrypt key derivation runs in Go.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/wasm/bridge"
	"github.com/specterpwa/specter/wasm/idb"
	"github.com/specterpwa/specter/wasm/webcrypto"
)

// openTimeout bounds the wait for IndexedDB (an upgrade blocked by another
// tab waits until that tab closes the database).
const openTimeout = 20 * time.Second

// errOtherTab is why a second tab's engine has no storage.
var errOtherTab = errors.New("another tab or window of this app has the wallet data open")

// storage owns the database and the managers over it.
type storage struct {
	mu        sync.Mutex
	exclusive bool
	db        *idb.DB
	holder    *bridge.Holder
	info      bridge.EngineInfo
}

// open opens the database and the managers; a failure leaves the engine
// without storage and says why in info.
func (s *storage) open(ctx context.Context) {
	s.info = bridge.EngineInfo{Storage: "indexeddb", SchemaVersion: idb.Version}
	fail := func(err error) {
		s.info.Storage, s.info.StorageError = "unavailable", err.Error()
		s.holder.Set(nil, err)
	}
	if !s.exclusive {
		fail(errOtherTab)
		return
	}
	openCtx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	db, err := idb.Open(openCtx, idb.Name)
	if err != nil {
		fail(err)
		return
	}
	s.db = db
	// The browser's native AES-GCM seals hot seeds, not Go's portable AES.
	e, err := manager.Open(ctx, db, manager.Options{SeedCipher: webcrypto.New()})
	if err != nil {
		fail(err)
		return
	}
	s.holder.Set(e, nil)
}

// WipeParams confirms a wipe.
type WipeParams struct {
	Confirm bool `json:"confirm"`
}

// wipe deletes the database with every device, wallet, PSBT, label and
// setting, and starts empty. It also recovers an installation whose stored
// data cannot be read.
func (s *storage) wipe(ctx context.Context, p WipeParams) (bridge.EngineInfo, error) {
	if !p.Confirm {
		return bridge.EngineInfo{}, bridge.WithCode(errors.New("the wipe was not confirmed"), bridge.CodeBadParams,
			"export a backup first, then ask again with confirm set to true")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.exclusive {
		return bridge.EngineInfo{}, bridge.WithCode(errOtherTab, bridge.CodeUnavailable, "close the other tabs of this app and reload")
	}
	s.holder.Set(nil, errors.New("the wallet data is being wiped"))
	if s.db != nil {
		s.db.Close()
		s.db = nil
	}
	delCtx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := idb.Delete(delCtx, idb.Name); err != nil {
		s.open(ctx)
		return s.info, fmt.Errorf("the wallet data could not be wiped: %w", err)
	}
	s.open(ctx)
	if s.info.StorageError != "" {
		return s.info, errors.New("the wallet data was wiped but the new database could not be opened: " + s.info.StorageError)
	}
	return s.info, nil
}

func (s *storage) engineInfo(context.Context, struct{}) (bridge.EngineInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info, nil
}

func main() {
	ctx := context.Background()
	lock := js.Global().Get("specterEngineExclusive")
	s := &storage{
		exclusive: lock.Type() != js.TypeBoolean || lock.Bool(),
		holder:    bridge.NewHolder(nil, errors.New("the wallet data is not open yet")),
	}
	s.open(ctx)

	r := bridge.NewRegistry()
	bridge.RegisterEngine(r)
	bridge.RegisterManager(r, s.holder.Source())
	bridge.RegisterWalletFiles(r, s.holder.Source())
	bridge.RegisterNode(r, s.holder.Source(), nil)
	bridge.RegisterSpend(r, s.holder.Source())
	bridge.Register(r, "engine.info", "tells whether the engine's storage is open, and the schema version", s.engineInfo)
	bridge.Register(r, "storage.wipe", "deletes every device, wallet, PSBT, label and setting of this browser (confirm: true)", s.wipe)

	bridge.Serve(ctx, r, "specterEngine")
	if ready := js.Global().Get("specterEngineReady"); ready.Type() == js.TypeFunction {
		b, _ := json.Marshal(s.info)
		ready.Invoke(string(b))
	}
	select {} // serve until the worker is terminated
}
