#!/usr/bin/env bash
# The whole job on the local pool: start the servers, check them, select experts for GSM8K from its
# K-shot file, evaluate the ensemble against its parts, print the table and report, stop the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
panel=.build/debug/panel
pool=${POOL:-pools/local.json}

"$panel" pool up "$pool"
trap '"$panel" pool down "$pool"' EXIT

echo
echo "== capabilities of the local pool"
"$panel" pool check "$pool"

echo
echo "== selecting experts for GSM8K from evals/gsm8k/kshot.jsonl"
"$panel" select-experts --pool "$pool" --kshot evals/gsm8k/kshot.jsonl --out ensembles/gsm8k.json

echo
echo "== evaluating the ensemble against each candidate alone on 10 GSM8K test items"
mkdir -p reports
"$panel" evaluate --ensemble ensembles/gsm8k.json --bench evals/gsm8k/test.jsonl --limit "${DEMO_ITEMS:-10}" \
    --modes self-moa,vote --samples 4 --window 2 --baselines \
    --report reports/gsm8k.html --markdown reports/gsm8k.md
echo
echo "report: $(pwd)/reports/gsm8k.html"
