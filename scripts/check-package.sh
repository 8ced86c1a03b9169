#!/usr/bin/env bash
# The package as a user gets it: `npm pack` (prepack builds dist/), the tarball's contents checked, then installed
# into an empty project and into a global prefix, each run as `va-top` (--version, --help, and the demo's full
# screen in a private tmux pane, quit with q, exit 0), with nothing of this repository on PATH.
#
# usage: scripts/check-package.sh [--keep]
#   --keep  leave the work directory (tarball, installs) and print where it is
# Needs: node, npm, tmux, and the npm registry (the install fetches va-top's dependencies). Not part of
# `npm test`: test/integration/package.test.ts checks the file list without the network.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KEEP=0
case "${1:-}" in
	--keep) KEEP=1 ;;
	'') ;;
	-h|--help) sed -n '2,8p' "$0"; exit 0 ;;
	*) echo "check-package: unknown argument: $1" >&2; exit 2 ;;
esac

die() { echo "check-package: FAILED: $*" >&2; exit 1; }
trap 'echo "check-package: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR
export LC_ALL=C.UTF-8
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
command -v tmux >/dev/null || die "tmux is not installed"

WORK=$(mktemp -d /tmp/va-top-package.XXXXXX)
SOCKET=va-top-package-$$
tm() { command tmux -u -L "$SOCKET" -f /dev/null "$@"; }
cleanup() {
	tm kill-server 2>/dev/null || true
	if [ "$KEEP" = 1 ]; then echo "check-package: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# 1. Pack (prepack runs npm run build).
VERSION=$(node -p "require('$REPO/package.json').version")
(cd "$REPO" && npm pack --silent --pack-destination "$WORK" >/dev/null)
TGZ=$WORK/va-top-$VERSION.tgz
[ -f "$TGZ" ] || die "npm pack made no $TGZ"

# 2. Contents: the bundle scripts/bundle.mjs made (dist/cli.js, its chunks, the bundled packages' licences),
# package.json, README, LICENSE; no tests, sources, tsc output (dist/source/), maps or declarations.
mapfile -t entries < <(tar -tzf "$TGZ" | sort)
bad=()
for entry in "${entries[@]}"; do
	case "$entry" in
		package/package.json|package/README.md|package/LICENSE) ;;
		package/dist/*/*) bad+=("$entry") ;;
		package/dist/*.js|package/dist/*.cjs|package/dist/third-party-licenses.txt) ;;
		*) bad+=("$entry") ;;
	esac
done
[ "${#bad[@]}" -eq 0 ] || die "the tarball holds files it should not: ${bad[*]}"
for want in package/dist/cli.js package/package.json package/README.md package/LICENSE; do
	printf '%s\n' "${entries[@]}" | grep -qx "$want" || die "the tarball lacks $want"
done
[ "$(tar -xzOf "$TGZ" package/dist/cli.js | head -n 1)" = '#!/usr/bin/env node' ] || die "dist/cli.js does not start with a node shebang"
size=$(stat -c %s "$TGZ")
unpacked=$(tar -xzOf "$TGZ" | wc -c)
echo "check-package: $(basename "$TGZ"): ${#entries[@]} files, $size bytes packed, $unpacked bytes unpacked"

# Only node and the system on PATH: nothing of the repository's node_modules/.bin. va-top itself runs with an
# empty environment; npm install keeps the caller's (its registry, proxy and CA settings are the machine's).
NODE_DIR=$(dirname "$(command -v node)")
CLEAN_PATH=$NODE_DIR:/usr/local/bin:/usr/bin:/bin
clean() { env -i HOME="$WORK/home" PATH="$CLEAN_PATH" LC_ALL=C.UTF-8 TERM=xterm-256color npm_config_update_notifier=false "$@"; }
install() { PATH="$CLEAN_PATH" npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null; }
mkdir -p "$WORK/home"

check_runs() { # dir bin-command...: --version and --help answer as va-top
	local dir=$1
	shift
	local out
	out=$(cd "$dir" && clean "$@" --version) || die "$* --version exited $?"
	[ "$out" = "$VERSION" ] || die "$* --version printed '$out', expected $VERSION"
	out=$(cd "$dir" && clean "$@" --help) || die "$* --help exited $?"
	grep -q -- '--demo' <<<"$out" || die "$* --help does not list --demo"
	grep -q -- '--once' <<<"$out" || die "$* --help does not list --once"
	echo "  $*: --version $VERSION, --help ok ($(wc -l <<<"$out") lines)"
}

# 3. Into an empty project.
mkdir -p "$WORK/project"
(cd "$WORK/project" && clean npm init -y >/dev/null && install "$TGZ") ||
	die "npm install of the tarball into an empty project failed"
[ ! -e "$WORK/project/node_modules/vitest" ] || die "a dev dependency (vitest) was installed"
echo "check-package: installed into an empty project ($(ls "$WORK/project/node_modules" | wc -l) packages, $(du -sh "$WORK/project/node_modules" | cut -f1))"
check_runs "$WORK/project" npx --no-install va-top

# 4. Into a global prefix.
(cd "$WORK" && install -g --prefix "$WORK/global" "$TGZ") || die "npm install -g --prefix of the tarball failed"
[ -x "$WORK/global/bin/va-top" ] || die "no $WORK/global/bin/va-top after a global install"
check_runs "$WORK" "$WORK/global/bin/va-top"

# 5. The demo's full screen, from each install, in a real 80x24 pane: the screen appears, q quits, exit 0.
demo() { # name dir command
	local name=$1 dir=$2 command=$3
	tm new-session -d -s "$name" -x 80 -y 24 -c "$dir" \
		"env -i HOME='$WORK/home' PATH='$CLEAN_PATH' LC_ALL=C.UTF-8 TERM=xterm-256color PS1='$ ' bash --norc --noprofile"
	tm set-option -t "$name" status off >/dev/null
	tm send-keys -t "$name" -l "$command; echo \"va-top-exit=\$?\""
	tm send-keys -t "$name" Enter
	wait_screen "$name" 30 'va-top +DEMO' 'INSTANCE' '1-4 window'
	[ "$(tm display-message -p -t "$name" '#{alternate_on}')" = 1 ] || die "$command: not on the alternate screen"
	tm send-keys -t "$name" q
	wait_screen "$name" 10 '^va-top-exit=0$'
	echo "  $command: demo screen shown at 80x24, q quit with exit 0"
}
wait_screen() { # name seconds pattern...
	local name=$1 seconds=$2 screen pattern ok
	shift 2
	local deadline=$((SECONDS + seconds))
	while :; do
		screen=$(tm capture-pane -p -t "$name")
		ok=1
		for pattern in "$@"; do grep -Eq -- "$pattern" <<<"$screen" || { ok=0; break; }; done
		[ "$ok" = 1 ] && return 0
		if [ $SECONDS -ge $deadline ]; then
			printf '%s\n' "$screen" >&2
			die "pane $name never showed /$pattern/ within ${seconds}s (screen above)"
		fi
		sleep 0.2
	done
}
demo project "$WORK/project" 'npx --no-install va-top --demo'
demo global "$WORK" "$WORK/global/bin/va-top --demo"

echo "check-package: ok"
