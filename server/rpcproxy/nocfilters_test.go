package rpcproxy

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
)

func TestGetblockfilterOnBtcdWithoutFiltersIsCoresIndexNotEnabledError(t *testing.T) {
	btcd := regtest.StartWith(t, regtest.Options{ExtraArgs: []string{"--nocfilters"}})
	hashes := btcd.Generate(2)
	r := newRelay(t, Options{})
	id := r.add("btcd", btcd.URL, "regtest", btcd.User, btcd.Password)

	_, err := btcd.RPC("getcfilter", hashes[1], 0)
	require.EqualError(t, err, "btcd RPC error -5: The CF index must be enabled for this command")

	status, body := r.post(id, fmt.Sprintf(`[{"id":1,"method":"getblockfilter","params":[%q,"basic"]},{"id":2,"method":"getblockfilter","params":[%q]},{"id":3,"method":"getblockhash","params":[2]}]`, hashes[1], hashes[0]))
	require.Equal(t, 200, status)
	require.JSONEq(t, fmt.Sprintf(`[
		{"result":null,"error":{"code":-1,"message":"Index is not enabled for filtertype basic"},"id":1},
		{"result":null,"error":{"code":-1,"message":"Index is not enabled for filtertype basic"},"id":2},
		{"result":%q,"error":null,"id":3}]`, hashes[1]), body)
}
