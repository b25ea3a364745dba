#!/usr/bin/env bash
# Consumer builds: can users actually consume the package?
#   1. configure this repository alone (nothing built: header-only) and install it to a
#      temporary prefix; find_package(morph_webhook CONFIG REQUIRED) from a downstream project;
#   2. the same downstream program built with -fno-exceptions;
#   3. FetchContent_Declare(SOURCE_DIR <this checkout>) + FetchContent_MakeAvailable;
#   4. FetchContent_Declare(GIT_REPOSITORY file://<this repository>) at the current commit;
#   5. add_subdirectory(<this checkout>);
#   6. the README's FetchContent block as written, and its git form;
#   7. the installed morph::webhook_sqlite (the SQLite inbox) through find_package, when SQLite
#      is installed (it is built only then);
#   8. the installed morph::webhook_redis (the Redis inbox) likewise, when hiredis is installed.
# Each consumer is configured, built and run (exit code 0 = its checks passed); 3-5 also fail at
# configure time if morph-webhook added tests, examples, tools or install rules of its own.
#
#   CONSUMERS_WORK   work directory (default: a temporary directory, removed at the end)
#   CONSUMERS_CXX    C++ compiler for the consumers (default: c++)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
cxx=${CONSUMERS_CXX:-c++}
if [ -n "${CONSUMERS_WORK:-}" ]; then
  work=$CONSUMERS_WORK
  rm -rf "$work"
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
start=$(date +%s)
note() { printf -- '---- consumers: %s (%ds)\n' "$*" "$(( $(date +%s) - start ))"; }

# build_and_run <name> <source dir> <cmake args...>
build_and_run() {
  local name=$1 src=$2
  shift 2
  note "$name"
  cmake -S "$src" -B "$work/$name" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
    "$@" > "$work/$name.configure.log" 2>&1 || { cat "$work/$name.configure.log"; return 1; }
  grep -E '^-- consumer:' "$work/$name.configure.log" || true
  cmake --build "$work/$name" -j2 > "$work/$name.build.log" 2>&1 ||
    { cat "$work/$name.build.log"; return 1; }
  "$work/$name/consumer"
}

note "install to a temporary prefix"
cmake -S "$repo" -B "$work/package" -DCMAKE_CXX_COMPILER="$cxx" \
  -DMORPH_WEBHOOK_BUILD_TESTS=OFF -DMORPH_WEBHOOK_BUILD_EXAMPLES=OFF \
  -DMORPH_WEBHOOK_BUILD_TOOLS=OFF -DMORPH_WEBHOOK_BUILD_BENCHMARKS=OFF \
  -DMORPH_WEBHOOK_BUILD_FUZZ=OFF -DMORPH_WEBHOOK_INSTALL=ON \
  -DCMAKE_INSTALL_PREFIX="$work/prefix" > "$work/package.log" 2>&1 ||
  { cat "$work/package.log"; exit 1; }
cmake --build "$work/package" > /dev/null
cmake --install "$work/package" > "$work/install.log"
find "$work/prefix" -name 'morph_webhook*.cmake' | sed "s|$work/||"
[ -f "$work/prefix/include/morph/webhook.hpp" ] || { echo "headers not installed"; exit 1; }

# Every consumer runs even when one fails, so one CI run shows every packaging problem.
failed=()
run() { build_and_run "$@" || failed+=("$1"); }
run find_package tests/consumers/find_package -DCMAKE_PREFIX_PATH="$work/prefix"
run no_exceptions tests/consumers/find_package -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCONSUMER_NO_EXCEPTIONS=ON
run fetchcontent_source_dir tests/consumers/fetchcontent -DMORPH_WEBHOOK_SOURCE="$repo"
if git -C "$repo" rev-parse --verify -q HEAD > /dev/null; then
  run fetchcontent_git tests/consumers/fetchcontent \
    -DMORPH_WEBHOOK_GIT="file://$repo" -DMORPH_WEBHOOK_GIT_TAG="$(git -C "$repo" rev-parse HEAD)"
else
  note "fetchcontent_git skipped: not a git checkout"
fi
run add_subdirectory tests/consumers/add_subdirectory -DMORPH_WEBHOOK_SOURCE="$repo"

# 6. The README's CMake block, as written: its CMakeLists.txt, this repository as
#    third_party/morph-webhook, the consumer program as main.cpp. Then its git form, as the
#    README describes it (GIT_REPOSITORY <url> GIT_TAG <commit>), from a file:// URL.
readme_project() {  # readme_project <dir>: the README's ```cmake block as <dir>/CMakeLists.txt
  mkdir -p "$1/third_party"
  awk '/^```cmake[ \t]*$/{inb=1;next} inb&&/^```/{exit} inb{print}' README.md > "$1/CMakeLists.txt"
  grep -q 'FetchContent_Declare' "$1/CMakeLists.txt" || { echo "README has no FetchContent block"; return 1; }
  cp tests/consumers/common/consumer.cpp "$1/main.cpp"
}
readme_project "$work/readme_src"
ln -s "$repo" "$work/readme_src/third_party/morph-webhook"
build_and_run_readme() {
  local name=$1 src=$2
  note "$name"
  cmake -S "$src" -B "$work/$name" -DCMAKE_CXX_COMPILER="$cxx" > "$work/$name.log" 2>&1 &&
    cmake --build "$work/$name" -j2 >> "$work/$name.log" 2>&1 &&
    "$work/$name/my_service" || { cat "$work/$name.log"; return 1; }
}
build_and_run_readme readme_fetchcontent "$work/readme_src" || failed+=(readme_fetchcontent)
if git -C "$repo" rev-parse --verify -q HEAD > /dev/null; then
  readme_project "$work/readme_git"
  sed -i "s|^  SOURCE_DIR .*|  GIT_REPOSITORY file://$repo GIT_TAG $(git -C "$repo" rev-parse HEAD)|" \
    "$work/readme_git/CMakeLists.txt"
  grep -q 'GIT_REPOSITORY' "$work/readme_git/CMakeLists.txt" || { echo "README block has no SOURCE_DIR line"; exit 1; }
  build_and_run_readme readme_fetchcontent_git "$work/readme_git" || failed+=(readme_fetchcontent_git)
fi

# 7. The installed SQLite inbox, when it was built.
if grep -q 'SQLite .* found, building morph::webhook_sqlite' "$work/package.log"; then
  run find_package_sqlite tests/consumers/sqlite -DCMAKE_PREFIX_PATH="$work/prefix"
else
  note "find_package_sqlite skipped: SQLite not found"
fi

# 8. The installed Redis inbox through find_package.
if grep -q 'hiredis .* found, building morph::webhook_redis' "$work/package.log"; then
  run find_package_redis tests/consumers/redis -DCMAKE_PREFIX_PATH="$work/prefix"
else
  note "find_package_redis skipped: hiredis not found"
fi
if [ ${#failed[@]} -gt 0 ]; then
  note "FAILED: ${failed[*]}"
  exit 1
fi
note "all consumers built and passed"
