// Package httpjson writes the relay's JSON answers (RFC 8259 bodies served as
// application/json, RFC 8259 section 11) and holds the error shape its APIs
// share, so that every handler answers the same way.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// ErrorBody is the JSON error shape of the relay's APIs: what went wrong
// and, when there is one, what the user can do about it.
type ErrorBody struct {
	Error string `json:"error"`
	Hint  string `json:"hint,omitempty"`
}

// Write answers with status and v encoded as JSON (no body when v is nil),
// marked application/json and not to be cached (RFC 9111 no-store: the
// answers carry session and wallet data).
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}
