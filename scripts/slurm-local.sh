#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the test of `xad benchmark slurm` (and for trying
# an array job without a cluster). Debian's slurm-wlm (slurmctld + slurmd, 22.05 on Debian 12) and
# munge, run as root; everything Slurm writes lives under one folder.
#
#   scripts/slurm-local.sh start    install if missing, start munged, slurmctld, slurmd; wait until the node is idle
#   scripts/slurm-local.sh stop     stop the three daemons (nothing running is fine)
#   scripts/slurm-local.sh status   exit 0 when the node answers and is idle
#
# Both start and stop are idempotent. The folder is $XAD_SLURM_DIR (default /tmp/xad-slurm). The
# configuration is written to /etc/slurm/slurm.conf, where sbatch and sinfo look for it, only when
# that file is absent or was written by this script: a real cluster's configuration is never touched.
set -euo pipefail

dir=${XAD_SLURM_DIR:-/tmp/xad-slurm}
conf=/etc/slurm/slurm.conf
marker="# written by XADKit scripts/slurm-local.sh"
node=$(hostname -s)

log() { echo "slurm-local: $*" >&2; }

install_packages() {
  local missing=()
  for package in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

write_config() {
  if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
    log "error: $conf exists and was not written by this script; not starting a local cluster over it"
    exit 1
  fi
  mkdir -p "$dir/state" "$dir/spool" /etc/slurm
  local cpus memory
  cpus=$(nproc --all)
  # Slurm drains a node whose configured memory exceeds what slurmd finds: claim 90% of it.
  memory=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
  cat > "$conf.tmp" <<EOF
$marker
ClusterName=xadlocal
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$node CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$conf.tmp" "$conf"
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  [ -s /etc/munge/munge.key ] || mungekey -c -f -k /etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged
}

running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

node_state() { sinfo -h -N -n "$node" -o %T 2>/dev/null | head -n 1; }

start() {
  install_packages
  write_config
  start_munge
  running "$dir/slurmctld.pid" || slurmctld
  running "$dir/slurmd.pid" || slurmd
  local waited=0
  until [ "$(node_state)" = idle ]; do
    if [ "$waited" -ge 60 ]; then
      log "error: node $node not idle after 60 s (state '$(node_state)'); see $dir/slurmctld.log and $dir/slurmd.log"
      exit 1
    fi
    # A node left down or drained by an earlier run comes back once it answers again.
    case "$(node_state)" in down* | drain*) scontrol update NodeName="$node" State=RESUME 2>/dev/null || true ;; esac
    sleep 1
    waited=$((waited + 1))
  done
  log "node $node idle after ${waited} s (state and logs in $dir)"
}

stop_daemon() {
  local pidfile=$1
  if running "$pidfile"; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$pidfile"
}

stop() {
  stop_daemon "$dir/slurmd.pid"
  stop_daemon "$dir/slurmctld.pid"
  stop_daemon /run/munge/munged.pid
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) [ "$(node_state)" = idle ] ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 1 ;;
esac
