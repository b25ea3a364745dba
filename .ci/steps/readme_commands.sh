#!/usr/bin/env bash
# The README's shell commands, run in order the way a user on a fresh clone runs them, so that
# no command in the README can rot. Every ```sh block of README.md is run with bash -e from the
# repository root. An HTML comment on the line before a block changes how it is run:
#   <!-- readme-test: skip (why) -->          not run (long-running: hours of fuzzing, ...)
#   <!-- readme-test: exit N -->              must exit with status N (the demo exits 1)
#   <!-- readme-test: background REGEX -->    a server: started in the background; REGEX must
#                                             appear in its output within 60 s; it is stopped
#                                             (SIGTERM) after the next block has run
#   <!-- readme-test: root -->                run only as root (package installation)
# Blocks whose first word is `cmake --preset default` or `cmake --workflow` reuse the build
# trees of the Quick start (CI runs those first).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

awk -v dir="$work" '
  /^<!-- readme-test: .* -->[ \t]*$/ { mode = $0; sub(/^<!-- readme-test: /, "", mode); sub(/ -->[ \t]*$/, "", mode); next }
  /^```sh[ \t]*$/ { n++; f = sprintf("%s/%03d.sh", dir, n); printf "%s\n", (mode == "" ? "run" : mode) > (f ".mode");
                    printf "%d\n", NR + 1 > (f ".line"); close(f ".mode"); close(f ".line"); inb = 1; mode = ""; next }
  /^```/ { if (inb) { close(f); inb = 0 } mode = ""; next }
  inb { print > f; next }
  /[^ \t]/ { mode = "" }
' README.md

count=0
ran=0
for block in "$work"/*.sh; do
  [ -e "$block" ] || continue
  count=$((count + 1))
  mode=$(cat "$block.mode")
  line=$(cat "$block.line")
  printf -- '---- README.md:%s (%s)\n' "$line" "$mode"
  sed 's/^/    /' "$block"
  case "$mode" in
    skip*) continue ;;
    root) if [ "$(id -u)" != 0 ]; then echo "    (not root: skipped)"; continue; fi
          DEBIAN_FRONTEND=noninteractive bash -e "$block" </dev/null > "$work/out" 2>&1 ||
            { cat "$work/out"; echo "README.md:$line failed"; exit 1; } ;;
    run) bash -e "$block" </dev/null > "$work/out" 2>&1 ||
           { cat "$work/out"; echo "README.md:$line failed"; exit 1; } ;;
    exit\ *) want=${mode#exit }
             set +e; bash -e "$block" </dev/null > "$work/out" 2>&1; rc=$?; set -e
             [ "$rc" = "$want" ] || { cat "$work/out"; echo "README.md:$line exited $rc, expected $want"; exit 1; } ;;
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
        { cat "$work/server.out"; echo "README.md:$line: no '$pattern' within 60 s"; exit 1; }
      continue ;;
    *) echo "README.md:$line: unknown readme-test mode '$mode'"; exit 1 ;;
  esac
  ran=$((ran + 1))
  if [ -n "$server_pid" ]; then  # the block after a server has run: stop the server
    pkill -TERM -P "$server_pid" 2>/dev/null || true
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
done
[ "$count" -gt 0 ] || { echo "no sh blocks found in README.md"; exit 1; }
echo "README commands: $ran of $count blocks run, the rest skipped as marked"
