#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# mkimage.sh BASE.tar BUILD OUT.tar.zst — the dom0 image: the cached base file
# system with Cairn's files appended (the overlay/ tree, then whichever of
# Cairn's binaries are built). Appended tar members replace the base's on
# extraction, and only files are appended, so the base's directories keep their
# owners and modes. Every appended file is owned by root, with the
# SOURCE_DATE_EPOCH time: the same inputs give the same image.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
base=$1 build=$2 out=$3
: "${SOURCE_DATE_EPOCH:?}"
stage=$(mktemp -d "${out%/*}/stage.XXXXXX")
trap 'rm -rf "$stage" "$out.tar"' EXIT

cp -a "$here/overlay/." "$stage/"
put() {	# put SRC DEST MODE: copy a built file in if it exists
	[ -f "$1" ] || return 0
	mkdir -p "$stage/$(dirname "$2")"
	install -m "$3" "$1" "$stage/$2"
	echo "mkimage: + /$2"
}
put "$build/hypervisor/cairn.elf" boot/cairn.elf 0644
put "$build/hypervisor/tools/hv" usr/sbin/hv 0755
put "$build/dom0-image/driver/cairn.ko" usr/lib/cairn/cairn.ko 0644
put "$build/xapi-c/xapi-c" usr/sbin/xapi-c 0755
put "$build/xapi-c/xe" usr/bin/xe 0755
put "$build/storage/sr-tool" usr/sbin/sr-tool 0755
put "$build/network/net-tool" usr/sbin/net-tool 0755
if [ -d "$build/xapi-c/www" ]; then
	mkdir -p "$stage/usr/share/cairn" && cp -r "$build/xapi-c/www" "$stage/usr/share/cairn/www"
fi
for f in "$build"/hypervisor/tools/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	case ${f##*/} in hv|*-static|*.a|*.so*) continue ;; esac
	put "$f" "usr/lib/cairn/${f##*/}" 0755
done

cp "$base" "$out.tar"
(cd "$stage" && find . ! -type d | LC_ALL=C sort) |
	tar -C "$stage" -rf "$out.tar" --owner=0 --group=0 --numeric-owner \
		--mtime="@$SOURCE_DATE_EPOCH" --no-recursion -T -
zstd -q -T2 -6 -f "$out.tar" -o "$out.tmp"
mv "$out.tmp" "$out"
