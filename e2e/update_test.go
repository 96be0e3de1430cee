package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestServiceWorkerOffersAnUpdateAndNeverForcesIt serves web/ with a
// precache list whose build id the test changes: the new service worker
// installs beside the running one, the page offers "A new version is ready —
// reload" and keeps what the user was typing; only the click activates the
// new version (its cache replaces the old one).
func TestServiceWorkerOffersAnUpdateAndNeverForcesIt(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium: not in -short")
	}
	root := buildApp(t).tree // web/ with the wasm and precache.js built
	real, err := os.ReadFile(filepath.Join(root, "web", "precache.js"))
	require.NoError(t, err)
	var mu sync.Mutex
	build := "aaaaaaaaaaaaaaaa"
	precache := func() string {
		mu.Lock()
		defer mu.Unlock()
		lines := strings.Split(string(real), "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, "self.SPECTER_BUILD") {
				lines[i] = `self.SPECTER_BUILD = "` + build + `";`
			}
		}
		return strings.Join(lines, "\n")
	}
	// The engine by its content-hashed URL, as the relay serves it.
	engineURL := ""
	for _, l := range strings.Split(string(real), "\n") {
		if v, ok := strings.CutPrefix(l, "self.SPECTER_ENGINE = "); ok {
			require.NoError(t, json.Unmarshal([]byte(strings.TrimSuffix(v, ";")), &engineURL))
		}
	}
	require.NotEmpty(t, engineURL, "precache.js names no engine")
	files := http.FileServer(http.Dir(filepath.Join(root, "web")))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		switch r.URL.Path {
		case "/precache.js":
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte(precache()))
		case "/manifest.json":
			http.ServeFile(w, r, filepath.Join(root, "manifest.json"))
		case engineURL:
			http.ServeFile(w, r, filepath.Join(root, "web", "wasm", "engine.wasm"))
		case "/healthz":
			_, _ = w.Write([]byte(`{"status":"ok","version":"test","uptime_seconds":1}`))
		default:
			files.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()

	bctx := newBrowser(t, t.TempDir())
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/#/devices/new")))
	waitJS(t, ctx, "the service worker in control", `navigator.serviceWorker.controller !== null`)
	waitHeading(t, ctx, "Add a device")
	require.Equal(t, []string{"specter-aaaaaaaaaaaaaaaa"}, eval[[]string](t, ctx, `caches.keys()`))
	fill(t, ctx, "input[name=name]", "half typed")

	mu.Lock()
	build = "bbbbbbbbbbbbbbbb"
	mu.Unlock()
	eval[bool](t, ctx, `specterApp.swRegistration.update().then(() => true)`)
	waitJS(t, ctx, "the update offer", `!document.getElementById("update").hidden`)
	require.Equal(t, "A new version is ready — reload", text(t, ctx, "#update-reload"))
	// Not forced: the page and what the user typed stay; both caches exist.
	time.Sleep(time.Second)
	require.Equal(t, "half typed", eval[string](t, ctx, `document.querySelector("input[name=name]").value`))
	require.ElementsMatch(t, []string{"specter-aaaaaaaaaaaaaaaa", "specter-bbbbbbbbbbbbbbbb"}, eval[[]string](t, ctx, `caches.keys()`))

	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("update-reload"), chromedp.NodeVisible)))
	waitJS(t, ctx, "the old cache gone", `caches.keys().then(k => k.length === 1 && k[0] === "specter-bbbbbbbbbbbbbbbb")`)
	waitHeading(t, ctx, "Add a device")
	waitJS(t, ctx, "the reloaded page", `document.getElementById("update").hidden && document.querySelector("input[name=name]").value === ""`)
}
