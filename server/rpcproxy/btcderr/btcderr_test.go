package btcderr

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBlockFilterErrorMapsBtcdNoCFIndexToCoresNoIndex(t *testing.T) {
	cases := []struct {
		name     string
		code     int
		message  string
		wantCode int
		wantMsg  string
	}{
		{"btcd --nocfilters on getcfilter", -5, "The CF index must be enabled for this command", -1, "Index is not enabled for filtertype basic"},
		{"unknown block keeps btcd's error", -5, "Block not found", -5, "Block not found"},
		{"another code with the same words is kept", -1, "The CF index must be enabled for this command", -1, "The CF index must be enabled for this command"},
		{"method not found is kept", -32601, "Method not found", -32601, "Method not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := BlockFilterError(tc.code, tc.message)
			require.Equal(t, tc.wantCode, code)
			require.Equal(t, tc.wantMsg, msg)
		})
	}
}
