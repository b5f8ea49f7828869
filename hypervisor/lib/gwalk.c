/* SPDX-License-Identifier: GPL-2.0-only */
/* gwalk.c — guest page-table walk (see gwalk.h). */
#include "gwalk.h"

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PS   (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

static bool canonical(uint64_t va, unsigned levels)
{
	unsigned bits = 12 + 9 * levels; /* 48 or 57 */
	int64_t s = (int64_t)(va << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == va;
}

int gwalk_translate(uint64_t cr3, unsigned levels, uint64_t gva, gwalk_read_fn read_pte,
		    void *ctx, struct gwalk_result *res)
{
	uint64_t table = cr3 & PTE_ADDR, pte;
	bool w = true, u = true;

	if ((levels != 4 && levels != 5) || !canonical(gva, levels))
		return -GWALK_EFAULT;
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t idx = (gva >> shift) & 511;

		if (!read_pte(ctx, table + idx * 8, &pte) || !(pte & PTE_P))
			return -GWALK_EFAULT;
		w = w && (pte & PTE_W);
		u = u && (pte & PTE_U);
		if (level == 1 || ((pte & PTE_PS) && (level == 2 || level == 3))) {
			uint64_t size = 1ull << shift, mask = size - 1;
			uint64_t base = pte & PTE_ADDR & ~mask;

			/* A large page's frame must be aligned to its size (bit 12 is PAT). */
			if (level > 1 && (pte & PTE_ADDR & mask & ~0x1000ull))
				return -GWALK_EFAULT;
			res->gpa = base | (gva & mask);
			res->page_left = size - (gva & mask);
			res->writable = w;
			res->user = u;
			return 0;
		}
		if (pte & PTE_PS) /* PS in a PML4/PML5 entry is reserved */
			return -GWALK_EFAULT;
		table = pte & PTE_ADDR;
	}
	return -GWALK_EFAULT;
}
