#!/usr/bin/env bash
# Starts everything va-top's tests need, idempotently (a second run only checks, in about a second):
#   - Docker engine (dockerd without iptables/bridge, vfs storage) and the local image va-top/busybox:1
#   - PostgreSQL 15: our own cluster under $VA_STATE_DIR/pg15, 127.0.0.1:5432 only, max_connections=20,
#     scram passwords on loopback; roles voiceassist/voiceassist (owns db voiceassist, pg_read_all_stats)
#     and superuser va_admin/va_admin
#   - Redis 7 on 127.0.0.1: 6379 without password, 6380 with requirepass; no persistence
#   - PgBouncer on 127.0.0.1:6432 in front of that PostgreSQL: database voiceassist with a pool of 2 server
#     connections (session mode, so a third client waits), users from a userlist; voiceassist is in stats_users
#     (what va-top needs to read SHOW POOLS) and va_admin in admin_users. Config under $VA_STATE_DIR/pgbouncer.
#   - the standing data tier for manual trials (scripts/data-tier-up.sh): PostgreSQL replicas 5433/5434, a Redis
#     Sentinel set (6381, 6382, sentinels 26379-26381), a Redis Cluster (7000-7005), the Qdrant stand-in (6333)
# nginx and tmux are only installed (scripts/setup.sh), never started here.
#
# usage: scripts/services-up.sh            (as root; VA_STATE_DIR defaults to /var/tmp/va-top)
# Logs: $VA_STATE_DIR/logs/. Stop with scripts/services-down.sh.
# VA_PG_PORT, VA_REDIS_PORT, VA_REDIS_AUTH_PORT, VA_PGBOUNCER_PORT move a second, separate set (with another VA_STATE_DIR).
#
# Already running services are adopted when they are what we promise (e.g. started by hand);
# a foreign PostgreSQL/Redis on our ports that is not is replaced (stopped, ours started at once).
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${VA_STATE_DIR:-/var/tmp/va-top}
LOGS=$STATE/logs

PG_BIN=/usr/lib/postgresql/15/bin
PGDATA=$STATE/pg15/data
PG_SOCKDIR=$STATE/pg15/run
PG_PORT=${VA_PG_PORT:-5432}
PG_MAX_CONNECTIONS=20

REDIS_PORT=${VA_REDIS_PORT:-6379}
REDIS_AUTH_PORT=${VA_REDIS_AUTH_PORT:-6380}
REDIS_PASSWORD=va-redis-secret # a test fixture; it must still never be printed (tests check that)

PGBOUNCER_PORT=${VA_PGBOUNCER_PORT:-6432}
PGBOUNCER_DIR=$STATE/pgbouncer
PGBOUNCER_POOL_SIZE=2

STEP=starting
say() { echo "services-up: $*"; }
die() { echo "services-up: FAILED: $STEP: $*" >&2; exit 1; }
trap 'echo "services-up: FAILED: $STEP (line $LINENO: $BASH_COMMAND)" >&2' ERR

[ "$(id -u)" = 0 ] || die "must run as root"
mkdir -p "$STATE" "$LOGS"
chmod 755 "$STATE" "$LOGS"

# true when something accepts TCP connections on 127.0.0.1:$1
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# pid of the process listening on 127.0.0.1:$1 (empty if unknown)
listener_pid() {
	ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true
}

describe_listener() {
	local pid
	pid=$(listener_pid "$1")
	if [ -n "$pid" ]; then echo "pid $pid ($(tr '\0\n' '  ' <"/proc/$pid/cmdline" | tr -s ' ' | sed 's/ *$//' | cut -c1-80))"; else echo "unknown process"; fi
}

# ---------------------------------------------------------------- docker
docker_ok() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_cgroups() {
	# dockerd needs cgroups; a machine whose init did not mount them gets them from cgroupfs-mount.
	[ -e /sys/fs/cgroup/cgroup.controllers ] && return 0 # cgroup v2
	[ -n "$(ls -A /sys/fs/cgroup/memory 2>/dev/null)" ] && return 0 # cgroup v1
	if command -v cgroupfs-mount >/dev/null 2>&1; then
		say "mounting cgroups (cgroupfs-mount)"
		cgroupfs-mount
	else
		say "warning: no cgroup hierarchy mounted and no cgroupfs-mount; dockerd may fail"
	fi
}

