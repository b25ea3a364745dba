#!/usr/bin/env bash
# HTTP load benchmark: our receivers against the Node receiver a Morph user would write, and each
# HTTP stack against itself with an empty handler (the floor: the stack without validation).
# A benchmark, not a test: numbers depend on the machine and on what else runs on it.
#
#   benchmarks/http/run.sh [--build DIR] [--seconds S] [--rounds N] [--connections "1 16 64"]
#                          [--budget S] [--wrk-threads N] [--markdown FILE]
#   benchmarks/http/run.sh --smoke [--build DIR]
#
# Run from anywhere; DIR is the build directory (default build/default, the Quick start's) with
# examples/beast_receiver, examples/httplib_receiver and tools/morph-webhook (a Release build).
# The Node servers need node and `npm ci` in benchmarks/node. A server that is missing is
# skipped with a message.
#
# Servers, each on a free 127.0.0.1 port, all started first and stopped at the end:
#   beast_receiver --strict, beast_receiver --empty-handler (examples/, Boost.Beast)
#   httplib_receiver --strict, httplib_receiver --empty-handler (examples/, cpp-httplib)
#   morph-webhook serve --inbox none --strict (Beast, checks and answers, stores nothing)
#   node_receiver.mjs, node_receiver.mjs --empty-handler (node:http + JSON.parse + zod 3.24.1)
# Every server keeps its defaults otherwise (threads: Beast the hardware concurrency, httplib one
# per connection, serve 64, Node one event loop) and writes its one log line per request to a
# file. Each cell: `wrk --latency` for S seconds (default 3) on keep-alive connections POSTing
# benchmarks/data/typical.json (the in-process table's typical event) with the three headers
# (benchmarks/receivers/post_event.lua); every answer must be 200 (socket errors and requests
# unanswered within 10 s are listed under the table). CPU per request is the
# server process's utime + stime (/proc/PID/stat, all threads) over the cell / requests.
# One untimed second at 16 connections warms each server up first. With --rounds N (default 1)
# every cell runs N times, servers interleaved, and the table gives the medians.
#
# Prints progress on stderr and one Markdown table on stdout (the README's), with the ratios
# the targets are about. --budget (default 600 s) bounds the whole run: past it the run stops
# with an error. Every server started is killed on exit, error or Ctrl-C.
#
# --smoke (CI): each server once: a valid event gets 200, a bad body 4xx (200 from the empty
# handlers), then 1 s of wrk at 1 connection with only 200s. No numbers, ~15 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/benchmarks/http
build=$root/build/default
seconds=3
connections="1 16 64"
budget=600
wrk_threads=2
rounds=1
markdown=""
smoke=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --wrk-threads) wrk_threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --markdown) markdown=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (--help)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "run.sh: wrk not found (Debian: apt-get install wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "run.sh: curl not found" >&2; exit 2; }

body=$root/benchmarks/data/typical.json
bad_body=$root/benchmarks/data/invalid.json
lua=$root/benchmarks/receivers/post_event.lua
# shellcheck source=../../examples/serve/serve_lib.sh
. "$root/examples/serve/serve_lib.sh"  # mw_start
deadline=$(( $(date +%s) + budget ))
load_start=$(uptime | sed 's/.*load average: //')
tmp=$(mktemp -d)
declare -A pid_of port_of
started=()  # server pids, for the cleanup

