#!/usr/bin/env bash
# Import benchmark, in one run, printing ratios (the targets of issue 13 live
# here, not in tests):
#   - `vitrine import` of the full demo (testdata/demo + synthetic) at 1×, 2×
#     and 4× its establishment × formation rows (`vitrine gen --scale N`):
#     seconds, rows/s, peak RSS (/usr/bin/time -v), database size;
#   - the no-op re-import of the same files (« déjà importé, inchangé »);
#   - at 1× and 4×: `psql -1 -f` of a `pg_dump --data-only` of the imported
#     database into a freshly migrated one (the project's own indexed
#     tables), and `\copy` of the CSV rows into unindexed text tables.
# Imports and restores are run BENCH_REPEAT times (default 3), alternated,
# and their medians compared: on a shared machine one run of either moved
# by ±20 %.
# Targets: import ≤ 1.5× the indexed restore at 1× and 4×, rows/s at 4×
# within 20 % of 1×, no-op re-import ≤ 0.5 s, peak RSS ≤ 256 MiB at 4×.
# Usage: DATABASE_URL=postgres://…/postgres scripts/bench-import.sh
#   (databases vitrine_bench_imp_* are created and dropped on that server;
#    BENCH_SCALES="1 2 4" to change the factors)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${DATABASE_URL:?DATABASE_URL (server to create the bench databases on)}
srv=${BASE%/*}
SCALES=${BENCH_SCALES:-1 2 4}
command -v /usr/bin/time >/dev/null || { echo "bench-import: /usr/bin/time needed (Debian package time)"; exit 1; }
go build -o bin/vitrine ./cmd/vitrine
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.2f\", $* }"; }
fresh() { psql "$srv/postgres" -qc "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
drop() { psql "$srv/postgres" -qc "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS $1" >/dev/null; }

files_of() { # $1 = scale: the files of the demo at that scale
  echo testdata/demo/*.gz testdata/demo/synthetic/*.gz
  if [ "$1" -gt 1 ]; then echo "$tmp/x$1"/*.gz; fi
}

# \copy of every CSV file's rows into a text table of its own (no index).
copy_text() { # $1 = db, files...
  local db=$1 n=0 sql="$tmp/copy.sql"; shift
  : > "$sql"
  for f in "$@"; do
    case "$f" in *.json.gz) continue;; esac   # JSON has no \copy equivalent
    n=$((n+1))
    gunzip -c "$f" > "$tmp/c$n.csv"
    local head enc="UTF8" quote=""
    head=$(head -1 "$tmp/c$n.csv" | tr -d '\r' | sed 's/^\xEF\xBB\xBF//')
    if ! head -c 200000 "$tmp/c$n.csv" | iconv -f utf-8 -t utf-8 >/dev/null 2>&1; then enc="WIN1252"; fi
    # files written without quoting may hold bare quotes: disable quoting for them
    case "$head" in \"*) quote="";; *) quote=", QUOTE E'\\x01'";; esac
    local ncol cols="" i; ncol=$(awk -F';' '{print NF; exit}' <<<"$head")
    for i in $(seq 1 "$ncol"); do cols="$cols${cols:+,}c$i text"; done
    echo "CREATE TABLE t$n ($cols);" >> "$sql"
    echo "\\copy t$n FROM '$tmp/c$n.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING '$enc'$quote)" >> "$sql"
  done
  local t0 t1; t0=$(now)
  psql "$srv/$db" -v ON_ERROR_STOP=1 -q -1 -f "$sql" >/dev/null
  t1=$(now)
  rm -f "$tmp"/c*.csv
  calc "$t1 - $t0"
}

echo "# import benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU, $(uname -sr), $(psql "$srv/postgres" -Atc 'SHOW server_version')"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared: compare ratios of this run)"
for s in $SCALES; do
  if [ "$s" -gt 1 ]; then bin/vitrine gen --scale "$s" --out "$tmp/x$s" >/dev/null; fi
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# one timed import of the files of scale $1 into a fresh database $2
import_once() {
  local db=$2 t0 t1
  fresh "$db"
  DATABASE_URL="$srv/$db" bin/vitrine migrate >/dev/null
  # each timed step starts after a checkpoint: no earlier step's dirty pages
  # are written during it
  psql "$srv/$db" -qc CHECKPOINT
  # shellcheck disable=SC2046
  set -- $(files_of "$1")
  t0=$(now)
  DATABASE_URL="$srv/$db" /usr/bin/time -v bin/vitrine import "$@" > "$tmp/import.txt" 2> "$tmp/time.txt"
  t1=$(now)
  calc "$t1 - $t0"
}
# one timed restore of $tmp/dump.sql into a fresh, migrated database $1
restore_once() {
  fresh "$1"
  DATABASE_URL="$srv/$1" bin/vitrine migrate >/dev/null
  psql "$srv/$1" -qc CHECKPOINT
  local t0 t1
  t0=$(now)
  psql "$srv/$1" -v ON_ERROR_STOP=1 -q -1 -f "$tmp/dump.sql" >/dev/null
  t1=$(now)
  drop "$1"
  calc "$t1 - $t0"
}
REPEAT=${BENCH_REPEAT:-3}
echo "# each import and restore is run $REPEAT times (BENCH_REPEAT), alternated; medians"
declare -A RPS
for s in $SCALES; do
  db=vitrine_bench_imp_x$s
  ti=$(import_once "$s" "$db")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$tmp/time.txt")
  rows=$(psql "$srv/$db" -Atc "SELECT sum(rows_read) FROM import_files")
  size=$(psql "$srv/$db" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")
  # shellcheck disable=SC2046
  set -- $(files_of "$s")
  t0=$(now)
  DATABASE_URL="$srv/$db" bin/vitrine import "$@" > "$tmp/noop.txt"
  t1=$(now)
  tn=$(calc "$t1 - $t0")
  grep -q "déjà importé" "$tmp/noop.txt" || echo "  (warning: the re-import skipped no file)"
  restore=false
  if [ "$s" = 1 ] || [ "$s" = "${SCALES##* }" ]; then restore=true; fi
  imports="$ti" restores=""
  if $restore; then
    # the same rows restored into the project's own freshly migrated, indexed tables
    # (its warning about the circular keys of signalements, empty here, is not shown)
    pg_dump --data-only --exclude-table=goose_db_version "$srv/$db" > "$tmp/dump.sql" 2> "$tmp/pg_dump.err" || { cat "$tmp/pg_dump.err"; exit 1; }
    restores=$(restore_once "${db}_restore")
  fi
  drop "$db"
  for _ in $(seq 2 "$REPEAT"); do
    imports="$imports $(import_once "$s" "$db")"
    drop "$db"
    if $restore; then restores="$restores $(restore_once "${db}_restore")"; fi
  done
  ti=$(echo "$imports" | median)
  RPS[$s]=$(calc "$rows / $ti")
  printf '%s×: %d rows imported in %s s (median of %s) = %s rows/s; peak RSS %s MiB; database %s; no-op re-import %s s\n' \
    "$s" "$rows" "$ti" "$imports" "${RPS[$s]}" "$rss" "$size" "$tn"
  if $restore; then
    tr=$(echo "$restores" | median)
    rm -f "$tmp/dump.sql"
    fresh "${db}_text"
    # shellcheck disable=SC2046
    tt=$(copy_text "${db}_text" $(files_of "$s"))
    drop "${db}_text"
    printf '  pg_dump --data-only restored by psql -1 -f into indexed tables: %s s (median of %s) → import / restore = %s (goal ≤ 1.5)\n' "$tr" "$restores" "$(calc "$ti / $tr")"
    printf '  \\copy of the CSV rows into unindexed text tables: %s s → import / \\copy text = %s\n' "$tt" "$(calc "$ti / $tt")"
  fi
done
first=${SCALES%% *}; last=${SCALES##* }
printf 'rows/s at %s× / at %s× = %s (goal ≥ 0.8: within 20 %%)\n' "$last" "$first" "$(calc "${RPS[$last]} / ${RPS[$first]}")"
