package wallet

import (
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// fixture is a regtest wpkh wallet over an account key derived from a fixed
// seed, with the expected scripts computed independently of the descriptor
// package (plain BIP32 CKDpub + P2WPKH).
type fixture struct {
	t       *testing.T
	account *hdkeychain.ExtendedKey
	desc    string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	master, err := hdkeychain.NewMaster(seed, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	k := master
	for _, step := range []uint32{84, 1, 0} {
		k, err = k.Derive(hdkeychain.HardenedKeyStart + step)
		require.NoError(t, err)
	}
	pub, err := k.Neuter()
	require.NoError(t, err)
	return &fixture{t: t, account: pub, desc: "wpkh(" + pub.String() + "/<0;1>/*)"}
}

// script is the P2WPKH script of account/branch/index.
func (f *fixture) script(k Keychain, i uint32) []byte {
	f.t.Helper()
	c, err := f.account.Derive(uint32(k))
	require.NoError(f.t, err)
	c, err = c.Derive(i)
	require.NoError(f.t, err)
	pk, err := c.ECPubKey()
	require.NoError(f.t, err)
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pk.SerializeCompressed()), &chaincfg.RegressionNetParams)
	require.NoError(f.t, err)
	s, err := txscript.PayToAddrScript(addr)
	require.NoError(f.t, err)
	return s
}

func (f *fixture) wallet(gap uint32) (*Wallet, ChangeSet) {
	f.t.Helper()
	w, cs, err := New(Params{Receive: f.desc, Network: "regtest", Birthday: 0, GapLimit: gap})
	require.NoError(f.t, err)
	return w, cs
}

// externalScript is a script that is not the wallet's.
var externalScript = []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}

// extOutpoint is an outpoint of a transaction outside the wallet.
func extOutpoint(n int) wire.OutPoint {
	return wire.OutPoint{Hash: chainhash.DoubleHashH(fmt.Appendf(nil, "external-%d", n)), Index: 0}
}

type out struct {
	script []byte
	value  int64
}

func mkTx(ins []wire.OutPoint, outs ...out) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for _, op := range ins {
		tx.AddTxIn(wire.NewTxIn(&op, nil, nil))
		tx.TxIn[len(tx.TxIn)-1].Sequence = wire.MaxTxInSequenceNum - 2 // BIP125 signalling
	}
	for _, o := range outs {
		tx.AddTxOut(wire.NewTxOut(o.value, o.script))
	}
	return tx
}

func op(tx *wire.MsgTx, i uint32) wire.OutPoint { return wire.OutPoint{Hash: tx.TxHash(), Index: i} }

// chain builds fake block hashes for a fork named fork.
func blockHash(fork string, h int32) string {
	return chainhash.DoubleHashH(fmt.Appendf(nil, "block-%s-%d", fork, h)).String()
}

func prevHash(fork string, h int32) string {
	if h == 0 {
		return ""
	}
	return blockHash(fork, h-1)
}

// applyChain connects empty blocks from..to on fork.
func applyChain(t *testing.T, w *Wallet, fork string, from, to int32) ChangeSet {
	t.Helper()
	var all ChangeSet
	for h := from; h <= to; h++ {
		cs, err := w.ApplyBlock(Block{Height: h, Hash: blockHash(fork, h), PrevHash: prevHash(fork, h), Time: 1700000000 + int64(h)*600})
		require.NoError(t, err)
		all.Merge(cs)
	}
	return all
}

func block(fork string, h int32, txs ...*wire.MsgTx) Block {
	return Block{Height: h, Hash: blockHash(fork, h), PrevHash: prevHash(fork, h), Time: 1700000000 + int64(h)*600, Txs: txs}
}
