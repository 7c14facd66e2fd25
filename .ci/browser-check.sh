#!/usr/bin/env bash
# GraphiQL in a real browser, offline: installs Debian's Chromium if missing and playwright-core
# (pinned in .ci/browser/package-lock.json, in a temp dir), serves qingdan on a fresh SQLite file,
# loads / headless with every request beyond loopback refused, runs the default query, checks the
# rendered answer and that nothing tried to leave loopback, subscribes from the page over
# graphql-transport-ws and sees a submission, and saves a screenshot. Then the supervisor's board
# (/board) on a second server, on its own fresh SQLite file, that runs only trusted documents (the
# check's queries, printed by board.mjs --print-trusted; the board's own the server trusts itself):
# tiles against obligationSummary, a review returned from the page, the live feed, a department's
# page, the ledger, and a reporter's board without supervisor actions (.ci/browser/board.mjs).
#   QINGDAN_BIN   the server binary (default: cargo build, then target/debug/qingdan)
#   SCREENSHOT    where the screenshot goes (default: target/browser-check/graphiql.png); the
#                 board's (board.png, board-department.png, board-reporter.png) go next to it
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium, and a small CJK font so that the screenshot shows the list's text.
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  apt-get install -y chromium fonts-wqy-microhei >/dev/null 2>&1 \
    || (apt-get update >/dev/null && apt-get install -y chromium fonts-wqy-microhei >/dev/null)
fi
if [[ -z "${QINGDAN_BIN:-}" ]]; then
  cargo build --quiet --bin qingdan
  QINGDAN_BIN=target/debug/qingdan
fi
SCREENSHOT=${SCREENSHOT:-$PWD/target/browser-check/graphiql.png}
mkdir -p "$(dirname "$SCREENSHOT")"
SHOT_DIR=$(cd "$(dirname "$SCREENSHOT")" && pwd)

TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

cp .ci/browser/package.json .ci/browser/package-lock.json .ci/browser/check.mjs .ci/browser/board.mjs "$TMP"/
(cd "$TMP" && npm ci --silent --no-audit --no-fund --ignore-scripts >/dev/null)

# start_server DB LOG [serve flags…]: a server on a free port and the SQLite file DB (seeded with the
# bundled list on first start), up once /readyz answers; sets PORT and SERVER_PID.
start_server() {
  local db=$1 log=$2
  shift 2
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$QINGDAN_BIN" --database-url "sqlite://$db?mode=rwc" serve --bind "127.0.0.1:$PORT" "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "the server exited:" >&2; cat "$log" >&2; exit 1
    fi
    sleep 0.5
  done
  echo "the server is not ready after 60 s:" >&2; cat "$log" >&2; exit 1
}
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

start_server "$TMP/b.db" "$TMP/server.log"

# An admin token for the subscription part (created on the server's database).
TOKEN=$("$QINGDAN_BIN" --database-url "sqlite://$TMP/b.db?mode=rwc" token create --role admin --label browser | tail -1)
(cd "$TMP" && node check.mjs "http://127.0.0.1:$PORT/" "$SCREENSHOT" "$TOKEN")
stop_server

# The board, on a second server that runs only trusted documents: the check's own queries.
(cd "$TMP" && node board.mjs --print-trusted >"$TMP/trusted.json")
start_server "$TMP/b2.db" "$TMP/server2.log" --trusted-documents "$TMP/trusted.json"
DB2="sqlite://$TMP/b2.db?mode=rwc"
# The bundled list's issuing office, and a department that leads tasks of it (task 71 among others).
SUPERVISOR=$("$QINGDAN_BIN" --database-url "$DB2" token create --role supervisor --department 市政务服务办 --label board-check | tail -1)
REPORTER=$("$QINGDAN_BIN" --database-url "$DB2" token create --role reporter --department 市发展改革委 --label board-check | tail -1)
if ! (cd "$TMP" && node board.mjs "http://127.0.0.1:$PORT/" "$SUPERVISOR" "$REPORTER" "$SHOT_DIR"); then
  echo "the board's server log (last 60 lines):" >&2
  tail -n 60 "$TMP/server2.log" >&2
  exit 1
fi