cleanup() {
  local p
  for p in "${started[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 40); do
    local alive=0
    for p in "${started[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 1 ] || break
    sleep 0.05
  done
  for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
exec 3>&2  # the trap may run while stderr goes to a file (wrk_run's timing)
trap 'echo "run.sh: interrupted" >&3; exit 130' INT TERM

# The servers: NAME|STACK|KIND|COMMAND (KIND: validated or empty).
servers=()
add_server() {  # NAME STACK KIND PROGRAM ARGS...
  local program=$4
  if [ ! -x "$program" ]; then
    echo "run.sh: skipping $1: $program not found (build it in $build)" >&2
    return
  fi
  servers+=("$1|$2|$3|${*:4}")
}
add_server beast_receiver Beast validated "$build/examples/beast_receiver" --strict
add_server beast_empty Beast empty "$build/examples/beast_receiver" --empty-handler
add_server httplib_receiver httplib validated "$build/examples/httplib_receiver" --strict
add_server httplib_empty httplib empty "$build/examples/httplib_receiver" --empty-handler
add_server serve serve validated "$build/tools/morph-webhook" serve --inbox none --strict
node=$(command -v node || true)
if [ -z "$node" ]; then
  echo "run.sh: skipping the Node servers: node not found" >&2
elif [ ! -f "$root/benchmarks/node/node_modules/zod/package.json" ]; then
  echo "run.sh: skipping the Node servers: run \`npm ci\` in benchmarks/node first" >&2
else
  add_server node_receiver Node validated "$node" "$here/node_receiver.mjs"
  add_server node_empty Node empty "$node" "$here/node_receiver.mjs" --empty-handler
fi
[ ${#servers[@]} -gt 0 ] || { echo "run.sh: no server to measure" >&2; exit 1; }

check_budget() {
  if [ "$(date +%s)" -gt "$deadline" ]; then
    echo "run.sh: over the time budget of ${budget}s, stopping (--budget)" >&2
    exit 1
  fi
}

# start_server NAME COMMAND...: starts it on a free port (log: $tmp/NAME.log), waits for its
# first line, sets pid_of[NAME] and port_of[NAME].
start_server() {
  local name=$1
  shift
  mw_start "$tmp/$name.log" "$@" --host 127.0.0.1 --port 0 || { started+=("$MW_PID"); exit 1; }
  started+=("$MW_PID")
  pid_of[$name]=$MW_PID
  port_of[$name]=$MW_PORT
}

url() { echo "http://127.0.0.1:${port_of[$1]}/webhooks/morph"; }

# CPU time of server NAME's process (all its threads) so far, user and kernel, in clock ticks.
# The command name, in parentheses, may hold spaces: fields are counted after it.
cpu_ticks() { sed 's/.*) //' "/proc/${pid_of[$1]}/stat" | awk '{ print $12, $13 }'; }
clk_tck=$(getconf CLK_TCK)

# A wrk latency ("385.00us", "1.23ms", "2.00s") in microseconds.
to_us() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000;
                 else if (v ~ /s$/) print n * 1e6; else print -1 }'
}

# wrk_run NAME CONNECTIONS SECONDS: wrk on server NAME, output in $tmp/wrk.out, wrk's own CPU
# seconds (user + system) in $tmp/wrk.cpu.
wrk_run() {
  local c=$2 s=$3 t=$wrk_threads
  [ "$t" -le "$c" ] || t=$c
  local TIMEFORMAT='%U %S'
  { time MORPH_WRK_BODY=$body timeout $(( s + 20 )) \
      wrk -t"$t" -c"$c" -d"${s}s" --timeout 10s --latency -s "$lua" "$(url "$1")" >"$tmp/wrk.out"; } 2>"$tmp/wrk.time"
  awk '{ print $1 + $2 }' "$tmp/wrk.time" >"$tmp/wrk.cpu"
}

# post NAME FILE: prints the status of one POST of FILE to server NAME with the three headers.
post() {
  curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
    -H 'x-conector-id: hubspot' -H 'x-owner-id: owner-1' -H 'x-idempotency-key: smoke-1' \
    --data-binary "@$2" "$(url "$1")"
}

for entry in "${servers[@]}"; do
  IFS='|' read -r name _ _ command <<<"$entry"
  # shellcheck disable=SC2086  # the command is words without spaces
  start_server "$name" $command
done

if [ "$smoke" = 1 ]; then
  failed=0
  for entry in "${servers[@]}"; do
    IFS='|' read -r name stack kind _ <<<"$entry"
    check_budget
    good=$(post "$name" "$body")
    bad=$(post "$name" "$bad_body")
    wrk_run "$name" 1 1
    requests=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$tmp/wrk.out")
    want_bad=4xx
    [ "$kind" = empty ] && want_bad=200
    verdict=ok
    [ "$good" = 200 ] || verdict="FAILED (valid event: $good)"
    case $want_bad:$bad in 4xx:4??|200:200) ;; *) verdict="FAILED (bad body: $bad, want $want_bad)" ;; esac
    [ "${requests:-0}" -gt 0 ] && [ -z "$non2xx" ] || verdict="FAILED (wrk: ${requests:-0} requests, ${non2xx:-0} not 200)"
    echo "smoke: $name ($stack, $kind): valid $good, bad body $bad, ${requests:-0} requests in 1 s: $verdict"
    [ "$verdict" = ok ] || failed=1
  done
  exit "$failed"
