// Package regtest starts a real btcd node in regression-test mode for tests:
// it installs btcd v0.24.2 with `go install` when it is missing, runs it on
// free loopback ports with a temporary data dir and a freshly generated mining
// address, waits for its JSON-RPC server (Bitcoin Core's JSON-RPC 1.0 dialect
// as btcd implements it) and stops it when the test ends.
//
// btcd quirks worth knowing (see DESIGN.md): SegWit and Taproot activate only
// at height 432 on btcd regtest, `getblock h 2` lists transactions under
// "rawtx", verbosity arguments must be integers, and there is no
// getblockfilter, estimatesmartfee, generatetoaddress or getmempoolentry.
package regtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// BtcdVersion is the btcd release the harness installs and runs.
const BtcdVersion = "v0.24.2"

// SegwitHeight is the height at which btcd's regtest activates SegWit and
// Taproot; mine past it before spending to witness outputs.
const SegwitHeight = 432

// Node is a running btcd regtest node.
type Node struct {
	// URL is the node's JSON-RPC endpoint, http://127.0.0.1:PORT.
	URL string
	// User and Password are the RPC credentials btcd was started with.
	User, Password string
	// RPCPort and P2PPort are the loopback ports btcd listens on.
	RPCPort, P2PPort int
	// DataDir is btcd's temporary data directory.
	DataDir string
	// MiningKey is the private key of MiningAddress, which receives every
	// coinbase, so tests can spend mined coins.
	MiningKey *btcec.PrivateKey
	// MiningAddress is a P2PKH regtest address of MiningKey.
	MiningAddress *btcutil.AddressPubKeyHash

	tb      testing.TB
	cmd     *exec.Cmd
	done    chan struct{}
	stopped sync.Once
	nextID  atomic.Int64
	client  *http.Client
	logFile string
}

// Options tweak the node Start runs. The zero value is fine for most tests.
type Options struct {
	// User is the RPC user name; default "specter".
	User string
	// ExtraArgs are appended to btcd's command line.
	ExtraArgs []string
}

// Start installs btcd when needed, starts a regtest node and registers its
// shutdown with tb.Cleanup. It fails the test when btcd cannot be installed
// or does not answer within 60 seconds.
func Start(tb testing.TB) *Node { return StartWith(tb, Options{}) }

// StartWith is Start with options.
func StartWith(tb testing.TB, opts Options) *Node {
	tb.Helper()
	bin, err := EnsureBtcd()
	if err != nil {
		tb.Fatalf("regtest: %v", err)
	}
	key, err := btcec.NewPrivateKey()
	if err != nil {
		tb.Fatalf("regtest: generating the mining key: %v", err)
	}
	addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		tb.Fatalf("regtest: mining address: %v", err)
	}
	ports, err := FreePorts(2)
	if err != nil {
		tb.Fatalf("regtest: %v", err)
	}
	pass := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, pass); err != nil {
		tb.Fatalf("regtest: password: %v", err)
	}
	user := opts.User
	if user == "" {
		user = "specter"
	}
	dir := tb.TempDir()
	n := &Node{
		URL:           fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		User:          user,
		Password:      hex.EncodeToString(pass),
		RPCPort:       ports[0],
		P2PPort:       ports[1],
		DataDir:       filepath.Join(dir, "data"),
		MiningKey:     key,
		MiningAddress: addr,
		tb:            tb,
		done:          make(chan struct{}),
		client:        &http.Client{Timeout: 30 * time.Second},
		logFile:       filepath.Join(dir, "btcd.out"),
	}
	args := []string{
		"--regtest", "--notls",
		"--rpcuser=" + n.User, "--rpcpass=" + n.Password,
		fmt.Sprintf("--rpclisten=127.0.0.1:%d", n.RPCPort),
		fmt.Sprintf("--listen=127.0.0.1:%d", n.P2PPort),
		"--txindex", "--miningaddr=" + addr.EncodeAddress(),
		"--configfile=/dev/null", "--nodnsseed",
		"--datadir=" + n.DataDir, "--logdir=" + filepath.Join(dir, "logs"),
	}
	args = append(args, opts.ExtraArgs...)
	out, err := os.Create(n.logFile)
	if err != nil {
		tb.Fatalf("regtest: %v", err)
	}
	n.cmd = exec.Command(bin, args...)
	n.cmd.Stdout, n.cmd.Stderr = out, out
	// btcd creates ~/.btcd whatever --datadir says: keep it in the temp dir.
	n.cmd.Env = append(os.Environ(), "HOME="+dir)
	dieWithParent(n.cmd)
	if err := n.cmd.Start(); err != nil {
		out.Close()
		tb.Fatalf("regtest: starting %s: %v", bin, err)
	}
	go func() {
		_ = n.cmd.Wait()
		out.Close()
		close(n.done)
	}()
	tb.Cleanup(n.Stop)
	if err := n.waitReady(60 * time.Second); err != nil {
		n.Stop()
		log, _ := os.ReadFile(n.logFile)
		tb.Fatalf("regtest: btcd did not answer: %v\nbtcd output:\n%s", err, tail(log, 2000))
	}
	return n
}

