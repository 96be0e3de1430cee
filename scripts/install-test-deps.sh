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
