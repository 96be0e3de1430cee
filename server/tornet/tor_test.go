package tornet

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func startBuiltin(t *testing.T, dataDir string) *Service {
	t.Helper()
	s, err := Start(t.Context(), Config{Mode: ModeBuiltin, DataDir: dataDir, TorLog: io.Discard})
	require.NoError(t, err)
	return s
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

var socksAddrRE = regexp.MustCompile(`^127\.0\.0\.1:[0-9]+$`)

func TestBuiltinStartsRealTorReportsStatusAndStops(t *testing.T) {
	bin := requireTor(t)
	want := torVersion(t, bin)
	dataDir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	s, err := Start(ctx, Config{Mode: ModeBuiltin, DataDir: dataDir, TorLog: io.Discard})
	require.NoError(t, err)
	cancel() // the start context ending must not stop tor

	st := s.Status(t.Context())
	require.Equal(t, ModeBuiltin, st.Mode)
	require.True(t, st.Running)
	require.Equal(t, want, st.Version)
	require.Empty(t, st.Error)
	require.Regexp(t, socksAddrRE, st.SOCKSAddr)
	require.Equal(t, s.SOCKSAddr(), st.SOCKSAddr)
	require.NotEmpty(t, st.BootstrapTag)
	if st.CircuitEstablished { // only possible with internet access
		require.Equal(t, 100, st.BootstrapPercent)
	}

	info, err := os.Stat(filepath.Join(dataDir, "tor"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	_, err = os.Stat(filepath.Join(dataDir, "tor", "control_auth_cookie"))
	require.NoError(t, err, "builtin tor must use cookie authentication")

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "second Close is a no-op")
	st = s.Status(t.Context())
	require.Equal(t, Status{Mode: ModeBuiltin, SOCKSAddr: s.SOCKSAddr(), Error: "tor's control port: tor is not running"}, st)
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", s.SOCKSAddr(), time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}, time.Minute, 50*time.Millisecond, "tor's SOCKS port still open after Close")
}

func TestPublishKeepsTheOnionAddressAcrossRestarts(t *testing.T) {
	requireTor(t)
	dataDir := t.TempDir()
	keyFile := filepath.Join(dataDir, "onion", "relay.key")
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "specter relay")
	})

	var first string
	for i := range 2 {
		s := startBuiltin(t, dataDir)
		port := freePort(t)
		start := time.Now()
		onion, err := s.Publish(t.Context(), keyFile, port, handler)
		require.NoError(t, err)
		require.Less(t, time.Since(start), 5*time.Second, "Publish must not wait for bootstrap")
		require.Regexp(t, `^[a-z2-7]{56}\.onion$`, onion)

		key, err := LoadOrCreateOnionKey(keyFile)
		require.NoError(t, err)
		require.Equal(t, OnionAddress(key.Public().(ed25519.PublicKey)), onion)
		fi, err := os.Stat(keyFile)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

		// Tor knows the service, and the local side serves the handler.
		cur, err := s.getInfo("onions/current")
		require.NoError(t, err)
		require.Equal(t, strings.TrimSuffix(onion, ".onion"), strings.TrimSpace(cur["onions/current"]))
		require.Equal(t, onion, s.Status(t.Context()).Onion)
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.Equal(t, "specter relay", string(body))

		if i == 0 {
			first = onion
		} else {
			require.Equal(t, first, onion, "same key file, same onion address")
		}
		require.NoError(t, s.Close())
	}

	// Another key file gives another address.
	s := startBuiltin(t, dataDir)
	defer s.Close()
	other, err := s.Publish(t.Context(), filepath.Join(dataDir, "other.key"), 0, handler)
	require.NoError(t, err)
	require.NotEqual(t, first, other)
}

func TestRealTorPublishesTheVectorKeyAtItsAddress(t *testing.T) {
	requireTor(t)
	v := onionVectors(t)[0]
	seed, err := hex.DecodeString(v.Seed)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(seed))
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "rfc8032.key")
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	s := startBuiltin(t, t.TempDir())
	defer s.Close()
	onion, err := s.Publish(t.Context(), keyFile, 0, http.NotFoundHandler())
	require.NoError(t, err)
	require.Equal(t, v.Address, onion)
}

