#!/usr/bin/env bash
# Prints a DATABASE_URL for a PostgreSQL server that answers, in this order:
#   1. $DATABASE_URL when set;
#   2. postgres://…@127.0.0.1:5432/$DB when a server answers there (the
#      database is created if missing);
#   3. a private cluster under ./var/postgres started with the system's
#      binaries (initdb, pg_ctl), installing Debian's postgresql package when
#      they are absent and we are root.
# Usage: scripts/db.sh [DBNAME]   (default: vitrine). Messages go to stderr.
set -euo pipefail
DB=${1:-vitrine}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "db.sh: $*" >&2; }

if [ -n "${DATABASE_URL:-}" ]; then
  echo "$DATABASE_URL"; exit 0
fi

have() { command -v "$1" >/dev/null 2>&1; }

# psql may be missing on a fresh machine: use the Go tool when it is.
answers() { # $1 = url
  if have psql; then psql "$1" -Atqc 'select 1' >/dev/null 2>&1; else
    (echo > /dev/tcp/127.0.0.1/"$2") >/dev/null 2>&1; fi
}

SYSPORT=${VITRINE_SYSTEM_PG_PORT:-5432}
for user in postgres root "$(id -un)"; do
  url="postgres://$user@127.0.0.1:$SYSPORT"
  if answers "$url/postgres" "$SYSPORT"; then
    if have psql; then
      psql "$url/postgres" -Atqc "select 1 from pg_database where datname='$DB'" | grep -q 1 ||
        psql "$url/postgres" -qc "create database $DB" >/dev/null
    fi
    echo "$url/$DB"; exit 0
  fi
done

# 3. private cluster
PGBIN=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PGBIN=$d; done
if [ -z "$PGBIN" ] && have initdb; then PGBIN=$(dirname "$(command -v initdb)"); fi
if [ -z "$PGBIN" ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    log "PostgreSQL absent : installation du paquet Debian postgresql"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PGBIN=$d; done
  fi
fi
if [ -z "$PGBIN" ]; then
  log "PostgreSQL introuvable : installez-le (Debian : sudo apt-get install postgresql) ou définissez DATABASE_URL."
  exit 1
fi

DATA="$ROOT/var/postgres"
PORT=${VITRINE_PG_PORT:-54329}
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  id postgres >/dev/null 2>&1 || useradd -r -m postgres
  RUNAS=(runuser -u postgres --)
fi
mkdir -p "$DATA"
if [ "$(id -u)" = 0 ]; then chown -R postgres "$ROOT/var/postgres"; chmod 700 "$DATA"; fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  log "création d'un cluster PostgreSQL privé dans $DATA"
  "${RUNAS[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2 ||
    "${RUNAS[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C >&2
fi
if ! "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "démarrage de PostgreSQL sur le port $PORT"
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1" start >&2
fi
url="postgres://postgres@127.0.0.1:$PORT"
"$PGBIN/psql" "$url/postgres" -Atqc "select 1 from pg_database where datname='$DB'" | grep -q 1 ||
  "$PGBIN/psql" "$url/postgres" -qc "create database $DB" >/dev/null
echo "$url/$DB"
