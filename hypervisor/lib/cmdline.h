/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cmdline.h — parsing the hypervisor's command line ("dom0_mem=1G loglvl=debug").
 *
 * Words are separated by spaces or tabs; a word is "key" or "key=value". Pure
 * functions over a NUL-terminated string that the caller has already copied.
 */
#ifndef CAIRN_CMDLINE_H
#define CAIRN_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Finds the last word "KEY=value" (or "KEY" alone) in CMDLINE and copies its value
 * (empty for a bare key) into VAL (VAL_SIZE bytes, NUL-terminated, truncated).
 * Returns true when KEY is present.
 */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t val_size);

/*
 * Parses a size: a decimal or 0x-hex number with an optional K, M, G or T suffix
 * (binary units; lower case accepted). Returns false for anything else or on
 * overflow.
 */
bool cmdline_parse_size(const char *s, uint64_t *out);

/* Parses an unsigned decimal or 0x-hex number; false if invalid or overflowing. */
bool cmdline_parse_u64(const char *s, uint64_t *out);

#endif /* CAIRN_CMDLINE_H */
