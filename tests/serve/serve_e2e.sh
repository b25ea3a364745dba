#!/usr/bin/env bash
# End-to-end tests of `morph-webhook serve` and `morph-webhook inbox` with real processes, real
# SQLite files and real HTTP on 127.0.0.1 (curl). Usage: serve_e2e.sh MORPH_WEBHOOK PAYLOADS_DIR
# Every wait is bounded; every process started is stopped on exit.
set -uo pipefail
MW=$1
PAYLOADS=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../examples/serve/serve_lib.sh
. "$here/../../examples/serve/serve_lib.sh"

work=$(mktemp -d)
MW_PID=""
worker_pid=""
cleanup() {
  [ -n "$MW_PID" ] && kill -9 "$MW_PID" 2>/dev/null
  [ -n "$worker_pid" ] && kill -9 -- "-$worker_pid" 2>/dev/null
  chattr -i "$work/readonly.db" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 2

failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; failures=$((failures + 1)); }
# expect NAME ACTUAL EXPECTED
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi; }
# expect_match NAME TEXT REGEX
expect_match() {
  if grep -qE -- "$3" <<<"$2"; then pass "$1"; else fail "$1: '$2' does not match /$3/"; fi
}
field() { sed -n "s/.*\"$1\":\([a-z0-9]*\).*/\1/p" <<<"$2"; }
stat_of() { "$MW" inbox stats --inbox "$1" --format json | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }

models=$here/../data/models
call=$PAYLOADS/call-created.json
contact=$PAYLOADS/contact-updated.json
meeting=$PAYLOADS/meeting-updated.json
# The same meeting one day older: arrives after the newer one, so it is stale.
sed 's/"updatedAt": "2025-03-06T09:05:04.606Z"/"updatedAt": "2025-03-05T09:05:04.606Z"/' \
  "$meeting" >older-meeting.json
cmp -s "$meeting" older-meeting.json && fail "older-meeting.json is not older"
printf '{"event":"widgetCardView::created","data":{"object":"resource","model":"widgetCardView","id":"w1","fields":{},"createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z"}}' >widget.json
head -c 40000 /dev/zero | tr '\0' ' ' >big.json
cat "$call" >>big.json
secret=s3cr3t-0123456789abcdef
echo "$secret" >secret.txt

# ---- 1. the webhook: stored, duplicate, stale, rejected; secret; health; metrics -----------
echo "== serve: answers"
mw_start_serve serve.log --inbox sqlite:inbox.db --secret-file secret.txt --max-body-bytes 30000 ||
  exit 1
url=$MW_BASE/webhooks/morph/$secret
r=$(mw_post "$url" call-1 "$call")
expect "new event: 200" "${r%% *}" 200
expect "new event: not duplicate" "$(field duplicate "$r")" false
first=$(field delivery "$r")
r=$(mw_post "$url" call-1 "$call")
expect "retry (same key): 200 duplicate" "${r%% *} $(field duplicate "$r")" "200 true"
expect "retry: same delivery" "$(field delivery "$r")" "$first"
r=$(mw_post "$url" call-1-resent-later "$call")
expect "identical body, new key: 200 duplicate" "${r%% *} $(field duplicate "$r")" "200 true"
r=$(mw_post "$url" meeting-new "$meeting")
expect "newer update: 200 not stale" "${r%% *} $(field stale "$r")" "200 false"
r=$(mw_post "$url" meeting-old "older-meeting.json")
expect "older update after it: 200 stored stale" \
  "${r%% *} $(field duplicate "$r") $(field stale "$r")" "200 false true"
