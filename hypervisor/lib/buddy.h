/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * buddy.h — the physical page allocator: a binary buddy system over 4 KiB pages.
 *
 * The allocator covers one span of physical addresses [base, base + npages*4K),
 * base aligned to the largest block (1 GiB). Pages are handed to it with
 * buddy_add_range(); holes in the span are never returned. Free blocks are linked
 * through their own first 16 bytes, reached through the caller's to_virt();
 * one metadata byte per page (caller-provided) says whether a page heads a free
 * or allocated block and of which order, so a bad or double free is caught.
 *
 * Locking: none here; the hypervisor wraps calls in its own spinlock.
 * Pure: the host unit tests run it over a malloc'd arena.
 */
#ifndef CAIRN_BUDDY_H
#define CAIRN_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_PAGE_SHIFT 12
#define BUDDY_MAX_ORDER  18            /* 2^18 pages = 1 GiB */
#define BUDDY_NIL        (~(uint64_t)0)

#define BUDDY_EINVAL 22

struct buddy {
	uint64_t base;                          /* physical address of page 0 */
	uint64_t npages;                        /* pages the span covers */
	uint8_t *meta;                          /* npages bytes */
	uint64_t free_head[BUDDY_MAX_ORDER + 1];
	void *(*to_virt)(uint64_t pa, void *ctx);
	void *ctx;
	uint64_t total_pages;                   /* pages added */
	uint64_t free_pages;                    /* of those, free now */
};

/* Bytes of metadata a span of NPAGES needs. */
static inline size_t buddy_meta_size(uint64_t npages)
{
	return (size_t)npages;
}

/*
 * Prepares B for the span starting at BASE (aligned to 2^BUDDY_MAX_ORDER pages)
 * with NPAGES pages; META must hold buddy_meta_size(npages) bytes. Nothing is
 * free until buddy_add_range(). Returns 0 or -BUDDY_EINVAL.
 */
int buddy_init(struct buddy *b, uint64_t base, uint64_t npages, uint8_t *meta,
	       void *(*to_virt)(uint64_t pa, void *ctx), void *ctx);

/* Frees the whole pages of [START, END) into B. Returns 0 or -BUDDY_EINVAL. */
int buddy_add_range(struct buddy *b, uint64_t start, uint64_t end);

/* Allocates 2^ORDER contiguous pages, aligned to their size; BUDDY_NIL if none. */
uint64_t buddy_alloc(struct buddy *b, unsigned order);

/*
 * Frees a block that buddy_alloc(B, ORDER) returned. Returns 0, or -BUDDY_EINVAL
 * (and changes nothing) if PA does not head an allocated block of that order.
 */
int buddy_free(struct buddy *b, uint64_t pa, unsigned order);

/* The smallest order whose block holds BYTES. */
unsigned buddy_order_for(uint64_t bytes);

#endif /* CAIRN_BUDDY_H */
