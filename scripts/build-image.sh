#!/usr/bin/env bash
# Builds the local test image va-top/busybox:1 without any registry: no image can be pulled here,
# so we `docker import` a rootfs made of Debian's static busybox plus its applet links.
#
# usage: scripts/build-image.sh [--force] [--tag NAME:TAG]
#   --force  rebuild even when the image exists (default: skip when it exists)
#   --tag    image name (default va-top/busybox:1)
set -Eeuo pipefail

TAG=va-top/busybox:1
FORCE=0
BUSYBOX=${VA_BUSYBOX:-/bin/busybox}

while [ $# -gt 0 ]; do
	case "$1" in
		--force) FORCE=1 ;;
		--tag) TAG=${2:?--tag needs a value}; shift ;;
		-h|--help) sed -n '2,8p' "$0"; exit 0 ;;
		*) echo "build-image: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "build-image: FAILED: $*" >&2; exit 1; }

if [ "$FORCE" = 0 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
	echo "build-image: $TAG exists, skipping (--force to rebuild)"
	exit 0
fi

[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
# A dynamically linked busybox would not run in an image that has no libc.
if LC_ALL=C ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked; install busybox-static instead of busybox"
fi

WORK=$(mktemp -d /tmp/va-top-rootfs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs

mkdir -p "$ROOT"/{bin,etc,tmp,proc,sys,dev,root,www,var/log}
chmod 1777 "$ROOT/tmp"
cp "$BUSYBOX" "$ROOT/bin/busybox"
chmod 755 "$ROOT/bin/busybox"

links=0
for applet in $("$BUSYBOX" --list); do
	# `busybox --list` names busybox itself: a self link would replace the binary with a dangling loop.
	[ "$applet" = busybox ] && continue
	case "$applet" in */*|'') continue ;; esac
	ln -s busybox "$ROOT/bin/$applet"
	links=$((links + 1))
done
[ -x "$ROOT/bin/busybox" ] && [ ! -L "$ROOT/bin/busybox" ] || die "rootfs /bin/busybox is not the binary"
[ -L "$ROOT/bin/sh" ] && [ -L "$ROOT/bin/httpd" ] || die "busybox lacks sh or httpd applets"

# Minimal identity files so `id`, `ps` and httpd behave; Docker bind-mounts hosts/resolv.conf/hostname itself.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
printf 'ok\n' >"$ROOT/www/index.html"

tar --numeric-owner --owner=0 --group=0 -C "$ROOT" -cf "$WORK/rootfs.tar" .
id=$(docker import \
	-c 'ENV PATH=/bin' \
	-c 'CMD ["/bin/sh"]' \
	-c 'LABEL org.opencontainers.image.title=va-top-busybox' \
	-m 'va-top test image: static busybox rootfs' \
	"$WORK/rootfs.tar" "$TAG") || die "docker import of $TAG"
echo "build-image: built $TAG (${id#sha256:}) with $links applet links"
