// Package fees serves the relay's GET /api/fees?source=<base URL>: the
// recommended fee rates of a mempool.space-compatible server (its REST API's
// GET /api/v1/fees/recommended, parsed by shared/feeest), fetched by the
// relay so that the browser's address stays private: through Tor when Tor is
// on (always for .onion servers), cached for a short while, with timeouts
// and size limits, and clear JSON errors with hints.
//
// The relay is shared by several users, so fetching a URL a user chose is a
// server-side request forgery risk: loopback, private, link-local, CGNAT and
// multicast addresses are refused (checked on the address actually dialed,
// so a host name resolving to one is refused too) unless the admin allows
// them (Config.AllowPrivate, the relay's --fees-allow-private), and
// redirects are not followed.
package fees

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/specterpwa/specter/server/internal/httpjson"
	"github.com/specterpwa/specter/server/internal/ttlcache"
	"github.com/specterpwa/specter/shared/feeest"
)

// Defaults applied by New for zero Config fields.
const (
	// DefaultCacheFor is how long an answer is reused: mempool.space
	// updates its recommendation with each block and mempool change, and a
	// send screen opened twice in a minute needs no second request.
	DefaultCacheFor = time.Minute
	// DefaultTimeout bounds one request to a fee server (Tor included).
	DefaultTimeout = 20 * time.Second
	// maxBody caps how much of a fee server's answer is read (the answer
	// is about 100 bytes).
	maxBody = 64 << 10
	// maxCached bounds the cache (one entry per server).
	maxCached = 256
	// maxURL bounds the length of a source URL.
	maxURL = 2048
)

// DialFunc dials a TCP connection, like net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Config tunes the service.
type Config struct {
	// AllowPrivate lets sources on loopback, private, link-local or CGNAT
	// addresses be fetched (a fee server on the relay's machine or LAN).
	AllowPrivate bool
	// CacheFor is how long an answer is reused (DefaultCacheFor when zero).
	CacheFor time.Duration
	// Timeout bounds one request to a fee server (DefaultTimeout when zero).
	Timeout time.Duration
	// TorDial, when set (Tor is on), carries every connection except to
	// loopback and private literal addresses: host names are resolved by
	// Tor, and .onion servers are reachable. When nil, .onion sources are
	// refused and other hosts are dialed directly.
	TorDial DialFunc
	// Now is the clock (time.Now when nil); tests inject their own.
	Now func() time.Time
}

// Answer is the JSON body of GET /api/fees: the server's recommended rates
// in sat/vB (feeest.Recommended's fields, as mempool.space names them), the
// base URL asked and when the answer was fetched.
type Answer struct {
	feeest.Recommended
	Source    string    `json:"source"`
	FetchedAt time.Time `json:"fetched_at"`
}

// Service fetches and caches fee recommendations. Create it with New.
type Service struct {
	cfg    Config
	client *http.Client
	cache  *ttlcache.Cache[string, Answer]
}

