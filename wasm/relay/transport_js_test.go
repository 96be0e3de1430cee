//go:build js && wasm

package relay

import (
	"context"
	"fmt"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/chainsync"
)

// These run in Chromium (wasmbrowsertest): the fetch transport against the
// test page's own origin, which has no relay.

func origin() string { return js.Global().Get("location").Get("origin").String() }

func TestFetchTransportPostsToTheOrigin(t *testing.T) {
	// The test server answers any path, with no JSON-RPC: the transport
	// returns its status and body, and the caller refuses the answer.
	status, body, err := FetchTransport{}.Post(context.Background(), origin()+"/api/nodes/n1/rpc", map[string]string{CSRFHeader: "tok"}, []byte("[]"))
	require.NoError(t, err)
	require.Equal(t, 200, status)
	c, err := New(origin(), "n1", "tok", nil)
	require.NoError(t, err)
	_, err = c.CallBatch(context.Background(), []chainsync.Request{{Method: "getblockcount"}})
	require.EqualError(t, err, fmt.Sprintf("the relay's answer is not a JSON-RPC batch answer: %.80q", body))
}

func TestFetchTransportOfAnUnreachableRelay(t *testing.T) {
	c, err := New("http://127.0.0.1:9", "n1", "", nil)
	require.NoError(t, err)
	_, err = c.CallBatch(context.Background(), []chainsync.Request{{Method: "getblockcount"}})
	require.ErrorContains(t, err, "the relay cannot be reached (check the network and that the relay runs): ")
}

func TestFetchTransportAbortsWhenCancelled(t *testing.T) {
	// The context ends before fetch can answer (the event loop has not run
	// yet): the fetch is aborted and the context's error returned.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := FetchTransport{}.Post(ctx, origin()+"/slow", nil, []byte("{}"))
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("the fetch was not aborted")
	}
}
