package nodes

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
)

func TestNodeTestReportsNoBlockFilterIndexForBtcdStartedWithNocfilters(t *testing.T) {
	btcd := regtest.StartWith(t, regtest.Options{ExtraArgs: []string{"--nocfilters"}})
	btcd.Generate(3)
	m, _ := newManager(t)
	r, err := m.TestNew(context.Background(), NewNode{Name: "btcd", URL: btcd.URL, Network: "regtest", User: btcd.User, Password: btcd.Password})
	require.NoError(t, err)
	require.True(t, r.OK, "a node without filters is usable: wallets are scanned block by block")
	require.Equal(t, Btcd, r.Flavour)
	require.Equal(t, Check{StatusOK, "regtest: synced at height 3"}, r.Synced)
	require.Equal(t, Check{StatusFail, "no block filter index (getcfilter on the tip: RPC error -5: The CF index must be enabled for this command): start btcd without --nocfilters; until then wallets are scanned block by block"}, r.FilterIndex)
}
