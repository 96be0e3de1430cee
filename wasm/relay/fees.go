package relay

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// Getter is a Transport that also sends GET requests (both
// DefaultTransports are).
type Getter interface {
	Get(ctx context.Context, url string, header map[string]string) (status int, answer []byte, err error)
}

// maxFeesAnswer bounds the relay's /api/fees answer (about 200 bytes).
const maxFeesAnswer = 64 << 10

// Fees asks the relay at base for the recommended fees of the
// mempool.space-compatible server at source: GET {base}/api/fees?source=
// (the relay's server/fees), with the page's cookie session and csrf token,
// or the bearer token a relay of another origin answered at login. It
// returns the body of the relay's 200 answer (mempool.space's fields
// fastestFee ... minimumFee, source, fetched_at), or an *HTTPError of kind
// FeeServer with the relay's message and hint. t nil means
// DefaultTransport(); it must implement Getter.
func Fees(ctx context.Context, t Transport, base, csrf, token, source string) ([]byte, error) {
	u, err := baseURL(base)
	if err != nil {
		return nil, err
	}
	if t == nil {
		t = DefaultTransport()
	}
	g, ok := t.(Getter)
	if !ok {
		return nil, errors.New("this transport cannot send GET requests to the relay")
	}
	header := map[string]string{"Accept": "application/json"}
	setSession(header, csrf, token)
	status, data, err := g.Get(ctx, u+"/api/fees?source="+url.QueryEscape(source), header)
	if err != nil {
		return nil, fmt.Errorf("the relay cannot be reached (check the network and that the relay runs): %w", err)
	}
	if len(data) > maxFeesAnswer {
		return nil, fmt.Errorf("the relay's fee answer is larger than %d bytes", maxFeesAnswer)
	}
	if status != 200 {
		he := httpError(status, data)
		if he.Kind == "" {
			he.Kind = FeeServer
		}
		return nil, he
	}
	return data, nil
}
