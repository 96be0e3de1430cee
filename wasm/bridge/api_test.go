package bridge

import (
	"regexp"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/store"
)

// TestAPIDocumentsEveryMethod keeps API.md and the registry in step: every
// registered method has a row, and every row names a registered method
// (engine.info and storage.wipe are registered by the wasm main package).
func TestAPIDocumentsEveryMethod(t *testing.T) {
	doc, err := testdataFS.ReadFile("API.md")
	require.NoError(t, err)
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-zA-Z0-9]+\\.[a-zA-Z0-9]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	r := managerRegistry(t, store.NewMemory())
	registered := map[string]bool{"engine.info": true, "storage.wipe": true}
	for _, m := range r.Methods() {
		registered[m.Name] = true
	}
	var missing, stale []string
	for m := range registered {
		if !documented[m] {
			missing = append(missing, m)
		}
	}
	for m := range documented {
		if !registered[m] {
			stale = append(stale, m)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	require.Empty(t, missing, "methods without a row in API.md")
	require.Empty(t, stale, "rows of API.md naming no method")
}
