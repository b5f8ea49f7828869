# SPDX-License-Identifier: GPL-2.0-only
# cairn.ko is built against the Debian kernel's headers (kver.sh checks the version).
DEBIAN_PACKAGES += linux-headers-amd64 gcc make kmod
