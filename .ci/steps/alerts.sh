#!/usr/bin/env bash
# The shipped Prometheus alert rules (deploy/prometheus/morph-webhook.rules.yml): valid
# (promtool check rules), firing and staying quiet as their unit tests say (promtool test
# rules), and built only on metrics the code exports (every morph_webhook_* name they use is
# registered in tools/cli/*metrics*.hpp).
set -euo pipefail
cd "$(dirname "$0")/../.."
rules=deploy/prometheus/morph-webhook.rules.yml
tests=deploy/prometheus/morph-webhook.rules.test.yml
if ! command -v promtool > /dev/null; then
  echo "alerts: promtool not found (Debian: apt-get install prometheus)"
  exit 1
fi
promtool check rules "$rules"
(cd "$(dirname "$tests")" && promtool test rules "$(basename "$tests")")
missing=0
for name in $(grep -o 'morph_webhook_[a-z_]*' "$rules" | sort -u); do
  if ! grep -q "\"$name\"" tools/cli/*metrics*.hpp; then
    echo "alerts: $rules uses $name, which no tools/cli/*metrics*.hpp registers"
    missing=1
  fi
done
[ "$missing" -eq 0 ]
echo "alerts: rules valid, unit tests pass, every metric they use is exported"