start_docker() {
	STEP="docker engine"
	if docker_ok; then
		say "docker: engine answers"
		return 0
	fi
	command -v dockerd >/dev/null 2>&1 || die "dockerd not installed (run scripts/setup.sh)"
	local pid
	pid=$(cat /var/run/docker.pid 2>/dev/null || true)
	if [ -n "$pid" ] && grep -qa dockerd "/proc/$pid/cmdline" 2>/dev/null; then
		# Its pid file says it is the daemon for /var/run: probably still starting.
		say "docker: dockerd (pid $pid) runs but does not answer yet, waiting"
	else
		if [ -e /var/run/docker.pid ]; then
			# Left by a killed dockerd; if its pid is reused by now, dockerd would refuse to start.
			say "docker: removing stale /var/run/docker.pid"
			rm -f /var/run/docker.pid
		fi
		local cpid
		cpid=$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)
		if [ -n "$cpid" ] && ! grep -qa containerd "/proc/$cpid/cmdline" 2>/dev/null; then
			# dockerd would take a reused pid for its containerd and wait on it.
			rm -f /var/run/docker/containerd/containerd.pid
		fi
		ensure_cgroups
		say "docker: starting dockerd (log $LOGS/dockerd.log)"
		# No iptables and no bridge: containers use --network none/host only (nothing may leave loopback).
		# setsid: the daemon must not die with the shell or CI step that started it.
		setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
			>>"$LOGS/dockerd.log" 2>&1 </dev/null &
	fi
	local deadline=$((SECONDS + 60))
	until docker_ok; do
		if [ $SECONDS -ge $deadline ]; then
			tail -n 15 "$LOGS/dockerd.log" >&2 || true
			die "docker engine did not answer within 60 s (log above: $LOGS/dockerd.log)"
		fi
		sleep 0.5
	done
	say "docker: engine answers"
}

# ---------------------------------------------------------------- postgres
pg() { runuser -u postgres -- "$PG_BIN/$@"; }

# psql as the local superuser over our own unix socket (peer auth); SQL on stdin.
pg_sql() { runuser -u postgres -- "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PG_PORT" -d postgres "$@"; }

# Running = its postmaster.pid names a live process whose cwd is our data dir (a postmaster works there).
# A pid file left by a killed server (CI kills what a session left running) is removed, as its pid may
# belong to some other process by now and pg_ctl would then believe the server runs.
our_pg_running() {
	local pid
	[ -f "$PGDATA/postmaster.pid" ] || return 1
	pid=$(head -n1 "$PGDATA/postmaster.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$PGDATA" ]; then
		return 0
	fi
	# Backends of a killed postmaster exit on their own within moments; until then they still use its
	# shared memory, which a new postmaster must not share. Our cluster's processes work in $PGDATA.
	local deadline=$((SECONDS + 10)) orphans
	while orphans=$(pg_orphans) && [ -n "$orphans" ]; do
		if [ $SECONDS -ge $deadline ]; then
			say "postgres: killing leftover processes of our killed cluster: $orphans"
			kill -9 $orphans 2>/dev/null || true
			sleep 0.5
			break
		fi
		sleep 0.2
	done
	say "postgres: removing stale postmaster.pid (pid ${pid:-?} is not our server)"
	rm -f "$PGDATA/postmaster.pid"
	return 1
}

pg_orphans() { # pids of live processes whose cwd is our data dir (zombies have none)
	local d
	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/cwd" 2>/dev/null)" = "$PGDATA" ] && echo -n "${d#/proc/} "
	done
	return 0
}

# A PostgreSQL started by someone else that already is what we promise: both logins work and
# max_connections is ours. Passwords go through PGPASSWORD, never on a command line or in output.
pg_adoptable() {
	local max
	max=$(PGPASSWORD=va_admin timeout 10 "$PG_BIN/psql" -X -w -At -h 127.0.0.1 -p "$PG_PORT" -U va_admin -d postgres \
		-c 'show max_connections' 2>/dev/null) || return 1
	[ "$max" = "$PG_MAX_CONNECTIONS" ] || return 1
	PGPASSWORD=voiceassist timeout 10 "$PG_BIN/psql" -X -w -At -h 127.0.0.1 -p "$PG_PORT" -U voiceassist -d voiceassist \
		-c 'select 1' >/dev/null 2>&1
}

