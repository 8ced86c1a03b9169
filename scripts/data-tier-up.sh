# Sourced by scripts/services-up.sh (uses its say, port_open, redis_cli, pg, STATE, LOGS, PG_BIN, PG_PORT,
# PG_SOCKDIR, REDIS_PASSWORD). The standing data tier for manual trials of va-top, all on 127.0.0.1; idempotent:
#   - two streaming replicas of the PostgreSQL primary on 5433 and 5434 (pg_basebackup -R -X stream from 5432)
#   - a Sentinel set: master 6381, replica 6382, sentinels 26379 26380 26381 watching "vamaster" (quorum 2)
#   - a six-node Redis Cluster on 7000-7005 (3 masters + 3 replicas; bus ports 17000-17005)
#   - the Qdrant STAND-IN (the project's own HTTP server, test/support/qdrant-stand-in.ts; no Qdrant can be
#     installed here) on 6333, when the project's node_modules (esbuild) are there to bundle it
# Data nodes use the password of Redis 6380 (va-redis-secret); sentinels have none. The tests do not use these:
# each test starts its own on its own ports. VA_DATA_TIER=0 skips all of this. A part that cannot be started is a
# warning here, not a failure: nothing in `npm test` depends on it.

PG_REPLICA_PORTS=${VA_PG_REPLICA_PORTS:-"5433 5434"}
SENTINEL_MASTER_PORT=6381
SENTINEL_REPLICA_PORT=6382
SENTINEL_PORTS="26379 26380 26381"
SENTINEL_NAME=vamaster
CLUSTER_PORTS="7000 7001 7002 7003 7004 7005"
QDRANT_STAND_IN_PORT=6333

warn() { say "warning: $*"; }

