/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gwalk.h — translating a guest-virtual address through the guest's own page
 * tables (4-level, or 5-level when the guest runs with CR4.LA57), with 1 GiB
 * and 2 MiB pages.
 *
 * The caller supplies read_pte(), which reads one 8-byte entry at a guest-physical
 * address and refuses (returns false) any address the guest does not own; that is
 * where the hypervisor checks that page tables live in the guest's RAM. Pure.
 */
#ifndef CAIRN_GWALK_H
#define CAIRN_GWALK_H

#include <stdbool.h>
#include <stdint.h>

#define GWALK_EFAULT 14

typedef bool (*gwalk_read_fn)(void *ctx, uint64_t gpa, uint64_t *pte);

struct gwalk_result {
	uint64_t gpa;        /* the translated address */
	uint64_t page_left;  /* bytes from gpa to the end of its (small or large) page */
	bool writable;       /* every level allows writes */
	bool user;           /* every level allows user access */
};

/*
 * Translates GVA using the tables rooted at CR3 (LEVELS = 4 or 5). Returns 0 and
 * fills *RES, or -GWALK_EFAULT for a non-canonical address, a non-present entry,
 * a reserved large-page bit, a table the read function refuses, or bad LEVELS.
 */
int gwalk_translate(uint64_t cr3, unsigned levels, uint64_t gva, gwalk_read_fn read_pte,
		    void *ctx, struct gwalk_result *res);

#endif /* CAIRN_GWALK_H */
