#!/usr/bin/env bash
# Schemathesis (PyPI) against the GraphQL endpoint, from the exported schema (`qingdan schema`;
# schemathesis' own introspection query nests 15 deep and the server refuses it: see
# SCHEMATHESIS.md). It generates queries and mutations for every root field. The server runs
# on a temp SQLite database; the run is bounded by MAX_EXAMPLES per operation (default 50).
#
# Usage: scripts/schemathesis.sh [MAX_EXAMPLES=50] [extra st run options…]
#   Runs twice: anonymous, and with an admin token. Reports go to target/schemathesis/.
#   Findings and their triage: scripts/SCHEMATHESIS.md. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

examples=${1:-50}
shift || true
venv=target/scripts-venv
out=target/schemathesis
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis
fi
cargo build -q --bin qingdan
bin=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/qingdan
url="sqlite://$work/st.db?mode=rwc"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
QINGDAN_RATE_LIMIT_PER_MINUTE=0 QINGDAN_TOKEN_RATE_LIMIT_PER_MINUTE=0 \
  "$bin" serve --bind "127.0.0.1:$port" --database-url "$url" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
  sleep 0.25
done
"$bin" schema >"$work/schema.graphql"
token=$("$bin" token create --role admin --label schemathesis --database-url "$url" | tail -n1)
mkdir -p "$out"

status=0
for who in anonymous admin; do
  auth=()
  [ "$who" = admin ] && auth=(-H "Authorization: Bearer $token")
  echo "== schemathesis ($who), max $examples examples per operation"
  rm -rf "${out:?}/$who"
  "$venv/bin/st" run "$work/schema.graphql" --url "http://127.0.0.1:$port/graphql" "${auth[@]}" \
    --max-examples "$examples" --seed 20230106 --checks all --continue-on-failure \
    --request-timeout 30 --no-color --generation-database none \
    --report junit,ndjson --report-dir "$out/$who" "$@" \
    | tee "$out/$who.txt" || status=$?
  echo "== summary ($who)"
  python3 scripts/schemathesis_summary.py "$(ls -S "$out/$who"/*.ndjson | head -n1)" | tee "$out/$who-summary.txt"
done
echo "== server log: $(grep -c panicked "$work/server.log" || true) panics, $(grep -cE ' ERROR ' "$work/server.log" || true) errors"
grep -m5 -E 'panicked| ERROR ' "$work/server.log" || true
exit "$status"
