#!/usr/bin/env bash
# Performance targets live here, never in unit tests. Micro-benchmarks of the hot paths always run;
# with the local pool up, the servers' generation throughput is measured too (informational).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product PanelBench
.build/release/PanelBench
if curl -sf http://127.0.0.1:8091/health >/dev/null 2>&1; then
    echo
    echo "local pool throughput (2 parallel requests of 200 tokens each):"
    python3 benchmarks/throughput.py 8091 2 || true
fi
