package rpcrelay

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/internal/regtest"
)

func TestHandlerProxiesToBtcdWithTheCSRFTokenAndRefusesWithoutIt(t *testing.T) {
	node := regtest.Start(t)
	node.Generate(2)
	h, id := Handler(t, node, "tok")
	require.NotEmpty(t, id)
	srv := httptest.NewServer(h)
	defer srv.Close()

	tests := []struct {
		name       string
		csrf       string
		wantStatus int
		wantBody   string
	}{
		{name: "with the token btcd answers", csrf: "tok", wantStatus: http.StatusOK, wantBody: `{"result":2,"error":null,"id":1}` + "\n"},
		{name: "without the token the relay refuses", csrf: "", wantStatus: http.StatusForbidden, wantBody: `{"error":"CSRF token missing"}` + "\n"},
		{name: "with another token the relay refuses", csrf: "other", wantStatus: http.StatusForbidden, wantBody: `{"error":"CSRF token missing"}` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/nodes/"+id+"/rpc", strings.NewReader(`{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]}`))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			if tc.csrf != "" {
				req.Header.Set("X-CSRF-Token", tc.csrf)
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tc.wantStatus, resp.StatusCode, string(body))
			require.Equal(t, tc.wantBody, string(body))
		})
	}
}
