#!/usr/bin/env bash
# PostgreSQL outage: the server notices, fails fast with a code, and recovers by itself.
#
#   1. serve on a fresh PostgreSQL database; /readyz is 200 and queries answer;
#   2. stop PostgreSQL: /readyz turns non-200 within a few seconds, and a query and a
#      submission each fail in < MAX_FAIL_SECS with a clear extensions.code;
#   3. start PostgreSQL: the same server serves again within RESUME_SECS, writes included.
# PostgreSQL is ALWAYS started again on exit, whatever happened (other tests need it).
#
# Usage: scripts/pg-outage.sh       (env: PG_URL=postgres://postgres@127.0.0.1:5432,
#                                     QINGDAN_BIN=path/to/qingdan, default: cargo build)
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
MAX_FAIL_SECS=${MAX_FAIL_SECS:-6}
READY_DOWN_SECS=${READY_DOWN_SECS:-5}
RESUME_SECS=${RESUME_SECS:-20}
version=$(ls /etc/postgresql | sort -V | tail -n1)
db="qingdan_outage_$$"
work=$(mktemp -d)
server_pid=""

pg() { pg_ctlcluster --skip-systemctl-redirect "$version" main "$@"; }
pg_up() {
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 0.5; done
  return 1
}
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "== cleanup: starting PostgreSQL again"
    pg start || true
    pg_up || echo "WARNING: PostgreSQL did not come back" >&2
  fi
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ] && [ -f "$work/server.log" ]; then echo "--- server log"; tail -n 40 "$work/server.log"; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

if [ -z "${QINGDAN_BIN:-}" ]; then
  cargo build -q --bin qingdan
  QINGDAN_BIN=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/qingdan
fi
pg_up || fail "PostgreSQL is not running"
psql "$PG_URL/postgres" -qc "CREATE DATABASE $db" >/dev/null
url="$PG_URL/$db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

"$QINGDAN_BIN" serve --bind "127.0.0.1:$port" --database-url "$url" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited"
  sleep 0.25
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] || fail "the server is not ready"
token=$("$QINGDAN_BIN" token create --role admin --label outage --database-url "$url" | tail -n1)

gql() { # gql QUERY [TOKEN] -> writes the body to $work/body, prints "HTTP_STATUS SECONDS"
  local auth=()
  [ -n "${2:-}" ] && auth=(-H "authorization: Bearer $2")
  curl -s -m 30 -o "$work/body" -w '%{http_code} %{time_total}' "$base/graphql" \
    -H 'content-type: application/json' "${auth[@]}" -d "$(jq -nc --arg q "$1" '{query: $q}')"
}
code() { jq -r '.errors[0].extensions.code // "none"' "$work/body" 2>/dev/null || echo "not-json"; }

gql '{ task(number: 29) { id } department(name: "市税务局") { id } reportingPeriods { id } }' >/dev/null
task=$(jq -r '.data.task.id' "$work/body"); dept=$(jq -r '.data.department.id' "$work/body")
period=$(jq -r '.data.reportingPeriods[0].id' "$work/body")
submit() {
  gql "mutation { submitReport(input: {taskId: \"$task\", departmentId: \"$dept\", periodId: \"$period\", status: ON_TRACK, progressPercent: 5, summary: \"$1\"}) { report { revision } } }" "$token"
}
read -r st _ <<<"$(submit before)"
[ "$st" = 200 ] && [ "$(jq -r '.data.submitReport.report.revision' "$work/body")" = 1 ] || fail "baseline submission: $(cat "$work/body")"
echo "== up: /readyz 200, submission stored (revision 1)"

echo "== stopping PostgreSQL $version"
t_stop=$(now)
pg stop -m fast
ready_down=""
while awk -v s="$(since "$t_stop")" -v m="$READY_DOWN_SECS" 'BEGIN { exit !(s < m) }'; do
  status=$(curl -s -m 5 -o "$work/ready" -w '%{http_code}' "$base/readyz" || true)
  if [ "$status" != 200 ]; then ready_down=$(since "$t_stop"); break; fi
  sleep 0.1
done
[ -n "$ready_down" ] || fail "/readyz still 200 ${READY_DOWN_SECS}s after PostgreSQL stopped"
echo "   /readyz $status ($(cat "$work/ready")) after ${ready_down}s"

read -r q_status q_time <<<"$(gql '{ tasks(first: 3) { nodes { number } } }')"
q_code=$(code); q_msg=$(jq -r '.errors[0].message // ""' "$work/body" 2>/dev/null)
echo "   query:      HTTP $q_status in ${q_time}s, code $q_code ($q_msg)"
read -r m_status m_time <<<"$(submit during)"
m_code=$(code)
echo "   submission: HTTP $m_status in ${m_time}s, code $m_code"
for t in "$q_time" "$m_time"; do
  awk -v t="$t" -v m="$MAX_FAIL_SECS" 'BEGIN { exit !(t < m) }' || fail "a request took ${t}s (max ${MAX_FAIL_SECS}s)"
done
for c in "$q_code" "$m_code"; do
  [ "$c" = SERVICE_UNAVAILABLE ] || fail "expected code SERVICE_UNAVAILABLE, got $c: $(cat "$work/body")"
done
grep -q "panicked" "$work/server.log" && fail "the server panicked"
kill -0 "$server_pid" || fail "the server died"

echo "== starting PostgreSQL $version"
t_start=$(now)
pg start
resumed=""
while awk -v s="$(since "$t_start")" -v m="$RESUME_SECS" 'BEGIN { exit !(s < m) }'; do
  read -r st _ <<<"$(gql '{ tasks(first: 1) { totalCount } }' || echo "000 0")"
  if [ "$st" = 200 ] && [ "$(jq -r '.data.tasks.totalCount // 0' "$work/body")" = 129 ]; then resumed=$(since "$t_start"); break; fi
  sleep 0.2
done
[ -n "$resumed" ] || fail "no service ${RESUME_SECS}s after PostgreSQL started: $(cat "$work/body")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] || fail "/readyz not 200 after recovery"
read -r st _ <<<"$(submit after)"
[ "$(jq -r '.data.submitReport.report.revision' "$work/body")" = 2 ] || fail "submission after recovery: $(cat "$work/body")"
echo "   service resumed ${resumed}s after the start; /readyz 200; submission stored (revision 2)"
echo "PG OUTAGE OK: readyz down ${ready_down}s, query failed in ${q_time}s ($q_code), submission in ${m_time}s ($m_code), resumed ${resumed}s"
