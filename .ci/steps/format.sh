#!/usr/bin/env bash
# Style is mechanical: every tracked C++ file must be as clang-format (14, .clang-format at the
# root) writes it. Fix with: clang-format-14 -i $(git ls-files '*.hpp' '*.cpp' '*.h')
# Skipped (with a note) when clang-format or git is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
format=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$format" ] || ! git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  echo "format: clang-format or git not found, skipping"
  exit 0
fi
mapfile -t files < <(git ls-files '*.hpp' '*.cpp' '*.h')
"$format" --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files as clang-format writes them"