r=$(mw_post "$url" contact-1 "$contact")
expect "other model (envelope): 200" "${r%% *} $(field duplicate "$r")" "200 false"
r=$(mw_post "$url" bad-1 "$PAYLOADS/invalid/bad-date.json")
expect_match "invalid body: 400 invalid_value" "$r" '^400 .*"invalid_value"'
r=$(mw_post "$url" "" "$call")
expect_match "missing key header: 400" "$r" '^400 .*"missing_header"'
r=$(mw_post "$url" big-1 big.json)
expect_match "body over --max-body-bytes: 413" "$r" '^413 .*"body_too_large"'
r=$(mw_post "$url" widget-1 widget.json)
expect_match "widgetCardView: 422 with a reason" "$r" '^422 .*widgetCardView'
unknown=$(mw_post "$MW_BASE/nowhere" k "$call")
expect_match "unknown path: 404" "$unknown" '^404 '
r=$(mw_post "$MW_BASE/webhooks/morph/wrong-secret-0123456789" k2 "$call")
expect "wrong secret: same 404 as an unknown path" "$r" "$unknown"
r=$(mw_post "$MW_BASE/webhooks/morph" k3 "$call")
expect "no secret: same 404 as an unknown path" "$r" "$unknown"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
expect "GET on the webhook: 405" "$code" 405
code=$(curl -s -o /dev/null -w '%{http_code}' "$MW_BASE/healthz")
expect "healthz: 200" "$code" 200
metrics=$(curl -s "$MW_BASE/metrics")
expect_match "metrics: stored" "$metrics" '^morph_webhook_appends_total\{result="stored"\} 4$'
expect_match "metrics: duplicate" "$metrics" '^morph_webhook_appends_total\{result="duplicate"\} 2$'
expect_match "metrics: stale" "$metrics" '^morph_webhook_appends_stale_total 1$'
expect_match "metrics: 422 counted" "$metrics" '^morph_webhook_requests_total\{status="422"\} 1$'
expect_match "metrics: latency histogram" "$metrics" '^morph_webhook_append_duration_seconds_count 6$'
expect_match "metrics: inbox depth" "$metrics" '^morph_webhook_inbox_deliveries\{state="ready"\} 4$'
expect_match "metrics: storage up" "$metrics" '^morph_webhook_storage_up 1$'
mw_stop_serve
expect "serve: exit 0 on SIGTERM" "$?" 0
if grep -qF -- "$secret" serve.log serve.log.err <<<"$metrics"; then
  fail "the secret appears in a log line or in the metrics"
else
  pass "the secret is in no log line and no metric"
fi
expect "one log line per request (+ listening)" "$(wc -l <serve.log)" 17
expect "inbox file mode 0600" "$(stat -c %a inbox.db)" 600
[ -e inbox.db-wal ] && expect "WAL file mode 0600" "$(stat -c %a inbox.db-wal)" 600

echo "== serve --models"
mw_start_serve models.log --inbox sqlite:inbox.db --models crmEngagement || exit 1
r=$(mw_post "$MW_BASE/webhooks/morph" contact-2 "$contact")
expect_match "model not in --models: 422" "$r" '^422 .*"unsupported_model"'
r=$(mw_post "$MW_BASE/webhooks/morph" call-1 "$call")
expect "same file after restart: still a duplicate" "${r%% *} $(field delivery "$r")" "200 $first"
mw_stop_serve

# ---- 2. drain: a request in flight at SIGTERM is answered, then serve exits 0 ---------------
echo "== serve: drain on SIGTERM"
mw_start_serve drain.log --inbox sqlite:inbox.db || exit 1
# 680 bytes at 500 bytes/s: the request is being read when the signal arrives.
mw_post "$MW_BASE/webhooks/morph" slow-1 "$models/generic_contact_updated.json" --limit-rate 500 \
  >slow.out &
client=$!
sleep 0.5
mw_stop_serve
expect "drain: serve exits 0" "$?" 0
wait "$client"
expect_match "drain: the in-flight request got its 200" "$(cat slow.out)" '^200 .*"duplicate":false'

