//go:build unix

package e2e

import (
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/server"
	"github.com/specterpwa/specter/server/tornet"
)

// TestAdminSeesTheRelaysOnionAddressWithItsQRCodeInSettings runs the relay
// with --tor builtin (Debian's tor, started offline: the onion service is
// published without waiting for Tor to bootstrap). First without
// --tor-publish: the admin's settings show the builtin mode, tor running
// and no onion address; a user who is not an admin is told that only
// admins see it. Restarted with --tor-publish, the Tor panel shows
// the onion address that GET /api/tor answers, which is the address of the
// key the relay keeps in DATADIR/tor (rend-spec-v3), and a QR code that
// scans as http:// and that address. With the relay stopped, the panel
// says the relay is not reachable.
func TestAdminSeesTheRelaysOnionAddressWithItsQRCodeInSettings(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app, runs tor and drives Chromium: not in -short")
	}
	if _, err := tornet.FindTorBinary(""); err != nil {
		t.Skipf("skipping: %v (make deps or apt-get install tor installs it)", err)
	}
	bin := specterBinary(t)
	dataDir := t.TempDir()
	addr := freeAddr(t)
	// No demo node: the test is about Tor, and needs no btcd.
	t.Setenv("SPECTER_DEMO", "off")
	rl := startRelay(t, bin, dataDir, addr, "--tor", "builtin")
	bctx := newBrowser(t, t.TempDir())
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(cancel)
	shot := newShots(t)

	createAdmin(t, ctx, rl)
	waitJS(t, ctx, "the session", `[...document.querySelectorAll("main h2")].some(h => h.textContent === "Connected")`)
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	waitJS(t, ctx, "the Tor status", `document.querySelector("[data-testid=tor-status]")`)
	require.Equal(t, "builtin: the relay runs its own tor", text(t, ctx, "[data-testid=tor-mode]"))
	require.True(t, strings.HasPrefix(text(t, ctx, "[data-testid=tor-status]"), "running, "), text(t, ctx, "[data-testid=tor-status]"))
	require.Equal(t, "The relay is not published as an onion service: start it with --tor-publish to get an onion address.",
		text(t, ctx, "[data-testid=tor-no-onion]"))
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("[data-testid=tor-onion]")`))

	// A user who is not an admin is told that only admins see it (the
	// relay refuses them /api/tor).
	eval[map[string]any](t, ctx, `specterApp.relay.request("POST", "/api/auth/users", {username: "bob", password: "bob's long password", admin: false})`)
	goHash(t, ctx, "#/welcome")
	clickButton(t, ctx, "Log out")
	logIn(t, ctx, "bob", "bob's long password")
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	waitJS(t, ctx, "the Tor message", `document.querySelector("[data-testid=tor-message]")`)
	require.Equal(t, "Only an admin of the relay sees its Tor settings.", text(t, ctx, "[data-testid=tor-message]"))
	require.Equal(t, 403.0, eval[float64](t, ctx, `specterApp.relay.tor().then(() => 200, e => e.status)`))
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("[data-testid=tor-mode]")`))
	goHash(t, ctx, "#/welcome")
	clickButton(t, ctx, "Log out")
	waitJS(t, ctx, "the login form", `document.querySelector("input[name=username]")`)

	// Published as an onion service (an admin exists now, so the relay
	// agrees to publish).
	rl.stop(t)
	rl = startRelay(t, bin, dataDir, addr, "--tor", "builtin", "--tor-publish")
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(rl.url()+"#/welcome")))
	waitJS(t, ctx, "the welcome screen", `[...document.querySelectorAll("main h2")].some(h => h.textContent === "Connected" || h.textContent === "Log in to the relay")`)
	if eval[bool](t, ctx, `!!document.querySelector("input[name=username]")`) {
		logIn(t, ctx, "admin", "correct horse battery")
	}
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	waitJS(t, ctx, "the onion address", `document.querySelector("[data-testid=tor-onion]")`)
	api := eval[map[string]any](t, ctx, `specterApp.relay.tor()`)
	require.Equal(t, "builtin", api["mode"])
	require.Equal(t, true, api["running"])
	onion, _ := api["onion"].(string)
	require.Regexp(t, `^[a-z2-7]{56}\.onion$`, onion)
	require.Equal(t, onion, text(t, ctx, "[data-testid=tor-onion]"), "the panel shows /api/tor's onion address")
	keyData, err := os.ReadFile(filepath.Join(dataDir, "tor", server.OnionKeyFile))
	require.NoError(t, err)
	key, err := tornet.ParseOnionKey(keyData)
	require.NoError(t, err)
	require.Equal(t, tornet.OnionAddress(key.Public().(ed25519.PublicKey)), onion, "the address is the relay's onion key's")
	require.Equal(t, "http://"+onion, decodeQR(t, canvasPNG(t, ctx, "[data-testid=tor-qr]")))
	require.Equal(t, "builtin: the relay runs its own tor", text(t, ctx, "[data-testid=tor-mode]"))
	require.True(t, eval[bool](t, ctx, `[...document.querySelectorAll("[data-testid=tor-panel] button")].some(b => b.textContent === "Copy the onion address")`))
	shot.take(t, ctx, "settings-tor")

	// Without the relay the panel says so (the page and engine stay).
	rl.stop(t)
	goHash(t, ctx, "#/wallets")
	waitHeading(t, ctx, "Wallets")
	goHash(t, ctx, "#/settings")
	waitHeading(t, ctx, "Settings")
	waitJS(t, ctx, "the Tor message", `document.querySelector("[data-testid=tor-message]")`)
	require.Equal(t, "The relay is not reachable, so its Tor status is unknown.", text(t, ctx, "[data-testid=tor-message]"))
	require.False(t, eval[bool](t, ctx, `!!document.querySelector("[data-testid=tor-onion]")`))
}
