#!/usr/bin/env bash
# Fuzzing in CI: every fuzz target under libFuzzer with ASan+UBSan, for a bounded time.
#
#   FUZZ_SECONDS   seconds per target (default 30)
#   FUZZ_BUILD     build directory (default build/fuzz)
#   FUZZ_TARGETS   space-separated subset of targets (default: all that were built)
#
# Skipped (exit 0, with a note) when clang++ or libFuzzer is missing. The seed corpus in
# fuzz/corpus/<target>/ is copied to a temporary directory first, so the repository is never
# modified; a crash leaves its reproducer in $FUZZ_BUILD/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-30}
build=${FUZZ_BUILD:-build/fuzz}

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ not found, skipping"
  exit 0
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n' \
  > "$probe/probe.cpp"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" 2>/dev/null; then
  echo "fuzz: clang++ cannot link -fsanitize=fuzzer (libclang-rt-dev missing?), skipping"
  exit 0
fi

cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMORPH_WEBHOOK_BUILD_FUZZ=ON -DMORPH_WEBHOOK_FUZZ_ENGINE=libfuzzer \
  -DMORPH_WEBHOOK_SANITIZE=ON -DMORPH_WEBHOOK_WERROR=ON \
  -DMORPH_WEBHOOK_BUILD_TESTS=OFF -DMORPH_WEBHOOK_BUILD_EXAMPLES=OFF \
  -DMORPH_WEBHOOK_BUILD_TOOLS=OFF -DMORPH_WEBHOOK_BUILD_BENCHMARKS=OFF \
  -DMORPH_WEBHOOK_INSTALL=OFF >/dev/null
cmake --build "$build" -j2

targets=${FUZZ_TARGETS:-}
if [ -z "$targets" ]; then
  for exe in "$build"/fuzz/morph_webhook_fuzz_*; do
    [ -x "$exe" ] && targets="$targets ${exe##*/morph_webhook_fuzz_}"
  done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d)
trap 'rm -rf "$probe" "$work"' EXIT
failed=()
for t in $targets; do
  corpus="$work/$t"
  mkdir -p "$corpus" "$build/artifacts/$t"
  cp fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  echo "---- fuzz $t for ${seconds}s"
  if ! "$build/fuzz/morph_webhook_fuzz_$t" "$corpus" \
        -dict=fuzz/json.dict -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$t/" 2>"$work/$t.log"; then
    failed+=("$t")
    tail -n 60 "$work/$t.log"
  else
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$work/$t.log" || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (reproducers in $build/artifacts/)"
  exit 1
fi
echo "fuzz: all targets ran ${seconds}s without a finding"
