#!/usr/bin/env bash
# The zod differential test (tests/zod/): installs the pinned zod from the lockfile (npm ci),
# builds the zod_verdicts and card_view_bodies programs and runs both comparisons through ctest. Skipped (exit 0, with
# a note) when node or npm is missing.
#
#   ZOD_BUILD   build directory (default build/default, the Quick start's; configured if absent)
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${ZOD_BUILD:-build/default}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "zod: node or npm not found, skipping the zod differential test"
  exit 0
fi
(cd tests/zod && npm ci --no-audit --no-fund --loglevel=error)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target zod_verdicts card_view_bodies morph-webhook -j2
# The event bodies (library vs zod) and the card view answers (to_json() vs zod's response schema).
# morph_webhook_forward_apps: what `forward` sends, verified by npm's standardwebhooks.
ctest --test-dir "$build" -R '^morph_webhook_(zod_differential|card_view_zod|forward_apps)$' \
  --output-on-failure \
  --no-tests=error