// New returns the service for cfg.
func New(cfg Config) *Service {
	if cfg.CacheFor <= 0 {
		cfg.CacheFor = DefaultCacheFor
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg, cache: ttlcache.New[string, Answer](ttlcache.Config[Answer]{TTL: cfg.CacheFor, Max: maxCached, Now: cfg.Now})}
	s.client = &http.Client{
		Transport: &http.Transport{
			Proxy:             nil,
			DialContext:       s.dial,
			ForceAttemptHTTP2: true,
			MaxIdleConns:      8,
			IdleConnTimeout:   90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s
}

// Error is a refusal or failure of GET /api/fees with its HTTP status and
// a hint for the user.
type Error struct {
	Status int
	Err    error
	Hint   string
}

// Error returns the message.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// privateError is the dialer's refusal of a loopback or private address.
type privateError struct{ addr string }

func (e *privateError) Error() string {
	return fmt.Sprintf("the fee server's address %s is a loopback or private address, which this relay does not fetch from", e.addr)
}

const privateHint = "use a public fee server such as https://mempool.space; a fee server on the relay's own machine or network needs the relay's admin to start it with --fees-allow-private"

// Endpoint checks a source base URL (http or https, a host, no user name,
// query or fragment) and returns the normalized base (no final "/") and the
// URL of its recommended-fees endpoint. A base that already ends in /api,
// /api/v1 or /api/v1/fees/recommended is accepted too.
func Endpoint(source string) (base, endpoint string, err error) {
	const hint = "give the base URL of a mempool.space-compatible server, such as https://mempool.space or https://mempool.space/testnet"
	source = strings.TrimSpace(source)
	if source == "" {
		return "", "", &Error{Status: http.StatusBadRequest, Err: errors.New("no fee source: pass ?source= with the server's base URL"), Hint: hint}
	}
	if len(source) > maxURL {
		return "", "", &Error{Status: http.StatusBadRequest, Err: fmt.Errorf("the fee source URL is longer than %d characters", maxURL), Hint: hint}
	}
	u, perr := url.Parse(source)
	switch {
	case perr != nil:
		return "", "", &Error{Status: http.StatusBadRequest, Err: fmt.Errorf("the fee source %q is not a URL", source), Hint: hint}
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", &Error{Status: http.StatusBadRequest, Err: fmt.Errorf("the fee source %q is not an http or https URL", source), Hint: hint}
	case u.Hostname() == "":
		return "", "", &Error{Status: http.StatusBadRequest, Err: fmt.Errorf("the fee source %q has no host", source), Hint: hint}
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "":
		return "", "", &Error{Status: http.StatusBadRequest, Err: fmt.Errorf("the fee source %q has a user name, query or fragment", source), Hint: hint}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	for _, suffix := range []string{feeest.MempoolPath, "/api/v1", "/api"} {
		if strings.HasSuffix(u.Path, suffix) {
			u.Path = strings.TrimSuffix(u.Path, suffix)
			break
		}
	}
	u.RawPath = ""
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	base = u.String()
	return base, base + feeest.MempoolPath, nil
}

// blockedPrefixes are ranges that IsPrivate and the others below miss:
// "this network" (RFC 791), CGNAT shared space (RFC 6598).
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// nat64Prefixes embed an IPv4 address in their last 32 bits (RFC 6052's
// well-known prefix, RFC 8215's local-use one): on a NAT64 network they
// reach that IPv4 address.
var nat64Prefixes = []netip.Prefix{
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// Blocked reports whether ip is an address the relay refuses to fetch from
// without AllowPrivate: loopback, private (RFC 1918, RFC 4193),
// link-local (cloud metadata services live there), multicast, unspecified,
// 0.0.0.0/8 and CGNAT, also when written as an IPv4-mapped or a NAT64
// address.
func Blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range nat64Prefixes {
		if p.Contains(ip) {
			b := ip.As16()
			return Blocked(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func isOnion(host string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSuffix(host, ".")), ".onion")
}

// localName reports host names that always mean this machine.
func localName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// dial connects to a fee server: .onion through Tor (refused when Tor is
// off); literal loopback or private addresses and "localhost" only with
// AllowPrivate (then directly); other hosts through Tor when it is on, or
// directly with every resolved address checked before connecting.
func (s *Service) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q is not host:port: %w", addr, err)
	}
	if isOnion(host) {
		if s.cfg.TorDial == nil {
			return nil, &Error{Status: http.StatusBadGateway, Err: fmt.Errorf("cannot reach %s: Tor is off on this relay", addr),
				Hint: "ask the relay's admin to start it with --tor builtin or --tor custom, or use a clearnet fee server"}
		}
		return s.cfg.TorDial(ctx, network, addr)
	}
	if ip, err := netip.ParseAddr(host); err == nil || localName(host) {
		if !s.cfg.AllowPrivate && (localName(host) || Blocked(ip)) {
			return nil, &privateError{addr: host}
		}
		if s.cfg.TorDial != nil && err == nil && !Blocked(ip) {
			return s.cfg.TorDial(ctx, network, addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	if s.cfg.TorDial != nil {
		// Tor resolves the name at the exit, which does not reach this
		// relay's networks.
		return s.cfg.TorDial(ctx, network, addr)
	}
	d := net.Dialer{Control: func(_, address string, _ syscall.RawConn) error {
		if s.cfg.AllowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("unexpected dial address %q", address)
		}
		if Blocked(ap.Addr()) {
			return &privateError{addr: host + " (" + ap.Addr().String() + ")"}
		}
		return nil
	}}
	return d.DialContext(ctx, network, addr)
}

// Get returns the recommendation of the server at base (as Endpoint
// returns it): from the cache when younger than CacheFor, otherwise from the
// server. Concurrent callers for the same server share one request. Errors
// are *Error values with the status to answer and a hint.
func (s *Service) Get(ctx context.Context, base, endpoint string) (Answer, error) {
	a, err := s.cache.Get(ctx, base, func(ctx context.Context) (Answer, error) { return s.fetch(ctx, base, endpoint) })
	var we *ttlcache.WaitError
	if errors.As(err, &we) {
		return Answer{}, &Error{Status: http.StatusGatewayTimeout, Err: fmt.Errorf("waiting for the fee server %s: %w", base, we.Err), Hint: "try again"}
	}
	return a, err
}

const unreachableHint = "check the fee server's address in Settings (and that the relay reaches the internet, or Tor), or choose your node as the fee source"

// fetch asks the server once.
func (s *Service) fetch(ctx context.Context, base, endpoint string) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return Answer{}, &Error{Status: http.StatusBadRequest, Err: fmt.Errorf("building the request to %s: %w", endpoint, err), Hint: unreachableHint}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "specter-relay")
	resp, err := s.client.Do(req)
	if err != nil {
		var pe *privateError
		var fe *Error
		switch {
		case errors.As(err, &pe):
			return Answer{}, &Error{Status: http.StatusForbidden, Err: pe, Hint: privateHint}
		case errors.As(err, &fe):
			return Answer{}, fe
		case ctx.Err() != nil || isTimeout(err):
			return Answer{}, &Error{Status: http.StatusGatewayTimeout, Err: fmt.Errorf("the fee server %s did not answer within %s", base, s.cfg.Timeout), Hint: unreachableHint}
		}
		return Answer{}, &Error{Status: http.StatusBadGateway, Err: fmt.Errorf("the fee server %s is unreachable: %w", base, err), Hint: unreachableHint}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if ctx.Err() != nil || isTimeout(err) {
			return Answer{}, &Error{Status: http.StatusGatewayTimeout, Err: fmt.Errorf("the fee server %s did not finish its answer within %s", base, s.cfg.Timeout), Hint: unreachableHint}
		}
		return Answer{}, &Error{Status: http.StatusBadGateway, Err: fmt.Errorf("reading the answer of the fee server %s: %w", base, err), Hint: unreachableHint}
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return Answer{}, &Error{Status: http.StatusBadGateway, Err: fmt.Errorf("the fee server %s answered HTTP %d, a redirect to %q, which the relay does not follow", base, resp.StatusCode, resp.Header.Get("Location")),
			Hint: "give the server's final address in Settings"}
	case resp.StatusCode != http.StatusOK:
		return Answer{}, &Error{Status: http.StatusBadGateway, Err: fmt.Errorf("the fee server %s answered HTTP %d to %s", base, resp.StatusCode, feeest.MempoolPath), Hint: unreachableHint}
	case len(body) > maxBody:
		return Answer{}, &Error{Status: http.StatusBadGateway, Err: fmt.Errorf("the fee server %s answered more than %d bytes", base, maxBody), Hint: "is the address a mempool.space-compatible server?"}
	}
	rec, err := feeest.ParseRecommended(body)
	if err != nil {
		return Answer{}, &Error{Status: http.StatusBadGateway, Err: fmt.Errorf("%s: %w", base, err), Hint: "check that the address is a mempool.space-compatible server, or choose your node as the fee source"}
	}
	return Answer{Recommended: rec, Source: base, FetchedAt: s.cfg.Now().UTC()}, nil
}

// isTimeout reports a deadline that ended a request.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// Handler serves GET ?source=<base URL> at whatever path it is mounted on
// (the relay mounts it at /api/fees, behind its session checks). Answers:
// 200 with an Answer; 400 for a bad source; 403 for a source on a refused
// address; 405 for other methods; 502 when the server fails or answers
// something else than mempool.space's recommended fees; 504 when it does not
// answer in time. Errors are {"error": "...", "hint": "..."}.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			httpjson.Write(w, http.StatusMethodNotAllowed, httpjson.ErrorBody{Error: "method " + r.Method + " not allowed", Hint: "use GET /api/fees?source=https://mempool.space"})
			return
		}
		base, endpoint, err := Endpoint(r.URL.Query().Get("source"))
		if err == nil {
			var a Answer
			if a, err = s.Get(r.Context(), base, endpoint); err == nil {
				httpjson.Write(w, http.StatusOK, a)
				return
			}
		}
		var fe *Error
		if !errors.As(err, &fe) {
			fe = &Error{Status: http.StatusBadGateway, Err: err, Hint: unreachableHint}
		}
		httpjson.Write(w, fe.Status, httpjson.ErrorBody{Error: fe.Error(), Hint: fe.Hint})
	})
}
