#!/usr/bin/env bash
# The GraphQL clients users run, against a real server on a fresh SQLite file (SPEC §10):
#   graphql-js getIntrospectionQuery() (what GraphiQL and graphql-inspector send), compared with
#   schema.graphql; relay-compiler 21 on a set of operations, then relay-runtime normalising the
#   answers, an anonymous one with an errored field among them; graphql-codegen 7 from the URL;
#   Python gql fetching the schema from its transport. Versions are pinned in
#   .ci/clients/package-lock.json and below.
#   QINGDAN_BIN   the server binary (default: cargo build, then target/debug/qingdan)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${QINGDAN_BIN:-}" ]]; then
  cargo build --quiet --bin qingdan
  QINGDAN_BIN=target/debug/qingdan
fi
python3 -c 'import gql' 2>/dev/null || pip install -q "gql[requests]==4.4.0" >/dev/null 2>&1

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

cp -r .ci/clients/. "$TMP"/
(cd "$TMP" && npm ci --silent --no-audit --no-fund >/dev/null 2>&1)

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$QINGDAN_BIN" --database-url "sqlite://$TMP/c.db?mode=rwc" serve --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
export QINGDAN_URL="http://127.0.0.1:$PORT/graphql"
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
export REPO_SCHEMA="$PWD/schema.graphql"

cd "$TMP"
echo "-- graphql-js introspection"
node introspect.mjs
echo "-- relay-compiler"
mkdir -p src/__generated__
npx --no-install relay-compiler
echo "-- relay-runtime normalisation"
node relay.mjs
echo "-- graphql-codegen from the URL"
npx --no-install graphql-codegen --config codegen.yml
grep -q "export type BureauQuery" out/types.ts
echo "-- Python gql"
python3 gql_check.py
echo "real clients: passed"
