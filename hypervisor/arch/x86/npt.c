/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * npt.c — nested page tables in the AMD64 long-mode format.
 *
 * Design: npt_map() maps [gpa, gpa+size) to hpa with the largest pages that the
 * alignment of both addresses and the remaining size allow (1 GiB, 2 MiB, 4 KiB).
 * Entries carry P|W|U (QEMU's nested walk checks U); the memory type comes from
 * the guest's PAT and the MTRRs. A large page is never split here: mapping over
 * an existing large page is refused (the callers never do it).
 */
#include "hvm.h"

#define NPT_P  (1ull << 0)
#define NPT_W  (1ull << 1)
#define NPT_U  (1ull << 2)
#define NPT_PS (1ull << 7)
#define NPT_ADDR 0x000ffffffffff000ull
#define NPT_FLAGS (NPT_P | NPT_W | NPT_U)

u64 npt_pages_mapped[4];

static u64 *table(u64 p)
{
	return va(p & NPT_ADDR);
}

/* The table below entry *E, created if absent; NULL if *E is a large page. */
static u64 *next_table(u64 *e)
{
	u64 p;

	if (*e & NPT_P)
		return (*e & NPT_PS) ? NULL : table(*e);
	p = page_alloc(0);
	if (!p)
		return NULL;
	*e = p | NPT_FLAGS;
	return va(p);
}

static int map_one(u64 root, u64 gpa, u64 hpa, unsigned level)
{
	u64 *t = table(root);

	for (unsigned l = 4; l > level; l--) {
		t = next_table(&t[(gpa >> (12 + 9 * (l - 1))) & 511]);
		if (!t)
			return -CAIRN_ENOMEM;
	}
	t[(gpa >> (12 + 9 * (level - 1))) & 511] = hpa | NPT_FLAGS | (level > 1 ? NPT_PS : 0);
	npt_pages_mapped[level]++;
	return 0;
}

int npt_map(u64 *root_pa, u64 gpa, u64 hpa, u64 size)
{
	if (!*root_pa && !(*root_pa = page_alloc(0)))
		return -CAIRN_ENOMEM;
	while (size) {
		unsigned level = 1;
		u64 step = PAGE_SIZE;
		int rc;

		if (!((gpa | hpa) & (GiB - 1)) && size >= GiB)
			level = 3, step = GiB;
		else if (!((gpa | hpa) & (2 * MiB - 1)) && size >= 2 * MiB)
			level = 2, step = 2 * MiB;
		rc = map_one(*root_pa, gpa, hpa, level);
		if (rc)
			return rc;
		gpa += step;
		hpa += step;
		size = size > step ? size - step : 0;
	}
	return 0;
}

/* The host-physical address GPA maps to, or ~0 if unmapped. */
u64 npt_lookup(u64 root, u64 gpa)
{
	u64 *t = table(root);

	for (unsigned l = 4; l >= 1; l--) {
		unsigned shift = 12 + 9 * (l - 1);
		u64 e = t[(gpa >> shift) & 511];

		if (!(e & NPT_P))
			return ~0ull;
		if (l == 1 || (e & NPT_PS))
			return (e & NPT_ADDR & ~((1ull << shift) - 1)) | (gpa & ((1ull << shift) - 1));
		t = table(e);
	}
	return ~0ull;
}

/*
 * Frees the table at TABLE_PA (level LEVEL) and everything below it: leaf pages
 * are the domain's RAM, allocated one 2 MiB or 4 KiB page per entry (never
 * 1 GiB: POPULATE maps each allocation on its own). Returns the 4 KiB pages of
 * RAM freed. Only for domU tables: dom0's leaves are not allocator pages.
 */
static u64 free_level(u64 table_pa, unsigned level)
{
	u64 *t = table(table_pa), freed = 0;

	for (unsigned i = 0; i < 512; i++) {
		u64 e = t[i];

		if (!(e & NPT_P))
			continue;
		if (level == 1 || (e & NPT_PS)) {
			BUG_ON(level > 2);
			page_free(e & NPT_ADDR, level == 2 ? 9 : 0);
			freed += level == 2 ? 512 : 1;
		} else {
			freed += free_level(e, level - 1);
		}
	}
	page_free(table_pa & NPT_ADDR, 0);
	return freed;
}

u64 npt_free_all(u64 root_pa)
{
	return root_pa ? free_level(root_pa, 4) : 0;
}
