#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the Cairn installer initrd (busybox). Finds the installation medium
# (an ISO 9660 file system holding cairn/dom0.tar.zst), mounts it at /cdrom,
# brings up the network when the answerfile is on http, and runs cairn-install:
# unattended when answerfile= is on the kernel command line, otherwise the text
# UI. After an unattended install the machine powers off (so an answerfile left
# attached cannot reinstall in a loop); after an interactive one it reboots.
# On failure it says so and opens a rescue shell on the console.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /tmp /cdrom
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
grep -q efivarfs /proc/filesystems && mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
for m in $(cat /etc/modules.order); do insmod "$m" 2>/dev/null; done
echo "CAIRN-INSTALLER: started ($(uname -r))"

cmdline=$(cat /proc/cmdline)
answerfile=
for arg in $cmdline; do
	case $arg in answerfile=*) answerfile=${arg#answerfile=} ;; esac
done

find_medium() {
	for i in $(seq 1 30); do
		for d in /dev/sr* /dev/sd* /dev/vd* /dev/nvme*n* /dev/xvd*; do
			[ -b "$d" ] || continue
			mount -t iso9660 -o ro "$d" /cdrom 2>/dev/null || continue
			[ -f /cdrom/cairn/dom0.tar.zst ] && { echo "CAIRN-INSTALLER: medium $d"; return 0; }
			umount /cdrom
		done
		sleep 1
	done
	return 1
}

network_up() {
	ip link set lo up
	for n in /sys/class/net/*; do
		n=${n##*/}
		[ "$n" = lo ] && continue
		ip link set "$n" up
		udhcpc -i "$n" -n -q -t 5 -s /etc/udhcpc.script && return 0
	done
	return 1
}

rescue() {
	echo "CAIRN-INSTALLER: $1"
	echo "CAIRN-INSTALLER: rescue shell on the console (cairn-install --help); 'poweroff -f' to stop"
	while true; do setsid cttyhack sh -l; done
}

find_medium || rescue "no installation medium found (ISO with cairn/dom0.tar.zst)"
case $answerfile in http://*) network_up || echo "CAIRN-INSTALLER: no DHCP answer" ;; esac

active=$(cat /sys/class/tty/console/active 2>/dev/null)
case ${active##* } in ttyS*) export TERM=vt100 ;; *) export TERM=linux ;; esac

start=$(date +%s)
cairn-install
rc=$?
if [ $rc -eq 0 ]; then
	echo "CAIRN-INSTALLER: complete in $(( $(date +%s) - start ))s"
	umount /cdrom 2>/dev/null
	sync
	if [ -n "$answerfile" ]; then poweroff -f; else reboot -f; fi
fi
rescue "failed (cairn-install exit $rc)"
