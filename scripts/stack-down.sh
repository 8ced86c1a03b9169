#!/usr/bin/env bash
# Removes the local stack made by scripts/stack-up.sh, found by its Compose labels (whatever made it:
# docker-compose or the docker-run fallback, renamed or not).
#
# usage: scripts/stack-down.sh [--project P] [--service S]
#   defaults: --project voiceassist, every service of the project
set -Eeuo pipefail

PROJECT=voiceassist
SERVICE=''
while [ $# -gt 0 ]; do
	case "$1" in
		--project) PROJECT=${2:?--project needs a value}; shift ;;
		--service) SERVICE=${2:?--service needs a value}; shift ;;
		-h|--help) sed -n '2,6p' "$0"; exit 0 ;;
		*) echo "stack-down: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

filters=(--filter "label=com.docker.compose.project=$PROJECT")
[ -z "$SERVICE" ] || filters+=(--filter "label=com.docker.compose.service=$SERVICE")

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || { echo "stack-down: FAILED: docker engine not answering" >&2; exit 1; }
mapfile -t names < <(docker ps -a "${filters[@]}" --format '{{.Names}}')
if [ "${#names[@]}" -eq 0 ]; then
	echo "stack-down: nothing to remove for project $PROJECT${SERVICE:+ service $SERVICE}"
	exit 0
fi
docker rm -f "${names[@]}" >/dev/null
printf '  removed %s\n' "${names[@]}"
echo "stack-down: removed ${#names[@]} container(s) of project $PROJECT${SERVICE:+ service $SERVICE}"
