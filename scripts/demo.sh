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
