#!/usr/bin/env bash
# Benchmarks that print ratios (performance targets live here, not in tests).
#   1. import of the bundled demo set vs `psql \copy` of the same rows into
#      plain text tables (goal: ratio ≤ 1.5);
#   2. Go benchmarks of the API and pages (p50/p99 reported by the benchmarks);
#   3. wrk throughput of an establishment page vs nginx serving it statically;
#   4. memory under a crawl of random uncached URLs (goal: RSS ≤ 300 MiB
#      after 60 s at 32 connections).
# Usage: DATABASE_URL=postgres://…/postgres scripts/bench.sh [import|go|site|crawl|all]
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${DATABASE_URL:?DATABASE_URL (server to create the bench databases on)}
WHAT=${1:-all}
srv=${BASE%/*}
go build -o bin/vitrine ./cmd/vitrine

fresh() { # $1 = db name
  psql "$srv/postgres" -qc "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }

bench_import() {
  local files=(testdata/demo/*.gz)
  if compgen -G "testdata/demo/synthetic/*.gz" >/dev/null; then files+=(testdata/demo/synthetic/*.gz); fi
  # --- vitrine import (parse, validate, COPY to staging, upsert, one transaction)
  fresh vitrine_bench_import
  DATABASE_URL="$srv/vitrine_bench_import" bin/vitrine migrate
  local t0 t1 rows
  t0=$(now)
  DATABASE_URL="$srv/vitrine_bench_import" bin/vitrine import "${files[@]}" > /tmp/vitrine_bench_import.txt
  t1=$(now)
  local tv; tv=$(calc "$t1 - $t0")
  rows=$(psql "$srv/vitrine_bench_import" -Atc "select sum(rows_read) from import_files")
  # --- psql \copy of the same CSV rows into plain text tables
  fresh vitrine_bench_copy
  local tmp; tmp=$(mktemp -d)
  local sql="$tmp/copy.sql" n=0
  : > "$sql"
  for f in "${files[@]}"; do
    case "$f" in *.json.gz) continue;; esac   # JSON has no \copy equivalent
    n=$((n+1))
    gunzip -c "$f" > "$tmp/$n.csv"
    local head enc="UTF8" quote=""
    head=$(head -1 "$tmp/$n.csv" | tr -d '\r' | sed 's/^\xEF\xBB\xBF//')
    if ! head -c 200000 "$tmp/$n.csv" | iconv -f utf-8 -t utf-8 >/dev/null 2>&1; then enc="WIN1252"; fi
    # files written without quoting may hold bare quotes: disable quoting for them
    case "$head" in \"*) quote="";; *) quote=", QUOTE E'\\x01'";; esac
    local ncol; ncol=$(awk -F';' '{print NF; exit}' <<<"$head")
    local cols=""; for i in $(seq 1 "$ncol"); do cols="$cols${cols:+,}c$i text"; done
    echo "CREATE TABLE t$n ($cols);" >> "$sql"
    echo "\\copy t$n FROM '$tmp/$n.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING '$enc'$quote)" >> "$sql"
  done
  t0=$(now)
  psql "$srv/vitrine_bench_copy" -v ON_ERROR_STOP=1 -q -1 -f "$sql" >/dev/null
  t1=$(now)
  local tc; tc=$(calc "$t1 - $t0")
  rm -rf "$tmp"
  printf 'import of the demo set: %d rows in %.2f s = %.0f rows/s\n' "$rows" "$tv" "$(calc "$rows / $tv")"
  printf 'psql \\copy of the same CSV rows into text tables: %.2f s\n' "$tc"
  printf 'ratio import / \\copy = %.2f (goal ≤ 1.5)\n' "$(calc "$tv / $tc")"
  psql "$srv/postgres" -qc "DROP DATABASE vitrine_bench_copy" -c "DROP DATABASE vitrine_bench_import" >/dev/null
}

bench_go() {
  DATABASE_URL="$BASE" go test -run '^$' -bench . -benchtime 2000x ./web/ ./search/ ./internal/... 2>/dev/null | grep -E '^(Benchmark|ok|PASS)|p50|p99' || true
}

# 3. throughput of an establishment page under wrk on loopback, against
#    nginx serving the same HTML as a static file (goal: ratio ≥ 0.5).
#    Needs nginx and wrk (Debian packages; for this benchmark only).
bench_site() {
  command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "site: nginx and wrk needed (apt-get install -y nginx wrk)"; return 0; }
  local page=${BENCH_PAGE:-/etablissements/0010001W} port=${BENCH_PORT:-18181} nport=$(( ${BENCH_PORT:-18181} + 1 ))
  local tmp; tmp=$(mktemp -d)
  fresh vitrine_bench_site
  DATABASE_URL="$srv/vitrine_bench_site" ADDR="127.0.0.1:$port" INDEX_DIR="$tmp/index" bin/vitrine demo >"$tmp/vitrine.log" 2>&1 &
  local vpid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 1; done
  mkdir -p "$tmp/www$(dirname "$page")"
  curl -fs "http://127.0.0.1:$port$page" -o "$tmp/www$page.html"
  cat >"$tmp/nginx.conf" <<NGINX
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
    location / { default_type "text/html; charset=utf-8"; try_files \$uri.html =404; }
  }
}
NGINX
  nginx -c "$tmp/nginx.conf" -p "$tmp" -g 'daemon off;' &
  local npid=$!
  sleep 1
  local d=${BENCH_DURATION:-10s} c=${BENCH_CONNECTIONS:-32}
  wrk -t2 -c"$c" -d2s "http://127.0.0.1:$port$page" >/dev/null   # warm-up
  local rv rn
  rv=$(wrk -t2 -c"$c" -d"$d" --latency "http://127.0.0.1:$port$page" | tee "$tmp/wrk-vitrine.txt" | awk '/Requests\/sec/ {print $2}')
  rn=$(wrk -t2 -c"$c" -d"$d" --latency "http://127.0.0.1:$nport$page" | tee "$tmp/wrk-nginx.txt" | awk '/Requests\/sec/ {print $2}')
  printf 'page %s (%d bytes): vitrine %.0f req/s, nginx (static file) %.0f req/s, ratio %.2f (goal ≥ 0.5)\n' \
    "$page" "$(wc -c <"$tmp/www$page.html")" "$rv" "$rn" "$(calc "$rv / $rn")"
  grep -E '^ +(50|99)%' "$tmp/wrk-vitrine.txt" | sed 's/^/  vitrine latency /'
  grep -E '^ +(50|99)%' "$tmp/wrk-nginx.txt" | sed 's/^/  nginx latency /'
  kill "$npid" "$vpid" 2>/dev/null; wait "$npid" "$vpid" 2>/dev/null || true
  psql "$srv/postgres" -qc "DROP DATABASE vitrine_bench_site" >/dev/null
  rm -rf "$tmp"
}

# 4. RSS of `vitrine demo` under wrk requesting random URLs nobody asked
#    before: every page of the sitemap, searches of random words, random
#    page numbers and sort keys, unknown parameters (which must not make
#    cache entries). Prints the RSS at start, every 10 s and the peak.
bench_crawl() {
  command -v wrk >/dev/null || { echo "crawl: wrk needed (apt-get install -y wrk)"; return 0; }
  local port=${BENCH_PORT:-18183} tmp; tmp=$(mktemp -d)
  local d=${BENCH_DURATION:-60} c=${BENCH_CONNECTIONS:-32}
  fresh vitrine_bench_crawl
  DATABASE_URL="$srv/vitrine_bench_crawl" ADDR="127.0.0.1:$port" INDEX_DIR="$tmp/index" ACCESS_LOG=false RATE_LIMIT=0 \
    bin/vitrine demo >"$tmp/vitrine.log" 2>&1 &
  local vpid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$port/recherche?q=lycee" >/dev/null 2>&1 && break; sleep 1; done
  curl -fs "http://127.0.0.1:$port/sitemap.xml" | grep -o '<loc>[^<]*' | sed 's#<loc>http://[^/]*##' > "$tmp/paths.txt"
  cat > "$tmp/crawl.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("CRAWL_PATHS")) do paths[#paths + 1] = line end
local words = {"lycee", "cap", "bac", "pro", "bts", "rennes", "lyon", "commerce", "cuisine", "agricole", "metiers", "vente"}
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local function rnd() return tostring(math.random(1, 1000000000)) end
request = function()
  local r = math.random(1, 6)
  local p
  if r == 1 then
    p = "/recherche?q=" .. words[math.random(#words)] .. "+" .. rnd() .. "&page=" .. math.random(1, 50)
  elseif r == 2 then
    p = "/api/v1/recherche?q=" .. words[math.random(#words)] .. "&page=" .. rnd()
  elseif r == 3 then
    p = paths[math.random(#paths)] .. "?utm_source=" .. rnd() .. "&x" .. rnd() .. "=1"
  elseif r == 4 then
    p = paths[math.random(#paths)] .. "?page=" .. math.random(1, 100) .. "&tri=" .. rnd()
  else
    p = paths[math.random(#paths)]
  end
  return wrk.format("GET", p, {["Accept-Encoding"] = (math.random(2) == 1) and "br" or "gzip"})
end
LUA
  rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$vpid/status"; }
  local start_rss peak=0 r; start_rss=$(rss)
  echo "crawl: $(wc -l < "$tmp/paths.txt") sitemap URLs, $c connections, ${d} s; RSS at start ${start_rss} MiB"
  CRAWL_PATHS="$tmp/paths.txt" wrk -t2 -c"$c" -d"${d}s" -s "$tmp/crawl.lua" "http://127.0.0.1:$port" > "$tmp/wrk.txt" &
  local wpid=$! t=0
  while kill -0 "$wpid" 2>/dev/null; do
    sleep 1; t=$((t+1)); r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
    [ $((t % 10)) = 0 ] && echo "  t=${t}s RSS ${r} MiB"
  done
  wait "$wpid" || true
  grep -E 'Requests/sec|Non-2xx|Socket errors' "$tmp/wrk.txt" | sed 's/^/  /'
  printf 'crawl: RSS after %s s %s MiB, peak %s MiB (goal ≤ 300 MiB)\n' "$d" "$(rss)" "$peak"
  kill "$vpid" 2>/dev/null; wait "$vpid" 2>/dev/null || true
  psql "$srv/postgres" -qc "DROP DATABASE vitrine_bench_crawl" >/dev/null
  rm -rf "$tmp"
}

case "$WHAT" in
  import) bench_import ;;
  go) bench_go ;;
  site) bench_site ;;
  crawl) bench_crawl ;;
  all) bench_import; bench_go; bench_site; bench_crawl ;;
esac
