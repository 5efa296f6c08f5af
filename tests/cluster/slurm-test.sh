#!/usr/bin/env bash
# The cluster test (run by .ci/run after the unit tests; needs root): starts a one-node Slurm on this machine, submits
# tests/cluster/sharded-tiny.json with `peftqa submit --slurm` (a baseline job, a 4-task job array, a report job),
# waits for the report, then checks that the merged results equal a single-process run of the same recipe: results.json
# equal apart from timings, memory and the run folder's path, report.md byte for byte. The daemons are stopped by their
# process ids at the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
peftqa="$repo/host/bin/Release/net10.0/peftqa"
recipe="$repo/tests/cluster/sharded-tiny.json"
[ -x "$peftqa" ] || { echo "slurm-test: $peftqa is not built (run dotnet test PeftQa.sln -c Release first)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "slurm-test: python3 is needed to compare the results" >&2; exit 1; }

if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge
fi

work=$(mktemp -d /tmp/peftqa-slurm.XXXXXX)
host=$(hostname -s)
memory=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) * 8 / 10 ))
mkdir -p "$work/state" "$work/spool" "$work/munge"
cat > "$work/slurm.conf" <<CONF
ClusterName=peftqa-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=6917
SlurmdPort=6918
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

stop_daemons() {
  local pids=()
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "${pids[@]}" 2>/dev/null || return 0; sleep 0.5; done
  kill -9 "${pids[@]}" 2>/dev/null || true
}
trap stop_daemons EXIT

[ -f /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chmod 600 /etc/munge/munge.key; }
munged --force --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo

# A space and a % in the run folder's path: the real sbatch must read the quoted #SBATCH --output= paths whole and
# leave the folder's %j alone (unescaped, Slurm would make it the job id and the logs would go elsewhere or nowhere).
sharded="$work/sharded run %j"
"$peftqa" submit "$recipe" --slurm --out "$sharded" --cpus-per-task 1 --partition ci --time 30:00
report_job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"]["report"])' "$sharded/submission.json")
deadline=$(( $(date +%s) + 1200 ))
while squeue -h -j "$report_job" 2>/dev/null | grep -q .; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "slurm-test: the report job did not finish in 20 minutes" >&2; squeue; "$peftqa" status "$sharded"; exit 1; }
  sleep 3
done
"$peftqa" status "$sharded"
state=$(scontrol show job "$report_job" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
[ "$state" = COMPLETED ] || { echo "slurm-test: the report job ended $state" >&2; tail -n 20 "$sharded"/slurm/*.out >&2; exit 1; }

for log in baseline shard-0 shard-3 report; do
  ls "$sharded"/slurm/"$log"-*.out >/dev/null 2>&1 || { echo "slurm-test: no $log log in $sharded/slurm (the --output path was misread)" >&2; ls -R "$work" >&2; exit 1; }
done

# One thread, as each array task has (--cpus-per-task 1): another thread count sums in another order, and the losses
# then differ in their last digits.
"$peftqa" run "$recipe" --out "$work/single" --threads 1 >/dev/null
python3 "$repo/tests/cluster/same-results.py" "$work/single" "$sharded"
echo "slurm-test: passed (sharded run on Slurm = single-process run; folders in $work)"
