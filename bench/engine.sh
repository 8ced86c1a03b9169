#!/usr/bin/env bash
# A private Docker engine for the benchmark, so the engine's CPU is the watched tools' and nobody else's
# (this machine's main engine also serves other people's tests). Same flags as scripts/services-up.sh:
# no iptables, no bridge (containers use --network none), vfs; its own socket, data root, exec root and
# containerd. The image va-top/busybox:1 is copied into it from the main engine (docker save | load).
#
# usage: bench/engine.sh up|down|status     (as root)
#   up      start it (idempotent) and load the image; prints the socket
#   down    stop it (and its containerd); its containers are gone with it
set -Eeuo pipefail
# VA_BENCH_ENGINE names another one (run-bench's --engine soak), so a soak and a benchmark can run side by side.
NAME=${VA_BENCH_ENGINE:-va-top-bench}
SOCK=/var/run/$NAME.sock
PIDFILE=/var/run/$NAME.pid
EXEC_ROOT=/var/run/$NAME
DATA_ROOT=/var/lib/$NAME
LOG=${VA_STATE_DIR:-/var/tmp/va-top}/logs/$NAME-dockerd.log
IMAGE=va-top/busybox:1

die() { echo "engine: FAILED: $*" >&2; exit 1; }
ok() { timeout 5 docker -H "unix://$SOCK" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
running_pid() {
	local pid
	pid=$(cat "$PIDFILE" 2>/dev/null || true)
	[ -n "$pid" ] && grep -qa dockerd "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	return 0
}

case "${1:-}" in
	up)
		[ "$(id -u)" = 0 ] || die "must run as root"
		if ! ok; then
			[ -z "$(running_pid)" ] || die "dockerd $(running_pid) runs but does not answer on $SOCK"
			rm -f "$PIDFILE"
			mkdir -p "$(dirname "$LOG")" "$DATA_ROOT" "$EXEC_ROOT"
			setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
				-H "unix://$SOCK" --pidfile "$PIDFILE" --exec-root "$EXEC_ROOT" --data-root "$DATA_ROOT" \
				>>"$LOG" 2>&1 </dev/null &
			deadline=$((SECONDS + 60))
			until ok; do
				[ $SECONDS -lt $deadline ] || { tail -n 10 "$LOG" >&2; die "private engine did not answer within 60 s (log $LOG)"; }
				sleep 0.3
			done
		fi
		if ! docker -H "unix://$SOCK" image inspect "$IMAGE" >/dev/null 2>&1; then
			docker image inspect "$IMAGE" >/dev/null 2>&1 || die "$IMAGE missing on the main engine (scripts/build-image.sh)"
			docker save "$IMAGE" | docker -H "unix://$SOCK" load >/dev/null
		fi
		echo "unix://$SOCK"
		;;
	down)
		pid=$(running_pid)
		[ -n "$pid" ] || { echo "engine: not running"; exit 0; }
		kill "$pid"
		for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
		[ ! -d "/proc/$pid" ] || die "dockerd $pid did not stop within 10 s"
		echo "engine: stopped"
		;;
	status)
		if ok; then echo "unix://$SOCK (dockerd $(running_pid))"; else echo "not running"; exit 1; fi
		;;
	*) sed -n '2,9p' "$0"; exit 2 ;;
esac
