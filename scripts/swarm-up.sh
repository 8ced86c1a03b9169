#!/usr/bin/env bash
# A real multi-node Docker Swarm on this one machine, for the Swarm tests and benchmark: three dockerd (n1 the
# manager, n2 and n3 workers), each in a network namespace of its own (vaswarm-n1..3) with its own hostname
# (vaswarm-n1..3), joined over veth pairs into a bridge that lives in a namespace of its own too (vaswarm-br). The
# nodes' addresses ($VA_SWARM_NET.1-3, a private /24) exist only inside those namespaces: nothing routes to or from
# them, and no traffic leaves them. Each engine's API socket stays a unix socket on the host's filesystem
# ($VA_SWARM_RUN/nI.sock), so va-top reaches each node's engine as it would reach a remote one over ssh://.
# Engines run with the flags of scripts/services-up.sh (no iptables, no bridge: services use the host network; vfs);
# the image va-top/busybox:1 is copied into each from the main engine. The main engine (/var/run/docker.sock) and
# the engines of scripts/engines-up.sh are never touched.
#
# usage: scripts/swarm-up.sh            (as root)
#   prints one line per node: NAME unix://SOCKET ADDRESS ROLE  (e.g. n1 unix:///var/run/va-top-swarm/n1.sock 10.213.77.1 manager)
#   Idempotent: a namespace, engine or membership that is already right is left alone; a killed engine is started
#   again and rejoins. Stop with scripts/swarm-down.sh (--purge also removes the namespaces, roots and swarm state).
# Sockets and pid files: $VA_SWARM_RUN (/var/run/va-top-swarm); exec and data roots: $VA_SWARM_DIR
# (/var/tmp/va-top/swarm); logs: $VA_SWARM_DIR/logs.
set -Eeuo pipefail

RUN=${VA_SWARM_RUN:-/var/run/va-top-swarm}
DIR=${VA_SWARM_DIR:-/var/tmp/va-top/swarm}
NET=${VA_SWARM_NET:-10.213.77}
LOGS=$DIR/logs
IMAGE=va-top/busybox:1
NODES=(n1 n2 n3)
BRIDGE_NS=vaswarm-br

