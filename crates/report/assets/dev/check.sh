#!/usr/bin/env bash
# Build the report page from each dev sample, open it in headless Chromium, and check it.
#
#   crates/report/assets/dev/check.sh [SAMPLE.json ...]     (default: every dev/sample*.json)
#
# For each sample: OUT/<name>.html (the filled page), OUT/<name>.png (a 1280x4000 screenshot:
# look at it), OUT/<name>.dom.html (the DOM after the scripts ran). Fails unless the page set
# <body data-ready="1"> and recorded no data-errors (report.js catches every error there), and,
# when node (>= 20) is installed, unless interact.js finds the table sortable, the legend
# toggling, the brush working and the console clean.
# OUT is $DLP_PAGE_OUT, default /tmp/dlp-page. Needs python3 and chromium
# (`apt-get install -y chromium` on Debian).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${DLP_PAGE_OUT:-/tmp/dlp-page}"
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [[ -z "$chromium" ]]; then
    echo "check.sh: chromium not found (apt-get install -y chromium)" >&2
    exit 2
fi
mkdir -p "$out"
if [[ $# -eq 0 ]]; then
    set -- "$here"/sample*.json
fi

run_chromium() {
    local profile
    profile="$(mktemp -d)"
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --virtual-time-budget=5000 --window-size=1280,4000 \
        --hide-scrollbars "$@" 2>/dev/null
    rm -rf "$profile"
}

status=0
for sample in "$@"; do
    name="$(basename "$sample" .json)"
    page="$out/$name.html"
    python3 "$here/build_page.py" "$sample" "$page"
    run_chromium --screenshot="$out/$name.png" "file://$page" >/dev/null
    run_chromium --dump-dom "file://$page" >"$out/$name.dom.html"
    body="$(grep -o '<body[^>]*>' "$out/$name.dom.html" | head -n 1)"
    size="$(stat -c %s "$page")"
    ms="$(sed -n 's/.*data-render-ms="\([0-9]*\)".*/\1/p' <<<"$body")"
    if [[ "$body" != *'data-ready="1"'* ]]; then
        echo "FAIL $name: the page did not finish rendering (no data-ready=\"1\"): $body"
        status=1
    elif [[ "$body" == *'data-errors='* ]]; then
        echo "FAIL $name: $(sed -n 's/.*data-errors="\([^"]*\)".*/\1/p' <<<"$body")"
        status=1
    else
        echo "ok   $name: ${size} bytes, rendered in ${ms:-?} ms, $out/$name.png"
    fi
    # clicks, sorting, brushing and the console, over the DevTools protocol (needs node >= 20)
    if command -v node >/dev/null; then
        if ! node --experimental-websocket "$here/interact.js" "$chromium" "$page" 2>/dev/null | sed 's/^/     /'; then
            echo "FAIL $name: interaction checks"
            status=1
        fi
    fi
done
exit $status