# ---- 3. start-up errors: exit 2 with a clear message ---------------------------------------
echo "== start-up errors"
head -c 8192 /dev/urandom >corrupt.db
"$MW" serve --port 0 --inbox sqlite:corrupt.db >/dev/null 2>err.txt
expect "corrupt inbox: exit 2" "$?" 2
expect_match "corrupt inbox: says so" "$(cat err.txt)" 'cannot open the inbox: .*not a database'
"$MW" serve --port 0 --inbox sqlite:no-such-dir/inbox.db >/dev/null 2>err.txt
expect "inbox in a missing directory: exit 2" "$?" 2
expect_match "missing directory: says so" "$(cat err.txt)" 'cannot create the inbox'
mkdir ro-dir
"$MW" serve --port 0 --inbox sqlite:ro-dir >/dev/null 2>err.txt
expect "inbox path is a directory: exit 2" "$?" 2
# Root ignores file modes (CI runs as root), not the immutable attribute.
cp inbox.db readonly.db && chmod 0400 readonly.db
readonly_ok=yes
if [ "$(id -u)" = 0 ]; then chattr +i readonly.db 2>/dev/null || readonly_ok=""; fi
if [ -n "$readonly_ok" ]; then
  "$MW" serve --port 0 --inbox sqlite:readonly.db >/dev/null 2>err.txt
  expect_match "unwritable inbox: exit 2, says so" "$? $(cat err.txt)" '^2 .*not writable'
  [ "$(id -u)" = 0 ] && chattr -i readonly.db
else
  echo "skip unwritable file (root, and no immutable attribute here)"
fi
# Nothing listens on port 1: with --storage-wait 0s, exit 2 at once whether Redis support is
# built in or not, and the password of the URI is in no message. (By default serve waits for
# Redis up to 2 minutes: tests/serve/serve_logs_test.cpp.)
"$MW" serve --port 0 --storage-wait 0s --inbox 'redis://:pw-e2e-secret@127.0.0.1:1' \
  >/dev/null 2>err.txt
expect_match "redis URI, no server: exit 2" "$? $(cat err.txt)" \
  '^2 .*(built with hiredis|Redis at redis://127.0.0.1:1/0\?name=morph unavailable)'
expect "redis URI: no password in the message" "$(grep -c pw-e2e-secret err.txt)" 0
"$MW" serve --port 0 --inbox 'sqlite:x.db?nonsense=1' >/dev/null 2>err.txt
expect "unknown URI parameter: exit 2" "$?" 2
"$MW" serve --port 0 --bogus >/dev/null 2>&1
expect "unknown option: exit 2" "$?" 2

# ---- 4. inbox commands: pull, ack, fail, dead, requeue ----------------------------------------
echo "== inbox pull/ack/fail/dead/requeue"
U='sqlite:inbox.db?max_attempts=1'
line=$("$MW" inbox pull --inbox "$U" --max 1 --lease 30s --wait 0s)
expect "pull: exit 0" "$?" 0
expect_match "pull: JSON line with the body as JSON" "$line" \
  '^\{"delivery":[0-9]+,"lease":"[0-9a-f]+","attempt":1,"stale":false,"received_at":"[0-9T:.-]+Z",.*"body":\{"event":'
id=$(field delivery "$line")
token=$(sed 's/.*"lease":"\([0-9a-f]*\)".*/\1/' <<<"$line")
"$MW" inbox ack --inbox "$U" "$id:wrong" >/dev/null 2>&1
expect "ack with a wrong token: exit 1" "$?" 1
"$MW" inbox ack --inbox "$U" "$id:$token" >/dev/null
expect "ack: exit 0" "$?" 0
"$MW" inbox ack --inbox "$U" "$id:$token" >/dev/null 2>&1
expect "ack twice: exit 1" "$?" 1
"$MW" inbox ack --inbox "$U" "not-a-lease" >/dev/null 2>&1
expect "ack of garbage: exit 2" "$?" 2
line=$("$MW" inbox pull --inbox "$U" --max 1 --wait 0s)
id=$(field delivery "$line")
token=$(sed 's/.*"lease":"\([0-9a-f]*\)".*/\1/' <<<"$line")
out=$("$MW" inbox fail --inbox "$U" "$id:$token" --reason "crm down")
expect "fail at max_attempts=1: dead" "$out" "dead $id"
expect_match "dead: listed with its reason" "$("$MW" inbox dead --inbox "$U")" \
  "^\\{\"delivery\":$id,.*\"last_error\":\"crm down\"\\}$"
