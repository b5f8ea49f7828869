/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_console.c — virtio-console (virtio 1.x, section 5.3), one port, no
 * multiport: receiveq0 (queue 0) and transmitq0 (queue 1).
 *
 * Design: bytes the guest transmits are written to out_fd as they come. Bytes
 * read from in_fd wait in a small buffer until the guest has posted receive
 * buffers; while that buffer is not empty the loop stops polling in_fd, and a
 * receive-queue doorbell resumes it, so a guest that posts nothing cannot make
 * the device model spin or buffer without bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "dm.h"

struct dm_con {
	struct dm_vio vio;
	int in_fd, out_fd;
	bool in_eof;
	uint8_t pend[4096];
	size_t plen, poff;
	struct dm_vq_chain chain;
};

static void con_rx_fill(struct dm_con *k);

static void con_poll(struct dm_con *k, bool on);

static void con_readable(void *arg, uint32_t events)
{
	struct dm_con *k = arg;
	ssize_t n;

	if (k->plen == 0) {
		n = read(k->in_fd, k->pend, sizeof(k->pend));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			DM_LOG("console input closed");
			k->in_eof = true;
			dm_loop_del(k->in_fd);
			return;
		}
		k->plen = n;
		k->poff = 0;
	}
	con_rx_fill(k);
}

static void con_poll(struct dm_con *k, bool on)
{
	if (!k->in_eof)
		dm_loop_mod(k->in_fd, on ? EPOLLIN : 0, con_readable, k);
}

/* Moves pending input into the guest's receive buffers. */
static void con_rx_fill(struct dm_con *k)
{
	struct dm_vio *v = &k->vio;
	size_t n;
	int rc = 0;

	while (k->plen && dm_vio_running(v) && v->vq[0].enabled &&
	       (rc = dm_vq_pop(&v->vq[0], v->gm, &k->chain)) > 0) {
		n = dm_vq_copy_to(&k->chain, 0, k->pend + k->poff, k->plen);
		k->poff += n;
		k->plen -= n;
		if (dm_vq_push(&v->vq[0], v->gm, k->chain.head, n))
			rc = -EINVAL;
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		dm_vio_broken(v, "invalid receive chain");
		return;
	}
	dm_vio_notify_queue(v, 0);
	con_poll(k, k->plen == 0);
}

static void con_tx(struct dm_con *k)
{
	struct dm_vio *v = &k->vio;
	unsigned i;
	int rc;

	while ((rc = dm_vq_pop(&v->vq[1], v->gm, &k->chain)) > 0) {
		for (i = 0; i < k->chain.nr_out; i++)
			if (write(k->out_fd, k->chain.buf[i].host, k->chain.buf[i].len) < 0)
				DM_LOG("console output: %s", strerror(errno));
		if (dm_vq_push(&v->vq[1], v->gm, k->chain.head, 0)) {
			rc = -EINVAL;
			break;
		}
	}
	if (rc < 0) {
		dm_vio_broken(v, "invalid transmit chain");
		return;
	}
	dm_vio_notify_queue(v, 1);
}

static void con_notify(struct dm_vio *v, unsigned q)
{
	struct dm_con *k = v->dev;

	if (q == 0)
		con_rx_fill(k);
	else
		con_tx(k);
}

static void con_cfg_read(struct dm_vio *v, uint32_t off, void *buf, unsigned size)
{
	uint8_t cfg[12] = {80, 0, 25, 0, 1, 0, 0, 0};

	memcpy(buf, cfg + off, size);
}

static const struct dm_vio_ops con_ops = {
	.name = "virtio-console",
	.device_id = 3,
	.nr_queues = 2,
	.cfg_size = 12,
	.cfg_read = con_cfg_read,
	.notify = con_notify,
};

struct dm_con *dm_con_open(const struct dm_con_conf *c)
{
	struct dm_con *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->in_fd = c->in_fd;
	k->out_fd = c->out_fd;
	return k;
}

int dm_con_attach(struct dm_con *k, struct dm_pci_bus *bus, const struct dm_guest_mem *gm)
{
	int rc = dm_vio_init(&k->vio, bus, &con_ops, gm, 0, k);

	if (rc)
		return rc;
	return dm_loop_add(k->in_fd, EPOLLIN, con_readable, k);
}

/* Frees the device; the descriptors belong to the caller. */
void dm_con_close(struct dm_con *k)
{
	if (!k->in_eof)
		dm_loop_del(k->in_fd);
	free(k);
}

void dm_con_fds(const struct dm_con *k, int *fds, unsigned *nr)
{
	fds[(*nr)++] = k->in_fd;
	fds[(*nr)++] = k->out_fd;
}
