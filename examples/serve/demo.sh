#!/usr/bin/env bash
# The whole product in a few seconds: `morph-webhook serve` on a fresh SQLite inbox, the sample
# payloads posted to it (with a retry, a byte-identical re-send under a new key, an
# out-of-order update and an invalid body), `morph-webhook inbox work` running a small command
# on what was stored, a summary, everything stopped. Exits 0 when everything behaved as
# expected. Run by `cmake --build --preset default --target demo`.
#   usage: demo.sh MORPH_WEBHOOK PAYLOADS_DIR WORK_DIR
set -euo pipefail
MW=$1
PAYLOADS=$2
WORK=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=serve_lib.sh
. "$here/serve_lib.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
MW_PID=""
trap '[ -n "$MW_PID" ] && kill "$MW_PID" 2>/dev/null; true' EXIT
inbox="sqlite:$WORK/inbox.db"
echo "\$ morph-webhook serve --port 0 --inbox $inbox"
mw_start_serve "$WORK/serve.log" --inbox "$inbox"
echo "$(head -n 1 "$WORK/serve.log")   (request log: $WORK/serve.log)"
echo

# The same meeting as meeting-updated.json, one day older, arriving after it.
sed 's/"updatedAt": "2025-03-06T09:05:04.606Z"/"updatedAt": "2025-03-05T09:05:04.606Z"/' \
  "$PAYLOADS/meeting-updated.json" >"$WORK/meeting-older.json"

stored=0 duplicate=0 stale=0 rejected=0
# post WHAT KEY FILE: posts FILE and prints one line about the answer.
post() {
  local what=$1 key=$2 file=$3 r status verdict
  r=$(mw_post "$MW_BASE/webhooks/morph" "$key" "$file")
  status=${r%% *}
  case "$r" in
    200*'"duplicate":true'*) verdict="duplicate (nothing stored)"; duplicate=$((duplicate + 1)) ;;
    200*'"stale":true'*) verdict="stored, stale"; stored=$((stored + 1)); stale=$((stale + 1)) ;;
    200*) verdict="stored"; stored=$((stored + 1)) ;;
    *) verdict="rejected: $(sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p' <<<"$r")"
       rejected=$((rejected + 1)) ;;
  esac
  printf '  %-44s %s %s\n' "$what" "$status" "$verdict"
}

echo "POST $MW_BASE/webhooks/morph"
for f in call-created contact-updated email-created meeting-updated note-dropped-fields \
         call-deleted; do
  post "$f.json" "$f-1" "$PAYLOADS/$f.json"
done
post "call-created.json again (Morph's retry)" call-created-1 "$PAYLOADS/call-created.json"
post "contact-updated.json under a new key" "contact-updated-$(date +%s%N)" \
  "$PAYLOADS/contact-updated.json"
post "meeting, a day older (out of order)" meeting-updated-0 "$WORK/meeting-older.json"
post "invalid/bad-date.json" bad-date-1 "$PAYLOADS/invalid/bad-date.json"
echo

echo "\$ morph-webhook inbox work --inbox $inbox --until-empty -- sh -c '...'"
# The worker's command: any program that reads the body on stdin and the MORPH_* variables.
# shellcheck disable=SC2016
"$MW" inbox work --inbox "$inbox" --until-empty -- sh -c '
  event=$(tr -d "\n " | sed -n "s/^{\"event\":\"\([^\"]*\)\".*/\1/p")
  printf "  worker: delivery %s %-26s key=%-22s stale=%s\n" \
    "$MORPH_DELIVERY_ID" "$event" "$MORPH_IDEMPOTENCY_KEY" "$MORPH_STALE"' \
  2>"$WORK/work.log"
processed=$("$MW" inbox stats --inbox "$inbox" --format json |
            sed -n 's/.*"acked_retained":\([0-9]*\).*/\1/p')
echo

mw_stop_serve
MW_PID=""
echo "serve stopped (exit 0)"
echo
echo "summary: stored $stored (stale $stale), duplicate $duplicate, rejected $rejected," \
     "processed $processed"
if [ "$stored $stale $duplicate $rejected $processed" != "7 1 2 1 7" ]; then
  echo "unexpected: expected stored 7 (stale 1), duplicate 2, rejected 1, processed 7"
  exit 1
fi
echo "everything behaved as expected"
