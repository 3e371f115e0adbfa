#!/usr/bin/env bash
# Page benchmarks that print ratios, in one run (issue 13; results in
# docs/PERFORMANCE.md, section Pages). On the demo data:
#   1. every page type, cached: wrk throughput of the site vs nginx serving
#      the same bytes as a static file (goal ≥ 0.8);
#   2. every page type, uncached: p50/p99 of a render (server without page
#      cache, PAGE_CACHE_MB=0; distinct URLs where the type has several;
#      goal p50 ≤ 10 ms, p99 ≤ 30 ms);
#   3. a random uncached crawl over every URL of the sitemap (goal
#      ≥ 1,000 req/s);
#   4. search: the fixed mix of testdata/bench/recherche.txt (≥ 200
#      queries), each once, vs the same queries in PostgreSQL full-text
#      search (unaccent, pg_trgm, GIN) over the same documents: p50/p99
#      and zero-result counts;
#   5. RSS of both servers after each load.
# BENCH_SCALE=N (default 1) measures 2. and 4. on the demo with N× its
# establishment × formation rows (vitrine gen --scale N); 1. and 3. are
# measured at 1× only.
# Needs nginx and wrk (Debian packages). Servers listen on BENCH_PORT
# (cached), BENCH_PORT+1 (nginx), BENCH_PORT+2 (uncached).
# Usage: DATABASE_URL=postgres://…/postgres scripts/bench-pages.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${DATABASE_URL:?DATABASE_URL (server to create the bench database on)}
srv=${BASE%/*}
db=${BENCH_DB:-vitrine_bench_pages}
port=${BENCH_PORT:-18091}
nport=$((port + 1)) uport=$((port + 2))
dur=${BENCH_DURATION:-5s} conns=${BENCH_CONNECTIONS:-32} crawl=${BENCH_CRAWL:-20s} ccrawl=${BENCH_CRAWL_CONNECTIONS:-8}
per=${BENCH_URLS:-100} # URLs per page type for the uncached render
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "pages: nginx and wrk needed (apt-get install -y nginx wrk)"; exit 1; }

calc() { awk "BEGIN { print $* }"; }
go build -o bin/vitrine ./cmd/vitrine
go build -o bin/benchpages ./scripts/benchpages
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$srv/postgres" -qc "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "# bench-pages $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(psql "$srv/postgres" -Atc 'show server_version' | cut -d' ' -f1) PostgreSQL, commit $(git rev-parse --short HEAD)"
scale=${BENCH_SCALE:-1}
echo "# data: the demo at ${scale}× its establishment × formation rows (BENCH_SCALE; vitrine gen --scale adds earlier fake millésimes)"

psql "$srv/postgres" -qc "SET client_min_messages=warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
dburl="$srv/$db"
if [ "$scale" -gt 1 ]; then
  # the demo and the scaled rows imported first; the servers then find them
  DATABASE_URL="$dburl" bin/vitrine migrate >/dev/null
  DATABASE_URL="$dburl" bin/vitrine import testdata/demo/*.gz testdata/demo/synthetic/*.gz >/dev/null
  bin/vitrine gen --scale "$scale" --out "$tmp/x$scale" >/dev/null
  DATABASE_URL="$dburl" bin/vitrine import "$tmp/x$scale"/*.gz >/dev/null
  echo "# $(psql "$dburl" -Atc "SELECT count(*) FROM ij_uai_formation") establishment × formation rows, database $(psql "$dburl" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")"
fi
start() { # $1 port, $2 page cache MB, $3 name
  DATABASE_URL="$dburl" ADDR="127.0.0.1:$1" INDEX_DIR="$tmp/index-$3" PAGE_CACHE_MB="$2" ACCESS_LOG=false RATE_LIMIT=0 \
    bin/vitrine demo >"$tmp/$3.log" 2>&1 &
  pids+=($!)
  eval "pid_$3=$!"
  for _ in $(seq 1 300); do
    if curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$1/recherche?q=lycee" >/dev/null 2>&1; then
      # the territories of the data version are prepared in the background
      # (WARM_TERRITORIES): measure once that is done, as a visitor would meet it
      for _ in $(seq 1 300); do
        grep -q "territoires préparés" "$tmp/$3.log" && { echo "# $3: $(grep -o 'territoires préparés.*' "$tmp/$3.log" | head -1)"; return 0; }
        sleep 1
      done
      echo "server $3: territories not prepared"; cat "$tmp/$3.log"; exit 1
    fi
    sleep 1
  done
  echo "server $3 not ready"; cat "$tmp/$3.log"; exit 1
}
start "$port" 96 cached
start "$uport" 0 uncached
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
report_rss() { echo "  RSS after $1: cached server $(rss "$pid_cached") MiB, uncached server $(rss "$pid_uncached") MiB"; }
report_rss "start"
q() { psql "$dburl" -Atc "$1"; }

# One URL per page type (cached throughput) and a list per type (uncached).
types=(accueil recherche api-recherche etablissement api-etablissement etab-formation api-etab-formation formation api-formation region api-region academie famille donnees)
etab=$(q "SELECT uai FROM ij_etab ORDER BY md5(uai) LIMIT 1")
pair=$(q "SELECT uai || '/formations/' || code FROM ij_uai_formation ORDER BY md5(uai || code) LIMIT 1")
form=$(q "SELECT code FROM ij_region_formation WHERE length(code) = 8 GROUP BY code ORDER BY count(*) DESC LIMIT 1")
famille=$(q "SELECT slug FROM familles_metiers GROUP BY slug ORDER BY count(*) DESC, slug LIMIT 1")
declare -A one=(
  [accueil]=/ [recherche]="/recherche?q=cuisine" [api-recherche]="/api/v1/recherche?q=cuisine"
  [etablissement]=/etablissements/$etab [api-etablissement]=/api/v1/etablissements/$etab
  [etab-formation]=/etablissements/$pair [api-etab-formation]=/api/v1/etablissements/$pair
  [formation]=/formations/$form [api-formation]=/api/v1/formations/$form
  [region]=/regions/53 [api-region]=/api/v1/regions/53 [academie]=/academies/14 [famille]=/familles-metiers/$famille [donnees]=/a-propos/donnees)
urls() { # $1 type: distinct paths, at most $per
  case $1 in
    accueil) for _ in $(seq 30); do echo /; done ;;
    donnees) for _ in $(seq 30); do echo /a-propos/donnees; done ;;
    recherche) sed -e '/^#/d' -e '/^$/d' testdata/bench/recherche.txt | head -n "$per" | jq -Rr '"/recherche?q=" + @uri' ;;
    api-recherche) sed -e '/^#/d' -e '/^$/d' testdata/bench/recherche.txt | tail -n "$per" | jq -Rr '"/api/v1/recherche?q=" + @uri' ;;
    etablissement) q "SELECT '/etablissements/' || uai FROM (SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation) u ORDER BY md5(uai) LIMIT $per" ;;
    api-etablissement) q "SELECT '/api/v1/etablissements/' || uai FROM (SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation) u ORDER BY md5(uai || 'a') LIMIT $per" ;;
    etab-formation) q "SELECT '/etablissements/' || uai || '/formations/' || code FROM (SELECT DISTINCT uai, code FROM ij_uai_formation) k ORDER BY md5(uai || code) LIMIT $per" ;;
    api-etab-formation) q "SELECT '/api/v1/etablissements/' || uai || '/formations/' || code FROM (SELECT DISTINCT uai, code FROM ij_uai_formation) k ORDER BY md5(uai || code || 'a') LIMIT $per" ;;
    formation) q "SELECT '/formations/' || code FROM (SELECT DISTINCT coalesce(cfd, code) AS code FROM ij_region_formation) c ORDER BY md5(code) LIMIT $per" ;;
    api-formation) q "SELECT '/api/v1/formations/' || code FROM (SELECT DISTINCT coalesce(cfd, code) AS code FROM ij_region_formation) c ORDER BY md5(code || 'a') LIMIT $per" ;;
    region) q "SELECT '/regions/' || code FROM regions WHERE code IN (SELECT region FROM ij_region_formation) ORDER BY code" ;;
    api-region) q "SELECT '/api/v1/regions/' || code FROM regions WHERE code IN (SELECT region FROM ij_region_formation) ORDER BY code" ;;
    academie) q "SELECT DISTINCT '/academies/' || academie_code FROM departements WHERE academie_code IS NOT NULL ORDER BY 1" ;;
    famille) q "SELECT DISTINCT '/familles-metiers/' || slug FROM familles_metiers ORDER BY 1" ;;
  esac
}

# --- 1. cached throughput vs nginx (at 1× only: the cached path does not
# depend on the size of the data)
if [ "$scale" = 1 ]; then
mkdir -p "$tmp/www"
chmod 755 "$tmp/www"
for t in "${types[@]}"; do
  curl -fs "http://127.0.0.1:$port${one[$t]}" -o "$tmp/www/$t"
  chmod 644 "$tmp/www/$t"
done
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
    location / { default_type "text/html; charset=utf-8"; }
  }
}
NGINX
nginx -c "$tmp/nginx.conf" -p "$tmp" -g 'daemon off;' 2>"$tmp/nginx.start" &
pids+=($!)
sleep 1
curl -fs "http://127.0.0.1:$nport/accueil" >/dev/null || { echo "nginx not serving"; cat "$tmp/nginx.start" "$tmp/nginx.err"; exit 1; }
rps() { wrk -t2 -c"$conns" -d"$dur" "$1" | awk '/Requests\/sec/ {print $2}'; }
echo "## 1. cached pages: wrk -t2 -c$conns -d$dur, site vs nginx serving the same bytes (goal ≥ 0.8)"
printf '  %-20s %9s %12s %12s %7s\n' type bytes site-req/s nginx-req/s ratio
for t in "${types[@]}"; do
  wrk -t2 -c"$conns" -d1s "http://127.0.0.1:$port${one[$t]}" >/dev/null # warm-up
  rv=$(rps "http://127.0.0.1:$port${one[$t]}")
  rn=$(rps "http://127.0.0.1:$nport/$t")
  printf '  %-20s %9d %12.0f %12.0f %7.2f   %s\n' "$t" "$(wc -c <"$tmp/www/$t")" "$rv" "$rn" "$(calc "$rv / $rn")" "${one[$t]}"
done
report_rss "cached throughput"
fi

# --- 2. uncached render p50/p99
echo "## 2. uncached render (server without page cache), sequential, distinct URLs (goal p50 ≤ 10 ms, p99 ≤ 30 ms)"
for t in "${types[@]}"; do
  urls "$t" > "$tmp/urls-$t"
  printf '  %-20s %s\n' "$t" "$(bin/benchpages latency "http://127.0.0.1:$uport" < "$tmp/urls-$t")"
done
report_rss "uncached renders"

# --- 3. random uncached crawl over the sitemap (at 1× only: the sitemap
# is the same at every scale)
if [ "$scale" = 1 ]; then
curl -fs "http://127.0.0.1:$uport/sitemap.xml" | grep -o '<loc>[^<]*' | sed 's#<loc>http://[^/]*##' > "$tmp/paths.txt"
cat > "$tmp/crawl.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("CRAWL_PATHS")) do paths[#paths + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
LUA
echo "## 3. random uncached crawl over the $(wc -l < "$tmp/paths.txt") sitemap URLs: wrk -t2 -c$ccrawl -d$crawl (goal ≥ 1,000 req/s)"
CRAWL_PATHS="$tmp/paths.txt" wrk -t2 -c"$ccrawl" -d"$crawl" --latency -s "$tmp/crawl.lua" "http://127.0.0.1:$uport" > "$tmp/crawl.txt" || true
awk '/Requests\/sec/ {print "  req/s " $2} / 50%/ {print "  p50 " $2} / 99%/ {print "  p99 " $2} /Non-2xx|Socket errors|timeout/ {print "  " $0}' "$tmp/crawl.txt"
report_rss "crawl"
fi

# --- 4. search vs PostgreSQL full-text search
echo "## 4. search: $(grep -cv '^#' testdata/bench/recherche.txt) queries (testdata/bench/recherche.txt), each once"
bin/benchpages pgload "$dburl" | sed 's/^/  PostgreSQL /'
site=$(bin/benchpages search "http://127.0.0.1:$uport" testdata/bench/recherche.txt)
pg=$(bin/benchpages pgsearch "$dburl" testdata/bench/recherche.txt)
echo "  site (bleve, /api/v1/recherche over HTTP) $site"
echo "  PostgreSQL FTS + trigram (in-process SQL)  $pg"
sp=$(sed -E 's/.*p99=([0-9.]+).*/\1/' <<<"$site") pp=$(sed -E 's/.*p99=([0-9.]+).*/\1/' <<<"$pg")
s5=$(sed -E 's/.*p50=([0-9.]+).*/\1/' <<<"$site") p5=$(sed -E 's/.*p50=([0-9.]+).*/\1/' <<<"$pg")
printf '  ratio PostgreSQL / site: p50 %.1f×, p99 %.1f×\n' "$(calc "$p5 / $s5")" "$(calc "$pp / $sp")"
report_rss "search"
