# SPDX-License-Identifier: GPL-2.0-only
# hv and hcprobe are linked statically (libc6-dev's libc.a); the decoder's
# fuzzer needs clang with its libFuzzer runtime.
DEBIAN_PACKAGES += libc6-dev clang libclang-rt-14-dev
