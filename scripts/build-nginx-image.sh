#!/usr/bin/env bash
# Builds the local image va-top/nginx:1 without any registry: Debian's nginx from this machine, the libraries
# `ldd` lists for it, /etc/nginx and mime.types, plus the static busybox (sh, ps, cat for debugging), as a rootfs
# that `docker import` turns into an image. The actions' integration tests run it as the project's nginx service.
#
# usage: scripts/build-nginx-image.sh [--force] [--tag NAME:TAG]
#   --force  rebuild even when the image exists (default: skip when it exists)
#   --tag    image name (default va-top/nginx:1)
# The image's default command is `nginx -g 'daemon off;'`; its /etc/nginx/nginx.conf is a small one that runs
# as root, logs to stderr and listens on 127.0.0.1:18080 (tests replace it before starting the container).
set -Eeuo pipefail

TAG=va-top/nginx:1
FORCE=0
NGINX=${VA_NGINX:-/usr/sbin/nginx}
BUSYBOX=${VA_BUSYBOX:-/bin/busybox}

while [ $# -gt 0 ]; do
	case "$1" in
		--force) FORCE=1 ;;
		--tag) TAG=${2:?--tag needs a value}; shift ;;
		-h|--help) sed -n '2,10p' "$0"; exit 0 ;;
		*) echo "build-nginx-image: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "build-nginx-image: FAILED: $*" >&2; exit 1; }
trap 'echo "build-nginx-image: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

if [ "$FORCE" = 0 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
	echo "build-nginx-image: $TAG exists, skipping (--force to rebuild)"
	exit 0
fi

[ -x "$NGINX" ] || die "$NGINX not found (apt-get install nginx-light or nginx)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
[ -d /etc/nginx ] || die "/etc/nginx not found"

WORK=$(mktemp -d /tmp/va-top-nginx-rootfs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs

mkdir -p "$ROOT"/{bin,usr/sbin,etc,tmp,proc,sys,dev,root,run,var/log/nginx,var/lib/nginx,var/lock,usr/share/nginx/html}
chmod 1777 "$ROOT/tmp"

# busybox first: its applets must never shadow nginx.
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ "$applet" = busybox ] && continue
	case "$applet" in */*|'') continue ;; esac
	ln -s busybox "$ROOT/bin/$applet"
done

cp "$NGINX" "$ROOT/usr/sbin/nginx"
# Every library at the path the dynamic loader looks for it, following symlinks to the real files.
libs=$(LC_ALL=C ldd "$NGINX" | awk '/=>/ {print $3} /^[[:space:]]*\// {print $1}' | sort -u)
[ -n "$libs" ] || die "ldd listed no libraries for $NGINX"
count=0
for lib in $libs; do
	[ -e "$lib" ] || die "library $lib (from ldd) does not exist"
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
	count=$((count + 1))
done
# The loader is named by its /lib64 path inside the binary; ldd may list it under that name or its target.
if [ ! -e "$ROOT/lib64/ld-linux-x86-64.so.2" ] && [ -e /lib64/ld-linux-x86-64.so.2 ]; then
	mkdir -p "$ROOT/lib64"
	cp -L /lib64/ld-linux-x86-64.so.2 "$ROOT/lib64/ld-linux-x86-64.so.2"
fi

cp -a /etc/nginx/. "$ROOT/etc/nginx/"
[ -f "$ROOT/etc/nginx/mime.types" ] || die "/etc/nginx/mime.types missing"
if [ -d /usr/share/nginx/html ]; then cp -a /usr/share/nginx/html/. "$ROOT/usr/share/nginx/html/"; fi
# The Debian config includes modules-enabled and sites-enabled (symlinks into /usr/share or sites-available): keep
# what resolves inside the rootfs, drop the rest so `nginx -t` does not fail on a dangling include.
find "$ROOT/etc/nginx" -xtype l -delete

printf 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n' >"$ROOT/etc/group"

# A default config that works on --network host or none without touching anything but loopback.
cat >"$ROOT/etc/nginx/nginx.conf" <<'EOF'
user root;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	access_log off;
	server {
		listen 127.0.0.1:18080;
		location / { return 200 "va-top nginx\n"; }
	}
}
EOF

# Prove the rootfs works before importing: nginx -t with its own loader and libraries, chrooted.
if command -v chroot >/dev/null 2>&1; then
	chroot "$ROOT" /usr/sbin/nginx -t -q || die "nginx -t fails inside the rootfs (missing library or config?)"
fi

tar --numeric-owner --owner=0 --group=0 -C "$ROOT" -cf "$WORK/rootfs.tar" .
id=$(docker import \
	-c 'ENV PATH=/usr/sbin:/bin' \
	-c 'CMD ["/usr/sbin/nginx", "-g", "daemon off;"]' \
	-c 'LABEL org.opencontainers.image.title=va-top-nginx' \
	-m 'va-top test image: Debian nginx with its libraries and busybox' \
	"$WORK/rootfs.tar" "$TAG") || die "docker import of $TAG"
echo "build-nginx-image: built $TAG (${id#sha256:}) with nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') and $count libraries"
