# Specter PWA. `make run` builds everything and starts the app; `make test`
# installs what the tests need and runs them all.
SHELL := bash
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
GOROOT := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
export PATH := $(GOBIN):$(PATH)

.PHONY: all build wasm i18n precache run test test-go test-wasm test-browser deps bench fmt vet clean

all: build

build: wasm i18n precache bin/specter

# The engine as WebAssembly, run by web/js/engine-worker.js (web/wasm/ is
# built output, embedded in bin/specter), with brotli and gzip siblings the
# relay serves to browsers that accept them (12 MB -> 2.8 MB brotli).
wasm: web/wasm/engine.wasm web/wasm/wasm_exec.js

web/wasm/engine.wasm: $(shell find shared wasm -name '*.go') go.mod go.sum
	@mkdir -p web/wasm
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o web/wasm/engine.wasm ./wasm
	$(GO) run ./internal/tools/precompress -q web/wasm

web/wasm/wasm_exec.js: $(GOROOT)/lib/wasm/wasm_exec.js
	@mkdir -p web/wasm
	cp $< $@
	rm -f $@.br $@.gz

# The UI's message ids (web/i18n/messages.json, the template translators
# start from) and the list of catalogues web/i18n/<tag>.json, checked
# against the messages (internal/tools/i18n).
i18n:
	$(GO) run ./internal/tools/i18n -web web

# The service worker's precache list (web/precache.js, built output): every
# asset's URL and a build id over their contents that versions the cache.
precache: wasm i18n
	$(GO) run ./internal/tools/precache -web web -manifest manifest.json

bin/specter: $(shell find . -name '*.go' -not -path './node_modules/*') $(shell find web -type f) manifest.json
	$(GO) build -trimpath -o bin/specter ./cmd/specter

# With no node configured, `specter serve` starts a local btcd REGTEST demo
# node with funded demo wallets: btcd is installed first when missing.
# Pass serve's flags with ARGS, e.g. make run ARGS="--node http://127.0.0.1:8332".
run: build
	@command -v btcd >/dev/null || (cd / && GOFLAGS= $(GO) install github.com/btcsuite/btcd@v0.24.2)
	./bin/specter serve $(ARGS)

deps:
	./scripts/install-test-deps.sh

test: deps vet test-go test-wasm test-browser

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed on:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

test-go:
	$(GO) test -count=1 ./...

# The engine must build and pass its tests as WebAssembly too (Node runs it).
test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASM_EXEC)" ./shared/...

# The browser parts (IndexedDB store, JS bridge) run in headless Chromium.
test-browser:
	@command -v wasmbrowsertest >/dev/null || (cd / && GOFLAGS= $(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0)
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec wasmbrowsertest ./wasm/...

bench:
	./scripts/bench.sh

clean:
	rm -rf bin web/wasm web/precache.js
