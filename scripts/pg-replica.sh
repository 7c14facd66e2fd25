#!/usr/bin/env bash
# A real streaming replica for the replica tests: a primary made with initdb on one port and a
# standby of it made with pg_basebackup on another, both in WORK, both run as the postgres user.
# The machine's own cluster is not touched.
#
#   scripts/pg-replica.sh start   # prints the two URLs to export
#   scripts/pg-replica.sh stop
#
# Env: QINGDAN_REPLICA_DIR (default /tmp/qingdan-replica), PRIMARY_PORT (5441), STANDBY_PORT (5442).
set -euo pipefail

WORK=${QINGDAN_REPLICA_DIR:-/tmp/qingdan-replica}
PRIMARY_PORT=${PRIMARY_PORT:-5441}
STANDBY_PORT=${STANDBY_PORT:-5442}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
# From / : the postgres user may not enter the caller's directory.
as_postgres() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

stop() {
  for d in standby primary; do
    if [ -f "$WORK/$d/postmaster.pid" ]; then as_postgres "$bin/pg_ctl" -D "$WORK/$d" -m fast -w stop >/dev/null || true; fi
  done
  rm -rf "$WORK"
}

start() {
  stop
  mkdir -p "$WORK"
  chown postgres: "$WORK" 2>/dev/null || true
  as_postgres "$bin/initdb" -D "$WORK/primary" -A trust -U postgres -E UTF8 >"$WORK/initdb.log"
  cat >>"$WORK/primary/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
wal_level = replica
max_wal_senders = 4
fsync = off
CONF
  cat >"$WORK/primary/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
  as_postgres "$bin/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
  # The standby: a base backup of the running primary, streaming from it (-R writes
  # standby.signal and primary_conninfo).
  as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$WORK/standby" -R -X stream
  echo "port = $STANDBY_PORT" >>"$WORK/standby/postgresql.auto.conf"
  as_postgres "$bin/pg_ctl" -D "$WORK/standby" -l "$WORK/standby.log" -w start >/dev/null
  for _ in $(seq 1 50); do
    if [ "$(psql -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]; then
      streaming=$(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
      if [ "$streaming" = 1 ]; then
        echo "QINGDAN_TEST_REPLICA_PRIMARY=postgres://postgres@127.0.0.1:$PRIMARY_PORT/postgres"
        echo "QINGDAN_TEST_REPLICA=postgres://postgres@127.0.0.1:$STANDBY_PORT/postgres"
        return 0
      fi
    fi
    sleep 0.2
  done
  echo "the standby did not start streaming; see $WORK/standby.log" >&2
  tail -n 20 "$WORK/standby.log" >&2 || true
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
