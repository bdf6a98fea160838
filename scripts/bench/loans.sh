#!/usr/bin/env bash
# API ingest benchmark (issue #5): a bank's system reports 100,000 loans with their pledges
# through the API at 16 concurrent clients, on SQLite and on PostgreSQL: first in batches
# (POST /api/v1/loans/batch, 100 loans a request) until 100,000 loans are in, then one loan a
# request (POST /api/v1/loans) for a fixed time. Prints loans/s, p50/p99 latency, peak RSS.
#   usage: scripts/bench/loans.sh [enterprises (default 200000)] [postgres admin url]
#   env: LOANS (100000), BATCH (100), SINGLE_SECONDS (20), ONLY (sqlite|postgres)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
PG=${2:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${IPFIN_BENCH_PORT:-18090}
TOTAL=${LOANS:-100000}
BATCH=${BATCH:-100}
SINGLE_SECONDS=${SINGLE_SECONDS:-20}
export CLIENTS=16
cargo build --release -q
BIN=$PWD/target/release/ipfin
WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  psql "$PG" -qc "DROP DATABASE IF EXISTS ipfin_bench_loans WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
"$BIN" demo --scale city --count "$N" --csv "$WORK/csv" >/dev/null
awk -F, 'NR > 1 && NR <= 20001 { print $1 }' "$WORK/csv/enterprises.csv" > "$WORK/codes.txt"
export CODES=$WORK/codes.txt
echo "ipfin loan API ingest — $TOTAL loans in batches of $BATCH, then one loan a request for ${SINGLE_SECONDS}s; $CLIENTS clients; registry of $N; $(nproc) cores"

bench() { # label, ipfin global options...
  local label=$1; shift
  local data=$WORK/$label
  "$BIN" "$@" --data-dir "$data" demo >/dev/null
  "$BIN" "$@" --data-dir "$data" import enterprises "$WORK/csv/enterprises.csv" >/dev/null
  export TOKEN
  TOKEN=$("$BIN" "$@" --data-dir "$data" token --org 深南银行深圳分行 --name 基准测试 2>/dev/null)
  "$BIN" "$@" --data-dir "$data" serve --listen 127.0.0.1:$PORT > "$data.serve.out" 2> "$data.serve.log" &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.05; done
  printf "%-30s " "$label, batches of $BATCH"
  BATCH=$BATCH TOTAL=$TOTAL RUN=1 python3 scripts/bench/loans_client.py 127.0.0.1 $PORT
  printf "%-30s " "$label, one per request"
  BATCH=1 SECONDS=$SINGLE_SECONDS RUN=2 python3 scripts/bench/loans_client.py 127.0.0.1 $PORT
  local stored rss
  stored=$(curl -sf "http://127.0.0.1:$PORT/api/v1/loans?per_page=1" -H "Authorization: Bearer $TOKEN" \
    | grep -o '"total":[0-9]*' | head -1 | cut -d: -f2)
  rss=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
  printf "%-30s loans stored %s · server peak RSS %d MB\n" "$label" "$stored" $(( rss / 1024 ))
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}

if [ "${ONLY:-}" != postgres ]; then bench SQLite; fi
if [ "${ONLY:-}" != sqlite ]; then
  psql "$PG" -qc "DROP DATABASE IF EXISTS ipfin_bench_loans WITH (FORCE)" -c "CREATE DATABASE ipfin_bench_loans" >/dev/null
  bench PostgreSQL --database-url "${PG%/*}/ipfin_bench_loans"
fi
