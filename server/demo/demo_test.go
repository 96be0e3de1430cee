//go:build !js && !wasip1

package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
	"github.com/specterpwa/specter/internal/regtest/btcdsync"
	"github.com/specterpwa/specter/server/nodes"
	"github.com/specterpwa/specter/shared/chainsync"
	"github.com/specterpwa/specter/shared/wallet"
)

// syncWallet syncs a fresh wallet of desc against the demo node with
// compact block filters and returns it.
func syncWallet(t *testing.T, d *Demo, desc string) (*wallet.Wallet, chainsync.Result) {
	t.Helper()
	n, ok := d.opts.Nodes.Lookup(d.NodeID())
	require.True(t, ok)
	// CoreBatch translates getblockfilter for btcd, as the relay's rpcproxy
	// does in production.
	btcd := regtest.Endpoint{URL: n.URL, User: n.User, Password: n.Password}
	src := &chainsync.RPCSource{Caller: btcdsync.Caller{Batch: btcd.CoreBatch}}
	w, _, err := wallet.New(wallet.Params{Receive: desc, Network: "regtest"})
	require.NoError(t, err)
	res, err := chainsync.Sync(context.Background(), w, src, chainsync.Options{BatchSize: 500})
	require.NoError(t, err)
	return w, res
}

func rpc[T any](t *testing.T, d *Demo, method string, params ...any) T {
	t.Helper()
	var v T
	require.NoError(t, d.call(context.Background(), &v, method, params...))
	return v
}

func startDemo(t *testing.T, dataDir, bin string, log *slog.Logger) (*Demo, *nodes.Manager, time.Duration) {
	t.Helper()
	m, err := nodes.Open(dataDir, nodes.Options{})
	require.NoError(t, err)
	begin := time.Now()
	d, err := Start(context.Background(), Options{DataDir: dataDir, BtcdBinary: bin, Nodes: m, Log: log})
	require.NoError(t, err)
	t.Cleanup(d.Stop)
	return d, m, time.Since(begin)
}

