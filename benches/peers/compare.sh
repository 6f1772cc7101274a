#!/usr/bin/env bash
# dlp vs PyTorch (CPU, one thread) vs scikit-learn's MLPClassifier on the TP1 runs, side by
# side on this machine. See benches/peers/README.md.
#
#   benches/peers/compare.sh                      # everything (about 3-4 minutes once installed)
#   REPS=9 STUDY_REPS=3 benches/peers/compare.sh  # more repetitions
#   STUDY_FULL=1 benches/peers/compare.sh         # PyTorch runs every training of the study
#   ONLY=cases benches/peers/compare.sh           # or ONLY=study, ONLY=memory
#
# Environment: VENV (default ~/.cache/dlp-peers; made with `python3 -m venv` and filled with
# `pip install torch scikit-learn numpy` when it lacks them: about 5.6 GB with the CUDA wheels
# PyPI's torch pulls), PYTHON (default python3), REPS (5), STUDY_REPS (1), STUDY_FULL (0),
# STUDY_SAMPLE_EPOCHS (2), CARGO_TARGET_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benches/peers"
VENV="${VENV:-$HOME/.cache/dlp-peers}"
PYTHON="${PYTHON:-python3}"
REPS="${REPS:-5}"
STUDY_REPS="${STUDY_REPS:-1}"
STUDY_SAMPLE_EPOCHS="${STUDY_SAMPLE_EPOCHS:-2}"
ONLY="${ONLY:-all}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DLP="$TARGET_DIR/release/dlp"
# One thread for every BLAS / OpenMP pool (numpy, scikit-learn, PyTorch).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

case "$VENV" in "$ROOT"/*) echo "error: VENV must be outside the repository ($VENV)" >&2; exit 2;; esac

if ! "$VENV/bin/python" -c 'import torch, sklearn, numpy' 2>/dev/null; then
    echo "== making the virtual environment $VENV (pip install torch scikit-learn numpy)" >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet torch scikit-learn numpy
fi
PY="$VENV/bin/python"

echo "== building dlp (release)" >&2
(cd "$ROOT" && cargo build --release -p dlp-runner --quiet)
[[ -x "$DLP" ]] || { echo "error: $DLP not found after the build" >&2; exit 1; }

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(getconf _NPROCESSORS_ONLN) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Figures depend on the CPU (vector units, clock, libm): say which.
echo "== CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
"$PY" -c 'import torch, sklearn, numpy, platform; print(f"== python {platform.python_version()}, torch {torch.__version__} ({torch.get_num_threads()} thread), scikit-learn {sklearn.__version__}, numpy {numpy.__version__}")'
echo "== $("$DLP" --version), $(rustc --version 2>/dev/null || echo rustc ?)"

if [[ "$ONLY" == all || "$ONLY" == cases ]]; then
    echo "== cases: dlp process / PyTorch / scikit-learn, interleaved, $REPS repetitions" >&2
    "$PY" "$HERE/peers.py" cases --dlp "$DLP" --reps "$REPS"
fi

if [[ "$ONLY" == all || "$ONLY" == memory ]]; then
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/dlp-peers-mem.XXXXXX")"
    cat > "$WORK/canonical.toml" <<'TOML'
name = "peer-canonical"
seeds = 1
[data]
kind = "tp1_spirals"
n_train = 4000
n_test = 1000
noise = 0.4
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
TOML
    echo
    if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
        rss() { awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$1"; }
        /usr/bin/time -v "$DLP" run "$WORK/canonical.toml" -q --fresh --out "$WORK/out" -j 1 \
            >/dev/null 2> "$WORK/dlp.time" || true
        /usr/bin/time -v "$PY" "$HERE/peers.py" one torch-b10 >/dev/null 2> "$WORK/torch.time"
        d=$(rss "$WORK/dlp.time"); t=$(rss "$WORK/torch.time")
        echo "| peak RSS (/usr/bin/time -v), canonical run batch 10 | KB | MiB |"
        echo "|---|---|---|"
        echo "| dlp run -q (whole process; target <= 50 MB) | $d | $(awk -v k="$d" 'BEGIN { printf "%.1f", k / 1024 }') |"
        echo "| python + PyTorch, same run (whole process) | $t | $(awk -v k="$t" 'BEGIN { printf "%.1f", k / 1024 }') |"
    else
        echo "peak RSS: GNU time (/usr/bin/time -v) not installed; skipped (apt-get install time)"
    fi
    rm -rf "$WORK"
fi

if [[ "$ONLY" == all || "$ONLY" == study ]]; then
    # The full TP1 study: every experiment file under experiments/tp1/ that `dlp check` accepts.
    FILES=() SKIPPED=()
    for f in "$ROOT"/experiments/tp1/*.toml; do
        if "$DLP" check "$f" >/dev/null 2>&1; then FILES+=("$f"); else SKIPPED+=("${f#"$ROOT"/}"); fi
    done
    echo
    echo "== dlp check experiments/tp1 (per file):"
    for f in "${FILES[@]}"; do "$DLP" check "$f" 2>&1 | head -1 | sed "s|$ROOT/||; s/^/   /"; done
    if ((${#SKIPPED[@]})); then echo "   skipped (dlp check fails): ${SKIPPED[*]}"; fi
    FULL=()
    [[ "${STUDY_FULL:-0}" == 1 ]] && FULL=(--full)
    "$PY" "$HERE/peers.py" study --dlp "$DLP" --files "${FILES[@]}" --reps "$STUDY_REPS" \
        --sample-epochs "$STUDY_SAMPLE_EPOCHS" "${FULL[@]}"
fi
echo
echo "== done, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
