/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_blk.c — virtio-blk (virtio 1.x, section 5.2) on a file or block device.
 *
 * Design: one request queue. When the guest rings the doorbell every
 * available chain is popped; reads and writes become io_uring readv/writev
 * operations straight between the backing file and guest memory (all of a
 * batch submitted with one io_uring_enter), and complete from the main loop
 * when the ring's eventfd fires; one interrupt covers each batch of
 * completions (EVENT_IDX decides). Without io_uring (old kernel, seccomp) the
 * same requests run synchronously with preadv/pwritev. FLUSH first waits for
 * every request in flight, then calls fdatasync(), so it covers every write
 * the guest has submitted before it. A reset bumps a generation number, and
 * completions of requests from before it are dropped. Data moves through
 * an O_DIRECT descriptor when every guest buffer is 512-byte aligned (the page
 * cache is bypassed, as a disk would be), else through a buffered one; the
 * kernel keeps the two coherent. FLUSH is fdatasync(). A read-only disk
 * (",ro") opens the file O_RDONLY and answers writes and discards with
 * VIRTIO_BLK_S_IOERR. DISCARD punches holes (files) or issues BLKDISCARD
 * (block devices). A request whose shape is wrong (no header, no status byte)
 * breaks the device; a request that is well-formed but asks for something
 * impossible (beyond the end, unaligned length) gets IOERR.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm.h"

#define BLK_F_SEG_MAX  2
#define BLK_F_RO       5
#define BLK_F_BLK_SIZE 6
#define BLK_F_FLUSH    9
#define BLK_F_DISCARD  13

#define BLK_T_IN      0
#define BLK_T_OUT     1
#define BLK_T_FLUSH   4
#define BLK_T_GET_ID  8
#define BLK_T_DISCARD 11

#define BLK_S_OK     0
#define BLK_S_IOERR  1
#define BLK_S_UNSUPP 2
#define BLK_S_QUEUED 0xff      /* internal: completes later through io_uring */

#define BLK_SECTOR 512ull
#define BLK_MAX_DISCARD_SEG 32

struct blk_hdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

struct blk_discard {
	uint64_t sector;
	uint32_t nr_sectors;
	uint32_t flags;
};

/* A read or write in flight. */
struct blk_req {
	struct dm_blk *b;
	uint32_t gen;          /* the device's reset generation at submission */
	uint16_t head;
	bool write, direct;
	uint8_t *status;       /* host pointer to the guest's status byte */
	uint64_t off, len;
	int nr_iov;
	struct iovec iov[];
};

struct dm_blk {
	struct dm_vio vio;
	int fd;                /* buffered */
	int dfd;               /* O_DIRECT, or -1 */
	bool ro, bdev;
	uint64_t sectors;
	char serial[20];
	bool uring;            /* io_uring is usable */
	struct io_uring ring;
	int efd;               /* eventfd the ring signals completions on */
	unsigned inflight;
	uint32_t gen;
	struct dm_vq_chain chain;
	struct iovec iov[DM_VQ_MAX_IOV];
};

struct dm_vio *dm_blk_vio(struct dm_blk *b)
{
	return &b->vio;
}

/* iovecs over the chain's bytes [skip, skip+len) on the out (or in) side. */
static int blk_iov(struct dm_blk *b, bool in, uint64_t skip, uint64_t len, bool *aligned)
{
	const struct dm_vq_chain *c = &b->chain;
	unsigned i = in ? c->nr_out : 0, end = in ? c->nr : c->nr_out;
	int n = 0;

	*aligned = b->dfd >= 0;
	for (; i < end && len; i++) {
		uint64_t l = c->buf[i].len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l -= skip;
		if (l > len)
			l = len;
		b->iov[n].iov_base = (uint8_t *)c->buf[i].host + skip;
		b->iov[n].iov_len = l;
		if (((uintptr_t)b->iov[n].iov_base | l) & (BLK_SECTOR - 1))
			*aligned = false;
		n++;
		len -= l;
		skip = 0;
	}
	return n;
}

static int blk_rw(struct dm_blk *b, bool write, int fd, int n, uint64_t off)
{
	struct iovec *iov = b->iov;
	ssize_t r;

	while (n > 0) {
		r = write ? pwritev(fd, iov, n, off) : preadv(fd, iov, n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		off += r;
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= r;
		}
	}
	return 0;
}

static void blk_complete(struct dm_blk *b, struct blk_req *r, int res);