# ---------------------------------------------------------------- postgres replicas
replica_running() { # data dir: its postmaster.pid names a live process working in it
	local data=$1 pid
	[ -f "$data/postmaster.pid" ] || return 1
	pid=$(head -n1 "$data/postmaster.pid" 2>/dev/null || true)
	[ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$data" ]
}

replica_streaming() { # port: the primary shows it streaming under its cluster_name
	local state
	state=$(pg_sql -At -c "SELECT state FROM pg_stat_replication WHERE application_name = 'va-replica-$1'" 2>/dev/null </dev/null || true)
	[ "$state" = streaming ]
}

make_replica() { # port, data dir
	local port=$1 data=$2
	say "postgres: making replica 127.0.0.1:$port (pg_basebackup -R -X stream from :$PG_PORT)"
	rm -rf "$data"
	install -d -o postgres -g postgres -m 700 "$data"
	# The superuser's password by environment; -R writes it to the replica's primary_conninfo (mode 0600).
	PGPASSWORD=va_admin runuser -u postgres -- "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U va_admin -D "$data" -R -X stream --no-sync \
		>>"$LOGS/postgres-$port.log" 2>&1 || return 1
	# postgresql.auto.conf is read last: these win over the primary's va-top.conf copied with the data.
	cat >>"$data/postgresql.auto.conf" <<-EOF
		# va-top standing replica (scripts/data-tier-up.sh)
		port = $port
		cluster_name = 'va-replica-$port'
		hot_standby = on
		wal_retrieve_retry_interval = '1s'
	EOF
}

start_pg_replica() { # port
	local port=$1 data=$STATE/pg15/replica-$1
	touch "$LOGS/postgres-$port.log"
	chown postgres:postgres "$LOGS/postgres-$port.log"
	if replica_running "$data" && replica_streaming "$port"; then
		say "postgres: replica 127.0.0.1:$port streams"
		return 0
	fi
	replica_running "$data" && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1
	if [ ! -f "$data/standby.signal" ]; then
		make_replica "$port" "$data" || { warn "pg_basebackup for replica $port failed ($LOGS/postgres-$port.log)"; return 0; }
	fi
	start_and_wait_replica "$port" "$data" && return 0
	# A replica too far behind (its WAL recycled on the primary) never catches up: make it again.
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
	make_replica "$port" "$data" || { warn "pg_basebackup for replica $port failed ($LOGS/postgres-$port.log)"; return 0; }
	start_and_wait_replica "$port" "$data" || warn "replica $port does not stream (log $LOGS/postgres-$port.log)"
}

start_and_wait_replica() { # port, data
	local port=$1 data=$2 deadline
	setsid -w runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -l "$LOGS/postgres-$port.log" -w -t 60 start >/dev/null 2>&1 || return 1
	deadline=$((SECONDS + 20))
	until replica_streaming "$port"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.3
	done
	say "postgres: replica 127.0.0.1:$port streams"
}

start_pg_replicas() {
	STEP="postgres replicas"
	[ "${PG_ADOPTED:-0}" = 0 ] || { warn "the PostgreSQL on $PG_PORT is not ours: no standing replicas"; return 0; }
	local port
	for port in $PG_REPLICA_PORTS; do start_pg_replica "$port"; done
}

# ---------------------------------------------------------------- redis sentinel set and cluster
standing_redis_conf() { # port, extra lines...
	local port=$1
	shift
	cat <<-EOF
		# Written by va-top scripts/data-tier-up.sh.
		bind 127.0.0.1
		port $port
		protected-mode yes
		daemonize yes
		pidfile $STATE/redis/$port/redis.pid
		logfile $LOGS/redis-$port.log
		dir $STATE/redis/$port
		save ""
		appendonly no
		repl-diskless-sync-delay 0
	EOF
	printf '%s\n' "$@"
}

start_standing_redis() { # port, sentinel(0|1), config lines...
	local port=$1 sentinel=$2 dir=$STATE/redis/$1
	shift 2
	install -d -o redis -g redis -m 750 "$STATE/redis" "$dir"
	touch "$LOGS/redis-$port.log"
	chown redis:redis "$LOGS/redis-$port.log"
	standing_redis_conf "$port" "$@" >"$dir/redis.conf"
	chown redis:redis "$dir/redis.conf"
	chmod 600 "$dir/redis.conf"
	if [ "$sentinel" = 1 ]; then
		runuser -u redis -- redis-server "$dir/redis.conf" --sentinel >/dev/null
	else
		runuser -u redis -- redis-server "$dir/redis.conf" >/dev/null
	fi
	local deadline=$((SECONDS + 20))
	until port_open "$port"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}

stop_standing_redis() { # port: ours only (its pid file), TERM then wait
	local pidfile=$STATE/redis/$1/redis.pid pid deadline
	pid=$(cat "$pidfile" 2>/dev/null || true)
	if [ -n "$pid" ] && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		deadline=$((SECONDS + 15))
		while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

sentinel_set_ok() {
	local port answer
	for port in $SENTINEL_PORTS; do
		answer=$(redis_cli "$port" '' sentinel ckquorum "$SENTINEL_NAME" || true)
		[[ "$answer" == OK* ]] || return 1
	done
}

start_sentinel_set() {
	STEP="redis sentinel set"
	if sentinel_set_ok; then
		say "redis: sentinel set ok (master $(redis_cli 26379 '' sentinel get-master-addr-by-name "$SENTINEL_NAME" | paste -sd: -))"
		return 0
	fi
	local port
	for port in $SENTINEL_PORTS $SENTINEL_MASTER_PORT $SENTINEL_REPLICA_PORT; do
		stop_standing_redis "$port"
		port_open "$port" && { warn "port $port is taken by $(describe_listener "$port"): no sentinel set"; return 0; }
	done
	local auth=("requirepass $REDIS_PASSWORD" "masterauth $REDIS_PASSWORD")
	start_standing_redis "$SENTINEL_MASTER_PORT" 0 "${auth[@]}" || { warn "redis $SENTINEL_MASTER_PORT did not start"; return 0; }
	start_standing_redis "$SENTINEL_REPLICA_PORT" 0 "${auth[@]}" "replicaof 127.0.0.1 $SENTINEL_MASTER_PORT" || { warn "redis $SENTINEL_REPLICA_PORT did not start"; return 0; }
	for port in $SENTINEL_PORTS; do
		# A sentinel rewrites its own file (it records the replicas, the other sentinels and failovers).
		start_standing_redis "$port" 1 \
			"sentinel monitor $SENTINEL_NAME 127.0.0.1 $SENTINEL_MASTER_PORT 2" \
			"sentinel auth-pass $SENTINEL_NAME $REDIS_PASSWORD" \
			"sentinel down-after-milliseconds $SENTINEL_NAME 2000" \
			"sentinel failover-timeout $SENTINEL_NAME 10000" || { warn "sentinel $port did not start"; return 0; }
	done
	local deadline=$((SECONDS + 30))
	until sentinel_set_ok; do
		[ $SECONDS -lt $deadline ] || { warn "the sentinels do not reach a quorum ($LOGS/redis-26379.log)"; return 0; }
		sleep 0.5
	done
	say "redis: sentinel set ok (master 127.0.0.1:$SENTINEL_MASTER_PORT, replica :$SENTINEL_REPLICA_PORT, sentinels $SENTINEL_PORTS)"
}

cluster_ok() {
	local port
	[[ "$(redis_cli 7000 "$REDIS_PASSWORD" cluster info || true)" == *cluster_state:ok* ]] || return 1
	[ "$(redis_cli 7000 "$REDIS_PASSWORD" cluster nodes | grep -c 'connected' || true)" -ge 6 ]
}

start_cluster() {
	STEP="redis cluster"
	if cluster_ok; then
		say "redis: cluster 7000-7005 ok"
		return 0
	fi
	local port endpoints=()
	for port in $CLUSTER_PORTS; do
		stop_standing_redis "$port"
		rm -f "$STATE/redis/$port/nodes.conf"
		port_open "$port" && { warn "port $port is taken by $(describe_listener "$port"): no cluster"; return 0; }
		start_standing_redis "$port" 0 "requirepass $REDIS_PASSWORD" "masterauth $REDIS_PASSWORD" \
			'cluster-enabled yes' 'cluster-config-file nodes.conf' 'cluster-node-timeout 5000' \
			'maxmemory 64mb' 'maxmemory-policy noeviction' || { warn "cluster node $port did not start"; return 0; }
		endpoints+=("127.0.0.1:$port")
	done
	REDISCLI_AUTH=$REDIS_PASSWORD timeout 60 redis-cli --cluster create "${endpoints[@]}" --cluster-replicas 1 --cluster-yes \
		>>"$LOGS/redis-cluster-create.log" 2>&1 || { warn "redis-cli --cluster create failed ($LOGS/redis-cluster-create.log)"; return 0; }
	local deadline=$((SECONDS + 30))
	until cluster_ok; do
		[ $SECONDS -lt $deadline ] || { warn "the cluster is not ok within 30 s"; return 0; }
		sleep 0.5
	done
	say "redis: cluster 7000-7005 ok (3 masters + 3 replicas)"
}

# ---------------------------------------------------------------- qdrant stand-in
start_qdrant_stand_in() {
	STEP="qdrant stand-in"
	local dir=$STATE/qdrant-stand-in root
	root=$(cd "$HERE/.." && pwd)
	if port_open "$QDRANT_STAND_IN_PORT"; then
		say "qdrant stand-in: something answers on $QDRANT_STAND_IN_PORT"
		return 0
	fi
	if ! command -v node >/dev/null 2>&1 || [ ! -x "$root/node_modules/.bin/esbuild" ]; then
		say "qdrant stand-in: not started (needs node and the project's node_modules: run npm ci, then this again)"
		return 0
	fi
	mkdir -p "$dir"
	"$root/node_modules/.bin/esbuild" "$root/test/support/qdrant-stand-in-main.ts" --bundle --platform=node --format=esm \
		--outfile="$dir/stand-in.mjs" --log-level=warning || { warn "could not bundle the qdrant stand-in"; return 0; }
	VA_TOP_QDRANT_FIXTURES=$root/test/fixtures/qdrant setsid node "$dir/stand-in.mjs" "$QDRANT_STAND_IN_PORT" \
		>>"$LOGS/qdrant-stand-in.log" 2>&1 </dev/null &
	echo $! >"$dir/stand-in.pid"
	local deadline=$((SECONDS + 10))
	until port_open "$QDRANT_STAND_IN_PORT"; do
		[ $SECONDS -lt $deadline ] || { warn "the qdrant stand-in did not listen ($LOGS/qdrant-stand-in.log)"; return 0; }
		sleep 0.2
	done
	say "qdrant stand-in (not a real Qdrant): http://127.0.0.1:$QDRANT_STAND_IN_PORT"
}

start_data_tier() {
	if [ "${VA_DATA_TIER:-1}" = 0 ]; then
		say "data tier: skipped (VA_DATA_TIER=0)"
		return 0
	fi
	start_pg_replicas
	command -v redis-server >/dev/null 2>&1 && {
		start_sentinel_set
		start_cluster
	}
	start_qdrant_stand_in
}
