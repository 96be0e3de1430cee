//go:build js && wasm

package idb

import (
	"context"
	"errors"
	"sort"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/store"
)

// These tests run in headless Chromium: make test-browser, or
// GOOS=js GOARCH=wasm go test -exec wasmbrowsertest ./wasm/idb/

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// openFresh opens a database named after the test, deleted at the end.
func openFresh(t *testing.T) (*DB, string) {
	t.Helper()
	name := "test-" + t.Name()
	require.NoError(t, Delete(ctx(t), name))
	d, err := Open(ctx(t), name)
	require.NoError(t, err)
	t.Cleanup(func() {
		d.Close()
		require.NoError(t, Delete(context.Background(), name))
	})
	return d, name
}

// runJS runs an async JavaScript function body with the given argument
// and waits for the promise it returns.
func runJS(t *testing.T, body string, arg any) js.Value {
	t.Helper()
	fn := js.Global().Get("Function").New("arg", "return (async () => {"+body+"})();")
	p := fn.Invoke(arg)
	type result struct {
		v   js.Value
		err string
	}
	ch := make(chan result, 1)
	onOK := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- result{v: a[0]}; return nil })
	onErr := js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- result{err: js.Global().Get("String").Invoke(a[0]).String()}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	select {
	case r := <-ch:
		require.Empty(t, r.err, "JavaScript failed")
		return r.v
	case <-time.After(20 * time.Second):
		t.Fatal("JavaScript promise did not settle")
		return js.Undefined()
	}
}

func get(t *testing.T, d *DB, c, k string) string {
	t.Helper()
	v, err := d.Get(ctx(t), c, k)
	require.NoError(t, err)
	return string(v)
}

func TestFreshDatabaseHasOneObjectStorePerCollectionAtTheCurrentVersion(t *testing.T) {
	d, _ := openFresh(t)
	want := append([]string(nil), store.Collections...)
	sort.Strings(want)
	require.Equal(t, want, d.ObjectStores())
	require.Equal(t, Version, d.db.Get("version").Int())
	require.Equal(t, Version, len(migrations))
	for i, m := range migrations {
		require.Equal(t, i+1, m.Version, "migration %d", i)
	}
}

func TestRoundTripPutGetListDelete(t *testing.T) {
	d, _ := openFresh(t)
	c := ctx(t)
	bin := []byte{0, 1, 2, 255, 0}
	require.NoError(t, d.Apply(c,
		store.Put(store.Devices, "b", []byte("second")),
		store.Put(store.Devices, "a", []byte("first")),
		store.Put(store.Devices, "\U0001F600", []byte("emoji")),
		store.Put(store.Devices, "\uFFFD", []byte("replacement char")),
		store.Put(store.Wallets, "w1", bin),
		store.Put(store.Config, "empty", []byte{}),
	))
	require.Equal(t, "first", get(t, d, store.Devices, "a"))
	v, err := d.Get(c, store.Wallets, "w1")
	require.NoError(t, err)
	require.Equal(t, bin, v)
	v, err = d.Get(c, store.Config, "empty")
	require.NoError(t, err)
	require.Equal(t, []byte{}, v)

	// Sorted in Go's byte order (UTF-8), as store.Memory sorts, not in
	// IndexedDB's UTF-16 order (which puts the emoji before U+FFFD).
	recs, err := d.List(c, store.Devices)
	require.NoError(t, err)
	require.Equal(t, []store.Record{
		{Key: "a", Value: []byte("first")},
		{Key: "b", Value: []byte("second")},
		{Key: "\uFFFD", Value: []byte("replacement char")},
		{Key: "\U0001F600", Value: []byte("emoji")},
	}, recs)

	require.NoError(t, d.Apply(c, store.Del(store.Devices, "a"), store.Put(store.Devices, "b", []byte("changed")), store.Del(store.Devices, "never-there")))
	_, err = d.Get(c, store.Devices, "a")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.Equal(t, "changed", get(t, d, store.Devices, "b"))

	recs, err = d.List(c, store.Labels)
	require.NoError(t, err)
	require.Empty(t, recs)
	require.NoError(t, d.Apply(c))
}

