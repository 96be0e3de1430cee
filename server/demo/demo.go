// Package demo is the relay's demo mode, what `make run` shows a new user
// when no node is configured: it starts a local btcd node on regtest (a
// private test chain whose coins have no value), mines past SegWit's
// activation height on btcd regtest (432) and coinbase maturity, pays two
// demo wallets built from public BIP39 test mnemonics (a 2-of-3 wsh
// multisig and a wpkh single-sig, see Wallets and FundingPlan), leaves one
// payment unconfirmed, and registers the node in the relay's NodeManager as
// "Demo node (REGTEST)". GET /api/demo tells the PWA the demo wallets so it
// can offer to load them; POST /api/demo/mine mines blocks.
//
// The chain lives in DATADIR/demo-btcd and survives restarts: btcd deletes
// its regtest database at every start, so the demo saves the blocks and the
// mempool itself and submits them again (same chain, same block hashes); a
// second start reuses the chain without paying the wallets again.
//
// The demo mnemonics are public: never use them for real funds.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/specterpwa/specter/server/internal/atomicfile"
	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/shared/network"
)

// NodeName is the demo node's name in the NodeManager.
const NodeName = "Demo node (REGTEST)"

// DirName is the demo's directory in the relay's data dir: btcd's chain,
// its log and the demo's state file.
const DirName = "demo-btcd"

// SegwitHeight is the height at which btcd's regtest activates SegWit and
// Taproot (BIP9 deployments in btcd's chaincfg).
const SegwitHeight = 432

// coinbaseMaturity is Bitcoin's coinbase maturity (100 blocks).
const coinbaseMaturity = 100

// InitialHeight is the height the first start mines to: past SegWit's
// activation, with the coinbases of the funding plan mature.
const InitialHeight = SegwitHeight + 8

// FundingFee is the fee of each funding transaction, in satoshis (about
// 45 sat/vB for these sizes, above any relay minimum).
const FundingFee = 10_000

// maxMine bounds the blocks one Mine call produces.
const maxMine = 1000

const stateFile = "demo.json"

// Options configure Start.
type Options struct {
	// DataDir is the relay's data dir; the demo chain is DataDir/demo-btcd.
	DataDir string
	// BtcdBinary is the btcd executable; empty: btcd on PATH, then
	// $GOPATH/bin/btcd (where `make deps` installs it).
	BtcdBinary string
	// Nodes is the relay's NodeManager, where the demo node is registered.
	Nodes *nodes.Manager
	// MineInterval, when positive, mines a block at that interval.
	MineInterval time.Duration
	// Log receives the demo's log lines (slog.Default when nil).
	Log *slog.Logger
	// ReadyTimeout bounds the wait for btcd's RPC server (default 60s).
	ReadyTimeout time.Duration
}

// state is DATADIR/demo-btcd/demo.json (mode 0600): btcd's ports and RPC
// credentials, kept so the registered node stays valid across restarts.
type state struct {
	Version     int    `json:"version"`
	RPCPort     int    `json:"rpc_port"`
	P2PPort     int    `json:"p2p_port"`
	RPCUser     string `json:"rpc_user"`
	RPCPassword string `json:"rpc_password"`
}

// Demo is a running demo node with its wallets funded.
type Demo struct {
	opts    Options
	log     *slog.Logger
	dir     string
	st      state
	nodeID  string
	client  *nodes.Client
	wallets []Wallet
	key     *btcec.PrivateKey
	addr    *btcutil.AddressPubKeyHash

	cmd      *exec.Cmd
	done     chan struct{}
	cancel   context.CancelFunc
	loop     sync.WaitGroup
	stopped  sync.Once
	mineMu   sync.Mutex
	saveMu   sync.Mutex
	saved    int    // blocks in blocks.hex
	lastHash string // hash of the last block in blocks.hex
	loaded   bool   // the saved chain is restored: saving may append

	// Funded reports what Start did: true when it paid the demo wallets
	// (first start), false when the chain already held the payments.
	Funded bool
}

// MiningKey is the demo miner's private key: every coinbase pays its P2PKH
// address, and the funding transactions spend those coinbases. It is
// derived from a published label, so it is public too (regtest only).
func MiningKey() *btcec.PrivateKey {
	seed := sha256.Sum256([]byte("Specter PWA demo mining key: regtest only, published, never use for real funds"))
	key, _ := btcec.PrivKeyFromBytes(seed[:])
	return key
}

