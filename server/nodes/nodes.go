// Package nodes is the relay's NodeManager (Specter Desktop's NodeManager,
// relay half): it keeps the Bitcoin Core and btcd nodes the relay may talk to,
// with their RPC credentials, in DATADIR/nodes.json (mode 0600), tests them,
// and hands out JSON-RPC clients (Bitcoin Core's JSON-RPC 1.0 over HTTP with
// Basic auth, as btcd also speaks it). Credentials never leave the relay: the
// API returns Info, which has none.
package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/specterpwa/specter/server/internal/atomicfile"
	"github.com/specterpwa/specter/shared/network"
)

// Node is one stored node, credentials included. It never goes to a browser.
type Node struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	URL     string          `json:"url"`
	Network network.Network `json:"network"`
	// User and Password are set for user/password authentication.
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
	// CookieFile is set for cookie authentication; it is read at every call.
	CookieFile string    `json:"cookie_file,omitempty"`
	Created    time.Time `json:"created"`
}

// Info is what the API shows of a node: no user name, no password.
type Info struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	URL     string          `json:"url"`
	Network network.Network `json:"network"`
	// Auth is "password" or "cookie".
	Auth       string    `json:"auth"`
	CookieFile string    `json:"cookie_file,omitempty"`
	Flavour    Flavour   `json:"flavour,omitempty"`
	Created    time.Time `json:"created"`
}

// NewNode is what a user submits to add a node. With neither User/Password
// nor CookieFile, the cookie is looked for in the default Bitcoin Core data
// dir of the network, as Specter Desktop does.
type NewNode struct {
	Name       string `json:"name"`
	URL        string `json:"url"`
	Network    string `json:"network"`
	User       string `json:"user"`
	Password   string `json:"password"`
	CookieFile string `json:"cookie_file"`
}

// Options configure a Manager.
type Options struct {
	// BitcoinDir is Bitcoin Core's default data dir, where cookies are
	// auto-detected; empty means the platform default (DefaultBitcoinDir).
	BitcoinDir string
	// DialContext, when set, dials every node (for example through Tor).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// OnionDialContext, when set, dials .onion nodes (Tor's SOCKS port);
	// without it such nodes are refused with an explanation.
	OnionDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// CallTimeout bounds one upstream HTTP exchange; default 60s.
	CallTimeout time.Duration
}

// Manager holds the nodes. It is safe for concurrent use.
type Manager struct {
	path string
	opts Options

	mu       sync.RWMutex
	nodes    map[string]Node
	flavours map[string]Flavour
	clients  map[string]*Client

	direct, onion *http.Client
}

type fileFormat struct {
	Version int    `json:"version"`
	Nodes   []Node `json:"nodes"`
}

// FileName is the name of the nodes file in the data dir.
const FileName = "nodes.json"

// Open loads DATADIR/nodes.json (an absent file means no nodes yet).
func Open(dataDir string, opts Options) (*Manager, error) {
	if opts.BitcoinDir == "" {
		opts.BitcoinDir = DefaultBitcoinDir()
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 60 * time.Second
	}
	m := &Manager{
		path:     filepath.Join(dataDir, FileName),
		opts:     opts,
		nodes:    map[string]Node{},
		flavours: map[string]Flavour{},
		clients:  map[string]*Client{},
	}
	m.direct = m.httpClient(opts.DialContext)
	if opts.OnionDialContext != nil {
		m.onion = m.httpClient(opts.OnionDialContext)
	}
	raw, err := os.ReadFile(m.path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the nodes file: %w", err)
	}
	var f fileFormat
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("the nodes file %s is not valid JSON (%v): fix or remove it", m.path, err)
	}
	for _, n := range f.Nodes {
		m.nodes[n.ID] = n
	}
	return m, nil
}

func (m *Manager) httpClient(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // never send node credentials through an HTTP proxy from the environment
		MaxIdleConnsPerHost: 64,
		// Close idle connections before Bitcoin Core does (its
		// rpcservertimeout is 30 s), so a call rarely meets a connection
		// the node has just closed.
		IdleConnTimeout:   25 * time.Second,
		ForceAttemptHTTP2: false,
	}
	if dial != nil {
		tr.DialContext = dial
	} else {
		tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	return &http.Client{Transport: tr, Timeout: m.opts.CallTimeout}
}