fi

for entry in "${servers[@]}"; do
  IFS='|' read -r name _ _ _ <<<"$entry"
  [ "$(post "$name" "$body")" = 200 ] || { echo "run.sh: $name does not answer 200 to the event" >&2; exit 1; }
  wrk_run "$name" 16 1  # warm-up (Node's JIT, buffers, threads)
done

# Rounds: every cell once per round, servers interleaved, so a load that comes and goes on a
# shared machine spreads over all of them; the table takes each cell's median over the rounds.
results=$tmp/results  # NAME STACK KIND CONNECTIONS RPS P50_US P99_US USER_US SYS_US (per request)
: >"$results"
for round in $(seq "$rounds"); do
  for entry in "${servers[@]}"; do
    IFS='|' read -r name stack kind _ <<<"$entry"
    for c in $connections; do
      check_budget
      read -r user0 sys0 <<<"$(cpu_ticks "$name")"
      wrk_run "$name" "$c" "$seconds"
      read -r user1 sys1 <<<"$(cpu_ticks "$name")"
      out=$tmp/wrk.out
      requests=$(awk '/requests in/ { print $1 }' "$out")
      rps=$(awk '/^Requests\/sec/ { print $2 }' "$out")
      p50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$out")")
      p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$out")")
      wrong=$(awk '/Non-2xx/ { print }' "$out")
      if [ -n "$wrong" ] || [ "${requests:-0}" -eq 0 ]; then
        echo "run.sh: $name at $c connections: ${wrong:-no requests}" >&2
        exit 1
      fi
      # Timeouts (no answer within 10 s) and connection errors are reported, not fatal.
      socket_errors=$(awk '/Socket errors/ { sub(/^ */, ""); print }' "$out")
      [ -z "$socket_errors" ] || echo "- round $round, $name at $c connections: $socket_errors" >>"$tmp/notes"
      per_request() { awk -v t="$1" -v hz="$clk_tck" -v n="$requests" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }'; }
      user_us=$(per_request $(( user1 - user0 )))
      sys_us=$(per_request $(( sys1 - sys0 )))
      wrk_cpu=$(awk -v s="$(cat "$tmp/wrk.cpu")" -v d="$seconds" 'BEGIN { printf "%.0f", 100 * s / d }')
      echo "$name $stack $kind $c $rps $p50 $p99 $user_us $sys_us" >>"$results"
      printf 'round %d: %-16s c=%-3s %7.0f req/s  p50 %6.0f us  p99 %6.0f us  CPU/request %5.1f us user + %5.1f us kernel  (wrk: %s %% of a core)\n' \
        "$round" "$name" "$c" "$rps" "$p50" "$p99" "$user_us" "$sys_us" "$wrk_cpu" >&2
    done
  done
done

