#!/bin/sh
# snapshot.sh OUT_DIR [REV] — the JSON API answers and a sample of the
# exports of the demo data, to compare two versions of the code byte for
# byte:
#
#   scripts/snapshot.sh /tmp/snap-before main   # a commit (git archive)
#   scripts/snapshot.sh /tmp/snap-after         # the working tree
#   diff -r /tmp/snap-before /tmp/snap-after
#
# It builds the binary (of REV, else of the working tree), (re)creates the database
# $SNAP_DB (default vitrine_snapshot) on $SNAP_SERVER (default
# postgres://postgres@127.0.0.1:5432), runs `vitrine demo` there (migrations
# + demo data), then dumps:
#   api/etablissements/UAI.json        every UAI with a figure (sitemap)
#   api/formations/CODE.json           every formation code with a figure
#   api/paires/UAI_CODE.json           every 40th establishment × formation pair
#   api/regions/CODE.json              every région
#   export/*.csv, export/*.xlsx.d/     CSV and XLSX (sheets unzipped) of a sample of pages
#   html/*.html                        HTML of the same sample, CSP nonces blanked
# (the dates of the import runs are blanked in the exports and the HTML)
# Non-200 answers are kept too (status on the first line of *.status).
set -eu

out=${1:?usage: scripts/snapshot.sh OUT_DIR [REV]}
rev=${2:-}
server=${SNAP_SERVER:-postgres://postgres@127.0.0.1:5432}
db=${SNAP_DB:-vitrine_snapshot}
port=${SNAP_PORT:-18089}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pid=

cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

rm -rf "$out"
mkdir -p "$out/api/etablissements" "$out/api/formations" "$out/api/paires" "$out/api/regions" "$out/export" "$out/html"

src=$root
if [ -n "$rev" ]; then
	src=$tmp/src
	mkdir -p "$src"
	git -C "$root" archive "$rev" | tar -x -C "$src"
fi
(cd "$src" && go build -o "$tmp/vitrine" ./cmd/vitrine)
psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
url="$server/$db"

DATABASE_URL=$url ADDR=127.0.0.1:$port DEMO_DIR="$src/testdata/demo" INDEX_DIR="$tmp/index" \
	"$tmp/vitrine" demo >"$tmp/server.log" 2>&1 &
pid=$!
i=0
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 900 ] || ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/server.log" >&2; echo "server did not start" >&2; exit 1; fi
	sleep 1
done

q() { psql -qAt "$url" -c "$1"; }

# fetch URL FILE: body to FILE, status to FILE.status when not 200.
fetch() {
	code=$(curl -sS -o "$2" -w '%{http_code}' -H 'Accept: application/json' "http://127.0.0.1:$port$1")
	if [ "$code" != 200 ]; then echo "$code $1" >"$2.status"; fi
}

q "SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation UNION SELECT uai FROM insersup ORDER BY 1" >"$tmp/uais"
q "SELECT coalesce(cfd, code) FROM ij_region_formation UNION SELECT code FROM ij_region_formation
   UNION SELECT coalesce(cfd, code) FROM ij_uai_formation UNION SELECT code FROM ij_uai_formation
   UNION SELECT sise FROM insersup ORDER BY 1" >"$tmp/formations"
q "SELECT uai || ' ' || code FROM (SELECT DISTINCT uai, code FROM ij_uai_formation UNION SELECT DISTINCT uai, sise FROM insersup) p
   ORDER BY md5(uai || code)" | awk 'NR % 40 == 1' >"$tmp/pairs"
q "SELECT DISTINCT region_code FROM departements WHERE region_code IS NOT NULL UNION SELECT '99' ORDER BY 1" >"$tmp/regions"

while read -r u; do fetch "/api/v1/etablissements/$u" "$out/api/etablissements/$u.json"; done <"$tmp/uais"
while read -r c; do fetch "/api/v1/formations/$c" "$out/api/formations/$c.json"; done <"$tmp/formations"
while read -r u c; do fetch "/api/v1/etablissements/$u/formations/$c" "$out/api/paires/${u}_$c.json"; done <"$tmp/pairs"
while read -r r; do fetch "/api/v1/regions/$r" "$out/api/regions/$r.json"; done <"$tmp/regions"

# A sample of pages: establishments, formations, pairs, régions, académies.
# The dates of the import runs (« 1 décembre 2026 à 22h07 ») are blanked.
undate='s/[0-9]{1,2}(er)? [a-zéû]+ [0-9]{4} à [0-9]{2}h[0-9]{2}/DATE/g'
{
	awk 'NR % 40 == 1 { print "/etablissements/" $1 }' "$tmp/uais"
	awk 'NR % 25 == 1 { print "/formations/" $1 }' "$tmp/formations"
	awk 'NR % 8 == 1 { print "/etablissements/" $1 "/formations/" $2 }' "$tmp/pairs"
	awk '$1 != "99" { print "/regions/" $1 }' "$tmp/regions"
	q "SELECT DISTINCT '/academies/' || academie_code FROM departements WHERE academie_code IS NOT NULL ORDER BY 1"
	echo /a-propos/donnees
} >"$tmp/pages"
while read -r p; do
	name=$(echo "$p" | tr '/' '_' | sed 's/^_//')
	fetch "$p?format=csv" "$out/export/$name.csv"
	sed -i -E "$undate" "$out/export/$name.csv"
	fetch "$p?format=xlsx" "$tmp/x.xlsx"
	mkdir -p "$out/export/$name.xlsx.d"
	if [ -f "$tmp/x.xlsx.status" ]; then mv "$tmp/x.xlsx.status" "$out/export/$name.xlsx.d/status"; else
		(cd "$out/export/$name.xlsx.d" && unzip -qo "$tmp/x.xlsx" 'xl/*' -x 'xl/styles.xml' &&
			find xl -type f -name '*.xml' -exec sed -i -E "$undate" {} + && find xl -type f | sort >files)
	fi
	code=$(curl -sS -o "$tmp/page.html" -w '%{http_code}' "http://127.0.0.1:$port$p")
	sed -E 's/nonce="[^"]*"/nonce=""/g; s/'"'"'nonce-[^'"'"']*'"'"'/nonce/g; '"$undate" "$tmp/page.html" >"$out/html/$name.html"
	if [ "$code" != 200 ]; then echo "$code $p" >"$out/html/$name.html.status"; fi
done <"$tmp/pages"

echo "$(wc -l <"$tmp/uais") établissements, $(wc -l <"$tmp/formations") formations, $(wc -l <"$tmp/pairs") paires, $(wc -l <"$tmp/regions") régions, $(wc -l <"$tmp/pages") pages → $out"
