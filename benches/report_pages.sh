#!/usr/bin/env bash
# The TP1 study's interactive reports in headless Chromium: each file's size and the time its
# script takes to draw every chart (`data-render-ms`, set by the page when it is ready), against
# the targets of issue 17 (under 3 MB, under 1 s).
#
#   benches/report_pages.sh [RESULTS_PARENT]     (default: a fresh run into /tmp/dlp-report-pages)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/dlp-report-pages}"
if [[ $# -eq 0 ]]; then
  cargo build --release --bin dlp --quiet
  target/release/dlp run experiments/tp1 --out "$out" --quiet >/dev/null
fi
grep -m1 'model name' /proc/cpuinfo
printf '%-28s %10s %10s\n' report bytes render_ms
for page in "$out"/*/report.html; do
  profile="$(mktemp -d)"
  body="$(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --virtual-time-budget=20000 --window-size=1280,4000 \
    --dump-dom "file://$(realpath "$page")" 2>/dev/null | grep -o '<body[^>]*>' | head -n 1)"
  rm -rf "$profile"
  ms="$(sed -n 's/.*data-render-ms="\([0-9]*\)".*/\1/p' <<<"$body")"
  [[ "$body" == *'data-errors'* ]] && ms="ERROR"
  printf '%-28s %10s %10s\n' "$(basename "$(dirname "$page")")" "$(stat -c %s "$page")" "${ms:-none}"
done
