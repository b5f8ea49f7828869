# SPDX-License-Identifier: GPL-2.0-only
# cairn-dm: liburing-dev for the io_uring block backend; clang and its libFuzzer runtime for fuzz_virtq; iproute2 and
# ethtool for the network tests (namespaces, taps, offload flags).
DEBIAN_PACKAGES += liburing-dev clang libclang-rt-14-dev iproute2 ethtool
