# Cairn — top-level build.
#
#   make deps    install every build and test dependency (Debian packages, npm), idempotent
#   make         build every component into build/
#   make test    deps + build + all tests; ends with pytest's "N passed, N failed" line
#   make bench   deps + build + the benchmarks (not part of make test)
#   make run     deps + build + the platform in QEMU (see iso/)
#
# Each component is a directory with its own Makefile that understands the targets
# `all` (build into $(BUILD)/<component>/), `unit` (host-side unit tests into
# $(BUILD)/unit/, built with $(SANFLAGS) and the shared harness in tests/unit/) and
# optionally `clean`. A component names the Debian packages it needs in its deps.mk
# (DEBIAN_PACKAGES += ...) and the npm projects it needs in NPM_DIRS; a
# sub-component may have its own <component>/<sub>/deps.mk.

TOP   := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD ?= $(TOP)/build

# One strict warning set for every C target, hosted or freestanding.
WARNFLAGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Wformat=2 -Wundef -Wvla -Wpointer-arith -Wwrite-strings \
	-Wno-unused-parameter
# User-space C: hardened defaults.
HOST_CFLAGS := -std=gnu11 -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE $(WARNFLAGS)
# Sanitizer build used by all user-space unit tests.
SANFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all $(WARNFLAGS)
# The shared unit-test harness: add $(UNIT_CFLAGS) and link $(UNIT_MAIN).
UNIT_CFLAGS := -I$(TOP)/tests/unit $(SANFLAGS)
UNIT_MAIN   := $(TOP)/tests/unit/unit.c

export TOP BUILD WARNFLAGS HOST_CFLAGS SANFLAGS UNIT_CFLAGS UNIT_MAIN

# Order matters: the dom0 image takes the binaries built before it, the ISO the image.
COMPONENTS := hypervisor storage network xapi-c dom0-image installer iso
BUILT      := $(foreach c,$(COMPONENTS),$(if $(wildcard $(TOP)/$(c)/Makefile),$(c)))

# What the build and the test harness itself need; components add theirs in deps.mk.
DEBIAN_PACKAGES := build-essential make pkg-config clang lld libclang-rt-14-dev \
	python3 python3-pytest python3-pytest-timeout \
	qemu-system-x86 qemu-utils ovmf cpio busybox-static kmod xz-utils zstd \
	grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools iproute2 procps
NPM_DIRS :=
include $(wildcard $(TOP)/*/deps.mk $(TOP)/*/*/deps.mk $(TOP)/*/*/*/deps.mk)
# npm: Debian's nodejs 18 ships without it (package npm); a nodejs that bundles its
# own npm conflicts with that package, so ask for it only when the command is missing.
DEBIAN_PACKAGES := $(filter-out npm,$(DEBIAN_PACKAGES)) \
	$(if $(NPM_DIRS),$(if $(shell command -v npm 2>/dev/null),,npm))

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
PYTEST := /usr/bin/python3 -m pytest

.PHONY: all deps unit test bench run clean $(BUILT)

all: $(BUILT)

$(BUILT):
	$(MAKE) -C $(TOP)/$@ all

# Under make -j too: the dom0 image ships the binaries, the ISO the image and installer.
dom0-image: $(filter hypervisor storage network xapi-c,$(BUILT))
iso: $(filter-out iso,$(BUILT))

unit:
	@mkdir -p $(BUILD)/unit
	@set -e; for c in $(BUILT); do $(MAKE) -C $(TOP)/$$c unit; done
	$(MAKE) -C $(TOP)/tests/unit unit

# Installs only what is missing, so a second run does nothing.
deps:
	@missing=$$(for p in $(sort $(DEBIAN_PACKAGES)); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all Debian packages present"; fi
	@set -e; for d in $(NPM_DIRS); do \
		if [ ! -d $$d/node_modules ] || [ $$d/package-lock.json -nt $$d/node_modules ]; then \
			echo "deps: npm ci in $$d"; (cd $$d && npm ci --no-audit --no-fund --loglevel=error); \
			touch $$d/node_modules; \
		fi; \
	done

# PYTEST_ARGS selects tests, e.g. make test PYTEST_ARGS='tests/harness -k boot'.
test: deps
	$(MAKE) all
	$(MAKE) unit
	$(PYTEST) $(or $(PYTEST_ARGS),tests)

bench: deps
	$(MAKE) all
	$(TOP)/tests/bench.sh

run: deps
	$(MAKE) all
	$(MAKE) -C $(TOP)/iso run

clean:
	rm -rf $(BUILD)
