package nodes

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
)

// onionHost is a v3 onion service name (rend-spec-v3: 56 base32 characters
// of public key, checksum and version, then ".onion").
const onionHost = "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd.onion"

// recordingDialer stands in for Tor's SOCKS port: it records the address it
// was asked for and connects to target instead.
type recordingDialer struct {
	target string
	mu     sync.Mutex
	asked  []string
}

func (d *recordingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.asked = append(d.asked, network+" "+addr)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp", d.target)
}

func (d *recordingDialer) addresses() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.asked...)
}

func TestOnionNodeIsTestedAndCalledThroughTheOnionDialer(t *testing.T) {
	require.Len(t, onionHost, 56+len(".onion"))
	btcd := regtest.Start(t)
	btcd.Generate(4)
	u, err := url.Parse(btcd.URL)
	require.NoError(t, err)
	tor := &recordingDialer{target: u.Host}
	direct := &recordingDialer{target: u.Host}
	dir := t.TempDir()
	m, err := Open(dir, Options{
		BitcoinDir:       filepath.Join(dir, "bitcoin"),
		DialContext:      direct.DialContext,
		OnionDialContext: tor.DialContext,
	})
	require.NoError(t, err)
	onionURL := fmt.Sprintf("http://%s:%d", onionHost, btcd.RPCPort)
	onionAddr := fmt.Sprintf("tcp %s:%d", onionHost, btcd.RPCPort)

	info, err := m.Add(NewNode{Name: "onion btcd", URL: onionURL, Network: "regtest", User: btcd.User, Password: btcd.Password})
	require.NoError(t, err)
	r, err := m.Test(context.Background(), info.ID)
	require.NoError(t, err)
	require.True(t, r.OK)
	require.Equal(t, Check{StatusOK, "the node answers at " + onionURL}, r.Reachable)
	require.Equal(t, Check{StatusOK, "regtest: synced at height 4"}, r.Synced)
	require.Equal(t, Btcd, r.Flavour)

	c, err := m.Client(info.ID)
	require.NoError(t, err)
	res, err := c.Call(context.Background(), "getblockcount")
	require.NoError(t, err)
	require.JSONEq(t, "4", string(res))

	asked := tor.addresses()
	require.NotEmpty(t, asked)
	for _, a := range asked {
		require.Equal(t, onionAddr, a, "Tor is asked for the onion name and port, never a resolved address")
	}
	require.Empty(t, direct.addresses(), "an onion node never goes through the direct dialer")

	// A clearnet node on the same manager takes the direct dialer.
	clear, err := m.Add(NewNode{Name: "clear btcd", URL: btcd.URL, Network: "regtest", User: btcd.User, Password: btcd.Password})
	require.NoError(t, err)
	cc, err := m.Client(clear.ID)
	require.NoError(t, err)
	_, err = cc.Call(context.Background(), "getblockcount")
	require.NoError(t, err)
	require.Equal(t, []string{"tcp " + u.Host}, direct.addresses())
	require.Len(t, tor.addresses(), len(asked))
}