func TestBehavesLikeTheMemoryStore(t *testing.T) {
	d, _ := openFresh(t)
	c := ctx(t)
	m := store.NewMemory()
	batches := [][]store.Op{
		{store.Put(store.PSBTs, "p1", []byte("x")), store.Put(store.Labels, "l", []byte("y"))},
		{store.Put(store.PSBTs, "p2", []byte("z")), store.Del(store.PSBTs, "p1")},
		{store.Put(store.Meta, "schema", []byte("2")), store.Put(store.ChangeSets, "w/0001", []byte("cs"))},
	}
	for _, b := range batches {
		require.NoError(t, m.Apply(c, b...))
		require.NoError(t, d.Apply(c, b...))
	}
	for _, coll := range store.Collections {
		want, err := m.List(c, coll)
		require.NoError(t, err)
		got, err := d.List(c, coll)
		require.NoError(t, err)
		if len(want) == 0 {
			require.Empty(t, got, coll)
			continue
		}
		require.Equal(t, want, got, coll)
	}
}

func TestInvalidBatchesAreRefusedBeforeAnyWrite(t *testing.T) {
	d, _ := openFresh(t)
	c := ctx(t)
	require.NoError(t, d.Apply(c, store.Put(store.Config, "units", []byte("btc"))))
	err := d.Apply(c, store.Put(store.Config, "units", []byte("sats")), store.Put("nope", "k", nil))
	require.EqualError(t, err, `store: operation 1 names unknown collection "nope"`)
	err = d.Apply(c, store.Put(store.Config, "units", []byte("sats")), store.Put(store.Config, "", nil))
	require.EqualError(t, err, "store: operation 1 on config has an empty key")
	_, err = d.Get(c, "nope", "k")
	require.EqualError(t, err, `store: unknown collection "nope"`)
	_, err = d.List(c, "nope")
	require.EqualError(t, err, `store: unknown collection "nope"`)
	_, err = store.NewMemory().List(c, "nope")
	require.EqualError(t, err, `store: unknown collection "nope"`, "the same message as the memory store")
	require.Equal(t, "btc", get(t, d, store.Config, "units"))
}

func TestAFailingBatchLeavesEarlierDataIntact(t *testing.T) {
	for name, tc := range map[string]struct {
		hook    func(tx js.Value)
		wantErr string
	}{
		"aborted transaction": {
			hook:    func(tx js.Value) { tx.Call("abort") },
			wantErr: "saving 3 changes: the transaction was aborted; nothing was saved",
		},
		"a request failing after the puts (add of an existing key)": {
			hook: func(tx js.Value) {
				tx.Call("objectStore", store.Devices).Call("add", js.Global().Get("Uint8Array").New(1), "a")
			},
			wantErr: "saving 3 changes: ConstraintError: ",
		},
		"a request throwing at once (invalid key)": {
			hook: func(tx js.Value) {
				tx.Call("objectStore", store.Devices).Call("put", js.Global().Get("Uint8Array").New(1), js.Global().Get("Object").New())
			},
			wantErr: "saving 3 changes: DataError: ",
		},
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := openFresh(t)
			c := ctx(t)
			require.NoError(t, d.Apply(c, store.Put(store.Devices, "a", []byte("old a")), store.Put(store.Wallets, "w", []byte("old w"))))
			d.beforeCommit = tc.hook
			err := d.Apply(c,
				store.Put(store.Devices, "a", []byte("new a")),
				store.Put(store.Devices, "b", []byte("new b")),
				store.Del(store.Wallets, "w"))
			d.beforeCommit = nil
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), tc.wantErr), err.Error())
			require.True(t, strings.HasSuffix(err.Error(), "; nothing was saved"), err.Error())

			require.Equal(t, "old a", get(t, d, store.Devices, "a"))
			require.Equal(t, "old w", get(t, d, store.Wallets, "w"))
			_, err = d.Get(c, store.Devices, "b")
			require.ErrorIs(t, err, store.ErrNotFound)
			// The database is still usable.
			require.NoError(t, d.Apply(c, store.Put(store.Devices, "b", []byte("later"))))
			require.Equal(t, "later", get(t, d, store.Devices, "b"))
		})
	}
}

