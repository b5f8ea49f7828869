/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * e820.c — memory-map carving (see e820.h).
 *
 * Design: everything works on small sorted arrays with explicit capacities, by
 * insertion sort and in-place splitting; the maps are at most a few dozen
 * entries, so quadratic steps cost nothing and keep the code obvious.
 */
#include "e820.h"

#define PAGE_DOWN(x) ((x) & ~(uint64_t)(E820_PAGE - 1))
#define PAGE_UP(x)   PAGE_DOWN((x) + E820_PAGE - 1)

unsigned e820_sort(struct e820_entry *map, unsigned n)
{
	unsigned out = 0;

	for (unsigned i = 0; i < n; i++)
		if (map[i].size)
			map[out++] = map[i];
	for (unsigned i = 1; i < out; i++) {
		struct e820_entry e = map[i];
		unsigned j = i;

		while (j > 0 && map[j - 1].addr > e.addr) {
			map[j] = map[j - 1];
			j--;
		}
		map[j] = e;
	}
	return out;
}

static int range_insert(struct mem_range *r, unsigned n, unsigned cap, unsigned at,
			uint64_t start, uint64_t end)
{
	if (n >= cap)
		return -E820_ENOSPC;
	for (unsigned i = n; i > at; i--)
		r[i] = r[i - 1];
	r[at] = (struct mem_range){ start, end };
	return (int)n + 1;
}

int ranges_subtract(struct mem_range *r, unsigned n, unsigned cap, uint64_t start,
		    uint64_t end)
{
	if (start >= end)
		return (int)n;
	for (unsigned i = 0; i < n; i++) {
		struct mem_range cur = r[i];

		if (cur.end <= start || cur.start >= end)
			continue;
		if (cur.start < start && cur.end > end) {
			r[i].end = start;
			return range_insert(r, n, cap, i + 1, end, cur.end);
		}
		if (cur.start < start) {
			r[i].end = start;
		} else if (cur.end > end) {
			r[i].start = end;
		} else {
			for (unsigned j = i; j + 1 < n; j++)
				r[j] = r[j + 1];
			n--;
			i--;
		}
	}
	return (int)n;
}

bool ranges_contain(const struct mem_range *r, unsigned n, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < n; i++)
		if (start >= r[i].start && end <= r[i].end && start < end)
			return true;
	return false;
}

bool ranges_overlap(const struct mem_range *r, unsigned n, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < n; i++)
		if (start < r[i].end && end > r[i].start)
			return true;
	return false;
}

/* Collects the page-aligned RAM of FW into R, sorted and merged. */
static int ram_ranges(const struct e820_entry *fw, unsigned n_fw, struct mem_range *r,
		      unsigned cap)
{
	unsigned n = 0;

	for (unsigned i = 0; i < n_fw; i++) {
		uint64_t s = PAGE_UP(fw[i].addr), e = PAGE_DOWN(fw[i].addr + fw[i].size);
		unsigned at = 0;

		if (fw[i].type != E820_RAM || s >= e)
			continue;
		while (at < n && r[at].start < s)
			at++;
		int rc = range_insert(r, n, cap, at, s, e);
		if (rc < 0)
			return rc;
		n = (unsigned)rc;
	}
	/* Merge overlapping or touching neighbours. */
	for (unsigned i = 0; i + 1 < n;) {
		if (r[i + 1].start <= r[i].end) {
			if (r[i + 1].end > r[i].end)
				r[i].end = r[i + 1].end;
			for (unsigned j = i + 1; j + 1 < n; j++)
				r[j] = r[j + 1];
			n--;
		} else {
			i++;
		}
	}
	/* Then take out whatever non-RAM entries claim (firmware maps can overlap). */
	for (unsigned i = 0; i < n_fw; i++) {
		if (fw[i].type == E820_RAM)
			continue;
		int rc = ranges_subtract(r, n, cap, PAGE_DOWN(fw[i].addr),
					 PAGE_UP(fw[i].addr + fw[i].size));
		if (rc < 0)
			return rc;
		n = (unsigned)rc;
	}
	return (int)n;
}

