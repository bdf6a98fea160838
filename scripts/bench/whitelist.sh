#!/usr/bin/env bash
# Whitelist benchmark (issue #20 item 1): the whitelist read on today's business date over the
# generated city registry (tags from `demo --scale city`) — a district officer's first page, the
# same filtered by tag type, the city administrator's city-wide first page (count capped at
# 10,000) and one district through the city — with wrk at 8 connections, on SQLite (default)
# or PostgreSQL (URL argument). Prints req/s, p50 and p99 per query.
#   usage: scripts/bench/whitelist.sh [rows (default 2000000)] [postgres database url]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-2000000}
DBURL=${2:-}
PORT=${IPFIN_BENCH_PORT:-18092}
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
session() {
  local user=$1 pw jar csrf
  pw=$(awk -v u="$user" '$1==u {print $2}' "$WORK/data/demo-logins.txt")
  jar="$WORK/jar-$user"
  csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "username=$user" --data-urlencode "password=$pw" "http://127.0.0.1:$PORT/login"
  awk '$6=="ipfin_session" {print $7}' "$jar"
}
NS=$(session ns.officer)
CITY=$(session city.admin)
echo "ipfin whitelist benchmark — $N enterprises, ${DBURL:+PostgreSQL}${DBURL:-SQLite}, wrk -t2 -c8 -d10s"
for spec in "district, first page|$NS|" "district, tag high_tech|$NS|tag=high_tech" "district, page 50|$NS|page=50" \
            "city-wide, first page|$CITY|" "city, district 440305|$CITY|district=440305"; do
  label=${spec%%|*}; rest=${spec#*|}; s=${rest%%|*}; q=${rest#*|}
  total=$(curl -s -H "Cookie: ipfin_session=$s" "http://127.0.0.1:$PORT/api/v1/whitelist?$q" | grep -o '"total":[0-9]*' | head -1)
  out=$(wrk -t2 -c8 -d10s --latency -H "Cookie: ipfin_session=$s" "http://127.0.0.1:$PORT/api/v1/whitelist?$q")
  printf "%-26s %-16s %8s req/s   p50 %-9s p99 %s\n" "$label" "$total" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')"
done
