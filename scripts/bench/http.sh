#!/usr/bin/env bash
# HTTP benchmark of the release binary on SQLite (issue #2 figures): time to /readyz, idle and
# peak RSS, and wrk at 64 connections for the credit-code API, the sign-in page, an
# authenticated district home page and the public platform's zone and product pages.
# Prints figures; asserts nothing.
#   usage: scripts/bench/http.sh [seconds-per-run (default 15)] [connections (default 64)]
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-15}
CONN=${2:-64}
PORT=${IPFIN_BENCH_PORT:-18089}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
cargo build --release -q
DATA=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT

# Load the demo first so the measured start is a normal start (schema present, no seeding).
./target/release/ipfin --data-dir "$DATA" demo > "$DATA/demo.out"
START=$(date +%s%N)
RUST_LOG=${RUST_LOG:-info} ./target/release/ipfin --data-dir "$DATA" serve --listen 127.0.0.1:$PORT > "$DATA/serve.out" 2> "$DATA/serve.log" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.005; done
READY_MS=$(( ($(date +%s%N) - START) / 1000000 ))
sleep 1
IDLE_RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)

# Sign in as the Nanshan district officer to get a session cookie.
PW=$(awk '$1=="ns.officer" {print $2}' "$DATA/demo-logins.txt")
JAR="$DATA/jar"
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$CSRF" --data-urlencode "username=ns.officer" --data-urlencode "password=$PW" "http://127.0.0.1:$PORT/login"
SESSION=$(awk '$6=="ipfin_session" {print $7}' "$JAR")
[ -n "$SESSION" ] || { echo "sign-in failed"; exit 1; }
curl -sf -H "Cookie: ipfin_session=$SESSION" "http://127.0.0.1:$PORT/home" | grep -q "工作台" || { echo "home page check failed"; exit 1; }

run() { # name, path, [header]
  local name=$1 path=$2 hdr=${3:-}
  local out
  if [ -n "$hdr" ]; then
    out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency -H "$hdr" "http://127.0.0.1:$PORT$path")
  else
    out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency "http://127.0.0.1:$PORT$path")
  fi
  local rps p50 p99 errs
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errs=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf "%-34s %12s req/s   p50 %-9s p99 %-9s non-2xx %s\n" "$name" "$rps" "$p50" "$p99" "${errs:-0}"
}

echo "ipfin HTTP benchmark — $(nproc) cores, wrk -t2 -c$CONN -d${DUR}s, SQLite, RUST_LOG=${RUST_LOG:-info}"
run "GET /api/v1/tools/credit-code" "/api/v1/tools/credit-code/9144030071526726XG"
run "GET /login (sign-in page)" "/login"
run "GET /home (district officer)" "/home" "Cookie: ipfin_session=$SESSION"
# The public platform (issue #22): the city's zone list, a district zone, the product list.
run "GET /zones (platform front)" "/zones"
run "GET /zones/440305 (district zone)" "/zones/440305"
run "GET /products (loan products)" "/products"
PEAK_RSS=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
echo "start to /readyz OK: ${READY_MS} ms"
echo "idle RSS: $((IDLE_RSS / 1024)) MB; peak RSS (VmHWM) after load: $((PEAK_RSS / 1024)) MB"
