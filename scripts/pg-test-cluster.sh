#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for tests and benchmarks, all of its state in one folder.
# Installs Debian's postgresql-15 when no server is present. Prints the connection URL.
#   scripts/pg-test-cluster.sh         start (idempotent)
#   scripts/pg-test-cluster.sh stop    stop
#   scripts/pg-test-cluster.sh destroy stop and remove its data folder
set -euo pipefail
PGPORT="${PGPORT:-54329}"
# As root the server runs as the postgres user, which may not enter the checkout (a private temp
# dir, a home folder): keep its data under /tmp then.
if [ "$(id -u)" = 0 ]; then
  PGDATA_DIR="${PGDATA_DIR:-/tmp/stripe-conversions-pg-$PGPORT}"
else
  PGDATA_DIR="${PGDATA_DIR:-$PWD/.pgdata}"
fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true; }
PGBIN="$(find_bin)"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/postgres" ]; then
  if [ "$(id -u)" != 0 ]; then echo "PostgreSQL is not installed and this is not root: apt-get install postgresql-15" >&2; exit 1; fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15) >&2
  PGBIN="$(find_bin)"
fi

as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

if [ "${1:-}" = stop ] || [ "${1:-}" = destroy ]; then
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
  # Only a folder this script made (it holds PG_VERSION) is removed.
  if [ "$1" = destroy ] && [ -f "$PGDATA_DIR/PG_VERSION" ]; then rm -rf "$PGDATA_DIR"; fi
  exit 0
fi

# A server already answering on the port (started earlier, from another checkout) is reused.
if "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null; then
  echo "postgres://postgres@127.0.0.1:$PGPORT/postgres"
  exit 0
fi

mkdir -p "$PGDATA_DIR"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA_DIR"; chmod 700 "$PGDATA_DIR"; fi
if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
  as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
  # fsync off: a test cluster trades durability for speed; never use these settings for real data.
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -w -t 30 -l "$PGDATA_DIR/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA_DIR -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
fi
"$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q
echo "postgres://postgres@127.0.0.1:$PGPORT/postgres"
