package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
)

// Access decides who may see and use which node (the UserManager implements
// it). A nil Access lets every request do everything.
type Access interface {
	CanUseNode(r *http.Request, nodeID string) bool
	IsAdmin(r *http.Request) bool
}

// maxNodeBody bounds an add/test request body.
const maxNodeBody = 64 << 10

// testTimeout bounds a whole node test.
const testTimeout = 30 * time.Second

// Register adds the node routes to r, which is mounted at /api/nodes:
//
//	GET    /            list the nodes the caller may use
//	POST   /            add a node (admin)              body: NewNode
//	POST   /test        test a node without saving it (admin)
//	GET    /{id}        one node
//	DELETE /{id}        remove a node (admin)
//	POST   /{id}/test   test a stored node
//
// Answers are JSON; errors are {"error": "..."} with 400, 403 or 404.
func (m *Manager) Register(r chi.Router, access Access) {
	can := func(req *http.Request, id string) bool { return access == nil || access.CanUseNode(req, id) }
	admin := func(w http.ResponseWriter, req *http.Request) bool {
		if access == nil || access.IsAdmin(req) {
			return true
		}
		WriteError(w, http.StatusForbidden, "only an admin may add, test unsaved or remove nodes")
		return false
	}
	r.Get("/", func(w http.ResponseWriter, req *http.Request) {
		out := []Info{}
		for _, n := range m.List() {
			if can(req, n.ID) {
				out = append(out, n)
			}
		}
		WriteJSON(w, http.StatusOK, out)
	})
	r.Post("/", func(w http.ResponseWriter, req *http.Request) {
		if !admin(w, req) {
			return
		}
		var in NewNode
		if !readJSON(w, req, &in) {
			return
		}
		info, err := m.Add(in)
		if err != nil {
			WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		WriteJSON(w, http.StatusCreated, info)
	})
	r.Post("/test", func(w http.ResponseWriter, req *http.Request) {
		if !admin(w, req) {
			return
		}
		var in NewNode
		if !readJSON(w, req, &in) {
			return
		}
		ctx, cancel := context.WithTimeout(req.Context(), testTimeout)
		defer cancel()
		res, err := m.TestNew(ctx, in)
		if err != nil {
			WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		WriteJSON(w, http.StatusOK, res)
	})
	r.Get("/{id}", func(w http.ResponseWriter, req *http.Request) {
		id := chi.URLParam(req, "id")
		info, found := m.Get(id)
		if !found || !can(req, id) {
			WriteError(w, http.StatusNotFound, fmt.Sprintf("no node with id %q", id))
			return
		}
		WriteJSON(w, http.StatusOK, info)
	})
	r.Delete("/{id}", func(w http.ResponseWriter, req *http.Request) {
		if !admin(w, req) {
			return
		}
		id := chi.URLParam(req, "id")
		if err := m.Remove(id); err != nil {
			WriteError(w, http.StatusNotFound, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	r.Post("/{id}/test", func(w http.ResponseWriter, req *http.Request) {
		id := chi.URLParam(req, "id")
		if _, found := m.Get(id); !found || !can(req, id) {
			WriteError(w, http.StatusNotFound, fmt.Sprintf("no node with id %q", id))
			return
		}
		ctx, cancel := context.WithTimeout(req.Context(), testTimeout)
		defer cancel()
		res, err := m.Test(ctx, id)
		if err != nil {
			WriteError(w, http.StatusNotFound, err.Error())
			return
		}
		WriteJSON(w, http.StatusOK, res)
	})
}

func readJSON(w http.ResponseWriter, req *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxNodeBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit))
			return false
		}
		WriteError(w, http.StatusBadRequest, fmt.Sprintf("the request body is not the expected JSON: %v", err))
		return false
	}
	return true
}

// WriteJSON writes v as a JSON answer with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes {"error": msg} with the given status.
func WriteError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, map[string]string{"error": msg})
}
