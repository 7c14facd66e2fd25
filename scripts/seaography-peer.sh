#!/usr/bin/env bash
# Seaography 2 (SeaQL's GraphQL generator for SeaORM) as the varied benchmark's second peer, beside
# PostGraphile v5: its CLI generates a GraphQL server from the tables of the PostgreSQL database
# qingdan has migrated, and the varied ops are sent to it in its dialect
# (benches/load/seaography_queries.rs). Nothing generated is committed: each `serve` regenerates
# the entities (sea-orm-cli) and the axum project (seaography-cli) into $SEA_PROJECT under /tmp.
#
#   scripts/seaography-peer.sh serve DATABASE_URL [PORT]   # default port 5060; prints the GraphQL URL
#   scripts/seaography-peer.sh stop                        # stop the one this script started
#
# DATABASE_URL must name a user and a host (seaography-cli refuses others), e.g.
#   postgres://postgres@localhost/qingdan_bench?host=/var/run/postgresql
# The CLIs are installed once (cargo install --locked) into $SEA_HOME, the server is built with
# CARGO_TARGET_DIR and a kept Cargo.lock there, so later runs only rebuild the generated crate.
# Versions: seaography-cli 2.0.0-rc.9 (the newest 2.x; its generated Cargo.toml asks for
# seaography ~2.0.0-rc.9 and sea-orm ~2.0.0-rc.40, i.e. sea-orm 2.0.x) and sea-orm-cli 2.0.4 (the
# sea-orm 2.0.x whose codegen writes the `RelatedEntity` enums and `register_entity_modules!`
# that seaography 2 needs with --seaography; qingdan itself is on sea-orm 2.0.4).
# Both CLIs and the generated server use sqlx with `runtime-tokio-native-tls`, so building them
# needs libssl-dev and pkg-config (installed with apt-get when missing and run as root).
set -euo pipefail

SEA_HOME=${SEA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/qingdan-seaography}
SEA_PROJECT=${SEA_PROJECT:-/tmp/qingdan-seaography}
SEA_ORM_CLI_VERSION=2.0.4
SEAOGRAPHY_CLI_VERSION=2.0.0-rc.9
CRATE=qingdan-seaography

native_deps() {
  if command -v pkg-config >/dev/null && pkg-config --exists openssl; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev pkg-config >&2
  else
    echo "needs libssl-dev and pkg-config: apt-get install libssl-dev pkg-config" >&2; return 1
  fi
}

# install_cli NAME VERSION: cargo install --locked into $SEA_HOME/bin, once per version.
install_cli() {
  local name=$1 version=$2
  if [[ $("$SEA_HOME/bin/$name" --version 2>/dev/null || true) == *" $version"* ]]; then return 0; fi
  echo "installing $name $version into $SEA_HOME (once, several minutes)" >&2
  env -u CARGO_TARGET_DIR cargo install --locked --quiet --root "$SEA_HOME" --version "=$version" "$name"
}

serve() {
  local url=${1:?usage: $0 serve DATABASE_URL [PORT]} port=${2:-5060} answer
  stop
  mkdir -p "$SEA_HOME"
  native_deps
  install_cli sea-orm-cli "$SEA_ORM_CLI_VERSION"
  install_cli seaography-cli "$SEAOGRAPHY_CLI_VERSION"

  rm -rf "$SEA_PROJECT" && mkdir -p "$SEA_PROJECT/src"
  # Compact entities (the default format) with the helper enums seaography needs; relations come
  # from the foreign keys, seaql_migrations is left out by default.
  "$SEA_HOME/bin/sea-orm-cli" generate entity --database-url "$url" --output-dir "$SEA_PROJECT/src/entities" \
    --entity-format compact --seaography >"$SEA_HOME/generate.log"
  "$SEA_HOME/bin/seaography-cli" -o "$SEA_PROJECT" -e "$SEA_PROJECT/src/entities" -u "$url" \
    -f axum "$CRATE" >>"$SEA_HOME/generate.log" 2>&1
  # The generated main logs at INFO, where sqlx logs every statement: WARN keeps the load test off stdout.
  sed -i -E 's/Level *:: *INFO/Level::WARN/' "$SEA_PROJECT/src/main.rs"

  [ -f "$SEA_HOME/Cargo.lock" ] && cp "$SEA_HOME/Cargo.lock" "$SEA_PROJECT/Cargo.lock"
  # SEA_ORM_VERSION=2.0.0-rc.41 (say) pins the sea-orm the server builds with (default: newest 2.0.x).
  if [ -n "${SEA_ORM_VERSION:-}" ]; then (cd "$SEA_PROJECT" && cargo update -p sea-orm --precise "$SEA_ORM_VERSION"); fi
  echo "building $CRATE (release)" >&2
  (cd "$SEA_PROJECT" && CARGO_TARGET_DIR="$SEA_HOME/target" cargo build --release)
  cp "$SEA_PROJECT/Cargo.lock" "$SEA_HOME/Cargo.lock"

  # From $SEA_HOME, so the project's .env (which names the database too) is not read.
  cd "$SEA_HOME"
  URL=127.0.0.1:$port ENDPOINT=/graphql DATABASE_URL=$url \
    nohup "$SEA_HOME/target/release/$CRATE" >server.log 2>&1 &
  echo $! >server.pid
  local endpoint=http://127.0.0.1:$port/graphql
  for _ in $(seq 1 150); do
    answer=$(curl -s -H 'content-type: application/json' -d '{"query":"{__typename}"}' "$endpoint" || true)
    if [[ $answer == *'"__typename"'* ]]; then
      echo "seaography peer up at $endpoint (pid $(cat server.pid))" >&2
      echo "$endpoint"
      return 0
    fi
    if ! kill -0 "$(cat server.pid)" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "the seaography peer did not start; see $SEA_HOME/server.log" >&2
  tail -n 20 "$SEA_HOME/server.log" >&2 || true
  stop
  return 1
}

stop() {
  local pidfile=$SEA_HOME/server.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  serve) shift; serve "$@" ;;
  stop) stop ;;
  *) sed -n 2,20p "$0"; exit 2 ;;
esac
