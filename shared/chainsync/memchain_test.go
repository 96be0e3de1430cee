package chainsync

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/gcs/builder"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/wallet"
)

// memChain is an in-memory node answering Bitcoin Core's JSON-RPC (as a
// Caller), with real block hashes, BIP158 filters built by btcd's gcs
// builder and the BIP157 filter header chain.
type memChain struct {
	blocks    []*wire.MsgBlock
	hashes    []string
	byHash    map[string]int
	filters   []string
	headers   []string
	scripts   map[wire.OutPoint][]byte
	mempool   []*wire.MsgTx
	noFilters bool
	badHeader int32 // height whose header is corrupted, 0 for none
	forks     int   // truncations so far: new blocks differ from the old
	requests  int
}

var externalScript = []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}

func newMemChain(tb testing.TB) *memChain {
	c := &memChain{scripts: map[wire.OutPoint][]byte{}, byHash: map[string]int{}}
	c.mine(tb)
	return c
}

func (c *memChain) tip() int32 { return int32(len(c.blocks) - 1) }

// mine appends a block holding a coinbase and txs.
func (c *memChain) mine(tb testing.TB, txs ...*wire.MsgTx) *wire.MsgBlock {
	tb.Helper()
	h := int32(len(c.blocks))
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, fmt.Appendf(nil, "height %d fork %d", h, c.forks), nil))
	cb.AddTxOut(wire.NewTxOut(50_0000_0000, externalScript))
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: 4, Timestamp: time.Unix(1700000000+int64(h)*600, 0), Bits: 0x207fffff, Nonce: uint32(c.forks)}}
	if h > 0 {
		blk.Header.PrevBlock = c.blocks[h-1].BlockHash()
	}
	blk.Transactions = append([]*wire.MsgTx{cb}, txs...)
	var ids []byte
	for _, tx := range blk.Transactions {
		h := tx.TxHash()
		ids = append(ids, h[:]...)
	}
	blk.Header.MerkleRoot = chainhash.DoubleHashH(ids) // not Bitcoin's tree: only needs to differ per content
	var prev [][]byte
	for _, tx := range txs {
		for _, in := range tx.TxIn {
			s, ok := c.scripts[in.PreviousOutPoint]
			if !ok {
				s = externalScript
			}
			prev = append(prev, s)
		}
	}
	for _, tx := range blk.Transactions {
		for i, o := range tx.TxOut {
			c.scripts[wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}] = o.PkScript
		}
	}
	f, err := builder.BuildBasicFilter(blk, prev)
	require.NoError(tb, err)
	nb, err := f.NBytes()
	require.NoError(tb, err)
	prevHeader := chainhash.Hash{}
	if h > 0 {
		p, err := chainhash.NewHashFromStr(c.headers[h-1])
		require.NoError(tb, err)
		prevHeader = *p
	}
	hdr, err := builder.MakeHeaderForFilter(f, prevHeader)
	require.NoError(tb, err)
	c.blocks = append(c.blocks, blk)
	c.hashes = append(c.hashes, blk.BlockHash().String())
	c.byHash[c.hashes[h]] = int(h)
	c.filters = append(c.filters, hex.EncodeToString(nb))
	c.headers = append(c.headers, hdr.String())
	var keep []*wire.MsgTx
	for _, m := range c.mempool {
		mined := false
		for _, tx := range txs {
			if tx.TxHash() == m.TxHash() {
				mined = true
			}
		}
		if !mined {
			keep = append(keep, m)
		}
	}
	c.mempool = keep
	return blk
}

// truncate drops the blocks from height on (the start of a reorg).
func (c *memChain) truncate(height int32) {
	for _, h := range c.hashes[height:] {
		delete(c.byHash, h)
	}
	c.blocks, c.hashes, c.filters, c.headers = c.blocks[:height], c.hashes[:height], c.filters[:height], c.headers[:height]
	c.forks++
}

func (c *memChain) find(hash string) int {
	if i, ok := c.byHash[hash]; ok {
		return i
	}
	return -1
}

func rawHex(v interface{ Serialize(w io.Writer) error }) string {
	var buf bytes.Buffer
	_ = v.Serialize(&buf)
	return hex.EncodeToString(buf.Bytes())
}

func ok(v any) Response {
	raw, _ := json.Marshal(v)
	return Response{Result: raw}
}

func fail(code int, msg string) Response { return Response{Error: &RPCError{Code: code, Message: msg}} }

