#!/bin/sh
# Starts a one-node Slurm on this machine (for slurmtest/ and the README's
# srun example): munge, slurmctld and slurmd run directly, without
# systemd, as root. Safe to run twice. Debian packages: slurmd slurmctld
# slurm-client munge. The multi-node tests (slurmtest/multinode_test.go)
# build their own 3-node Slurm in network namespaces (internal/netns) and
# need only munged from here.
set -eu

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y slurmd slurmctld slurm-client munge >/dev/null ||
		{ apt-get update -qq && apt-get install -y slurmd slurmctld slurm-client munge >/dev/null; }
fi

host=$(hostname -s)
cpus=$(nproc)
# RealMemory a little under the machine's, so slurmd never finds less than
# slurm.conf promises (which would drain the node).
mem=$(awk '/MemTotal/ {m = int($2/1024) - 512; if (m < 1) m = 1; print m}' /proc/meminfo)

# slurmctld, slurmd and the tasks' rendezvous (rank 0 on the first host of
# the node list) need the short host name to resolve.
if ! getent hosts "$host" >/dev/null; then
	echo "127.0.1.1 $host" >>/etc/hosts
fi

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge
conf=/etc/slurm/slurm.conf
cat >"$conf.new" <<CONF
# One-node Slurm for gorun's tests (written by .ci/slurm-setup.sh).
ClusterName=gorun
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
InactiveLimit=0
KillWait=5
MinJobAge=30
SlurmdTimeout=30
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:64
CONF
changed=0
if ! cmp -s "$conf.new" "$conf"; then
	mv "$conf.new" "$conf"
	changed=1
else
	rm -f "$conf.new"
fi
rm -f /etc/slurm/cgroup.conf

if [ ! -s /etc/munge/munge.key ]; then
	mkdir -p /etc/munge
	dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 0400 /etc/munge/munge.key
chmod 0700 /etc/munge

# Daemons are found by their pid files, not by name: the multi-node test
# clusters (internal/netns) run slurmctld and slurmd processes of their own.
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if ! running /run/munge/munged.pid && ! munge -n >/dev/null 2>&1; then
	runuser -u munge -- /usr/sbin/munged --force 2>/dev/null || /usr/sbin/munged --force
fi
if ! running /run/slurmctld.pid; then
	slurmctld
elif [ "$changed" = 1 ]; then
	scontrol reconfigure # a second run with another machine's numbers
fi
if ! running /run/slurmd.pid; then
	slurmd
fi

# Wait (bounded) for the node to accept jobs.
i=0
while :; do
	state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
	case "$state" in
	idle*|mix*|alloc*) break ;;
	down*|drain*) scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;;
	esac
	i=$((i + 1))
	if [ "$i" -gt 60 ]; then
		echo "slurm-setup: node $host is not idle after 60 s (state '$state'); see /var/log/slurm/*.log" >&2
		exit 1
	fi
	sleep 1
done
echo "slurm-setup: node $host ($cpus CPUs) is $state"