// TestDemoFirstStartFundsWalletsAndRestartReusesTheChain starts the demo on
// a fresh data dir against a real btcd, syncs both demo wallets with
// shared/chainsync (filters) and checks the exact balances of FundingPlan
// with one payment unconfirmed; then restarts it on the same data dir (a
// new NodeManager, as a relay restart has) and checks that nothing is paid
// again, the unconfirmed payment is back in the fresh mempool, and the node
// entry is the same; then restarts it with its RPC port taken and checks the
// node entry is replaced under the same id.
func TestDemoFirstStartFundsWalletsAndRestartReusesTheChain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	bin, err := regtest.EnsureBtcd()
	require.NoError(t, err)
	dataDir := t.TempDir()
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))

	d, m, took := startDemo(t, dataDir, bin, log)
	t.Logf("first demo start took %s", took)
	require.Less(t, took, 20*time.Second, "the first start should take a few seconds")
	require.True(t, d.Funded)
	require.Equal(t, "demo-node-regtest", d.NodeID())
	require.Equal(t, filepath.Join(dataDir, DirName), d.Dir())
	list := m.List()
	require.Len(t, list, 1)
	require.Equal(t, NodeName, list[0].Name)
	require.Equal(t, "regtest", string(list[0].Network))
	require.Equal(t, d.URL(), list[0].URL)

	require.Equal(t, int32(InitialHeight+1), rpc[int32](t, d, "getblockcount"))
	plan := FundingPlan()
	pending := rpc[[]string](t, d, "getrawmempool")
	require.Len(t, pending, 1, "one demo payment stays unconfirmed")

	wallets := d.Wallets()
	want := []wallet.Balance{{Confirmed: 150_000_000, UntrustedPending: 10_000_000}, {Confirmed: 50_000_000, UntrustedPending: 5_000_000}}
	for i, w := range wallets {
		got, res := syncWallet(t, d, w.Descriptor)
		require.True(t, res.UsedFilters)
		require.Equal(t, int32(InitialHeight+1), res.Tip.Height)
		require.Equal(t, want[i], got.Balance(), w.Name)
		txs := got.Transactions(res.Tip.Height)
		require.Len(t, txs, map[int]int{0: 3, 1: 3}[i], w.Name)
		var unconfirmed []string
		for _, tx := range txs {
			if tx.Status == wallet.StatusPending {
				unconfirmed = append(unconfirmed, tx.Txid)
			}
		}
		require.Equal(t, pending, unconfirmed, w.Name)
		// The paid addresses are the first receive addresses, as planned.
		for _, tx := range plan {
			for _, p := range tx {
				if p.Wallet != i {
					continue
				}
				addr, err := w.ReceiveAddress(p.Index)
				require.NoError(t, err)
				var info wallet.AddressInfo
				for _, a := range got.Addresses(wallet.Receive, wallet.AllAddresses) {
					if a.Index == p.Index {
						info = a
					}
				}
				require.Equal(t, wallet.AddressInfo{Address: addr, Keychain: wallet.Receive, Index: p.Index, Used: true, Balance: p.Sats}, info, w.Name)
			}
		}
	}
	firstURL := d.URL()
	tipHash := rpc[string](t, d, "getbestblockhash")
	d.Stop()

	// Restart on the same data dir.
	logBuf.Reset()
	d2, m2, took := startDemo(t, dataDir, bin, log)
	t.Logf("second demo start took %s", took)
	require.False(t, d2.Funded, "nothing is paid again")
	require.Equal(t, firstURL, d2.URL(), "the stored ports are reused")
	require.Equal(t, "demo-node-regtest", d2.NodeID())
	require.Len(t, m2.List(), 1)
	require.Equal(t, int32(InitialHeight+1), rpc[int32](t, d2, "getblockcount"))
	require.Equal(t, pending, rpc[[]string](t, d2, "getrawmempool"), "the unconfirmed payment is sent again")
	require.Contains(t, logBuf.String(), "demo: restored the saved regtest chain")
	require.Equal(t, tipHash, rpc[string](t, d2, "getbestblockhash"), "the same chain, block for block")
	for i, w := range d2.Wallets() {
		got, _ := syncWallet(t, d2, w.Descriptor)
		require.Equal(t, want[i], got.Balance(), w.Name)
	}
	// Mined blocks confirm the payment and survive the next restart.
	hashes, err := d2.Mine(context.Background(), 2)
	require.NoError(t, err)
	require.Len(t, hashes, 2)
	require.Empty(t, rpc[[]string](t, d2, "getrawmempool"))
	port := d2.st.RPCPort
	d2.Stop()

	// Restart with the stored RPC port taken: new ports, the node entry
	// replaced under the same id.
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	require.NoError(t, err)
	defer l.Close()
	d3, m3, _ := startDemo(t, dataDir, bin, log)
	require.NotEqual(t, firstURL, d3.URL())
	list = m3.List()
	require.Len(t, list, 1)
	require.Equal(t, "demo-node-regtest", list[0].ID)
	require.Equal(t, d3.URL(), list[0].URL)
	require.Equal(t, int32(InitialHeight+3), rpc[int32](t, d3, "getblockcount"))
	require.Empty(t, rpc[[]string](t, d3, "getrawmempool"))
	for i, w := range d3.Wallets() {
		got, _ := syncWallet(t, d3, w.Descriptor)
		require.Equal(t, wallet.Balance{Confirmed: want[i].Confirmed + want[i].UntrustedPending}, got.Balance(), w.Name)
	}
	// A 2-block reorg (invalidateblock, then 3 new blocks): the saved chain
	// is written again and the next start restores the new branch.
	tip := rpc[int32](t, d3, "getblockcount")
	require.NoError(t, d3.call(context.Background(), nil, "invalidateblock", rpc[string](t, d3, "getblockhash", tip-1)))
	_, err = d3.Mine(context.Background(), 3)
	require.NoError(t, err)
	newTip := rpc[string](t, d3, "getbestblockhash")
	require.Equal(t, tip+1, rpc[int32](t, d3, "getblockcount"))
	d3.Stop()
	d4, _, _ := startDemo(t, dataDir, bin, log)
	require.Equal(t, newTip, rpc[string](t, d4, "getbestblockhash"))
	lines, err := readLines(filepath.Join(dataDir, DirName, blocksFile))
	require.NoError(t, err)
	require.Len(t, lines, int(tip+1))
	st, err := os.Stat(filepath.Join(dataDir, DirName, stateFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
}

// TestDemoAPIAnswersWalletsAndMines serves Routes over a running demo: GET
// gives the network, node id, warning and the two descriptors; POST /mine
// mines the asked blocks; bad bodies are refused; with demo mode off GET
// says so and POST /mine is refused.
func TestDemoAPIAnswersWalletsAndMines(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	bin, err := regtest.EnsureBtcd()
	require.NoError(t, err)
	d, _, _ := startDemo(t, t.TempDir(), bin, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var current *Demo
	r := chi.NewRouter()
	r.Route("/api/demo", func(r chi.Router) { Routes(r, nil, func() *Demo { return current }) })
	do := func(method, path, body string) (int, string) {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		return rec.Code, rec.Body.String()
	}

	code, body := do(http.MethodGet, "/api/demo", "")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"enabled":false}`, body)
	code, body = do(http.MethodPost, "/api/demo/mine", "")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, "the relay runs without demo mode")

	current = d
	code, body = do(http.MethodGet, "/api/demo", "")
	require.Equal(t, http.StatusOK, code)
	var info Info
	require.NoError(t, json.Unmarshal([]byte(body), &info))
	require.True(t, info.Enabled)
	require.Equal(t, "regtest", info.Network)
	require.Equal(t, "demo-node-regtest", info.NodeID)
	require.Equal(t, Warning, info.Warning)
	require.Len(t, info.Wallets, 2)
	want, err := Wallets()
	require.NoError(t, err)
	for i := range want {
		require.Equal(t, want[i].Descriptor, info.Wallets[i].Descriptor)
		require.Equal(t, want[i].Signers, info.Wallets[i].Signers)
	}
	require.True(t, strings.HasPrefix(info.Wallets[0].Descriptor, "wsh(sortedmulti(2,[73c5da0a/48h/1h/0h/2h]tpub"), info.Wallets[0].Descriptor)
	require.True(t, strings.HasPrefix(info.Wallets[1].Descriptor, "wpkh([73c5da0a/84h/1h/0h]tpub"), info.Wallets[1].Descriptor)
	// "abandon ... about" at m/84'/1'/0'/0/0: the witness program of the
	// widely published testnet address tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl.
	addr, err := info.Wallets[1].ReceiveAddress(0)
	require.NoError(t, err)
	require.Equal(t, "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk", addr)

	before := rpc[int32](t, d, "getblockcount")
	code, body = do(http.MethodPost, "/api/demo/mine", `{"blocks":3}`)
	require.Equal(t, http.StatusOK, code, body)
	var mined MineResult
	require.NoError(t, json.Unmarshal([]byte(body), &mined))
	require.Len(t, mined.Hashes, 3)
	require.Equal(t, before+3, mined.Height)
	code, body = do(http.MethodPost, "/api/demo/mine", "")
	require.Equal(t, http.StatusOK, code, body)
	require.NoError(t, json.Unmarshal([]byte(body), &mined))
	require.Equal(t, before+4, mined.Height)

	for _, tc := range []struct{ name, body, want string }{
		{"zero blocks", `{"blocks":0}`, "blocks must be from 1 to 1000, not 0"},
		{"too many blocks", `{"blocks":1001}`, "blocks must be from 1 to 1000, not 1001"},
		{"unknown field", `{"count":2}`, `the body must be {\"blocks\": N} or empty`},
		{"not JSON", `mine`, `the body must be {\"blocks\": N} or empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(http.MethodPost, "/api/demo/mine", tc.body)
			require.Equal(t, http.StatusBadRequest, code)
			require.Contains(t, body, tc.want)
		})
	}
	require.Equal(t, before+4, rpc[int32](t, d, "getblockcount"))
}

// TestDemoMinesAtTheInterval starts the demo with automatic mining every
// 200 ms and waits for blocks, which are saved for the next start.
func TestDemoMinesAtTheInterval(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	bin, err := regtest.EnsureBtcd()
	require.NoError(t, err)
	dataDir := t.TempDir()
	m, err := nodes.Open(dataDir, nodes.Options{})
	require.NoError(t, err)
	d, err := Start(context.Background(), Options{DataDir: dataDir, BtcdBinary: bin, Nodes: m, MineInterval: 200 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	t.Cleanup(d.Stop)
	require.Equal(t, "200ms", d.Info().MineInterval)
	require.Eventually(t, func() bool {
		h, err := d.Height(context.Background())
		return err == nil && h >= InitialHeight+3
	}, 20*time.Second, 50*time.Millisecond)
	require.Empty(t, rpc[[]string](t, d, "getrawmempool"), "the unconfirmed payment is mined by the next block")
	d.Stop()
	h := restartedHeight(t, dataDir, bin)
	require.GreaterOrEqual(t, h, int32(InitialHeight+3))
}

// restartedHeight starts the demo again without mining and returns its height.
func restartedHeight(t *testing.T, dataDir, bin string) int32 {
	d, _, _ := startDemo(t, dataDir, bin, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer d.Stop()
	require.False(t, d.Funded)
	h, err := d.Height(context.Background())
	require.NoError(t, err)
	return h
}

func TestFindBtcdSaysHowToInstallIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GOPATH", filepath.Join(t.TempDir(), "gopath"))
	_, err := FindBtcd("")
	require.ErrorContains(t, err, "run `make deps` (or `go install github.com/btcsuite/btcd@v0.24.2`), or start with --node URL")
	_, err = FindBtcd(filepath.Join(t.TempDir(), "nobtcd"))
	require.ErrorContains(t, err, "nobtcd: no such file or directory")
	bin := filepath.Join(os.Getenv("GOPATH"), "bin", "btcd")
	require.NoError(t, os.MkdirAll(filepath.Dir(bin), 0o755))
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
	got, err := FindBtcd("")
	require.NoError(t, err)
	require.Equal(t, bin, got)
}
