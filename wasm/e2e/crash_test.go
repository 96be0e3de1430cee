//go:build unix

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
)

// backupOf returns a backup document holding n devices named prefix0...,
// each with a BIP48 testnet key of a different account of mnemonic, and
// the sorted device names.
func backupOf(t *testing.T, mnemonic, prefix string, n int) ([]byte, []string) {
	t.Helper()
	ctx := context.Background()
	e, err := manager.Open(ctx, store.NewMemory(), manager.Options{ScryptN: 1 << 10})
	require.NoError(t, err)
	master, err := keys.MasterFromMnemonic(mnemonic, "", network.Test)
	require.NoError(t, err)
	var names []string
	for i := range n {
		acc, err := keys.DeriveAccount(master, keys.ScriptWSH, network.Test, uint32(i))
		require.NoError(t, err)
		name := fmt.Sprintf("%s%02d", prefix, i)
		_, err = e.AddDevice(ctx, manager.Device{Name: name, Type: manager.TypeOther,
			Keys: []manager.DeviceKey{{Origin: acc.Origin, Xpub: acc.Xpub, ScriptHint: keys.ScriptWSH}}})
		require.NoError(t, err)
		names = append(names, name)
	}
	b, err := e.ExportAll()
	require.NoError(t, err)
	sort.Strings(names)
	return b, names
}

const crashWriter = `
import { createEngine } from "/js/engine-client.js";
const engine = createEngine("/js/engine-worker.js");
await engine.ready;
const A = await (await fetch("/a.json")).text();
const B = await (await fetch("/b.json")).text();
await engine.call("backup.import", { text: A });
await fetch("/post/started", { method: "POST", body: "" });
// Replace everything with A, then B, then A... until the browser is killed.
try {
  for (let i = 1; ; i++) {
    await engine.call("backup.import", { text: i % 2 ? B : A });
    if (i === 3) await fetch("/post/replaced", { method: "POST", body: "" });
  }
} catch (e) {
  await fetch("/post/error", { method: "POST", body: e.message + " (" + e.hint + ")" });
}
`

const crashReader = `
import { createEngine } from "/js/engine-client.js";
const engine = createEngine("/js/engine-worker.js");
const out = { ready: await engine.ready };
try {
  out.names = (await engine.call("devices.list", {})).devices.map(d => d.name);
} catch (e) { out.error = e.message; }
await fetch("/post/state", { method: "POST", body: JSON.stringify(out) });
`

// TestKillingTheBrowserMidWriteLeavesAWholeState replaces all data with one
// of two backups over and over and kills Chromium (every process, SIGKILL) at
// a random moment: after a restart on the same profile the devices are
// exactly those of one backup, never a mix, since each replacement is one
// IndexedDB transaction.
func TestKillingTheBrowserMidWriteLeavesAWholeState(t *testing.T) {
	h := newHarness(t)
	a, namesA := backupOf(t, "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "A", 40)
	b, namesB := backupOf(t, "legal winner thank year wave sausage worth useful legal winner thank yellow", "B", 40)
	h.mux.HandleFunc("/a.json", func(w http.ResponseWriter, r *http.Request) { w.Write(a) })
	h.mux.HandleFunc("/b.json", func(w http.ResponseWriter, r *http.Request) { w.Write(b) })
	writer, reader := h.page("writer", crashWriter), h.page("reader", crashReader)

	for round := range 3 {
		kill := h.open(writer)
		h.wait("started", 2*time.Minute)
		h.wait("replaced", 2*time.Minute) // B, A and B again were written
		time.Sleep(time.Duration(100+rand.IntN(900)) * time.Millisecond)
		kill()

		closeReader := h.open(reader)
		var got struct {
			Ready map[string]any `json:"ready"`
			Names []string       `json:"names"`
			Error string         `json:"error"`
		}
		require.NoError(t, json.Unmarshal(h.wait("state", 2*time.Minute), &got))
		closeReader()
		require.Empty(t, got.Error, "round %d", round)
		require.Equal(t, "indexeddb", got.Ready["storage"], "round %d", round)
		sort.Strings(got.Names)
		if len(got.Names) > 0 && got.Names[0] == namesA[0] {
			require.Equal(t, namesA, got.Names, "round %d: a mix of two states", round)
		} else {
			require.Equal(t, namesB, got.Names, "round %d: a mix of two states", round)
		}
		t.Logf("round %d: the browser was killed; restarted with the %d devices of backup %c", round, len(got.Names), got.Names[0][0])
	}
}