die() { echo "swarm-up: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for tool in dockerd docker ip nsenter unshare; do command -v "$tool" >/dev/null 2>&1 || die "$tool not installed (scripts/setup.sh)"; done
[[ $NET =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VA_SWARM_NET \"$NET\": expected the first three octets of a /24, e.g. 10.213.77"

index() { echo "${1#n}"; }
addr() { echo "$NET.$(index "$1")"; }
sock() { echo "unix://$RUN/$1.sock"; }
on() { local node=$1; shift; timeout 20 docker -H "$(sock "$node")" "$@"; }
ok() { [ -S "$RUN/$1.sock" ] && timeout 5 docker -H "$(sock "$1")" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
has_ns() { ip netns list 2>/dev/null | grep -qw "^$1"; }

mkdir -p "$RUN" "$DIR" "$LOGS"

# ---------------------------------------------------------------- namespaces: a bridge, and one veth per node
if ! has_ns "$BRIDGE_NS"; then
	ip netns add "$BRIDGE_NS"
	ip -n "$BRIDGE_NS" link set lo up
fi
ip -n "$BRIDGE_NS" link show br0 >/dev/null 2>&1 || ip -n "$BRIDGE_NS" link add br0 type bridge
ip -n "$BRIDGE_NS" link set br0 up
for node in "${NODES[@]}"; do
	ns=vaswarm-$node
	has_ns "$ns" || ip netns add "$ns"
	if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
		# Made in the host's namespace under names of our own, then moved: only the two ends leave it.
		ip link del "vs-$node-n" 2>/dev/null || true
		ip link add "vs-$node-n" type veth peer name "vs-$node-b"
		ip link set "vs-$node-n" netns "$ns"
		ip link set "vs-$node-b" netns "$BRIDGE_NS"
		ip -n "$ns" link set "vs-$node-n" name eth0
	fi
	ip -n "$ns" addr show dev eth0 | grep -q " $(addr "$node")/24" || ip -n "$ns" addr add "$(addr "$node")/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ip -n "$BRIDGE_NS" link set "vs-$node-b" master br0
	ip -n "$BRIDGE_NS" link set "vs-$node-b" up
done

# ---------------------------------------------------------------- engines
running_pid() {
	local pid
	pid=$(cat "$RUN/$1.pid" 2>/dev/null || true)
	[ -n "$pid" ] && grep -qa dockerd "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	return 0
}

started=()
for node in "${NODES[@]}"; do
	ok "$node" && continue
	if [ -z "$(running_pid "$node")" ]; then
		rm -f "$RUN/$node.pid" "$RUN/$node.sock"
		root=$DIR/$node
		# A containerd left by a killed dockerd holds the exec root's socket: the new dockerd starts its own.
		cpid=$(cat "$root/exec/containerd/containerd.pid" 2>/dev/null || true)
		if [ -n "$cpid" ] && grep -qa containerd "/proc/$cpid/cmdline" 2>/dev/null; then kill "$cpid" 2>/dev/null || true; sleep 0.5; fi
		rm -f "$root/exec/containerd/containerd.pid"
		mkdir -p "$root/exec" "$root/data"
		# Only the network and hostname are its own (nsenter --net, unshare --uts): the filesystem, cgroups and pids
		# stay the host's, so va-top reads the tasks' cgroup files as on any local engine. setsid: it must not die
		# with the test or shell that started it. No --live-restore: Swarm mode refuses it.
		setsid nsenter --net="/var/run/netns/vaswarm-$node" unshare --uts sh -c \
			'hostname "$1" && shift && exec "$@"' sh "vaswarm-$node" \
			dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
			-H "$(sock "$node")" --pidfile "$RUN/$node.pid" \
			--exec-root "$root/exec" --data-root "$root/data" \
			>>"$LOGS/engine-$node.log" 2>&1 </dev/null &
	fi
	started+=("$node")
done

for node in "${started[@]}"; do
	deadline=$((SECONDS + 60))
	until ok "$node"; do
		[ $SECONDS -lt $deadline ] || { tail -n 10 "$LOGS/engine-$node.log" >&2; die "engine $node did not answer within 60 s (log $LOGS/engine-$node.log)"; }
		sleep 0.3
	done
done

for node in "${NODES[@]}"; do
	if ! on "$node" image inspect "$IMAGE" >/dev/null 2>&1; then
		docker image inspect "$IMAGE" >/dev/null 2>&1 || die "$IMAGE missing on the main engine (scripts/build-image.sh)"
		docker save "$IMAGE" | on "$node" load >/dev/null || die "loading $IMAGE into $node"
	fi
done

# ---------------------------------------------------------------- the swarm: n1 manager, the others workers
# One `docker info` per node says whether it is in a swarm (the CLI costs ~0.4 s a call here: few calls).
state() { on "$1" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null || echo "unknown false"; }
# HOSTNAME STATUS AVAILABILITY of every node the manager knows.
nodes() { on "$manager" node ls --format '{{.Hostname}} {{.Status}} {{.Availability}} {{.ID}}'; }
manager=${NODES[0]}
read -r mstate mcontrol <<<"$(state "$manager")"
if [ "$mstate" != active ] || [ "$mcontrol" != true ]; then
	[ "$mstate" = inactive ] || on "$manager" swarm leave --force >/dev/null 2>&1 || true
	# A 2 s heartbeat (default 5 s): a node whose engine dies is down after ~6 s, so the tests that kill one wait less.
	on "$manager" swarm init --advertise-addr "$(addr "$manager")" --listen-addr "$(addr "$manager"):2377" --dispatcher-heartbeat 2s >/dev/null || die "swarm init on $manager"
fi

known=$(nodes)
token=
for node in "${NODES[@]:1}"; do
	read -r wstate _ <<<"$(state "$node")"
	# Active, and the manager knows it as ready: a member of this swarm (a worker cannot see the cluster it is in).
	if [ "$wstate" = active ] && grep -q "^vaswarm-$node Ready " <<<"$known"; then continue; fi
	if [ "$wstate" = active ] && ! grep -q "^vaswarm-$node " <<<"$known"; then on "$node" swarm leave --force >/dev/null 2>&1 || true; wstate=inactive; fi
	[ "$wstate" = active ] && continue # known but not ready yet: a restarted worker reconnecting
	# A node of an older swarm under the same hostname: forget it, so the name means the new one.
	for stale in $(awk -v h="vaswarm-$node" '$1 == h && $2 != "Ready" {print $NF}' <<<"$known"); do
		on "$manager" node rm --force "$stale" >/dev/null 2>&1 || true
	done
	[ -n "$token" ] || token=$(on "$manager" swarm join-token -q worker)
	timeout 60 docker -H "$(sock "$node")" swarm join --token "$token" --advertise-addr "$(addr "$node")" --listen-addr "$(addr "$node"):2377" "$(addr "$manager"):2377" >/dev/null || die "swarm join of $node"
done

# Every node ready and active (tests set one to drain; a new run starts from all active). A restarted worker comes
# back as the same node after a few seconds.
deadline=$((SECONDS + 60))
for node in "${NODES[@]}"; do
	until grep -q "^vaswarm-$node Ready " <<<"$known"; do
		[ $SECONDS -lt $deadline ] || die "node vaswarm-$node not ready within 60 s ($(grep "^vaswarm-$node " <<<"$known" | head -n1))"
		sleep 0.5
		known=$(nodes)
	done
	if ! grep -q "^vaswarm-$node Ready Active " <<<"$known"; then on "$manager" node update --availability active "vaswarm-$node" >/dev/null; fi
done

for node in "${NODES[@]}"; do
	role=worker
	[ "$node" = "$manager" ] && role=manager
	echo "$node $(sock "$node") $(addr "$node") $role"
done
