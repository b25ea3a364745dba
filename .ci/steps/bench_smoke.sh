#!/usr/bin/env bash
# Keeps the benchmarks against Node (JSON.parse + zod) from rotting, without measuring anything:
# the in-process contender script on two payloads for a few milliseconds, and the HTTP load
# script's --smoke mode (every server once: 200 for a valid event, 4xx for a bad body, 1 s of
# wrk). ~20 s. Skipped (exit 0, with a note) without node/npm or wrk.
#
#   BENCH_SMOKE_BUILD   build directory (default build/default, the Quick start's)
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BENCH_SMOKE_BUILD:-build/default}
for tool in node npm wrk; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench smoke: $tool not found, skipping"; exit 0; }
done
(cd benchmarks/node && npm ci --no-audit --no-fund --loglevel=error)

# In-process: every installed zod on a valid and an invalid body; the verdicts must be right.
out=$(node benchmarks/node/zod_bench.mjs --repetitions 1 --min-time 0.01 \
        typical=crmEngagement:benchmarks/data/typical.json \
        invalid=crmEngagement:benchmarks/data/invalid.json)
echo "$out"
awk -F'\t' '$1 == "row" && $3 != "node_json_parse" {
              n++; want = ($2 == "typical") ? $7 : 0; if ($6 != want) { print "wrong verdict: " $0; bad = 1 } }
            END { if (n < 4 || bad) exit 1 }' <<<"$out"

# Over HTTP.
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target beast_receiver httplib_receiver morph-webhook -j2
benchmarks/http/run.sh --smoke --build "$build"
