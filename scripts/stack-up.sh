#!/usr/bin/env bash
# A local stack of app instances for trying va-top against: va-top/busybox:1 containers carrying the real
# Docker Compose labels, named like Compose v2 names them (P-S-N, e.g. voiceassist-voiceassist-server-1,
# the names the scaling runbook uses).
#
# usage: scripts/stack-up.sh [--project P] [--service S] [--replicas N] [--hot K[,K...]]
#   defaults: --project voiceassist --service voiceassist-server --replicas 3, no hot instance
#   --hot K   instance K burns one core (a busy loop started inside it); instances not named are cooled
# env: VA_STACK_MEM (memory limit, default 256m), VA_STACK_IMAGE (default va-top/busybox:1),
#      VA_STACK_MODE=compose|run (default: compose when docker-compose is installed)
#
# How: Debian's docker-compose 1.29 with stack/docker-compose.yml. Checked here: with `network_mode: none`
# it creates no project network and with the local image and `pull_policy: never` it does not pull.
# Compose 1.29 names containers P_S_N (underscores); we rename them to P-S-N. Compose finds its containers
# by label, not by name, so later `up --scale`/`down` still manage the renamed ones.
# Fallback (VA_STACK_MODE=run, or no docker-compose): `docker run` with the same labels and names.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
STATE=${VA_STATE_DIR:-/var/tmp/va-top}

PROJECT=voiceassist
SERVICE=voiceassist-server
REPLICAS=3
HOT=''

die() { echo "stack-up: FAILED: $*" >&2; exit 1; }
trap 'echo "stack-up: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

while [ $# -gt 0 ]; do
	case "$1" in
		--project) PROJECT=${2:?--project needs a value}; shift ;;
		--service) SERVICE=${2:?--service needs a value}; shift ;;
		--replicas) REPLICAS=${2:?--replicas needs a value}; shift ;;
		--hot) HOT=${2:?--hot needs a value}; shift ;;
		-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
		*) die "unknown argument: $1 (see --help)" ;;
	esac
	shift
done

