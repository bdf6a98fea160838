#!/usr/bin/env bash
# Search benchmark (issue #3): a district officer's enterprise search over the generated
# registry — by a two-character name fragment (rare and common), by exact credit code and by a
# code prefix — with wrk at 8 connections, on SQLite (default) or PostgreSQL (URL argument).
#   usage: scripts/bench/search.sh [rows (default 2000000)] [postgres database url]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-2000000}
DBURL=${2:-}
PORT=${IPFIN_BENCH_PORT:-18091}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
cargo build --release -q
BIN=$PWD/target/release/ipfin
WORK=$(mktemp -d)
ARGS=(--data-dir "$WORK/data")
[ -n "$DBURL" ] && ARGS+=(--database-url "$DBURL")
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BIN" "${ARGS[@]}" demo --scale city --count "$N" > "$WORK/demo.out"
"$BIN" "${ARGS[@]}" serve --listen 127.0.0.1:$PORT > /dev/null 2> "$WORK/serve.log" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.05; done
PW=$(awk '$1=="ns.officer" {print $2}' "$WORK/data/demo-logins.txt")
JAR="$WORK/jar"
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$CSRF" --data-urlencode "username=ns.officer" --data-urlencode "password=$PW" "http://127.0.0.1:$PORT/login"
SESSION=$(awk '$6=="ipfin_session" {print $7}' "$JAR")
CODE=$(awk -F, 'NR>1 && $3=="440305" {print $1; exit}' "$WORK/data/city/enterprises.csv")
echo "ipfin search benchmark — $N enterprises, ${DBURL:+PostgreSQL}${DBURL:-SQLite}, Nanshan officer, wrk -t2 -c8 -d10s"
for spec in "华为 (rare bigram)|%E5%8D%8E%E4%B8%BA" "科技 (common bigram)|%E7%A7%91%E6%8A%80" "exact credit code|$CODE" "code prefix (12 chars)|${CODE:0:12}"; do
  label=${spec%%|*}; q=${spec#*|}
  out=$(wrk -t2 -c8 -d10s --latency -H "Cookie: ipfin_session=$SESSION" "http://127.0.0.1:$PORT/api/v1/enterprises?q=$q")
  printf "%-26s %8s req/s   p50 %-9s p99 %s\n" "$label" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')"
done
