#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# customize.sh — runs inside the dom0 chroot at the end of mmdebstrap.
# Hardening and accounts that need the chroot's own tools.
set -eu

# No default passwords: root is locked until the installer sets a hash.
usermod -p '!' root

# Device models run unprivileged: one group, and a range of system users
# cairn-dm-0 .. cairn-dm-63 (one per running domU), no shell, no home.
groupadd --system cairn-dm
i=0
while [ $i -lt 64 ]; do
	useradd --system --gid cairn-dm --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "cairn-dm-$i"
	i=$((i + 1))
done

# Every install gets its own SSH host keys (made on first boot) and its own
# machine id: nothing generated here may be shared between hosts.
rm -f /etc/ssh/ssh_host_*
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id

# Only what is needed runs: no background apt, no periodic fs jobs.
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
	fstrim.timer; do
	ln -sf /dev/null "/etc/systemd/system/$u"
done

# Firewall and network come up at boot.
systemctl enable nftables.service systemd-networkd.service
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log /var/log/apt/*
