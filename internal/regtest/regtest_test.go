package regtest

import (
	"encoding/json"
	"fmt"
	"net"
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

func TestStartPicksNewPortsWhenAPortWasTakenBeforeBtcdBoundIt(t *testing.T) {
	// Another process takes the RPC port chosen for btcd before btcd binds it.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { taken.Close() })
	takenPort := taken.Addr().(*net.TCPAddr).Port
	picks := 0
	pick := func(count int) ([]int, error) {
		picks++
		ports, err := FreePorts(count)
		if picks == 1 {
			ports[0] = takenPort
		}
		return ports, err
	}

	n, attempts := startWith(t, Options{}, pick)
	require.Equal(t, 2, attempts)
	require.Equal(t, 2, picks)
	require.NotEqual(t, takenPort, n.RPCPort)
	require.Equal(t, fmt.Sprintf("http://127.0.0.1:%d", n.RPCPort), n.URL)
	var count int
	require.NoError(t, json.Unmarshal(n.MustRPC("getblockcount"), &count))
	require.Equal(t, 0, count)
}

func TestFreePortsAreDistinctAndBelowTheEphemeralRange(t *testing.T) {
	lo := ephemeralLow()
	ports, err := FreePorts(20)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, p := range ports {
		if lo > 20000 { // else the range is too small and the kernel chooses
			require.GreaterOrEqual(t, p, 20000)
			require.Less(t, p, lo)
		}
		require.False(t, seen[p], "port %d twice", p)
		seen[p] = true
	}
}
