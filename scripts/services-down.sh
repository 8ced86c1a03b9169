#!/usr/bin/env bash
# Stops what scripts/services-up.sh started: our PgBouncer, our Redis servers (the standing data tier's too),
# PostgreSQL and its standing replicas, and the Qdrant stand-in
# (found by their pid files under $VA_STATE_DIR, so a server somebody else started is left alone).
# The Docker engine keeps running unless --docker is given (other work may have containers on it).
#
# usage: scripts/services-down.sh [--docker]
set -Eeuo pipefail

STATE=${VA_STATE_DIR:-/var/tmp/va-top}
PG_BIN=/usr/lib/postgresql/15/bin
PGDATA=$STATE/pg15/data
STOP_DOCKER=0

while [ $# -gt 0 ]; do
	case "$1" in
		--docker) STOP_DOCKER=1 ;;
		-h|--help) sed -n '2,7p' "$0"; exit 0 ;;
		*) echo "services-down: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

say() { echo "services-down: $*"; }
die() { echo "services-down: FAILED: $*" >&2; exit 1; }

stop_pid() { # name, pid: TERM, wait up to 20 s, then KILL
	local name=$1 pid=$2 deadline=$((SECONDS + 20))
	kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null; do
		if [ $SECONDS -ge $deadline ]; then
			say "$name (pid $pid) ignored TERM for 20 s, killing"
			kill -9 "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.2
	done
	say "$name stopped"
}

pidfile=$STATE/pgbouncer/pgbouncer.pid
if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && [ -n "$pid" ] && grep -qa pgbouncer "/proc/$pid/cmdline" 2>/dev/null; then
	stop_pid pgbouncer "$pid"
else
	say "pgbouncer: not ours or not running"
fi

for dir in "$STATE"/redis/*/; do
	[ -d "$dir" ] || continue
	port=$(basename "$dir")
	pidfile=$dir/redis.pid
	if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && [ -n "$pid" ] && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
		stop_pid "redis $port" "$pid"
	else
		say "redis $port: not ours or not running"
	fi
	rm -f "$pidfile"
done

# The standing replicas and the Qdrant stand-in of scripts/data-tier-up.sh (its Redis servers have pid files above).
for data in "$STATE"/pg15/replica-*/; do
	[ -f "$data/postmaster.pid" ] || continue
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "${data%/}" -m fast -w -t 60 stop >/dev/null && say "postgres replica $(basename "$data") stopped"
done
pidfile=$STATE/qdrant-stand-in/stand-in.pid
if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && grep -q stand-in "/proc/$pid/cmdline" 2>/dev/null; then
	stop_pid "qdrant stand-in" "$pid"
fi
rm -f "$pidfile"

if [ -f "$PGDATA/postmaster.pid" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop ($PGDATA)"
	say "postgres stopped"
else
	say "postgres: our cluster is not running"
fi

if [ "$STOP_DOCKER" = 1 ]; then
	if [ -f /var/run/docker.pid ] && pid=$(cat /var/run/docker.pid) && grep -q dockerd "/proc/$pid/cmdline" 2>/dev/null; then
		stop_pid dockerd "$pid"
	else
		say "dockerd: not running"
	fi
fi
