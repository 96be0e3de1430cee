package tornet

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cretz/bine/tor"
	"github.com/cretz/bine/torutil"
	bined "github.com/cretz/bine/torutil/ed25519"
)

// OnionPort is the virtual port the relay's onion service listens on.
const OnionPort = 80

// LoadOrCreateOnionKey returns the ed25519 onion service key stored in
// keyFile (PEM, PKCS#8 "PRIVATE KEY"), creating it (mode 0600, directory
// 0700) the first time, so the onion address stays the same across
// restarts. A key file readable by others is tightened to 0600.
func LoadOrCreateOnionKey(keyFile string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return createOnionKey(keyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the onion key %s: %w", keyFile, err)
	}
	if st, err := os.Stat(keyFile); err == nil && st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(keyFile, 0o600); err != nil {
			return nil, fmt.Errorf("restricting the onion key %s to 0600: %w", keyFile, err)
		}
	}
	return ParseOnionKey(b)
}

// ParseOnionKey reads a PEM PKCS#8 ed25519 private key.
func ParseOnionKey(b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("onion key file is not a PEM \"PRIVATE KEY\"; delete it to get a new onion address, or restore the original file")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("onion key file: %w", err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("onion key file holds a %T, not an ed25519 key", k)
	}
	return ek, nil
}

func createOnionKey(keyFile string) (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the onion key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding the onion key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		return nil, fmt.Errorf("creating the directory of the onion key %s: %w", keyFile, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(keyFile), ".onion-key-*")
	if err != nil {
		return nil, fmt.Errorf("writing the onion key %s: %w", keyFile, err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		err = pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// Link (not rename): a key that appeared meanwhile is never overwritten.
		err = os.Link(tmp.Name(), keyFile)
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateOnionKey(keyFile)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("writing the onion key %s: %w", keyFile, err)
	}
	return priv, nil
}

// OnionAddress is the v3 onion address ("<56 chars>.onion") of key's public
// half (rend-spec-v3 section 6: base32(PUBKEY | CHECKSUM | VERSION)).
func OnionAddress(pub ed25519.PublicKey) string {
	return torutil.OnionServiceIDFromV3PublicKey(bined.PublicKey(pub)) + ".onion"
}

// Publish serves handler as a v3 onion service on virtual port 80, with the
// key kept in keyFile (see LoadOrCreateOnionKey), through a listener on
// 127.0.0.1:localPort (0 picks a free port). It returns at once (NoWait):
// the address is known before Tor has uploaded the descriptor, which
// happens when Tor is bootstrapped. Close stops it. In custom mode the tor
// must run on this host, since it forwards to 127.0.0.1:localPort; the
// service is tied to the relay's control connection and disappears with it.
func (s *Service) Publish(ctx context.Context, keyFile string, localPort int, handler http.Handler) (string, error) {
	if s.Mode() == ModeNone {
		return "", errors.New("cannot publish an onion service: Tor is off; start the relay with --tor builtin or --tor custom")
	}
	if localPort < 0 || localPort > 65535 {
		return "", fmt.Errorf("local port %d is out of range", localPort)
	}
	key, err := LoadOrCreateOnionKey(keyFile)
	if err != nil {
		return "", err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(localPort)))
	if err != nil {
		return "", fmt.Errorf("listening on 127.0.0.1:%d for the onion service: %w", localPort, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return "", errors.New("tor service is closed")
	}
	svc, err := s.tor.Listen(ctx, &tor.ListenConf{
		LocalListener: ln,
		RemotePorts:   []int{OnionPort},
		Key:           key,
		NoWait:        true,
	})
	if err != nil {
		s.mu.Unlock()
		_ = ln.Close()
		return "", fmt.Errorf("tor refused the onion service (ADD_ONION): %w", err)
	}
	// bine's control connection deadlocks under concurrent commands, so the
	// HTTP server owns only the local listener and Close removes the onion
	// (DEL_ONION) under s.mu.
	svc.CloseLocalListenerOnClose = false
	want := OnionAddress(key.Public().(ed25519.PublicKey))
	if svc.ID+".onion" != want {
		s.mu.Unlock()
		_ = svc.Close()
		return "", fmt.Errorf("tor published %s.onion but the key in %s is for %s", svc.ID, keyFile, want)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	s.onions = append(s.onions, &published{svc: svc, srv: srv})
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return want, nil
}
