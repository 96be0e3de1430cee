// Command benchsync is the wallet sync benchmark of `make bench`
// (scripts/bench-sync.sh): it starts a btcd regtest node, builds a chain of
// 5,000 blocks holding 1,000 transactions that pay a wpkh wallet (BIP84
// keys from the BIP39 test mnemonic "abandon ... about"), then measures
//
//   - the sync: chainsync.Sync of that wallet from scratch with BIP158
//     filters through the relay's RPC proxy (server/rpcproxy, in process,
//     translating getblockfilter into btcd's getcfilter and
//     getcfilterheader) and the engine's relay Caller (wasm/relay, natively):
//     wall time, JSON-RPC requests, round trips and bytes received;
//   - the reference: a plain batched JSON-RPC client asking btcd directly
//     for the same block hashes, filters with their headers (BIP157) and
//     matched blocks, in batches of the same size: wall time, requests,
//     round trips and bytes received;
//
// and prints them side by side with the ratio sync/reference.
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/go-chi/chi/v5"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/server/rpcproxy"
	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/wallet"
	"github.com/specterpwa/specter/wasm/relay"
)

// testMnemonic is the BIP39 test vector mnemonic of 128 zero bits.
const testMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

const (
	// setupHeight is the chain's height before the fan-out: SegWit active
	// (regtest.SegwitHeight) and the first coinbases mature.
	setupHeight = 500
	// perFanout is the number of outputs of one fan-out transaction, each
	// spent by one payment to the wallet.
	perFanout = 100
	// fanoutFee and paymentFee are the fees of those transactions (sat);
	// both are well above btcd's minimum relay fee of 1 sat/vB.
	fanoutFee  = 100_000
	paymentFee = 2_000
	// addressStep spaces the wallet's addresses used on each keychain, so
	// that the sync finds every next one only through the gap limit (20).
	addressStep = 3
	// rpcBatch and blockBatch are chainsync.RPCSource's default batch
	// caps, which the reference uses too.
	rpcBatch   = 500
	blockBatch = 10
)

