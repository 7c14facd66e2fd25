#!/usr/bin/env bash
# Fuzzes the document parser (target import_text: parse_document on arbitrary UTF-8, seeded
# with the bundled document and mutated variants of it) for a bounded time.
# Fails (exit status ≠ 0) on a crash: a panic, a broken invariant, a timeout or an OOM; the
# input is left in fuzz/artifacts/import_text/ and can be replayed with
#   cargo +nightly fuzz run import_text fuzz/artifacts/import_text/crash-…
#
# Usage: scripts/fuzz.sh [SECONDS=60]
#   FUZZ_SANITIZER=s  none (default: the crate forbids unsafe code, so ASan adds little but
#                     slowness) or address
#   FUZZ_STABLE=1     use the stable compiler with RUSTC_BOOTSTRAP=1 even if nightly is there
#
# cargo-fuzz needs a nightly compiler (for -Zsanitizer / sancov flags). With a nightly
# toolchain installed it is used; otherwise RUSTC_BOOTSTRAP=1 lets the stable compiler accept
# the nightly flags (the same compiler code, unlocked).
set -euo pipefail
cd "$(dirname "$0")/.."

budget=${1:-60}
sanitizer=${FUZZ_SANITIZER:-none}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
if [ -z "${FUZZ_STABLE:-}" ] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  echo "using the stable compiler with RUSTC_BOOTSTRAP=1 (no nightly toolchain, or FUZZ_STABLE set)"
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

corpus=fuzz/corpus/import_text
mkdir -p "$corpus" fuzz/artifacts/import_text
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== building the fuzz target (release, debug assertions on)"
"${fuzz[@]}" build --sanitizer "$sanitizer" --debug-assertions import_text

echo "== fuzzing import_text for ${budget}s"
# New inputs go to the first corpus directory (git-ignored); the seeds stay as committed.
status=0
"${fuzz[@]}" run --sanitizer "$sanitizer" --debug-assertions import_text "$corpus" fuzz/seeds/import_text -- \
  -max_total_time="$budget" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 2>&1 | tee "$log" || status=$?

execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "== import_text: ${execs} executions in ${budget}s (${rate}/s), corpus $(ls "$corpus" | wc -l) inputs"
if [ "$status" -ne 0 ]; then
  echo "FUZZING FOUND A CRASH (exit $status); inputs:" >&2
  ls -l fuzz/artifacts/import_text >&2 || true
  exit "$status"
fi
echo "no crash"
