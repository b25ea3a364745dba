#!/usr/bin/env bash
# The API reference and the manual: Doxygen over include/, README.md and docs/*.md with warnings
# as errors, so every public declaration stays documented and every link to a page or to an
# anchor resolves; then no generated page may still point at a .md file (a link Doxygen passed
# through unresolved, such as page.md#section, which would be broken on the site). Skipped (with
# a note) when doxygen is not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v doxygen > /dev/null 2>&1; then
  echo "docs: doxygen not found, skipping"
  exit 0
fi
cmake -S . -B build/docs -DMORPH_WEBHOOK_DOCS_WERROR=ON -DMORPH_WEBHOOK_BUILD_TESTS=OFF \
  -DMORPH_WEBHOOK_BUILD_EXAMPLES=OFF -DMORPH_WEBHOOK_BUILD_TOOLS=OFF \
  -DMORPH_WEBHOOK_BUILD_BENCHMARKS=OFF -DMORPH_WEBHOOK_BUILD_FUZZ=OFF > /dev/null
rm -rf build/docs/docs/html
cmake --build build/docs --target docs
html=build/docs/docs/html
test -f "$html/index.html"
for page in README.md docs/*.md; do  # every page of the manual is on the site
  name=$(printf '%s' "${page%.md}" | sed 's/[^A-Za-z0-9]/_/g')
  [ "$page" = docs/mainpage.md ] || test -f "$html/md_$name.html" ||
    { echo "docs: $page has no page on the site ($html/md_$name.html)"; exit 1; }
done
if grep -o 'href="[^"#:]*\.md[^"]*"' "$html"/*.html | sort -u | grep .; then
  echo "docs: the links above were left unresolved (link to a whole page: page.md, not page.md#section)"
  exit 1
fi
echo "docs: $html/index.html"
