# Specter PWA. `make run` builds everything and starts the app; `make test`
# installs what the tests need and runs them all.
SHELL := bash
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
GOROOT := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
export PATH := $(GOBIN):$(PATH)

.PHONY: all build wasm run test test-go test-wasm deps bench fmt vet clean

all: build

build: bin/specter

bin/specter: $(shell find . -name '*.go' -not -path './node_modules/*')
	$(GO) build -trimpath -o bin/specter ./cmd/specter

run: build
	./bin/specter serve

deps:
	./scripts/install-test-deps.sh

test: deps vet test-go test-wasm

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed on:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

test-go:
	$(GO) test -count=1 ./...

# The engine must build and pass its tests as WebAssembly too (Node runs it).
test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASM_EXEC)" ./shared/...

bench:
	./scripts/bench.sh

clean:
	rm -rf bin web/wasm
