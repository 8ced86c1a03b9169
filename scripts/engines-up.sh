#!/usr/bin/env bash
# Extra Docker engines of the project's own, for the several-engines tests and benchmark: each a dockerd with its own
# socket, pid file, exec root, data root and containerd, the flags of scripts/services-up.sh (no iptables, no bridge:
# containers use --network none or host; vfs), and --live-restore, so stopping an engine (the tests do, to act out a
# host that drops off the network) leaves its containers running. The image va-top/busybox:1 is copied into each from
# the main engine (docker save | docker load). The main engine (/var/run/docker.sock) is never touched.
#
# usage: scripts/engines-up.sh [N | NAME...]     (as root; default 3 engines: e1 e2 e3)
#   prints one line per engine: NAME unix:///var/run/va-top-engines/NAME.sock
#   Idempotent: an engine that answers is left alone. Stop them with scripts/engines-down.sh.
# Sockets and pid files: $VA_ENGINES_RUN (/var/run/va-top-engines); exec and data roots: $VA_ENGINES_DIR
# (/var/tmp/va-top/engines); logs: $VA_STATE_DIR/logs (/var/tmp/va-top/logs).
set -Eeuo pipefail

RUN=${VA_ENGINES_RUN:-/var/run/va-top-engines}
DIR=${VA_ENGINES_DIR:-/var/tmp/va-top/engines}
LOGS=${VA_STATE_DIR:-/var/tmp/va-top}/logs
IMAGE=va-top/busybox:1

die() { echo "engines-up: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
command -v dockerd >/dev/null 2>&1 || die "dockerd not installed (scripts/setup.sh)"

if [ $# -eq 0 ]; then set -- 3; fi
if [ $# -eq 1 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	count=$1
	[ "$count" -ge 1 ] && [ "$count" -le 5 ] || die "between 1 and 5 engines, got $count"
	set --
	for i in $(seq 1 "$count"); do set -- "$@" "e$i"; done
fi

ok() { timeout 5 docker -H "unix://$RUN/$1.sock" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
running_pid() {
	local pid
	pid=$(cat "$RUN/$1.pid" 2>/dev/null || true)
	[ -n "$pid" ] && grep -qa dockerd "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	return 0
}

mkdir -p "$RUN" "$DIR" "$LOGS"
started=()
for name in "$@"; do
	[[ $name =~ ^[a-z][a-z0-9-]{0,15}$ ]] || die "engine name \"$name\": lowercase letters, digits and -, expected e.g. e1"
	ok "$name" && continue
	pid=$(running_pid "$name")
	if [ -z "$pid" ]; then
		rm -f "$RUN/$name.pid" "$RUN/$name.sock"
		# A containerd left by a killed dockerd holds the exec root's socket; a new dockerd would wait on it.
		cpid=$(cat "$DIR/$name/exec/containerd/containerd.pid" 2>/dev/null || true)
		if [ -n "$cpid" ] && ! grep -qa containerd "/proc/$cpid/cmdline" 2>/dev/null; then rm -f "$DIR/$name/exec/containerd/containerd.pid"; fi
		mkdir -p "$DIR/$name/exec" "$DIR/$name/data"
		# setsid: the engine must not die with the test or shell that started it.
		setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs --live-restore \
			-H "unix://$RUN/$name.sock" --pidfile "$RUN/$name.pid" \
			--exec-root "$DIR/$name/exec" --data-root "$DIR/$name/data" \
			>>"$LOGS/engine-$name.log" 2>&1 </dev/null &
	fi
	started+=("$name")
done

for name in "${started[@]}"; do
	deadline=$((SECONDS + 60))
	until ok "$name"; do
		[ $SECONDS -lt $deadline ] || { tail -n 10 "$LOGS/engine-$name.log" >&2; die "engine $name did not answer within 60 s (log $LOGS/engine-$name.log)"; }
		sleep 0.3
	done
done

for name in "$@"; do
	if ! docker -H "unix://$RUN/$name.sock" image inspect "$IMAGE" >/dev/null 2>&1; then
		docker image inspect "$IMAGE" >/dev/null 2>&1 || die "$IMAGE missing on the main engine (scripts/build-image.sh)"
		docker save "$IMAGE" | docker -H "unix://$RUN/$name.sock" load >/dev/null || die "loading $IMAGE into $name"
	fi
	echo "$name unix://$RUN/$name.sock"
done
