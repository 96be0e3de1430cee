//go:build js && wasm

package relay

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFetchTransportGetsFromTheOrigin: GET through fetch reaches the test
// page's origin (which answers any path) and Fees returns the relay's 200
// body.
func TestFetchTransportGetsFromTheOrigin(t *testing.T) {
	status, body, err := FetchTransport{}.Get(context.Background(), origin()+"/api/fees?source=x", map[string]string{CSRFHeader: "tok"})
	require.NoError(t, err)
	require.Equal(t, 200, status)
	got, err := Fees(context.Background(), nil, origin(), "tok", "", "https://mempool.space")
	require.NoError(t, err)
	require.Equal(t, body, got)
}
