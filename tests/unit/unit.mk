.PHONY: all unit clean
# Shared rule for unit-test binaries. Include it from a component Makefile, then:
#   $(BUILD)/unit/<comp>-<name>: tests/<name>.c <sources...>
#   	$(unit-link)
# The first prerequisite list (minus headers) is compiled with the sanitizers
# and linked with the harness's main. UNIT_EXTRA_CFLAGS / UNIT_LIBS add more.
TOP ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
UNIT_CFLAGS ?= -I$(TOP)/tests/unit -std=gnu11 -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror
UNIT_MAIN ?= $(TOP)/tests/unit/unit.c
define unit-link
@mkdir -p $(dir $@)
$(CC) $(UNIT_CFLAGS) $(UNIT_EXTRA_CFLAGS) -o $@ $(filter %.c,$^) $(if $(filter $(UNIT_MAIN),$^),,$(UNIT_MAIN)) $(UNIT_LIBS)
endef