"$MW" inbox requeue --inbox "$U" "$id" >/dev/null
expect "requeue of a dead letter: exit 0" "$?" 0
"$MW" inbox requeue --inbox "$U" "$id" >/dev/null 2>&1
expect "requeue of a ready delivery: exit 1" "$?" 1

# ---- 5. inbox work: environment, ack on 0, fail otherwise, SIGTERM, kill -9 -------------------
echo "== inbox work"
ready=$(stat_of sqlite:inbox.db ready)
# shellcheck disable=SC2016
"$MW" inbox work --inbox sqlite:inbox.db --until-empty -- sh -c \
  'printf "%s %s %s %s %s %s %s\n" "$MORPH_DELIVERY_ID" "$MORPH_ATTEMPT" "$MORPH_STALE" \
     "$MORPH_CONNECTOR_ID" "$MORPH_OWNER_ID" "$MORPH_IDEMPOTENCY_KEY" "$(wc -c)" >>env.txt' \
  2>work.err
expect "work --until-empty: exit 0" "$?" 0
expect "work: one command per ready delivery" "$(wc -l <env.txt)" "$ready"
expect_match "work: MORPH_* variables and the body on stdin" "$(cat env.txt)" \
  '^[0-9]+ [0-9]+ (true|false) hubspot acme-prod-eu [^ ]+ [1-9][0-9]*$'
# Section 4 made meeting-new dead and requeued it: it went to the back of its resource, so the
# older meeting runs first, and is not stale (nothing newer was acked before it).
expect_match "work: one resource in order, a requeued delivery behind it" \
  "$(grep -o 'false hubspot acme-prod-eu meeting-[a-z]*' env.txt | tr '\n' ' ')" \
  '^false hubspot acme-prod-eu meeting-old false hubspot acme-prod-eu meeting-new $'
expect "work: all acked" "$(stat_of sqlite:inbox.db ready)" 0

"$MW" inbox work --inbox sqlite:inbox.db --until-empty -- no-such-program-xyz 2>err.txt
expect_match "work with a missing program: exit 2, says so" "$? $(cat err.txt)" '^2 .*no-such-program-xyz.*not found'

mw_start_serve work.log --inbox sqlite:inbox.db || exit 1
mw_post "$MW_BASE/webhooks/morph" failing-1 "$PAYLOADS/email-created.json" >/dev/null
"$MW" inbox work --inbox sqlite:inbox.db --until-empty -- sh -c 'cat >/dev/null; exit 3' 2>work.err
expect "work: exit status 3 fails the delivery" "$(stat_of sqlite:inbox.db delayed)" 1
expect_match "work: says why" "$(cat work.err)" 'exit 3, failed, retry at'

# SIGTERM while a command runs: it finishes and its delivery is acked.
mw_post "$MW_BASE/webhooks/morph" slow-job "$PAYLOADS/note-dropped-fields.json" >/dev/null
"$MW" inbox work --inbox sqlite:inbox.db -- sh -c 'sleep 1; cat >/dev/null' 2>work.err &
wpid=$!
for _ in $(seq 100); do [ "$(stat_of sqlite:inbox.db leased)" = 1 ] && break; sleep 0.05; done
kill -TERM "$wpid"
wait "$wpid"
expect "work: SIGTERM exits 0" "$?" 0
expect_match "work: the running command finished and was acked" "$(cat work.err)" 'exit 0, acked'
expect "work: nothing left leased" "$(stat_of sqlite:inbox.db leased)" 0

