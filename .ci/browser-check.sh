#!/usr/bin/env bash
# GraphiQL in a real browser, offline: installs Debian's Chromium if missing and playwright-core
# (pinned in .ci/browser/package-lock.json, in a temp dir), serves qingdan on a fresh SQLite file,
# loads / headless with every request beyond loopback refused, runs the default query, checks the
# rendered answer and that nothing tried to leave loopback, subscribes from the page over
# graphql-transport-ws and sees a submission, and saves a screenshot.
#   QINGDAN_BIN   the server binary (default: cargo build, then target/debug/qingdan)
#   SCREENSHOT    where the screenshot goes (default: target/browser-check/graphiql.png)
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

cp .ci/browser/package.json .ci/browser/package-lock.json .ci/browser/check.mjs "$TMP"/
(cd "$TMP" && npm ci --silent --no-audit --no-fund --ignore-scripts >/dev/null)

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$QINGDAN_BIN" --database-url "sqlite://$TMP/b.db?mode=rwc" serve --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited:" >&2; cat "$TMP/server.log" >&2; exit 1
  fi
  sleep 0.5
done

# An admin token for the subscription part (created on the server's database).
TOKEN=$("$QINGDAN_BIN" --database-url "sqlite://$TMP/b.db?mode=rwc" token create --role admin --label browser | tail -1)
(cd "$TMP" && node check.mjs "http://127.0.0.1:$PORT/" "$SCREENSHOT" "$TOKEN")