/* Splits the free RAM in R (N ranges) into the lowest WANT bytes and the rest. */
static int split_dom0(const struct mem_range *r, unsigned n, uint64_t want,
		      struct e820_plan *out)
{
	uint64_t left = want;

	for (unsigned i = 0; i < n; i++) {
		uint64_t len = r[i].end - r[i].start, take = len < left ? len : left;

		if (take) {
			out->dom0_ram[out->nr_dom0_ram++] =
				(struct mem_range){ r[i].start, r[i].start + take };
			left -= take;
			out->dom0_bytes += take;
		}
		if (take < len) {
			out->pool[out->nr_pool++] =
				(struct mem_range){ r[i].start + take, r[i].end };
			out->pool_bytes += len - take;
		}
	}
	return left ? -E820_ENOMEM : 0;
}

static int add_entry(struct e820_plan *out, uint64_t s, uint64_t e, uint32_t type)
{
	if (s >= e)
		return 0;
	if (out->nr_dom0_map >= E820_MAX)
		return -E820_ENOSPC;
	out->dom0_map[out->nr_dom0_map++] = (struct e820_entry){ s, e - s, type };
	return 0;
}

/* dom0's map: firmware non-RAM entries, dom0's RAM, and the rest of RAM as reserved. */
static int build_dom0_map(const struct e820_entry *fw, unsigned n_fw, struct e820_plan *out)
{
	struct mem_range hidden[E820_MAX];
	unsigned nh = 0;
	int rc = 0;

	for (unsigned i = 0; i < n_fw && !rc; i++)
		if (fw[i].type != E820_RAM)
			rc = add_entry(out, fw[i].addr, fw[i].addr + fw[i].size, fw[i].type);
	for (unsigned i = 0; i < out->nr_dom0_ram && !rc; i++)
		rc = add_entry(out, out->dom0_ram[i].start, out->dom0_ram[i].end, E820_RAM);
	/* Everything the firmware called RAM that dom0 does not get, page-rounded outward. */
	for (unsigned i = 0; i < n_fw && !rc; i++) {
		if (fw[i].type != E820_RAM)
			continue;
		if (nh >= E820_MAX)
			return -E820_ENOSPC;
		hidden[nh++] = (struct mem_range){ PAGE_DOWN(fw[i].addr),
						   PAGE_UP(fw[i].addr + fw[i].size) };
		for (unsigned j = 0; j < out->nr_dom0_ram && !rc; j++) {
			int r2 = ranges_subtract(hidden, nh, E820_MAX, out->dom0_ram[j].start,
						 out->dom0_ram[j].end);
			if (r2 < 0)
				return r2;
			nh = (unsigned)r2;
		}
		for (unsigned j = 0; j < nh && !rc; j++)
			rc = add_entry(out, hidden[j].start, hidden[j].end, E820_RESERVED);
		nh = 0;
	}
	if (rc)
		return rc;
	out->nr_dom0_map = e820_sort(out->dom0_map, out->nr_dom0_map);
	return 0;
}

int e820_plan(const struct e820_entry *fw, unsigned n_fw, const struct mem_range *hv,
	      unsigned n_hv, uint64_t dom0_mem, struct e820_plan *out)
{
	struct mem_range free_ram[E820_MAX];
	int n, rc;

	*out = (struct e820_plan){ 0 };
	if (!dom0_mem)
		return -E820_EINVAL;
	n = ram_ranges(fw, n_fw, free_ram, E820_MAX);
	if (n <= 0)
		return n < 0 ? n : -E820_EINVAL;
	for (unsigned i = 0; i < n_hv; i++) {
		n = ranges_subtract(free_ram, (unsigned)n, E820_MAX, PAGE_DOWN(hv[i].start),
				    PAGE_UP(hv[i].end));
		if (n < 0)
			return n;
	}
	rc = split_dom0(free_ram, (unsigned)n, PAGE_DOWN(dom0_mem), out);
	if (rc)
		return rc;
	return build_dom0_map(fw, n_fw, out);
}

