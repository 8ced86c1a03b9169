#!/usr/bin/env bash
# Screenshots of the real program for media/: va-top --demo in real tmux panes of exact sizes, captured with
# colours (`capture-pane -p -e`) and drawn to SVG by scripts/ansi-to-svg.mjs. Run it again whenever the screen
# changes; nothing here is drawn by hand.
#
# usage: scripts/make-screenshots.sh [--real] [--no-build] [--out DIR] [--wide COLSxROWS]
#   writes  DIR/va-top-80x24.{svg,txt}       the demo once a breach is IMMEDIATE and another one's timer runs
#           DIR/va-top-help-80x24.{svg,txt}  the same screen with the help overlay open (?)
#           DIR/va-top-wide.{svg,txt}        the demo at the wide size (default 140x45), 1-minute chart window
#           DIR/va-top-real-wide.{svg,txt}   with --real: the local busybox stack (scripts/stack-up.sh --hot 1)
#                                            against PostgreSQL and Redis on loopback, 1-minute window; the
#                                            stack is left as found (removed, or its hot instances restored)
#   and a .png beside each .svg when rsvg-convert (Debian: librsvg2-bin) is installed (this script does not install it).
#   defaults: DIR=media, builds dist/ first (npm run build) unless --no-build
# Needs: node, tmux; --real also needs the Docker engine, PostgreSQL and Redis of scripts/services-up.sh.
# The demo needs none of them. Each shot takes about 20 s (the demo's breach timer must be running).
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
cd "$REPO"

OUT=media
BUILD=1
REAL=0
WIDE=140x45
PG_URL=${VA_SHOTS_PG_URL:-postgres://voiceassist:voiceassist@127.0.0.1:5432/voiceassist}
REDIS_URL=${VA_SHOTS_REDIS_URL:-redis://127.0.0.1:6379}
REAL_PROJECT=voiceassist

die() { echo "make-screenshots: FAILED: $*" >&2; exit 1; }
trap 'echo "make-screenshots: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

while [ $# -gt 0 ]; do
	case "$1" in
		--real) REAL=1 ;;
		--no-build) BUILD=0 ;;
		--out) OUT=${2:?--out needs a directory}; shift ;;
		--wide) WIDE=${2:?--wide needs COLSxROWS}; shift ;;
		-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
		*) die "unknown argument: $1 (see --help)" ;;
	esac
	shift
done
[[ "$WIDE" =~ ^([0-9]+)x([0-9]+)$ ]] || die "--wide must be COLSxROWS, e.g. 140x45"
WIDE_COLS=${BASH_REMATCH[1]}
WIDE_ROWS=${BASH_REMATCH[2]}

# tmux draws non-ASCII as '_' without a UTF-8 locale, and grep needs one to match the screen's marks.
export LC_ALL=C.UTF-8
command -v tmux >/dev/null || die "tmux is not installed (Debian: apt-get install tmux)"
command -v node >/dev/null || die "node is not installed"
if [ "$BUILD" = 1 ]; then
	npm run build >/dev/null || die "npm run build failed"
fi
[ -x dist/cli.js ] || die "dist/cli.js is missing: run npm run build (or drop --no-build)"
mkdir -p "$OUT"
WORK=$(mktemp -d)

# A private tmux server: never touches an operator's sessions, no user config.
SOCKET=va-top-shots-$$
tm() { command tmux -u -L "$SOCKET" -f /dev/null "$@"; }

RESTORE_STACK=''
cleanup() {
	tm kill-server 2>/dev/null || true
	rm -rf "$WORK"
	if [ -n "$RESTORE_STACK" ]; then eval "$RESTORE_STACK" >/dev/null || echo "make-screenshots: could not restore the stack: $RESTORE_STACK" >&2; fi
}
trap cleanup EXIT

open_pane() { # name cols rows [VAR=value...]: a shell in a pane of exactly that size
	local name=$1 cols=$2 rows=$3
	shift 3
	local env=(-e TERM=xterm-256color -e 'PS1=$ ' -e COLORTERM=truecolor) pair
	for pair in "$@"; do env+=(-e "$pair"); done
	tm new-session -d -s "$name" -x "$cols" -y "$rows" "${env[@]}" 'env -u NO_COLOR -u FORCE_COLOR bash --norc --noprofile'
	tm set-option -t "$name" status off >/dev/null
	tm resize-window -t "$name" -x "$cols" -y "$rows" 2>/dev/null || true
	local size
	size=$(tm display-message -p -t "$name" '#{pane_width}x#{pane_height}')
	[ "$size" = "${cols}x${rows}" ] || die "pane $name is $size, expected ${cols}x${rows}"
}

start() { # name command: types the command; its exit code is printed when it ends
	tm send-keys -t "$1" -l "$2; echo \"va-top-exit=\$?\""
	tm send-keys -t "$1" Enter
}

screen_of() { tm capture-pane -p -t "$1"; }

wait_for() { # name seconds pattern...: polls the screen until every extended regex matches
	local name=$1 seconds=$2
	shift 2
	local deadline=$((SECONDS + seconds)) screen pattern ok
	while :; do
		screen=$(screen_of "$name")
		ok=1
		for pattern in "$@"; do
			grep -Eq -- "$pattern" <<<"$screen" || { ok=0; break; }
		done
		[ "$ok" = 1 ] && return 0
		if [ $SECONDS -ge $deadline ]; then
			echo "make-screenshots: pane $name never showed /$pattern/ within ${seconds}s; last screen:" >&2
			printf '%s\n' "$screen" >&2
			return 1
		fi
		sleep 0.2
	done
}