// FindBtcd returns the btcd executable: bin when given, else btcd on PATH,
// else $GOPATH/bin/btcd (GOPATH defaults to ~/go). The error says how to
// install it.
func FindBtcd(bin string) (string, error) {
	if bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("the btcd binary %s: %w", bin, err)
		}
		return bin, nil
	}
	if p, err := exec.LookPath("btcd"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(filepath.SplitList(gopath)[0], "bin", "btcd")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("btcd, which runs the demo's regtest node, was found neither on PATH nor at %s: run `make deps` (or `go install github.com/btcsuite/btcd@v0.24.2`), or start with --node URL to use your own node", p)
}

// Start starts the demo node (or restarts it on its existing chain), pays
// the demo wallets on the first start, rebroadcasts the unconfirmed demo
// payment when btcd lost it with its mempool, and registers the node in
// opts.Nodes. Stop ends it.
func Start(ctx context.Context, opts Options) (_ *Demo, err error) {
	if opts.DataDir == "" {
		return nil, errors.New("demo mode needs the relay's data dir")
	}
	if opts.Nodes == nil {
		return nil, errors.New("demo mode needs the relay's node manager")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	bin, err := FindBtcd(opts.BtcdBinary)
	if err != nil {
		return nil, err
	}
	wallets, err := Wallets()
	if err != nil {
		return nil, err
	}
	key := MiningKey()
	addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), network.Regtest.Params())
	if err != nil {
		return nil, fmt.Errorf("demo mining address: %w", err)
	}
	d := &Demo{opts: opts, log: opts.Log, dir: filepath.Join(opts.DataDir, DirName), wallets: wallets, key: key, addr: addr}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the demo node's directory: %w", err)
	}
	if err := d.loadState(); err != nil {
		return nil, err
	}
	if err := d.startBtcd(bin); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			d.Stop()
		}
	}()
	if err := d.register(); err != nil {
		return nil, err
	}
	if err := d.waitReady(ctx); err != nil {
		return nil, err
	}
	if err := d.restoreChain(ctx); err != nil {
		return nil, err
	}
	if err := d.restoreMempool(ctx); err != nil {
		return nil, err
	}
	if err := d.fund(ctx); err != nil {
		return nil, fmt.Errorf("funding the demo wallets: %w", err)
	}
	if err := d.SaveChain(ctx); err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.loop.Add(1)
	go d.background(lctx, opts.MineInterval)
	return d, nil
}

func (d *Demo) loadState() error {
	path := filepath.Join(d.dir, stateFile)
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading the demo state: %w", err)
	default:
		if err := json.Unmarshal(raw, &d.st); err != nil {
			return fmt.Errorf("the demo state %s is not valid (%v): remove the directory %s to start a fresh demo chain", path, err, d.dir)
		}
	}
	changed := false
	if d.st.RPCUser == "" || d.st.RPCPassword == "" {
		pass := make([]byte, 16)
		if _, err := io.ReadFull(rand.Reader, pass); err != nil {
			return fmt.Errorf("demo node password: %w", err)
		}
		d.st.RPCUser, d.st.RPCPassword = "specter-demo", hex.EncodeToString(pass)
		changed = true
	}
	if d.st.RPCPort == 0 || d.st.P2PPort == 0 || d.st.RPCPort == d.st.P2PPort || !portFree(d.st.RPCPort) || !portFree(d.st.P2PPort) {
		ports, err := freePorts(2)
		if err != nil {
			return err
		}
		d.st.RPCPort, d.st.P2PPort = ports[0], ports[1]
		changed = true
	}
	d.st.Version = 1
	if !changed {
		return nil
	}
	raw, err = json.MarshalIndent(d.st, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the demo state: %w", err)
	}
	return atomicfile.Write(path, append(raw, '\n'), 0o600)
}

