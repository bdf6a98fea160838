#!/usr/bin/env bash
# Application load test (issue #6): 1,000 enterprises in 南山区 (`ipfin bench-applicants`, one API
# token each) submit a subsidy application (interest item, one loan) with 8 files of 200 KB–2 MB
# (random content) each, 64 clients at a time (`applications_client.py`, Python standard library,
# one keep-alive connection each), against the release server on SQLite and on PostgreSQL.
# Prints submissions/s, MB/s, p50/p99 of uploads and submits, the non-2xx answers; then proves:
# exactly 1,000 applications, numbers 440305-YYYY-EF-00001… without gap, every file read back
# identical and stored once (one blobs row and one file under <data-dir>/files per upload, since
# the contents are random), no 5xx; and the server's peak RSS.
#   usage: scripts/bench/applications.sh [postgres admin url]
#   env: COUNT (1000), CLIENTS (64), ONLY (sqlite|postgres), IPFIN_BENCH_PORT (18091)
#   A run's data dir holds ~9 GB (removed once measured): point TMPDIR at a disk, not a small tmpfs.
set -euo pipefail
cd "$(dirname "$0")/../.."
PG=${1:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${IPFIN_BENCH_PORT:-18091}
COUNT=${COUNT:-1000}
export CLIENTS=${CLIENTS:-64}
DB=ipfin_bench_apps
FILES=$(( COUNT * 8 ))
command -v sqlite3 >/dev/null || [ "${ONLY:-}" = postgres ] || { echo "sqlite3 is needed: apt-get install sqlite3"; exit 1; }
cargo build --release -q
BIN=$PWD/target/release/ipfin
WORK=$(mktemp -d)
PID=
FAILED=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  psql "$PG" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
need_mb=$(( FILES * 1124 * 11 / 10 / 1024 )) # mean file (200 KiB + 2 MiB) / 2 ≈ 1124 KiB, +10%
free_mb=$(( $(df -Pk "$WORK" | awk 'NR == 2 {print $4}') / 1024 ))
if [ "$free_mb" -lt "$need_mb" ]; then
  echo "warning: $WORK has $free_mb MB free, a run needs ~$need_mb MB (set TMPDIR)" >&2
fi
echo "ipfin application load test — $COUNT enterprises × 8 files of 200 KB–2 MB, $CLIENTS clients; $(nproc) cores"

DATA=
PGURL=
q() { # one value from the current run's database
  if [ -n "$PGURL" ]; then psql "$PGURL" -tAqX -c "$1"; else sqlite3 "$DATA/ipfin.db" "$1"; fi
}

bench() { # label, ipfin global options...
  local label=$1; shift
  local data=$WORK/$label
  DATA=$data
  "$BIN" "$@" --data-dir "$data" demo >/dev/null
  "$BIN" "$@" --data-dir "$data" bench-applicants --count "$COUNT" > "$WORK/$label.tokens"
  local lender
  lender=$(q "SELECT id FROM organisations WHERE name = '深南银行深圳分行' ORDER BY id LIMIT 1")
  [ -n "$lender" ] || { echo "$label: no organisation 深南银行深圳分行 after ipfin demo" >&2; exit 1; }
  # What the demo stored already, so that only this run's files are counted.
  local files0 keys0 blobs0 disk0
  files0=$(q "SELECT COUNT(*) FROM application_files")
  keys0=$(q "SELECT COUNT(DISTINCT blob_key) FROM application_files")
  blobs0=$(q "SELECT COUNT(*) FROM blobs")
  disk0=$(find "$data/files" -type f 2>/dev/null | wc -l)
  "$BIN" "$@" --data-dir "$data" serve --listen 127.0.0.1:$PORT > "$data.serve.out" 2> "$data.serve.log" &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
    kill -0 "$PID" 2>/dev/null || { echo "$label: the server did not start" >&2; tail -20 "$data.serve.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "== $label"
  local rc=0
  TOKENS=$WORK/$label.tokens LENDER=$lender python3 scripts/bench/applications_client.py 127.0.0.1 "$PORT" || rc=$?
  local rss
  rss=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  local apps numbered distinct first last files keys blobs disk size
  apps=$(q "SELECT COUNT(*) FROM applications")
  numbered=$(q "SELECT COUNT(*) FROM applications WHERE number IS NOT NULL")
  distinct=$(q "SELECT COUNT(DISTINCT number) FROM applications")
  first=$(q "SELECT MIN(number) FROM applications")
  last=$(q "SELECT MAX(number) FROM applications")
  files=$(( $(q "SELECT COUNT(*) FROM application_files") - files0 ))
  keys=$(( $(q "SELECT COUNT(DISTINCT blob_key) FROM application_files") - keys0 ))
  blobs=$(( $(q "SELECT COUNT(*) FROM blobs") - blobs0 ))
  disk=$(( $(find "$data/files" -type f 2>/dev/null | wc -l) - disk0 ))
  size=$(du -sm "$data/files" 2>/dev/null | cut -f1)
  echo "  database: $apps applications, $numbered numbered ($distinct distinct, $first … $last) · application_files $files ·" \
    "distinct blob keys $keys · blobs $blobs · files under data/files $disk (${size:-0} MB)"
  echo "  server peak RSS $(( rss / 1024 )) MB"
  local want_last
  want_last=$(printf "%05d" "$COUNT")
  if [ "$rc" -ne 0 ] || [ "$apps" -ne "$COUNT" ] || [ "$numbered" -ne "$COUNT" ] || [ "$distinct" -ne "$COUNT" ] \
    || [ "${first##*-}" != 00001 ] || [ "${last##*-}" != "$want_last" ] || [ "$files" -ne "$FILES" ] \
    || [ "$keys" -ne "$FILES" ] || [ "$blobs" -ne "$FILES" ] || [ "$disk" -ne "$FILES" ]; then
    echo "  $label: CHECKS FAILED (want $COUNT applications …-00001 … …-$want_last, $FILES files, keys, blobs and files on disk)"
    echo "  server log, last lines:"; tail -5 "$data.serve.log" | sed 's/^/    /'
    FAILED="$FAILED $label"
  else
    echo "  $label: all checks passed"
  fi
  rm -rf "$data"
}

if [ "${ONLY:-}" != postgres ]; then PGURL= bench SQLite; fi
if [ "${ONLY:-}" != sqlite ]; then
  psql "$PG" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
  PGURL=${PG%/*}/$DB
  bench PostgreSQL --database-url "$PGURL"
  psql "$PG" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
fi
if [ -n "$FAILED" ]; then echo "FAILED:$FAILED" >&2; exit 1; fi