PNG_NOTE=''
shoot() { # name base title: captures the pane with colours and writes OUT/base.{svg,txt,png}
	local name=$1 base=$2 title=$3 size cols rows
	[ "$(tm display-message -p -t "$name" '#{alternate_on}')" = 1 ] || die "pane $name is not on va-top's full screen"
	size=$(tm display-message -p -t "$name" '#{pane_width} #{pane_height}')
	read -r cols rows <<<"$size"
	tm capture-pane -p -e -t "$name" >"$WORK/$base.ans"
	node "$HERE/ansi-to-svg.mjs" --cols "$cols" --rows "$rows" --title "$title" --text "$OUT/$base.txt" "$WORK/$base.ans" "$OUT/$base.svg"
	if command -v rsvg-convert >/dev/null; then
		rsvg-convert -z 1.5 -o "$OUT/$base.png" "$OUT/$base.svg"
	else
		# A PNG left from an earlier run would no longer match its SVG.
		rm -f "$OUT/$base.png"
		PNG_NOTE='rsvg-convert not found (Debian: librsvg2-bin): no PNGs written'
	fi
	echo "  $OUT/$base.svg ($cols x $rows)"
}

quit() { # name: q, then the shell must report exit code 0
	tm send-keys -t "$1" q
	wait_for "$1" 10 '^va-top-exit=0$' || die "va-top in pane $1 did not exit with 0"
}

# The demo's own clock: a database breach turns IMMEDIATE after ~10 s and instance 1's CPU breach timer starts
# after ~12 s. Both panes start together so the two sizes show the same moment.
demo_ready=('IMMEDIATE: ' '▲+ [0-9]+s → IMMEDIATE at ')
echo "make-screenshots: va-top --demo at 80x24 and ${WIDE}"
open_pane small 80 24
open_pane wide "$WIDE_COLS" "$WIDE_ROWS"
start small 'node dist/cli.js --demo'
start wide 'node dist/cli.js --demo'
wait_for wide 15 'DEMO' || die "the demo did not start"
# The wide shot uses the 1-minute chart window: 20 s of history fill a third of it instead of a few columns.
tm send-keys -t wide 1
wait_for small 60 "${demo_ready[@]}"
wait_for wide 60 "${demo_ready[@]}" 'window 1m'
shoot small va-top-80x24 'va-top --demo at 80x24'
shoot wide va-top-wide "va-top --demo at ${WIDE}"
tm send-keys -t small '?'
wait_for small 10 '^Keys' 'close help'
shoot small va-top-help-80x24 'va-top --demo at 80x24, help open (?)'
quit small
quit wide

if [ "$REAL" = 1 ]; then
	echo "make-screenshots: va-top on the local stack at ${WIDE}"
	docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "--real: the Docker engine is not answering (scripts/services-up.sh)"
	command -v pg_isready >/dev/null && { pg_isready -q -h 127.0.0.1 -p 5432 || die "--real: PostgreSQL is not up on 127.0.0.1:5432"; }
	command -v redis-cli >/dev/null && { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ] || die "--real: Redis is not up on 127.0.0.1:6379"; }
	# Leave the project's stack as it was found: gone if it was not there, else the same size and hot instances.
	mapfile -t before < <(docker ps -a --filter "label=com.docker.compose.project=$REAL_PROJECT" \
		--filter 'label=com.docker.compose.service=voiceassist-server' --format '{{.Names}}')
	if [ "${#before[@]}" -eq 0 ]; then
		RESTORE_STACK="bash '$HERE/stack-down.sh' --project $REAL_PROJECT"
	else
		hot=''
		for name in "${before[@]}"; do
			if docker exec "$name" sh -c 'ps -o args | grep -q "[v]a-hot$"' 2>/dev/null; then
				hot+="${hot:+,}$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' "$name")"
			fi
		done
		RESTORE_STACK="bash '$HERE/stack-up.sh' --project $REAL_PROJECT --replicas ${#before[@]}${hot:+ --hot $hot}"
	fi
	bash "$HERE/stack-up.sh" --project "$REAL_PROJECT" --hot 1 | sed 's/^/  /'
	# The URLs go in through the pane's environment: a typed password could end up in a printed screen.
	open_pane real "$WIDE_COLS" "$WIDE_ROWS" "VA_SHOTS_PG=$PG_URL" "VA_SHOTS_REDIS=$REDIS_URL"
	start real 'node dist/cli.js --project '"$REAL_PROJECT"' --service voiceassist-server --pg "$VA_SHOTS_PG" --redis "$VA_SHOTS_REDIS"'
	wait_for real 15 'data [0-9]+s old' || die "va-top did not start"
	tm send-keys -t real 1
	# The hot instance's breach timer has run 10 s (toward IMMEDIATE at the runbook's 10 m), so the charts show
	# the climb, and every panel has a reading.
	wait_for real 60 '▲+ [1-9][0-9]s → IMMEDIATE at ' 'DB conn [0-9]+/' 'REDIS mem [0-9]' 'window 1m'
	shoot real va-top-real-wide "va-top on a local stack of busybox containers at ${WIDE}"
	quit real
fi

[ -z "$PNG_NOTE" ] || echo "make-screenshots: $PNG_NOTE"
echo "make-screenshots: ok"