// CallBatch answers in Bitcoin Core's dialect, after a JSON round trip of
// the requests as a real transport would do.
func (c *memChain) CallBatch(_ context.Context, reqs []Request) ([]Response, error) {
	raw, err := json.Marshal(reqs)
	if err != nil {
		return nil, err
	}
	var wire_ []struct {
		Method string            `json:"method"`
		Params []json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(raw, &wire_); err != nil {
		return nil, err
	}
	c.requests += len(reqs)
	out := make([]Response, len(wire_))
	for i, r := range wire_ {
		var s string
		var n int32
		if len(r.Params) > 0 {
			_ = json.Unmarshal(r.Params[0], &s)
			_ = json.Unmarshal(r.Params[0], &n)
		}
		switch r.Method {
		case "getblockcount":
			out[i] = ok(c.tip())
		case "getbestblockhash":
			out[i] = ok(c.hashes[c.tip()])
		case "getblockhash":
			if n < 0 || n > c.tip() {
				out[i] = fail(-8, "Block height out of range")
			} else {
				out[i] = ok(c.hashes[n])
			}
		case "getblockfilter":
			j := c.find(s)
			switch {
			case c.noFilters:
				out[i] = fail(-1, "Index is not enabled for filtertype basic")
			case j < 0:
				out[i] = fail(-5, "Block not found")
			default:
				hdr := c.headers[j]
				if c.badHeader != 0 && int32(j) == c.badHeader {
					hdr = c.headers[0]
				}
				out[i] = ok(BlockFilter{Filter: c.filters[j], Header: hdr})
			}
		case "getblock":
			if j := c.find(s); j < 0 {
				out[i] = fail(-5, "Block not found")
			} else {
				out[i] = ok(rawHex(c.blocks[j]))
			}
		case "getrawmempool":
			ids := []string{}
			for _, tx := range c.mempool {
				ids = append(ids, tx.TxHash().String())
			}
			out[i] = ok(ids)
		case "getrawtransaction":
			out[i] = fail(-5, "No such mempool or blockchain transaction")
			for _, tx := range c.mempool {
				if tx.TxHash().String() == s {
					out[i] = ok(rawHex(tx))
				}
			}
		default:
			out[i] = fail(-32601, "Method not found")
		}
	}
	return out, nil
}

// keyring is a regtest wpkh wallet's account key with the scripts computed
// by plain BIP32 derivation.
type keyring struct {
	tb      testing.TB
	account *hdkeychain.ExtendedKey
}

func newKeyring(tb testing.TB) *keyring {
	seed := bytes.Repeat([]byte{7}, 32)
	k, err := hdkeychain.NewMaster(seed, &chaincfg.RegressionNetParams)
	require.NoError(tb, err)
	for _, step := range []uint32{84, 1, 0} {
		k, err = k.Derive(hdkeychain.HardenedKeyStart + step)
		require.NoError(tb, err)
	}
	return &keyring{tb: tb, account: k}
}

func (k *keyring) descriptor() string {
	pub, err := k.account.Neuter()
	require.NoError(k.tb, err)
	return "wpkh(" + pub.String() + "/<0;1>/*)"
}

func (k *keyring) key(kc wallet.Keychain, i uint32) *hdkeychain.ExtendedKey {
	c, err := k.account.Derive(uint32(kc))
	require.NoError(k.tb, err)
	c, err = c.Derive(i)
	require.NoError(k.tb, err)
	return c
}

func (k *keyring) script(kc wallet.Keychain, i uint32) []byte {
	pk, err := k.key(kc, i).ECPubKey()
	require.NoError(k.tb, err)
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pk.SerializeCompressed()), &chaincfg.RegressionNetParams)
	require.NoError(k.tb, err)
	s, err := txscript.PayToAddrScript(addr)
	require.NoError(k.tb, err)
	return s
}

func (k *keyring) wallet(gap uint32, birthday int32) *wallet.Wallet {
	w, _, err := wallet.New(wallet.Params{Receive: k.descriptor(), Network: "regtest", GapLimit: gap, Birthday: birthday})
	require.NoError(k.tb, err)
	return w
}

// pay is a transaction from an outside coin n paying value to script.
func pay(n int, script []byte, value int64) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.DoubleHashH(fmt.Appendf(nil, "coin %d", n))}, nil, nil))
	tx.AddTxOut(wire.NewTxOut(value, script))
	return tx
}
