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
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
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

	tb      harness
	cmd     *exec.Cmd
	done    chan struct{}
	stopped sync.Once
	client  *http.Client
	logFile string
}

// harness is the part of testing.TB a Node uses: a test's testing.TB, or
// a programHarness for StartProgram.
type harness interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	TempDir() string
	Cleanup(f func())
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

// startAttempts bounds how often StartWith picks new ports after btcd found
// one of its ports taken.
const startAttempts = 5

// readyLimit bounds the wait for btcd's first RPC answer. btcd loads its
// database and pre-allocates its UTXO cache before it listens, which takes
// seconds on a loaded machine.
const readyLimit = 60 * time.Second

// errPortTaken is the failure of a btcd that could not bind a port chosen
// for it (another process took it between FreePorts and btcd's bind).
var errPortTaken = errors.New("a port chosen for btcd was taken by another process")

// StartWith is Start with options.
func StartWith(tb testing.TB, opts Options) *Node {
	tb.Helper()
	n, _ := startWith(tb, opts, FreePorts)
	return n
}

// startWith starts btcd on ports from pickPorts and returns the node and the
// number of attempts it took.
func startWith(tb harness, opts Options, pickPorts func(count int) ([]int, error)) (*Node, int) {
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
	pass := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, pass); err != nil {
		tb.Fatalf("regtest: password: %v", err)
	}
	user := opts.User
	if user == "" {
		user = "specter"
	}
	// btcd cannot take over a listening socket, so its ports are free when
	// chosen and bound by btcd only seconds later: another process may take
	// one in between. btcd then exits at once, and the node is started again
	// on new ports with a fresh data dir.
	for attempt := 1; ; attempt++ {
		n := &Node{
			User:          user,
			Password:      hex.EncodeToString(pass),
			MiningKey:     key,
			MiningAddress: addr,
			tb:            tb,
			done:          make(chan struct{}),
			client:        &http.Client{Timeout: 30 * time.Second},
		}
		err := n.start(bin, opts, pickPorts)
		if err == nil {
			return n, attempt
		}
		if !errors.Is(err, errPortTaken) || attempt == startAttempts {
			tb.Fatalf("regtest: %v", err)
		}
		tb.Logf("regtest: attempt %d: %v; starting btcd again on other ports", attempt, err)
	}
}

// start runs btcd on newly chosen ports and waits until it answers RPC. On
// failure btcd is stopped and the error carries the end of its output.
func (n *Node) start(bin string, opts Options, pickPorts func(count int) ([]int, error)) error {
	ports, err := pickPorts(2)
	if err != nil {
		return err
	}
	dir := n.tb.TempDir()
	n.URL = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	n.RPCPort, n.P2PPort = ports[0], ports[1]
	n.DataDir = filepath.Join(dir, "data")
	n.logFile = filepath.Join(dir, "btcd.out")
	args := []string{
		"--regtest", "--notls",
		"--rpcuser=" + n.User, "--rpcpass=" + n.Password,
		fmt.Sprintf("--rpclisten=127.0.0.1:%d", n.RPCPort),
		fmt.Sprintf("--listen=127.0.0.1:%d", n.P2PPort),
		"--txindex", "--miningaddr=" + n.MiningAddress.EncodeAddress(),
		"--configfile=/dev/null", "--nodnsseed",
		"--datadir=" + n.DataDir, "--logdir=" + filepath.Join(dir, "logs"),
	}
	args = append(args, opts.ExtraArgs...)
	out, err := os.Create(n.logFile)
	if err != nil {
		return err
	}
	n.cmd = exec.Command(bin, args...)
	n.cmd.Stdout, n.cmd.Stderr = out, out
	// btcd creates ~/.btcd whatever --datadir says: keep it in the temp dir.
	n.cmd.Env = append(os.Environ(), "HOME="+dir)
	dieWithParent(n.cmd)
	// Linux sends the parent-death signal when the OS thread that started
	// btcd exits, not the process: start and wait for btcd on a goroutine
	// locked to its thread, so that the thread lives exactly as long as btcd
	// and btcd dies with the test binary, never before.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := n.cmd.Start(); err != nil {
			started <- err
			runtime.UnlockOSThread()
			return
		}
		started <- nil
		_ = n.cmd.Wait()
		out.Close()
		close(n.done)
	}()
	if err := <-started; err != nil {
		out.Close()
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	n.tb.Cleanup(n.Stop)
	if err := n.waitReady(readyLimit); err != nil {
		n.Stop()
		log, _ := os.ReadFile(n.logFile)
		if bytes.Contains(log, []byte("address already in use")) {
			err = fmt.Errorf("%w (%v)", errPortTaken, err)
		}
		return fmt.Errorf("btcd on ports %d (RPC) and %d (P2P) did not answer: %w\nbtcd output:\n%s", n.RPCPort, n.P2PPort, err, tail(log, 2000))
	}
	return nil
}

