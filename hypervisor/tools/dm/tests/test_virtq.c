/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for guest_mem.c and virtq.c: every guest-supplied value is checked. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "dm.h"

#define MEM  0x20000
#define QN   8
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000

struct fix {
	struct dm_guest_mem gm;
	struct dm_vq vq;
	uint8_t *ram;
	struct dm_vq_chain c;
};

static struct fix *fix_new(void)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->ram = calloc(1, MEM);
	dm_gm_add(&f->gm, 0, MEM, f->ram);
	f->vq.size = QN;
	f->vq.desc = DESC;
	f->vq.avail = AVAIL;
	f->vq.used = USED;
	f->vq.enabled = true;
	return f;
}

static void fix_free(struct fix *f)
{
	free(f->ram);
	free(f);
}

static void desc(struct fix *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	uint8_t *d = f->ram + table + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void avail_push(struct fix *f, uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, f->ram + AVAIL + 2, 2);
	memcpy(f->ram + AVAIL + 4 + 2 * (idx % QN), &head, 2);
	idx++;
	memcpy(f->ram + AVAIL + 2, &idx, 2);
}

TEST(gm_bounds)
{
	struct dm_guest_mem gm = {0};
	static uint8_t a[4096], b[4096];

	CHECK_EQ(dm_gm_add(&gm, 0x1000, 4096, a), 0);
	CHECK_EQ(dm_gm_add(&gm, 0x1800, 4096, b), -EEXIST);
	CHECK_EQ(dm_gm_add(&gm, ~0ull - 10, 4096, b), -EINVAL);
	CHECK(dm_gm_ptr(&gm, 0x1000, 4096) == a);
	CHECK(dm_gm_ptr(&gm, 0x1fff, 1) == a + 4095);
	CHECK(dm_gm_ptr(&gm, 0x1fff, 2) == NULL);
	CHECK(dm_gm_ptr(&gm, 0x1001, ~0ull) == NULL);
	CHECK(dm_gm_ptr(&gm, 0xfff, 2) == NULL);
	CHECK(dm_gm_ptr(&gm, 0x2000, 0) == NULL);
}

TEST(chain_direct_and_indirect)
{
	struct fix *f = fix_new();

	desc(f, DESC, 0, 0x8000, 16, 1, 3);         /* readable -> 3 */
	desc(f, DESC, 3, 0x9000, 100, 2 | 1, 5);    /* writable -> 5 */
	desc(f, DESC, 5, 0x9100, 1, 2, 0);
	avail_push(f, 0);
	desc(f, 0x4000, 0, 0xa000, 512, 1, 1);      /* indirect table of 2 */
	desc(f, 0x4000, 1, 0xb000, 513, 2, 0);
	desc(f, DESC, 1, 0x4000, 32, 4, 0);
	avail_push(f, 1);
	REQUIRE(dm_vq_pop(&f->vq, &f->gm, &f->c) == 1);
	CHECK_EQ(f->c.head, 0);
	CHECK_EQ(f->c.nr, 3);
	CHECK_EQ(f->c.nr_out, 1);
	CHECK_EQ(f->c.out_len, 16);
	CHECK_EQ(f->c.in_len, 101);
	CHECK(f->c.buf[1].host == f->ram + 0x9000);
	REQUIRE(dm_vq_pop(&f->vq, &f->gm, &f->c) == 1);
	CHECK_EQ(f->c.head, 1);
	CHECK_EQ(f->c.nr, 2);
	CHECK_EQ(f->c.in_len, 513);
	CHECK_EQ(dm_vq_pop(&f->vq, &f->gm, &f->c), 0);
	CHECK_EQ(dm_vq_push(&f->vq, &f->gm, 1, 513), 0);
	CHECK_EQ(*(uint16_t *)(f->ram + USED + 2), 1);
	CHECK_EQ(*(uint32_t *)(f->ram + USED + 4), 1);
	CHECK_EQ(*(uint32_t *)(f->ram + USED + 8), 513);
	fix_free(f);
}

static int pop_one(struct fix *f)
{
	return dm_vq_pop(&f->vq, &f->gm, &f->c);
}

TEST(rejects_loop)
{
	struct fix *f = fix_new();

	desc(f, DESC, 0, 0x8000, 16, 1, 1);
	desc(f, DESC, 1, 0x8000, 16, 1, 0);         /* 0 -> 1 -> 0 ... */
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);
}

TEST(rejects_bad_indexes_and_addresses)
{
	struct fix *f = fix_new();

	avail_push(f, QN);                          /* head out of range */
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);

	f = fix_new();
	desc(f, DESC, 0, 0x8000, 16, 1, QN + 3);    /* next out of range */
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);

	f = fix_new();
	desc(f, DESC, 0, MEM - 8, 16, 0, 0);        /* buffer crosses the end of RAM */
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);

	f = fix_new();
	desc(f, DESC, 0, ~0ull - 4, 16, 0, 0);      /* wrapping address */
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);

	f = fix_new();
	desc(f, DESC, 0, 0x9000, 16, 2 | 1, 1);     /* writable then readable */
	desc(f, DESC, 1, 0x9000, 16, 0, 0);
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);

	f = fix_new();
	*(uint16_t *)(f->ram + AVAIL + 2) = QN + 1; /* avail idx runs ahead by more than size */
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);
}

