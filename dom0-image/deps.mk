# SPDX-License-Identifier: GPL-2.0-only
# dom0-image: mmdebstrap builds the root file system; zstd compresses it.
DEBIAN_PACKAGES += mmdebstrap arch-test zstd tar e2fsprogs