func (d *Demo) startBtcd(bin string) error {
	home := filepath.Join(d.dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("creating the demo node's directory: %w", err)
	}
	logPath := filepath.Join(d.dir, "btcd.out")
	out, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("creating the demo node's log: %w", err)
	}
	args := []string{
		"--regtest", "--notls",
		"--rpcuser=" + d.st.RPCUser, "--rpcpass=" + d.st.RPCPassword,
		"--rpclisten=127.0.0.1:" + strconv.Itoa(d.st.RPCPort),
		"--listen=127.0.0.1:" + strconv.Itoa(d.st.P2PPort),
		"--txindex", "--miningaddr=" + d.addr.EncodeAddress(),
		"--configfile=" + os.DevNull, "--nodnsseed",
		"--datadir=" + filepath.Join(d.dir, "data"), "--logdir=" + filepath.Join(d.dir, "logs"),
	}
	d.cmd = exec.Command(bin, args...)
	d.cmd.Stdout, d.cmd.Stderr = out, out
	// btcd creates ~/.btcd whatever --datadir says: keep it in the demo dir.
	d.cmd.Env = append(os.Environ(), "HOME="+home)
	dieWithParent(d.cmd)
	if err := d.cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("starting the demo node %s: %w", bin, err)
	}
	d.done = make(chan struct{})
	go func() {
		_ = d.cmd.Wait()
		out.Close()
		close(d.done)
	}()
	d.log.Info("demo: btcd regtest node started", "pid", d.cmd.Process.Pid, "rpc", d.url(), "dir", d.dir)
	return nil
}

func (d *Demo) url() string { return "http://127.0.0.1:" + strconv.Itoa(d.st.RPCPort) }

// register adds the demo node to the NodeManager, replacing an entry of the
// same name left by an earlier start with other ports or credentials.
func (d *Demo) register() error {
	m := d.opts.Nodes
	for _, info := range m.List() {
		if info.Name != NodeName {
			continue
		}
		n, _ := m.Lookup(info.ID)
		if n.URL == d.url() && n.User == d.st.RPCUser && n.Password == d.st.RPCPassword && n.Network == network.Regtest {
			return d.useNode(info.ID)
		}
		if err := m.Remove(info.ID); err != nil {
			return fmt.Errorf("replacing the old demo node entry: %w", err)
		}
	}
	info, err := m.Add(nodes.NewNode{Name: NodeName, URL: d.url(), Network: string(network.Regtest), User: d.st.RPCUser, Password: d.st.RPCPassword})
	if err != nil {
		return fmt.Errorf("registering the demo node: %w", err)
	}
	return d.useNode(info.ID)
}

func (d *Demo) useNode(id string) error {
	c, err := d.opts.Nodes.Client(id)
	if err != nil {
		return err
	}
	d.nodeID, d.client = id, c
	return nil
}

func (d *Demo) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(d.opts.ReadyTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-d.done:
			return fmt.Errorf("the demo node (btcd) exited at start: see %s", filepath.Join(d.dir, "btcd.out"))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := d.client.Call(cctx, "getblockcount")
		cancel()
		if err == nil {
			return nil
		}
		last = err
		time.Sleep(30 * time.Millisecond)
	}
	return fmt.Errorf("the demo node (btcd) did not answer within %s: %w", d.opts.ReadyTimeout, last)
}

// call calls one RPC method and decodes its result into out (when not nil).
func (d *Demo) call(ctx context.Context, out any, method string, params ...any) error {
	raw, err := d.client.Call(ctx, method, params...)
	if err != nil {
		return fmt.Errorf("demo node %s: %w", method, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("demo node %s answered %.100q: %w", method, raw, err)
	}
	return nil
}

// fund makes the chain hold FundingPlan: it mines to InitialHeight when the
// chain is shorter, sends each planned transaction the node does not know
// yet, mines one block when a planned confirmed payment is in the mempool,
// and leaves the last one unconfirmed. Each transaction spends the coinbase
// of block 1, 2, ... and is signed deterministically (RFC6979), so it is the
// same transaction at every start: a chain that has them is left alone.
func (d *Demo) fund(ctx context.Context) error {
	var height int32
	if err := d.call(ctx, &height, "getblockcount"); err != nil {
		return err
	}
	if height < InitialHeight {
		if err := d.call(ctx, nil, "generate", InitialHeight-height); err != nil {
			return err
		}
		d.log.Info("demo: mined the regtest chain past SegWit activation and coinbase maturity", "height", InitialHeight)
	}
	plan := FundingPlan()
	txs := make([]*wire.MsgTx, len(plan))
	for i, pays := range plan {
		tx, err := d.fundingTx(ctx, int32(i+1), pays)
		if err != nil {
			return err
		}
		txs[i] = tx
	}
	last := txs[len(txs)-1]
	sent := 0
	for _, tx := range txs[:len(txs)-1] {
		ok, err := d.send(ctx, tx)
		if err != nil {
			return err
		}
		if ok {
			sent++
		}
	}
	var mempool []string
	if err := d.call(ctx, &mempool, "getrawmempool"); err != nil {
		return err
	}
	for _, tx := range txs[:len(txs)-1] {
		if slices.Contains(mempool, tx.TxHash().String()) {
			if err := d.call(ctx, nil, "generate", 1); err != nil {
				return err
			}
			break
		}
	}
	// The last payment stays unconfirmed: sent after the block, and sent
	// again at a restart when btcd lost it with its mempool.
	rebroadcast, err := d.send(ctx, last)
	if err != nil {
		if !isRPCError(err) {
			return err
		}
		// Its coin was spent otherwise (by hand through the RPC proxy):
		// the demo goes on without it.
		d.log.Warn("demo: the unconfirmed demo payment is refused by the node; going on without it", "txid", last.TxHash().String(), "err", err)
	}
	d.Funded = sent > 0
	switch {
	case d.Funded:
		d.log.Info("demo: paid the demo wallets", "confirmed_transactions", sent, "unconfirmed", last.TxHash().String())
	case rebroadcast:
		d.log.Info("demo: sent the unconfirmed demo payment again (btcd keeps no mempool across restarts)", "txid", last.TxHash().String())
	}
	return nil
}

// send broadcasts tx unless the node knows it (mined or in the mempool); it
// reports whether it sent it.
func (d *Demo) send(ctx context.Context, tx *wire.MsgTx) (bool, error) {
	var known string
	if err := d.call(ctx, &known, "getrawtransaction", tx.TxHash().String(), 0); err == nil {
		return false, nil
	} else if !isRPCError(err) {
		return false, err
	}
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return false, fmt.Errorf("encoding a demo payment: %w", err)
	}
	if err := d.call(ctx, nil, "sendrawtransaction", hex.EncodeToString(buf.Bytes())); err != nil {
		return false, err
	}
	return true, nil
}