/* Hands one read or write to io_uring; -errno when it cannot (then run it synchronously). */
static int blk_queue(struct dm_blk *b, bool write, bool direct, int n, uint64_t off, uint64_t len)
{
	const struct dm_vq_chain *c = &b->chain;
	uint8_t *status = dm_vq_in_byte(c, c->in_len - 1);
	struct io_uring_sqe *sqe;
	struct blk_req *r;

	if (!status)
		return -EINVAL;
	r = malloc(sizeof(*r) + n * sizeof(struct iovec));
	if (!r)
		return -ENOMEM;
	sqe = io_uring_get_sqe(&b->ring);
	if (!sqe) {
		io_uring_submit(&b->ring);
		sqe = io_uring_get_sqe(&b->ring);
	}
	if (!sqe) {
		free(r);
		return -EBUSY;
	}
	*r = (struct blk_req){.b = b, .gen = b->gen, .head = c->head, .write = write,
			      .direct = direct, .off = off, .len = len, .nr_iov = n,
			      .status = status};
	memcpy(r->iov, b->iov, n * sizeof(struct iovec));
	if (write)
		io_uring_prep_writev(sqe, direct ? b->dfd : b->fd, r->iov, n, off);
	else
		io_uring_prep_readv(sqe, direct ? b->dfd : b->fd, r->iov, n, off);
	io_uring_sqe_set_data(sqe, r);
	b->inflight++;
	return 0;
}

static uint8_t blk_data(struct dm_blk *b, const struct blk_hdr *h, bool write)
{
	const struct dm_vq_chain *c = &b->chain;
	uint64_t len = write ? c->out_len - sizeof(*h) : c->in_len - 1;
	bool aligned;
	int n, rc;

	if (write && b->ro)
		return BLK_S_IOERR;
	if (len % BLK_SECTOR || h->sector > b->sectors || len / BLK_SECTOR > b->sectors - h->sector)
		return BLK_S_IOERR;
	n = blk_iov(b, !write, write ? sizeof(*h) : 0, len, &aligned);
	if (b->uring && blk_queue(b, write, aligned, n, h->sector * BLK_SECTOR, len) == 0)
		return BLK_S_QUEUED;
	rc = blk_rw(b, write, aligned ? b->dfd : b->fd, n, h->sector * BLK_SECTOR);
	if (rc == -EINVAL && aligned) {
		n = blk_iov(b, !write, write ? sizeof(*h) : 0, len, &aligned);
		rc = blk_rw(b, write, b->fd, n, h->sector * BLK_SECTOR);
	}
	if (rc)
		DM_LOG("%s sector %llu len %llu: %s", write ? "write" : "read",
		       (unsigned long long)h->sector, (unsigned long long)len, strerror(-rc));
	return rc ? BLK_S_IOERR : BLK_S_OK;
}

/* Completes a transfer io_uring left short after done bytes. */
static int blk_finish_short(struct dm_blk *b, struct blk_req *r, int done)
{
	struct iovec *iov = b->iov;
	int n = r->nr_iov;
	size_t skip = done;

	while (n > 0 && skip >= iov->iov_len) {
		skip -= iov->iov_len;
		iov++;
		n--;
	}
	if (n > 0) {
		iov->iov_base = (uint8_t *)iov->iov_base + skip;
		iov->iov_len -= skip;
	}
	memmove(b->iov, iov, n * sizeof(*iov));
	if (blk_rw(b, r->write, b->fd, n, r->off + done))
		return -EIO;
	return r->len;
}

static uint8_t blk_discard_one(struct dm_blk *b, const struct blk_discard *d)
{
	uint64_t range[2] = {d->sector * BLK_SECTOR, (uint64_t)d->nr_sectors * BLK_SECTOR};
	int rc;

	if (d->sector > b->sectors || d->nr_sectors > b->sectors - d->sector)
		return BLK_S_IOERR;
	if (b->bdev)
		rc = ioctl(b->fd, BLKDISCARD, range);
	else
		rc = fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, range[0], range[1]);
	if (rc)
		DM_LOG("discard sector %llu count %u: %s", (unsigned long long)d->sector,
		       d->nr_sectors, strerror(errno));
	return rc ? BLK_S_IOERR : BLK_S_OK;
}

static uint8_t blk_discard(struct dm_blk *b)
{
	const struct dm_vq_chain *c = &b->chain;
	uint64_t len = c->out_len - sizeof(struct blk_hdr), i;
	struct blk_discard d;
	uint8_t st;

	if (b->ro)
		return BLK_S_IOERR;
	if (len == 0 || len % sizeof(d) || len / sizeof(d) > BLK_MAX_DISCARD_SEG)
		return BLK_S_IOERR;
	for (i = 0; i < len / sizeof(d); i++) {
		dm_vq_copy_from(c, sizeof(struct blk_hdr) + i * sizeof(d), &d, sizeof(d));
		st = blk_discard_one(b, &d);
		if (st != BLK_S_OK)
			return st;
	}
	return BLK_S_OK;
}

/*
 * Reaps completions; with wait, until nothing is in flight. Each completed
 * request gets its status and used entry; one interrupt covers them all.
 */