func main() {
	blocks := flag.Int("blocks", 5000, "height of the regtest chain")
	txs := flag.Int("txs", 1000, "transactions paying the wallet")
	perBlock := flag.Int("per-block", 2, "wallet transactions per paying block")
	runs := flag.Int("runs", 5, "timed runs of each side (the best is reported)")
	flag.Parse()
	if err := run(*blocks, *txs, *perBlock, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "benchsync:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func run(blocks, txs, perBlock, runs int) error {
	if runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	// Block setupHeight+1 holds the fan-out; the payments follow.
	heights, err := paymentHeights(txs, perBlock, setupHeight+2, int32(blocks))
	if err != nil {
		return err
	}
	t0 := time.Now()
	node, stop, err := regtest.StartProgram(regtest.Options{}, logf)
	if err != nil {
		return err
	}
	defer stop()
	btcd := newDirect(regtest.Endpoint{URL: node.URL, User: node.User, Password: node.Password, Client: &http.Client{Timeout: 5 * time.Minute}})
	ctx := context.Background()
	acct, err := accountKey()
	if err != nil {
		return err
	}
	logf("building the chain: %d blocks, %d wallet transactions in %d blocks...", blocks, txs, len(heights))
	total, err := buildChain(ctx, btcd, node, acct, blocks, perBlock, heights)
	if err != nil {
		return fmt.Errorf("building the regtest chain: %w", err)
	}
	built := time.Since(t0)

	caller, counter, closeRelay, err := startRelay(node)
	if err != nil {
		return err
	}
	defer closeRelay()

	// The first sync warms btcd's caches and tells which blocks the sync
	// downloads; the reference asks for the same ones.
	first, err := syncOnce(ctx, caller, counter, acct, int32(blocks), txs, total)
	if err != nil {
		return err
	}
	best := first
	var ref refResult
	for i := range runs {
		r, err := reference(ctx, btcd, int32(blocks), first.blocks)
		if err != nil {
			return fmt.Errorf("reference run: %w", err)
		}
		if i == 0 || r.elapsed < ref.elapsed {
			ref = r
		}
		s, err := syncOnce(ctx, caller, counter, acct, int32(blocks), txs, total)
		if err != nil {
			return err
		}
		if i == 0 || s.elapsed < best.elapsed {
			best = s
		}
	}
	printTable(os.Stdout, blocks, txs, runs, built, best, ref)
	return nil
}

// paymentHeights spreads txs transactions, perBlock per block, evenly over
// heights from..to: it returns the height of each paying block.
func paymentHeights(txs, perBlock int, from, to int32) ([]int32, error) {
	if txs < 1 || perBlock < 1 || txs%perBlock != 0 {
		return nil, fmt.Errorf("-txs (%d) must be a positive multiple of -per-block (%d)", txs, perBlock)
	}
	if txs%perFanout != 0 {
		return nil, fmt.Errorf("-txs (%d) must be a multiple of %d", txs, perFanout)
	}
	paying := int64(txs / perBlock)
	span := int64(to) - int64(from) + 1
	if span < paying {
		return nil, fmt.Errorf("%d blocks paying the wallet do not fit between heights %d and %d: raise -blocks or -per-block", paying, from, to)
	}
	heights := make([]int32, paying)
	for k := range heights {
		heights[k] = from + int32(int64(k)*span/paying)
	}
	return heights, nil
}

// target is the wallet address payment i goes to: keychains alternate and
// indexes advance by addressStep on each, across the gap limit.
func target(i int) (wallet.Keychain, uint32) {
	return wallet.Keychain(i % 2), uint32(i/2) * addressStep
}

// accountKey derives the BIP84 regtest account m/84'/1'/0' of the test
// mnemonic's seed (BIP39, empty passphrase).
func accountKey() (*hdkeychain.ExtendedKey, error) {
	seed, err := keys.SeedFromMnemonic(testMnemonic, "")
	if err != nil {
		return nil, fmt.Errorf("seed of the test mnemonic: %w", err)
	}
	k, err := hdkeychain.NewMaster(seed, &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, fmt.Errorf("master key of the test mnemonic: %w", err)
	}
	for _, step := range []uint32{84, 1, 0} {
		if k, err = k.Derive(hdkeychain.HardenedKeyStart + step); err != nil {
			return nil, fmt.Errorf("deriving the BIP84 account: %w", err)
		}
	}
	return k, nil
}

func newWallet(acct *hdkeychain.ExtendedKey) (*wallet.Wallet, error) {
	pub, err := acct.Neuter()
	if err != nil {
		return nil, err
	}
	w, _, err := wallet.New(wallet.Params{Receive: "wpkh(" + pub.String() + "/<0;1>/*)", Network: "regtest"})
	if err != nil {
		return nil, fmt.Errorf("creating the wallet: %w", err)
	}
	return w, nil
}

// walletScript is the P2WPKH script of acct/kc/index.
func walletScript(acct *hdkeychain.ExtendedKey, kc wallet.Keychain, index uint32) ([]byte, error) {
	k, err := acct.Derive(uint32(kc))
	if err == nil {
		k, err = k.Derive(index)
	}
	if err != nil {
		return nil, fmt.Errorf("deriving %s/%d: %w", kc, index, err)
	}
	pk, err := k.ECPubKey()
	if err != nil {
		return nil, err
	}
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pk.SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}

// buildChain mines setupHeight blocks, fans coinbases out into outputs of
// the mining key, then spends each to a wallet address, perBlock in each
// block of heights, and mines up to height blocks. It returns the sum paid
// to the wallet.
func buildChain(ctx context.Context, btcd *direct, node *regtest.Node, acct *hdkeychain.ExtendedKey, blocks, perBlock int, heights []int32) (int64, error) {
	txs := len(heights) * perBlock
	if err := generate(ctx, btcd, setupHeight); err != nil {
		return 0, err
	}
	minerScript, err := txscript.PayToAddrScript(node.MiningAddress)
	if err != nil {
		return 0, err
	}
	sign := func(tx *wire.MsgTx, prev []byte) error {
		sig, err := txscript.SignatureScript(tx, 0, prev, txscript.SigHashAll, node.MiningKey, true)
		tx.TxIn[0].SignatureScript = sig
		return err
	}
	// Fan-out: coinbase h (h = 1..) into perFanout outputs.
	fanouts := txs / perFanout
	var reqs []regtest.Call
	for h := 1; h <= fanouts; h++ {
		reqs = append(reqs, regtest.Call{Method: "getblockhash", Params: []any{h}})
	}
	hashes, err := btcd.strings(ctx, reqs)
	if err != nil {
		return 0, err
	}
	reqs = reqs[:0]
	for _, h := range hashes {
		reqs = append(reqs, regtest.Call{Method: "getblock", Params: []any{h, 0}})
	}
	raws, err := btcd.strings(ctx, reqs)
	if err != nil {
		return 0, err
	}
	type coin struct {
		op    wire.OutPoint
		value int64
	}
	var coins []coin
	var send []*wire.MsgTx
	for _, raw := range raws {
		b, err := hex.DecodeString(raw)
		if err != nil {
			return 0, err
		}
		var blk wire.MsgBlock
		if err := blk.Deserialize(bytes.NewReader(b)); err != nil {
			return 0, fmt.Errorf("decoding a block: %w", err)
		}
		cb := blk.Transactions[0]
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: cb.TxHash(), Index: 0}, nil, nil))
		each := (cb.TxOut[0].Value - fanoutFee) / perFanout
		for range perFanout {
			tx.AddTxOut(wire.NewTxOut(each, minerScript))
		}
		if err := sign(tx, cb.TxOut[0].PkScript); err != nil {
			return 0, err
		}
		send = append(send, tx)
		for o := range perFanout {
			coins = append(coins, coin{wire.OutPoint{Hash: tx.TxHash(), Index: uint32(o)}, each})
		}
	}
	if err := sendAll(ctx, btcd, send); err != nil {
		return 0, fmt.Errorf("fan-out: %w", err)
	}
	if err := generate(ctx, btcd, 1); err != nil {
		return 0, err
	}
	height := int32(setupHeight + 1)
	var total int64
	for k, at := range heights {
		i := k * perBlock
		if err := generate(ctx, btcd, int(at-1-height)); err != nil {
			return 0, err
		}
		send = send[:0]
		for j := i; j < i+perBlock; j++ {
			kc, index := target(j)
			script, err := walletScript(acct, kc, index)
			if err != nil {
				return 0, err
			}
			tx := wire.NewMsgTx(2)
			tx.AddTxIn(wire.NewTxIn(&coins[j].op, nil, nil))
			value := coins[j].value - paymentFee - int64(j)
			tx.AddTxOut(wire.NewTxOut(value, script))
			if err := sign(tx, minerScript); err != nil {
				return 0, err
			}
			send = append(send, tx)
			total += value
		}
		if err := sendAll(ctx, btcd, send); err != nil {
			return 0, fmt.Errorf("payments %d-%d: %w", i, i+perBlock-1, err)
		}
		if err := generate(ctx, btcd, 1); err != nil {
			return 0, err
		}
		height = at
	}
	if rest := int32(blocks) - height; rest > 0 {
		if err := generate(ctx, btcd, int(rest)); err != nil {
			return 0, err
		}
	}
	return total, nil
}

