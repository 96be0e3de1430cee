package server

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/specterpwa/specter/server/internal/atomicfile"
)

// Config is the relay's configuration. It is read from DATADIR/config.json,
// then SPECTER_* environment variables, then command-line flags (each later
// source wins), and the result is written back to config.json (mode 0600,
// atomically) so that the next start keeps it.
type Config struct {
	// DataDir holds config.json, nodes.json, users.json and Tor's state; it is
	// not stored in config.json itself.
	DataDir string `json:"-"`
	// Listen is the address the relay serves HTTP on.
	Listen string `json:"listen"`
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string `json:"log_level"`
	LogFormat string `json:"log_format"`
	// BitcoinDir is Bitcoin Core's data dir, where RPC cookies are looked for
	// ("" is the platform default).
	BitcoinDir string `json:"bitcoin_dir"`

	// RPC proxy bounds.
	RPCMaxBody       int64    `json:"rpc_max_body"`
	RPCMaxBatch      int      `json:"rpc_max_batch"`
	RPCTimeout       Duration `json:"rpc_timeout"`
	RPCMaxConcurrent int      `json:"rpc_max_concurrent"`
	RPCQueueWait     Duration `json:"rpc_queue_wait"`

	// Tor: mode none, builtin or custom.
	Tor                string `json:"tor"`
	TorControl         string `json:"tor_control"`
	TorControlPassword string `json:"tor_control_password"`
	TorBinary          string `json:"tor_binary"`
	// TorPublish publishes the relay as an onion service (key in DATADIR/tor).
	TorPublish bool `json:"tor_publish"`

	// Price source for GET /api/price.
	PriceProvider string   `json:"price_provider"`
	PriceURL      string   `json:"price_url"`
	PricePath     string   `json:"price_path"`
	PriceCacheFor Duration `json:"price_cache_for"`

	// Fee sources for GET /api/fees (server/fees): FeesAllowPrivate lets
	// users' fee source URLs reach loopback and private addresses (a
	// mempool instance on this machine or LAN); FeesCacheFor is how long an
	// answer is reused.
	FeesAllowPrivate bool     `json:"fees_allow_private"`
	FeesCacheFor     Duration `json:"fees_cache_for"`

	// ShutdownTimeout bounds the graceful shutdown on SIGINT/SIGTERM.
	ShutdownTimeout Duration `json:"shutdown_timeout"`

	// AllowOrigins are the origins of apps served by other relays (or
	// hosts) that may call this relay's API (CORS, Fetch standard section
	// 3.2), such as "https://app.example": --allow-origin, repeatable, or
	// SPECTER_ALLOW_ORIGINS (comma-separated). Their logins get a bearer
	// session token instead of cookies.
	AllowOrigins []string `json:"allow_origins,omitempty"`
	// ConnectRelays are the origins of other relays the page this relay
	// serves may connect to (added to the CSP's connect-src):
	// --connect-relay, repeatable, or SPECTER_CONNECT_RELAYS.
	ConnectRelays []string `json:"connect_relays,omitempty"`
}

// Duration is a time.Duration written as "30s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as Go's duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string such as "1m30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration must be a string such as \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// DefaultListen is the relay's default address: loopback only.
const DefaultListen = "127.0.0.1:25441"

// ConfigFileName is the name of the config file in the data dir.
const ConfigFileName = "config.json"

// EnvPrefix starts every environment variable the relay reads: the flag
// --rpc-timeout is SPECTER_RPC_TIMEOUT.
const EnvPrefix = "SPECTER_"

// DefaultConfig returns the defaults; DataDir is ~/.specter-pwa.
func DefaultConfig() Config {
	home, _ := os.UserHomeDir()
	return Config{
		DataDir:          filepath.Join(home, ".specter-pwa"),
		Listen:           DefaultListen,
		LogLevel:         "info",
		LogFormat:        "text",
		RPCMaxBody:       4 << 20,
		RPCMaxBatch:      1000,
		RPCTimeout:       Duration(60 * time.Second),
		RPCMaxConcurrent: 8,
		RPCQueueWait:     Duration(10 * time.Second),
		Tor:              "none",
		PriceProvider:    "coingecko",
		PriceCacheFor:    Duration(5 * time.Minute),
		FeesCacheFor:     Duration(time.Minute),
		ShutdownTimeout:  Duration(10 * time.Second),
	}
}

