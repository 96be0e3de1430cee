//go:build unix

// Package e2e tests the whole engine chain in headless Chromium: a page
// imports web/js/engine-client.js, which starts web/js/engine-worker.js, which
// runs the engine built from ./wasm with IndexedDB storage, under the relay's
// Content Security Policy.
package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/server"
)

// page is the test page's script: it drives the engine as the UI will and
// posts what it saw to /result.
const page = `
import { createEngine, requestPersistentStorage } from "/js/engine-client.js";
const out = {};
try {
  let engine = createEngine("/js/engine-worker.js");
  out.ready = await engine.ready;
  out.persist = typeof (await requestPersistentStorage());
  const broken = createEngine("/js/engine-worker.js?wasm=/missing.wasm");
  try { await broken.ready; } catch (e) { out.broken = { code: e.code, hint: e.hint }; }
  try { await broken.call("engine.info", {}); } catch (e) { out.brokenCall = e.code; }
  out.normalize = await engine.call("descriptor.normalize", { descriptor: "raw(deadbeef)" });
  try { await engine.call("nope.nothing", {}); } catch (e) {
    out.unknown = { name: e.name, code: e.code, method: e.method, message: e.message };
  }
  try { await engine.call("descriptor.addresses", { descriptor: "raw(deadbeef)", network: "main", count: 2 }); } catch (e) {
    out.failed = { code: e.code, message: e.message, hint: e.hint };
  }
  try { await engine.call("devices.createHot", { name: "Slow", password: "long enough password", network: "test" }, { timeout: 1 }); } catch (e) {
    out.timeout = e.code;
  }
  const calls = [];
  for (let i = 0; i < 20; i++) calls.push(engine.call("keys.completeWord", { prefix: i % 2 ? "zo" : "zer" }));
  out.concurrent = (await Promise.all(calls)).map(r => r.words.join(","));
  out.device = (await engine.call("devices.add", { name: "Cold", type: "coldcard",
    export: "[73c5da0a/48h/1h/0h/2h]tpubDFH9dgzveyD8zTbPUFuLrGmCydNvxehyNdUXKJAQN8x4aZ4j6UZqGfnqFrD4NqyaTVGKbvEW54tsvPTK2UoSbCC1PJY8iCNiwTL3RWZEheQ" })).id;

  // A second engine (another tab) while the first one owns the data.
  const second = createEngine("/js/engine-worker.js");
  out.secondReady = await second.ready;
  try { await second.call("devices.list", {}); } catch (e) { out.secondList = { code: e.code, message: e.message }; }
  out.secondStateless = (await second.call("keys.completeWord", { prefix: "zo" })).words;
  second.terminate();

  engine.terminate();
  try { await engine.call("devices.list", {}); } catch (e) { out.afterTerminate = e.code; }

  // A new worker, as after a reload: the device is still in IndexedDB.
  engine = createEngine("/js/engine-worker.js");
  await engine.ready;
  out.reloaded = (await engine.call("devices.list", {})).devices.map(d => d.name);

  // Backup, wipe, restore: identical data.
  const before = await engine.call("backup.export", {});
  try { await engine.call("storage.wipe", {}); } catch (e) { out.wipeUnconfirmed = e.code; }
  out.wipe = await engine.call("storage.wipe", { confirm: true });
  out.afterWipe = (await engine.call("devices.list", {})).devices.length;
  out.restore = await engine.call("backup.import", { backup: before.backup });
  const after = await engine.call("backup.export", {});
  out.identical = JSON.stringify(after.backup) === JSON.stringify(before.backup);
  out.info = await engine.call("engine.info", {});
} catch (e) {
  out.error = String(e && e.stack || e);
}
await fetch("/post/result", { method: "POST", body: JSON.stringify(out) });
`

// harness serves the engine files and test pages to headless Chromium and
// collects what the pages post.
type harness struct {
	t        *testing.T
	chromium string
	dir      string
	profile  string
	srv      *httptest.Server
	mux      *http.ServeMux
	posts    chan post
}

