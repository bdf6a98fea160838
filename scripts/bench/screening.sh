#!/usr/bin/env bash
# Screening benchmark (issue #20 item 2): every enterprise of the city-scale demo scored by the
# default model, on SQLite and PostgreSQL side by side in the same run, against the same scoring
# written as one DuckDB SQL query over the same rows exported to Parquet. For each database:
# the demo load, the refresh of the profiles from the records, the refresh of 1,000 and 20,000
# changed enterprises (random), scoring the city (5 runs) and
# previewing a threshold change, each with its peak RSS (/usr/bin/time -v). Targets: scoring
# under 3 s and no slower than DuckDB, peak RSS under 300 MB, a preview under 3 s.
#   usage: scripts/bench/screening.sh [rows (default 2000000)] [postgres server url, e.g.
#          postgres://postgres@127.0.0.1:5432 — a database ipfin_bench_screening is created]
#   env: PYTHON (a python with duckdb; default: a venv in /tmp made with pip install duckdb)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-2000000}
PGSERVER=${2:-}
cargo build --release -q -p ipfin
BIN=$PWD/target/release/ipfin
WORK=${IPFIN_BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${IPFIN_BENCH_KEEP:-}" ] && rm -rf "$WORK"' EXIT
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  [ -x /tmp/ipfin-duckdb-venv/bin/python ] || { python3 -m venv /tmp/ipfin-duckdb-venv && /tmp/ipfin-duckdb-venv/bin/pip install -q duckdb; }
  PYTHON=/tmp/ipfin-duckdb-venv/bin/python
fi
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1"; }
echo "ipfin screening benchmark — $N enterprises; $(nproc) cores; $("$PYTHON" -c 'import duckdb; print("duckdb", duckdb.__version__)')"
BACKENDS=("sqlite|")
if [ -n "$PGSERVER" ]; then
  psql "$PGSERVER/postgres" -qc 'DROP DATABASE IF EXISTS ipfin_bench_screening' -c 'CREATE DATABASE ipfin_bench_screening' >/dev/null
  BACKENDS+=("postgres|$PGSERVER/ipfin_bench_screening")
fi
for spec in "${BACKENDS[@]}"; do
  name=${spec%%|*}; url=${spec#*|}
  ARGS=(--data-dir "$WORK/$name")
  [ -n "$url" ] && ARGS+=(--database-url "$url")
  if [ ! -f "$WORK/$name/.loaded" ]; then
    /usr/bin/time -v "$BIN" "${ARGS[@]}" demo --scale city --count "$N" > "$WORK/$name-demo.out" 2> "$WORK/$name-demo.time"
    touch "$WORK/$name/.loaded"
    echo "[$name] demo load (import with its refreshes): $(wall "$WORK/$name-demo.time"), peak RSS $(rss "$WORK/$name-demo.time")"
  fi
  /usr/bin/time -v "$BIN" "${ARGS[@]}" screening --refresh > /dev/null 2> "$WORK/$name-refresh.time"
  echo "[$name] $(grep '^refresh:' "$WORK/$name-refresh.time"), peak RSS $(rss "$WORK/$name-refresh.time")"
  # The refresh of changes (the job every minute, and after small imports): random enterprises
  # marked as changed, as the forms and imports mark them.
  for k in 1000 20000; do
    mark="INSERT INTO screening_changes (enterprise_id) SELECT id FROM enterprises WHERE registered_district IS NOT NULL ORDER BY random() LIMIT $k"
    if [ -n "$url" ]; then psql "$url" -qc "$mark" >/dev/null; else sqlite3 "$WORK/$name/ipfin.db" "$mark"; fi
    /usr/bin/time -v "$BIN" "${ARGS[@]}" screening --refresh-changes > /dev/null 2> "$WORK/$name-changes.time"
    echo "[$name] $(grep '^refresh_changes:' "$WORK/$name-changes.time"), peak RSS $(rss "$WORK/$name-changes.time")"
  done
  /usr/bin/time -v "$BIN" "${ARGS[@]}" screening --repeat 5 --preview-weight invention_patents=30 \
    --preview-weight financing_need=20 --preview-threshold 35 > "$WORK/$name-score.out" 2> "$WORK/$name-score.time"
  echo "[$name] $(head -1 "$WORK/$name-score.out")"
  echo "[$name] $(grep '^score_district' "$WORK/$name-score.time")"
  echo "[$name] $(grep '^preview' "$WORK/$name-score.time")"
  echo "[$name] scoring process (5 scorings + preview): peak RSS $(rss "$WORK/$name-score.time")"
done
# The same rows for DuckDB: the facts every score is made of, as the refresh reads them.
"$BIN" --data-dir "$WORK/sqlite" screening --export-csv "$WORK/facts.csv" 2>/dev/null
/usr/bin/time -v "$PYTHON" scripts/bench/screening_duckdb.py "$WORK/facts.csv" "$(head -1 "$WORK/sqlite-score.out")" 2> "$WORK/duckdb.time" | sed 's/^/[duckdb] /'
echo "[duckdb] process (Parquet conversion + 10 queries): peak RSS $(rss "$WORK/duckdb.time")"
