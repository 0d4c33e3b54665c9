#!/usr/bin/env bash
# A private PostgreSQL for tests and demos, with wal_level=logical (what Debezium's pgoutput CDC needs).
#   scripts/postgres.sh start   installs PostgreSQL from Debian packages if absent, then starts (or reuses) a cluster
#                               on 127.0.0.1:${STATEFRONT_PG_PORT:-55432} with database, user and password "statefront"
#   scripts/postgres.sh stop    stops it;   scripts/postgres.sh url   prints its JDBC URL
# The cluster lives in ${STATEFRONT_PG_DIR:-${TMPDIR:-/tmp}/statefront-pg-<port>}; nothing outside it is changed
# (besides the package install). As root, the server runs as the 'postgres' user, since PostgreSQL refuses root.
set -euo pipefail
cmd="${1:-start}"
PORT="${STATEFRONT_PG_PORT:-55432}"
DIR="${STATEFRONT_PG_DIR:-${TMPDIR:-/tmp}/statefront-pg-$PORT}"
URL="jdbc:postgresql://127.0.0.1:$PORT/statefront"

say() { echo "[postgres] $*" >&2; }

bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$d" ] && command -v pg_config >/dev/null; then d="$(pg_config --bindir)"; fi
  echo "$d"
}

install_if_missing() {
  if [ -n "$(bindir)" ] && [ -x "$(bindir)/initdb" ]; then return; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "PostgreSQL is not installed and this script can only install it as root with apt-get; install postgresql and retry"
    exit 1
  fi
  say "installing PostgreSQL (apt-get)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

as_owner() { # run a command as the cluster owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ready() { "$(bindir)/pg_isready" -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; }

psql_admin() { as_owner "$(bindir)/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }

case "$cmd" in
  start)
    install_if_missing
    B="$(bindir)"
    if ! ready; then
      if [ ! -f "$DIR/PG_VERSION" ]; then
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
        as_owner "$B/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      fi
      as_owner "$B/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start -o \
        "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20 -c fsync=off" >/dev/null \
        || { say "start failed; log:"; tail -20 "$DIR/server.log" >&2; exit 1; }
    fi
    level="$(psql_admin "SHOW wal_level")"
    if [ "$level" != logical ]; then
      say "a PostgreSQL on port $PORT runs with wal_level=$level; stop it or choose STATEFRONT_PG_PORT"; exit 1
    fi
    psql_admin "SELECT 1 FROM pg_roles WHERE rolname='statefront'" | grep -q 1 \
      || psql_admin "CREATE ROLE statefront LOGIN REPLICATION CREATEDB PASSWORD 'statefront'"
    psql_admin "SELECT 1 FROM pg_database WHERE datname='statefront'" | grep -q 1 \
      || psql_admin "CREATE DATABASE statefront OWNER statefront"
    say "ready: $URL (user statefront, password statefront, wal_level=logical, data in $DIR)"
    echo "$URL"
    ;;
  stop)
    B="$(bindir)"
    if [ -n "$B" ] && [ -f "$DIR/PG_VERSION" ]; then as_owner "$B/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true; fi
    say "stopped"
    ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