func isRPCError(err error) bool {
	var re *nodes.RPCError
	return errors.As(err, &re)
}

// fundingTx spends the coinbase of block height (output 0, P2PKH of the
// mining key) to the payments, the rest minus FundingFee back to the miner.
// The last plan entry signals BIP125 replaceability so the UI can show a
// bump or CPFP on it.
func (d *Demo) fundingTx(ctx context.Context, height int32, pays []Payment) (*wire.MsgTx, error) {
	var hash, raw string
	if err := d.call(ctx, &hash, "getblockhash", height); err != nil {
		return nil, err
	}
	if err := d.call(ctx, &raw, "getblock", hash, 0); err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(raw)
	if err != nil {
		return nil, fmt.Errorf("block %d is not hex: %w", height, err)
	}
	var blk wire.MsgBlock
	if err := blk.Deserialize(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("decoding block %d: %w", height, err)
	}
	cb := blk.Transactions[0]
	prev := cb.TxOut[0]
	mine, err := txscript.PayToAddrScript(d.addr)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(prev.PkScript, mine) {
		return nil, fmt.Errorf("the coinbase of block %d does not pay the demo miner: the directory %s holds another chain; remove it to start a fresh demo", height, d.dir)
	}
	tx := wire.NewMsgTx(2)
	in := wire.NewTxIn(&wire.OutPoint{Hash: cb.TxHash(), Index: 0}, nil, nil)
	if int(height) == len(FundingPlan()) {
		in.Sequence = wire.MaxTxInSequenceNum - 2
	}
	tx.AddTxIn(in)
	rest := prev.Value - FundingFee
	for _, p := range pays {
		script, err := d.wallets[p.Wallet].ReceiveScript(p.Index)
		if err != nil {
			return nil, err
		}
		tx.AddTxOut(wire.NewTxOut(p.Sats, script))
		rest -= p.Sats
	}
	tx.AddTxOut(wire.NewTxOut(rest, mine))
	sig, err := txscript.SignatureScript(tx, 0, prev.PkScript, txscript.SigHashAll, d.key, true)
	if err != nil {
		return nil, fmt.Errorf("signing a demo payment: %w", err)
	}
	tx.TxIn[0].SignatureScript = sig
	return tx, nil
}

// Mine mines blocks (1 to 1000) to the demo miner and returns their hashes.
func (d *Demo) Mine(ctx context.Context, blocks int) ([]string, error) {
	if blocks < 1 || blocks > maxMine {
		return nil, fmt.Errorf("mine 1 to %d blocks, not %d", maxMine, blocks)
	}
	d.mineMu.Lock()
	defer d.mineMu.Unlock()
	var hashes []string
	if err := d.call(ctx, &hashes, "generate", blocks); err != nil {
		return nil, err
	}
	if err := d.SaveChain(ctx); err != nil {
		return nil, err
	}
	return hashes, nil
}

