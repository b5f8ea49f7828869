/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: the buddy page allocator, over a malloc'd arena standing in for RAM. */
#include <stdlib.h>

#include "buddy.h"
#include "unit.h"

#define BASE  (1ull << 30)            /* "physical" address of the arena */
#define PAGES 4096u                   /* 16 MiB */

static uint8_t *arena;

static void *to_virt(uint64_t pa, void *ctx)
{
	(void)ctx;
	return arena + (pa - BASE);
}

static void setup(struct buddy *b, uint8_t *meta)
{
	arena = aligned_alloc(4096, (size_t)PAGES * 4096);
	REQUIRE(arena);
	REQUIRE(buddy_init(b, BASE, PAGES, meta, to_virt, NULL) == 0);
}

TEST(init_rejects_misaligned_base)
{
	struct buddy b;
	static uint8_t meta[16];

	CHECK_EQ(buddy_init(&b, 0x1000, 16, meta, to_virt, NULL), -BUDDY_EINVAL);
}

TEST(alloc_free_merges_back)
{
	struct buddy b;
	static uint8_t meta[PAGES];
	uint64_t p[16];

	setup(&b, meta);
	REQUIRE(buddy_add_range(&b, BASE, BASE + (uint64_t)PAGES * 4096) == 0);
	CHECK_EQ(b.total_pages, PAGES);
	CHECK_EQ(b.free_pages, PAGES);
	for (int i = 0; i < 16; i++) {
		p[i] = buddy_alloc(&b, 0);
		REQUIRE(p[i] != BUDDY_NIL);
		CHECK(p[i] >= BASE && p[i] < BASE + (uint64_t)PAGES * 4096);
		for (int j = 0; j < i; j++)
			CHECK(p[i] != p[j]);
	}
	CHECK_EQ(b.free_pages, PAGES - 16);
	for (int i = 15; i >= 0; i--)
		REQUIRE(buddy_free(&b, p[i], 0) == 0);
	CHECK_EQ(b.free_pages, PAGES);
	/* Everything merged: the whole arena is one order-12 block again. */
	uint64_t big = buddy_alloc(&b, 12);
	CHECK_EQ_HEX(big, BASE);
	free(arena);
}

TEST(blocks_are_aligned_and_disjoint)
{
	struct buddy b;
	static uint8_t meta[PAGES];

	setup(&b, meta);
	REQUIRE(buddy_add_range(&b, BASE + 4096, BASE + 3000 * 4096ull) == 0);
	for (unsigned order = 0; order < 8; order++) {
		uint64_t a = buddy_alloc(&b, order);

		REQUIRE(a != BUDDY_NIL);
		CHECK_EQ((a - BASE) % (4096ull << order), 0);
		CHECK(a >= BASE + 4096 && a + (4096ull << order) <= BASE + 3000 * 4096ull);
		/* Writing the whole block must not corrupt the allocator. */
		memset(to_virt(a, NULL), 0xa5, 4096ull << order);
	}
	free(arena);
}

TEST(exhaustion_returns_nil)
{
	struct buddy b;
	static uint8_t meta[PAGES];
	unsigned got = 0;

	setup(&b, meta);
	REQUIRE(buddy_add_range(&b, BASE, BASE + 64 * 4096) == 0);
	while (buddy_alloc(&b, 2) != BUDDY_NIL)
		got++;
	CHECK_EQ(got, 16);
	CHECK_EQ(b.free_pages, 0);
	CHECK_EQ(buddy_alloc(&b, 0), BUDDY_NIL);
	CHECK_EQ(buddy_alloc(&b, BUDDY_MAX_ORDER + 1), BUDDY_NIL);
	free(arena);
}

TEST(holes_are_never_handed_out)
{
	struct buddy b;
	static uint8_t meta[PAGES];
	uint64_t a;

	setup(&b, meta);
	REQUIRE(buddy_add_range(&b, BASE, BASE + 8 * 4096) == 0);
	REQUIRE(buddy_add_range(&b, BASE + 9 * 4096, BASE + 16 * 4096) == 0);
	while ((a = buddy_alloc(&b, 0)) != BUDDY_NIL)
		CHECK(a != BASE + 8 * 4096);
	CHECK_EQ(b.total_pages, 15);
	free(arena);
}

TEST(bad_and_double_free_are_refused)
{
	struct buddy b;
	static uint8_t meta[PAGES];
	uint64_t a;

	setup(&b, meta);
	REQUIRE(buddy_add_range(&b, BASE, BASE + 64 * 4096) == 0);
	a = buddy_alloc(&b, 1);
	REQUIRE(a != BUDDY_NIL);
	CHECK_EQ(buddy_free(&b, a, 0), -BUDDY_EINVAL);       /* wrong order */
	CHECK_EQ(buddy_free(&b, a + 4096, 0), -BUDDY_EINVAL); /* not a block head */
	CHECK_EQ(buddy_free(&b, a + 1, 1), -BUDDY_EINVAL);    /* unaligned */
	CHECK_EQ(buddy_free(&b, BASE - 4096, 0), -BUDDY_EINVAL);
	REQUIRE(buddy_free(&b, a, 1) == 0);
	CHECK_EQ(buddy_free(&b, a, 1), -BUDDY_EINVAL);        /* double free */
	CHECK_EQ(b.free_pages, 64);
	CHECK_EQ(buddy_add_range(&b, BASE - 4096, BASE), -BUDDY_EINVAL);
	free(arena);
}

TEST(order_for_sizes)
{
	CHECK_EQ(buddy_order_for(1), 0);
	CHECK_EQ(buddy_order_for(4096), 0);
	CHECK_EQ(buddy_order_for(4097), 1);
	CHECK_EQ(buddy_order_for(1 << 20), 8);
}
