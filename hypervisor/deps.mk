# SPDX-License-Identifier: GPL-2.0-only
# What the hypervisor needs to build (binutils, gcc) and to be tested (QEMU, GRUB, OVMF,
# busybox for the dom0 test initramfs, xorriso/mtools for grub-mkrescue).
DEBIAN_PACKAGES += binutils gcc make qemu-system-x86 ovmf grub-pc-bin grub-efi-amd64-bin \
	grub-common xorriso mtools busybox-static cpio
