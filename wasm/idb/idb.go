//go:build js && wasm

// Package idb is the browser's adapter of the engine's persistence port
// (shared/store.Store) on IndexedDB (W3C Indexed Database API 3.0).
//
// The database has one object store per collection of store.Collections,
// with out-of-line string keys and Uint8Array values. Its schema is versioned:
// Version is the current version and migrations lists, for each version, the
// change from the one before, so a database written by any older release is
// brought up to date inside the browser's versionchange transaction (all of it
// or none of it).
//
// Every Apply is one readwrite transaction with strict durability: it returns
// only after the transaction's complete event, and an abort or error of any
// request rolls the whole batch back, so a tab closed mid-write leaves the
// previous state intact.
//
// Go and JavaScript share one thread here. The IndexedDB event callbacks only
// hand their event to a buffered channel and return; the waiting is done by
// the calling goroutine. Methods of DB therefore must not be called from
// inside a js.Func callback (that would block the event loop that delivers
// the events): call them from a goroutine.
package idb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"syscall/js"

	"github.com/specterpwa/specter/shared/store"
)

// Name is the name of the engine's database.
const Name = "specter"

// Version is the current schema version: the number of migrations.
const Version = 2

// migration changes the schema from version Version-1 to Version. It runs
// inside the versionchange transaction; db is the IDBDatabase and tx the
// versionchange IDBTransaction. It must issue its requests synchronously.
type migration struct {
	Version int
	What    string
	Apply   func(db, tx js.Value)
}

// migrations is the schema history; migrations[i].Version == i+1.
var migrations = []migration{
	{1, "object stores of the managers' collections", func(db, tx js.Value) {
		for _, c := range []string{store.Devices, store.Wallets, store.Config, store.PSBTs, store.Labels} {
			db.Call("createObjectStore", c)
		}
	}},
	{2, "object stores of the wallet core's change sets and of engine metadata", func(db, tx js.Value) {
		for _, c := range []string{store.ChangeSets, store.Meta} {
			db.Call("createObjectStore", c)
		}
	}},
}

// DOMError is an IndexedDB failure as the browser reported it (a
// DOMException's name and message).
type DOMError struct {
	Name    string
	Message string
}

// Error says what the browser reported and, for the usual causes, what to do.
func (e *DOMError) Error() string {
	msg := e.Name
	if e.Message != "" {
		msg += ": " + e.Message
	}
	switch e.Name {
	case "QuotaExceededError":
		msg += " (the browser has no room left for this site's data: free disk space or clear other sites' data)"
	case "VersionError":
		msg += " (the stored data is from a newer release of the app: reload the page to get it)"
	case "InvalidStateError":
		msg += " (the database was closed, for example by an update in another tab: reload the page)"
	case "UnknownError":
		msg += " (the browser could not read or write its storage: check the disk and the browser's storage settings)"
	}
	return msg
}

func domError(v js.Value) error {
	if v.IsUndefined() || v.IsNull() {
		return nil
	}
	e := &DOMError{}
	if n := v.Get("name"); n.Type() == js.TypeString {
		e.Name = n.String()
	}
	if m := v.Get("message"); m.Type() == js.TypeString {
		e.Message = m.String()
	}
	if e.Name == "" && e.Message == "" {
		e.Message = js.Global().Get("String").Invoke(v).String()
	}
	return e
}

