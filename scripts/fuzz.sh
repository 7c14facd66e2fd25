#!/usr/bin/env bash
# Fuzzes the importer's readers for a bounded time each, seeded from fuzz/seeds/<target>/:
#   import_text      the text extraction of SPEC §1 (parse_document)
#   read_docx_xml    Word's document.xml, then the layout step
#   read_html        saved web pages (any charset), then the layout step
#   read_xlsx        Excel files (zip bound, calamine, merged ranges), then the layout step
#   read_pdf_layers  poppler's words and drawing as the PDF reader receives them
#   read_text        prose lists and tab-separated rows through the whole pipeline
# Fails (exit status ≠ 0) on a crash: a panic, a broken invariant, a timeout or an OOM; the
# input is left in fuzz/artifacts/<target>/ and can be replayed with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/crash-…
#
# Usage: scripts/fuzz.sh [SECONDS=60] [TARGET…]   (SECONDS per target; default: every target)
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

targets=("${@:2}")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(import_text read_docx_xml read_html read_xlsx read_pdf_layers read_text)
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== building the fuzz targets (release, debug assertions on)"
"${fuzz[@]}" build --sanitizer "$sanitizer" --debug-assertions

for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  # poppler's drawing of one page is large; the other inputs are small.
  max_len=65536
  [ "$target" = read_pdf_layers ] && max_len=524288
  echo "== fuzzing $target for ${budget}s"
  # New inputs go to the first corpus directory (git-ignored); the seeds stay as committed.
  status=0
  "${fuzz[@]}" run --sanitizer "$sanitizer" --debug-assertions "$target" "$corpus" "fuzz/seeds/$target" -- \
    -max_total_time="$budget" -timeout=20 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -vE '^#[0-9]+' "$log" | tail -n 40 || true
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
  rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
  echo "== $target: ${execs} executions in ${budget}s (${rate}/s), corpus $(ls "$corpus" | wc -l) inputs"
  if [ "$status" -ne 0 ]; then
    echo "FUZZING FOUND A CRASH in $target (exit $status); inputs:" >&2
    ls -l "fuzz/artifacts/$target" >&2 || true
    exit "$status"
  fi
done
echo "no crash"
