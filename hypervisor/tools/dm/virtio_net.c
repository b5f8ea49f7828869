/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_net.c — virtio-net (virtio 1.x, section 5.1) on a tap device.
 *
 * Design: the tap is opened with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a
 * 12-byte vnet header (struct virtio_net_hdr_v1), which is exactly the header
 * a VERSION_1 driver puts in front of every frame; so transmit is one writev()
 * of the guest's buffers and receive is one read() into a staging buffer copied
 * into one receive chain, or with MRG_RXBUF into as many as it takes. Offloads: the tap always accepts checksum
 * and TSO metadata from us, so HOST_CSUM/TSO4/TSO6 are offered; what the tap
 * may hand us is set with TUNSETOFFLOAD from what the guest acked (GUEST_CSUM,
 * GUEST_TSO4/6; UFO stays off) when it sets FEATURES_OK, and cleared on reset.
 * While a frame waits for a receive buffer the tap is not polled; a
 * receive-queue doorbell resumes it. A frame larger than the posted chain is
 * dropped and its chain completed with length 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dm.h"

#define NET_F_CSUM       0
#define NET_F_GUEST_CSUM 1
#define NET_F_MAC        5
#define NET_F_GUEST_TSO4 7
#define NET_F_GUEST_TSO6 8
#define NET_F_HOST_TSO4  11
#define NET_F_HOST_TSO6  12
#define NET_F_MRG_RXBUF  15
#define NET_F_STATUS     16

#define NET_HDR_LEN 12
#define NET_RXBUF   (NET_HDR_LEN + 18 + 65535) /* vnet header, Ethernet + VLAN, largest IP packet */

struct dm_net {
	struct dm_vio vio;
	int tap;
	char name[IFNAMSIZ];
	uint8_t mac[6];
	unsigned offloads;
	uint64_t rx_dropped, tx_dropped;
	bool mrg;              /* VIRTIO_NET_F_MRG_RXBUF negotiated */
	size_t rxlen;
	uint8_t rxbuf[NET_RXBUF];
	uint16_t mrg_head[DM_VQ_MAX_SIZE];
	uint32_t mrg_len[DM_VQ_MAX_SIZE];
	struct dm_vq_chain chain;
	struct iovec iov[DM_VQ_MAX_IOV];
};

struct dm_vio *dm_net_vio(struct dm_net *n)
{
	return &n->vio;
}

static void net_rx(struct dm_net *n);

static void net_readable(void *arg, uint32_t events)
{
	struct dm_net *n = arg;
	ssize_t r;

	if (n->rxlen == 0) {
		r = read(n->tap, n->rxbuf, sizeof(n->rxbuf));
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r < NET_HDR_LEN) {
			DM_LOG("%s: read: %s", n->name, r < 0 ? strerror(errno) : "short frame");
			return;
		}
		n->rxlen = r;
	}
	net_rx(n);
}

static void net_poll(struct dm_net *n, bool on)
{
	dm_loop_mod(n->tap, on ? EPOLLIN : 0, net_readable, n);
}

/* Without MRG_RXBUF: the frame goes into one chain, or is dropped if it does not fit. */
static int net_rx_single(struct dm_net *n)
{
	struct dm_vio *v = &n->vio;
	struct dm_vq *vq = &v->vq[0];
	uint16_t one = 1;
	uint32_t len = n->rxlen;
	int rc = dm_vq_pop(vq, v->gm, &n->chain);

	if (rc <= 0)
		return rc;
	if (n->chain.in_len < n->rxlen) {
		n->rx_dropped++;
		len = 0;
	} else {
		memcpy(n->rxbuf + 10, &one, 2);    /* num_buffers */
		dm_vq_copy_to(&n->chain, 0, n->rxbuf, n->rxlen);
	}
	return dm_vq_push(vq, v->gm, n->chain.head, len) ? -EINVAL : 1;
}

/*
 * With MRG_RXBUF: the frame is spread over as many chains as it needs and
 * num_buffers in the first one says how many. If the guest has not posted
 * enough, the chains taken so far are given back (dm_vq_unpop) and the frame
 * waits for the next receive doorbell.
 */
static int net_rx_merge(struct dm_net *n)
{
	struct dm_vio *v = &n->vio;
	struct dm_vq *vq = &v->vq[0];
	uint8_t *nb[2] = {NULL, NULL};
	size_t off = 0, len;
	uint16_t k = 0, i;
	int rc;

	while (off < n->rxlen) {
		rc = dm_vq_pop(vq, v->gm, &n->chain);
		if (rc <= 0) {
			dm_vq_unpop(vq, v->gm, k);
			return rc;
		}
		if (k == 0) {
			nb[0] = dm_vq_in_byte(&n->chain, 10);
			nb[1] = dm_vq_in_byte(&n->chain, 11);
		}
		len = dm_vq_copy_to(&n->chain, 0, n->rxbuf + off, n->rxlen - off);
		if (!nb[0] || !nb[1] || len == 0)
			return -EINVAL;        /* first buffer smaller than the header, or empty */
		n->mrg_head[k] = n->chain.head;
		n->mrg_len[k++] = len;
		off += len;
	}
	*nb[0] = k & 0xff;
	*nb[1] = k >> 8;
	for (i = 0; i < k; i++)
		if (dm_vq_push(vq, v->gm, n->mrg_head[i], n->mrg_len[i]))
			return -EINVAL;
	return 1;
}

