#!/usr/bin/env bash
# `make bench`: Panel's performance targets (issue 7), never in unit tests. Builds panel (debug, what
# `make` users run; release too, for comparison of start-up) and the PanelBench micro-benchmarks
# (release), starts the local pool if it is not up (and stops it afterwards only then), and runs
# benchmarks/harness.py: a table on stdout, results in benchmarks/results/latest.json.
# Extra arguments go to the harness (e.g. --quick for a short trial run, --strict to fail on a miss).
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_STARTED=${BENCH_STARTED:-$(date +%s.%N)}
swift build --product panel
swift build -c release --product PanelBench
swift build -c release --product panel
exec python3 benchmarks/harness.py "$@"
