package tornet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// SOCKSError is a refusal from Tor's SOCKS5 port: the RFC 1928 reply code,
// or one of Tor's extended onion-service codes (proposal 304, 0xF0-0xF7).
type SOCKSError struct {
	Addr string
	Code byte
}

// socksReplies are the RFC 1928 section 6 codes and Tor's ExtendedErrors.
var socksReplies = map[byte]string{
	0x01: "general SOCKS server failure",
	0x02: "connection not allowed by tor's exit policy",
	0x03: "network unreachable",
	0x04: "host unreachable",
	0x05: "connection refused by the destination",
	0x06: "TTL expired (the circuit timed out)",
	0x07: "command not supported",
	0x08: "address type not supported",
	0xF0: "onion service descriptor not found: the service is offline or the address is wrong",
	0xF1: "onion service descriptor is invalid",
	0xF2: "onion service introduction failed",
	0xF3: "onion service rendezvous failed",
	0xF4: "onion service needs client authorization",
	0xF5: "onion service refused the client authorization",
	0xF6: "invalid onion address: check it is a 56-character v3 .onion address",
	0xF7: "onion service introduction timed out",
}

// Error says which address tor could not reach and why.
func (e *SOCKSError) Error() string {
	msg, ok := socksReplies[e.Code]
	if !ok {
		msg = fmt.Sprintf("unknown SOCKS reply code 0x%02x", e.Code)
	}
	return fmt.Sprintf("tor could not connect to %s: %s", e.Addr, msg)
}

// DialContext connects to addr ("host:port"). With Tor on, it goes through
// Tor's SOCKS5 port with the host name resolved by Tor (no local DNS), except
// loopback and private addresses (and "localhost"), which Tor would refuse
// and which are dialed directly. In mode none, .onion addresses are refused
// and everything else is dialed directly. When ctx ends before Tor connects,
// the error says how far Tor has bootstrapped.
func (s *Service) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q is not host:port: %w", addr, err)
	}
	onion := strings.HasSuffix(strings.ToLower(strings.TrimSuffix(host, ".")), ".onion")
	var direct net.Dialer
	if s.Mode() == ModeNone || (!onion && isLocal(host)) {
		if onion {
			return nil, fmt.Errorf("cannot reach %s: Tor is off; start the relay with --tor builtin or --tor custom to reach .onion nodes", addr)
		}
		return direct.DialContext(ctx, network, addr)
	}
	if network != "tcp" && network != "tcp4" && network != "tcp6" {
		return nil, fmt.Errorf("cannot dial %s over %s: Tor carries TCP only", addr, network)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return nil, fmt.Errorf("address %q has an invalid port", addr)
	}
	socks := s.SOCKSAddr()
	if socks == "" {
		a, err := s.socksAddr()
		if err != nil {
			return nil, fmt.Errorf("cannot reach %s: %w", addr, err)
		}
		s.mu.Lock()
		s.socks, socks = a, a
		s.mu.Unlock()
	}
	conn, err := direct.DialContext(ctx, "tcp", socks)
	if err != nil {
		return nil, fmt.Errorf("cannot reach tor's SOCKS port %s: %w (is tor still running?)", socks, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	err = socksConnect(conn, host, uint16(p))
	if !stop() || ctx.Err() != nil {
		_ = conn.Close()
		return nil, s.timeoutError(addr, ctx.Err())
	}
	if err != nil {
		_ = conn.Close()
		var se *SOCKSError
		if errors.As(err, &se) {
			se.Addr = addr
			return nil, se
		}
		return nil, fmt.Errorf("SOCKS handshake with tor (%s) for %s failed: %w", socks, addr, err)
	}
	return conn, nil
}

func (s *Service) timeoutError(addr string, cause error) error {
	st := s.Status(context.Background())
	if !st.CircuitEstablished {
		return fmt.Errorf("tor could not connect to %s in time: tor has bootstrapped %d%% (%s) and has no circuit yet; check the relay's internet connection: %w",
			addr, st.BootstrapPercent, st.BootstrapSummary, cause)
	}
	return fmt.Errorf("tor could not connect to %s in time; the destination may be offline: %w", addr, cause)
}

func isLocal(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified())
}