// try runs f and turns a JavaScript exception thrown by a syscall/js call
// into an error.
func try(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var je js.Error
			if errors.As(asError(r), &je) {
				err = domError(je.Value)
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

func asError(r any) error {
	if e, ok := r.(error); ok {
		return e
	}
	return fmt.Errorf("%v", r)
}

// event is one IndexedDB event delivered to Go.
type event struct {
	kind string
	ev   js.Value
}

// handler is one event handler property set by a waiter.
type handler struct {
	target js.Value
	prop   string
}

// waiter turns IndexedDB event handlers into a channel. Handlers never block:
// they drop their event into a buffered channel.
type waiter struct {
	ch    chan event
	set   []handler
	funcs []js.Func
}

func newWaiter() *waiter { return &waiter{ch: make(chan event, 16)} }

// on sets target.on<kind> to a handler that sends the event.
func (w *waiter) on(target js.Value, kind string) {
	w.onFunc(target, kind, func(ev js.Value) {})
}

// onFunc is on with a function run first, inside the callback (it must not
// block).
func (w *waiter) onFunc(target js.Value, kind string, first func(ev js.Value)) {
	f := js.FuncOf(func(this js.Value, args []js.Value) any {
		ev := js.Undefined()
		if len(args) > 0 {
			ev = args[0]
		}
		first(ev)
		select {
		case w.ch <- event{kind: kind, ev: ev}:
		default:
		}
		return nil
	})
	target.Set("on"+kind, f)
	w.set = append(w.set, handler{target, "on" + kind})
	w.funcs = append(w.funcs, f)
}

// release unhooks every handler (so no released function can be called) and
// frees them.
func (w *waiter) release() {
	for _, s := range w.set {
		s.target.Set(s.prop, js.Null())
	}
	for _, f := range w.funcs {
		f.Release()
	}
	w.set, w.funcs = nil, nil
}

// DB is an open IndexedDB database used as a store.Store. It is safe for use
// by several goroutines.
type DB struct {
	name string

	mu       sync.Mutex
	db       js.Value
	closed   error // why the database is unusable, nil while open
	onChange js.Func

	// beforeCommit, when set (by tests), runs after Apply has issued every
	// request of its transaction, inside the same task.
	beforeCommit func(tx js.Value)
}

var _ store.Store = (*DB)(nil)

func factory() (js.Value, error) {
	f := js.Global().Get("indexedDB")
	if f.IsUndefined() || f.IsNull() {
		return js.Value{}, errors.New("this browser offers no IndexedDB storage here (private browsing or disabled site data): allow site data for this app to keep wallets")
	}
	return f, nil
}

// Open opens (creating or upgrading as needed) the database called name at
// Version. An upgrade runs every migration after the stored version in one
// versionchange transaction. While another tab keeps an older version open
// the upgrade waits; when ctx ends first, Open fails and says so.
func Open(ctx context.Context, name string) (*DB, error) {
	f, err := factory()
	if err != nil {
		return nil, err
	}
	var req js.Value
	if err := try(func() { req = f.Call("open", name, Version) }); err != nil {
		return nil, fmt.Errorf("opening the %s database: %w", name, err)
	}
	w := newWaiter()
	defer w.release()
	var migrateErr error
	w.onFunc(req, "upgradeneeded", func(ev js.Value) {
		migrateErr = migrate(req.Get("result"), req.Get("transaction"), ev.Get("oldVersion").Int())
	})
	w.on(req, "success")
	w.on(req, "error")
	w.on(req, "blocked")
	blocked := false
	for {
		select {
		case e := <-w.ch:
			switch e.kind {
			case "upgradeneeded":
				continue
			case "blocked":
				blocked = true
				continue
			case "error":
				if migrateErr != nil {
					return nil, fmt.Errorf("upgrading the %s database to version %d: %w; nothing was changed", name, Version, migrateErr)
				}
				return nil, fmt.Errorf("opening the %s database: %w", name, domError(req.Get("error")))
			}
			d := &DB{name: name, db: req.Get("result")}
			d.onChange = js.FuncOf(func(this js.Value, args []js.Value) any {
				// Another tab wants a newer schema: let it, and refuse
				// further use here.
				d.mu.Lock()
				defer d.mu.Unlock()
				d.db.Call("close")
				if d.closed == nil {
					d.closed = fmt.Errorf("the %s database was upgraded by a newer version of the app in another tab: reload this page", name)
				}
				return nil
			})
			d.db.Set("onversionchange", d.onChange)
			return d, nil
		case <-ctx.Done():
			// The open request cannot be cancelled: close the connection
			// if it arrives later.
			w.release()
			var late js.Func
			late = js.FuncOf(func(this js.Value, args []js.Value) any {
				req.Get("result").Call("close")
				req.Set("onsuccess", js.Null())
				late.Release()
				return nil
			})
			req.Set("onsuccess", late)
			if blocked {
				return nil, fmt.Errorf("opening the %s database: another tab of this app keeps an older version open: close the other tabs and reload (%w)", name, ctx.Err())
			}
			return nil, fmt.Errorf("opening the %s database: %w", name, ctx.Err())
		}
	}
}

// migrate runs, inside the versionchange transaction, every migration after
// oldVersion. A failure aborts the transaction, so the database keeps its
// old schema and data.
func migrate(db, tx js.Value, oldVersion int) error {
	for _, m := range migrations[oldVersion:] {
		if err := try(func() { m.Apply(db, tx) }); err != nil {
			_ = try(func() { tx.Call("abort") })
			return fmt.Errorf("migration to version %d (%s): %w", m.Version, m.What, err)
		}
	}
	return nil
}

// Delete removes the database called name with all its data (a wipe). It
// waits while other connections are open, until ctx ends.
func Delete(ctx context.Context, name string) error {
	f, err := factory()
	if err != nil {
		return err
	}
	var req js.Value
	if err := try(func() { req = f.Call("deleteDatabase", name) }); err != nil {
		return fmt.Errorf("deleting the %s database: %w", name, err)
	}
	w := newWaiter()
	defer w.release()
	w.on(req, "success")
	w.on(req, "error")
	w.on(req, "blocked")
	for {
		select {
		case e := <-w.ch:
			switch e.kind {
			case "success":
				return nil
			case "error":
				return fmt.Errorf("deleting the %s database: %w", name, domError(req.Get("error")))
			}
		case <-ctx.Done():
			return fmt.Errorf("deleting the %s database: other tabs of this app keep it open: close them (%w)", name, ctx.Err())
		}
	}
}

// Name returns the database's name.
func (d *DB) Name() string { return d.name }

// Close closes the connection; further calls fail.
func (d *DB) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed != nil {
		return
	}
	d.closed = fmt.Errorf("the %s database is closed", d.name)
	d.db.Set("onversionchange", js.Null())
	d.db.Call("close")
	d.onChange.Release()
}

// ObjectStores lists the object stores of the database, sorted.
func (d *DB) ObjectStores() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	names := d.db.Get("objectStoreNames")
	out := make([]string, names.Length())
	for i := range out {
		out[i] = names.Call("item", i).String()
	}
	sort.Strings(out)
	return out
}

