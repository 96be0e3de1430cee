#!/usr/bin/env bash
# Wallet sync benchmark for `make bench`: a btcd regtest chain of 5,000 blocks
# with 1,000 transactions paying a wpkh wallet, synced from scratch with
# BIP158 filters through the relay's RPC proxy, against btcd serving the same
# hashes, filters and blocks to a plain batched client. Prints wall time,
# JSON-RPC requests, round trips and bytes of both, and the ratio sync/direct.
# Extra arguments go to the program (e.g. -runs 5; see -h).
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./internal/tools/benchsync "$@"
