# Sourced by the examples' runners: REPO, and BIN_DIR holding `qingdan` (QINGDAN_BIN, or the
# debug binary built here) for their PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
if [[ -z "${QINGDAN_BIN:-}" ]]; then
  cargo build --quiet --bin qingdan
  QINGDAN_BIN=$REPO/target/debug/qingdan
fi
BIN_DIR=$(mktemp -d)
ln -s "$(cd "$(dirname "$QINGDAN_BIN")" && pwd)/$(basename "$QINGDAN_BIN")" "$BIN_DIR/qingdan"
