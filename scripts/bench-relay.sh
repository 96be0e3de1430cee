#!/usr/bin/env bash
# Relay benchmark for `make bench`: getblockcount against a btcd regtest node
# (started by the test harness, installed with `go install` when missing),
# directly and through the relay's RPC proxy, with 1 and 50 concurrent clients.
# Prints mean latency and throughput of each, and relay/direct ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME="${BENCHTIME:-2s}"
out="$(go test -run '^$' -bench '^BenchmarkRelayVsDirect$' -benchtime "$BENCHTIME" -count 1 ./server/rpcproxy/)" || {
  echo "$out" >&2
  echo "bench-relay: the relay benchmark failed" >&2
  exit 1
}
echo "$out" | awk '
  /^BenchmarkRelayVsDirect\// {
    split($1, p, "/"); target = p[2]; c = p[3]; sub(/^clients=/, "", c); sub(/-[0-9]+$/, "", c)
    for (i = 2; i < NF; i++) {
      if ($(i+1) == "us/call") lat[target, c] = $i
      if ($(i+1) == "calls/s") tput[target, c] = $i
    }
    seen[c] = 1
  }
  END {
    print "Relay RPC proxy vs btcd directly (getblockcount, loopback; relay call cap 50)"
    printf "%-8s %14s %14s %9s %14s %14s %9s\n", "clients", "direct us", "relay us", "latency", "direct /s", "relay /s", "thruput"
    n = split("1 50", cs, " ")
    for (k = 1; k <= n; k++) {
      c = cs[k]
      if (!((("direct", c) in lat) && (("relay", c) in lat))) { print "missing results for " c " clients"; bad = 1; continue }
      printf "%-8s %14.1f %14.1f %8.2fx %14.0f %14.0f %8.2fx\n", c, lat["direct", c], lat["relay", c], \
        lat["relay", c] / lat["direct", c], tput["direct", c], tput["relay", c], tput["relay", c] / tput["direct", c]
    }
    print "latency = relay/direct mean time per call (lower is better); thruput = relay/direct calls per second (higher is better)"
    exit bad
  }'