# Medians over the rounds, each column on its own: one line per server and connection count.
medians=$(awk '
  { key = $1 " " $2 " " $3 " " $4; if (!(key in count)) order[++keys] = key
    k = ++count[key]; for (f = 5; f <= 9; f++) v[key, f, k] = $f }
  END {
    for (i = 1; i <= keys; i++) {
      key = order[i]; m = count[key]; line = key
      for (f = 5; f <= 9; f++) {
        for (a = 1; a <= m; a++) s[a] = v[key, f, a]
        for (a = 2; a <= m; a++) { x = s[a]; for (b = a - 1; b >= 1 && s[b] > x; b--) s[b + 1] = s[b]; s[b + 1] = x }
        line = line " " (m % 2 ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2)
      }
      print line
    }
  }' "$results")

# The table. Ratios: validation cost = 1 - validated / empty (req/s, same stack, same
# connections); vs Node = req/s over the Node receiver's with the same handler kind (validated
# or empty) at the same connections; CPU vs Node = this one's CPU per request / Node's.
table=$(awk -v seconds="$seconds" -v rounds="$rounds" -v load_start="$load_start" \
            -v load_end="$(uptime | sed 's/.*load average: //')" -v cores="$(nproc)" \
            -v wrk_threads="$wrk_threads" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
            -v bytes="$(wc -c <"$body" | tr -d ' ')" '
  function lat(us) { return us >= 1000 ? sprintf("%.2f ms", us / 1000) : sprintf("%.0f µs", us) }
  { n++; name[n] = $1; stack[n] = $2; kind[n] = $3; c[n] = $4; rps[n] = $5; p50[n] = $6
    p99[n] = $7; user[n] = $8; sys[n] = $9; cpu[n] = $8 + $9; by[$2 SUBSEP $3 SUBSEP $4] = n }
  END {
    printf "HTTP load, %s, %d cores; load average (1, 5, 15 min) %s at the start, %s at the end. ", date, cores, load_start, load_end
    printf "wrk on the same machine (%d threads), keep-alive, POSTs of the typical event (%d bytes), every answer 200; ", wrk_threads, bytes
    printf "%d s per cell, median of %d interleaved round(s). CPU / request: the server process, all threads (user + kernel).\n\n", seconds, rounds
    print "| server | connections | req/s | p50 | p99 | CPU / request (user + kernel) | validation cost: req/s | validation cost: CPU | req/s vs Node | CPU / request vs Node |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
      e = by[stack[i] SUBSEP "empty" SUBSEP c[i]]
      cost = (kind[i] == "validated" && e) ? sprintf("%.1f %%", 100 * (1 - rps[i] / rps[e])) : "-"
      ccost = (kind[i] == "validated" && e) ? sprintf("%.1f %%", 100 * (1 - cpu[e] / cpu[i])) : "-"
      nd = by["Node" SUBSEP kind[i] SUBSEP c[i]]
      vs = (nd && stack[i] != "Node") ? sprintf("%.1f×", rps[i] / rps[nd]) : "-"
      cvs = (nd && stack[i] != "Node") ? sprintf("1/%.1f", cpu[nd] / cpu[i]) : "-"
      printf "| %s | %d | %.0f | %s | %s | %.1f µs (%.1f + %.1f) | %s | %s | %s | %s |\n", name[i], c[i], rps[i], lat(p50[i]), lat(p99[i]), cpu[i], user[i], sys[i], cost, ccost, vs, cvs
    }
    print ""
    print "Validation cost: req/s = 1 - req/s / the empty handler'"'"'s on the same stack and connections; CPU = 1 - the empty handler'"'"'s CPU per request / this one'"'"'s (the same when the server is CPU-bound, and steadier on a loaded machine). vs Node: against node_receiver (node_empty for the empty handlers), same connections."
    print ""
    top = 0
    for (i = 1; i <= n; i++) if (c[i] > top) top = c[i]
    printf "Targets, at %d connections:\n\n", top
    for (i = 1; i <= n; i++) {
      if (c[i] != top || kind[i] != "validated") continue
      e = by[stack[i] SUBSEP "empty" SUBSEP c[i]]
      if (e) {
        cost = 100 * (1 - rps[i] / rps[e]); ccost = 100 * (1 - cpu[e] / cpu[i])
        printf "- %s: validation costs %.1f %% of the empty handler'"'"'s req/s: %s (target <= 5 %%); in CPU per request %.1f %%\n", name[i], cost, (cost <= 5 ? "MET" : "MISSED"), ccost
      }
      nd = by["Node" SUBSEP "validated" SUBSEP c[i]]
      if (nd && stack[i] != "Node") {
        r = rps[i] / rps[nd]; q = cpu[nd] / cpu[i]
        printf "- %s: %.1f× the Node receiver'"'"'s req/s: %s (target >= 5×); CPU per request 1/%.1f of Node'"'"'s: %s (target <= 1/5)\n", name[i], r, (r >= 5 ? "MET" : "MISSED"), q, (q >= 5 ? "MET" : "MISSED")
      }
    }
  }' <<<"$medians")
[ ! -s "$tmp/notes" ] || table+=$'\n\nwrk reported (requests without an answer are not in req/s):\n\n'$(cat "$tmp/notes")
echo "$table"
[ -z "$markdown" ] || echo "$table" >"$markdown"
