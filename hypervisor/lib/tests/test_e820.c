/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: carving the firmware memory map for dom0, the hypervisor and the pool. */
#include "e820.h"
#include "unit.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* QEMU's pc machine with 4 GiB, as SeaBIOS reports it. */
static const struct e820_entry qemu_pc[] = {
	{ 0x0, 0x9fc00, E820_RAM },
	{ 0x9fc00, 0x400, E820_RESERVED },
	{ 0xf0000, 0x10000, E820_RESERVED },
	{ 0x100000, 0xbfee0000, E820_RAM },
	{ 0xbffe0000, 0x20000, E820_RESERVED },
	{ 0xfffc0000, 0x40000, E820_RESERVED },
	{ 0x100000000, 0x40000000, E820_RAM },
};

static uint64_t sum(const struct mem_range *r, unsigned n)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < n; i++)
		s += r[i].end - r[i].start;
	return s;
}

static uint64_t map_bytes(const struct e820_plan *p, uint32_t type)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < p->nr_dom0_map; i++)
		if (p->dom0_map[i].type == type)
			s += p->dom0_map[i].size;
	return s;
}

TEST(plan_gives_dom0_exactly_its_memory)
{
	static struct e820_plan p;
	struct mem_range hv = { 0x200000, 0x220000 };

	REQUIRE(e820_plan(qemu_pc, 7, &hv, 1, 1 * GiB, &p) == 0);
	CHECK_EQ(p.dom0_bytes, 1 * GiB);
	CHECK_EQ(sum(p.dom0_ram, p.nr_dom0_ram), 1 * GiB);
	CHECK_EQ(map_bytes(&p, E820_RAM), 1 * GiB);
	/* Low memory trimmed to whole pages, then [1M, 2M), then above the image. */
	CHECK_EQ_HEX(p.dom0_ram[0].start, 0);
	CHECK_EQ_HEX(p.dom0_ram[0].end, 0x9f000);
	CHECK_EQ_HEX(p.dom0_ram[1].start, 0x100000);
	CHECK_EQ_HEX(p.dom0_ram[1].end, 0x200000);
	CHECK_EQ_HEX(p.dom0_ram[2].start, 0x220000);
	/* Total RAM = dom0 + pool + the image. */
	CHECK_EQ(p.dom0_bytes + p.pool_bytes + 0x20000, 0x9f000 + 0xbfee0000 + 0x40000000);
	CHECK_EQ(p.pool_bytes, sum(p.pool, p.nr_pool));
}

TEST(plan_hides_hypervisor_and_pool_from_dom0)
{
	static struct e820_plan p;
	struct mem_range hv = { 0x200000, 0x220000 };

	REQUIRE(e820_plan(qemu_pc, 7, &hv, 1, 1 * GiB, &p) == 0);
	for (unsigned i = 0; i < p.nr_dom0_map; i++) {
		const struct e820_entry *e = &p.dom0_map[i];

		if (e->type != E820_RAM)
			continue;
		CHECK(!(e->addr < hv.end && e->addr + e->size > hv.start));
		CHECK(!ranges_overlap(p.pool, p.nr_pool, e->addr, e->addr + e->size));
	}
	CHECK(!ranges_overlap(p.dom0_ram, p.nr_dom0_ram, hv.start, hv.end));
	/* The firmware's reserved entries are still there, the hidden RAM is reserved. */
	CHECK(map_bytes(&p, E820_RESERVED) >= 0x400 + 0x10000 + 0x20000 + 0x40000 + p.pool_bytes);
	/* Sorted. */
	for (unsigned i = 1; i < p.nr_dom0_map; i++)
		CHECK(p.dom0_map[i - 1].addr <= p.dom0_map[i].addr);
}

TEST(plan_errors)
{
	static struct e820_plan p;

	CHECK_EQ(e820_plan(qemu_pc, 7, NULL, 0, 0, &p), -E820_EINVAL);
	CHECK_EQ(e820_plan(qemu_pc, 7, NULL, 0, 8 * GiB, &p), -E820_ENOMEM);
	CHECK_EQ(e820_plan(qemu_pc + 1, 2, NULL, 0, 1 * GiB, &p), -E820_EINVAL);
}

TEST(plan_respects_overlapping_reserved_entries)
{
	static struct e820_plan p;
	const struct e820_entry fw[] = {
		{ 0x100000, 0x10000000, E820_RAM },
		{ 0x800000, 0x1000, E820_RESERVED }, /* firmware bug: inside RAM */
	};

	REQUIRE(e820_plan(fw, 2, NULL, 0, 0x10000000 - 0x1000, &p) == 0);
	CHECK(!ranges_overlap(p.dom0_ram, p.nr_dom0_ram, 0x800000, 0x801000));
}

TEST(subtract_splits_and_removes)
{
	struct mem_range r[4] = { { 0, 100 }, { 200, 300 } };
	int n = ranges_subtract(r, 2, 4, 50, 60);

	REQUIRE(n == 3);
	CHECK_EQ(r[0].end, 50);
	CHECK_EQ(r[1].start, 60);
	n = ranges_subtract(r, 3, 4, 0, 250);
	REQUIRE(n == 1);
	CHECK_EQ(r[0].start, 250);
	CHECK_EQ(r[0].end, 300);
	CHECK_EQ(ranges_subtract(r, 1, 1, 260, 270), -E820_ENOSPC);
}

TEST(set_type_carves_an_acpi_hole)
{
	struct e820_entry m[8] = { { 0, 0xa0000, E820_RAM }, { 0x100000, 0x100000, E820_RAM } };
	int n = e820_set_type(m, 2, 8, 0x1a000, 0x20000, E820_ACPI);

	REQUIRE(n == 4);
	CHECK_EQ_HEX(m[0].size, 0x1a000);
	CHECK(m[1].addr == 0x1a000 && m[1].size == 0x6000 && m[1].type == E820_ACPI);
	CHECK(m[2].addr == 0x20000 && m[2].type == E820_RAM && m[2].size == 0x80000);
	CHECK_EQ(e820_set_type(m, 4, 4, 0x30000, 0x31000, E820_ACPI), -E820_ENOSPC);
}

TEST(find_low_high_and_avoid)
{
	struct mem_range in[] = { { 0x100000, 0x40000000 } };
	struct mem_range avoid[] = { { 0x1000000, 0x1800000 }, { 0x3ff00000, 0x40000000 } };
	uint64_t at = 0;

	REQUIRE(ranges_find(in, 1, avoid, 2, 0x200000, 0x200000, 0x1000000, ~0ull, false, &at));
	CHECK_EQ_HEX(at, 0x1800000);
	REQUIRE(ranges_find(in, 1, avoid, 2, 0x100000, 0x1000, 0, ~0ull, true, &at));
	CHECK_EQ_HEX(at, 0x3fe00000);
	REQUIRE(ranges_find(in, 1, avoid, 2, 0x1000, 0x1000, 0, 0x1000000, true, &at));
	CHECK_EQ_HEX(at, 0xfff000);
	CHECK(!ranges_find(in, 1, avoid, 2, 0x40000000, 0x1000, 0, ~0ull, false, &at));
	CHECK(!ranges_find(in, 1, NULL, 0, 0x1000, 3, 0, ~0ull, false, &at)); /* bad align */
	/* An obstacle at the very bottom of a range, top-down. */
	struct mem_range in2[] = { { 0x1000, 0x3000 } }, av2[] = { { 0x1000, 0x2800 } };
	CHECK(!ranges_find(in2, 1, av2, 1, 0x1000, 0x1000, 0, ~0ull, true, &at));
}