// DefaultBitcoinDir is Bitcoin Core's default data dir on this platform:
// ~/.bitcoin on Linux, ~/Library/Application Support/Bitcoin on macOS,
// %APPDATA%\Bitcoin on Windows.
func DefaultBitcoinDir() string {
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "Bitcoin")
	case "windows":
		if appData := os.Getenv("APPDATA"); appData != "" {
			return filepath.Join(appData, "Bitcoin")
		}
		return filepath.Join(home, "AppData", "Roaming", "Bitcoin")
	}
	return filepath.Join(home, ".bitcoin")
}

// CookiePath is where Bitcoin Core writes its cookie for a network under a
// data dir: .cookie, testnet3/.cookie, signet/.cookie or regtest/.cookie.
func CookiePath(bitcoinDir string, n network.Network) string {
	switch n {
	case network.Test:
		return filepath.Join(bitcoinDir, "testnet3", ".cookie")
	case network.Signet:
		return filepath.Join(bitcoinDir, "signet", ".cookie")
	case network.Regtest:
		return filepath.Join(bitcoinDir, "regtest", ".cookie")
	}
	return filepath.Join(bitcoinDir, ".cookie")
}

// Validate checks a NewNode and turns it into a Node (without ID). It
// auto-detects the cookie file when no credentials are given.
func (m *Manager) Validate(in NewNode) (Node, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return Node{}, errors.New("the node needs a name")
	}
	if len(name) > 100 {
		return Node{}, errors.New("the node name is longer than 100 characters")
	}
	u, err := url.Parse(strings.TrimSpace(in.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Node{}, fmt.Errorf("the URL %q is not an http:// or https:// URL with a host, such as http://127.0.0.1:8332", in.URL)
	}
	if u.User != nil {
		return Node{}, errors.New("put the RPC user and password in their own fields, not in the URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Node{}, fmt.Errorf("the URL %q has a query or fragment: give only scheme, host, port and optional /wallet path", in.URL)
	}
	if strings.HasSuffix(u.Hostname(), ".onion") && m.onion == nil {
		return Node{}, fmt.Errorf("%s is an onion address: start the relay with Tor (--tor builtin or custom) to reach it", u.Hostname())
	}
	netw, err := network.Parse(in.Network)
	if err != nil {
		return Node{}, err
	}
	n := Node{Name: name, URL: u.String(), Network: netw}
	switch {
	case in.User != "" || in.Password != "":
		if in.User == "" || in.Password == "" {
			return Node{}, errors.New("give both the RPC user and the RPC password, or neither to use a cookie file")
		}
		if in.CookieFile != "" {
			return Node{}, errors.New("give either a user and password or a cookie file, not both")
		}
		n.User, n.Password = in.User, in.Password
	case in.CookieFile != "":
		n.CookieFile = filepath.Clean(in.CookieFile)
	default:
		n.CookieFile = CookiePath(m.opts.BitcoinDir, netw)
	}
	if n.CookieFile != "" {
		if _, _, err := ReadCookie(n.CookieFile); err != nil {
			return Node{}, fmt.Errorf("no RPC user/password was given and %v", err)
		}
	}
	return n, nil
}

// Add validates and stores a node and returns it with its new ID.
func (m *Manager) Add(in NewNode) (Info, error) {
	n, err := m.Validate(in)
	if err != nil {
		return Info{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, other := range m.nodes {
		if strings.EqualFold(other.Name, n.Name) {
			return Info{}, fmt.Errorf("a node named %q exists already: choose another name", n.Name)
		}
	}
	n.ID = m.newIDLocked(n.Name)
	n.Created = time.Now().UTC().Truncate(time.Second)
	m.nodes[n.ID] = n
	if err := m.saveLocked(); err != nil {
		delete(m.nodes, n.ID)
		return Info{}, err
	}
	return m.infoLocked(n), nil
}

// newIDLocked makes a URL-safe ID from the name: "My Node" -> "my-node",
// then "my-node-2" and so on when taken.
func (m *Manager) newIDLocked(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	base := strings.TrimSuffix(b.String(), "-")
	if len(base) > 40 {
		base = strings.TrimSuffix(base[:40], "-")
	}
	if base == "" {
		base = "node"
	}
	id := base
	for i := 2; ; i++ {
		if _, taken := m.nodes[id]; !taken {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, i)
	}
}

// Remove deletes a node.
func (m *Manager) Remove(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nodes[id]
	if !ok {
		return fmt.Errorf("no node with id %q", id)
	}
	delete(m.nodes, id)
	if err := m.saveLocked(); err != nil {
		m.nodes[id] = n
		return err
	}
	delete(m.flavours, id)
	delete(m.clients, id)
	return nil
}

// List returns every node, sorted by name.
func (m *Manager) List() []Info {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Info, 0, len(m.nodes))
	for _, n := range m.nodes {
		out = append(out, m.infoLocked(n))
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// Get returns one node's Info.
func (m *Manager) Get(id string) (Info, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.nodes[id]
	if !ok {
		return Info{}, false
	}
	return m.infoLocked(n), true
}

// Lookup returns a stored node with its credentials, for in-process use.
func (m *Manager) Lookup(id string) (Node, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.nodes[id]
	return n, ok
}

func (m *Manager) infoLocked(n Node) Info {
	auth := "password"
	if n.CookieFile != "" {
		auth = "cookie"
	}
	return Info{ID: n.ID, Name: n.Name, URL: n.URL, Network: n.Network, Auth: auth, CookieFile: n.CookieFile, Flavour: m.flavours[n.ID], Created: n.Created}
}

func (m *Manager) saveLocked() error {
	f := fileFormat{Version: 1, Nodes: make([]Node, 0, len(m.nodes))}
	for _, n := range m.nodes {
		f.Nodes = append(f.Nodes, n)
	}
	sort.Slice(f.Nodes, func(i, j int) bool { return f.Nodes[i].ID < f.Nodes[j].ID })
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the nodes file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(m.path), 0o700); err != nil {
		return fmt.Errorf("creating the data dir: %w", err)
	}
	return atomicfile.Write(m.path, append(raw, '\n'), 0o600)
}

// Client returns the JSON-RPC client of a stored node.
func (m *Manager) Client(id string) (*Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.clients[id]; ok {
		return c, nil
	}
	n, ok := m.nodes[id]
	if !ok {
		return nil, fmt.Errorf("no node with id %q", id)
	}
	c := m.newClient(n)
	m.clients[id] = c
	return c, nil
}

func (m *Manager) newClient(n Node) *Client {
	h := m.direct
	if u, err := url.Parse(n.URL); err == nil && strings.HasSuffix(u.Hostname(), ".onion") && m.onion != nil {
		h = m.onion
	}
	return &Client{node: n, http: h}
}

// Flavour returns whether a stored node is Bitcoin Core or btcd, detecting it
// on first use and caching the answer.
func (m *Manager) Flavour(ctx context.Context, id string) (Flavour, error) {
	m.mu.RLock()
	f, ok := m.flavours[id]
	m.mu.RUnlock()
	if ok {
		return f, nil
	}
	c, err := m.Client(id)
	if err != nil {
		return "", err
	}
	f, err = DetectFlavour(ctx, c)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	if _, still := m.nodes[id]; still {
		m.flavours[id] = f
	}
	m.mu.Unlock()
	return f, nil
}

// DetectFlavour asks the node which software it is. Bitcoin Core answers
// getnetworkinfo with a "/Satoshi:" subversion; btcd leaves getnetworkinfo
// unimplemented and answers `version` with a "btcdjsonrpcapi" entry.
func DetectFlavour(ctx context.Context, c *Client) (Flavour, error) {
	res, err := c.Call(ctx, "getnetworkinfo")
	if err == nil {
		var ni struct {
			Subversion string `json:"subversion"`
		}
		if json.Unmarshal(res, &ni) == nil && ni.Subversion != "" {
			return Core, nil
		}
	} else if !isRPCError(err) {
		return "", err
	}
	res, err = c.Call(ctx, "version")
	if err == nil {
		var v map[string]json.RawMessage
		if json.Unmarshal(res, &v) == nil {
			if _, ok := v["btcdjsonrpcapi"]; ok {
				return Btcd, nil
			}
		}
	} else if !isRPCError(err) {
		return "", err
	}
	return "", fmt.Errorf("node %q answers neither like Bitcoin Core (getnetworkinfo) nor like btcd (version): only those two are supported", c.node.Name)
}

func isRPCError(err error) bool {
	var re *RPCError
	return errors.As(err, &re)
}