func TestDialThroughTorSOCKSOffline(t *testing.T) {
	requireTor(t)
	s := startBuiltin(t, t.TempDir())
	defer s.Close()

	t.Run("malformed onion address is refused by tor at once with extended error 0xF6", func(t *testing.T) {
		_, err := s.DialContext(t.Context(), "tcp", "abcdef.onion:80")
		require.EqualError(t, err, "tor could not connect to abcdef.onion:80: invalid onion address: check it is a 56-character v3 .onion address")
		var se *SOCKSError
		require.True(t, errors.As(err, &se))
		require.Equal(t, byte(0xF6), se.Code)
	})

	t.Run("well-formed onion while tor cannot bootstrap ends with the deadline and says why", func(t *testing.T) {
		pub, _, err := ed25519.GenerateKey(nil)
		require.NoError(t, err)
		addr := OnionAddress(pub) + ":80"
		ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
		defer cancel()
		_, err = s.DialContext(ctx, "tcp", addr)
		require.Error(t, err)
		if errors.Is(err, context.DeadlineExceeded) {
			require.True(t, strings.HasPrefix(err.Error(), "tor could not connect to "+addr+" in time: tor has bootstrapped "), err.Error())
		} else { // a machine with internet may get the descriptor lookup's answer first
			var se *SOCKSError
			require.True(t, errors.As(err, &se), err.Error())
		}
	})

	t.Run("HTTPClient sends .onion URLs through tor's SOCKS port", func(t *testing.T) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://abcdef.onion/api/v3/simple/price", nil)
		require.NoError(t, err)
		_, err = s.HTTPClient().Do(req)
		require.EqualError(t, err, `Get "http://abcdef.onion/api/v3/simple/price": tor could not connect to abcdef.onion:80: invalid onion address: check it is a 56-character v3 .onion address`)
	})

	t.Run("loopback addresses are dialed directly, not through tor", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "local node")
		}))
		defer srv.Close()
		require.Same(t, s.HTTPClient(), s.HTTPClient(), "one client per Service")
		resp, err := s.HTTPClient().Get(srv.URL)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.Equal(t, "local node", string(body))
	})
}