write_pg_config() { # -> prints "restart" when a setting that needs a restart changed
	local conf=$PGDATA/va-top.conf hba=$PGDATA/pg_hba.conf tmp
	tmp=$(mktemp)
	cat >"$tmp" <<-EOF
		# Written by va-top scripts/services-up.sh on every run; edits here are overwritten.
		listen_addresses = '127.0.0.1'
		port = $PG_PORT
		max_connections = $PG_MAX_CONNECTIONS
		unix_socket_directories = '$PG_SOCKDIR'
		password_encryption = 'scram-sha-256'
		shared_buffers = '64MB'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		logging_collector = off
		log_line_prefix = '%m [%p] %q%u@%d '
	EOF
	if ! cmp -s "$tmp" "$conf"; then
		install -o postgres -g postgres -m 600 "$tmp" "$conf"
		echo restart
	fi
	grep -qx "include_if_exists = 'va-top.conf'" "$PGDATA/postgresql.conf" ||
		echo "include_if_exists = 'va-top.conf'" >>"$PGDATA/postgresql.conf"
	cat >"$tmp" <<-'EOF'
		# Written by va-top scripts/services-up.sh. Local socket: peer (postgres runs the setup);
		# TCP only on loopback, always with a scram password.
		local   all   all                  peer
		host    all   all   127.0.0.1/32   scram-sha-256
		host    all   all   ::1/128        scram-sha-256
		# Streaming replicas (scripts/data-tier-up.sh): `all` does not cover replication connections.
		host    replication   all   127.0.0.1/32   scram-sha-256
	EOF
	if ! cmp -s "$tmp" "$hba"; then
		install -o postgres -g postgres -m 600 "$tmp" "$hba"
		echo reload
	fi
	rm -f "$tmp"
}

pg_initdb() {
	say "postgres: initdb $PGDATA"
	install -d -o postgres -g postgres -m 700 "$PGDATA"
	pg initdb -D "$PGDATA" -U postgres -E UTF8 --locale=C --auth-local=peer --auth-host=scram-sha-256 \
		>"$LOGS/initdb.log" 2>&1 || { tail -n 15 "$LOGS/initdb.log" >&2; die "initdb failed"; }
}

pg_ctl_start() {
	setsid -w runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$LOGS/postgres.log" -w -t 60 start >/dev/null
}

pg_start() {
	say "postgres: starting our cluster (log $LOGS/postgres.log)"
	# Not running, so any socket or socket lock in our private socket dir is left from a killed server;
	# its lock names a pid that may still look alive (an unreaped zombie) and would block the start.
	rm -f "$PG_SOCKDIR"/.s.PGSQL.*
	touch "$LOGS/postgres.log"
	chown postgres:postgres "$LOGS/postgres.log"
	pg_ctl_start && return 0
	tail -n 8 "$LOGS/postgres.log" >&2
	port_open "$PG_PORT" && die "pg_ctl start failed and port $PG_PORT is taken by $(describe_listener "$PG_PORT")"
	# Our cluster only holds test data (and runs with fsync off): one that cannot start, say after the
	# machine went down, is recreated rather than left for someone to repair by hand.
	say "postgres: our cluster does not start; recreating it (the old one is kept as $STATE/pg15/data.broken)"
	rm -rf "$STATE/pg15/data.broken"
	mv "$PGDATA" "$STATE/pg15/data.broken"
	pg_initdb
	write_pg_config >/dev/null
	pg_ctl_start || { tail -n 15 "$LOGS/postgres.log" >&2; die "pg_ctl start failed on a fresh cluster (log above)"; }
}

pg_wait_ready() {
	local deadline=$((SECONDS + 60))
	until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; do
		[ $SECONDS -lt $deadline ] || die "postgres on 127.0.0.1:$PG_PORT not ready within 60 s ($LOGS/postgres.log)"
		sleep 0.3
	done
}