// post is a body a page sent to /post/NAME.
type post struct {
	name string
	body []byte
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the wasm engine and starts Chromium")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (make deps installs it): skipping the browser check")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	h := &harness{t: t, chromium: chromium, dir: t.TempDir(), mux: http.NewServeMux(), posts: make(chan post, 64)}
	wasmFile := filepath.Join(h.dir, "engine.wasm")
	build := exec.Command("go", "build", "-trimpath", "-o", wasmFile, "./wasm")
	build.Dir = root
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	outb, err := build.CombinedOutput()
	require.NoError(t, err, string(outb))

	h.mux.Handle("/js/", http.StripPrefix("/js/", http.FileServer(http.Dir(filepath.Join(root, "web", "js")))))
	h.mux.HandleFunc("/wasm/engine.wasm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, wasmFile)
	})
	h.mux.HandleFunc("/wasm/wasm_exec.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"))
	})
	h.mux.HandleFunc("/post/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.posts <- post{name: strings.TrimPrefix(r.URL.Path, "/post/"), body: b}
	})
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", server.ContentSecurityPolicy)
		h.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)

	// Chromium's helper processes may still write to the profile for a
	// moment after it ends: the profile lives outside t.TempDir and is
	// removed on a best-effort basis.
	h.profile, err = os.MkdirTemp("", "specter-e2e-profile-")
	require.NoError(t, err)
	t.Cleanup(func() {
		for range 20 {
			if os.RemoveAll(h.profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return h
}

// page serves /NAME.html running the module script at /NAME.js.
func (h *harness) page(name, script string) string {
	h.mux.HandleFunc("/"+name+".js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, script)
	})
	h.mux.HandleFunc("/"+name+".html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!doctype html><title>engine test</title><script type="module" src="/`+name+`.js"></script>`)
	})
	return h.srv.URL + "/" + name + ".html"
}

// open starts Chromium on url with the harness's profile (kept across
// runs) and returns the function that kills it with all its processes.
func (h *harness) open(url string) (kill func()) {
	cmd := exec.Command(h.chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+h.profile, "--enable-logging=stderr", "--v=0", url)
	stderr, err := os.CreateTemp(h.dir, "chromium-*.log")
	require.NoError(h.t, err)
	cmd.Stderr = stderr
	// Its own process group, so that ending it ends its helpers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(h.t, cmd.Start())
	done := false
	kill = func() {
		if done {
			return
		}
		done = true
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}
	h.t.Cleanup(kill)
	return kill
}

// wait returns the body of the next post, which must be called name.
func (h *harness) wait(name string, timeout time.Duration) []byte {
	h.t.Helper()
	select {
	case p := <-h.posts:
		require.Equal(h.t, name, p.name, "page posted %s", p.body)
		return p.body
	case <-time.After(timeout):
		logs, _ := filepath.Glob(filepath.Join(h.dir, "chromium-*.log"))
		var all []byte
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			all = append(all, b...)
		}
		h.t.Fatalf("the page posted no %s: chromium logs:\n%s", name, all)
		return nil
	}
}

func TestEngineWorkerChainInChromium(t *testing.T) {
	h := newHarness(t)
	h.open(h.page("chain", page))
	raw := h.wait("result", 3*time.Minute)
	var got map[string]any
	require.NoError(t, json.Unmarshal(raw, &got), string(raw))
	require.Nil(t, got["error"], "page error")
	require.Equal(t, map[string]any{"storage": "indexeddb", "schema_version": float64(2)}, got["ready"])
	require.Equal(t, "boolean", got["persist"])
	require.Equal(t, map[string]any{"code": "unavailable", "hint": "reload the page; if it keeps failing, the browser may lack WebAssembly support"}, got["broken"])
	require.Equal(t, "unavailable", got["brokenCall"])
	require.Equal(t, map[string]any{"descriptor": "raw(deadbeef)#89f8spxm", "checksum": "89f8spxm", "script_type": "raw",
		"is_range": false, "branches": float64(1), "m": float64(0), "n": float64(0), "has_private_keys": false, "keys": []any{}}, got["normalize"])
	require.Equal(t, map[string]any{"name": "EngineError", "code": "unknown_method", "method": "nope.nothing",
		"message": `unknown method "nope.nothing"`}, got["unknown"])
	require.Equal(t, map[string]any{"code": "failed", "message": "the descriptor has no /* wildcard, so it has a single address",
		"hint": "ask for start 0 and count 1"}, got["failed"])
	require.Equal(t, "timeout", got["timeout"])
	want := make([]any, 20)
	for i := range want {
		want[i] = map[bool]string{true: "zone,zoo", false: "zero"}[i%2 == 1]
	}
	require.Equal(t, want, got["concurrent"])
	require.Equal(t, "cold", got["device"])
	require.Equal(t, map[string]any{"storage": "unavailable", "schema_version": float64(2),
		"storage_error": "another tab or window of this app has the wallet data open"}, got["secondReady"])
	require.Equal(t, map[string]any{"code": "unavailable",
		"message": "the app's storage is not available: another tab or window of this app has the wallet data open"}, got["secondList"])
	require.Equal(t, []any{"zone", "zoo"}, got["secondStateless"])
	require.Equal(t, "unavailable", got["afterTerminate"])
	require.Contains(t, got["reloaded"], "Cold", "the device is still there after a reload")
	require.Equal(t, "bad_params", got["wipeUnconfirmed"])
	require.Equal(t, map[string]any{"storage": "indexeddb", "schema_version": float64(2)}, got["wipe"])
	require.Equal(t, float64(0), got["afterWipe"])
	restored := got["restore"].(map[string]any)
	// The hot device whose call timed out on the page may or may not have
	// been stored before its worker ended; everything stored comes back.
	reloaded := got["reloaded"].([]any)
	require.Subset(t, []any{"Cold", "Slow"}, reloaded)
	require.Equal(t, float64(len(reloaded)), restored["devices"])
	require.Equal(t, true, got["identical"])
	require.Equal(t, map[string]any{"storage": "indexeddb", "schema_version": float64(2)}, got["info"])
}
