#!/usr/bin/env bash
# Import under hostile files (issue #17 item 1): peak RSS of `ipfin import loans` importing a
# ROWS-row loans workbook (default 1,000,000) and refusing each hostile workbook, then of the
# server refusing each one uploaded on /imports by the demo bank. Target: under 300 MB each.
#   usage: scripts/bench/import_hostile.sh [rows (default 1000000)]
#   env: SERVER=0 skips the upload half; IPFIN_BENCH_PORT (18091)
# Needs python3 (standard library), sqlite3, curl and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}
PORT=${IPFIN_BENCH_PORT:-18091}
cargo build --release -q -p ipfin
BIN=$PWD/target/release/ipfin
WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
DATA=$WORK/data
"$BIN" demo --scale city --count 20000 --csv "$WORK/csv" >/dev/null
"$BIN" --data-dir "$DATA" demo > "$WORK/demo.out"
"$BIN" --data-dir "$DATA" import enterprises "$WORK/csv/enterprises.csv" >/dev/null
awk -F, 'NR > 1 { print $1 }' "$WORK/csv/enterprises.csv" > "$WORK/codes.txt"
LENDER=$(sqlite3 "$DATA/ipfin.db" "SELECT MIN(id) FROM organisations WHERE kind = 'financial_institution'")
python3 scripts/bench/hostile_files.py "$WORK/files" "$ROWS" "$WORK/codes.txt"
echo "ipfin import under hostile files — $(nproc) cores, release build, SQLite"
printf "%-22s %10s %8s %6s %11s  %s\n" case "file" seconds exit "peak RSS" outcome
measure() { # label, file
  local label=$1 file=$2 out rc
  set +e
  /usr/bin/time -v -o "$WORK/time.txt" "$BIN" --data-dir "$DATA" import loans "$file" --lender "$LENDER" \
    > "$WORK/out.txt" 2> "$WORK/err.txt"
  rc=$?
  set -e
  out=$(grep -hE "导入完成|导入被拒绝" "$WORK/out.txt" "$WORK/err.txt" | head -1 | sed 's/^Error: //' | cut -c1-150)
  printf "%-22s %10s %8s %6s %8d MB  %s\n" "$label" "$(du -h "$file" | cut -f1)" \
    "$(awk -F': ' '/Elapsed/ {print $2}' "$WORK/time.txt")" "$rc" \
    $(( $(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time.txt") / 1024 )) "$out"
}
measure "loans ($ROWS rows)" "$WORK/files/loans.xlsx"
for f in dimension_bomb huge_shared_string ratio_bomb wide_row long_cell lying_size not_a_zip; do
  measure "$f" "$WORK/files/$f.xlsx"
done

if [ "${SERVER:-1}" = 1 ]; then
  PASSWORD=$(awk '$1 == "bank.manager" { print $2 }' "$WORK/demo.out")
  "$BIN" --data-dir "$DATA" serve --listen 127.0.0.1:$PORT > "$WORK/serve.out" 2> "$WORK/serve.log" &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.05; done
  JAR=$WORK/cookies
  csrf() { curl -sf -b "$JAR" -c "$JAR" "http://127.0.0.1:$PORT$1" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | cut -d'"' -f4; }
  T=$(csrf /login)
  curl -sf -b "$JAR" -c "$JAR" -o /dev/null -d "_csrf=$T&next=/&username=bank.manager&password=$PASSWORD" "http://127.0.0.1:$PORT/login"
  echo "server: $(awk '/VmHWM/ {print $2}' /proc/$PID/status | awk '{printf "%d", $1/1024}') MB peak after start and sign-in"
  for f in dimension_bomb huge_shared_string ratio_bomb wide_row long_cell lying_size not_a_zip; do
    T=$(csrf /imports)
    code=$(curl -s -b "$JAR" -c "$JAR" -o "$WORK/upload.html" -w '%{http_code}' \
      -F "_csrf=$T" -F kind=loans -F "file=@$WORK/files/$f.xlsx" "http://127.0.0.1:$PORT/imports")
    sleep 1 # a refusal found while reading all rows is recorded by the background job
    printf "upload %-20s HTTP %s · server peak RSS so far %d MB · still answering: %s\n" "$f" "$code" \
      $(( $(awk '/VmHWM/ {print $2}' /proc/$PID/status) / 1024 )) \
      "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")"
  done
fi