/* Delivers the staged frame (and any more the tap has) into receive chains. */
static void net_rx(struct dm_net *n)
{
	struct dm_vio *v = &n->vio;
	ssize_t r;
	int rc;

	while (n->rxlen && dm_vio_running(v) && v->vq[0].enabled) {
		rc = n->mrg ? net_rx_merge(n) : net_rx_single(n);
		if (rc < 0) {
			dm_vio_broken(v, "invalid receive chain");
			return;
		}
		if (rc == 0)
			break;
		n->rxlen = 0;
		r = read(n->tap, n->rxbuf, sizeof(n->rxbuf));
		if (r >= NET_HDR_LEN)
			n->rxlen = r;
	}
	dm_vio_notify_queue(v, 0);
	net_poll(n, n->rxlen == 0);
}

static void net_tx(struct dm_net *n)
{
	struct dm_vio *v = &n->vio;
	unsigned i;
	int rc;

	while ((rc = dm_vq_pop(&v->vq[1], v->gm, &n->chain)) > 0) {
		if (n->chain.out_len < NET_HDR_LEN || n->chain.nr_out == 0) {
			rc = -EINVAL;
			break;
		}
		for (i = 0; i < n->chain.nr_out; i++) {
			n->iov[i].iov_base = n->chain.buf[i].host;
			n->iov[i].iov_len = n->chain.buf[i].len;
		}
		if (writev(n->tap, n->iov, n->chain.nr_out) < 0) {
			if (errno != EAGAIN && errno != ENOBUFS)
				DM_LOG("%s: write: %s", n->name, strerror(errno));
			n->tx_dropped++;       /* a full tap queue drops, like a wire */
		}
		if (dm_vq_push(&v->vq[1], v->gm, n->chain.head, 0)) {
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

static void net_notify(struct dm_vio *v, unsigned q)
{
	struct dm_net *n = v->dev;

	if (q == 0)
		net_rx(n);
	else
		net_tx(n);
}

static void net_set_offloads(struct dm_net *n, unsigned offl)
{
	if (ioctl(n->tap, TUNSETOFFLOAD, offl)) {
		DM_LOG("%s: TUNSETOFFLOAD 0x%x: %s", n->name, offl, strerror(errno));
		return;
	}
	n->offloads = offl;
	DM_LOG("%s: tap offloads 0x%x", n->name, offl);
}

static void net_features_ok(struct dm_vio *v)
{
	struct dm_net *n = v->dev;
	unsigned offl = 0;

	n->mrg = dm_vio_has(v, NET_F_MRG_RXBUF);
	if (dm_vio_has(v, NET_F_GUEST_CSUM)) {
		offl |= TUN_F_CSUM;
		if (dm_vio_has(v, NET_F_GUEST_TSO4))
			offl |= TUN_F_TSO4;
		if (dm_vio_has(v, NET_F_GUEST_TSO6))
			offl |= TUN_F_TSO6;
	}
	net_set_offloads(n, offl);
}

static void net_reset(struct dm_vio *v)
{
	struct dm_net *n = v->dev;

	n->rxlen = 0;
	n->mrg = false;
	if (n->offloads)
		net_set_offloads(n, 0);
}

static void net_cfg_read(struct dm_vio *v, uint32_t off, void *buf, unsigned size)
{
	struct dm_net *n = v->dev;
	uint8_t cfg[12] = {0};
	uint16_t status = 1, pairs = 1, mtu = 1500;

	memcpy(cfg, n->mac, 6);
	memcpy(cfg + 6, &status, 2);
	memcpy(cfg + 8, &pairs, 2);
	memcpy(cfg + 10, &mtu, 2);
	memcpy(buf, cfg + off, size);
}

static const struct dm_vio_ops net_ops = {
	.name = "virtio-net",
	.device_id = 1,
	.nr_queues = 2,
	.cfg_size = 12,
	.cfg_read = net_cfg_read,
	.notify = net_notify,
	.features_ok = net_features_ok,
	.reset = net_reset,
};

struct dm_net *dm_net_open(const struct dm_net_conf *c)
{
	struct dm_net *n = calloc(1, sizeof(*n));
	struct ifreq ifr = {0};
	int hdr = NET_HDR_LEN;

	if (!n)
		return NULL;
	n->tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (n->tap < 0) {
		DM_LOG("open /dev/net/tun: %s", strerror(errno));
		goto err_free;
	}
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", c->tap);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(n->tap, TUNSETIFF, &ifr) || ioctl(n->tap, TUNSETVNETHDRSZ, &hdr)) {
		DM_LOG("tap %s: %s", c->tap, strerror(errno));
		goto err_close;
	}
	memcpy(n->name, ifr.ifr_name, IFNAMSIZ);
	memcpy(n->mac, c->mac, 6);
	return n;

err_close:
	close(n->tap);
err_free:
	free(n);
	return NULL;
}

int dm_net_attach(struct dm_net *n, struct dm_pci_bus *bus, const struct dm_guest_mem *gm)
{
	uint64_t f = 1ull << NET_F_MAC | 1ull << NET_F_STATUS | 1ull << NET_F_CSUM |
		     1ull << NET_F_GUEST_CSUM | 1ull << NET_F_GUEST_TSO4 |
		     1ull << NET_F_GUEST_TSO6 | 1ull << NET_F_HOST_TSO4 | 1ull << NET_F_HOST_TSO6 |
		     1ull << NET_F_MRG_RXBUF;
	int rc = dm_vio_init(&n->vio, bus, &net_ops, gm, f, n);

	if (rc)
		return rc;
	return dm_loop_add(n->tap, EPOLLIN, net_readable, n);
}

void dm_net_fds(const struct dm_net *n, int *fds, unsigned *nr)
{
	fds[(*nr)++] = n->tap;
}
