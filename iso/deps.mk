# SPDX-License-Identifier: GPL-2.0-only
# iso: grub-mkrescue makes the hybrid BIOS+UEFI image; make run and the tests
# boot it in QEMU under SeaBIOS and OVMF and talk to the installed host.
DEBIAN_PACKAGES += grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools dosfstools \
	qemu-system-x86 qemu-utils ovmf openssh-client python3 openssl
