#!/usr/bin/env bash
# Quarterly statistics benchmark (issue #7): `quarter_stats` for all districts, read from the
# aggregates kept by every write, against the direct scan (`--direct`) and against DuckDB over
# the same rows exported to Parquet, on SQLite and PostgreSQL: (a) the city-scale demo (a
# registry of N enterprises and its ~20,000 loans reported through save_loan), then (b) after
# 1,000,000 synthetic loans more (`ipfin demo --loans`, bulk, then a rebuild). Checks that the
# aggregated, direct and DuckDB figures are equal. Prints ms (first run, min, median, max).
#   usage: scripts/bench/stats.sh [enterprises (default 2000000)] [postgres admin url]
#   env: LOANS (1000000), QUARTER (2026Q3), REPEAT (20), DIRECT_REPEAT (5),
#        ONLY (sqlite|postgres), IPFIN_BIN (use this binary instead of building)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-2000000}
PG=${2:-postgres://postgres@127.0.0.1:5432/postgres}
LOANS=${LOANS:-1000000}
QUARTER=${QUARTER:-2026Q3}
export REPEAT=${REPEAT:-20}
DIRECT_REPEAT=${DIRECT_REPEAT:-5}
export RUST_LOG=warn PGOPTIONS="-c client_min_messages=warning"
if [ -n "${IPFIN_BIN:-}" ]; then
  BIN=$IPFIN_BIN
else
  cargo build --release -q
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/ipfin
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipfin-stats.XXXXXX")
cleanup() {
  psql "$PG" -qc "DROP DATABASE IF EXISTS ipfin_bench_stats WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
echo "ipfin quarterly statistics — $QUARTER, registry of $N, +$LOANS synthetic loans; $(nproc) cores; $(python3 -c 'import duckdb; print("duckdb", duckdb.__version__)')"

sql() { # backend, data dir / url, query → CSV with header on stdout
  if [ "$1" = sqlite ]; then sqlite3 -csv -header "$2/ipfin.db" "$3"
  else psql "$2" -qAt -c "\\copy ($3) TO STDOUT WITH (FORMAT csv, HEADER)"; fi
}

measure() { # label, backend, data dir or url, ipfin global options...
  local label=$1 backend=$2 where=$3; shift 3
  local out
  out=$WORK/$(printf %s "$label" | tr -c 'A-Za-z0-9' '_')
  mkdir -p "$out"
  if [ "$backend" = sqlite ]; then sqlite3 "$where/ipfin.db" "ANALYZE" >/dev/null
  else psql "$where" -qc "ANALYZE" >/dev/null; fi
  local loans
  loans=$(sql "$backend" "$where" "SELECT COUNT(*) AS n FROM loans" | tail -1)
  echo "$label: $loans loans"
  "$BIN" "$@" stats "$QUARTER" --json > "$out/ipfin.json" 2>/dev/null
  printf "  ipfin aggregated            "
  "$BIN" "$@" stats "$QUARTER" --repeat "$REPEAT" 2>&1 >/dev/null | grep '^quarter_stats' | sed 's/^quarter_stats //'
  printf "  ipfin direct scan           "
  "$BIN" "$@" stats "$QUARTER" --direct --json --repeat "$DIRECT_REPEAT" 2>&1 > "$out/direct.json" | grep '^quarter_stats' | sed 's/^quarter_stats_direct //'
  if python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$out/ipfin.json" "$out/direct.json"; then
    echo "  aggregated equals direct on every district"
  else
    echo "  AGGREGATED DIFFERS FROM DIRECT"; exit 1
  fi
  sql "$backend" "$where" "SELECT id, enterprise_id, first_disbursed, principal_fen, CASE WHEN first_loan THEN 1 ELSE 0 END AS first_loan, ip_kinds FROM loans" > "$out/loans.csv"
  sql "$backend" "$where" "SELECT id, registered_district, size_class, size_override FROM enterprises" > "$out/enterprises.csv"
  sql "$backend" "$where" "SELECT id, pledgor_enterprise_id, registration_date FROM pledge_registrations" > "$out/pledges.csv"
  python3 scripts/bench/stats_duckdb.py "$out" "$QUARTER" "$out/ipfin.json"
  rm -f "$out"/*.csv "$out"/*.parquet
}

bench() { # label, backend, data dir or url, ipfin global options...
  local label=$1 backend=$2 where=$3; shift 3
  local started=$SECONDS
  "$BIN" "$@" demo --scale city --count "$N" > "$WORK/$label.demo.log"
  echo "$label: city demo loaded in $((SECONDS - started)) s ($(grep -o '演示贷款.*' "$WORK/$label.demo.log"))"
  measure "$label (a) city demo" "$backend" "$where" "$@"
  started=$SECONDS
  "$BIN" "$@" demo --loans "$LOANS" > "$WORK/$label.bulk.log"
  echo "$label: $(grep -o '合成贷款 / synthetic loans:.*' "$WORK/$label.bulk.log")"
  echo "$label: $(grep -o 'statistics rebuilt:.*' "$WORK/$label.bulk.log") (total $((SECONDS - started)) s)"
  measure "$label (b) +$LOANS loans" "$backend" "$where" "$@"
}

if [ "${ONLY:-}" != postgres ]; then
  bench SQLite sqlite "$WORK/sqlite" --data-dir "$WORK/sqlite"
fi
if [ "${ONLY:-}" != sqlite ]; then
  psql "$PG" -qc "DROP DATABASE IF EXISTS ipfin_bench_stats WITH (FORCE)" -c "CREATE DATABASE ipfin_bench_stats" >/dev/null
  URL="${PG%/*}/ipfin_bench_stats"
  bench PostgreSQL postgres "$URL" --data-dir "$WORK/pg" --database-url "$URL"
fi
