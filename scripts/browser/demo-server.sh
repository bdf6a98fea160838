# Sourced by tour.sh, journeys.sh and screenshots.sh: builds ipfin, installs the npm packages if
# missing, starts a fresh demo server (SQLite in a temporary folder, a free loopback port) and
# stops it on exit. Sets BASE (the server's URL) and LOGINS (its demo-logins.txt).
#   PROFILE=release   use the release build (default: debug)
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PROFILE=${PROFILE:-debug}
if [ "$PROFILE" = release ]; then cargo build -q --release --bin ipfin; else cargo build -q --bin ipfin; fi
BIN=target/$PROFILE/ipfin
[ -d scripts/browser/node_modules ] || (cd scripts/browser && npm ci --no-audit --no-fund >/dev/null)
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --data-dir "$DATA" serve --demo --listen "127.0.0.1:$PORT" >"$DATA/serve.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break
  kill -0 $SERVER_PID 2>/dev/null || { echo "the demo server stopped:" >&2; cat "$DATA/serve.log" >&2; exit 1; }
  sleep 1
done
BASE="http://127.0.0.1:$PORT"
LOGINS="$DATA/demo-logins.txt"