// socksConnect runs an RFC 1928 no-authentication CONNECT for host:port on
// conn, sending the host as a domain name so Tor resolves it.
func socksConnect(conn io.ReadWriter, host string, port uint16) error {
	if len(host) == 0 || len(host) > 255 {
		return fmt.Errorf("host name %q cannot be sent over SOCKS5 (1-255 bytes)", host)
	}
	if _, err := conn.Write([]byte{5, 1, 0}); err != nil {
		return fmt.Errorf("sending SOCKS greeting: %w", err)
	}
	var hello [2]byte
	if _, err := io.ReadFull(conn, hello[:]); err != nil {
		return fmt.Errorf("reading SOCKS greeting reply: %w", err)
	}
	if hello[0] != 5 {
		return fmt.Errorf("not a SOCKS5 server (version byte %d)", hello[0])
	}
	if hello[1] != 0 {
		return fmt.Errorf("SOCKS server wants authentication method %d; tor's SocksPort needs none", hello[1])
	}
	req := make([]byte, 0, 7+len(host))
	req = append(req, 5, 1, 0, 3, byte(len(host)))
	req = append(req, host...)
	req = binary.BigEndian.AppendUint16(req, port)
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("sending SOCKS CONNECT: %w", err)
	}
	return readSOCKSReply(conn)
}

// readSOCKSReply reads an RFC 1928 section 6 reply and returns a
// *SOCKSError for a non-zero reply code.
func readSOCKSReply(r io.Reader) error {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return fmt.Errorf("reading SOCKS reply: %w", err)
	}
	if head[0] != 5 {
		return fmt.Errorf("SOCKS reply has version %d, expected 5", head[0])
	}
	var skip int
	switch head[3] {
	case 1:
		skip = 4
	case 4:
		skip = 16
	case 3:
		var l [1]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return fmt.Errorf("reading SOCKS reply address: %w", err)
		}
		skip = int(l[0])
	default:
		if head[1] != 0 {
			return &SOCKSError{Code: head[1]}
		}
		return fmt.Errorf("SOCKS reply has unknown address type %d", head[3])
	}
	if _, err := io.ReadFull(r, make([]byte, skip+2)); err != nil {
		if head[1] != 0 {
			return &SOCKSError{Code: head[1]}
		}
		return fmt.Errorf("reading SOCKS reply address: %w", err)
	}
	if head[1] != 0 {
		return &SOCKSError{Code: head[1]}
	}
	return nil
}

// BootstrapPhase is tor's status/bootstrap-phase (control-spec 4.1.10):
// `NOTICE BOOTSTRAP PROGRESS=50 TAG=loading_descriptors SUMMARY="Loading relay descriptors"`.
type BootstrapPhase struct {
	Severity string
	Progress int
	Tag      string
	Summary  string
}

// ParseBootstrapPhase reads a status/bootstrap-phase value.
func ParseBootstrapPhase(s string) (BootstrapPhase, error) {
	var ph BootstrapPhase
	fields, err := splitQuoted(s)
	if err != nil {
		return ph, fmt.Errorf("tor bootstrap phase %q: %w", s, err)
	}
	if len(fields) < 2 || fields[1] != "BOOTSTRAP" {
		return ph, fmt.Errorf("tor bootstrap phase %q does not start with SEVERITY BOOTSTRAP", s)
	}
	ph.Severity = fields[0]
	seen := false
	for _, f := range fields[2:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		switch k {
		case "PROGRESS":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100 {
				return BootstrapPhase{}, fmt.Errorf("tor bootstrap phase %q has a bad PROGRESS", s)
			}
			ph.Progress, seen = n, true
		case "TAG":
			ph.Tag = v
		case "SUMMARY":
			ph.Summary = v
		}
	}
	if !seen {
		return BootstrapPhase{}, fmt.Errorf("tor bootstrap phase %q has no PROGRESS", s)
	}
	return ph, nil
}

// splitQuoted splits on spaces, keeping KEY="quoted value" together and
// unquoting it (backslash escapes as in control-spec QuotedString).
func splitQuoted(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote, esc, quoted := false, false, false
	for _, r := range s {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case inQuote && r == '\\':
			esc = true
		case r == '"':
			inQuote = !inQuote
			quoted = true
		case r == ' ' && !inQuote:
			if cur.Len() > 0 || quoted {
				out = append(out, cur.String())
			}
			cur.Reset()
			quoted = false
		default:
			cur.WriteRune(r)
		}
	}
	if inQuote || esc {
		return nil, errors.New("unterminated quoted string")
	}
	if cur.Len() > 0 || quoted {
		out = append(out, cur.String())
	}
	return out, nil
}