type durationFlag struct{ d *Duration }

// String implements flag.Value.
func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return time.Duration(*f.d).String()
}

// Set implements flag.Value.
func (f durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q (use for example 30s or 2m)", s)
	}
	*f.d = Duration(v)
	return nil
}

// listFlag is a repeatable flag of origins: each --name adds one (a value
// may also list several, comma-separated), and the first value of a source
// (environment or command line) replaces the list of the earlier sources.
// An empty value empties the list.
type listFlag struct {
	list  *[]string
	fresh bool // the next Set replaces the list
}

// String implements flag.Value.
func (f *listFlag) String() string {
	if f == nil || f.list == nil {
		return ""
	}
	return strings.Join(*f.list, ",")
}

// Set implements flag.Value.
func (f *listFlag) Set(s string) error {
	if f.fresh {
		*f.list = nil
		f.fresh = false
	}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*f.list = append(*f.list, part)
		}
	}
	return nil
}

// listEnvName is the environment variable of a repeatable flag: the plural
// of EnvName (--allow-origin is SPECTER_ALLOW_ORIGINS).
func listEnvName(flagName string) string { return EnvName(flagName) + "S" }

// renewLists makes the next value of each repeatable flag of fs replace the
// list, so a later source wins over an earlier one.
func renewLists(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		if lf, ok := f.Value.(*listFlag); ok {
			lf.fresh = true
		}
	})
}

// flags binds every setting of c to fs.
func (c *Config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the relay's state (config.json, nodes.json, users.json, tor/)")
	fs.StringVar(&c.Listen, "listen", c.Listen, "address to serve HTTP on; a non-loopback address needs an admin password")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json")
	fs.StringVar(&c.BitcoinDir, "bitcoin-dir", c.BitcoinDir, "Bitcoin Core's data dir, for RPC cookie auto-detection (default: the platform's)")
	fs.Int64Var(&c.RPCMaxBody, "rpc-max-body", c.RPCMaxBody, "largest JSON-RPC request body in bytes")
	fs.IntVar(&c.RPCMaxBatch, "rpc-max-batch", c.RPCMaxBatch, "most requests in one JSON-RPC batch")
	fs.Var(durationFlag{&c.RPCTimeout}, "rpc-timeout", "time limit of one proxied RPC request")
	fs.IntVar(&c.RPCMaxConcurrent, "rpc-max-concurrent", c.RPCMaxConcurrent, "most RPC calls in flight to one node")
	fs.Var(durationFlag{&c.RPCQueueWait}, "rpc-queue-wait", "how long a request waits for a free call slot of its node")
	fs.StringVar(&c.Tor, "tor", c.Tor, "Tor: none, builtin (start the tor binary) or custom (use --tor-control)")
	fs.StringVar(&c.TorControl, "tor-control", c.TorControl, "control port of an existing Tor for --tor custom, e.g. 127.0.0.1:9051")
	fs.StringVar(&c.TorControlPassword, "tor-control-password", c.TorControlPassword, "control port password for --tor custom")
	fs.StringVar(&c.TorBinary, "tor-binary", c.TorBinary, "tor binary for --tor builtin (default: tor on PATH)")
	fs.BoolVar(&c.TorPublish, "tor-publish", c.TorPublish, "publish the relay as an onion service (needs --tor builtin or custom)")
	fs.StringVar(&c.PriceProvider, "price-provider", c.PriceProvider, "BTC price provider for /api/price: coingecko, kraken or jsonpath")
	fs.StringVar(&c.PriceURL, "price-url", c.PriceURL, "URL of the price provider (default: the provider's)")
	fs.StringVar(&c.PricePath, "price-path", c.PricePath, "for --price-provider jsonpath: dot path to the price in the answer, {currency}/{CURRENCY} expanded")
	fs.Var(durationFlag{&c.PriceCacheFor}, "price-cache-for", "how long a fetched price is reused")
	fs.BoolVar(&c.FeesAllowPrivate, "fees-allow-private", c.FeesAllowPrivate, "let users' fee source URLs (/api/fees) reach loopback and private addresses, such as a mempool instance on this machine or LAN; every user of the relay can then make it fetch from those addresses")
	fs.Var(durationFlag{&c.FeesCacheFor}, "fees-cache-for", "how long a fee server's answer (/api/fees) is reused")
	fs.Var(durationFlag{&c.ShutdownTimeout}, "shutdown-timeout", "time given to open requests on SIGINT/SIGTERM")
	fs.Var(&listFlag{list: &c.AllowOrigins, fresh: true}, "allow-origin", "origin of an app served elsewhere that may use this relay's API, e.g. https://app.example (repeatable; env SPECTER_ALLOW_ORIGINS, comma-separated); its logins get a bearer token")
	fs.Var(&listFlag{list: &c.ConnectRelays, fresh: true}, "connect-relay", "origin of another relay the page served here may connect to, e.g. https://relay.example (repeatable; env SPECTER_CONNECT_RELAYS, comma-separated); added to the CSP's connect-src")
}

