# Bash helpers to drive `morph-webhook serve` (sourced by examples/serve/demo.sh and the tests
# in tests/serve/). Needs curl. Set MW to the morph-webhook binary before sourcing.

# mw_start LOG COMMAND...: starts COMMAND, a server that prints `listening on HOST:PORT` first,
# in the background (stdout to LOG, stderr to LOG.err), waits for that line and sets MW_PID,
# MW_PORT and MW_BASE (http://127.0.0.1:PORT). Fails when it exits instead.
mw_start() {
  local log=$1
  shift
  rm -f "$log" "$log.err"  # a log left by an earlier run must not be read as this one's
  "$@" >"$log" 2>"$log.err" &
  MW_PID=$!
  local i
  for i in $(seq 400); do
    if head -n 1 "$log" 2>/dev/null | grep -q '^listening on '; then
      MW_PORT=$(head -n 1 "$log" | sed 's/.*://')
      MW_BASE="http://127.0.0.1:$MW_PORT"
      return 0
    fi
    kill -0 "$MW_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "${1##*/} did not start:" >&2
  cat "$log.err" >&2
  return 1
}

# mw_start_serve LOG ARGS...: mw_start of `serve --host 127.0.0.1 --port 0 ARGS...`.
mw_start_serve() {
  local log=$1
  shift
  mw_start "$log" "$MW" serve --host 127.0.0.1 --port 0 "$@"
}

# mw_stop_serve: SIGTERM, then waits; returns serve's exit status.
mw_stop_serve() {
  kill -TERM "$MW_PID" 2>/dev/null || true
  local rc=0
  wait "$MW_PID" || rc=$?
  return "$rc"
}

# mw_post URL KEY FILE [CURL ARGS...]: POSTs FILE with the sample headers (connector hubspot,
# owner acme-prod-eu) and idempotency key KEY (empty: no key header); prints "STATUS BODY".
mw_post() {
  local url=$1 key=$2 file=$3
  shift 3
  local args=(-H 'content-type: application/json' -H 'x-conector-id: hubspot'
              -H 'x-owner-id: acme-prod-eu')
  [ -n "$key" ] && args+=(-H "x-idempotency-key: $key")
  local body
  body=$(curl -sS --max-time 30 -w ' %{http_code}' "${args[@]}" "$@" --data-binary "@$file" "$url") ||
    { echo "000 curl failed"; return 0; }
  echo "${body##* } ${body% *}"
}
