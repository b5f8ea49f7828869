/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gmem.c — copying to and from a guest's virtual addresses, for hypercalls.
 *
 * Design: every copy translates the whole guest range first, page by page,
 * through the guest's own page tables (gwalk.c), checking that each page-table
 * page and each data byte lies in RAM the domain owns — never in the
 * hypervisor's memory or the domU pool — and, for writes, that the guest
 * mapping is writable. Only when the whole range passes are bytes copied, so a
 * failed call writes nothing. Guest-physical equals host-physical for dom0; for
 * others the nested tables give the host address.
 */
#include "gwalk.h"
#include "hvm.h"

#define GMEM_MAX_CHUNKS 64 /* 64 pages: more than any hypercall argument */

struct chunk {
	u64 hpa;
	u64 len;
};

bool domain_owns(const struct domain *d, u64 gpa, u64 len)
{
	return len && gpa + len > gpa && ranges_contain(d->ram, d->nr_ram, gpa, gpa + len);
}

static bool read_pte(void *ctx, u64 gpa, u64 *pte)
{
	const struct domain *d = ctx;

	if ((gpa & 7) || !domain_owns(d, gpa, 8))
		return false;
	*pte = *(volatile u64 *)va(npt_lookup(d->npt_root, gpa));
	return true;
}

/* Translates [GVA, GVA+LEN) into at most GMEM_MAX_CHUNKS host ranges. */
static int translate(struct vcpu *v, u64 gva, size_t len, bool write, struct chunk *c,
		     unsigned *n)
{
	struct domain *d = v->dom;
	u64 cr3;
	unsigned levels;

	hvm->guest_paging(v, &cr3, &levels);
	*n = 0;
	while (len) {
		struct gwalk_result r;
		u64 take;

		if (*n >= GMEM_MAX_CHUNKS)
			return -CAIRN_EFAULT;
		if (!levels) {
			r = (struct gwalk_result){ .gpa = gva, .page_left = PAGE_SIZE - (gva & 4095),
						   .writable = true };
		} else if (gwalk_translate(cr3, levels, gva, read_pte, d, &r)) {
			return -CAIRN_EFAULT;
		}
		take = MIN((u64)len, r.page_left);
		if ((write && !r.writable) || !domain_owns(d, r.gpa, take))
			return -CAIRN_EFAULT;
		c[*n].hpa = npt_lookup(d->npt_root, r.gpa);
		c[*n].len = take;
		if (c[*n].hpa == ~0ull)
			return -CAIRN_EFAULT;
		(*n)++;
		gva += take;
		len -= take;
	}
	return 0;
}

int guest_copy_from(struct vcpu *v, void *dst, u64 gva, size_t len)
{
	struct chunk c[GMEM_MAX_CHUNKS];
	unsigned n;
	int rc = translate(v, gva, len, false, c, &n);

	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		memcpy(dst, va(c[i].hpa), c[i].len);
		dst = (char *)dst + c[i].len;
	}
	return 0;
}

int guest_copy_to(struct vcpu *v, u64 gva, const void *src, size_t len)
{
	struct chunk c[GMEM_MAX_CHUNKS];
	unsigned n;
	int rc = translate(v, gva, len, true, c, &n);

	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		memcpy(va(c[i].hpa), src, c[i].len);
		src = (const char *)src + c[i].len;
	}
	return 0;
}
