/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: walking a guest's page tables (4 and 5 levels, 2 MiB and 1 GiB pages). */
#include <string.h>

#include "gwalk.h"
#include "unit.h"

/* A small "guest physical memory": 32 pages at GPA 0, of which pages 28.. are off limits. */
#define NPAGES 32
#define OWNED  28
static uint64_t mem[NPAGES][512];

static bool rd(void *ctx, uint64_t gpa, uint64_t *pte)
{
	(void)ctx;
	if (gpa / 4096 >= OWNED)
		return false;
	*pte = mem[gpa / 4096][(gpa % 4096) / 8];
	return true;
}

#define P 1ull
#define W 2ull
#define U 4ull
#define PS 0x80ull

static void reset(void)
{
	memset(mem, 0, sizeof(mem));
}

TEST(four_level_4k_page)
{
	struct gwalk_result r;
	uint64_t va = 0xffff888000123456ull;

	reset();
	/* PML4 at page 1, PDPT at 2, PD at 3, PT at 4, data at frame 0x12345000. */
	mem[1][(va >> 39) & 511] = 2 * 4096 | P | W;
	mem[2][(va >> 30) & 511] = 3 * 4096 | P | W;
	mem[3][(va >> 21) & 511] = 4 * 4096 | P | W;
	mem[4][(va >> 12) & 511] = 0x12345000ull | P;
	REQUIRE(gwalk_translate(1 * 4096, 4, va, rd, NULL, &r) == 0);
	CHECK_EQ_HEX(r.gpa, 0x12345456);
	CHECK_EQ(r.page_left, 4096 - 0x456);
	CHECK(!r.writable);
	CHECK(!r.user);
}

TEST(large_pages)
{
	struct gwalk_result r;

	reset();
	mem[1][0] = 2 * 4096 | P | W | U;
	mem[2][1] = 0x80000000ull | P | W | U | PS;        /* 1 GiB at VA 1G */
	mem[2][0] = 3 * 4096 | P | W | U;
	mem[3][5] = 0x40000000ull | P | W | U | PS;        /* 2 MiB at VA 10M */
	REQUIRE(gwalk_translate(4096, 4, (1ull << 30) + 0x1234, rd, NULL, &r) == 0);
	CHECK_EQ_HEX(r.gpa, 0x80001234);
	CHECK_EQ(r.page_left, (1ull << 30) - 0x1234);
	CHECK(r.writable && r.user);
	REQUIRE(gwalk_translate(4096, 4, 5 * (2ull << 20) + 0x10, rd, NULL, &r) == 0);
	CHECK_EQ_HEX(r.gpa, 0x40000010);
	/* A misaligned 2 MiB frame is a reserved-bit fault. */
	mem[3][6] = 0x40002000ull | P | PS; /* bit 12 would be PAT */
	CHECK_EQ(gwalk_translate(4096, 4, 6 * (2ull << 20), rd, NULL, &r), -GWALK_EFAULT);
	/* PS in the PML4 is reserved. */
	mem[1][1] = 5 * 4096 | P | PS;
	CHECK_EQ(gwalk_translate(4096, 4, 1ull << 39, rd, NULL, &r), -GWALK_EFAULT);
}

TEST(five_levels)
{
	struct gwalk_result r;
	uint64_t va = 0x00ff000000201000ull; /* canonical with 57 bits only */

	reset();
	mem[1][(va >> 48) & 511] = 2 * 4096 | P;
	mem[2][(va >> 39) & 511] = 3 * 4096 | P;
	mem[3][(va >> 30) & 511] = 4 * 4096 | P;
	mem[4][(va >> 21) & 511] = 5 * 4096 | P;
	mem[5][(va >> 12) & 511] = 0x7000 | P;
	REQUIRE(gwalk_translate(4096, 5, va, rd, NULL, &r) == 0);
	CHECK_EQ_HEX(r.gpa, 0x7000);
	CHECK_EQ(gwalk_translate(4096, 4, va, rd, NULL, &r), -GWALK_EFAULT); /* not canonical at 48 */
}

TEST(faults)
{
	struct gwalk_result r;

	reset();
	CHECK_EQ(gwalk_translate(4096, 4, 0x1000, rd, NULL, &r), -GWALK_EFAULT); /* not present */
	CHECK_EQ(gwalk_translate(4096, 3, 0x1000, rd, NULL, &r), -GWALK_EFAULT); /* bad levels */
	CHECK_EQ(gwalk_translate(4096, 4, 0x0000800000000000ull, rd, NULL, &r), -GWALK_EFAULT);
	/* A table outside the guest's memory is refused by the reader. */
	mem[1][0] = 30 * 4096ull | P;
	CHECK_EQ(gwalk_translate(4096, 4, 0x1000, rd, NULL, &r), -GWALK_EFAULT);
	/* CR3 itself outside. */
	CHECK_EQ(gwalk_translate(29 * 4096, 4, 0x1000, rd, NULL, &r), -GWALK_EFAULT);
}
