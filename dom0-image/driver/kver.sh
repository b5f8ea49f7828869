#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints the kernel version cairn.ko must be built for: the Debian kernel the
# tests boot (build/cache/debian-kernel/version once fetched, else what
# `linux-image-amd64` depends on), after checking that the installed
# linux-headers-amd64 is for the same version and its headers are present.
# Usage: kver.sh BUILD_DIR
set -eu
build=$1
cached=$build/cache/debian-kernel/version
if [ -r "$cached" ]; then
	image=$(cat "$cached")
	from="$cached"
else
	image=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n1)
	from="apt-cache depends linux-image-amd64"
fi
if [ -z "$image" ]; then
	echo "kver.sh: cannot tell which kernel the tests boot (no $cached, and apt-cache knows no linux-image-amd64)" >&2
	exit 1
fi
headers=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
	sed -n 's/^.*linux-headers-\([^ ,]*\).*$/\1/p')
if [ -z "$headers" ]; then
	echo "kver.sh: linux-headers-amd64 is not installed (run make deps)" >&2
	exit 1
fi
if [ "$image" != "$headers" ]; then
	echo "kver.sh: the tests boot kernel $image ($from) but linux-headers-amd64 is for $headers;" \
		"install linux-headers-$image or update both (apt-get install linux-headers-amd64," \
		"rm -rf $build/cache/debian-kernel)" >&2
	exit 1
fi
if [ ! -f "/usr/src/linux-headers-$image/Makefile" ]; then
	echo "kver.sh: /usr/src/linux-headers-$image is missing (apt-get install linux-headers-$image)" >&2
	exit 1
fi
echo "$image"