pg_ensure_roles() { # roles and database; safe to repeat. Passwords travel on stdin only.
	pg_sql >/dev/null <<-'EOF'
		SET client_min_messages = warning;
		SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY['voiceassist', 'va_admin']) AS r
		 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
		ALTER ROLE voiceassist WITH LOGIN NOSUPERUSER PASSWORD 'voiceassist';
		ALTER ROLE va_admin WITH LOGIN SUPERUSER PASSWORD 'va_admin';
		GRANT pg_read_all_stats TO voiceassist;
		SELECT 'CREATE DATABASE voiceassist OWNER voiceassist'
		 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'voiceassist') \gexec
		ALTER DATABASE voiceassist OWNER TO voiceassist;
	EOF
}

start_postgres() {
	STEP="postgres"
	[ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 not installed at $PG_BIN (run scripts/setup.sh)"
	id postgres >/dev/null 2>&1 || die "user postgres missing (run scripts/setup.sh)"
	mkdir -p "$STATE/pg15" "$PG_SOCKDIR"
	chown postgres:postgres "$STATE/pg15" "$PG_SOCKDIR"
	chmod 700 "$STATE/pg15"

	[ -s "$PGDATA/PG_VERSION" ] || pg_initdb
	local changes
	changes=$(write_pg_config)

	if our_pg_running; then
		if [[ "$changes" == *restart* ]]; then
			say "postgres: settings changed, restarting our cluster"
			setsid -w runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$LOGS/postgres.log" -m fast -w -t 60 restart >/dev/null
		elif [[ "$changes" == *reload* ]]; then
			pg pg_ctl -D "$PGDATA" reload >/dev/null
		fi
	elif port_open "$PG_PORT"; then
		local pid cwd
		pid=$(listener_pid "$PG_PORT")
		cwd=$([ -n "$pid" ] && readlink "/proc/$pid/cwd" || true)
		if pg_adoptable; then
			say "postgres: adopting the server already on 127.0.0.1:$PG_PORT ($(describe_listener "$PG_PORT")): roles and max_connections match"
			PG_ADOPTED=1
		elif [ -n "$pid" ] && [ -n "$cwd" ] && [ -f "$cwd/postmaster.pid" ]; then
			# Another PostgreSQL (e.g. Debian's main cluster started by hand): its postmaster's cwd is its data dir.
			say "postgres: replacing the PostgreSQL on port $PG_PORT (data $cwd) with our cluster"
			runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$cwd" -m fast -w -t 60 stop >/dev/null ||
				die "could not stop the PostgreSQL in $cwd"
			pg_start
		else
			die "port $PG_PORT is taken by $(describe_listener "$PG_PORT"), which is not a PostgreSQL we can use"
		fi
	else
		pg_start
	fi
	pg_wait_ready
	if [ "${PG_ADOPTED:-0}" = 0 ]; then pg_ensure_roles; fi
	# Prove the promise over TCP with the password, as the tests will connect.
	local max
	max=$(PGPASSWORD=voiceassist "$PG_BIN/psql" -X -w -At -h 127.0.0.1 -p "$PG_PORT" -U voiceassist -d voiceassist \
		-c 'show max_connections' 2>/dev/null) || die "voiceassist cannot log in on 127.0.0.1:$PG_PORT"
	[ "$max" = "$PG_MAX_CONNECTIONS" ] || die "max_connections is $max, expected $PG_MAX_CONNECTIONS"
	say "postgres: 127.0.0.1:$PG_PORT ready (max_connections $max)"
}

# ---------------------------------------------------------------- redis
redis_cli() { # port, [password], args... ; the password goes through the environment, never argv
	local port=$1 pass=$2
	shift 2
	if [ -n "$pass" ]; then
		REDISCLI_AUTH=$pass timeout 5 redis-cli --no-auth-warning -h 127.0.0.1 -p "$port" "$@" 2>&1
	else
		env -u REDISCLI_AUTH timeout 5 redis-cli -h 127.0.0.1 -p "$port" "$@" 2>&1
	fi
}

redis_conf() { # port, password
	cat <<-EOF
		# Written by va-top scripts/services-up.sh on every run.
		bind 127.0.0.1
		port $1
		protected-mode yes
		daemonize yes
		pidfile $STATE/redis/$1/redis.pid
		logfile $LOGS/redis-$1.log
		dir $STATE/redis/$1
		save ""
		appendonly no
		databases 16
	EOF
	[ -z "$2" ] || echo "requirepass $2"
}

start_one_redis() { # port, password ('' = none)
	local port=$1 pass=$2 dir=$STATE/redis/$1 pid ours=0
	local conf=$dir/redis.conf
	install -d -o redis -g redis -m 750 "$STATE/redis" "$dir"
	touch "$LOGS/redis-$port.log"
	chown redis:redis "$LOGS/redis-$port.log"
	redis_conf "$port" "$pass" >"$conf.new"
	chown redis:redis "$conf.new"
	chmod 600 "$conf.new"
	mv "$conf.new" "$conf"

	if port_open "$port"; then
		pid=$(listener_pid "$port")
		[ -n "$pid" ] && [ -f "$dir/redis.pid" ] && [ "$(cat "$dir/redis.pid")" = "$pid" ] && ours=1
		local reply
		reply=$(redis_cli "$port" "$pass" ping || true)
		if [ "$reply" = PONG ]; then
			if [ "$ours" = 0 ]; then
				say "redis: adopting the server already on 127.0.0.1:$port ($(describe_listener "$port"))"
				# Make it what we promise: no persistence, and the password on the auth port.
				redis_cli "$port" "$pass" config set save '' >/dev/null || true
				redis_cli "$port" "$pass" config set appendonly no >/dev/null || true
			fi
			if [ -n "$pass" ] && [ "$(redis_cli "$port" '' ping || true)" = PONG ]; then
				redis_cli "$port" "$pass" config set requirepass "$pass" >/dev/null
			fi
			if [ -z "$pass" ] && [ "$(redis_cli "$port" '' ping || true)" != PONG ]; then
				die "redis on $port requires a password; it must not"
			fi
			return 0
		fi
		# Something answers but not with our password (or is not Redis): replace it if it is a redis-server.
		if [ -n "$pid" ] && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
			say "redis: replacing the redis-server on $port ($(describe_listener "$port"))"
			kill "$pid"
			local deadline=$((SECONDS + 15))
			while port_open "$port"; do
				[ $SECONDS -lt $deadline ] || die "old redis-server on $port (pid $pid) did not stop"
				sleep 0.2
			done
		else
			die "port $port is taken by $(describe_listener "$port"), which is not a Redis we can use"
		fi
	fi
	say "redis: starting 127.0.0.1:$port${pass:+ (with password)} (log $LOGS/redis-$port.log)"
	runuser -u redis -- redis-server "$conf" >/dev/null
	local deadline=$((SECONDS + 20))
	until [ "$(redis_cli "$port" "$pass" ping || true)" = PONG ]; do
		if [ $SECONDS -ge $deadline ]; then
			tail -n 10 "$LOGS/redis-$port.log" >&2 || true
			die "redis on 127.0.0.1:$port did not answer PING within 20 s"
		fi
		sleep 0.2
	done
}

start_redis() {
	STEP="redis"
	command -v redis-server >/dev/null 2>&1 || die "redis-server not installed (run scripts/setup.sh)"
	id redis >/dev/null 2>&1 || die "user redis missing (run scripts/setup.sh)"
	start_one_redis "$REDIS_PORT" ''
	start_one_redis "$REDIS_AUTH_PORT" "$REDIS_PASSWORD"
	local noauth
	noauth=$(redis_cli "$REDIS_AUTH_PORT" '' ping || true)
	[[ "$noauth" == *NOAUTH* ]] || die "redis on $REDIS_AUTH_PORT answers without the password"
	say "redis: 127.0.0.1:$REDIS_PORT and :$REDIS_AUTH_PORT (password) answer"
}

# ---------------------------------------------------------------- pgbouncer
# Our own config and process (Debian's service and /etc/pgbouncer are left alone). It runs as postgres:
# pgbouncer refuses to run as root.
pgbouncer_conf() {
	cat <<-EOF
		; Written by va-top scripts/services-up.sh on every run; edits here are overwritten.
		[databases]
		voiceassist = host=127.0.0.1 port=$PG_PORT dbname=voiceassist pool_size=$PGBOUNCER_POOL_SIZE

		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $PGBOUNCER_PORT
		unix_socket_dir =
		auth_type = scram-sha-256
		auth_file = $PGBOUNCER_DIR/userlist.txt
		admin_users = va_admin
		stats_users = voiceassist
		pool_mode = session
		default_pool_size = $PGBOUNCER_POOL_SIZE
		max_client_conn = 200
		logfile = $LOGS/pgbouncer.log
		pidfile = $PGBOUNCER_DIR/pgbouncer.pid
	EOF
}

pgbouncer_userlist() { # the same test-fixture passwords as the PostgreSQL roles
	printf '"voiceassist" "voiceassist"\n"va_admin" "va_admin"\n'
}

# pid of our pgbouncer when its pid file names a live pgbouncer
our_pgbouncer_pid() {
	local pid
	pid=$(cat "$PGBOUNCER_DIR/pgbouncer.pid" 2>/dev/null || true)
	[ -n "$pid" ] && grep -qa pgbouncer "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	return 0
}

pgbouncer_answers() { # SHOW POOLS on the admin console as the stats user, over TCP with the password
	PGPASSWORD=voiceassist timeout 5 "$PG_BIN/psql" -X -w -At -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U voiceassist -d pgbouncer \
		-c 'SHOW POOLS' >/dev/null 2>&1
}

start_pgbouncer() {
	STEP="pgbouncer"
	command -v pgbouncer >/dev/null 2>&1 || die "pgbouncer not installed (run scripts/setup.sh)"
	install -d -o postgres -g postgres -m 700 "$PGBOUNCER_DIR"
	touch "$LOGS/pgbouncer.log"
	chown postgres:postgres "$LOGS/pgbouncer.log"
	local changed=0 tmp
	tmp=$(mktemp)
	pgbouncer_conf >"$tmp"
	cmp -s "$tmp" "$PGBOUNCER_DIR/pgbouncer.ini" || { install -o postgres -g postgres -m 600 "$tmp" "$PGBOUNCER_DIR/pgbouncer.ini"; changed=1; }
	pgbouncer_userlist >"$tmp"
	cmp -s "$tmp" "$PGBOUNCER_DIR/userlist.txt" || { install -o postgres -g postgres -m 600 "$tmp" "$PGBOUNCER_DIR/userlist.txt"; changed=1; }
	rm -f "$tmp"

	local pid
	pid=$(our_pgbouncer_pid)
	if [ -n "$pid" ]; then
		if [ "$changed" = 1 ]; then
			say "pgbouncer: config changed, reloading (pid $pid)"
			kill -HUP "$pid"
		fi
	elif port_open "$PGBOUNCER_PORT"; then
		die "port $PGBOUNCER_PORT is taken by $(describe_listener "$PGBOUNCER_PORT"), which is not our pgbouncer"
	else
		rm -f "$PGBOUNCER_DIR/pgbouncer.pid"
		say "pgbouncer: starting 127.0.0.1:$PGBOUNCER_PORT (log $LOGS/pgbouncer.log)"
		# -d: it daemonizes and writes its pid file; setsid so it does not die with the shell that started it.
		setsid runuser -u postgres -- pgbouncer -d -q "$PGBOUNCER_DIR/pgbouncer.ini" </dev/null ||
			{ tail -n 10 "$LOGS/pgbouncer.log" >&2; die "pgbouncer did not start (log above)"; }
	fi
	local deadline=$((SECONDS + 20))
	until pgbouncer_answers; do
		if [ $SECONDS -ge $deadline ]; then
			tail -n 10 "$LOGS/pgbouncer.log" >&2 || true
			die "pgbouncer on 127.0.0.1:$PGBOUNCER_PORT does not answer SHOW POOLS as voiceassist within 20 s"
		fi
		sleep 0.2
	done
	say "pgbouncer: 127.0.0.1:$PGBOUNCER_PORT ready (pool_size $PGBOUNCER_POOL_SIZE in front of :$PG_PORT)"
}

# shellcheck source=scripts/data-tier-up.sh
source "$HERE/data-tier-up.sh"

start_docker
STEP="image va-top/busybox:1"
bash "$HERE/build-image.sh"
start_postgres
start_redis
start_pgbouncer
start_data_tier
echo "services: docker ok, postgres 127.0.0.1:$PG_PORT ok, redis $REDIS_PORT/$REDIS_AUTH_PORT ok, pgbouncer $PGBOUNCER_PORT ok"