TEST(rejects_bad_indirect)
{
	struct fix *f = fix_new();

	desc(f, 0x4000, 0, 0x4000, 16, 4, 0);       /* nested indirect */
	desc(f, DESC, 0, 0x4000, 16, 4, 0);
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);

	f = fix_new();
	desc(f, DESC, 0, 0x4000, 20, 4, 0);         /* length not a multiple of 16 */
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);

	f = fix_new();
	desc(f, DESC, 0, 0x4000, 16, 4 | 1, 1);     /* INDIRECT with NEXT */
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);

	f = fix_new();
	desc(f, 0x4000, 0, 0x8000, 16, 1, 1);       /* loop inside the table */
	desc(f, 0x4000, 1, 0x8000, 16, 1, 0);
	desc(f, DESC, 0, 0x4000, 32, 4, 0);
	avail_push(f, 0);
	CHECK_EQ(pop_one(f), -EINVAL);
	fix_free(f);
}

TEST(rejects_rings_outside_memory)
{
	struct fix *f = fix_new();

	f->vq.used = MEM - 16;
	CHECK(!dm_vq_layout_ok(&f->vq, &f->gm));
	CHECK_EQ(pop_one(f), -EINVAL);
	f->vq.used = USED + 2;                      /* misaligned */
	CHECK(!dm_vq_layout_ok(&f->vq, &f->gm));
	f->vq.used = USED;
	f->vq.size = 6;                             /* not a power of two */
	CHECK(!dm_vq_layout_ok(&f->vq, &f->gm));
	fix_free(f);
}

TEST(event_idx_suppresses)
{
	struct fix *f = fix_new();
	uint16_t ev = 2;
	int i, notified = 0;

	f->vq.event_idx = true;
	memcpy(f->ram + AVAIL + 4 + 2 * QN, &ev, 2); /* used_event: after the 3rd */
	for (i = 0; i < 4; i++) {
		dm_vq_push(&f->vq, &f->gm, 0, 0);
		if (dm_vq_need_notify(&f->vq, &f->gm)) {
			notified++;
			CHECK_EQ(i, 2);
		}
	}
	CHECK_EQ(notified, 1);
	f->vq.event_idx = false;
	*(uint16_t *)(f->ram + AVAIL) = 1;          /* VRING_AVAIL_F_NO_INTERRUPT */
	dm_vq_push(&f->vq, &f->gm, 0, 0);
	CHECK(!dm_vq_need_notify(&f->vq, &f->gm));
	*(uint16_t *)(f->ram + AVAIL) = 0;
	dm_vq_push(&f->vq, &f->gm, 0, 0);
	CHECK(dm_vq_need_notify(&f->vq, &f->gm));
	fix_free(f);
}

TEST(copy_helpers)
{
	struct fix *f = fix_new();
	uint8_t out[8];

	memcpy(f->ram + 0x8000, "abc", 3);
	memcpy(f->ram + 0x8100, "defgh", 5);
	desc(f, DESC, 0, 0x8000, 3, 1, 1);
	desc(f, DESC, 1, 0x8100, 5, 1, 2);
	desc(f, DESC, 2, 0x9000, 4, 2, 0);
	avail_push(f, 0);
	REQUIRE(pop_one(f) == 1);
	CHECK_EQ(dm_vq_copy_from(&f->c, 2, out, 8), 6);
	CHECK(!memcmp(out, "cdefgh", 6));
	CHECK_EQ(dm_vq_copy_to(&f->c, 0, "WXYZ!", 5), 4);
	CHECK(!memcmp(f->ram + 0x9000, "WXYZ", 4));
	CHECK(dm_vq_in_byte(&f->c, 3) == f->ram + 0x9003);
	CHECK(dm_vq_in_byte(&f->c, 4) == NULL);
	fix_free(f);
}

TEST(unpop_rewinds_avail_event)
{
	struct fix *f = fix_new();
	uint16_t ev;

	f->vq.event_idx = true;
	desc(f, DESC, 0, 0x8000, 16, 2, 0);
	desc(f, DESC, 1, 0x8100, 16, 2, 0);
	avail_push(f, 0);
	avail_push(f, 1);
	REQUIRE(pop_one(f) == 1);
	REQUIRE(pop_one(f) == 1);
	memcpy(&ev, f->ram + USED + 4 + 8 * QN, 2);
	CHECK_EQ(ev, 2);
	dm_vq_unpop(&f->vq, &f->gm, 2);
	memcpy(&ev, f->ram + USED + 4 + 8 * QN, 2);
	CHECK_EQ(ev, 0);                    /* the driver notifies for the next buffer */
	REQUIRE(pop_one(f) == 1);
	CHECK_EQ(f->c.head, 0);             /* the same chains come again */
	fix_free(f);
}
