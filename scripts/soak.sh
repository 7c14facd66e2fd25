#!/usr/bin/env bash
# Soak: mixed reads (the README's queries) and writes (submitReport, unique summaries) at a
# fixed concurrency on loopback against the release server; zero errors expected, every
# acknowledged write readable afterwards, RSS sampled every 5 s. Prints a summary table.
#
# Usage: scripts/soak.sh [SECONDS=60] [CONCURRENCY=64] [--postgres]
#   --postgres  a fresh PostgreSQL database (PG_SOCKET_URL, default
#               postgres://postgres@localhost/DB?host=/var/run/postgresql) instead of SQLite
#   WRITE_SHARE=0.2  share of writes
#   SOAK_ARGS=--answers-of-one-size  reads without report revisions (answers that do not grow)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60 concurrency=64 backend=sqlite positional=0
for arg in "$@"; do
  case "$arg" in
    --postgres) backend=postgres ;;
    *) if [ $positional -eq 0 ]; then seconds=$arg; else concurrency=$arg; fi; positional=$((positional + 1)) ;;
  esac
done
work=$(mktemp -d)
db="qingdan_soak_$$"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$backend" = postgres ]; then psql -h /var/run/postgresql -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

venv=target/scripts-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aiohttp' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q aiohttp
fi
cargo build -q --release --bin qingdan
bin=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/qingdan

if [ "$backend" = postgres ]; then
  psql -h /var/run/postgresql -U postgres -qc "CREATE DATABASE $db" >/dev/null
  url=${PG_SOCKET_URL:-postgres://postgres@localhost}/$db?host=/var/run/postgresql
else
  url="sqlite://$work/soak.db?mode=rwc"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Rate limits off: this measures the server, not its limiter (loopback is exempt anyway).
QINGDAN_RATE_LIMIT_PER_MINUTE=0 QINGDAN_TOKEN_RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
  "$bin" serve --bind "127.0.0.1:$port" --database-url "$url" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
  kill -0 "$server_pid" || { cat "$work/server.log"; exit 1; }
  sleep 0.25
done
token=$("$bin" token create --role admin --label soak --database-url "$url" | tail -n1)

echo "== soak: ${seconds}s, concurrency $concurrency, $backend, release build, pid $server_pid"
status=0
"$venv/bin/python" scripts/soak.py --url "http://127.0.0.1:$port/graphql" --token "$token" --pid "$server_pid" \
  --seconds "$seconds" --concurrency "$concurrency" --write-share "${WRITE_SHARE:-0.2}" --label "$backend" \
  ${SOAK_ARGS:-} || status=$?
if grep -q panicked "$work/server.log"; then echo "the server panicked:"; grep -m5 panicked "$work/server.log"; status=1; fi
echo "server warnings/errors logged: $(grep -cE ' (WARN|ERROR) ' "$work/server.log" || true)"
grep -m5 -E ' (WARN|ERROR) ' "$work/server.log" || true
kill -0 "$server_pid" || { echo "the server died"; status=1; }
exit "$status"