// transaction starts a transaction over the collections.
func (d *DB) transaction(mode string, collections ...string) (js.Value, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed != nil {
		return js.Value{}, d.closed
	}
	names := make([]any, len(collections))
	for i, c := range collections {
		names[i] = c
	}
	var tx js.Value
	err := try(func() {
		if mode == "readwrite" {
			tx = d.db.Call("transaction", names, mode, map[string]any{"durability": "strict"})
		} else {
			tx = d.db.Call("transaction", names, mode)
		}
	})
	return tx, err
}

func bytesOf(v js.Value) ([]byte, error) {
	if v.InstanceOf(js.Global().Get("ArrayBuffer")) {
		v = js.Global().Get("Uint8Array").New(v)
	}
	if v.InstanceOf(js.Global().Get("Uint8Array")) {
		b := make([]byte, v.Get("length").Int())
		js.CopyBytesToGo(b, v)
		return b, nil
	}
	if v.Type() == js.TypeString {
		return []byte(v.String()), nil
	}
	return nil, fmt.Errorf("a stored value is a %s, not bytes: the data was not written by this app", v.Type())
}

// checkCollection refuses a collection that is not one of
// store.Collections, with store.Memory's message.
func checkCollection(c string) error {
	if !slices.Contains(store.Collections, c) {
		return fmt.Errorf("store: unknown collection %q", c)
	}
	return nil
}

// Get implements store.Store.
func (d *DB) Get(ctx context.Context, collection, key string) ([]byte, error) {
	if err := checkCollection(collection); err != nil {
		return nil, err
	}
	tx, err := d.transaction("readonly", collection)
	if err != nil {
		return nil, fmt.Errorf("reading %s/%s: %w", collection, key, err)
	}
	var req js.Value
	if err := try(func() { req = tx.Call("objectStore", collection).Call("get", key) }); err != nil {
		return nil, fmt.Errorf("reading %s/%s: %w", collection, key, err)
	}
	w := newWaiter()
	defer w.release()
	w.on(req, "success")
	w.on(req, "error")
	select {
	case e := <-w.ch:
		if e.kind == "error" {
			return nil, fmt.Errorf("reading %s/%s: %w", collection, key, domError(req.Get("error")))
		}
	case <-ctx.Done():
		return nil, fmt.Errorf("reading %s/%s: %w", collection, key, ctx.Err())
	}
	v := req.Get("result")
	if v.IsUndefined() {
		return nil, fmt.Errorf("store: %s/%s: %w", collection, key, store.ErrNotFound)
	}
	b, err := bytesOf(v)
	if err != nil {
		return nil, fmt.Errorf("reading %s/%s: %w", collection, key, err)
	}
	return b, nil
}