// Height returns the demo chain's height.
func (d *Demo) Height(ctx context.Context) (int32, error) {
	var h int32
	err := d.call(ctx, &h, "getblockcount")
	return h, err
}

// saveEvery is how often the background loop saves new blocks (mined
// through the RPC proxy's generate, say) so that a crash loses little.
const saveEvery = 10 * time.Second

// background mines a block every mineEvery (when positive) and saves new
// blocks every saveEvery until ctx ends.
func (d *Demo) background(ctx context.Context, mineEvery time.Duration) {
	defer d.loop.Done()
	save := time.NewTicker(saveEvery)
	defer save.Stop()
	var mine <-chan time.Time
	if mineEvery > 0 {
		t := time.NewTicker(mineEvery)
		defer t.Stop()
		mine = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-save.C:
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := d.SaveChain(cctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				d.log.Warn("demo: saving the chain failed", "err", err)
			}
		case <-mine:
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			hashes, err := d.Mine(cctx, 1)
			cancel()
			if err != nil {
				if ctx.Err() == nil {
					d.log.Warn("demo: mining a block failed", "err", err)
				}
				continue
			}
			d.log.Debug("demo: mined a block", "hash", hashes[0])
		}
	}
}

// NodeID is the demo node's id in the NodeManager.
func (d *Demo) NodeID() string { return d.nodeID }

// URL is the demo node's JSON-RPC address.
func (d *Demo) URL() string { return d.url() }

// Dir is the demo's directory (DATADIR/demo-btcd).
func (d *Demo) Dir() string { return d.dir }

// Wallets returns the demo wallets.
func (d *Demo) Wallets() []Wallet { return slices.Clone(d.wallets) }

// Info is what GET /api/demo answers.
type Info struct {
	// Enabled is false when the relay runs without demo mode (the other
	// fields are then empty).
	Enabled bool `json:"enabled"`
	// Network is "regtest".
	Network string `json:"network,omitempty"`
	// NodeID is the demo node's id in /api/nodes.
	NodeID string `json:"node_id,omitempty"`
	// Warning must be shown with the wallets: their mnemonics are public.
	Warning string `json:"warning,omitempty"`
	// Wallets are the demo wallets with their descriptors and signers.
	Wallets []Wallet `json:"wallets,omitempty"`
	// MineInterval is the automatic mining interval ("" when off).
	MineInterval string `json:"mine_interval,omitempty"`
}

// Info describes the demo for the PWA.
func (d *Demo) Info() Info {
	in := Info{Enabled: true, Network: string(network.Regtest), NodeID: d.nodeID, Warning: Warning, Wallets: d.Wallets()}
	if d.opts.MineInterval > 0 {
		in.MineInterval = d.opts.MineInterval.String()
	}
	return in
}

// Stop stops automatic mining, saves the chain and the mempool (btcd
// deletes its regtest database at start: see persist.go), and stops btcd:
// an interrupt, then a kill after 15 seconds. The demo node stays
// registered, so a restart on the same data dir finds it again.
func (d *Demo) Stop() {
	d.stopped.Do(func() {
		if d.cancel != nil {
			d.cancel()
		}
		d.loop.Wait()
		if d.cmd == nil || d.cmd.Process == nil {
			return
		}
		select {
		case <-d.done:
		default:
			if d.loaded {
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				if err := d.SaveChain(ctx); err != nil {
					d.log.Warn("demo: saving the chain at shutdown failed", "err", err)
				}
				if err := d.saveMempool(ctx); err != nil {
					d.log.Warn("demo: saving the mempool at shutdown failed", "err", err)
				}
				cancel()
			}
		}
		if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
			_ = d.cmd.Process.Kill()
		}
		select {
		case <-d.done:
		case <-time.After(15 * time.Second):
			d.log.Warn("demo: btcd did not stop within 15s; killing it", "pid", d.cmd.Process.Pid)
			_ = d.cmd.Process.Kill()
			<-d.done
		}
		d.log.Info("demo: btcd stopped")
	})
}

// portFree reports whether a loopback TCP port can be listened on.
func portFree(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// freePorts returns count distinct free loopback TCP ports.
func freePorts(count int) ([]int, error) {
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
			return nil, fmt.Errorf("finding a free loopback port for the demo node: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
