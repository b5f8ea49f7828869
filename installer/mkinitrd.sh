#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# mkinitrd.sh KDIR CAIRN-INSTALL OUT — the installer's initrd.
#
# Static busybox for the shell and small tools; cairn-install and the tools it
# runs (sgdisk, mkfs, e2image, blkid, tar, zstd, grub-install with the i386-pc
# and x86_64-efi platforms) copied from the build host (Debian 12, the same
# release as dom0) with the shared libraries ldd names; the dom0 kernel's
# storage, network and file-system modules with their dependencies (from KDIR,
# see dom0-image/). The archive is a zstd-compressed newc cpio.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kdir=$1 installer=$2 out=$3
ver=$(cat "$kdir/version")
st=$(mktemp -d "${out%/*}/initrd.XXXXXX")
trap 'rm -rf "$st" "$st.mods"' EXIT

mkdir -p "$st/bin" "$st/sbin" "$st/usr/bin" "$st/usr/sbin" "$st/lib" "$st/lib64" "$st/etc" \
	"$st/proc" "$st/sys" "$st/dev" "$st/run" "$st/tmp" "$st/cdrom" "$st/target" "$st/root" \
	"$st/usr/share" "$st/lib/modules"
cp /bin/busybox "$st/bin/busybox"
for a in $(/bin/busybox --list-full); do
	[ -e "$st/$a" ] || ln -s /bin/busybox "$st/$a"
done

add_bin() {	# add_bin PATH [NAME]: a host binary and its libraries
	dest=$st/usr/sbin/${2:-${1##*/}}
	rm -f "$dest"
	cp -L "$1" "$dest"
	ldd "$1" | awk '/=>/ { print $3 } /^\t\/lib64\// { print $1 }' | while read -r lib; do
		[ -n "$lib" ] && [ ! -e "$st$lib" ] || continue
		mkdir -p "$st${lib%/*}"
		cp -L "$lib" "$st$lib"
	done
}
add_bin "$installer"
for b in /usr/sbin/sgdisk /usr/sbin/mkfs.fat /usr/sbin/mke2fs /usr/sbin/e2fsck \
	/usr/sbin/e2image /usr/sbin/tune2fs /usr/sbin/blkid /usr/bin/tar /usr/bin/zstd \
	/usr/sbin/grub-install /usr/bin/grub-mkimage /usr/sbin/grub-probe \
	/usr/bin/grub-editenv; do
	add_bin "$b"
done
ln -s mkfs.fat "$st/usr/sbin/mkfs.vfat"
ln -s mke2fs "$st/usr/sbin/mkfs.ext4"
# busybox's tar and blkid lack what cairn-install needs; the host's win in PATH.
mkdir -p "$st/usr/lib/grub" "$st/usr/share/grub"
cp -r /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi "$st/usr/lib/grub/"
cp /etc/mke2fs.conf "$st/etc/"
cp -r /usr/share/zoneinfo "$st/usr/share/"
mkdir -p "$st/lib/terminfo/l" "$st/lib/terminfo/v"
cp /lib/terminfo/l/linux "$st/lib/terminfo/l/"
cp /lib/terminfo/v/vt100 /lib/terminfo/v/vt102 "$st/lib/terminfo/v/"
install -m 0755 "$here/init.sh" "$st/init"
install -m 0755 "$here/udhcpc.script" "$st/etc/udhcpc.script"
echo "root:x:0:0:root:/root:/bin/sh" > "$st/etc/passwd"
echo "root:x:0:" > "$st/etc/group"

# Modules: what a server's installer needs to see disks, the ISO and NICs.
mkdir -p "$st.mods/lib/modules"
ln -s "$(cd "$kdir/modules" && pwd)" "$st.mods/lib/modules/$ver"
: > "$st/etc/modules.order"
for m in virtio_pci virtio_blk virtio_scsi virtio_net ahci ata_piix sd_mod sr_mod isofs \
	ext4 vfat nls_cp437 nls_ascii nls_iso8859_1 nls_utf8 nvme e1000 e1000e igb ixgbe tg3 bnx2 r8169 \
	xhci_pci ehci_pci uhci_hcd usb_storage uas hid_generic usbhid megaraid_sas mpt3sas \
	crc32c_generic efivarfs; do
	modprobe -d "$st.mods" -S "$ver" --show-depends "$m" 2>/dev/null |
		awk '$1 == "insmod" { print $2 }' | while read -r ko; do
		dest=/lib/modules/${ko##*/}
		grep -qx "$dest" "$st/etc/modules.order" && continue
		cp "$ko" "$st$dest"
		echo "$dest" >> "$st/etc/modules.order"
	done
done

(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | zstd -q -T2 -10 > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitrd: $out $(du -m "$out" | cut -f1) MiB, $(wc -l < "$st/etc/modules.order") modules"
