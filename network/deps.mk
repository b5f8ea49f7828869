# SPDX-License-Identifier: GPL-2.0-only
# network/: build (jansson) and test (Open vSwitch, namespaces, ping, capture).
DEBIAN_PACKAGES += libjansson-dev openvswitch-switch openvswitch-common iproute2 \
	iputils-ping tcpdump ethtool
