#!/usr/bin/env bash
# Starts a fresh demo server on a free loopback port and tours it in headless Chromium
# (tour.mjs): screenshots in target/tour/, a table of page weight, sideways scrolling at phone
# width and axe-core violations. Needs Debian's chromium (apt-get install chromium) and Node.
#   scripts/browser/tour.sh            # debug build
#   PROFILE=release scripts/browser/tour.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE=${PROFILE:-debug}
if [ "$PROFILE" = release ]; then cargo build -q --release --bin ipfin; else cargo build -q --bin ipfin; fi
BIN=target/$PROFILE/ipfin
[ -d scripts/browser/node_modules ] || (cd scripts/browser && npm ci --no-audit --no-fund >/dev/null)
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --data-dir "$DATA" serve --demo --listen "127.0.0.1:$PORT" >"$DATA/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break
  sleep 1
done
OUT=target/tour
rm -rf "$OUT"
node scripts/browser/tour.mjs "http://127.0.0.1:$PORT" "$DATA/demo-logins.txt" "$OUT"
