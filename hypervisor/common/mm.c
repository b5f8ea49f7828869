/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm.c — the hypervisor's memory: the buddy page allocator over the pool (RAM that
 * is neither dom0's nor the hypervisor image), and a small heap on top of it.
 *
 * Design: one struct buddy covers the whole pool span; its metadata (a byte per
 * page) is carved from the pool itself. The heap has power-of-two size classes
 * from 32 bytes to 2 KiB, each refilled a page at a time; larger requests get
 * whole pages. Every heap block starts with a 16-byte header (magic, class) that
 * kfree() checks.
 *
 * Locking: mm_lock protects the buddy and the heap lists.
 */
#include "buddy.h"
#include "e820.h"
#include "hv.h"

#define HEAP_MAGIC 0x48454150u /* "HEAP" */
#define HEAP_MIN_SHIFT 5
#define HEAP_MAX_SHIFT 11
#define HEAP_CLASSES (HEAP_MAX_SHIFT - HEAP_MIN_SHIFT + 1)
#define HEAP_BIG 0xff

struct heap_hdr {
	u32 magic;
	u8 cls;    /* size class, or HEAP_BIG */
	u8 order;  /* page order for HEAP_BIG */
	u16 pad;
	u64 next;  /* free-list link while free */
};

static struct buddy pool;
static spinlock_t mm_lock = SPINLOCK_INIT;
static struct heap_hdr *heap_free[HEAP_CLASSES];

static void *buddy_va(u64 p, void *ctx)
{
	(void)ctx;
	return va(p);
}

void mm_init(const struct mem_range *r, unsigned n, const struct mem_range *reserved,
	     unsigned n_reserved)
{
	struct mem_range avail[E820_MAX];
	u64 lo, hi, npages, meta_pa = 0;
	int na = (int)n;

	BUG_ON(n == 0 || n > E820_MAX);
	memcpy(avail, r, n * sizeof(*r));
	for (unsigned i = 0; i < n_reserved; i++) {
		na = ranges_subtract(avail, (unsigned)na, E820_MAX, ALIGN_DOWN(reserved[i].start, PAGE_SIZE),
				     ALIGN_UP(reserved[i].end, PAGE_SIZE));
		BUG_ON(na < 0);
	}
	lo = ALIGN_DOWN(r[0].start, 1ull << (PAGE_SHIFT + BUDDY_MAX_ORDER));
	hi = r[n - 1].end;
	npages = (hi - lo) >> PAGE_SHIFT;
	if (!ranges_find(avail, (unsigned)na, NULL, 0, ALIGN_UP(buddy_meta_size(npages), PAGE_SIZE),
			 PAGE_SIZE, 0, ~0ull, false, &meta_pa))
		panic("mm_init: no room for %llu bytes of allocator metadata",
		      (unsigned long long)npages);
	na = ranges_subtract(avail, (unsigned)na, E820_MAX, meta_pa,
			     meta_pa + ALIGN_UP(buddy_meta_size(npages), PAGE_SIZE));
	BUG_ON(na < 0);
	BUG_ON(buddy_init(&pool, lo, npages, va(meta_pa), buddy_va, NULL));
	for (int i = 0; i < na; i++)
		BUG_ON(buddy_add_range(&pool, avail[i].start, avail[i].end));
	pr_info("page allocator: %llu MiB free in %d ranges, metadata at %#llx",
		(unsigned long long)(pool.free_pages >> 8), na, (unsigned long long)meta_pa);
}

u64 page_alloc(unsigned order)
{
	u64 f = spin_lock_irqsave(&mm_lock);
	u64 p = buddy_alloc(&pool, order);

	spin_unlock_irqrestore(&mm_lock, f);
	if (p == BUDDY_NIL)
		return 0;
	memset(va(p), 0, PAGE_SIZE << order);
	return p;
}

void page_free(u64 p, unsigned order)
{
	u64 f = spin_lock_irqsave(&mm_lock);
	int rc = buddy_free(&pool, p, order);

	spin_unlock_irqrestore(&mm_lock, f);
	if (rc)
		panic("page_free: bad free of %#llx order %u", (unsigned long long)p, order);
}

void *page_alloc_va(unsigned order)
{
	u64 p = page_alloc(order);

	return p ? va(p) : NULL;
}

void mm_stats(u64 *total_pages, u64 *free_pages)
{
	u64 f = spin_lock_irqsave(&mm_lock);

	*total_pages = pool.total_pages;
	*free_pages = pool.free_pages;
	spin_unlock_irqrestore(&mm_lock, f);
}

static unsigned size_class(size_t total)
{
	unsigned c = 0;

	while ((1ull << (HEAP_MIN_SHIFT + c)) < total)
		c++;
	return c;
}

/* Splits a fresh page into blocks of class C; called with mm_lock held. */
static bool heap_refill(unsigned c)
{
	u64 p = buddy_alloc(&pool, 0);
	size_t sz = 1ull << (HEAP_MIN_SHIFT + c);

	if (p == BUDDY_NIL)
		return false;
	for (size_t off = 0; off + sz <= PAGE_SIZE; off += sz) {
		struct heap_hdr *h = (struct heap_hdr *)((char *)va(p) + off);

		h->magic = 0;
		h->next = (u64)heap_free[c];
		heap_free[c] = h;
	}
	return true;
}

static void *kzalloc_big(size_t total)
{
	unsigned order = buddy_order_for(total);
	struct heap_hdr *h = page_alloc_va(order);

	if (!h)
		return NULL;
	*h = (struct heap_hdr){ .magic = HEAP_MAGIC, .cls = HEAP_BIG, .order = (u8)order };
	return h + 1;
}

void *kzalloc(size_t size)
{
	size_t total = size + sizeof(struct heap_hdr);
	struct heap_hdr *h;
	unsigned c;
	u64 f;

	if (total > (1ull << HEAP_MAX_SHIFT))
		return kzalloc_big(total);
	c = size_class(total);
	f = spin_lock_irqsave(&mm_lock);
	if (!heap_free[c] && !heap_refill(c)) {
		spin_unlock_irqrestore(&mm_lock, f);
		return NULL;
	}
	h = heap_free[c];
	heap_free[c] = (struct heap_hdr *)h->next;
	spin_unlock_irqrestore(&mm_lock, f);
	memset(h, 0, 1ull << (HEAP_MIN_SHIFT + c));
	h->magic = HEAP_MAGIC;
	h->cls = (u8)c;
	return h + 1;
}

void kfree(void *p)
{
	struct heap_hdr *h = (struct heap_hdr *)p - 1;
	u64 f;

	if (!p)
		return;
	if (h->magic != HEAP_MAGIC)
		panic("kfree: %p is not a heap block", p);
	h->magic = 0;
	if (h->cls == HEAP_BIG) {
		page_free(pa(h), h->order);
		return;
	}
	f = spin_lock_irqsave(&mm_lock);
	h->next = (u64)heap_free[h->cls];
	heap_free[h->cls] = h;
	spin_unlock_irqrestore(&mm_lock, f);
}