func generate(ctx context.Context, btcd *direct, n int) error {
	for n > 0 {
		k := min(n, 2000)
		if _, err := btcd.batch(ctx, []regtest.Call{{Method: "generate", Params: []any{k}}}); err != nil {
			return fmt.Errorf("mining %d blocks: %w", k, err)
		}
		n -= k
	}
	return nil
}

func sendAll(ctx context.Context, btcd *direct, txs []*wire.MsgTx) error {
	reqs := make([]regtest.Call, len(txs))
	for i, tx := range txs {
		var buf bytes.Buffer
		if err := tx.Serialize(&buf); err != nil {
			return err
		}
		reqs[i] = regtest.Call{Method: "sendrawtransaction", Params: []any{hex.EncodeToString(buf.Bytes())}}
	}
	_, err := btcd.batch(ctx, reqs)
	return err
}

// startRelay runs the relay's RPC proxy on a loopback port with btcd as
// its node and returns the engine's Caller for it, whose transport counts
// bytes.
func startRelay(node *regtest.Node) (*recorder, *countingTransport, func(), error) {
	dir, err := os.MkdirTemp("", "benchsync-relay-")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("creating the relay's data dir: %w", err)
	}
	fail := func(err error) (*recorder, *countingTransport, func(), error) {
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	m, err := nodes.Open(dir, nodes.Options{BitcoinDir: filepath.Join(dir, "no-bitcoin-core")})
	if err != nil {
		return fail(fmt.Errorf("opening the relay's node store: %w", err))
	}
	info, err := m.Add(nodes.NewNode{Name: "btcd", URL: node.URL, Network: "regtest", User: node.User, Password: node.Password})
	if err != nil {
		return fail(fmt.Errorf("adding btcd to the relay: %w", err))
	}
	r := chi.NewRouter()
	r.Post("/api/nodes/{id}/rpc", rpcproxy.New(m, nil, rpcproxy.Options{}).ServeHTTP)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(fmt.Errorf("listening for the relay: %w", err))
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	counter := &countingTransport{inner: relay.HTTPTransport{Client: &http.Client{Timeout: 5 * time.Minute}}}
	c, err := relay.New("http://"+ln.Addr().String(), info.ID, "", counter)
	if err != nil {
		srv.Close()
		return fail(err)
	}
	return &recorder{inner: c}, counter, func() { srv.Close(); os.RemoveAll(dir) }, nil
}

// countingTransport counts the bytes of request and answer bodies.
type countingTransport struct {
	inner          relay.Transport
	sent, received int64
}

