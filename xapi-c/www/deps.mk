# SPDX-License-Identifier: GPL-2.0-only
# The web console: the app's build (node, npm), the C module (libmicrohttpd,
# OpenSSL) and the browser tests (Debian's Chromium, driven by playwright-core).
DEBIAN_PACKAGES += nodejs npm chromium libmicrohttpd-dev libssl-dev fonts-dejavu-core
NPM_DIRS += $(TOP)/xapi-c/www