// List implements store.Store: keys and values are read in one readonly
// transaction, then sorted by key in Go's byte order.
func (d *DB) List(ctx context.Context, collection string) ([]store.Record, error) {
	if err := checkCollection(collection); err != nil {
		return nil, err
	}
	tx, err := d.transaction("readonly", collection)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", collection, err)
	}
	var keysReq, valsReq js.Value
	if err := try(func() {
		os := tx.Call("objectStore", collection)
		keysReq = os.Call("getAllKeys")
		valsReq = os.Call("getAll")
	}); err != nil {
		return nil, fmt.Errorf("listing %s: %w", collection, err)
	}
	if err := wait(ctx, tx); err != nil {
		return nil, fmt.Errorf("listing %s: %w", collection, err)
	}
	ks, vs := keysReq.Get("result"), valsReq.Get("result")
	if ks.Length() != vs.Length() {
		return nil, fmt.Errorf("listing %s: the browser returned %d keys and %d values", collection, ks.Length(), vs.Length())
	}
	out := make([]store.Record, ks.Length())
	str := js.Global().Get("String")
	for i := range out {
		k := ks.Index(i)
		if k.Type() == js.TypeString {
			out[i].Key = k.String()
		} else {
			out[i].Key = str.Invoke(k).String()
		}
		if out[i].Value, err = bytesOf(vs.Index(i)); err != nil {
			return nil, fmt.Errorf("listing %s, key %q: %w", collection, out[i].Key, err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// wait waits for the end of a transaction: nil on complete, the
// transaction's error on abort. When ctx ends first the transaction is
// aborted, and wait still reports how it really ended.
func wait(ctx context.Context, tx js.Value) error {
	w := newWaiter()
	defer w.release()
	w.on(tx, "complete")
	w.on(tx, "abort")
	done := ctx.Done()
	for {
		select {
		case e := <-w.ch:
			if e.kind == "complete" {
				return nil
			}
			if err := domError(tx.Get("error")); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return errors.New("the transaction was aborted")
		case <-done:
			done = nil
			// Aborting a transaction that already finished throws: then
			// its complete event tells the outcome.
			_ = try(func() { tx.Call("abort") })
		}
	}
}

// Apply implements store.Store: the batch is validated, then written in one
// readwrite transaction whose every request is issued before control returns
// to the event loop. It returns after the complete event; on any failure
// nothing of the batch is stored.
func (d *DB) Apply(ctx context.Context, ops ...store.Op) error {
	if err := store.Validate(ops); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(ops) == 0 {
		return nil
	}
	var colls []string
	seen := map[string]bool{}
	for _, op := range ops {
		if !seen[op.Collection] {
			seen[op.Collection] = true
			colls = append(colls, op.Collection)
		}
	}
	// Values are copied to JavaScript before the transaction starts, so
	// that nothing between its requests can yield to the event loop.
	vals := make([]js.Value, len(ops))
	u8 := js.Global().Get("Uint8Array")
	for i, op := range ops {
		if !op.Delete {
			vals[i] = u8.New(len(op.Value))
			js.CopyBytesToJS(vals[i], op.Value)
		}
	}
	tx, err := d.transaction("readwrite", colls...)
	if err != nil {
		return fmt.Errorf("saving %d changes: %w; nothing was saved", len(ops), err)
	}
	// The handlers are set inside wait, before the event loop can run.
	issueErr := try(func() {
		for i, op := range ops {
			os := tx.Call("objectStore", op.Collection)
			if op.Delete {
				os.Call("delete", op.Key)
			} else {
				os.Call("put", vals[i], op.Key)
			}
		}
		if d.beforeCommit != nil {
			d.beforeCommit(tx)
		}
	})
	if issueErr != nil {
		_ = try(func() { tx.Call("abort") })
	}
	err = wait(ctx, tx)
	if issueErr != nil {
		err = issueErr
	}
	if err != nil {
		return fmt.Errorf("saving %d changes: %w; nothing was saved", len(ops), err)
	}
	return nil
}
