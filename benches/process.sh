#!/usr/bin/env bash
# Times the whole `dlp run -q` process on a one-seed TP1 canonical experiment (10 epochs,
# batch 10): process start, config parsing, data, training, result files, exit.
#
#   benches/process.sh            # 10 timed repetitions
#   RUNS=20 benches/process.sh    # more repetitions
#
# Uses hyperfine when installed, else a bash loop over `date +%s%N`; prints the median in ms,
# then the peak resident set size from `/usr/bin/time -v` (GNU time) when available.
# Honours CARGO_TARGET_DIR. Needs only bash, cargo, coreutils (sort, mktemp).
set -euo pipefail

RUNS="${RUNS:-10}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DLP="$TARGET_DIR/release/dlp"

echo "== building dlp (release)" >&2
(cd "$ROOT" && cargo build --release -p dlp-runner --quiet)
[[ -x "$DLP" ]] || { echo "error: $DLP not found after the build" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dlp-process-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
EXPERIMENT="$WORK/canonical-1seed.toml"
OUT="$WORK/out"
cat > "$EXPERIMENT" <<'EOF'
# The TP1 canonical run, one seed, 10 epochs (the training benchmarked by
# `cargo bench -p dlp-train -- canonical_b10`).
name = "bench-canonical-1seed"
seeds = 1

[data]
kind = "tp1_spirals"
n_train = 4000
n_test = 1000

[model]
hidden = [20, 20]
activation = "relu"

[loss]
name = "bce_with_logits"

[optim]
name = "adam"
lr = 0.01

[train]
epochs = 10
batch_size = 10
EOF

# One untimed run: checks that the experiment works and warms the page cache.
rm -rf "$OUT"
"$DLP" run "$EXPERIMENT" --out "$OUT" -q 2>/dev/null

echo "== timing \`dlp run <canonical, seeds = 1> -q\` x $RUNS" >&2
echo "== CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/hyperfine.json" \
        --prepare "rm -rf '$OUT'" \
        "'$DLP' run '$EXPERIMENT' --out '$OUT' -q" >&2
    # Median from the exported times (seconds), without needing jq.
    tr -d ' \n' < "$WORK/hyperfine.json" | grep -o '"times":\[[^]]*\]' | head -1 |
        sed 's/.*\[//; s/\]//' | tr ',' '\n' | awk '{ printf "%.3f\n", $1 * 1000 }' \
        > "$WORK/ms.txt"
else
    : > "$WORK/ms.txt"
    for _ in $(seq "$RUNS"); do
        rm -rf "$OUT"   # a fresh output folder, else the run resumes and trains nothing
        start=$(date +%s%N)
        "$DLP" run "$EXPERIMENT" --out "$OUT" -q 2>/dev/null
        end=$(date +%s%N)
        echo "$(( (end - start) / 1000 ))" | awk '{ printf "%.3f\n", $1 / 1000 }' >> "$WORK/ms.txt"
    done
fi
sort -g "$WORK/ms.txt" | awk '
    { t[NR] = $1 }
    END {
        m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
        printf "dlp run (1 seed, canonical, 10 epochs): median %.1f ms over %d runs (min %.1f, max %.1f); target <= 150 ms\n", m, NR, t[1], t[NR]
    }'

if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    rm -rf "$OUT"
    /usr/bin/time -v "$DLP" run "$EXPERIMENT" --out "$OUT" -q 2> "$WORK/time.txt" >/dev/null
    rss_kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$WORK/time.txt")
    echo "peak RSS (/usr/bin/time -v): ${rss_kb} KB ($(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }') MiB)"
else
    echo "peak RSS: GNU time (/usr/bin/time -v) not installed; skipped (apt-get install time)"
fi
