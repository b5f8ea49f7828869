/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * buddy.c — binary buddy page allocator (see buddy.h).
 *
 * Design: meta[i] is META_NONE for a page that is not the head of a block (or
 * not managed at all), META_FREE|order for the head of a free block, and
 * META_USED|order for the head of an allocated one. Free lists are doubly
 * linked through the blocks (physical addresses), so unlinking a buddy during
 * a merge is O(1).
 */
#include "buddy.h"

#define META_NONE 0x00
#define META_FREE 0x80
#define META_USED 0x40
#define META_ORDER(m) ((m) & 0x1f)

struct buddy_node {
	uint64_t next;
	uint64_t prev;
};

static struct buddy_node *node(struct buddy *b, uint64_t pa)
{
	return b->to_virt(pa, b->ctx);
}

static uint64_t page_index(const struct buddy *b, uint64_t pa)
{
	return (pa - b->base) >> BUDDY_PAGE_SHIFT;
}

static uint64_t page_addr(const struct buddy *b, uint64_t idx)
{
	return b->base + (idx << BUDDY_PAGE_SHIFT);
}

static void list_push(struct buddy *b, unsigned order, uint64_t pa)
{
	struct buddy_node *n = node(b, pa);

	n->prev = BUDDY_NIL;
	n->next = b->free_head[order];
	if (n->next != BUDDY_NIL)
		node(b, n->next)->prev = pa;
	b->free_head[order] = pa;
	b->meta[page_index(b, pa)] = META_FREE | order;
}

static void list_remove(struct buddy *b, unsigned order, uint64_t pa)
{
	struct buddy_node *n = node(b, pa);

	if (n->prev != BUDDY_NIL)
		node(b, n->prev)->next = n->next;
	else
		b->free_head[order] = n->next;
	if (n->next != BUDDY_NIL)
		node(b, n->next)->prev = n->prev;
	b->meta[page_index(b, pa)] = META_NONE;
}

/* Inserts a free block, merging it with its buddy as long as that is free too. */
static void free_block(struct buddy *b, uint64_t idx, unsigned order)
{
	while (order < BUDDY_MAX_ORDER) {
		uint64_t bud = idx ^ ((uint64_t)1 << order);

		if (bud >= b->npages || b->meta[bud] != (META_FREE | order))
			break;
		list_remove(b, order, page_addr(b, bud));
		idx &= ~((uint64_t)1 << order);
		order++;
	}
	list_push(b, order, page_addr(b, idx));
}

int buddy_init(struct buddy *b, uint64_t base, uint64_t npages, uint8_t *meta,
	       void *(*to_virt)(uint64_t pa, void *ctx), void *ctx)
{
	if (!b || !meta || !to_virt ||
	    base & (((uint64_t)1 << (BUDDY_PAGE_SHIFT + BUDDY_MAX_ORDER)) - 1))
		return -BUDDY_EINVAL;
	*b = (struct buddy){ .base = base, .npages = npages, .meta = meta,
			     .to_virt = to_virt, .ctx = ctx };
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		b->free_head[o] = BUDDY_NIL;
	for (uint64_t i = 0; i < npages; i++)
		meta[i] = META_NONE;
	return 0;
}

int buddy_add_range(struct buddy *b, uint64_t start, uint64_t end)
{
	uint64_t page = (uint64_t)1 << BUDDY_PAGE_SHIFT;
	uint64_t s = (start + page - 1) & ~(page - 1), e = end & ~(page - 1);
	uint64_t i, last;

	if (s >= e)
		return 0;
	if (s < b->base || page_index(b, e) > b->npages)
		return -BUDDY_EINVAL;
	i = page_index(b, s);
	last = page_index(b, e);
	while (i < last) {
		unsigned order = 0;

		/* The largest aligned block that starts at i and fits. */
		while (order < BUDDY_MAX_ORDER && !(i & ((uint64_t)1 << order)) &&
		       i + ((uint64_t)2 << order) <= last)
			order++;
		free_block(b, i, order);
		i += (uint64_t)1 << order;
		b->total_pages += (uint64_t)1 << order;
		b->free_pages += (uint64_t)1 << order;
	}
	return 0;
}

uint64_t buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned o = order;
	uint64_t pa, idx;

	if (order > BUDDY_MAX_ORDER)
		return BUDDY_NIL;
	while (o <= BUDDY_MAX_ORDER && b->free_head[o] == BUDDY_NIL)
		o++;
	if (o > BUDDY_MAX_ORDER)
		return BUDDY_NIL;
	pa = b->free_head[o];
	list_remove(b, o, pa);
	idx = page_index(b, pa);
	while (o > order) { /* give the upper halves back */
		o--;
		list_push(b, o, page_addr(b, idx + ((uint64_t)1 << o)));
	}
	b->meta[idx] = META_USED | order;
	b->free_pages -= (uint64_t)1 << order;
	return pa;
}

int buddy_free(struct buddy *b, uint64_t pa, unsigned order)
{
	uint64_t idx;

	if (order > BUDDY_MAX_ORDER || pa < b->base || (pa & ((1u << BUDDY_PAGE_SHIFT) - 1)))
		return -BUDDY_EINVAL;
	idx = page_index(b, pa);
	if (idx >= b->npages || b->meta[idx] != (META_USED | order))
		return -BUDDY_EINVAL;
	b->meta[idx] = META_NONE;
	free_block(b, idx, order);
	b->free_pages += (uint64_t)1 << order;
	return 0;
}

unsigned buddy_order_for(uint64_t bytes)
{
	unsigned order = 0;

	while (order < 63 - BUDDY_PAGE_SHIFT &&
	       ((uint64_t)1 << (order + BUDDY_PAGE_SHIFT)) < bytes)
		order++;
	return order;
}
