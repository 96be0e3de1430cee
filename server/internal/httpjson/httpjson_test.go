package httpjson

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteSetsHeadersStatusAndBody(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		v      any
		body   string
	}{
		{"error with hint", http.StatusBadRequest, ErrorBody{Error: "bad currency", Hint: "use usd"}, `{"error":"bad currency","hint":"use usd"}` + "\n"},
		{"error without hint omits it", http.StatusForbidden, ErrorBody{Error: "not your node"}, `{"error":"not your node"}` + "\n"},
		{"value", http.StatusOK, map[string]string{"csrf_token": "x"}, `{"csrf_token":"x"}` + "\n"},
		{"nil writes no body", http.StatusNoContent, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Write(rec, tc.status, tc.v)
			require.Equal(t, tc.status, rec.Code)
			require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			require.Equal(t, tc.body, rec.Body.String())
		})
	}
}