// waitReady polls getblockcount until btcd answers it, btcd exits or limit
// passes. An answer from another process that holds the port (wrong
// credentials, not JSON-RPC) is not taken for btcd's, and a probe that such a
// process leaves unanswered ends as soon as btcd exits.
func (n *Node) waitReady(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	go func() {
		select {
		case <-n.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	var last error
	for {
		var count int64
		res, err := n.rpc(ctx, "getblockcount")
		if err == nil {
			if err = json.Unmarshal(res, &count); err == nil {
				return nil
			}
		}
		last = err
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
		select {
		case <-n.done:
			return fmt.Errorf("btcd exited early (last RPC error: %v)", last)
		default:
		}
		if ctx.Err() != nil {
			return fmt.Errorf("no answer within %s: %w", limit, last)
		}
	}
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
	return n.rpc(context.Background(), method, params...)
}

func (n *Node) rpc(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	return n.Endpoint().RPC(ctx, method, params...)
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

// CoinbaseAddress returns the address that the first output of the
// coinbase of block hash pays ("" for a script without one). With more than
// one --miningaddr btcd picks one at random for each block: tests count
// the blocks that paid theirs. It fails the test on error.
func (n *Node) CoinbaseAddress(hash string) string {
	n.tb.Helper()
	var blk struct {
		RawTx []struct {
			Vout []struct {
				ScriptPubKey struct {
					Address   string   `json:"address"`
					Addresses []string `json:"addresses"`
				} `json:"scriptPubKey"`
			} `json:"vout"`
		} `json:"rawtx"`
	}
	if err := json.Unmarshal(n.MustRPC("getblock", hash, 2), &blk); err != nil {
		n.tb.Fatalf("regtest: getblock %s: %v", hash, err)
	}
	if len(blk.RawTx) == 0 || len(blk.RawTx[0].Vout) == 0 {
		n.tb.Fatalf("regtest: block %s has no coinbase output", hash)
	}
	out := blk.RawTx[0].Vout[0].ScriptPubKey
	if out.Address == "" && len(out.Addresses) == 1 {
		return out.Addresses[0]
	}
	return out.Address
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
	// Install into a directory of our own and rename the binary into place,
	// so that another test binary installing at the same time never runs a
	// half-written btcd.
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", filepath.Dir(bin), err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(bin), ".btcd-install-")
	if err != nil {
		return "", fmt.Errorf("creating a directory to install btcd in: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", "install", "github.com/btcsuite/btcd@"+BtcdVersion)
	cmd.Dir = os.TempDir() // outside any module, so go.mod is not consulted
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOBIN="+tmp)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install github.com/btcsuite/btcd@%s failed: %v: %s", BtcdVersion, err, msg)
	}
	if err := os.Rename(filepath.Join(tmp, "btcd"), bin); err != nil {
		return "", fmt.Errorf("moving the installed btcd to %s: %w", bin, err)
	}
	return bin, nil
}

// installMu serialises installs within one test binary.
var installMu sync.Mutex

// FreePorts returns count distinct TCP ports that are free on 127.0.0.1 now.
// They are chosen at random below the kernel's ephemeral port range (on
// Linux, net.ipv4.ip_local_port_range), where neither outgoing connections
// nor listeners on port 0 take ports, so they most likely stay free until the
// caller's server binds them. Another process choosing the same port is still
// possible: callers that start a server later must handle a bind failure.
func FreePorts(count int) ([]int, error) {
	lo, hi := 20000, ephemeralLow()
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, count)
	for tries := 0; len(ports) < count; tries++ {
		addr := "127.0.0.1:0" // the kernel's choice, when the range is crowded
		if tries < 1000 && hi > lo {
			addr = "127.0.0.1:" + strconv.Itoa(lo+mrand.IntN(hi-lo))
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if tries < 1000 {
				continue
			}
			return nil, fmt.Errorf("finding a free loopback port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// ephemeralLow is the lowest port the kernel hands out to outgoing
// connections and to listeners on port 0 (32768 when it cannot be read).
func ephemeralLow() int {
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(raw)); len(f) == 2 {
			if lo, err := strconv.Atoi(f[0]); err == nil && lo > 0 {
				return lo
			}
		}
	}
	return 32768
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
