#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine, and nothing that is
# already there: btcd (go install), Debian chromium and tor (apt-get).
set -euo pipefail
GOBIN="$(go env GOPATH)/bin"
if [ ! -x "$GOBIN/btcd" ]; then
  echo "installing btcd v0.24.2 (go install)"
  (cd / && GOFLAGS= go install github.com/btcsuite/btcd@v0.24.2)
fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v tor >/dev/null 2>&1 || missing+=(tor)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${missing[*]}: install them with apt-get (needs root)" >&2
    exit 1
  fi
  echo "installing ${missing[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# axe-core (npm, pinned) for the accessibility test (e2e/a11y_test.go), into
# a cache outside the repository, as scripts/bench-lighthouse.sh installs
# lighthouse; the test finds axe.min.js there (AXE_CORE_JS overrides).
AXE_VERSION=4.10.3
AXE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/specter-test/axe-core-$AXE_VERSION"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm to install axe-core" >&2; exit 1; }
  echo "installing axe-core $AXE_VERSION (npm) into $AXE_DIR"
  mkdir -p "$AXE_DIR"
  npm install --prefix "$AXE_DIR" --no-audit --no-fund --silent -E "axe-core@$AXE_VERSION"
fi
