#!/usr/bin/env bash
# Installs (as root, from Debian's packages) what va-top's tests need, then starts it with
# scripts/services-up.sh. Idempotent: packages already installed are not touched, and apt-get update
# runs only when something is missing, so a second run takes about a second.
#
# usage: scripts/setup.sh        (works without a terminal or stdin, e.g. in CI)
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export DEBIAN_FRONTEND=noninteractive

# cgroupfs-mount: only used when the machine booted without cgroups mounted (dockerd needs them). iproute2 (ip) and
# util-linux (nsenter, unshare): the network namespaces of scripts/swarm-up.sh's three-node Swarm.
PACKAGES=(docker.io busybox-static postgresql redis-server nginx tmux docker-compose cgroupfs-mount pgbouncer iproute2 util-linux)

STEP=starting
step() { STEP=$*; echo "setup: $*"; }
trap 'echo "setup: FAILED: $STEP (line $LINENO: $BASH_COMMAND exited $?)" >&2' ERR

[ "$(id -u)" = 0 ] || { echo "setup: FAILED: must run as root" >&2; exit 1; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "setup: packages already installed: ${PACKAGES[*]}"
else
	# Package scripts would start each service the Debian way (nginx on :80, Redis on :6379, Debian's
	# PostgreSQL cluster, dockerd with a bridge and iptables). We start our own configuration instead, and
	# without an init system those starts can fail the install: forbid them while we install, using
	# policy-rc.d (exit 101 = "action forbidden"), and restore whatever was there before.
	POLICY=/usr/sbin/policy-rc.d
	POLICY_BACKUP=''
	if [ -e "$POLICY" ]; then
		POLICY_BACKUP=$(mktemp)
		cp -p "$POLICY" "$POLICY_BACKUP"
	fi
	restore_policy() {
		if [ -n "$POLICY_BACKUP" ]; then mv -f "$POLICY_BACKUP" "$POLICY"; else rm -f "$POLICY"; fi
	}
	trap restore_policy EXIT
	printf '#!/bin/sh\n# written by va-top scripts/setup.sh during apt-get install\nexit 101\n' >"$POLICY"
	chmod 755 "$POLICY"

	apt_opts=(-q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	step "apt-get update (missing: ${missing[*]})"
	apt-get "${apt_opts[@]}" update </dev/null
	step "apt-get install ${missing[*]}"
	# No recommends: they add minutes and needrestart (which would restart services behind our back).
	apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null
	for p in "${missing[@]}"; do
		installed "$p" || { STEP="install $p"; echo "setup: FAILED: package $p is not installed after apt-get install" >&2; exit 1; }
	done
	restore_policy
	trap - EXIT
	echo "setup: installed ${missing[*]}"
fi

step "checking tools"
for tool in dockerd docker busybox redis-server redis-cli nginx tmux docker-compose pgbouncer ip nsenter unshare /usr/lib/postgresql/15/bin/initdb; do
	command -v "$tool" >/dev/null 2>&1 || { echo "setup: FAILED: $tool not found after install" >&2; exit 1; }
done

step "starting services (scripts/services-up.sh)"
bash "$HERE/services-up.sh" </dev/null
