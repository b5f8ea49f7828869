#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# mkbase.sh OUT.tar — the dom0 base root file system, built with mmdebstrap.
#
# Design: everything that needs package installation or a chroot happens here,
# once; the result is cached by the Makefile under a key made of this script,
# packages.list, customize.sh and the host's apt sources. Cairn's own files are
# appended later by mkimage.sh, so rebuilding Cairn does not re-run mmdebstrap.
# The apt sources are the build host's (/etc/apt/sources.list{,.d/*}); no
# mirror is named in the project. With SOURCE_DATE_EPOCH set, mmdebstrap's
# output is reproducible. Documentation, manuals, translations and the kernel
# modules a server host does not use (sound, media, GPUs, wireless, bluetooth,
# staging, IIO, InfiniBand) are left out.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH must be set}"

pkgs=$(sed -e 's/#.*//' "$here/packages.list" | tr -s ' \n' ',' | sed -e 's/^,//' -e 's/,$//')

set --
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -s "$f" ] && grep -q '^[^#]' "$f" && set -- "$@" "$f"
done
[ $# -gt 0 ] || { echo "mkbase: no apt sources on this host" >&2; exit 1; }

# The initramfs is compressed with zstd; this must be in place before the
# kernel package's postinst runs update-initramfs.
initramfs_conf='mkdir -p "$1/etc/initramfs-tools/conf.d" && printf "COMPRESS=zstd\nMODULES=most\n" > "$1/etc/initramfs-tools/conf.d/cairn.conf"'

# eatmydata: dpkg inside the chroot skips fsync (the tarball is what counts).
mmdebstrap --variant=apt --format=tar \
	--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-include=/usr/share/locale/locale.alias' \
	--dpkgopt='path-exclude=/usr/share/lintian/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/sound/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/media/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/gpu/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/net/wireless/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/net/wireless/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/net/mac80211/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/net/bluetooth/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/bluetooth/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/staging/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/iio/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/infiniband/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/isdn/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/nfc/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/net/nfc/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/input/joystick/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/input/touchscreen/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/input/tablet/*' \
	--dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/comedi/*' \
	--include="$pkgs" \
	--essential-hook="$initramfs_conf" \
	--customize-hook="copy-in $here/customize.sh /tmp" \
	--customize-hook='chroot "$1" sh /tmp/customize.sh' \
	--customize-hook='rm -f "$1/tmp/customize.sh"' \
	bookworm "$out.tmp" "$@"
mv "$out.tmp" "$out"
