/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_mem.c — guest-physical ranges mapped into the device model.
 *
 * Design: a short array of regions; every lookup checks that the whole range
 * [gpa, gpa+len) lies inside one region, written so that no sum can overflow.
 * In tests the host pointer is a memfd mapping shared with the test driver; on a
 * real host it is the foreign mapping of the domU's RAM the dom0 driver provides.
 */
#include <errno.h>
#include <string.h>

#include "dm.h"

int dm_gm_add(struct dm_guest_mem *gm, uint64_t gpa, uint64_t size, void *host)
{
	unsigned i;

	if (gm->nr >= DM_GM_MAX_REGIONS || size == 0 || gpa + size < gpa)
		return -EINVAL;
	for (i = 0; i < gm->nr; i++)
		if (gpa < gm->r[i].gpa + gm->r[i].size && gm->r[i].gpa < gpa + size)
			return -EEXIST;
	gm->r[gm->nr].gpa = gpa;
	gm->r[gm->nr].size = size;
	gm->r[gm->nr].host = host;
	gm->nr++;
	return 0;
}

void *dm_gm_ptr(const struct dm_guest_mem *gm, uint64_t gpa, uint64_t len)
{
	unsigned i;

	for (i = 0; i < gm->nr; i++) {
		const struct dm_gm_region *r = &gm->r[i];

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa))
			return NULL;
		return r->host + (gpa - r->gpa);
	}
	return NULL;
}

int dm_gm_read(const struct dm_guest_mem *gm, uint64_t gpa, void *buf, uint64_t len)
{
	const void *p = dm_gm_ptr(gm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int dm_gm_write(const struct dm_guest_mem *gm, uint64_t gpa, const void *buf, uint64_t len)
{
	void *p = dm_gm_ptr(gm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}
