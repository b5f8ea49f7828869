# SPDX-License-Identifier: GPL-2.0-only
# xapi-c: the management daemon's build and test dependencies.
DEBIAN_PACKAGES += libmicrohttpd-dev libgnutls28-dev libssl-dev libsqlite3-dev libjansson-dev \
	libexpat1-dev libpam0g-dev uuid-dev pkg-config clang libclang-rt-14-dev openssl \
	python3-pytest sqlite3
