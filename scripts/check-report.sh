#!/usr/bin/env bash
# Checks that a Panel HTML report (panel evaluate --report / panel runs show --report) renders in a real
# browser: headless Chromium parses it, the DOM has both charts and the per-item table, and a screenshot
# of it is not blank.
#
#   scripts/check-report.sh REPORT.html [SCREENSHOT.png]
#
# The screenshot defaults to REPORT.png next to the report. Exit status 0 when every check passes,
# 1 when one fails, 2 on a usage error or a missing Chromium ('make setup' installs the Debian package).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || "$1" == -h || "$1" == --help ]]; then
    echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2
    exit 2
fi
report=$1
[[ -f "$report" ]] || { echo "error: $report: no such file" >&2; exit 2; }
report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
screenshot=${2:-${report%.html}.png}

chromium=""
for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then chromium=$(command -v "$name"); break; fi
done
[[ -n "$chromium" ]] || { echo "error: no chromium on the PATH (install the Debian package 'chromium', or run 'make setup')" >&2; exit 2; }

profile=$(mktemp -d)
dom=$(mktemp)
trap 'rm -rf "$profile" "$dom"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "--user-data-dir=$profile")

failures=0
check() {  # check DESCRIPTION COMMAND...
    local description=$1
    shift
    if "$@"; then echo "ok    $description"; else echo "FAIL  $description"; failures=$((failures + 1)); fi
}

"$chromium" "${flags[@]}" --dump-dom "file://$report" >"$dom" 2>/dev/null || true
check "Chromium parsed the report" test -s "$dom"
check "the accuracy chart (svg#accuracy-bars) is in the DOM" grep -q 'id="accuracy-bars"' "$dom"
check "the cost scatter (svg#cost-scatter) is in the DOM" grep -q 'id="cost-scatter"' "$dom"
check "the per-item table is in the DOM" grep -q '<table class="items">' "$dom"
rows=$(grep -o '<tr><td><code>' "$dom" | wc -l || true)
check "the per-item table has rows ($rows)" test "$rows" -gt 0

rm -f "$screenshot"
"$chromium" "${flags[@]}" "--screenshot=$screenshot" --window-size=1200,1600 "file://$report" >/dev/null 2>&1 || true
size=$(stat -c %s "$screenshot" 2>/dev/null || echo 0)
check "the screenshot $screenshot is a PNG" bash -c '[[ "$(head -c 8 "$1" | od -An -tx1 | tr -d " \n")" == 89504e470d0a1a0a ]]' _ "$screenshot"
check "the screenshot is not blank ($size bytes > 10240)" test "$size" -gt 10240

if ((failures > 0)); then
    echo "$failures check(s) failed for $report" >&2
    exit 1
fi
echo "report renders: $report (screenshot $screenshot)"
