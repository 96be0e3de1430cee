package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/require"
)

// chromiumPath is Debian's Chromium (scripts/install-test-deps.sh installs it).
const chromiumPath = "/usr/bin/chromium"

var (
	buildOnce sync.Once
	built     appBuild
	buildErr  error
)

// appBuild is what the tests run: a copy of the source tree with the
// engine's WebAssembly and the precache list built into its web/, and the
// specter binary built from it.
type appBuild struct {
	tree string // the copy of the source tree
	bin  string // its bin/specter
}

// repoRoot is the module's root directory (where go.mod is).
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Dir(filepath.Dir(file))
}

func run(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// copyTree copies the source tree without git data and built output, so the
// test never writes into the working tree (other packages embed web/ while
// they build).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		switch {
		case rel == ".git" || rel == "bin" || rel == "node_modules" || rel == filepath.Join("web", "wasm"):
			return fs.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case !d.Type().IsRegular() || strings.HasSuffix(rel, ".test") || rel == filepath.Join("web", "precache.js"),
			strings.HasPrefix(rel, "web"+string(filepath.Separator)) && (strings.HasSuffix(rel, ".br") || strings.HasSuffix(rel, ".gz")):
			// Built output; precompressed siblings could be stale.
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// buildApp builds what `make build` builds, once per test run, in a copy of
// the source tree: the engine as WebAssembly into web/wasm, the service
// worker's precache list, and the specter binary that embeds them.
func buildApp(t *testing.T) appBuild {
	t.Helper()
	root := repoRoot(t)
	buildOnce.Do(func() {
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		tree, err := os.MkdirTemp("", "specter-e2e-tree-")
		if err != nil {
			buildErr = err
			return
		}
		if buildErr = copyTree(root, tree); buildErr != nil {
			return
		}
		if buildErr = os.MkdirAll(filepath.Join(tree, "web", "wasm"), 0o755); buildErr != nil {
			return
		}
		if buildErr = run(tree, []string{"GOOS=js", "GOARCH=wasm"}, goBin, "build", "-trimpath", "-ldflags=-s -w",
			"-o", filepath.Join("web", "wasm", "engine.wasm"), "./wasm"); buildErr != nil {
			return
		}
		src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"))
		if err != nil {
			buildErr = err
			return
		}
		if buildErr = os.WriteFile(filepath.Join(tree, "web", "wasm", "wasm_exec.js"), src, 0o644); buildErr != nil {
			return
		}
		if buildErr = run(tree, nil, goBin, "run", "./internal/tools/precache", "-web", "web", "-manifest", "manifest.json"); buildErr != nil {
			return
		}
		built = appBuild{tree: tree, bin: filepath.Join(tree, "bin", "specter")}
		buildErr = run(tree, nil, goBin, "build", "-trimpath", "-o", built.bin, "./cmd/specter")
	})
	require.NoError(t, buildErr)
	return built
}

// specterBinary is the built specter binary.
func specterBinary(t *testing.T) string {
	t.Helper()
	return buildApp(t).bin
}

// relay is a running `specter serve`.
type relay struct {
	bin     string
	dataDir string
	addr    string
	cmd     *exec.Cmd
	token   string
	exited  chan struct{}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// startRelay starts `specter serve` on addr with dataDir (and extra flags,
// such as "--demo", "on" or "--allow-origin", ORIGIN) and waits for
// /healthz; it reads the setup token from the console when one is printed.
func startRelay(t *testing.T, bin, dataDir, addr string, extra ...string) *relay {
	t.Helper()
	r := &relay{bin: bin, dataDir: dataDir, addr: addr, exited: make(chan struct{})}
	args := append([]string{"serve", "--listen", addr, "--data-dir", dataDir, "--tor", "none", "--log-level", "warn"}, extra...)
	r.cmd = exec.Command(bin, args...)
	stderr, err := r.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, r.cmd.Start())
	tokenc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		want := false
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.Contains(line, "one-time setup token") {
				want = true
				continue
			}
			if want && line != "" {
				tokenc <- line
				want = false
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() { r.stop(t) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "the relay did not answer /healthz within 20 s")
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case r.token = <-tokenc:
	case <-time.After(2 * time.Second):
	}
	return r
}

func (r *relay) url() string { return "http://" + r.addr + "/" }

// stop ends the relay with SIGTERM (its graceful shutdown) and waits.
func (r *relay) stop(t *testing.T) {
	select {
	case <-r.exited:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(15 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

// newBrowser starts headless Debian Chromium with a fresh profile, the flags
// this machine needs (no background networking), and downloads saved into
// downloadDir.
func newBrowser(t *testing.T, downloadDir string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("Chromium is not installed at %s (run scripts/install-test-deps.sh)", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 1000),
	}
	opts = append(opts, extra...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	events := true
	_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloadDir, EventsEnabled: &events,
	})
	require.NoError(t, err)
	return ctx
}

// shots saves screenshots: into $SPECTER_E2E_SHOTS when set (to look at
// them), else into the test's temp dir.
type shots struct {
	dir string
	n   int
}

func newShots(t *testing.T) *shots {
	dir := os.Getenv("SPECTER_E2E_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return &shots{dir: dir}
}

// take checks that every visible control of the screen has an accessible
// name (a label, aria-label or its text), then saves a PNG screenshot.
func (s *shots) take(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	unlabelled, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("input, select, textarea, button, a[href]")]
		.filter(el => el.offsetParent !== null)
		.filter(el => {
			const label = el.labels && el.labels.length ? [...el.labels].map(l => l.textContent).join(" ") : "";
			const own = el.tagName === "BUTTON" || el.tagName === "A" ? el.textContent : "";
			return !(label || el.getAttribute("aria-label") || own).trim();
		})
		.map(el => el.outerHTML.slice(0, 160))`))
	require.NoError(t, err)
	require.Empty(t, unlabelled, "controls without an accessible name on %s", name)
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	s.n++
	path := filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, name))
	require.NoError(t, os.WriteFile(path, buf, 0o644))
	_, err = png.Decode(bytes.NewReader(buf))
	require.NoError(t, err, "screenshot %s is not a PNG", name)
}

// testKey is a BIP48 multisig account key of a deterministic test seed.
type testKey struct {
	fingerprint string
	path        string
	tpub        string
}

func (k testKey) line() string { return "[" + k.fingerprint + "/" + k.path + "]" + k.tpub }

// bip48Key derives m/48'/1'/0'/2' (testnet P2WSH multisig, BIP48) of a seed
// made of one repeated byte.
func bip48Key(t *testing.T, b byte) testKey {
	t.Helper()
	return accountKey(t, b, 48, 1, 0, 2)
}

// accountKey derives the hardened path of a seed made of one repeated byte
// on testnet.
func accountKey(t *testing.T, b byte, path ...uint32) testKey {
	t.Helper()
	seed := bytes.Repeat([]byte{b}, 32)
	master, err := hdkeychain.NewMaster(seed, &chaincfg.TestNet3Params)
	require.NoError(t, err)
	pub, err := master.ECPubKey()
	require.NoError(t, err)
	k := master
	var steps []string
	for _, i := range path {
		k, err = k.Derive(hdkeychain.HardenedKeyStart + i)
		require.NoError(t, err)
		steps = append(steps, fmt.Sprintf("%dh", i))
	}
	n, err := k.Neuter()
	require.NoError(t, err)
	return testKey{
		fingerprint: hex.EncodeToString(btcutil.Hash160(pub.SerializeCompressed())[:4]),
		path:        strings.Join(steps, "/"),
		tpub:        n.String(),
	}
}

// decodeQR reads the QR code in a PNG (ZXing's decoder, independent of the
// app's encoder).
func decodeQR(t *testing.T, pngData []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(pngData))
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	require.NoError(t, err, "the receive QR code does not scan")
	return res.GetText()
}

// TestMain removes the built copy of the source tree after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.tree != "" {
		_ = os.RemoveAll(built.tree)
	}
	os.Exit(code)
}

// requireInstallable asks Chromium whether the page is an installable web
// app (manifest, icons, service worker, secure context).
func requireInstallable(t *testing.T, ctx context.Context) {
	t.Helper()
	res, err := chromedp.Call(ctx, page.GetInstallabilityErrors, cdp.Empty{})
	require.NoError(t, err)
	var ids []string
	for _, e := range res.InstallabilityErrors {
		ids = append(ids, e.ErrorID)
	}
	require.Empty(t, ids, "installability errors")
}
