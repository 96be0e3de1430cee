#!/usr/bin/env bash
# make bench: the engine's benchmarks natively and in WebAssembly (Node), side by side,
# with the wasm/native ratio, then the relay against btcd directly, then Lighthouse on the PWA.
set -euo pipefail
cd "$(dirname "$0")/.."
WASM_EXEC="$(go env GOROOT)/lib/wasm/go_js_wasm_exec"
BENCHTIME="${BENCHTIME:-1s}"
pkgs=$(go list ./shared/... | tr '\n' ' ')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "running engine benchmarks natively..." >&2
go test -run='^$' -bench=. -benchtime="$BENCHTIME" -benchmem $pkgs >"$out/native.txt"
echo "running engine benchmarks in wasm (Node)..." >&2
GOOS=js GOARCH=wasm go test -run='^$' -bench=. -benchtime="$BENCHTIME" -exec="$WASM_EXEC" $pkgs >"$out/wasm.txt"
go run ./scripts/benchtable "$out/native.txt" "$out/wasm.txt"
if [ -x scripts/bench-relay.sh ]; then
  scripts/bench-relay.sh
fi
scripts/bench-lighthouse.sh
scripts/bench-sync.sh
