#!/usr/bin/env bash
# Schema evolution: schema.graphql against the released schema (.ci/schema/released.graphql, the
# SDL of the last release; replace it when releasing), with graphql-js (pinned in
# .ci/schema/package-lock.json, installed in a temp dir). Fails on a breaking change that
# CHANGELOG.md does not name. Also fails when schema.graphql is not what the code generates.
set -euo pipefail
cd "$(dirname "$0")/.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cargo run --quiet --bin qingdan -- schema > "$TMP/generated.graphql"
if ! diff -q "$TMP/generated.graphql" schema.graphql >/dev/null; then
  echo "schema.graphql is stale: cargo run -- schema > schema.graphql" >&2
  exit 1
fi
cp .ci/schema/package.json .ci/schema/package-lock.json .ci/schema/check.mjs "$TMP"/
(cd "$TMP" && npm ci --silent --no-audit --no-fund --ignore-scripts >/dev/null)
node "$TMP/check.mjs" .ci/schema/released.graphql schema.graphql CHANGELOG.md
