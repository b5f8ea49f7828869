/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * e820.h — physical memory maps: carving the firmware map into dom0's RAM, the
 * hypervisor's own memory and the pool kept for domUs, and finding room in them.
 *
 * A range is [start, end) in bytes. Range lists are kept sorted and disjoint.
 * Every function is pure and bounded by the capacities it is given; none
 * allocates. Compiled into the hypervisor and into host unit tests.
 */
#ifndef CAIRN_E820_H
#define CAIRN_E820_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

#define E820_MAX      128  /* Linux's boot_params holds 128 entries */
#define E820_PAGE     4096u

#define E820_ENOSPC   28
#define E820_EINVAL   22
#define E820_ENOMEM   12

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct mem_range {
	uint64_t start;
	uint64_t end;
};

/* The outcome of e820_plan(). */
struct e820_plan {
	struct e820_entry dom0_map[E820_MAX]; /* what dom0's boot_params gets */
	unsigned nr_dom0_map;
	struct mem_range dom0_ram[E820_MAX];  /* RAM dom0 owns (mapped in its NPT) */
	unsigned nr_dom0_ram;
	struct mem_range pool[E820_MAX];      /* RAM left for the hypervisor and domUs */
	unsigned nr_pool;
	uint64_t dom0_bytes;                  /* sum of dom0_ram */
	uint64_t pool_bytes;                  /* sum of pool */
};

/*
 * Sorts the N entries of MAP by address and drops empty ones. Returns the new count.
 */
unsigned e820_sort(struct e820_entry *map, unsigned n);

/*
 * Removes [START, END) from the sorted range list R (N entries, room for CAP).
 * Returns the new count or -E820_ENOSPC if a split does not fit.
 */
int ranges_subtract(struct mem_range *r, unsigned n, unsigned cap, uint64_t start,
		    uint64_t end);

/* True when [START, END) lies entirely inside one range of R. */
bool ranges_contain(const struct mem_range *r, unsigned n, uint64_t start, uint64_t end);

/* True when [START, END) overlaps any range of R. */
bool ranges_overlap(const struct mem_range *r, unsigned n, uint64_t start, uint64_t end);

/*
 * Splits the firmware map FW (N_FW entries) into dom0's RAM, the pool and dom0's
 * map. RAM entries are first trimmed to whole pages; then the HV ranges (the
 * hypervisor's own memory) are taken out; dom0 gets the lowest DOM0_MEM bytes of
 * what is left (rounded down to pages), the pool the rest. In dom0_map, RAM that
 * is not dom0's becomes E820_RESERVED; other entries are passed through.
 * Returns 0, -E820_EINVAL (DOM0_MEM is 0 or no RAM), -E820_ENOMEM (less RAM than
 * DOM0_MEM) or -E820_ENOSPC (too many entries).
 */
int e820_plan(const struct e820_entry *fw, unsigned n_fw, const struct mem_range *hv,
	      unsigned n_hv, uint64_t dom0_mem, struct e820_plan *out);

/*
 * Gives [START, END) the type TYPE in the sorted map MAP (N entries, room for CAP),
 * splitting entries as needed; parts of the range outside every entry are added.
 * Returns the new count or -E820_ENOSPC.
 */
int e820_set_type(struct e820_entry *map, unsigned n, unsigned cap, uint64_t start,
		  uint64_t end, uint32_t type);

/*
 * Finds SIZE bytes aligned to ALIGN (a power of two) inside one range of IN,
 * between LO and HI, that overlap no range of AVOID. TOP_DOWN picks the highest
 * such address, otherwise the lowest. Returns true and sets *OUT when found.
 */
bool ranges_find(const struct mem_range *in, unsigned n_in, const struct mem_range *avoid,
		 unsigned n_avoid, uint64_t size, uint64_t align, uint64_t lo, uint64_t hi,
		 bool top_down, uint64_t *out);

#endif /* CAIRN_E820_H */
