#!/usr/bin/env bash
# make bench, PWA part: Lighthouse (npm, pinned 11.7.1: the last release with the
# PWA category) against the relay serving the embedded app, in Debian chromium.
# Prints the installability checks, the performance score, time to interactive
# and the bytes transferred.
set -euo pipefail
cd "$(dirname "$0")/.."
LH_VERSION=11.7.1
LH_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/specter-bench/lighthouse-$LH_VERSION"
if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ]; then
  echo "installing lighthouse $LH_VERSION (npm) into $LH_DIR..." >&2
  mkdir -p "$LH_DIR"
  npm install --prefix "$LH_DIR" --no-audit --no-fund --silent -E "lighthouse@$LH_VERSION" >&2
fi
CHROME_PATH="$(command -v chromium)" || { echo "chromium is missing: run make deps" >&2; exit 1; }
export CHROME_PATH
[ -x bin/specter ] || make build >&2
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./bin/specter serve --data-dir "$work/data" --listen "127.0.0.1:$port" --demo off >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
"$LH_DIR/node_modules/.bin/lighthouse" "http://127.0.0.1:$port/" --quiet \
  --only-categories=pwa,performance --output=json --output-path="$work/report.json" \
  --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$work/chrome" >&2
node -e '
const r = require(process.argv[1]);
const a = r.audits, c = r.categories;
const pwa = c.pwa.auditRefs.map((x) => a[x.id]).filter((x) => x.scoreDisplayMode !== "manual" && x.scoreDisplayMode !== "notApplicable");
console.log("Lighthouse " + r.lighthouseVersion + " (PWA, performance) on the embedded app");
console.log("| check | result |\n|---|---|");
for (const x of pwa) console.log("| " + x.title + " | " + (x.score === 1 ? "pass" : "FAIL") + " |");
console.log("| performance score | " + Math.round(c.performance.score * 100) + " / 100 |");
console.log("| time to interactive | " + (a.interactive.numericValue / 1000).toFixed(2) + " s |");
console.log("| first contentful paint | " + (a["first-contentful-paint"].numericValue / 1000).toFixed(2) + " s |");
console.log("| bytes transferred | " + (a["total-byte-weight"].numericValue / 1024 / 1024).toFixed(2) + " MiB |");
const failed = pwa.filter((x) => x.score !== 1).map((x) => x.title);
if (failed.length) {
  console.error("PWA checks failed: " + failed.join("; ") + ". The app is not installable as built: fix these before release.");
  process.exitCode = 1;
}
' "$work/report.json"
