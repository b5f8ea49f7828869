/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for ioreq.c: the device model's half of the ioreq state machine. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "dm.h"
#include "ioreq.h"

static void no_msi(void *arg, uint64_t addr, uint32_t data)
{
}

static struct cairn_ioreq_page *page_new(struct dm_machine *m)
{
	struct cairn_ioreq_page *p = aligned_alloc(4096, 4096);

	memset(p, 0, 4096);
	p->magic = CAIRN_IOREQ_MAGIC;
	p->version = CAIRN_IOREQ_VERSION;
	p->nr_vcpus = 4;
	memset(m, 0, sizeof(*m));
	dm_pci_bus_init(&m->bus, no_msi, m);
	return p;
}

static void req(struct cairn_ioreq_slot *s, uint8_t type, uint8_t dir, uint8_t size,
		uint64_t addr, uint64_t data)
{
	s->type = type;
	s->dir = dir;
	s->size = size;
	s->addr = addr;
	s->data = data;
	s->count = 1;
	s->state = CAIRN_IOREQ_STATE_READY;
}

TEST(slots_served_and_completed)
{
	static struct dm_machine m;
	struct cairn_ioreq_page *p = page_new(&m);
	uint64_t done;

	/* vCPU 0 selects 00:00.0 register 0, vCPU 2 reads it; vCPU 1 idle */
	req(&p->slot[0], CAIRN_IOREQ_TYPE_PIO, CAIRN_IOREQ_DIR_WRITE, 4, 0xcf8, 0x80000000u);
	REQUIRE(dm_ioreq_service(&m, p, &done) == 0);
	CHECK_EQ_HEX(done, 1);
	CHECK_EQ(p->slot[0].state, CAIRN_IOREQ_STATE_DONE);
	CHECK_EQ(p->slot[1].state, CAIRN_IOREQ_STATE_NONE);
	p->slot[0].state = CAIRN_IOREQ_STATE_NONE;       /* what the hypervisor does */
	req(&p->slot[2], CAIRN_IOREQ_TYPE_PIO, CAIRN_IOREQ_DIR_READ, 4, 0xcfc, 0);
	req(&p->slot[3], CAIRN_IOREQ_TYPE_MMIO, CAIRN_IOREQ_DIR_READ, 8, 0xfed00000, 0);
	REQUIRE(dm_ioreq_service(&m, p, &done) == 0);
	CHECK_EQ_HEX(done, 0xc);
	CHECK_EQ_HEX(p->slot[2].data, 0x00081b36);       /* host bridge vendor/device */
	CHECK_EQ_HEX(p->slot[3].data, ~0ull);            /* nothing there */
	/* a DONE slot is not served twice */
	REQUIRE(dm_ioreq_service(&m, p, &done) == 0);
	CHECK_EQ_HEX(done, 0);
	free(p);
}

TEST(malformed_slots_complete_as_all_ones)
{
	static struct dm_machine m;
	struct cairn_ioreq_page *p = page_new(&m);
	uint64_t done;

	req(&p->slot[0], CAIRN_IOREQ_TYPE_PIO, CAIRN_IOREQ_DIR_READ, 3, 0xcfc, 0);
	req(&p->slot[1], CAIRN_IOREQ_TYPE_PIO, CAIRN_IOREQ_DIR_READ, 4, 0x10000, 0);
	req(&p->slot[2], 7, CAIRN_IOREQ_DIR_READ, 4, 0, 0);
	req(&p->slot[3], CAIRN_IOREQ_TYPE_MMIO, CAIRN_IOREQ_DIR_READ, 4, 0, 0);
	p->slot[3].count = 2;
	REQUIRE(dm_ioreq_service(&m, p, &done) == 0);
	CHECK_EQ_HEX(done, 0xf);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_HEX(p->slot[i].data, ~0ull);
	free(p);
}

TEST(posted_ring_and_header_checks)
{
	static struct dm_machine m;
	struct cairn_ioreq_page *p = page_new(&m);
	uint64_t done;

	p->posted_cons = 0xfffffffe;                     /* counters wrap */
	p->posted_prod = 0xfffffffe + 3;
	p->posted[62] = (struct cairn_ioreq_posted){0xe0003000, 0, 2, {0}, 0};
	p->posted[63] = (struct cairn_ioreq_posted){0xe0003000, 1, 3, {0}, 0};   /* bad size */
	p->posted[0] = (struct cairn_ioreq_posted){0xe0003004, 1, 2, {0}, 1};
	REQUIRE(dm_ioreq_service(&m, p, &done) == 0);
	CHECK_EQ_HEX(p->posted_cons, 1);
	p->posted_prod = p->posted_cons + CAIRN_IOREQ_POSTED_SLOTS + 1;
	CHECK_EQ(dm_ioreq_service(&m, p, &done), -EPROTO);
	p->posted_prod = p->posted_cons;
	p->nr_vcpus = CAIRN_IOREQ_MAX_VCPUS + 1;
	CHECK_EQ(dm_ioreq_service(&m, p, &done), -EPROTO);
	p->nr_vcpus = 1;
	p->magic = 0;
	CHECK_EQ(dm_ioreq_service(&m, p, &done), -EPROTO);
	free(p);
}
