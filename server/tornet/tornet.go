// Package tornet gives the relay Tor through github.com/cretz/bine and the
// Debian tor binary, as Specter Desktop's Tor modes do: "none" (no Tor),
// "builtin" (the relay starts and owns a tor process, data dir under the
// relay's) and "custom" (an existing tor's control port). It dials through
// Tor's SOCKS5 port (RFC 1928, with Tor's extended onion-service error codes,
// Tor proposal 304), publishes the relay as a v3 onion service with a
// persistent ed25519 key (rend-spec-v3), and reports status from the control
// port (control-spec: GETINFO version, status/bootstrap-phase,
// status/circuit-established, net/listeners/socks).
package tornet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cretz/bine/control"
	"github.com/cretz/bine/process"
	"github.com/cretz/bine/tor"
)

// Mode is how the relay uses Tor.
type Mode string

// The Tor modes of --tor.
const (
	ModeNone    Mode = "none"
	ModeBuiltin Mode = "builtin"
	ModeCustom  Mode = "custom"
)

// ParseMode reads a --tor value ("" means none).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", ModeNone:
		return ModeNone, nil
	case ModeBuiltin, ModeCustom:
		return m, nil
	}
	return "", fmt.Errorf("tor mode %q is not one of none, builtin, custom", s)
}

// Config configures Start.
type Config struct {
	Mode Mode
	// DataDir is the relay's data dir; builtin mode keeps tor's state in
	// DataDir/tor (created 0700).
	DataDir string
	// ControlAddr is the control port of custom mode: "127.0.0.1:9051" or
	// "unix:/run/tor/control".
	ControlAddr string
	// ControlPassword is custom mode's control password; empty means cookie
	// (SAFECOOKIE) or no authentication, whichever the tor offers.
	ControlPassword string
	// TorBinary is builtin mode's tor executable; empty means "tor" on PATH,
	// then /usr/bin/tor and /usr/sbin/tor.
	TorBinary string
	// TorLog receives the builtin tor's own console output (os.Stderr when nil).
	TorLog io.Writer
}

// Status is what the settings page shows about Tor.
type Status struct {
	Mode               Mode   `json:"mode"`
	Running            bool   `json:"running"`
	Version            string `json:"version,omitempty"`
	BootstrapPercent   int    `json:"bootstrap_percent"`
	BootstrapTag       string `json:"bootstrap_tag,omitempty"`
	BootstrapSummary   string `json:"bootstrap_summary,omitempty"`
	CircuitEstablished bool   `json:"circuit_established"`
	SOCKSAddr          string `json:"socks_addr,omitempty"`
	Onion              string `json:"onion,omitempty"`
	Error              string `json:"error,omitempty"`
}

// Service is a running Tor connection (or the "none" mode). A nil *Service
// behaves as mode none.
type Service struct {
	mode   Mode
	tor    *tor.Tor // builtin: owns the process; custom: wraps the control conn
	mu     sync.Mutex
	socks  string
	onions []*published
	client *http.Client
	closed bool
}

type published struct {
	svc *tor.OnionService
	srv *http.Server
}

// Start opens Tor in cfg.Mode. Builtin starts tor with its network on
// (about 0.3 s; it does not wait for bootstrap, which Status reports) and
// keeps it running until Close, whatever happens to ctx. Custom
// connects and authenticates to cfg.ControlAddr. None returns a Service
// that dials directly and refuses .onion addresses.
func Start(ctx context.Context, cfg Config) (*Service, error) {
	mode, err := ParseMode(string(cfg.Mode))
	if err != nil {
		return nil, err
	}
	s := &Service{mode: mode}
	switch mode {
	case ModeNone:
		return s, nil
	case ModeBuiltin:
		err = s.startBuiltin(ctx, cfg)
	case ModeCustom:
		err = s.connectCustom(ctx, cfg)
	}
	if err != nil {
		return nil, err
	}
	// A tor with DisableNetwork set has no SOCKS listener yet: DialContext
	// asks again and explains.
	s.socks, _ = s.socksAddr()
	return s, nil
}

