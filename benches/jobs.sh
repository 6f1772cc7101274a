#!/usr/bin/env bash
# How `dlp run --jobs` scales: the full TP1 study (experiments/tp1) with 1 job, then 2 jobs,
# REPS times interleaved (each pair sees the same machine load), fresh output each time.
# Prints each pair's wall times and their ratio, then the medians. Target (issue 9): 2 jobs
# on 2 cores at least 1.9x faster than 1 job.
#
#   benches/jobs.sh                 # 3 pairs, whole `dlp run` (training, results, reports)
#   REPS=5 benches/jobs.sh
#   NO_REPORT=1 benches/jobs.sh     # training and result files only
#   JOBS=4 benches/jobs.sh          # compare 1 job with 4
#
# Honours CARGO_TARGET_DIR. Needs bash, cargo, coreutils, awk.
set -euo pipefail

REPS="${REPS:-3}"
JOBS="${JOBS:-2}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DLP="${CARGO_TARGET_DIR:-$ROOT/target}/release/dlp"
EXTRA=()
[[ -n "${NO_REPORT:-}" ]] && EXTRA+=(--no-report)

echo "== building dlp (release)" >&2
(cd "$ROOT" && cargo build --release -p dlp-runner --quiet)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dlp-jobs-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Wall seconds of one `dlp run` of the study with $1 jobs.
run() {
    local start end
    start=$(date +%s.%N)
    "$DLP" run "$ROOT/experiments/tp1" --out "$WORK/out-$1" --fresh -q --jobs "$1" \
        "${EXTRA[@]}" > /dev/null 2>&1
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "$(date -u '+%F %T') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" \
    "${EXTRA[*]:+(${EXTRA[*]})}"
one=() many=() ratios=()
for rep in $(seq "$REPS"); do
    a=$(run 1)
    b=$(run "$JOBS")
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
    echo "pair $rep: 1 job ${a} s, $JOBS jobs ${b} s, ratio ${r}x"
    one+=("$a") many+=("$b") ratios+=("$r")
done
echo "median: 1 job $(printf '%s\n' "${one[@]}" | median) s," \
    "$JOBS jobs $(printf '%s\n' "${many[@]}" | median) s," \
    "ratio $(printf '%s\n' "${ratios[@]}" | median)x (target >= 1.9x for 2 jobs)"