// EnvName is the environment variable of a flag: SPECTER_ and the flag name
// in capitals with '-' as '_'.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// LoadConfig builds the configuration from defaults, DATADIR/config.json,
// SPECTER_* variables (looked up with getenv) and the flags in args, then
// validates it. Usage and flag errors are written to output.
func LoadConfig(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	// Pass 1: only to learn the data dir (flag, then env, then default).
	probe := DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	probe.flags(fs)
	if v := getenv(EnvName("data-dir")); v != "" {
		probe.DataDir = v
	}
	if err := fs.Parse(args); err != nil {
		// Pass 2 reports it with usage.
		probe.DataDir = DefaultConfig().DataDir
	}

	cfg := DefaultConfig()
	cfg.DataDir = probe.DataDir
	if err := cfg.loadFile(); err != nil {
		return Config{}, err
	}
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(output)
	cfg.flags(fs)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := EnvName(f.Name)
		if _, ok := f.Value.(*listFlag); ok {
			name = listEnvName(f.Name)
		}
		if v := getenv(name); v != "" && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("environment variable %s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return Config{}, envErr
	}
	renewLists(fs)
	fs.Usage = func() {
		fmt.Fprintln(output, "Usage: specter serve [flags]\n\nRuns the relay. Every flag can also be set as SPECTER_NAME (--rpc-timeout is SPECTER_RPC_TIMEOUT)\nand is kept in DATADIR/config.json; repeatable flags take the plural, comma-separated\n(--allow-origin is SPECTER_ALLOW_ORIGINS).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q: serve takes only flags", fs.Arg(0))
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	cfg.AllowOrigins = normalizeOrigins(cfg.AllowOrigins)
	cfg.ConnectRelays = normalizeOrigins(cfg.ConnectRelays)
	return cfg, nil
}

// normalizeOrigins returns the valid origins of list in NormalizeOrigin's
// form, without duplicates, in their first order (nil when none).
func normalizeOrigins(list []string) []string {
	var out []string
	for _, o := range list {
		n, err := NormalizeOrigin(o)
		if err == nil && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func (c *Config) loadFile() error {
	path := filepath.Join(c.DataDir, ConfigFileName)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the config file: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("the config file %s is not valid (%v): fix or remove it", path, err)
	}
	return nil
}

// Validate checks every setting and says which one is wrong.
func (c Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("--data-dir is empty: give the directory for the relay's state")
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		return fmt.Errorf("--listen %q is not host:port, such as %s", c.Listen, DefaultListen)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format %q: use text or json", c.LogFormat)
	}
	switch {
	case c.RPCMaxBody < 1024:
		return fmt.Errorf("--rpc-max-body %d is below 1024 bytes", c.RPCMaxBody)
	case c.RPCMaxBatch < 1:
		return fmt.Errorf("--rpc-max-batch %d: allow at least 1 request", c.RPCMaxBatch)
	case c.RPCTimeout <= 0:
		return errors.New("--rpc-timeout must be positive")
	case c.RPCMaxConcurrent < 1:
		return fmt.Errorf("--rpc-max-concurrent %d: allow at least 1 call", c.RPCMaxConcurrent)
	case c.RPCQueueWait <= 0:
		return errors.New("--rpc-queue-wait must be positive")
	case c.ShutdownTimeout <= 0:
		return errors.New("--shutdown-timeout must be positive")
	case c.PriceCacheFor < 0:
		return errors.New("--price-cache-for must not be negative")
	case c.FeesCacheFor < 0:
		return errors.New("--fees-cache-for must not be negative")
	}
	switch c.Tor {
	case "none", "builtin":
	case "custom":
		if c.TorControl == "" {
			return errors.New("--tor custom needs --tor-control, the address of the existing Tor's control port")
		}
	default:
		return fmt.Errorf("--tor %q: use none, builtin or custom", c.Tor)
	}
	switch c.PriceProvider {
	case "coingecko", "kraken":
	case "jsonpath":
		if c.PriceURL == "" || c.PricePath == "" {
			return errors.New("--price-provider jsonpath needs --price-url and --price-path")
		}
	default:
		return fmt.Errorf("--price-provider %q: use coingecko, kraken or jsonpath", c.PriceProvider)
	}
	if c.TorPublish && c.Tor == "none" {
		return errors.New("--tor-publish needs Tor: add --tor builtin or --tor custom")
	}
	for _, o := range c.AllowOrigins {
		if _, err := NormalizeOrigin(o); err != nil {
			return fmt.Errorf("--allow-origin %q: %w", o, err)
		}
	}
	for _, o := range c.ConnectRelays {
		if _, err := NormalizeOrigin(o); err != nil {
			return fmt.Errorf("--connect-relay %q: %w", o, err)
		}
	}
	return nil
}

// originHost is a DNS name or an IPv4 address (letters, digits, '.', '-')
// or an IPv6 address (hex digits, ':', '.'); nothing that could end a CSP
// source expression.
var originHost = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|[0-9a-f:.]*:[0-9a-f:.]*)$`)

// NormalizeOrigin checks that s is a web origin (RFC 6454): http or https,
// a host, an optional port, and nothing else (a trailing "/" is dropped). It
// returns the origin as browsers send it in the Origin header: scheme and
// host in lower case, without the scheme's default port.
func NormalizeOrigin(s string) (string, error) {
	const hint = "give an origin such as https://app.example or http://127.0.0.1:25441 (scheme, host and port only)"
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("not a URL (%v): %s", err, hint)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("the scheme must be http or https: %s", hint)
	case u.Host == "" || u.Hostname() == "" || strings.Contains(u.Host, "*"):
		return "", fmt.Errorf("there is no host (wildcards are not allowed): %s", hint)
	case u.User != nil:
		return "", fmt.Errorf("an origin has no user name or password: %s", hint)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || u.ForceQuery:
		return "", fmt.Errorf("an origin has no path, query or fragment: %s", hint)
	}
	host := strings.ToLower(u.Hostname())
	if !originHost.MatchString(host) {
		return "", fmt.Errorf("the host %q has characters a host name cannot have: %s", u.Hostname(), hint)
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("port %q is not a number from 1 to 65535: %s", port, hint)
		}
		if (u.Scheme == "http" && n == 80) || (u.Scheme == "https" && n == 443) {
			port = ""
		} else {
			port = strconv.Itoa(n)
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, nil
}

// Save writes the configuration to DATADIR/config.json atomically with mode
// 0600 (it may hold the Tor control password), creating the data dir (0700).
func (c Config) Save() error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("creating the data dir %s: %w", c.DataDir, err)
	}
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the config: %w", err)
	}
	return atomicfile.Write(filepath.Join(c.DataDir, ConfigFileName), append(raw, '\n'), 0o600)
}

// IsLoopback reports whether a listen address only accepts connections from
// this machine (127.0.0.0/8, ::1 or localhost).
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