// Post implements relay.Transport.
func (c *countingTransport) Post(ctx context.Context, url string, header map[string]string, body []byte) (int, []byte, error) {
	c.sent += int64(len(body))
	status, answer, err := c.inner.Post(ctx, url, header, body)
	c.received += int64(len(answer))
	return status, answer, err
}

// recorder passes batches on and keeps the hashes of the blocks asked.
type recorder struct {
	inner  chainsync.Caller
	blocks []string
}

// CallBatch implements chainsync.Caller.
func (r *recorder) CallBatch(ctx context.Context, reqs []chainsync.Request) ([]chainsync.Response, error) {
	for _, q := range reqs {
		if q.Method == "getblock" && len(q.Params) > 0 {
			if h, ok := q.Params[0].(string); ok {
				r.blocks = append(r.blocks, h)
			}
		}
	}
	return r.inner.CallBatch(ctx, reqs)
}

type syncResult struct {
	elapsed               time.Duration
	requests, roundTrips  int64
	sent, received        int64
	matched, walletBlocks int
	blocks                []string
}

// syncOnce syncs a new wallet from height 0 and checks that it found every
// payment.
func syncOnce(ctx context.Context, c *recorder, counter *countingTransport, acct *hdkeychain.ExtendedKey, tip int32, txs int, total int64) (syncResult, error) {
	w, err := newWallet(acct)
	if err != nil {
		return syncResult{}, err
	}
	c.blocks = nil
	counter.sent, counter.received = 0, 0
	src := &chainsync.RPCSource{Caller: c}
	start := time.Now()
	res, err := chainsync.Sync(ctx, w, src, chainsync.Options{SkipMempool: true})
	elapsed := time.Since(start)
	if err != nil {
		return syncResult{}, fmt.Errorf("sync through the relay: %w", err)
	}
	if res.Tip.Height != tip || !res.UsedFilters {
		return syncResult{}, fmt.Errorf("the sync reached height %d (want %d), with filters: %v", res.Tip.Height, tip, res.UsedFilters)
	}
	found := 0
	heights := map[int32]bool{}
	for _, d := range w.Transactions(tip) {
		if d.Status == wallet.StatusConfirmed {
			found++
			heights[d.Height] = true
		}
	}
	if bal := w.Balance(); found != txs || bal.Confirmed != total {
		return syncResult{}, fmt.Errorf("the sync found %d of %d transactions and %d of %d sat", found, txs, bal.Confirmed, total)
	}
	req, trips := src.Stats()
	return syncResult{elapsed: elapsed, requests: req, roundTrips: trips, sent: counter.sent, received: counter.received,
		matched: res.Matched, walletBlocks: len(heights), blocks: c.blocks}, nil
}

type refResult struct {
	elapsed              time.Duration
	requests, roundTrips int64
	sent, received       int64
}

// reference asks btcd directly, in batches, for the block hashes of heights
// 0..tip, each block's basic filter and filter header, and the given
// blocks, decoding every answer as a client would.
func reference(ctx context.Context, btcd *direct, tip int32, blocks []string) (refResult, error) {
	btcd.reset()
	start := time.Now()
	var hashes []string
	for from := int32(0); from <= tip; from += rpcBatch {
		var reqs []regtest.Call
		for h := from; h <= min(from+rpcBatch-1, tip); h++ {
			reqs = append(reqs, regtest.Call{Method: "getblockhash", Params: []any{h}})
		}
		got, err := btcd.strings(ctx, reqs)
		if err != nil {
			return refResult{}, err
		}
		hashes = append(hashes, got...)
	}
	for from := 0; from < len(hashes); from += rpcBatch {
		var reqs []regtest.Call
		for _, h := range hashes[from:min(from+rpcBatch, len(hashes))] {
			reqs = append(reqs, regtest.Call{Method: "getcfilter", Params: []any{h, 0}}, regtest.Call{Method: "getcfilterheader", Params: []any{h, 0}})
		}
		if _, err := btcd.strings(ctx, reqs); err != nil {
			return refResult{}, err
		}
	}
	for from := 0; from < len(blocks); from += blockBatch {
		var reqs []regtest.Call
		for _, h := range blocks[from:min(from+blockBatch, len(blocks))] {
			reqs = append(reqs, regtest.Call{Method: "getblock", Params: []any{h, 0}})
		}
		if _, err := btcd.strings(ctx, reqs); err != nil {
			return refResult{}, err
		}
	}
	return refResult{elapsed: time.Since(start), requests: btcd.requests, roundTrips: btcd.roundTrips, sent: btcd.sent, received: btcd.received}, nil
}

