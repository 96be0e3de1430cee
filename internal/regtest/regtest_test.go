package regtest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStartMinesAndAnswersRPC(t *testing.T) {
	n := Start(t)
	var count int
	require.NoError(t, json.Unmarshal(n.MustRPC("getblockcount"), &count))
	require.Equal(t, 0, count)

	hashes := n.Generate(3)
	require.Len(t, hashes, 3)
	require.NoError(t, json.Unmarshal(n.MustRPC("getblockcount"), &count))
	require.Equal(t, 3, count)

	var info struct {
		Chain string `json:"chain"`
	}
	require.NoError(t, json.Unmarshal(n.MustRPC("getblockchaininfo"), &info))
	require.Equal(t, "regtest", info.Chain)

	// The coinbase of block 1 pays the harness's mining address.
	var block struct {
		RawTx []struct {
			Vout []struct {
				ScriptPubKey struct {
					Address string `json:"address"`
				} `json:"scriptPubKey"`
			} `json:"vout"`
		} `json:"rawtx"`
	}
	require.NoError(t, json.Unmarshal(n.MustRPC("getblock", hashes[0], 2), &block))
	require.Equal(t, n.MiningAddress.EncodeAddress(), block.RawTx[0].Vout[0].ScriptPubKey.Address)

	_, err := n.RPC("nosuchmethod")
	require.EqualError(t, err, "btcd RPC error -32601: Method not found")

	n.Stop()
	_, err = n.RPC("getblockcount")
	require.Error(t, err)
}

func TestFreePortsAreDistinct(t *testing.T) {
	ports, err := FreePorts(3)
	require.NoError(t, err)
	require.Len(t, ports, 3)
	require.NotEqual(t, ports[0], ports[1])
	require.NotEqual(t, ports[1], ports[2])
	require.NotEqual(t, ports[0], ports[2])
}
