#!/bin/sh
# Load test of a receiver with wrk (a benchmark, not a test: numbers depend on the machine).
#
#   benchmarks/receivers/run.sh RECEIVER [SECONDS] [CONNECTIONS...]   (from the repository root)
#   e.g. benchmarks/receivers/run.sh build/default/examples/beast_receiver 10 16 64
#
# Starts RECEIVER on a free 127.0.0.1 port (its log to /dev/null), runs `wrk --latency` with a
# real event on keep-alive connections for each connection count, and prints requests/s, the
# p50/p99 latency, and the TCP connections the kernel accepted meanwhile (so requests per
# connection: keep-alive reuse) and the listen-queue overflows. Extra receiver options go in
# $RECEIVER_ARGS.
set -eu
receiver=$1
seconds=${2:-10}
shift $(( $# >= 2 ? 2 : 1 ))
counts=${*:-16 64}
command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install wrk)" >&2; exit 2; }

out=$(mktemp)
# shellcheck disable=SC2086
"$receiver" --host 127.0.0.1 --port 0 ${RECEIVER_ARGS:-} >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT
i=0
until grep -q '^listening on' "$out"; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "receiver did not start" >&2; exit 1; }; sleep 0.05
done
port=$(head -n 1 "$out" | sed 's/.*://')
# Only the first line is kept: the request log would grow without bound.
: >"$out"

counter() {  # $1: Tcp field of /proc/net/snmp or TcpExt field of /proc/net/netstat
  awk -v f="$1" '$1 ~ /^(Tcp|TcpExt):$/ { if (!n[$1]++) { for (i = 2; i <= NF; i++) h[$1, i] = $i }
       else for (i = 2; i <= NF; i++) if (h[$1, i] == f) print $i }' /proc/net/snmp /proc/net/netstat
}

for c in $counts; do
  opens=$(counter PassiveOpens); overflows=$(counter ListenOverflows)
  result=$(wrk -t2 -c"$c" -d"${seconds}s" --latency -s benchmarks/receivers/post_event.lua \
           "http://127.0.0.1:$port/webhooks/morph")
  opens=$(( $(counter PassiveOpens) - opens )); overflows=$(( $(counter ListenOverflows) - overflows ))
  requests=$(echo "$result" | awk '/requests in/ { print $1 }')
  rps=$(echo "$result" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$result" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$result" | awk '$1 == "99%" { print $2 }')
  errors=$(echo "$result" | awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }')
  echo "$(basename "$receiver") c=$c: ${rps} req/s, p50 ${p50}, p99 ${p99}," \
       "${opens} connections accepted ($(( requests / (opens > 0 ? opens : 1) )) requests each)," \
       "${overflows} listen overflows ${errors}"
done
