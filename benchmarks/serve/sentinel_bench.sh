#!/usr/bin/env bash
# Appends per second through `morph-webhook serve` on a Redis primary with one replica behind
# three sentinels (a redis-sentinel:// inbox), with replicas=0 (answered once the primary has
# the event) and replicas=1 (answered once WAIT confirms the replica has it too), at 16 and 64
# concurrent clients (wrk, keep-alive, every request a new event). Everything runs on 127.0.0.1
# free ports in a temporary directory under DIR, and is stopped at the end. Not a test: short
# runs, numbers reported with the machine's load (uptime). docs/redis-failover.md quotes them.
#   usage: sentinel_bench.sh MORPH_WEBHOOK [DIR] [SECONDS]
# DIR: where the Redis AOF files go (default /tmp; on tmpfs fsync is free, on a disk
# appendfsync always costs what the disk's fsync costs).
set -euo pipefail
MW=$(realpath "$1")
BASE=$(realpath "${2:-/tmp}")
SECONDS_PER_RUN=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
BODY=$here/../../examples/payloads/call-created.json
# shellcheck source=../../examples/serve/serve_lib.sh
. "$here/../../examples/serve/serve_lib.sh"
for tool in wrk redis-server; do
  command -v "$tool" >/dev/null || { echo "needs $tool (Debian: apt-get install $tool)"; exit 2; }
done
SENTINEL=$(command -v redis-sentinel || true)
DIR=$(mktemp -d "$BASE/sentinel-bench.XXXXXX")
PIDS=()
MW_PID=""
cleanup() {
  [ -n "$MW_PID" ] && kill "$MW_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PW=bench-$$-$RANDOM
SPW=sentinel-$$-$RANDOM
echo "$PW" >"$DIR/password"
echo "$SPW" >"$DIR/sentinel-password"

node() {  # node NAME PORT [ARGS...]: a data node, AOF always, in DIR/NAME
  local name=$1 port=$2
  shift 2
  mkdir -p "$DIR/$name"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$DIR/$name" --appendonly yes \
    --appendfsync always --save '' --requirepass "$PW" --masterauth "$PW" \
    --repl-diskless-sync-delay 0 --logfile "$DIR/$name/redis.log" "$@" &
  PIDS+=($!)
}
cli() { redis-cli -p "$1" -a "$2" --no-auth-warning "${@:3}"; }

P0=$(free_port); P1=$(free_port)
node primary "$P0"
node replica "$P1" --replicaof 127.0.0.1 "$P0"
SPORTS=()
for i in 0 1 2; do
  port=$(free_port)
  SPORTS+=("$port")
  cat >"$DIR/sentinel-$i.conf" <<CONF
port $port
bind 127.0.0.1
dir $DIR
requirepass $SPW
sentinel monitor bench 127.0.0.1 $P0 2
sentinel auth-pass bench $PW
sentinel sentinel-pass $SPW
sentinel down-after-milliseconds bench 5000
CONF
  if [ -n "$SENTINEL" ]; then
    "$SENTINEL" "$DIR/sentinel-$i.conf" >"$DIR/sentinel-$i.log" 2>&1 &
  else
    redis-server "$DIR/sentinel-$i.conf" --sentinel >"$DIR/sentinel-$i.log" 2>&1 &
  fi
  PIDS+=($!)
done
for _ in $(seq 200); do
  cli "$P1" "$PW" info replication 2>/dev/null | grep -q 'master_link_status:up' && break
  sleep 0.05
done
cli "$P1" "$PW" info replication | grep -q 'master_link_status:up' ||
  { echo "the replica did not sync"; exit 1; }
SENTINELS=$(printf '127.0.0.1:%s,' "${SPORTS[@]}")
SENTINELS=${SENTINELS%,}

# run REPLICAS CONNECTIONS: prints requests/s (all answers must be 200).
run() {
  local replicas=$1 conns=$2 out rps bad latency
  mw_start_serve "$DIR/serve.log" --threads 64 \
    --inbox "redis-sentinel://$SENTINELS/bench?name=bench-$replicas-$conns&replicas=$replicas" \
    --redis-password-file "$DIR/password" --sentinel-password-file "$DIR/sentinel-password"
  out=$(wrk -t2 -c"$conns" -d"${SECONDS_PER_RUN}s" --latency -s "$here/post_events.lua" \
        "$MW_BASE/webhooks/morph" -- "$BODY" "r$replicas-c$conns")
  mw_stop_serve || true
  MW_PID=""
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  latency=$(awk '$1 == "50%" {print $2}' <<<"$out")
  bad=$(awk '/^non-200:/ {print $2}' <<<"$out")
  [ "$bad" = 0 ] || { echo "replicas=$replicas at $conns: $bad answers were not 200" >&2; exit 1; }
  printf '%8.0f %10s' "$rps" "$latency"
}

echo "appends/s through serve, redis-sentinel:// (primary + 1 replica, AOF always in $BASE), ${SECONDS_PER_RUN}s per run"
echo "load before: $(uptime)"
printf '%-11s %-8s %8s %10s\n' replicas clients "appends/s" "median"
for replicas in 0 1; do
  for conns in 16 64; do
    printf '%-11s %-8s %s\n' "replicas=$replicas" "$conns" "$(run "$replicas" "$conns")"
  done
done
echo "load after: $(uptime)"
