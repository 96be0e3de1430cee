package users_test

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/go-chi/chi/v5"

	"github.com/specterpwa/specter/server/users"
)

// Wiring the UserManager into the relay's router.
func ExampleManager_Routes() {
	dir, err := os.MkdirTemp("", "relay")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	m, err := users.Open(dir, users.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if msg := m.SetupMessage(); msg != "" {
		_ = msg // the relay prints this once to its console
	}
	r := chi.NewRouter()
	r.Mount("/api/auth", m.Routes())
	r.With(m.Require).Post("/api/nodes/{id}/rpc", func(w http.ResponseWriter, req *http.Request) {
		if !m.CanUseNode(req, chi.URLParam(req, "id")) {
			http.Error(w, `{"error":"not your node"}`, http.StatusForbidden)
			return
		}
		// proxy the call ...
	})
	fmt.Println(m.NeedsSetup())
	// Output: true
}