static void blk_reap(struct dm_blk *b, bool wait)
{
	struct io_uring_cqe *cqe;
	struct blk_req *r;
	int res;

	io_uring_submit(&b->ring);
	while (b->inflight) {
		if (wait ? io_uring_wait_cqe(&b->ring, &cqe) : io_uring_peek_cqe(&b->ring, &cqe))
			break;
		r = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&b->ring, cqe);
		b->inflight--;
		blk_complete(b, r, res);
	}
	dm_vio_notify_queue(&b->vio, 0);
}

static void blk_drain(struct dm_blk *b)
{
	if (b->uring)
		blk_reap(b, true);
}

/* Writes the status, pushes the used entry; a short or failed transfer is IOERR. */
static void blk_complete(struct dm_blk *b, struct blk_req *r, int res)
{
	struct dm_vio *v = &b->vio;
	uint8_t st = BLK_S_OK;

	if (res == -EINVAL && r->direct) {         /* O_DIRECT refused: buffered, now */
		memcpy(b->iov, r->iov, r->nr_iov * sizeof(struct iovec));
		res = blk_rw(b, r->write, b->fd, r->nr_iov, r->off) ? -EIO : (int)r->len;
	} else if (res >= 0 && (uint64_t)res < r->len) {
		/* short transfer: finish it synchronously from where it stopped */
		memcpy(b->iov, r->iov, r->nr_iov * sizeof(struct iovec));
		res = blk_finish_short(b, r, res);
	}
	if (res < 0 || (uint64_t)res != r->len) {
		DM_LOG("%s offset %llu len %llu: %s", r->write ? "write" : "read",
		       (unsigned long long)r->off, (unsigned long long)r->len,
		       res < 0 ? strerror(-res) : "short transfer");
		st = BLK_S_IOERR;
	}
	if (r->gen == b->gen && !v->broken) {
		*r->status = st;
		if (dm_vq_push(&v->vq[0], v->gm, r->head,
			       (r->write || st != BLK_S_OK ? 0 : r->len) + 1))
			dm_vio_broken(v, "used ring unusable");
	}
	free(r);
}

static void blk_event(void *arg, uint32_t events)
{
	struct dm_blk *b = arg;
	uint64_t cnt;

	if (read(b->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		DM_LOG("eventfd: %s", strerror(errno));
	blk_reap(b, false);
}

/* Returns the used length, -EINPROGRESS when queued, or -EINVAL when the chain is not a request at all. */
static int64_t blk_request(struct dm_blk *b)
{
	const struct dm_vq_chain *c = &b->chain;
	struct blk_hdr h;
	uint8_t st;
	uint32_t written = 0;

	if (c->out_len < sizeof(h) || c->in_len < 1 || c->out_len > UINT32_MAX ||
	    c->in_len > UINT32_MAX)
		return -EINVAL;
	dm_vq_copy_from(c, 0, &h, sizeof(h));
	switch (h.type) {
	case BLK_T_IN:
		st = blk_data(b, &h, false);
		if (st == BLK_S_OK)
			written = c->in_len - 1;
		break;
	case BLK_T_OUT: st = blk_data(b, &h, true); break;
	case BLK_T_FLUSH:
		blk_drain(b);
		st = fdatasync(b->fd) ? BLK_S_IOERR : BLK_S_OK;
		break;
	case BLK_T_GET_ID:
		written = dm_vq_copy_to(c, 0, b->serial,
					c->in_len - 1 < sizeof(b->serial) ? c->in_len - 1 : sizeof(b->serial));
		st = BLK_S_OK;
		break;
	case BLK_T_DISCARD: st = blk_discard(b); break;
	default: st = BLK_S_UNSUPP; break;
	}
	if (st == BLK_S_QUEUED)
		return -EINPROGRESS;
	dm_vq_copy_to(c, c->in_len - 1, &st, 1);
	return written + 1;
}

static void blk_notify(struct dm_vio *v, unsigned q)
{
	struct dm_blk *b = v->dev;
	int64_t len;
	int rc;

	while ((rc = dm_vq_pop(&v->vq[0], v->gm, &b->chain)) > 0) {
		len = blk_request(b);
		if (len == -EINPROGRESS)
			continue;
		if (len < 0) {
			dm_vio_broken(v, "request without header or status byte");
			return;
		}
		if (dm_vq_push(&v->vq[0], v->gm, b->chain.head, len)) {
			dm_vio_broken(v, "used ring unusable");
			return;
		}
	}
	if (rc < 0) {
		dm_vio_broken(v, "invalid descriptor chain or avail ring");
		return;
	}
	if (b->uring)
		io_uring_submit(&b->ring);
	dm_vio_notify_queue(v, 0);
}

static void blk_reset(struct dm_vio *v)
{
	struct dm_blk *b = v->dev;

	blk_drain(b);                              /* finish what the old queue started */
	b->gen++;                                  /* and drop anything that still shows up */
}

static void blk_cfg_read(struct dm_vio *v, uint32_t off, void *buf, unsigned size)
{
	struct dm_blk *b = v->dev;
	uint8_t cfg[64] = {0};
	uint32_t seg_max = DM_VQ_MAX_SIZE - 2, blk_size = BLK_SECTOR;
	uint32_t disc[3] = {UINT32_MAX / BLK_SECTOR, BLK_MAX_DISCARD_SEG, 1};
	uint16_t nq = 1;

	memcpy(cfg + 0, &b->sectors, 8);
	memcpy(cfg + 12, &seg_max, 4);
	memcpy(cfg + 20, &blk_size, 4);
	memcpy(cfg + 34, &nq, 2);
	memcpy(cfg + 36, disc, 12);
	memcpy(buf, cfg + off, size);
}

static const struct dm_vio_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = 2,
	.nr_queues = 1,
	.cfg_size = 64,
	.cfg_read = blk_cfg_read,
	.notify = blk_notify,
	.reset = blk_reset,
};

static int blk_size(struct dm_blk *b)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(b->fd, &st))
		return -errno;
	b->bdev = S_ISBLK(st.st_mode);
	if (b->bdev) {
		if (ioctl(b->fd, BLKGETSIZE64, &bytes))
			return -errno;
	} else if (S_ISREG(st.st_mode)) {
		bytes = st.st_size;
	} else {
		return -EINVAL;
	}
	b->sectors = bytes / BLK_SECTOR;
	return 0;
}