func TestCustomModeUsesAnExistingTor(t *testing.T) {
	bin := requireTor(t)
	want := torVersion(t, bin)

	t.Run("cookie authentication, exact status of a tor with DisableNetwork, publish, Close leaves the tor running", func(t *testing.T) {
		addr := ownTor(t, bin, "--CookieAuthentication", "1", "--DisableNetwork", "1")
		s, err := Start(t.Context(), Config{Mode: ModeCustom, ControlAddr: addr})
		require.NoError(t, err)
		require.Equal(t, Status{Mode: ModeCustom, Running: true, Version: want, BootstrapPercent: 0,
			BootstrapTag: "starting", BootstrapSummary: "Starting"}, s.Status(t.Context()))

		// DisableNetwork also closes the SOCKS listener: dialing says what to change.
		_, err = s.DialContext(t.Context(), "tcp", "example.com:443")
		require.EqualError(t, err, "cannot reach example.com:443: tor has no TCP SOCKS port: set SocksPort in its torrc (e.g. SocksPort 9050) and make sure DisableNetwork is 0")

		onion, err := s.Publish(t.Context(), filepath.Join(t.TempDir(), "k"), 0, http.NotFoundHandler())
		require.NoError(t, err)
		require.Equal(t, onion, s.Status(t.Context()).Onion)
		require.NoError(t, s.Close())

		again, err := Start(t.Context(), Config{Mode: ModeCustom, ControlAddr: addr})
		require.NoError(t, err, "the user's tor must survive the relay's Close")
		defer again.Close()
		cur, err := again.getInfo("onions/current")
		require.NoError(t, err)
		require.Equal(t, "", strings.TrimSpace(cur["onions/current"]), "the onion goes away with the relay's control connection")
	})

	t.Run("SOCKS port of the existing tor is found and used", func(t *testing.T) {
		addr := ownTor(t, bin, "--CookieAuthentication", "1")
		s, err := Start(t.Context(), Config{Mode: ModeCustom, ControlAddr: addr})
		require.NoError(t, err)
		defer s.Close()
		require.Regexp(t, socksAddrRE, s.SOCKSAddr())
		_, err = s.DialContext(t.Context(), "tcp", "abcdef.onion:80")
		require.EqualError(t, err, "tor could not connect to abcdef.onion:80: invalid onion address: check it is a 56-character v3 .onion address")
	})

	t.Run("password authentication", func(t *testing.T) {
		addr := ownTor(t, bin, "--CookieAuthentication", "0", "--HashedControlPassword", hashPassword(t, bin, "correct horse"))
		s, err := Start(t.Context(), Config{Mode: ModeCustom, ControlAddr: addr, ControlPassword: "correct horse"})
		require.NoError(t, err)
		require.Equal(t, want, s.Status(t.Context()).Version)
		require.NoError(t, s.Close())

		_, err = Start(t.Context(), Config{Mode: ModeCustom, ControlAddr: addr, ControlPassword: "wrong"})
		require.Error(t, err)
		require.True(t, strings.HasPrefix(err.Error(), "tor control port "+addr+" refused authentication: "), err.Error())
		require.True(t, strings.HasSuffix(err.Error(), "; check the control password against tor's HashedControlPassword"), err.Error())

		_, err = Start(t.Context(), Config{Mode: ModeCustom, ControlAddr: addr})
		require.EqualError(t, err, "tor control port "+addr+" refused authentication: password auth needs a password; set the control password (--tor-control-password) that matches tor's HashedControlPassword")
	})

	t.Run("nothing listening on the control port", func(t *testing.T) {
		addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
		_, err := Start(t.Context(), Config{Mode: ModeCustom, ControlAddr: addr})
		require.Error(t, err)
		require.True(t, strings.HasPrefix(err.Error(), "cannot reach the tor control port "+addr+": "), err.Error())
		require.True(t, strings.HasSuffix(err.Error(), " (is tor running with ControlPort set?)"), err.Error())
	})
}

func TestModeNone(t *testing.T) {
	s, err := Start(t.Context(), Config{Mode: ""})
	require.NoError(t, err)
	require.Equal(t, Status{Mode: ModeNone}, s.Status(t.Context()))
	_, err = s.DialContext(t.Context(), "tcp", "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion:80")
	require.EqualError(t, err, "cannot reach abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion:80: Tor is off; start the relay with --tor builtin or --tor custom to reach .onion nodes")
	_, err = s.Publish(t.Context(), filepath.Join(t.TempDir(), "k"), 0, http.NotFoundHandler())
	require.EqualError(t, err, "cannot publish an onion service: Tor is off; start the relay with --tor builtin or --tor custom")
	require.NoError(t, s.Close())

	var nilService *Service
	require.Equal(t, Status{Mode: ModeNone}, nilService.Status(t.Context()))
	require.NoError(t, nilService.Close())

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "direct") }))
	defer srv.Close()
	resp, err := nilService.HTTPClient().Get(srv.URL)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, "direct", string(body))
}

func TestStartConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "unknown mode", cfg: Config{Mode: "tails"}, wantErr: `tor mode "tails" is not one of none, builtin, custom`},
		{name: "custom without control address", cfg: Config{Mode: ModeCustom}, wantErr: "custom tor needs a control port address (--tor-control, e.g. 127.0.0.1:9051)"},
		{name: "builtin with a missing binary", cfg: Config{Mode: ModeBuiltin, DataDir: "x", TorBinary: "/nonexistent/tor"},
			wantErr: `tor binary "/nonexistent/tor" not found or not executable: exec: "/nonexistent/tor": stat /nonexistent/tor: no such file or directory`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Start(t.Context(), tc.cfg)
			require.EqualError(t, err, tc.wantErr)
		})
	}
}
