#!/usr/bin/env bash
# `dlp slurm --submit` on a real Slurm: a one-node cluster on this machine (Debian 12, run as
# root, as in CI), a sharded sweep compared with a local run, then a sweep whose task 1 fails.
#
# Idempotent: installs what is missing, keeps every daemon's state, socket, log and PID file in
# a fresh temporary folder and points Slurm at it with SLURM_CONF (nothing under /etc is
# written); the daemons are stopped on exit through their PID files. Takes about 20 s once the
# packages are installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
start=$SECONDS
say() { echo "slurm test [$((SECONDS - start))s]: $*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "error: tests/slurm/run.sh starts munged, slurmctld and slurmd: run it as root" >&2
  exit 2
fi

# --- packages -----------------------------------------------------------------------------
if ! command -v sbatch >/dev/null || ! [ -x /usr/sbin/slurmctld ] || ! [ -x /usr/sbin/slurmd ] \
  || ! [ -x /usr/sbin/munged ]; then
  say "installing slurm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurm-wlm slurmctld slurmd munge >/dev/null
fi

# --- dlp ----------------------------------------------------------------------------------
# The dev profile: CI's `cargo test` has just built it, so this is a no-op there (the training
# crates are optimised in dev builds too); a release build would compile everything again.
say "building dlp"
dlp=$(cargo build -q -p dlp-runner --message-format=json-render-diagnostics \
  | grep -o '"executable":"[^"]*/dlp"' | tail -n 1 | cut -d'"' -f4)
[ -x "$dlp" ] || { echo "error: cargo build produced no dlp binary" >&2; exit 1; }
say "built $dlp"

# --- a one-node cluster -------------------------------------------------------------------
work=$(mktemp -d /tmp/dlp-slurm-test.XXXXXX)
chmod 755 "$work"
export SLURM_CONF=$work/slurm.conf
stop_daemons() {
  local status=$?
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  if [ "$status" -ne 0 ]; then
    echo "slurm test FAILED; daemon logs:" >&2
    tail -n 20 "$work"/*.log "$work"/munge/munged.log 2>/dev/null >&2 || true
    echo "(kept $work)" >&2
  else
    rm -rf "$work"
  fi
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

# munged on a private socket, as user munge, with the key the package generated.
mkdir -p "$work/munge"
chown munge: "$work/munge"
chmod 755 "$work/munge"  # munged wants its socket folder reachable by all
if ! [ -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  chown munge: /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
socket=$work/munge/munge.socket
runuser -u munge -- /usr/sbin/munged --socket="$socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"

host=$(hostname -s)
node=$(slurmd -C | head -n 1)
cat >"$SLURM_CONF" <<CONF
ClusterName=dlptest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
MpiDefault=none
ReturnToService=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$work/state" "$work/spool"
/usr/sbin/slurmctld -i
/usr/sbin/slurmd
for _ in $(seq 100); do
  sinfo -h -o %t 2>/dev/null | grep -qx idle && break
  sleep 0.2
done
sinfo -h -o %t | grep -qx idle || { echo "error: the node never became idle" >&2; sinfo >&2; exit 1; }
say "cluster up: $(sinfo -h -o '%P %D %c %t')"

# --- helpers ------------------------------------------------------------------------------
fixture=$repo/tests/slurm/grid.toml
overrides=(train.epochs=2)

# Waits (up to 120 s) until none of the jobs is pending or running; squeue, not sbatch --wait.
wait_for() {
  for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  echo "error: jobs $1 still queued after 120 s" >&2
  squeue >&2
  return 1
}
# The state of a finished job (scontrol remembers it for MinJobAge, 300 s).
state_of() { scontrol show job "$1" | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2; }
# A CSV file with the named columns blanked (times differ between two honest runs).
without() {
  local file=$1; shift
  if grep -q '"' "$file"; then
    echo "error: $file has quoted fields; keep the fixture's values free of commas" >&2
    return 1
  fi
  awk -F, -v OFS=, -v cols="$*" '
    NR == 1 { n = split(cols, c, " "); for (i = 1; i <= NF; i++) for (j = 1; j <= n; j++) if ($i == c[j]) blank[i] = 1 }
    NR > 1 { for (i in blank) $i = "" }
    { print }' "$file"
}
same_results() {
  local expected=$1 actual=$2
  diff <(without "$expected/runs.csv" seconds_to_threshold train_seconds seconds_per_epoch) \
    <(without "$actual/runs.csv" seconds_to_threshold train_seconds seconds_per_epoch)
  diff <(without "$expected/epochs.csv" wall_s) <(without "$actual/epochs.csv" wall_s)
  for weights in "$expected"/weights/*.safetensors; do
    cmp <(tensors "$weights") <(tensors "$actual/weights/$(basename "$weights")")
  done
}
# The tensor bytes of a safetensors file: after the 8-byte header length and the JSON header,
# whose metadata keys dlp writes in no fixed order.
tensors() {
  local header
  header=$(od -An -t u8 -N 8 "$1" | tr -d ' ')
  tail -c +$((9 + header)) "$1"
}

# --- the local reference ------------------------------------------------------------------
"$dlp" run "$fixture" "${overrides[@]}" --out "$work/local" --quiet 2>/dev/null
runs=$(($(wc -l <"$work/local/slurm-grid/runs.csv") - 1))
[ "$runs" -eq 8 ] || { echo "error: the local run made $runs runs, not 8" >&2; exit 1; }

# --- a bad file fails before anything is submitted ----------------------------------------
jobs_before=$(squeue -h | wc -l)
code=0
"$dlp" slurm "$fixture" train.epochs=0 --tasks 3 --out "$work/bad" --submit 2>"$work/bad.err" || code=$?
[ "$code" -eq 2 ] || { echo "error: a bad override exited $code, not 2" >&2; exit 1; }
[ "$(squeue -h | wc -l)" -eq "$jobs_before" ] && ! [ -e "$work/bad" ] \
  || { echo "error: a bad file submitted something" >&2; exit 1; }
say "a bad override is refused before submission (exit 2)"

# --- case 1: three shards, merged, equal to the local run ---------------------------------
read -r array merge < <("$dlp" slurm "$fixture" "${overrides[@]}" --tasks 3 --out "$work/ok" --submit)
say "submitted array job $array and merge job $merge"
wait_for "$array,$merge"
for i in 0 1 2; do
  [ "$(state_of "${array}_$i")" = COMPLETED ] || { echo "error: task $i: $(state_of "${array}_$i")" >&2; cat "$work"/ok/slurm/*_"$i".out >&2; exit 1; }
done
[ "$(state_of "$merge")" = COMPLETED ] || { echo "error: merge job $(state_of "$merge")" >&2; cat "$work"/ok/slurm/*merge*.out >&2; exit 1; }
same_results "$work/local/slurm-grid" "$work/ok/slurm-grid"
grep -q "merged 8 runs" "$work/ok/slurm/slurm-grid-merge-$merge.out"
say "case 1 ok: 3 shards merged into 8 runs equal to the local run's (wall-clock columns aside)"

# --- case 2: shard-1 is a file, so array task 1 fails -------------------------------------
mkdir -p "$work/fail"
echo "not a folder" >"$work/fail/shard-1"
read -r array merge < <("$dlp" slurm "$fixture" "${overrides[@]}" --tasks 3 --out "$work/fail" --submit)
say "submitted array job $array and merge job $merge (task 1 will fail)"
wait_for "$array,$merge"
[ "$(state_of "${array}_1")" = FAILED ] || { echo "error: task 1 $(state_of "${array}_1"), not FAILED" >&2; exit 1; }
for i in 0 2; do
  [ "$(state_of "${array}_$i")" = COMPLETED ] || { echo "error: task $i $(state_of "${array}_$i")" >&2; exit 1; }
done
[ "$(state_of "$merge")" = FAILED ] || { echo "error: merge job $(state_of "$merge"), not FAILED" >&2; exit 1; }
log=$work/fail/slurm/slurm-grid-merge-$merge.out
echo "--- the merge job's output ---"
cat "$log"
echo "------------------------------"
grep -q "^missing shard 1/3: array task 1 did not finish" "$log"
! grep -q "^missing shard [02]/" "$log"
# Shard 1 held runs 1, 4 and 7 of the plan: cells 0, 2, 3.
[ "$(grep -c '^missing: cell' "$log")" -eq 3 ] || { echo "error: expected 3 missing runs" >&2; exit 1; }
grep -q "^error: slurm-grid is incomplete: 1 of 3 shards missing" "$log"
say "case 2 ok: the merge job failed and named shard 1/3 and its 3 runs"
say "passed"