static int entry_insert(struct e820_entry *map, unsigned n, unsigned cap, unsigned at,
			struct e820_entry e)
{
	if (n >= cap)
		return -E820_ENOSPC;
	for (unsigned i = n; i > at; i--)
		map[i] = map[i - 1];
	map[at] = e;
	return (int)n + 1;
}

int e820_set_type(struct e820_entry *map, unsigned n, unsigned cap, uint64_t start,
		  uint64_t end, uint32_t type)
{
	int rc;

	if (start >= end)
		return (int)n;
	/* Cut [start, end) out of every entry, keeping the outside parts. */
	for (unsigned i = 0; i < n; i++) {
		uint64_t s = map[i].addr, e = map[i].addr + map[i].size;

		if (e <= start || s >= end)
			continue;
		if (s < start && e > end) {
			map[i].size = start - s;
			rc = entry_insert(map, n, cap, i + 1,
					  (struct e820_entry){ end, e - end, map[i].type });
			if (rc < 0)
				return rc;
			n = (unsigned)rc;
		} else if (s < start) {
			map[i].size = start - s;
		} else if (e > end) {
			map[i].addr = end;
			map[i].size = e - end;
		} else {
			map[i].size = 0;
		}
	}
	n = e820_sort(map, n);
	if (n >= cap)
		return -E820_ENOSPC;
	map[n++] = (struct e820_entry){ start, end - start, type };
	return (int)e820_sort(map, n);
}

/* The first range of AVOID that [A, A+SIZE) overlaps, or NULL. */
static const struct mem_range *first_hit(const struct mem_range *avoid, unsigned n,
					 uint64_t a, uint64_t size)
{
	for (unsigned j = 0; j < n; j++)
		if (a < avoid[j].end && a + size > avoid[j].start)
			return &avoid[j];
	return NULL;
}

/* Lowest (or highest) fit inside [S, E); false if none. */
static bool find_in(uint64_t s, uint64_t e, const struct mem_range *avoid, unsigned n_avoid,
		    uint64_t size, uint64_t align, bool top_down, uint64_t *out)
{
	const struct mem_range *hit;
	uint64_t a;

	if (s >= e || e - s < size)
		return false;
	if (!top_down) {
		for (a = (s + align - 1) & ~(align - 1); a >= s && a <= e - size;
		     a = (hit->end + align - 1) & ~(align - 1)) {
			hit = first_hit(avoid, n_avoid, a, size);
			if (!hit) {
				*out = a;
				return true;
			}
		}
		return false;
	}
	for (a = (e - size) & ~(align - 1); a >= s;) {
		hit = first_hit(avoid, n_avoid, a, size);
		if (!hit) {
			*out = a;
			return true;
		}
		if (hit->start < s + size)
			return false;
		a = (hit->start - size) & ~(align - 1);
	}
	return false;
}

bool ranges_find(const struct mem_range *in, unsigned n_in, const struct mem_range *avoid,
		 unsigned n_avoid, uint64_t size, uint64_t align, uint64_t lo, uint64_t hi,
		 bool top_down, uint64_t *out)
{
	bool found = false;
	uint64_t best = 0, a;

	if (!size || !align || (align & (align - 1)))
		return false;
	for (unsigned i = 0; i < n_in; i++) {
		uint64_t s = in[i].start > lo ? in[i].start : lo;
		uint64_t e = in[i].end < hi ? in[i].end : hi;

		if (!find_in(s, e, avoid, n_avoid, size, align, top_down, &a))
			continue;
		if (!found || (top_down ? a > best : a < best))
			best = a;
		found = true;
	}
	if (found)
		*out = best;
	return found;
}
