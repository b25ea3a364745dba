#!/usr/bin/env bash
# Durable appends per second through `morph-webhook serve` at 1, 16 and 64 concurrent clients
# (wrk, keep-alive, every request a new event), with group commit, with one commit per event
# (sqlite:...?commit=each) and with no inbox (--inbox none: checked and answered, not stored),
# plus fsyncs per stored event (strace -f -c on serve during a separate run). Not a test: run it
# by hand on a quiet machine, on the disk you care about (not tmpfs, where fsync is free).
#   usage: serve_bench.sh MORPH_WEBHOOK [DIR] [SECONDS]
# MORPH_WEBHOOK should be a Release build (build/default/tools/morph-webhook).
# With MORPH_BENCH_REDIS=redis://HOST:PORT (a redis-server of its own, --dir on the same disk,
# --appendonly yes --appendfsync always) a second table compares Redis with group commit.
set -euo pipefail
MW=$(realpath "$1")
DIR=$(realpath "${2:-.}")/serve-bench.$$
SECONDS_PER_RUN=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
BODY=$here/../../examples/payloads/call-created.json
# shellcheck source=../../examples/serve/serve_lib.sh
. "$here/../../examples/serve/serve_lib.sh"
command -v wrk >/dev/null || { echo "needs wrk (Debian: apt-get install wrk)"; exit 2; }
mkdir -p "$DIR"
MW_PID=""
trap '[ -n "$MW_PID" ] && kill "$MW_PID" 2>/dev/null; rm -rf "$DIR"' EXIT

inbox_for() {
  case $1 in
    group) echo "sqlite:$DIR/group.db" ;;
    each) echo "sqlite:$DIR/each.db?commit=each" ;;
    none) echo none ;;
    redis) echo "$MORPH_BENCH_REDIS" ;;
  esac
}

# run MODE CONNECTIONS: prints requests/s (all answers must be 200).
run() {
  local mode=$1 conns=$2 out rps bad threads=2
  [ "$conns" -lt 2 ] && threads=1
  mw_start_serve "$DIR/serve.log" --inbox "$(inbox_for "$mode")"
  out=$(wrk -t"$threads" -c"$conns" -d"${SECONDS_PER_RUN}s" -s "$here/post_events.lua" \
        "$MW_BASE/webhooks/morph" -- "$BODY" "$mode-$conns")
  mw_stop_serve
  MW_PID=""
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  bad=$(awk '/^non-200:/ {print $2}' <<<"$out")
  [ "$bad" = 0 ] || { echo "$mode at $conns: $bad answers were not 200" >&2; exit 1; }
  printf '%.0f' "$rps"
}

# fsyncs MODE: fsync+fdatasync calls per stored event at 64 connections, under strace.
fsyncs() {
  local mode=$1 events calls
  mw_start_serve "$DIR/serve.log" --inbox "$(inbox_for "$mode")"
  strace -f -c -e trace=fsync,fdatasync -o "$DIR/strace.txt" -p "$MW_PID" &
  local tracer=$!
  sleep 1
  wrk -t2 -c64 -d3s -s "$here/post_events.lua" "$MW_BASE/webhooks/morph" -- "$BODY" \
    "strace-$mode" >/dev/null
  mw_stop_serve
  MW_PID=""
  wait "$tracer" || true
  events=$(grep -c '^status=200' "$DIR/serve.log")
  calls=$(awk '$NF == "fsync" || $NF == "fdatasync" {n += $4} END {print n + 0}' "$DIR/strace.txt")
  awk -v c="$calls" -v e="$events" 'BEGIN {printf "%.3f (%d fsyncs, %d events)", c / e, c, e}'
}

echo "serve: $MW; inbox directory: $DIR; ${SECONDS_PER_RUN}s per run"
printf '| clients | group commit | one commit per event | no inbox | group / one | group / none |\n'
printf '|---:|---:|---:|---:|---:|---:|\n'
for conns in 1 16 64; do
  g=$(run group "$conns")
  e=$(run each "$conns")
  n=$(run none "$conns")
  awk -v c="$conns" -v g="$g" -v e="$e" -v n="$n" \
    'BEGIN {printf "| %d | %d/s | %d/s | %d/s | %.1f× | %.0f %% |\n", c, g, e, n, g / e, 100 * g / n}'
done
if [ -n "${MORPH_BENCH_REDIS:-}" ]; then
  echo
  printf '| clients | Redis | SQLite group commit | no inbox | Redis / SQLite | Redis / none |\n'
  printf '|---:|---:|---:|---:|---:|---:|\n'
  for conns in 1 16 64; do
    r=$(run redis "$conns")
    g=$(run group "$conns")
    n=$(run none "$conns")
    awk -v c="$conns" -v r="$r" -v g="$g" -v n="$n" \
      'BEGIN {printf "| %d | %d/s | %d/s | %d/s | %.2f× | %.0f %% |\n", c, r, g, n, r / g, 100 * r / n}'
  done
fi
if command -v strace >/dev/null; then
  echo
  echo "fsyncs per stored event at 64 clients: group commit $(fsyncs group);" \
       "one commit per event $(fsyncs each)"
fi
