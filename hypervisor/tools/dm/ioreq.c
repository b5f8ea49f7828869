/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioreq.c — the device model's side of include/public/ioreq.h: serves the
 * posted-write ring and every READY slot of a domain's ioreq page.
 *
 * Design: pure logic over a mapped page, so it is unit-tested now and the
 * real transport (the dom0 driver's ioreq file descriptor, once it exists)
 * only has to call dm_ioreq_service() when the descriptor becomes readable
 * and issue CAIRN_HC_IOREQ_COMPLETE for each vCPU in the returned mask.
 * Posted writes are applied before the slots, so a vCPU's doorbell that was
 * posted before its next synchronous access is seen first. Everything the
 * hypervisor wrote is copied into a local variable and validated before use;
 * a slot with a bad size, type or direction completes as a read of all-ones
 * (or an ignored write) and is logged, and a ring whose producer ran more
 * than a ring's length ahead is a protocol error the caller must treat as
 * fatal for the domain.
 */
#include <errno.h>
#include <string.h>

#include "dm.h"
#include "ioreq.h"

static bool ioreq_size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static int ioreq_posted(struct dm_machine *m, struct cairn_ioreq_page *page)
{
	uint32_t prod = __atomic_load_n(&page->posted_prod, __ATOMIC_ACQUIRE);
	uint32_t cons = __atomic_load_n(&page->posted_cons, __ATOMIC_RELAXED);
	struct cairn_ioreq_posted p;
	uint64_t val;

	if (prod - cons > CAIRN_IOREQ_POSTED_SLOTS) {
		DM_LOG("posted ring: producer %u consumer %u", prod, cons);
		return -EPROTO;
	}
	for (; cons != prod; cons++) {
		memcpy(&p, &page->posted[cons % CAIRN_IOREQ_POSTED_SLOTS], sizeof(p));
		if (!ioreq_size_ok(p.size)) {
			DM_LOG("posted write 0x%llx: bad size %u", (unsigned long long)p.addr, p.size);
			continue;
		}
		val = p.data;
		dm_io(m, true, true, p.addr, p.size, &val);
	}
	__atomic_store_n(&page->posted_cons, cons, __ATOMIC_RELEASE);
	return 0;
}

static void ioreq_slot(struct dm_machine *m, struct cairn_ioreq_slot *slot, unsigned vcpu)
{
	struct cairn_ioreq_slot s;
	bool ok;

	memcpy(&s, slot, sizeof(s));
	__atomic_store_n(&slot->state, CAIRN_IOREQ_STATE_IN_SERVICE, __ATOMIC_RELAXED);
	ok = ioreq_size_ok(s.size) && s.count == 1 && s.df == 0 &&
	     (s.type == CAIRN_IOREQ_TYPE_MMIO ||
	      (s.type == CAIRN_IOREQ_TYPE_PIO && s.addr <= 0xffff && s.size <= 4)) &&
	     (s.dir == CAIRN_IOREQ_DIR_READ || s.dir == CAIRN_IOREQ_DIR_WRITE);
	if (!ok) {
		DM_LOG("vcpu %u: malformed request type %u dir %u size %u count %u addr 0x%llx",
		       vcpu, s.type, s.dir, s.size, s.count, (unsigned long long)s.addr);
		s.data = ~0ull;
	} else {
		dm_io(m, s.type == CAIRN_IOREQ_TYPE_MMIO, s.dir == CAIRN_IOREQ_DIR_WRITE, s.addr,
		      s.size, &s.data);
	}
	if (s.dir == CAIRN_IOREQ_DIR_READ || !ok)
		slot->data = s.data;
	__atomic_store_n(&slot->state, CAIRN_IOREQ_STATE_DONE, __ATOMIC_RELEASE);
}

int dm_ioreq_service(struct dm_machine *m, struct cairn_ioreq_page *page, uint64_t *done)
{
	uint32_t nr, v;
	int rc;

	*done = 0;
	if (__atomic_load_n(&page->magic, __ATOMIC_ACQUIRE) != CAIRN_IOREQ_MAGIC ||
	    page->version != CAIRN_IOREQ_VERSION)
		return -EPROTO;
	nr = page->nr_vcpus;
	if (nr > CAIRN_IOREQ_MAX_VCPUS)
		return -EPROTO;
	rc = ioreq_posted(m, page);
	if (rc)
		return rc;
	for (v = 0; v < nr; v++) {
		if (__atomic_load_n(&page->slot[v].state, __ATOMIC_ACQUIRE) !=
		    CAIRN_IOREQ_STATE_READY)
			continue;
		ioreq_slot(m, &page->slot[v], v);
		*done |= 1ull << v;
	}
	return 0;
}
