#!/usr/bin/env bash
# Re-run the example harnesses with the real tools and record their results
# as evidence for the bundled example specs (specs/*.evidence.yml, evidence/).
#
#   PROMPTFOO=/path/to/node_modules/.bin/promptfoo examples/evidence/regenerate.sh
#
# Needs promptfoo 0.115 (Node 20: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install promptfoo@0.115),
# pytest, and specgen on the PATH (or SPECGEN="python -m specgen").
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
PROMPTFOO=${PROMPTFOO:-promptfoo}
SPECGEN=${SPECGEN:-specgen}
PYTHON=${PYTHON:-python3}
OUT=$HERE/results  # promptfoo writes ../results/: relative, so no machine path lands in its files
export PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CONFIG_DIR="$OUT/.promptfoo"
rm -rf "$OUT" && mkdir -p "$OUT"

"$PYTHON" make_cases.py
(cd support-ticket-triage && "$PROMPTFOO" eval -c promptfooconfig.yaml -o "../results/support-ticket-triage-promptfoo.json" --no-cache --no-table) || true
(cd credit-decision-assistant && "$PROMPTFOO" eval -c golden.yaml -o "../results/credit-decision-assistant-golden.json" --no-cache --no-table) || true
(cd credit-decision-assistant && "$PROMPTFOO" eval -c approvals.yaml -o "../results/credit-decision-assistant-approvals.json" --no-cache --no-table) || true
"$PYTHON" -m pytest -q -p no:cacheprovider credit-decision-assistant/test_adverse_reasons.py \
  --junitxml="$OUT/credit-decision-assistant-adverse-reasons.xml" -o junit_family=xunit1 -o junit_suite_name=adverse_reasons
"$PYTHON" measure.py "$OUT"
rm -rf "$OUT/.promptfoo"

cd "$ROOT"
$SPECGEN evidence add --spec specs/support-ticket-triage.yml --slice-var lang \
  "$OUT/support-ticket-triage-promptfoo.json" "$OUT/support-ticket-triage-policy.csv"
$SPECGEN evidence add --spec specs/credit-decision-assistant.yml --slice-var segment \
  "$OUT/credit-decision-assistant-golden.json" "$OUT/credit-decision-assistant-approvals.json" \
  "$OUT/credit-decision-assistant-adverse-reasons.xml" "$OUT/credit-decision-assistant-measures.json"
