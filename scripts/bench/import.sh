#!/usr/bin/env bash
# Import benchmark (issue #3): the generated registry CSV imported by `ipfin import enterprises`
# into SQLite and PostgreSQL, next to each database's raw loader (sqlite3 .import, psql \copy)
# on the same file into an equivalent table with the same indexes. Prints rows/s and peak RSS.
#   usage: scripts/bench/import.sh [rows (default 2000000)] [postgres admin url]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-2000000}
PG=${2:-postgres://postgres@127.0.0.1:5432/postgres}
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3"; exit 1; }
cargo build --release -q
BIN=$PWD/target/release/ipfin
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; psql "$PG" -qc "DROP DATABASE IF EXISTS ipfin_bench_import WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
"$BIN" demo --scale city --count "$N" --csv "$WORK" >/dev/null
CSV=$WORK/enterprises.csv
echo "ipfin import benchmark — $N rows, $(du -h "$CSV" | cut -f1) CSV, $(nproc) cores"

measure() { # label, command...
  local label=$1; shift
  local start end rss
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" > "$WORK/out" 2>&1 || { cat "$WORK/out"; return 1; }
  end=$(date +%s.%N)
  rss=$(cat "$WORK/rss")
  awk -v l="$label" -v n="$N" -v s="$start" -v e="$end" -v r="$rss" \
    'BEGIN { t = e - s; printf "%-44s %8.1f s  %10.0f rows/s  peak RSS %5.0f MB\n", l, t, n / t, r / 1024 }'
}

# SQLite: ipfin (full validation, name index) vs sqlite3 .import into the same table shape.
"$BIN" --data-dir "$WORK/sqlite" demo >/dev/null
measure "ipfin import → SQLite" "$BIN" --data-dir "$WORK/sqlite" import enterprises "$CSV"
cat > "$WORK/raw.sql" <<SQL
CREATE TABLE raw (credit_code TEXT NOT NULL, name TEXT NOT NULL, registered_district TEXT, tax_district TEXT,
  independent_legal_person TEXT, industry TEXT, employees TEXT, operating_revenue TEXT, total_assets TEXT, consent TEXT);
CREATE UNIQUE INDEX ux_raw_code ON raw (credit_code);
CREATE INDEX ix_raw_district ON raw (registered_district);
.mode csv
.import --skip 1 $CSV raw
SQL
measure "sqlite3 .import (no name index)" sqlite3 "$WORK/raw.db" ".read $WORK/raw.sql"
# The same, plus a name substring index of the same kind as ipfin's: a contentless FTS5 n-gram
# table (the built-in trigram tokenizer, as the CLI cannot compute ipfin's bigram tokens) fed
# by a trigger.
sed 's/^\.mode csv$/CREATE VIRTUAL TABLE raw_name USING fts5(name, content='"''"', detail=none, tokenize='"'trigram'"');\
CREATE TRIGGER raw_name_ai AFTER INSERT ON raw BEGIN INSERT INTO raw_name(rowid, name) VALUES (new.rowid, new.name); END;\
.mode csv/' "$WORK/raw.sql" > "$WORK/raw_named.sql"
grep -q raw_name_ai "$WORK/raw_named.sql"
measure "sqlite3 .import (with a name n-gram index)" sqlite3 "$WORK/raw_named.db" ".read $WORK/raw_named.sql"

# PostgreSQL: ipfin vs psql \copy.
psql "$PG" -qc "DROP DATABASE IF EXISTS ipfin_bench_import WITH (FORCE)" -c "CREATE DATABASE ipfin_bench_import" >/dev/null
DB=${PG%/*}/ipfin_bench_import
"$BIN" --database-url "$DB" --data-dir "$WORK/pg" demo >/dev/null
measure "ipfin import → PostgreSQL" "$BIN" --database-url "$DB" --data-dir "$WORK/pg" import enterprises "$CSV"
psql "$DB" -qc "CREATE TABLE raw (credit_code text NOT NULL, name text NOT NULL, registered_district text, tax_district text,
  independent_legal_person text, industry text, employees text, operating_revenue text, total_assets text, consent text);
  CREATE UNIQUE INDEX ux_raw_code ON raw (credit_code); CREATE INDEX ix_raw_district ON raw (registered_district);" >/dev/null
measure "psql copy (no name index)" psql "$DB" -qc "\\copy raw FROM '$CSV' WITH (FORMAT csv, HEADER true)"
# The same, plus a name bigram GIN index like ipfin's (computed by an SQL function, as the raw
# file carries no bigram column).
psql "$DB" -q <<'SQL' >/dev/null
TRUNCATE raw;
CREATE FUNCTION name_bigrams(t text) RETURNS text[] IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}') FROM generate_series(1, char_length(t) - 1) AS i $$;
CREATE INDEX ix_raw_name ON raw USING gin (name_bigrams(name));
SQL
measure "psql copy (with a name bigram GIN index)" psql "$DB" -qc "\\copy raw FROM '$CSV' WITH (FORMAT csv, HEADER true)"