# Compose 1.29 would silently normalise other names; refuse them so labels and names stay predictable.
[[ "$PROJECT" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "project name must match [a-z0-9][a-z0-9_-]*: $PROJECT"
[[ "$SERVICE" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "service name must match [a-z0-9][a-z0-9_-]*: $SERVICE"
[[ "$REPLICAS" =~ ^[0-9]+$ ]] && [ "$REPLICAS" -ge 1 ] && [ "$REPLICAS" -le 20 ] || die "--replicas must be 1..20"
[[ -z "$HOT" || "$HOT" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--hot takes instance numbers, e.g. 1 or 1,3"

export VA_STACK_IMAGE=${VA_STACK_IMAGE:-va-top/busybox:1}
export VA_STACK_MEM=${VA_STACK_MEM:-256m}

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "docker engine not answering (run scripts/services-up.sh)"
if ! docker image inspect "$VA_STACK_IMAGE" >/dev/null 2>&1; then
	[ "$VA_STACK_IMAGE" = va-top/busybox:1 ] || die "image $VA_STACK_IMAGE not found"
	bash "$HERE/build-image.sh"
fi

MODE=${VA_STACK_MODE:-}
if [ -z "$MODE" ]; then
	if command -v docker-compose >/dev/null 2>&1; then MODE=compose; else MODE=run; fi
fi

name_of() { echo "$PROJECT-$SERVICE-$1"; }

containers() { # [extra filter...] -> names of this project's service containers
	docker ps -a --filter "label=com.docker.compose.project=$PROJECT" \
		--filter "label=com.docker.compose.service=$SERVICE" "$@" --format '{{.Names}}'
}

up_compose() {
	local dir file
	if [ "$SERVICE" = voiceassist-server ]; then
		dir=$REPO/stack
	else
		# The service name is a YAML key (no interpolation there): use a copy with it renamed.
		dir=$STATE/stack/$PROJECT
		mkdir -p "$dir"
		sed "s/^  voiceassist-server:/  $SERVICE:/" "$REPO/stack/docker-compose.yml" >"$dir/docker-compose.yml"
	fi
	file=$dir/docker-compose.yml
	local out rc=0
	out=$(cd "$dir" && docker-compose --ansi never -p "$PROJECT" -f "$file" up -d --no-build \
		--scale "$SERVICE=$REPLICAS" "$SERVICE" 2>&1) || rc=$?
	# Compose prints each step twice ('... ' then '... done'): keep the final lines only.
	[ -z "$out" ] || printf '%s\n' "$out" | tr -d '\r' | sed '/^[[:space:]]*$/d; /\.\.\. *$/d; s/^/  compose: /'
	[ "$rc" = 0 ] || die "docker-compose up exited $rc (output above)"
	# P_S_N -> P-S-N
	local c n want
	for c in $(containers); do
		n=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' "$c")
		want=$(name_of "$n")
		[ "$c" = "$want" ] && continue
		if docker inspect "$want" >/dev/null 2>&1; then
			die "cannot rename $c to $want: a container named $want exists already (not part of this stack?)"
		fi
		docker rename "$c" "$want"
	done
}

up_run() {
	local workdir=$REPO/stack n name
	local config_hash
	config_hash=$(printf '%s|%s|%s' "$VA_STACK_IMAGE" "$VA_STACK_MEM" "$(cat "$REPO/stack/docker-compose.yml")" | sha256sum | cut -d' ' -f1)
	# Scale down: remove instances numbered above the requested count.
	for name in $(containers); do
		n=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' "$name")
		if [ "$n" -gt "$REPLICAS" ]; then docker rm -f "$name" >/dev/null; echo "  removed $name"; fi
	done
	for n in $(seq 1 "$REPLICAS"); do
		name=$(name_of "$n")
		if docker inspect "$name" >/dev/null 2>&1; then
			docker start "$name" >/dev/null
			continue
		fi
		# Same labels as Compose 1.29 puts on its containers (version says who made them).
		docker run -d --name "$name" --network none --memory "$VA_STACK_MEM" --stop-timeout 5 \
			--label "com.docker.compose.project=$PROJECT" \
			--label "com.docker.compose.service=$SERVICE" \
			--label "com.docker.compose.container-number=$n" \
			--label "com.docker.compose.oneoff=False" \
			--label "com.docker.compose.project.working_dir=$workdir" \
			--label "com.docker.compose.project.config_files=$workdir/docker-compose.yml" \
			--label "com.docker.compose.config-hash=$config_hash" \
			--label "com.docker.compose.version=va-top-stack-up" \
			--health-cmd 'wget -q -O /dev/null http://127.0.0.1:8000/' \
			--health-interval 5s --health-timeout 2s --health-retries 3 \
			"$VA_STACK_IMAGE" /bin/sh -c 'mkdir -p /www; echo ok > /www/index.html; httpd -f -p 8000 -h /www & pid=$!; trap "kill $pid 2>/dev/null; exit 0" TERM INT; wait $pid' >/dev/null
		echo "  created $name"
	done
}

echo "stack-up: $PROJECT/$SERVICE x$REPLICAS via $MODE (image $VA_STACK_IMAGE, memory $VA_STACK_MEM)"
case "$MODE" in
	compose) up_compose ;;
	run) up_run ;;
	*) die "VA_STACK_MODE must be compose or run" ;;
esac

# Wait until every instance runs (deadline), so callers can measure right away.
deadline=$((SECONDS + 30))
while :; do
	total=$(containers | wc -l)
	running=$(containers --filter status=running | wc -l)
	[ "$total" -eq "$REPLICAS" ] && [ "$running" -eq "$REPLICAS" ] && break
	[ $SECONDS -lt $deadline ] || die "only $running/$REPLICAS instances running after 30 s (docker ps -a)"
	sleep 0.2
done

# Hot instances: one busy loop each, tagged 'va-hot' so we can find it and never start two.
burners() { docker exec "$1" sh -c 'ps -o pid,args | grep "[v]a-hot$" | awk "{print \$1}"'; }
for n in $(seq 1 "$REPLICAS"); do
	name=$(name_of "$n")
	if [[ ",$HOT," == *",$n,"* ]]; then
		if [ -z "$(burners "$name")" ]; then
			docker exec -d "$name" sh -c 'while :; do :; done' va-hot
			echo "  $name: hot (burning one core)"
		fi
	else
		for pid in $(burners "$name" || true); do
			if docker exec "$name" kill "$pid" 2>/dev/null; then echo "  $name: cooled"; fi
		done
	fi
done
for k in ${HOT//,/ }; do
	[ "$k" -ge 1 ] && [ "$k" -le "$REPLICAS" ] || echo "stack-up: warning: --hot $k is not an instance (1..$REPLICAS)" >&2
done

docker ps --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$SERVICE" \
	--format '{{.Names}}\t{{.Status}}' | sort | sed 's/^/  /'
echo "stack-up: ok ($REPLICAS instances; remove with scripts/stack-down.sh --project $PROJECT)"
