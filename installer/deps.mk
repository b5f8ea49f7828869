# SPDX-License-Identifier: GPL-2.0-only
# installer: newt UI, expat parser, libcrypt hashing; the tools it runs in the
# installer initrd; clang for the libFuzzer target.
DEBIAN_PACKAGES += libnewt-dev libexpat1-dev libcrypt-dev gdisk dosfstools e2fsprogs \
	grub-pc-bin grub-efi-amd64-bin grub-common grub2-common busybox-static zstd tar cpio kmod clang \
	tzdata util-linux
