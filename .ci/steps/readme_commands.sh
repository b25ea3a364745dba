#!/usr/bin/env bash
# The documented shell commands, run in order the way a user on a fresh clone runs them, so
# that no command of the README or of docs/*.md can rot. Every ```sh block of README.md, then
# of each docs/*.md page in name order, is run with bash -e from the repository root. An HTML
# comment on the line before a block changes how it is run:
#   <!-- readme-test: skip (why) -->          not run (long-running: hours of fuzzing, ...)
#   <!-- readme-test: exit N -->              must exit with status N (the demo exits 1)
#   <!-- readme-test: background REGEX -->    a server: started in the background; REGEX must
#                                             appear in its output within 60 s; it is stopped
#                                             (SIGTERM) after the next block of the page has run
#   <!-- readme-test: root -->                run only as root (package installation)
#   <!-- readme-test: file PATH -->           (before a block of any language) the block must be
#                                             byte for byte the repository's file PATH, which
#                                             a later sh block runs
# Blocks whose first word is `cmake --preset default` or `cmake --workflow` reuse the build
# trees of the Quick start (CI runs those first).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    pkill -TERM -P "$server_pid" 2>/dev/null || true
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

pages=(README.md)
for page in docs/*.md; do
  [ -e "$page" ] && pages+=("$page")
done

count=0
ran=0
for page in "${pages[@]}"; do
  blocks="$work/$(printf '%s' "$page" | tr '/.' '__')"
  mkdir -p "$blocks"
  awk -v dir="$blocks" '
    /^<!-- readme-test: .* -->[ \t]*$/ { mode = $0; sub(/^<!-- readme-test: /, "", mode); sub(/ -->[ \t]*$/, "", mode); next }
    /^```sh[ \t]*$/ || (/^```[a-z]+[ \t]*$/ && mode ~ /^file /) {
                      n++; f = sprintf("%s/%03d.block", dir, n); printf "%s\n", (mode == "" ? "run" : mode) > (f ".mode");
                      printf "%d\n", NR + 1 > (f ".line"); close(f ".mode"); close(f ".line"); printf "" > f; inb = 1; mode = ""; next }
    /^```/ { if (inb) { close(f); inb = 0 } mode = ""; next }
    inb { print > f; next }
    /[^ \t]/ { mode = "" }
  ' "$page"
  for block in "$blocks"/*.block; do
    [ -e "$block" ] || continue
    count=$((count + 1))
    mode=$(cat "$block.mode")
    where="$page:$(cat "$block.line")"
    printf -- '---- %s (%s)\n' "$where" "$mode"
    sed 's/^/    /' "$block"
    case "$mode" in
      skip*) continue ;;
      file\ *) path=${mode#file }
               cmp -s "$block" "$path" ||
                 { diff "$block" "$path" || true; echo "$where: the block differs from $path"; exit 1; }
               ran=$((ran + 1)); continue ;;
      root) if [ "$(id -u)" != 0 ]; then echo "    (not root: skipped)"; continue; fi
            DEBIAN_FRONTEND=noninteractive bash -e "$block" </dev/null > "$work/out" 2>&1 ||
              { cat "$work/out"; echo "$where failed"; exit 1; } ;;
      run) bash -e "$block" </dev/null > "$work/out" 2>&1 ||
             { cat "$work/out"; echo "$where failed"; exit 1; } ;;
      exit\ *) want=${mode#exit }
               set +e; bash -e "$block" </dev/null > "$work/out" 2>&1; rc=$?; set -e
               [ "$rc" = "$want" ] || { cat "$work/out"; echo "$where exited $rc, expected $want"; exit 1; } ;;
      background\ *)
        pattern=${mode#background }
        bash -e "$block" </dev/null > "$work/server.out" 2>&1 &
        server_pid=$!
        for _ in $(seq 600); do
          grep -qE "$pattern" "$work/server.out" && break
          kill -0 "$server_pid" 2>/dev/null || break
          sleep 0.1
        done
        grep -qE "$pattern" "$work/server.out" ||
          { cat "$work/server.out"; echo "$where: no '$pattern' within 60 s"; exit 1; }
        continue ;;
      *) echo "$where: unknown readme-test mode '$mode'"; exit 1 ;;
    esac
    ran=$((ran + 1))
    stop_server  # the block after a server has run: stop the server
  done
  stop_server  # a server is never left running into the next page
done
[ "$count" -gt 0 ] || { echo "no sh blocks found in README.md and docs/"; exit 1; }
echo "documented commands: $ran of $count blocks run (README.md and $(( ${#pages[@]} - 1 )) pages of docs/), the rest skipped as marked"
