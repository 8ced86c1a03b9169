#!/usr/bin/env bash
# Stops the Swarm of scripts/swarm-up.sh: each node's dockerd (a paused one is resumed first) and whatever containerd
# it left behind. With --purge, also unmounts what Swarm and the containers mounted under the nodes' exec and data
# roots (Swarm keeps network-namespace mounts under the exec root), removes the roots (the swarm's state with them)
# and deletes the network namespaces vaswarm-*. The main engine and the engines of scripts/engines-up.sh are never
# touched. Idempotent.
#
# usage: scripts/swarm-down.sh [--purge]     (as root)
set -Eeuo pipefail

RUN=${VA_SWARM_RUN:-/var/run/va-top-swarm}
DIR=${VA_SWARM_DIR:-/var/tmp/va-top/swarm}
NODES=(n1 n2 n3)

die() { echo "swarm-down: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

purge=false
if [ "${1:-}" = --purge ]; then purge=true; shift; fi
[ $# -eq 0 ] || die "unexpected argument \"$1\" (usage: swarm-down.sh [--purge])"

stop_pid() { # pid, what
	local pid=$1
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
	kill -CONT "$pid" 2>/dev/null || true
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 200); do [ -d "/proc/$pid" ] || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	sleep 0.2
	echo "swarm-down: $2 ($pid) did not stop within 20 s; killed" >&2
}

# Workers first: a manager stopped before them leaves them retrying it.
for node in n3 n2 n1; do
	pid=$(cat "$RUN/$node.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && grep -qa dockerd "/proc/$pid/cmdline" 2>/dev/null; then
		stop_pid "$pid" "dockerd of $node"
		echo "swarm-down: $node stopped"
	fi
	cpid=$(cat "$DIR/$node/exec/containerd/containerd.pid" 2>/dev/null || true)
	if [ -n "$cpid" ] && grep -qa containerd "/proc/$cpid/cmdline" 2>/dev/null; then stop_pid "$cpid" "containerd of $node"; fi
	rm -f "$RUN/$node.pid" "$RUN/$node.sock"
done

if $purge; then
	for node in "${NODES[@]}"; do
		# Deepest first: Swarm's netns mounts under exec/netns, containers' rootfs under data. Removing a mounted
		# netns file fails (EBUSY), so nothing is removed before it is unmounted.
		grep -o " $DIR/$node/[^ ]*" /proc/mounts | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
		rm -rf "${DIR:?}/$node"
		ip netns del "vaswarm-$node" 2>/dev/null || true
		echo "swarm-down: $node purged"
	done
	ip netns del vaswarm-br 2>/dev/null || true
fi
