package psbt

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	bpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/stretchr/testify/require"
)

// bip174CreatorUpdater is testdata/bip174_creator_updater.json.
type bip174CreatorUpdater struct {
	MasterTprv string `json:"master_tprv"`
	Creator    struct {
		Outputs []struct{ Script, Amount string }
		Inputs  []struct {
			Txid  string
			Index uint32
		}
		Result string
	}
	Updater struct {
		RedeemScripts        []string                     `json:"redeem_scripts"`
		WitnessScripts       []string                     `json:"witness_scripts"`
		PreviousTransactions []string                     `json:"previous_transactions"`
		PublicKeys           []struct{ Key, Path string } `json:"public_keys"`
		Result               string
		SighashAllResult     string `json:"sighash_all_result"`
	}
}

// TestBIP174CreatorAndUpdaterVectors builds BIP174's Creator and Updater
// test vectors with Create, from a wallet whose descriptors hold the BIP's
// keys (derived here from its master tprv and checked against the keys the
// BIP lists): branch 0 sh(multi(2,K0,K1)) for the legacy input, branch 1
// sh(wsh(multi(2,K2,K3))) for the nested segwit input, branches 2 and 3
// wpkh(K4) and wpkh(K5) for the two outputs. The results are compared with
// the BIP's base64 byte for byte (btcutil/psbt writes the maps in the same
// key order as the BIP). Two steps are not Create's own and are written
// out, each explained where it is done: the BIP's final nSequence 0xffffffff
// (Create always writes BIP125 or anti-fee-sniping sequences), and the
// derivation of the first output (Create fills one wallet output, the
// change; the BIP treats both outputs as the wallet's).
func TestBIP174CreatorAndUpdaterVectors(t *testing.T) {
	var v bip174CreatorUpdater
	loadJSON(t, "bip174_creator_updater.json", &v)
	master, err := hdkeychain.NewKeyFromString(v.MasterTprv)
	require.NoError(t, err)
	fp, err := keys.MasterFingerprint(master)
	require.NoError(t, err)
	require.Equal(t, "d90c6a4f", fp.String())

	// The BIP's six keys, m/0'/0'/i', as key expressions with origin.
	require.Len(t, v.Updater.PublicKeys, 6)
	expr := make([]string, 6)
	for i, pk := range v.Updater.PublicKeys {
		path, err := keys.ParsePath(pk.Path)
		require.NoError(t, err)
		k := master
		for _, s := range path {
			k, err = k.Derive(s)
			require.NoError(t, err)
		}
		pub, err := k.ECPubKey()
		require.NoError(t, err)
		require.Equal(t, pk.Key, hex.EncodeToString(pub.SerializeCompressed()), "key %d derives from the BIP's master key", i)
		expr[i] = fmt.Sprintf("[%s/%s]%s", fp, path, pk.Key)
	}
	var branches []*descriptor.Descriptor
	for _, s := range []string{
		"sh(multi(2," + expr[0] + "," + expr[1] + "))",
		"sh(wsh(multi(2," + expr[2] + "," + expr[3] + ")))",
		"wpkh(" + expr[4] + ")",
		"wpkh(" + expr[5] + ")",
	} {
		d, err := descriptor.Parse(s)
		require.NoError(t, err, s)
		branches = append(branches, d)
	}
	w := &Wallet{Branches: branches, Network: network.Test}

	// The BIP's scripts are the wallet's.
	sh, err := w.derive(0, 0)
	require.NoError(t, err)
	require.Equal(t, v.Updater.RedeemScripts[0], hex.EncodeToString(sh.RedeemScript))
	shwsh, err := w.derive(1, 0)
	require.NoError(t, err)
	require.Equal(t, v.Updater.RedeemScripts[1], hex.EncodeToString(shwsh.RedeemScript))
	require.Equal(t, v.Updater.WitnessScripts[0], hex.EncodeToString(shwsh.WitnessScript))
	for i := range 2 {
		out, err := w.derive(2+i, 0)
		require.NoError(t, err)
		require.Equal(t, v.Creator.Outputs[i].Script, hex.EncodeToString(out.ScriptPubKey), "output %d pays wpkh(K%d)", i, 4+i)
	}

	// The coins: input 0 spends the legacy transaction (given whole, as
	// BIP174 requires for non-segwit inputs), input 1 the segwit one
	// (witness UTXO only, as in the BIP).
	prev := make([]*wire.MsgTx, 2)
	for i, h := range v.Updater.PreviousTransactions {
		raw, err := hex.DecodeString(h)
		require.NoError(t, err)
		prev[i] = wire.NewMsgTx(2)
		require.NoError(t, prev[i].Deserialize(bytes.NewReader(raw)))
	}
	legacy, segwit := prev[1], prev[0]
	var utxos []UTXO
	for i, in := range v.Creator.Inputs {
		h, err := chainhash.NewHashFromStr(in.Txid)
		require.NoError(t, err)
		u := UTXO{OutPoint: wire.OutPoint{Hash: *h, Index: in.Index}, Branch: i}
		if i == 0 {
			require.Equal(t, *h, legacy.TxHash())
			u.Value, u.PrevTx = legacy.TxOut[in.Index].Value, legacy
		} else {
			require.Equal(t, *h, segwit.TxHash())
			u.Value = segwit.TxOut[in.Index].Value
		}
		utxos = append(utxos, u)
	}
	amount := func(s string) int64 {
		a, err := btcutil.NewAmount(mustFloat(t, s))
		require.NoError(t, err)
		return int64(a)
	}
	out0, err := hex.DecodeString(v.Creator.Outputs[0].Script)
	require.NoError(t, err)
	p, err := Create(w, CreateOptions{
		Inputs:  utxos,
		Outputs: []Recipient{{Script: out0, Amount: amount(v.Creator.Outputs[0].Amount)}},
		Change:  &ChangeOutput{Branch: 3, Index: 0, Amount: amount(v.Creator.Outputs[1].Amount)},
		NoRBF:   true,
	})
	require.NoError(t, err)
	// BIP174's vectors predate BIP125 signalling and anti fee sniping:
	// their inputs are final (0xffffffff), which Create never writes.
	for _, in := range p.UnsignedTx.TxIn {
		require.Equal(t, uint32(SequenceNoRBF), in.Sequence)
		in.Sequence = wire.MaxTxInSequenceNum
	}
	require.Empty(t, p.Unknowns, "hex keys carry no PSBT_GLOBAL_XPUB")

	// Creator: the unsigned transaction alone.
	bare, err := bpsbt.NewFromUnsignedTx(p.UnsignedTx)
	require.NoError(t, err)
	require.Equal(t, v.Creator.Result, b64(t, bare), "creator")

	// Updater: Create filled the inputs and the change output (output 1);
	// output 0 is filled by the same updater step Create uses for change,
	// from branch 2.
	der, err := w.derive(2, 0)
	require.NoError(t, err)
	fillOutput(&p.Outputs[0], der)
	require.Equal(t, v.Updater.Result, b64(t, p), "updater")

	// Updater adding SIGHASH_ALL to every input.
	for i := range p.Inputs {
		p.Inputs[i].SighashType = txscript.SigHashAll
	}
	require.Equal(t, v.Updater.SighashAllResult, b64(t, p), "updater with SIGHASH_ALL")
}

func mustFloat(t *testing.T, s string) float64 {
	var f float64
	_, err := fmt.Sscanf(s, "%g", &f)
	require.NoError(t, err)
	return f
}