func (n *Node) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-n.done:
			return fmt.Errorf("btcd exited early")
		default:
		}
		if _, err := n.RPC("getblockcount"); err == nil {
			return nil
		} else {
			last = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer within %s: %w", limit, last)
}

// Stop kills btcd and waits for it to exit. It is safe to call more than once
// and is called automatically at the end of the test.
func (n *Node) Stop() {
	n.stopped.Do(func() {
		if n.cmd.Process != nil {
			_ = n.cmd.Process.Kill()
		}
		select {
		case <-n.done:
		case <-time.After(10 * time.Second):
			n.tb.Logf("regtest: btcd pid %d did not exit within 10s", n.cmd.Process.Pid)
		}
	})
}

// RPCError is an error object returned by btcd.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *RPCError) Error() string { return fmt.Sprintf("btcd RPC error %d: %s", e.Code, e.Message) }

// RPC calls one JSON-RPC method on the node and returns its raw result.
func (n *Node) RPC(method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "1.0", "id": n.nextID.Add(1), "method": method, "params": params})
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, n.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(n.User, n.Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", method, err)
	}
	var r struct {
		Result json.RawMessage `json:"result"`
		Error  *RPCError       `json:"error"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%s: HTTP %d, not JSON-RPC: %q", method, resp.StatusCode, tail(raw, 200))
	}
	if r.Error != nil {
		return nil, r.Error
	}
	return r.Result, nil
}

// MustRPC is RPC that fails the test on error.
func (n *Node) MustRPC(method string, params ...any) json.RawMessage {
	n.tb.Helper()
	res, err := n.RPC(method, params...)
	if err != nil {
		n.tb.Fatalf("regtest: %v", err)
	}
	return res
}

// Generate mines n blocks to MiningAddress and returns their hashes. It fails
// the test on error.
func (n *Node) Generate(blocks int) []string {
	n.tb.Helper()
	var hashes []string
	if err := json.Unmarshal(n.MustRPC("generate", blocks), &hashes); err != nil {
		n.tb.Fatalf("regtest: generate: %v", err)
	}
	return hashes
}

// EnsureBtcd returns the path of the btcd binary in $(go env GOPATH)/bin,
// installing btcd BtcdVersion with `go install` first when it is missing.
func EnsureBtcd() (string, error) {
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return "", fmt.Errorf("finding GOPATH (is the go command on PATH?): %w", err)
	}
	gopath := strings.TrimSpace(strings.Split(string(out), string(os.PathListSeparator))[0])
	bin := filepath.Join(gopath, "bin", "btcd")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("checking %s: %w", bin, err)
	}
	installMu.Lock()
	defer installMu.Unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command("go", "install", "github.com/btcsuite/btcd@"+BtcdVersion)
	cmd.Dir = os.TempDir() // outside any module, so go.mod is not consulted
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOBIN="+filepath.Dir(bin))
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install github.com/btcsuite/btcd@%s failed: %v: %s", BtcdVersion, err, msg)
	}
	return bin, nil
}

// installMu serialises installs within one test binary.
var installMu sync.Mutex

// FreePorts returns count distinct free TCP ports on 127.0.0.1.
func FreePorts(count int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, count)
	for range count {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free loopback port: %w", err)
		}
		ls = append(ls, l)
		_, p, _ := net.SplitHostPort(l.Addr().String())
		port, _ := strconv.Atoi(p)
		ports = append(ports, port)
	}
	return ports, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