# kill -9 mid-lease: the deliveries come back once the lease has expired.
mw_post "$MW_BASE/webhooks/morph" crash-1 "$PAYLOADS/call-deleted.json" >/dev/null
mw_post "$MW_BASE/webhooks/morph" crash-2 "$models/crm_quote_created.json" >/dev/null
mw_stop_serve
setsid "$MW" inbox work --inbox sqlite:inbox.db --concurrency 2 --lease 2s -- sleep 60 \
  2>/dev/null &
worker_pid=$!
for _ in $(seq 100); do [ "$(stat_of sqlite:inbox.db leased)" = 2 ] && break; sleep 0.05; done
expect "kill -9: two deliveries leased" "$(stat_of sqlite:inbox.db leased)" 2
sleep 1  # at least one lease renewal
kill -9 -- "-$worker_pid"
wait "$worker_pid" 2>/dev/null
worker_pid=""
expect "kill -9: still leased right after" "$(stat_of sqlite:inbox.db leased)" 2
# The two leases were renewed at different moments: collect (bounded) until both are back.
back=""
for _ in $(seq 20); do
  back+=$("$MW" inbox pull --inbox sqlite:inbox.db --max 5 --wait 1s)$'\n'
  [ "$(grep -cE '"attempt":2,.*"idempotency_key":"crash-[12]"' <<<"$back")" -ge 2 ] && break
done
expect "kill -9: both come back after the lease, attempt 2" \
  "$(grep -cE '"attempt":2,.*"idempotency_key":"crash-[12]"' <<<"$back")" 2

# ---- 6. full disk: 503, nothing acknowledged lost, recovery without restart --------------------
echo "== full disk (max_bytes)"
mw_start_serve full.log --inbox 'sqlite:full.db?max_bytes=131072' || exit 1
stored=0
got503=""
for i in $(seq 400); do
  sed "s/\"id\": \"[0-9]*\"/\"id\": \"full-$i\"/" "$call" >one.json
  r=$(mw_post "$MW_BASE/webhooks/morph" "full-$i" one.json)
  case "${r%% *}" in
    200) stored=$((stored + 1)); echo "full-$i" >>acknowledged.txt ;;
    503) got503=$i; break ;;
    *) fail "full disk: unexpected answer $r"; break ;;
  esac
done
expect_match "full disk: 503 after $stored stored events" "$got503" '^[0-9]+$'
headers=$(curl -s -D - -o /dev/null -H 'x-conector-id: hubspot' -H 'x-owner-id: acme-prod-eu' \
  -H "x-idempotency-key: full-$got503" --data-binary @one.json "$MW_BASE/webhooks/morph")
expect_match "full disk: Retry-After" "$headers" '^[Rr]etry-[Aa]fter: 5'
code=$(curl -s -o /dev/null -w '%{http_code}' "$MW_BASE/healthz")
expect "full disk: healthz 503" "$code" 503
# Make room the way an operator would: work the backlog off, then forget acked deliveries.
"$MW" inbox work --inbox sqlite:full.db --until-empty -- sh -c \
  'cat >/dev/null; echo "$MORPH_IDEMPOTENCY_KEY" >>processed.txt' 2>/dev/null
expect "full disk: every acknowledged event was stored and processed" \
  "$(sort processed.txt | tr '\n' ' ')" "$(sort acknowledged.txt | tr '\n' ' ')"
"$MW" inbox expire --inbox 'sqlite:full.db?retain=1ms' >/dev/null
r=$(mw_post "$MW_BASE/webhooks/morph" "full-$got503" one.json)
expect "full disk: stored again once space returns (same process)" "${r%% *}" 200
code=$(curl -s -o /dev/null -w '%{http_code}' "$MW_BASE/healthz")
expect "full disk: healthz 200 again" "$code" 200
mw_stop_serve
MW_PID=""

echo
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
