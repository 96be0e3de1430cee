package spend

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/wallet"
)

// testMnemonics are BIP39's English test vector mnemonics (bip-0039
// vectors.json), used here without a passphrase.
var testMnemonics = []string{
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
	"legal winner thank year wave sausage worth useful legal winner thank yellow",
	"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
}

// device is a software signer: a BIP39 master key and its standard
// accounts (keys.StandardAccounts).
type device struct {
	master   *hdkeychain.ExtendedKey
	accounts map[keys.ScriptType]keys.Account
}

func newDevice(t testing.TB, mnemonic string) device {
	m, err := keys.MasterFromMnemonic(mnemonic, "", network.Regtest)
	require.NoError(t, err)
	accs, err := keys.StandardAccounts(m, network.Regtest, 0)
	require.NoError(t, err)
	d := device{master: m, accounts: map[keys.ScriptType]keys.Account{}}
	for _, a := range accs {
		d.accounts[a.ScriptType] = a
	}
	return d
}

func (d device) keyExpr(st keys.ScriptType) string {
	a := d.accounts[st]
	return "[" + a.Origin.String() + "]" + a.Xpub + "/<0;1>/*"
}

func devices(t testing.TB) []device {
	out := make([]device, len(testMnemonics))
	for i, m := range testMnemonics {
		out[i] = newDevice(t, m)
	}
	return out
}

// wshDescriptor is the 2-of-3 BIP48 wsh(sortedmulti) wallet of the devices.
func wshDescriptor(devs []device) string {
	parts := make([]string, len(devs))
	for i, d := range devs {
		parts[i] = d.keyExpr(keys.ScriptWSH)
	}
	return "wsh(sortedmulti(2," + strings.Join(parts, ",") + "))"
}

// trDescriptor is the BIP86 single-key taproot wallet of one device.
func trDescriptor(d device) string { return "tr(" + d.keyExpr(keys.ScriptTR) + ")" }

// numsKey is BIP341's provably unspendable internal key H.
const numsKey = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"

// multiADescriptor is a 2-of-3 taproot script-path wallet (BIP386/BIP387):
// one multi_a leaf under an unspendable internal key, keys from the
// devices' BIP86 accounts.
func multiADescriptor(devs []device) string {
	parts := make([]string, len(devs))
	for i, d := range devs {
		parts[i] = d.keyExpr(keys.ScriptTR)
	}
	return "tr(" + numsKey + ",multi_a(2," + strings.Join(parts, ",") + "))"
}

// chain feeds a wallet hand-made blocks, as shared/wallet's tests do.
type chain struct {
	t      testing.TB
	w      *wallet.Wallet
	height int32
	seq    int
}

func blockHash(h int32) string {
	return chainhash.DoubleHashH(fmt.Appendf(nil, "spend-test-block-%d", h)).String()
}

func newChain(t testing.TB, desc string, blocks int32) *chain {
	w, _, err := wallet.New(wallet.Params{Receive: desc, Network: "regtest"})
	require.NoError(t, err)
	c := &chain{t: t, w: w, height: -1}
	for range blocks {
		c.mine()
	}
	return c
}

// mine connects the next block with txs.
func (c *chain) mine(txs ...*wire.MsgTx) {
	c.t.Helper()
	c.height++
	prev := ""
	if c.height > 0 {
		prev = blockHash(c.height - 1)
	}
	_, err := c.w.ApplyBlock(wallet.Block{Height: c.height, Hash: blockHash(c.height), PrevHash: prev, Time: 1_700_000_000 + int64(c.height)*600, Txs: txs})
	require.NoError(c.t, err)
}

// mempool shows txs to the wallet as unconfirmed.
func (c *chain) mempool(txs ...*wire.MsgTx) {
	c.t.Helper()
	c.seq++
	_, err := c.w.ApplyMempool(txs, time.Unix(1_800_000_000+int64(c.seq), 0))
	require.NoError(c.t, err)
}

// receiveScript is the wallet's receive script at index i.
func (c *chain) script(k wallet.Keychain, i uint32) []byte {
	d, err := c.w.Descriptor(k)
	require.NoError(c.t, err)
	der, err := d.Derive(i)
	require.NoError(c.t, err)
	return der.ScriptPubKey
}

// externalTx makes a transaction spending an outside coin (never seen by
// the wallet) to the outputs, signalling BIP125.
func externalTx(n int, outs ...*wire.TxOut) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.DoubleHashH(fmt.Appendf(nil, "outside-%d", n))}, Sequence: psbt.SequenceRBF,
		SignatureScript: []byte{txscript.OP_TRUE}})
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	return tx
}

// sign signs the PSBT with the devices, finalizes and extracts it.
func sign(t testing.TB, p *psbt.Packet, signers ...device) *wire.MsgTx {
	t.Helper()
	for _, d := range signers {
		res, err := psbt.Sign(p, d.master)
		require.NoError(t, err)
		require.Equal(t, len(p.Inputs), len(res.Inputs), "every input gets a signature")
	}
	n, err := psbt.Finalize(p)
	require.NoError(t, err)
	require.Equal(t, len(p.Inputs), n)
	require.True(t, psbt.IsComplete(p))
	tx, err := psbt.Extract(p)
	require.NoError(t, err)
	return tx
}

// verify runs btcd's script engine on every input of tx with the spent
// outputs taken from the wallet's graph, and returns the exact fee.
func verify(t testing.TB, w *wallet.Wallet, tx *wire.MsgTx) int64 {
	t.Helper()
	fetcher := txscript.NewMultiPrevOutFetcher(nil)
	var in int64
	for _, txin := range tx.TxIn {
		prev, ok := w.Tx(txin.PreviousOutPoint.Hash.String())
		require.True(t, ok, "input %s comes from the wallet's graph", txin.PreviousOutPoint)
		out := prev.TxOut[txin.PreviousOutPoint.Index]
		fetcher.AddPrevOut(txin.PreviousOutPoint, out)
		in += out.Value
	}
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, txin := range tx.TxIn {
		prev := fetcher.FetchPrevOutput(txin.PreviousOutPoint)
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
		require.NoError(t, err)
		require.NoError(t, vm.Execute(), "input %d", i)
	}
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value
	}
	return in - out
}

// vsize is the BIP141 virtual size of a signed transaction.
func vsize(tx *wire.MsgTx) int64 {
	return int64((tx.SerializeSizeStripped()*3 + tx.SerializeSize() + 3) / 4)
}