static void blk_uring_init(struct dm_blk *b)
{
	int rc;

	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->efd < 0)
		return;
	rc = io_uring_queue_init(DM_VQ_MAX_SIZE, &b->ring, 0);
	if (rc) {
		DM_LOG("io_uring unavailable (%s): synchronous I/O", strerror(-rc));
		goto err_efd;
	}
	rc = io_uring_register_eventfd(&b->ring, b->efd);
	if (rc) {
		DM_LOG("io_uring eventfd: %s: synchronous I/O", strerror(-rc));
		goto err_ring;
	}
	b->uring = true;
	return;

err_ring:
	io_uring_queue_exit(&b->ring);
err_efd:
	close(b->efd);
	b->efd = -1;
}

struct dm_blk *dm_blk_open(const struct dm_blk_conf *c)
{
	struct dm_blk *b = calloc(1, sizeof(*b));
	int flags = (c->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	const char *base;

	if (!b)
		return NULL;
	b->ro = c->ro;
	b->dfd = -1;
	b->efd = -1;
	b->fd = open(c->path, flags);
	if (b->fd < 0) {
		DM_LOG("open %s: %s", c->path, strerror(errno));
		goto err_free;
	}
	if (blk_size(b)) {
		DM_LOG("%s: neither a regular file nor a block device of known size", c->path);
		goto err_close;
	}
	b->dfd = open(c->path, flags | O_DIRECT);
	if (b->dfd < 0)
		DM_LOG("%s: no O_DIRECT (%s), buffered I/O only", c->path, strerror(errno));
	if (!c->sync)
		blk_uring_init(b);
	base = strrchr(c->path, '/');
	base = base ? base + 1 : c->path;
	memcpy(b->serial, base, strnlen(base, sizeof(b->serial)));  /* not NUL-terminated at 20 */
	return b;

err_close:
	close(b->fd);
err_free:
	free(b);
	return NULL;
}

int dm_blk_attach(struct dm_blk *b, struct dm_pci_bus *bus, const struct dm_guest_mem *gm)
{
	uint64_t f = (1ull << BLK_F_SEG_MAX) | (1ull << BLK_F_BLK_SIZE) | (1ull << BLK_F_FLUSH);

	int rc;

	f |= b->ro ? 1ull << BLK_F_RO : 1ull << BLK_F_DISCARD;
	rc = dm_vio_init(&b->vio, bus, &blk_ops, gm, f, b);
	if (rc || !b->uring)
		return rc;
	return dm_loop_add(b->efd, EPOLLIN, blk_event, b);
}

void dm_blk_close(struct dm_blk *b)
{
	if (b->uring) {
		blk_drain(b);
		dm_loop_del(b->efd);
		io_uring_queue_exit(&b->ring);
		close(b->efd);
	}
	if (b->dfd >= 0)
		close(b->dfd);
	close(b->fd);
	free(b);
}

void dm_blk_fds(const struct dm_blk *b, int *fds, unsigned *n)
{
	fds[(*n)++] = b->fd;
	if (b->dfd >= 0)
		fds[(*n)++] = b->dfd;
	if (b->uring) {
		fds[(*n)++] = b->ring.ring_fd;
		fds[(*n)++] = b->efd;
	}
}
