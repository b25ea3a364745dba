#!/usr/bin/env bash
# The API reference: Doxygen over include/ with warnings as errors, so every public declaration
# stays documented. Skipped (with a note) when doxygen is not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v doxygen > /dev/null 2>&1; then
  echo "docs: doxygen not found, skipping"
  exit 0
fi
cmake -S . -B build/docs -DMORPH_WEBHOOK_DOCS_WERROR=ON -DMORPH_WEBHOOK_BUILD_TESTS=OFF \
  -DMORPH_WEBHOOK_BUILD_EXAMPLES=OFF -DMORPH_WEBHOOK_BUILD_TOOLS=OFF \
  -DMORPH_WEBHOOK_BUILD_BENCHMARKS=OFF -DMORPH_WEBHOOK_BUILD_FUZZ=OFF > /dev/null
cmake --build build/docs --target docs
test -f build/docs/docs/html/index.html
echo "docs: build/docs/docs/html/index.html"
