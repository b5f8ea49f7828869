# SPDX-License-Identifier: GPL-2.0-only
# storage/: jansson (JSON reports), LVM and its thin-pool checker (the LVM SR,
# also copied into the test machine), qemu-img (file SR images), dmsetup,
# nfs-common (mount.nfs for nfs SRs).
DEBIAN_PACKAGES += libjansson-dev lvm2 thin-provisioning-tools dmsetup qemu-utils nfs-common
