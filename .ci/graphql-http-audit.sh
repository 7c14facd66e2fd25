#!/usr/bin/env bash
# GraphQL-over-HTTP conformance: runs the graphql-http server audits (npm package graphql-http,
# versions pinned in .ci/audit/package-lock.json) against a live server on a fresh SQLite file.
# Fails when a MUST fails; SHOULD and MAY results are printed.
#   QINGDAN_BIN   the server binary (default: cargo build, then target/debug/qingdan)
#   AUDIT_PORT    the port to serve on (default: a free one)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${QINGDAN_BIN:-}" ]]; then
  # Built from this tree (a no-op when fresh), never a stale binary from another checkout.
  cargo build --quiet --bin qingdan
  QINGDAN_BIN=target/debug/qingdan
fi

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

# The audit's node_modules live in the temp dir: nothing is installed globally or in the repo.
cp .ci/audit/package.json .ci/audit/package-lock.json .ci/audit/run.mjs "$TMP"/
(cd "$TMP" && npm ci --silent --no-audit --no-fund --ignore-scripts >/dev/null)

PORT=${AUDIT_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
"$QINGDAN_BIN" --database-url "sqlite://$TMP/a.db?mode=rwc" serve --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited:" >&2; cat "$TMP/server.log" >&2; exit 1
  fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "the server never got ready" >&2; cat "$TMP/server.log" >&2; exit 1; }

status=0
node "$TMP/run.mjs" "http://127.0.0.1:$PORT/graphql" || status=$?
if [[ $status -ne 0 ]]; then
  echo "== server log (tail)"; tail -n 40 "$TMP/server.log"
fi
exit $status
