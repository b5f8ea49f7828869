# SPDX-License-Identifier: GPL-2.0-only
# xe (xapi-c/cli) and its client tests (tests/xapi-clients).
# nodejs brings npm on this image; Debian's separate `npm` package conflicts with it.
DEBIAN_PACKAGES += libcurl4-openssl-dev libexpat1-dev openssl nodejs python3-pytest
NPM_DIRS += $(TOP)/tests/xapi-clients