// FindTorBinary returns the tor executable to run: explicit when set,
// otherwise "tor" on PATH, /usr/bin/tor or /usr/sbin/tor.
func FindTorBinary(explicit string) (string, error) {
	if explicit != "" {
		p, err := exec.LookPath(explicit)
		if err != nil {
			return "", fmt.Errorf("tor binary %q not found or not executable: %w", explicit, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("tor"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/tor", "/usr/sbin/tor"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("the tor binary is not installed: install Debian's tor package (apt-get install tor), pass its path with --tor-binary, or use --tor none")
}

func (s *Service) startBuiltin(ctx context.Context, cfg Config) error {
	bin, err := FindTorBinary(cfg.TorBinary)
	if err != nil {
		return err
	}
	if cfg.DataDir == "" {
		return errors.New("builtin tor needs the relay's data dir")
	}
	dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "tor"))
	if err != nil {
		return fmt.Errorf("builtin tor data dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the tor data dir %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restricting the tor data dir %s to 0700: %w", dir, err)
	}
	// bine writes a control-port-* file per start; drop the old ones.
	old, _ := filepath.Glob(filepath.Join(dir, "control-port-*"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	torrc := filepath.Join(dir, "torrc")
	if err := os.WriteFile(torrc, nil, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", torrc, err)
	}
	logw := cfg.TorLog
	if logw == nil {
		logw = os.Stderr
	}
	creator := process.CmdCreatorFunc(func(pctx context.Context, args ...string) (*exec.Cmd, error) {
		cmd := exec.CommandContext(pctx, bin, args...)
		cmd.Stdout, cmd.Stderr = logw, logw
		return cmd, nil
	})
	// The process lives until Close, not until the caller's ctx ends.
	t, err := tor.Start(context.WithoutCancel(ctx), &tor.StartConf{
		ProcessCreator:  creator,
		DataDir:         dir,
		TorrcFile:       torrc,
		EnableNetwork:   true,
		NoAutoSocksPort: true,
		ExtraArgs:       []string{"--SocksPort", "127.0.0.1:auto ExtendedErrors"},
	})
	if err != nil {
		return fmt.Errorf("starting tor (%s) in %s: %w", bin, dir, err)
	}
	s.tor = t
	return nil
}

func (s *Service) connectCustom(ctx context.Context, cfg Config) error {
	addr := strings.TrimSpace(cfg.ControlAddr)
	if addr == "" {
		return errors.New("custom tor needs a control port address (--tor-control, e.g. 127.0.0.1:9051)")
	}
	network := "tcp"
	if strings.HasPrefix(addr, "unix:") {
		network, addr = "unix", strings.TrimPrefix(addr, "unix:")
	}
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	nc, err := d.DialContext(dctx, network, addr)
	if err != nil {
		return fmt.Errorf("cannot reach the tor control port %s: %w (is tor running with ControlPort set?)", cfg.ControlAddr, err)
	}
	conn := control.NewConn(textproto.NewConn(nc))
	if err := conn.Authenticate(cfg.ControlPassword); err != nil {
		_ = conn.Close()
		hint := "set the control password (--tor-control-password) that matches tor's HashedControlPassword"
		if cfg.ControlPassword != "" {
			hint = "check the control password against tor's HashedControlPassword"
		}
		if strings.Contains(err.Error(), "COOKIEFILE") {
			hint = "let the relay read tor's cookie file (e.g. add its user to the debian-tor group) or use a control password"
		}
		return fmt.Errorf("tor control port %s refused authentication: %w; %s", cfg.ControlAddr, err, hint)
	}
	s.tor = &tor.Tor{Control: conn}
	return nil
}

// stopBuiltin halts the tor process the relay started and waits until it
// has exited. bine's Tor.Close waits only 300 ms, which a loaded machine
// exceeds, and passes on tor's exit status, but tor 0.4.9 may abort in its own
// exit path after HALT ("Error locking a mutex"): once tor was told to halt
// (or was killed) and has exited, it has stopped, whatever its status.
func stopBuiltin(t *tor.Tor) error {
	halted := false
	if t.Control != nil {
		halted = t.Control.Signal("HALT") == nil
		_ = t.Control.Close()
		t.Control = nil
	}
	if t.Process == nil {
		return nil
	}
	if !halted && t.ProcessCancelFunc != nil {
		t.ProcessCancelFunc() // kills tor
	}
	exited := make(chan struct{})
	go func() {
		_ = t.Process.Wait()
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		if t.ProcessCancelFunc == nil {
			return errors.New("tor did not exit within 30s of HALT")
		}
		t.ProcessCancelFunc()
		<-exited
	}
	t.Process = nil
	return nil
}

// socksAddr asks tor where its SOCKS port listens.
func (s *Service) socksAddr() (string, error) {
	vals, err := s.getInfo("net/listeners/socks")
	if err != nil {
		return "", fmt.Errorf("asking tor for its SOCKS port: %w", err)
	}
	for _, a := range strings.Fields(vals["net/listeners/socks"]) {
		a = strings.Trim(a, `"`)
		if !strings.HasPrefix(a, "unix:") {
			return a, nil
		}
	}
	return "", errors.New("tor has no TCP SOCKS port: set SocksPort in its torrc (e.g. SocksPort 9050) and make sure DisableNetwork is 0")
}

// getInfo runs GETINFO keys on the control port.
func (s *Service) getInfo(keys ...string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.tor == nil || s.tor.Control == nil {
		return nil, errors.New("tor is not running")
	}
	kvs, err := s.tor.Control.GetInfo(keys...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		out[kv.Key] = kv.Val
	}
	return out, nil
}

// Mode reports the service's mode.
func (s *Service) Mode() Mode {
	if s == nil {
		return ModeNone
	}
	return s.mode
}

// SOCKSAddr is tor's SOCKS5 listener ("" in mode none).
func (s *Service) SOCKSAddr() string {
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.socks
}

// Status reads the control port: tor version, bootstrap phase and whether a
// circuit is established, plus the published onion address. In mode none it
// only says so; a dead control connection is reported in Error.
func (s *Service) Status(ctx context.Context) Status {
	st := Status{Mode: s.Mode()}
	if s.Mode() == ModeNone {
		return st
	}
	st.SOCKSAddr = s.SOCKSAddr()
	s.mu.Lock()
	if len(s.onions) > 0 {
		st.Onion = s.onions[0].svc.ID + ".onion"
	}
	s.mu.Unlock()
	type res struct {
		vals map[string]string
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		v, err := s.getInfo("version", "status/bootstrap-phase", "status/circuit-established")
		ch <- res{v, err}
	}()
	var r res
	select {
	case r = <-ch:
	case <-ctx.Done():
		st.Error = "tor's control port did not answer: " + ctx.Err().Error()
		return st
	}
	if r.err != nil {
		st.Error = "tor's control port: " + r.err.Error()
		return st
	}
	st.Running = true
	st.Version = r.vals["version"]
	if ph, err := ParseBootstrapPhase(r.vals["status/bootstrap-phase"]); err == nil {
		st.BootstrapPercent, st.BootstrapTag, st.BootstrapSummary = ph.Progress, ph.Tag, ph.Summary
	} else {
		st.Error = err.Error()
	}
	st.CircuitEstablished = r.vals["status/circuit-established"] == "1"
	return st
}

// HTTPClient returns the service's client (one per Service, sharing its
// connection pool) whose connections go through DialContext (through Tor
// unless the mode is none), with proxy settings from the environment
// ignored so nothing bypasses Tor.
func (s *Service) HTTPClient() *http.Client {
	if s == nil {
		return newHTTPClient(s)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		s.client = newHTTPClient(s)
	}
	return s.client
}

func newHTTPClient(s *Service) *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           s.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: time.Minute,
		},
	}
}

// Close unpublishes the onion services, stops their HTTP servers, and stops
// the builtin tor (or closes the custom control connection). Safe to call
// twice.
func (s *Service) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	onions := s.onions
	s.onions = nil
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
	s.mu.Unlock()
	for _, p := range onions {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = p.srv.Shutdown(ctx)
		cancel()
	}
	// All control-port commands run under s.mu (bine's Conn is not safe for
	// concurrent commands).
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, p := range onions {
		if err := p.svc.Close(); err != nil {
			errs = append(errs, fmt.Errorf("removing onion service %s: %w", p.svc.ID, err))
		}
	}
	if t := s.tor; t != nil {
		if s.mode == ModeBuiltin {
			if err := stopBuiltin(t); err != nil {
				errs = append(errs, fmt.Errorf("stopping tor: %w", err))
			}
		} else if t.Control != nil {
			if err := t.Control.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing the tor control connection: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}
