/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtq.c — split virtqueues (virtio 1.x, section 2.7), device side.
 *
 * Design: the rings live in guest memory, which the guest may change at any
 * moment. Every descriptor is copied into a local variable before it is looked
 * at; every index is checked against the queue (or indirect table) size; a chain
 * may visit at most as many descriptors as its table holds, which bounds loops;
 * every buffer must lie wholly inside guest memory (dm_gm_ptr). Any violation
 * returns -EINVAL and the caller marks the device broken: nothing here aborts
 * and nothing reads or writes outside the guest's regions.
 *
 * Memory ordering: the avail index is loaded with acquire semantics before the
 * ring entries it publishes; used entries are written before the used index is
 * stored with release semantics; a full fence separates that store from the
 * load of used_event / avail flags when deciding whether to interrupt
 * (the same pairing as the driver's virtio_mb in Linux).
 */
#include <errno.h>
#include <string.h>

#include "dm.h"

#define VRING_DESC_F_NEXT     1
#define VRING_DESC_F_WRITE    2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint16_t *vq_u16(const struct dm_vq *vq, const struct dm_guest_mem *gm, uint64_t gpa)
{
	(void)vq;
	return dm_gm_ptr(gm, gpa, 2);
}

/* Rings inside guest memory and naturally aligned (desc 16, avail 2, used 4). */
bool dm_vq_layout_ok(const struct dm_vq *vq, const struct dm_guest_mem *gm)
{
	uint64_t n = vq->size;

	if (n == 0 || n > DM_VQ_MAX_SIZE || (n & (n - 1)))
		return false;
	if ((vq->desc & 15) || (vq->avail & 1) || (vq->used & 3))
		return false;
	return dm_gm_ptr(gm, vq->desc, 16 * n) && dm_gm_ptr(gm, vq->avail, 6 + 2 * n) &&
	       dm_gm_ptr(gm, vq->used, 6 + 8 * n);
}

static int vq_add_buf(struct dm_vq_chain *c, const struct dm_guest_mem *gm,
		      const struct vring_desc *d)
{
	struct dm_vq_buf *b;
	bool write = d->flags & VRING_DESC_F_WRITE;

	if (c->nr >= DM_VQ_MAX_IOV)
		return -EINVAL;
	if (!write && c->nr != c->nr_out)       /* readable after writable */
		return -EINVAL;
	b = &c->buf[c->nr];
	b->host = dm_gm_ptr(gm, d->addr, d->len);
	if (!b->host)
		return -EINVAL;
	b->gpa = d->addr;
	b->len = d->len;
	b->write = write;
	c->nr++;
	if (write) {
		c->in_len += d->len;
	} else {
		c->nr_out++;
		c->out_len += d->len;
	}
	return 0;
}

/* Walks the chain starting at head; direct table first, at most one indirect table. */
static int vq_walk(const struct dm_vq *vq, const struct dm_guest_mem *gm,
		   struct dm_vq_chain *c, uint16_t head)
{
	uint64_t table = vq->desc;
	unsigned tsize = vq->size, idx = head, seen = 0;
	bool indirect = false;
	struct vring_desc d;
	int rc;

	for (;;) {
		if (idx >= tsize || ++seen > tsize)
			return -EINVAL;
		if (dm_gm_read(gm, table + 16ull * idx, &d, sizeof(d)))
			return -EINVAL;
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (indirect || (d.flags & VRING_DESC_F_NEXT) || d.len == 0 ||
			    d.len % 16 || d.len / 16 > DM_VQ_MAX_SIZE || (d.addr & 15) ||
			    !dm_gm_ptr(gm, d.addr, d.len))
				return -EINVAL;
			indirect = true;
			table = d.addr;
			tsize = d.len / 16;
			idx = 0;
			seen = 0;
			continue;
		}
		rc = vq_add_buf(c, gm, &d);
		if (rc)
			return rc;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

int dm_vq_pop(struct dm_vq *vq, const struct dm_guest_mem *gm, struct dm_vq_chain *c)
{
	uint16_t *idxp, *ringp, *evp, avail_idx, head;

	if (!vq->enabled || !dm_vq_layout_ok(vq, gm))
		return -EINVAL;
	idxp = vq_u16(vq, gm, vq->avail + 2);
	avail_idx = __atomic_load_n(idxp, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return -EINVAL;
	ringp = vq_u16(vq, gm, vq->avail + 4 + 2ull * (vq->last_avail % vq->size));
	head = __atomic_load_n(ringp, __ATOMIC_RELAXED);
	c->head = head;
	c->nr = c->nr_out = 0;
	c->out_len = c->in_len = 0;
	if (vq_walk(vq, gm, c, head))
		return -EINVAL;
	vq->last_avail++;
	if (vq->event_idx) {
		evp = vq_u16(vq, gm, vq->used + 4 + 8ull * vq->size);
		__atomic_store_n(evp, vq->last_avail, __ATOMIC_RELEASE);
	}
	return 1;
}

/* Gives back the last n chains popped and not pushed; they will be popped again. */
void dm_vq_unpop(struct dm_vq *vq, const struct dm_guest_mem *gm, uint16_t n)
{
	uint16_t *evp;

	if (n == 0)
		return;
	vq->last_avail -= n;
	if (vq->event_idx && dm_vq_layout_ok(vq, gm)) {
		/* else the driver would wait for avail to pass an index we never reach */
		evp = vq_u16(vq, gm, vq->used + 4 + 8ull * vq->size);
		__atomic_store_n(evp, vq->last_avail, __ATOMIC_RELEASE);
	}
}

int dm_vq_push(struct dm_vq *vq, const struct dm_guest_mem *gm, uint16_t head, uint32_t len)
{
	uint32_t elem[2] = {head, len};
	uint16_t *idxp;

	if (!vq->enabled || !dm_vq_layout_ok(vq, gm))
		return -EINVAL;
	if (dm_gm_write(gm, vq->used + 4 + 8ull * (vq->used_idx % vq->size), elem, sizeof(elem)))
		return -EINVAL;
	vq->used_idx++;
	idxp = vq_u16(vq, gm, vq->used + 2);
	__atomic_store_n(idxp, vq->used_idx, __ATOMIC_RELEASE);
	return 0;
}

/*
 * With EVENT_IDX the driver asks for an interrupt once used->idx passes
 * used_event; several completions between two interrupts coalesce into one.
 */
bool dm_vq_need_notify(struct dm_vq *vq, const struct dm_guest_mem *gm)
{
	uint16_t old = vq->signalled, new = vq->used_idx, ev;

	if (!vq->enabled || !dm_vq_layout_ok(vq, gm) || old == new)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->signalled = new;
	if (vq->event_idx) {
		ev = __atomic_load_n(vq_u16(vq, gm, vq->avail + 4 + 2ull * vq->size),
				     __ATOMIC_RELAXED);
		return (uint16_t)(new - ev - 1) < (uint16_t)(new - old);
	}
	return !(__atomic_load_n(vq_u16(vq, gm, vq->avail), __ATOMIC_RELAXED) &
		 VRING_AVAIL_F_NO_INTERRUPT);
}

size_t dm_vq_copy_from(const struct dm_vq_chain *c, size_t off, void *dst, size_t len)
{
	size_t done = 0, n;
	unsigned i;

	for (i = 0; i < c->nr_out && done < len; i++) {
		if (off >= c->buf[i].len) {
			off -= c->buf[i].len;
			continue;
		}
		n = c->buf[i].len - off;
		if (n > len - done)
			n = len - done;
		memcpy((uint8_t *)dst + done, (uint8_t *)c->buf[i].host + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t dm_vq_copy_to(const struct dm_vq_chain *c, size_t off, const void *src, size_t len)
{
	size_t done = 0, n;
	unsigned i;

	for (i = c->nr_out; i < c->nr && done < len; i++) {
		if (off >= c->buf[i].len) {
			off -= c->buf[i].len;
			continue;
		}
		n = c->buf[i].len - off;
		if (n > len - done)
			n = len - done;
		memcpy((uint8_t *)c->buf[i].host + off, (const uint8_t *)src + done, n);
		done += n;
		off = 0;
	}
	return done;
}

void *dm_vq_in_byte(const struct dm_vq_chain *c, uint64_t off)
{
	unsigned i;

	for (i = c->nr_out; i < c->nr; i++) {
		if (off < c->buf[i].len)
			return (uint8_t *)c->buf[i].host + off;
		off -= c->buf[i].len;
	}
	return NULL;
}
