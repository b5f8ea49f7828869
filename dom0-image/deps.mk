# SPDX-License-Identifier: GPL-2.0-only
# dom0-image: mmdebstrap builds the root file system; zstd compresses it.
DEBIAN_PACKAGES += mmdebstrap arch-test eatmydata zstd tar e2fsprogs util-linux
