//go:build !js

package relay

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTPTransport posts with a net/http client (http.DefaultClient when nil).
type HTTPTransport struct {
	Client *http.Client
}

// DefaultTransport is net/http outside the browser.
func DefaultTransport() Transport { return HTTPTransport{} }

// Post implements Transport.
func (h HTTPTransport) Post(ctx context.Context, url string, header map[string]string, body []byte) (int, []byte, error) {
	return h.do(ctx, http.MethodPost, url, header, bytes.NewReader(body))
}

// Get implements Getter.
func (h HTTPTransport) Get(ctx context.Context, url string, header map[string]string) (int, []byte, error) {
	return h.do(ctx, http.MethodGet, url, header, nil)
}

func (h HTTPTransport) do(ctx context.Context, method, url string, header map[string]string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return 0, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, data, nil
}
