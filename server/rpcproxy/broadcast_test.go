package rpcproxy

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
)

// spendCoinbase builds and signs a transaction that spends the P2PKH coinbase
// output of a mined block to the harness's mining address, minus fee sats.
func spendCoinbase(t *testing.T, btcd *regtest.Node, blockHash string, fee int64) (*wire.MsgTx, string) {
	t.Helper()
	var block struct {
		RawTx []struct {
			Hex  string `json:"hex"`
			Txid string `json:"txid"`
		} `json:"rawtx"`
	}
	require.NoError(t, json.Unmarshal(btcd.MustRPC("getblock", blockHash, 2), &block))
	raw, err := hex.DecodeString(block.RawTx[0].Hex)
	require.NoError(t, err)
	var coinbase wire.MsgTx
	require.NoError(t, coinbase.Deserialize(bytes.NewReader(raw)))

	prevHash, err := chainhash.NewHashFromStr(block.RawTx[0].Txid)
	require.NoError(t, err)
	pkScript, err := txscript.PayToAddrScript(btcd.MiningAddress)
	require.NoError(t, err)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(prevHash, 0), nil, nil))
	tx.AddTxOut(wire.NewTxOut(coinbase.TxOut[0].Value-fee, pkScript))
	sig, err := txscript.SignatureScript(tx, 0, coinbase.TxOut[0].PkScript, txscript.SigHashAll, btcd.MiningKey, true)
	require.NoError(t, err)
	tx.TxIn[0].SignatureScript = sig
	var buf bytes.Buffer
	require.NoError(t, tx.Serialize(&buf))
	return tx, hex.EncodeToString(buf.Bytes())
}

func TestTestmempoolacceptAndSendrawtransactionThroughTheRelay(t *testing.T) {
	btcd := regtest.Start(t)
	hashes := btcd.Generate(101) // the coinbase of block 1 matures at height 101
	r := newRelay(t, Options{})
	id := r.add("btcd", btcd.URL, "regtest", btcd.User, btcd.Password)
	tx, txHex := spendCoinbase(t, btcd, hashes[0], 10_000)
	txid := tx.TxHash().String()

	status, body := r.post(id, fmt.Sprintf(`{"id":1,"method":"testmempoolaccept","params":[[%q]]}`, txHex))
	require.Equal(t, 200, status)
	var accept struct {
		Result []struct {
			Txid    string `json:"txid"`
			Allowed bool   `json:"allowed"`
			Vsize   int64  `json:"vsize"`
			Fees    struct {
				Base float64 `json:"base"`
			} `json:"fees"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &accept), body)
	require.Len(t, accept.Result, 1, body)
	require.Equal(t, txid, accept.Result[0].Txid)
	require.True(t, accept.Result[0].Allowed, body)
	require.Equal(t, int64(tx.SerializeSize()), accept.Result[0].Vsize)
	require.Equal(t, 0.0001, accept.Result[0].Fees.Base)

	status, body = r.post(id, fmt.Sprintf(`[{"id":1,"method":"sendrawtransaction","params":[%q, 0.1]},{"id":2,"method":"getrawmempool"}]`, txHex))
	require.Equal(t, 200, status)
	require.JSONEq(t, fmt.Sprintf(`[{"result":%q,"error":null,"id":1},{"result":[%q],"error":null,"id":2}]`, txid, txid), body)

	// Sending it again is the node's own error, passed through unchanged.
	status, body = r.post(id, fmt.Sprintf(`{"id":3,"method":"sendrawtransaction","params":[%q]}`, txHex))
	require.Equal(t, 200, status)
	var again struct {
		Result json.RawMessage
		Error  struct {
			Code    int
			Message string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &again))
	require.Equal(t, "null", string(again.Result))
	require.Equal(t, -26, again.Error.Code, body)
	require.Equal(t, "TX rejected: already have transaction in mempool "+txid, again.Error.Message)
}
