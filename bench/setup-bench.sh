#!/usr/bin/env bash
# Installs what `npm run bench` needs beyond scripts/setup.sh, from Debian's packages: glances (3.3)
# with python3-docker for its docker plugin (the peer va-top is measured against). CI does not need it.
# Idempotent: nothing is installed when everything is there already.
#
# usage: bench/setup-bench.sh   (as root)
set -Eeuo pipefail
export DEBIAN_FRONTEND=noninteractive
# python3-dateutil: without it glances 3.3 disables its docker plugin ("No module named 'dateutil'").
PACKAGES=(glances python3-docker python3-dateutil tmux)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "setup-bench: already installed: ${PACKAGES[*]}"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "setup-bench: FAILED: must run as root to install ${missing[*]}" >&2; exit 1; }
apt_opts=(-q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
apt-get "${apt_opts[@]}" update </dev/null
# No recommends: glances' web UI and its extra sensors are not measured here.
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null
for p in "${missing[@]}"; do installed "$p" || { echo "setup-bench: FAILED: $p not installed" >&2; exit 1; }; done
echo "setup-bench: installed ${missing[*]}"