func TestACancelledContextSavesNothing(t *testing.T) {
	d, _ := openFresh(t)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	err := d.Apply(c, store.Put(store.Devices, "a", []byte("x")))
	require.ErrorIs(t, err, context.Canceled)
	_, err = d.Get(ctx(t), store.Devices, "a")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestDataPersistsAcrossClosingAndReopening(t *testing.T) {
	d, name := openFresh(t)
	c := ctx(t)
	require.NoError(t, d.Apply(c, store.Put(store.Wallets, "w", []byte("wallet")), store.Put(store.Meta, "m", []byte("meta"))))
	d.Close()
	err := d.Apply(c, store.Put(store.Wallets, "x", []byte("y")))
	require.EqualError(t, err, "saving 1 changes: the "+name+" database is closed; nothing was saved")

	d2, err := Open(c, name)
	require.NoError(t, err)
	defer d2.Close()
	require.Equal(t, "wallet", get(t, d2, store.Wallets, "w"))
	require.Equal(t, "meta", get(t, d2, store.Meta, "m"))
	_, err = d2.Get(c, store.Wallets, "x")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestMigratesAVersion1DatabaseKeepingItsData(t *testing.T) {
	name := "test-" + t.Name()
	c := ctx(t)
	require.NoError(t, Delete(c, name))
	t.Cleanup(func() { require.NoError(t, Delete(context.Background(), name)) })
	// Version 1 as an earlier release wrote it: the five managers'
	// collections, values as Uint8Array under string keys.
	runJS(t, `
		const db = await new Promise((resolve, reject) => {
			const req = indexedDB.open(arg, 1);
			req.onupgradeneeded = () => {
				for (const s of ["devices", "wallets", "config", "psbts", "labels"]) req.result.createObjectStore(s);
			};
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		await new Promise((resolve, reject) => {
			const tx = db.transaction(["devices", "config"], "readwrite");
			tx.objectStore("devices").put(new TextEncoder().encode('{"name":"Coldcard"}'), "cc");
			tx.objectStore("config").put(new TextEncoder().encode("sats"), "units");
			tx.oncomplete = resolve;
			tx.onabort = () => reject(tx.error);
		});
		db.close();
	`, name)

	d, err := Open(c, name)
	require.NoError(t, err)
	defer d.Close()
	want := append([]string(nil), store.Collections...)
	sort.Strings(want)
	require.Equal(t, want, d.ObjectStores())
	require.Equal(t, Version, d.db.Get("version").Int())
	require.Equal(t, `{"name":"Coldcard"}`, get(t, d, store.Devices, "cc"))
	require.Equal(t, "sats", get(t, d, store.Config, "units"))
	require.NoError(t, d.Apply(c, store.Put(store.ChangeSets, "w/1", []byte("cs")), store.Put(store.Meta, "k", []byte("v"))))
	require.Equal(t, "cs", get(t, d, store.ChangeSets, "w/1"))
}

func TestADatabaseFromANewerReleaseIsRefused(t *testing.T) {
	name := "test-" + t.Name()
	c := ctx(t)
	require.NoError(t, Delete(c, name))
	t.Cleanup(func() { require.NoError(t, Delete(context.Background(), name)) })
	runJS(t, `
		await new Promise((resolve, reject) => {
			const req = indexedDB.open(arg, 99);
			req.onsuccess = () => { req.result.close(); resolve(); };
			req.onerror = () => reject(req.error);
		});
	`, name)
	_, err := Open(c, name)
	require.Error(t, err)
	var de *DOMError
	require.True(t, errors.As(err, &de), err.Error())
	require.Equal(t, "VersionError", de.Name)
	require.Contains(t, err.Error(), "the stored data is from a newer release of the app: reload the page to get it")
}

func TestAnUpgradeInAnotherTabClosesThisConnection(t *testing.T) {
	d, name := openFresh(t)
	c := ctx(t)
	require.NoError(t, d.Apply(c, store.Put(store.Devices, "a", []byte("x"))))
	// Another tab opens a newer schema: this connection must step aside
	// rather than block it.
	stores := runJS(t, `
		return await new Promise((resolve, reject) => {
			const req = indexedDB.open(arg, 3);
			req.onsuccess = () => { const n = req.result.objectStoreNames.length; req.result.close(); resolve(n); };
			req.onerror = () => reject(req.error);
			req.onblocked = () => reject(new Error("blocked"));
		});
	`, name)
	require.Equal(t, len(store.Collections), stores.Int())
	err := d.Apply(c, store.Put(store.Devices, "b", []byte("y")))
	require.EqualError(t, err, "saving 1 changes: the "+name+" database was upgraded by a newer version of the app in another tab: reload this page; nothing was saved")
	_, err = d.Get(c, store.Devices, "a")
	require.ErrorContains(t, err, "upgraded by a newer version of the app in another tab")
}

func TestDeleteWipesTheDatabase(t *testing.T) {
	d, name := openFresh(t)
	c := ctx(t)
	require.NoError(t, d.Apply(c, store.Put(store.Devices, "a", []byte("x"))))
	d.Close()
	require.NoError(t, Delete(c, name))
	d2, err := Open(c, name)
	require.NoError(t, err)
	defer d2.Close()
	_, err = d2.Get(c, store.Devices, "a")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestCancellingDuringTheTransactionRollsItBack(t *testing.T) {
	d, _ := openFresh(t)
	c, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, d.Apply(c, store.Put(store.Devices, "a", []byte("old"))))
	// The requests are issued; the context ends before the commit.
	d.beforeCommit = func(js.Value) { cancel() }
	err := d.Apply(c, store.Put(store.Devices, "a", []byte("new")), store.Put(store.Devices, "b", []byte("new")))
	d.beforeCommit = nil
	require.ErrorIs(t, err, context.Canceled)
	require.EqualError(t, err, "saving 2 changes: context canceled; nothing was saved")
	require.Equal(t, "old", get(t, d, store.Devices, "a"))
	_, err = d.Get(ctx(t), store.Devices, "b")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// createV1 makes a version 1 database the way an earlier release did, plus
// the extra object stores given; it stays open when keepOpen is set (as in
// another tab) and is then stored in globalThis.heldDB.
func createV1(t *testing.T, name string, extraStores []string, keepOpen bool) {
	t.Helper()
	stores := js.Global().Get("Array").New()
	for _, s := range extraStores {
		stores.Call("push", s)
	}
	arg := js.Global().Get("Object").New()
	arg.Set("name", name)
	arg.Set("extra", stores)
	arg.Set("keepOpen", keepOpen)
	runJS(t, `
		const db = await new Promise((resolve, reject) => {
			const req = indexedDB.open(arg.name, 1);
			req.onupgradeneeded = () => {
				for (const s of ["devices", "wallets", "config", "psbts", "labels", ...arg.extra]) req.result.createObjectStore(s);
			};
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		await new Promise((resolve, reject) => {
			const tx = db.transaction(["devices"], "readwrite");
			tx.objectStore("devices").put(new TextEncoder().encode("kept"), "d");
			tx.oncomplete = resolve;
			tx.onabort = () => reject(tx.error);
		});
		if (arg.keepOpen) globalThis.heldDB = db; else db.close();
	`, arg)
}

func TestAFailingMigrationLeavesTheOldDatabaseAsItWas(t *testing.T) {
	name := "test-" + t.Name()
	c := ctx(t)
	require.NoError(t, Delete(c, name))
	t.Cleanup(func() { require.NoError(t, Delete(context.Background(), name)) })
	// A store that migration 2 wants to create already exists.
	createV1(t, name, []string{"changesets"}, false)

	_, err := Open(c, name)
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "upgrading the "+name+" database to version 2: migration to version 2 (object stores of the wallet core's change sets and of engine metadata): ConstraintError: "), err.Error())
	require.True(t, strings.HasSuffix(err.Error(), "; nothing was changed"), err.Error())

	version := runJS(t, `
		return await new Promise((resolve, reject) => {
			const req = indexedDB.open(arg);
			req.onsuccess = async () => {
				const db = req.result;
				const tx = db.transaction("devices");
				const get = tx.objectStore("devices").get("d");
				tx.oncomplete = () => { resolve(db.version + ":" + new TextDecoder().decode(get.result)); db.close(); };
			};
			req.onerror = () => reject(req.error);
		});
	`, name)
	require.Equal(t, "1:kept", version.String())
}

func TestAnUpgradeBlockedByAnotherTabSaysSo(t *testing.T) {
	name := "test-" + t.Name()
	require.NoError(t, Delete(ctx(t), name))
	t.Cleanup(func() { require.NoError(t, Delete(context.Background(), name)) })
	createV1(t, name, nil, true) // another tab keeps version 1 open and ignores versionchange

	short, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := Open(short, name)
	require.EqualError(t, err, "opening the "+name+" database: another tab of this app keeps an older version open: close the other tabs and reload (context deadline exceeded)")

	// The other tab closes: the upgrade that was waiting completes in the
	// background and its connection is closed, so a new Open succeeds.
	js.Global().Get("heldDB").Call("close")
	d, err := Open(ctx(t), name)
	require.NoError(t, err)
	defer d.Close()
	require.Equal(t, Version, d.db.Get("version").Int())
	require.Equal(t, "kept", get(t, d, store.Devices, "d"))
}