// direct is a plain batched JSON-RPC 1.0 client of btcd
// (regtest.Endpoint.Batch) that counts its requests, round trips and body
// bytes.
type direct struct {
	btcd                                 regtest.Endpoint
	requests, roundTrips, sent, received int64
}

// newDirect returns a direct client of btcd whose HTTP client (btcd.Client,
// or a default one) counts the bytes of request and answer bodies.
func newDirect(btcd regtest.Endpoint) *direct {
	d := &direct{btcd: btcd}
	var client http.Client
	if btcd.Client != nil {
		client = *btcd.Client
	}
	inner := client.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	client.Transport = bodyCounter{inner: inner, d: d}
	d.btcd.Client = &client
	return d
}

func (d *direct) reset() { d.requests, d.roundTrips, d.sent, d.received = 0, 0, 0, 0 }

// batch sends calls in one POST and returns the results in request order;
// an error answer to any request fails the batch.
func (d *direct) batch(ctx context.Context, calls []regtest.Call) ([]json.RawMessage, error) {
	answers, err := d.btcd.Batch(ctx, calls)
	if err != nil {
		return nil, err
	}
	d.requests += int64(len(calls))
	d.roundTrips++
	res := make([]json.RawMessage, len(answers))
	for i, a := range answers {
		if a.Error != nil {
			return nil, fmt.Errorf("%s: %w", calls[i].Method, (*chainsync.RPCError)(a.Error))
		}
		res[i] = a.Result
	}
	return res, nil
}

// bodyCounter is an http.RoundTripper that adds the bytes of request bodies
// to d.sent and those of answer bodies, as they are read, to d.received.
type bodyCounter struct {
	inner http.RoundTripper
	d     *direct
}

// RoundTrip implements http.RoundTripper.
func (b bodyCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.ContentLength > 0 {
		b.d.sent += req.ContentLength
	}
	resp, err := b.inner.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, n: &b.d.received}
	return resp, nil
}

// countingBody adds the bytes read through it to *n.
type countingBody struct {
	io.ReadCloser
	n *int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	k, err := c.ReadCloser.Read(p)
	*c.n += int64(k)
	return k, err
}

// strings is batch for methods whose results are strings.
func (d *direct) strings(ctx context.Context, calls []regtest.Call) ([]string, error) {
	res, err := d.batch(ctx, calls)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(res))
	for i, r := range res {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("%s: unexpected answer %.100q", calls[i].Method, r)
		}
	}
	return out, nil
}

// ratio formats a/b, or "-" when b is zero.
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func printTable(out io.Writer, blocks, txs, runs int, built time.Duration, s syncResult, r refResult) {
	fmt.Fprintf(out, "Wallet sync through the relay vs btcd serving the same data to a plain batched client\n")
	fmt.Fprintf(out, "(btcd regtest, %d blocks built in %.1f s; wpkh wallet with %d transactions in %d blocks; best of %d runs)\n",
		blocks, built.Seconds(), txs, s.walletBlocks, runs)
	fmt.Fprintf(out, "%-20s %16s %16s %12s\n", "", "sync via relay", "btcd direct", "sync/direct")
	fmt.Fprintf(out, "%-20s %14.3f s %14.3f s %12s\n", "wall time", s.elapsed.Seconds(), r.elapsed.Seconds(), ratio(s.elapsed.Seconds(), r.elapsed.Seconds()))
	fmt.Fprintf(out, "%-20s %16d %16d %12s\n", "JSON-RPC requests", s.requests, r.requests, ratio(float64(s.requests), float64(r.requests)))
	fmt.Fprintf(out, "%-20s %16d %16d %12s\n", "round trips", s.roundTrips, r.roundTrips, ratio(float64(s.roundTrips), float64(r.roundTrips)))
	fmt.Fprintf(out, "%-20s %16s %16s %12s\n", "bytes received", mb(s.received), mb(r.received), ratio(float64(s.received), float64(r.received)))
	fmt.Fprintf(out, "%-20s %16s %16s %12s\n", "bytes sent", mb(s.sent), mb(r.sent), ratio(float64(s.sent), float64(r.sent)))
	fmt.Fprintf(out, "blocks downloaded: %d (%d pay the wallet, %d BIP158 false positives)\n", len(s.blocks), s.walletBlocks, len(s.blocks)-s.walletBlocks)
	fmt.Fprintf(out, "direct = getblockhash, getcfilter + getcfilterheader per block (the relay's translation of getblockfilter) and getblock of the same blocks, %d per batch (blocks %d); bytes are JSON-RPC bodies\n", rpcBatch, blockBatch)
}
