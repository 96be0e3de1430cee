package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/specterpwa/specter/server/nodes"
)

// maxMineBody bounds a POST /api/demo/mine body.
const maxMineBody = 1 << 10

// MineResult is what POST /api/demo/mine answers.
type MineResult struct {
	// Hashes are the new blocks' hashes, oldest first.
	Hashes []string `json:"hashes"`
	// Height is the chain height after mining.
	Height int32 `json:"height"`
}

// Routes adds the demo routes to r, mounted at /api/demo behind the relay's
// session and CSRF checks (server/users Require):
//
//	GET  /       Info: {"enabled":false} when demo mode is off; the demo
//	             wallets, node id and warning for users who may use the
//	             demo node
//	POST /mine   mine blocks on the demo's regtest chain; body {"blocks":N}
//	             (1 to 1000, default 1), answers MineResult
//
// current returns the running demo, or nil when demo mode is off; access
// decides who may use the demo node (nil: everyone).
func Routes(r chi.Router, access nodes.Access, current func() *Demo) {
	allowed := func(w http.ResponseWriter, req *http.Request) (*Demo, bool) {
		d := current()
		if d == nil {
			return nil, true
		}
		if access != nil && !access.CanUseNode(req, d.NodeID()) {
			nodes.WriteError(w, http.StatusForbidden, "this account may not use the demo node: ask an admin to allow it")
			return nil, false
		}
		return d, true
	}
	r.Get("/", func(w http.ResponseWriter, req *http.Request) {
		d, ok := allowed(w, req)
		if !ok {
			return
		}
		if d == nil {
			nodes.WriteJSON(w, http.StatusOK, Info{Enabled: false})
			return
		}
		nodes.WriteJSON(w, http.StatusOK, d.Info())
	})
	r.Post("/mine", func(w http.ResponseWriter, req *http.Request) {
		d, ok := allowed(w, req)
		if !ok {
			return
		}
		if d == nil {
			nodes.WriteError(w, http.StatusNotFound, "the relay runs without demo mode: mining is only offered on the demo's regtest node (start with --demo on)")
			return
		}
		body := struct {
			Blocks int `json:"blocks"`
		}{Blocks: 1}
		dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxMineBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			nodes.WriteError(w, http.StatusBadRequest, fmt.Sprintf("the body must be {\"blocks\": N} or empty: %v", err))
			return
		}
		if body.Blocks < 1 || body.Blocks > maxMine {
			nodes.WriteError(w, http.StatusBadRequest, fmt.Sprintf("blocks must be from 1 to %d, not %d", maxMine, body.Blocks))
			return
		}
		ctx, cancel := context.WithTimeout(req.Context(), time.Minute)
		defer cancel()
		hashes, err := d.Mine(ctx, body.Blocks)
		if err != nil {
			nodes.WriteError(w, http.StatusBadGateway, err.Error())
			return
		}
		h, err := d.Height(ctx)
		if err != nil {
			nodes.WriteError(w, http.StatusBadGateway, err.Error())
			return
		}
		nodes.WriteJSON(w, http.StatusOK, MineResult{Hashes: hashes, Height: h})
	})
}
