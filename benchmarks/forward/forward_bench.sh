#!/usr/bin/env bash
# Deliveries per second out of the inbox: `morph-webhook forward` to a local endpoint that
# answers 200 at once (`serve --inbox none`: a Beast server that checks the body and answers),
# at concurrency 1, 8 and 64, next to `inbox work -- true` (one process per event) at 1 and 8,
# and next to serve's durable append rate at 64 clients (wrk), which also fills the inbox.
# CPU per event is the consumer's own user+system time (the endpoint's is not counted).
# Not a test: run it by hand, on the disk you care about, and report `uptime` with the numbers.
#   usage: forward_bench.sh MORPH_WEBHOOK [DIR] [SECONDS]
# MORPH_WEBHOOK should be a Release build. Each consumer runs at most SECONDS (default 5) on a
# copy of the same inbox; events/s = deliveries acked / wall time.
set -euo pipefail
MW=$(realpath "$1")
DIR=$(realpath "${2:-.}")/forward-bench.$$
SECONDS_PER_RUN=${3:-5}
FILL_SECONDS=${FILL_SECONDS:-4}
here=$(cd "$(dirname "$0")" && pwd)
BODY=$here/../../examples/payloads/call-created.json
# shellcheck source=../../examples/serve/serve_lib.sh
. "$here/../../examples/serve/serve_lib.sh"
command -v wrk >/dev/null || { echo "needs wrk (Debian: apt-get install wrk)"; exit 2; }
mkdir -p "$DIR"
endpoint_pid=""
MW_PID=""
cleanup() {
  [ -n "$MW_PID" ] && kill "$MW_PID" 2>/dev/null
  [ -n "$endpoint_pid" ] && kill "$endpoint_pid" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT

stat_of() { "$MW" inbox stats --inbox "$1" --format json | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }

# 1. serve's durable append rate at 64 clients, filling the inbox.
mw_start_serve "$DIR/fill.log" --inbox "sqlite:$DIR/base.db"
out=$(wrk -t 2 -c 64 -d "${FILL_SECONDS}s" -s "$here/../serve/post_events.lua" \
        "$MW_BASE/webhooks/morph" -- "$BODY" fill)
append_rate=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
mw_stop_serve
MW_PID=""
events=$(stat_of "sqlite:$DIR/base.db" ready)

# 2. The endpoint.
mw_start_serve "$DIR/endpoint.log" --inbox none --threads 2
endpoint_pid=$MW_PID
MW_PID=""
url=$MW_BASE/webhooks/morph

# run NAME COMMAND...: the consumer on a fresh copy of the inbox for at most SECONDS_PER_RUN.
run() {
  local name=$1
  shift
  rm -f "$DIR"/run.db*
  local f
  for f in "$DIR"/base.db*; do cp "$f" "$DIR/run.db${f#"$DIR"/base.db}"; done
  local inbox="sqlite:$DIR/run.db"
  /usr/bin/time -o "$DIR/time" -f '%e %U %S' timeout -s TERM "$SECONDS_PER_RUN" \
    "${@//@INBOX@/$inbox}" >/dev/null 2>"$DIR/consumer.err" || true
  local t
  t=$(tail -n 1 "$DIR/time")
  local acked
  acked=$(stat_of "$inbox" acked_retained)
  awk -v name="$name" -v n="$acked" -v t="$t" 'BEGIN {
        split(t, f, " "); wall = f[1]; cpu = f[2] + f[3];
        printf "| %-34s | %8d | %9.0f | %10.1f |\n", name, n, n / wall, cpu * 1e6 / (n ? n : 1) }'
}

echo "inbox: $events events ($(wc -c <"$BODY") bytes each), serve's durable appends at 64 clients: $append_rate/s"
echo "load before: $(uptime)"
echo
echo "| consumer                           | acked    | events/s  | CPU µs/event |"
echo "|------------------------------------|----------|-----------|------------|"
for c in 1 8 64; do
  run "forward --concurrency $c" "$MW" forward --inbox @INBOX@ --to "$url" --concurrency "$c" \
    --until-empty --quiet
done
for c in 1 8; do
  run "inbox work --concurrency $c -- true" "$MW" inbox work --inbox @INBOX@ --concurrency "$c" \
    --until-empty --poll 10ms -- true
done
echo
echo "load after: $(uptime)"
