#!/usr/bin/env bash
# Stops the extra Docker engines of scripts/engines-up.sh (all of them, or the named ones). With --purge, also removes
# their containers first and then their data and exec roots. The main engine (/var/run/docker.sock) is never touched.
#
# usage: scripts/engines-down.sh [--purge] [NAME...]     (as root)
set -Eeuo pipefail

RUN=${VA_ENGINES_RUN:-/var/run/va-top-engines}
DIR=${VA_ENGINES_DIR:-/var/tmp/va-top/engines}

die() { echo "engines-down: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

purge=false
if [ "${1:-}" = --purge ]; then purge=true; shift; fi
if [ $# -eq 0 ]; then
	for pidfile in "$RUN"/*.pid; do [ -e "$pidfile" ] && set -- "$@" "$(basename "$pidfile" .pid)"; done
	if $purge; then for dir in "$DIR"/*/; do [ -d "$dir" ] && set -- "$@" "$(basename "$dir")"; done; fi
fi

declare -A seen=()
for name in "$@"; do
	[ -n "${seen[$name]:-}" ] && continue
	seen[$name]=1
	sock="unix://$RUN/$name.sock"
	if $purge && timeout 5 docker -H "$sock" version >/dev/null 2>&1; then
		ids=$(docker -H "$sock" ps -aq)
		[ -z "$ids" ] || docker -H "$sock" rm -f $ids >/dev/null
	fi
	pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && grep -qa dockerd "/proc/$pid/cmdline" 2>/dev/null; then
		kill "$pid"
		for _ in $(seq 1 150); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
		[ ! -d "/proc/$pid" ] || die "dockerd $pid ($name) did not stop within 15 s"
		echo "engines-down: $name stopped"
	fi
	if $purge; then
		# Whatever is still mounted under the roots (a container's rootfs) must be unmounted before removing them.
		grep -o " $DIR/$name/[^ ]*" /proc/mounts | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
		rm -rf "${DIR:?}/$name"
		rm -f "$RUN/$name.pid" "$RUN/$name.sock"
		echo "engines-down: $name purged"
	fi
done
