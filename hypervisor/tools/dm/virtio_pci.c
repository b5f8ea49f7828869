/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio_pci.c — the modern virtio-pci transport (virtio 1.x, section 4.1).
 *
 * Design: BAR0 (16 KiB) holds four structures, each announced by a vendor
 * capability: common configuration at 0x0000, ISR at 0x1000, the device's own
 * configuration at 0x2000 and the notify area at 0x3000 (queue q's doorbell at
 * 0x3000 + 4 * q). MSI-X (one vector per queue plus one for configuration
 * changes) lives in BAR1, handled by pci.c. VERSION_1 is required: a driver
 * that sets FEATURES_OK without it, or with a bit we did not offer, reads
 * FEATURES_OK back as clear. Queue addresses are validated when the queue is
 * enabled and again on every ring access (virtq.c). A protocol violation calls
 * dm_vio_broken(): DEVICE_NEEDS_RESET is set, the device stops touching its
 * rings, a configuration interrupt is raised, and only a reset (status 0)
 * brings it back. Other devices keep running.
 */
#include <string.h>

#include "dm.h"

#define VIO_BAR_SIZE    0x4000
#define VIO_COMMON_OFF  0x0000
#define VIO_ISR_OFF     0x1000
#define VIO_DEVICE_OFF  0x2000
#define VIO_NOTIFY_OFF  0x3000
#define VIO_NOTIFY_MULT 4
#define VIO_NO_VECTOR   0xffff
#define PCI_CAP_VENDOR  0x09

enum { VIO_CAP_COMMON = 1, VIO_CAP_NOTIFY = 2, VIO_CAP_ISR = 3, VIO_CAP_DEVICE = 4 };

/* struct virtio_pci_common_cfg offsets */
enum {
	CC_DFSELECT = 0, CC_DF = 4, CC_GFSELECT = 8, CC_GF = 12, CC_MSIX = 16,
	CC_NUMQ = 18, CC_STATUS = 20, CC_CFGGEN = 21, CC_QSEL = 22, CC_QSIZE = 24,
	CC_QMSIX = 26, CC_QENABLE = 28, CC_QNOTIFY = 30, CC_QDESC = 32,
	CC_QAVAIL = 40, CC_QUSED = 48, CC_SIZE = 56,
};

bool dm_vio_has(const struct dm_vio *v, unsigned bit)
{
	return v->guest_features & (1ull << bit);
}

bool dm_vio_running(const struct dm_vio *v)
{
	return (v->status & VIRTIO_STATUS_DRIVER_OK) && !v->broken;
}

void dm_vio_broken(struct dm_vio *v, const char *why)
{
	if (v->broken)
		return;
	DM_LOG("%s: device broken by the guest: %s", v->ops->name, why);
	v->broken = true;
	v->nr_broken++;
	v->status |= VIRTIO_STATUS_NEEDS_RESET;
	v->isr |= 2;
	dm_pci_msix_notify(&v->pci, v->msix_config);
}

void dm_vio_notify_queue(struct dm_vio *v, unsigned q)
{
	if (q >= v->ops->nr_queues || v->broken)
		return;
	if (!dm_vq_need_notify(&v->vq[q], v->gm))
		return;
	v->isr |= 1;
	dm_pci_msix_notify(&v->pci, v->vq[q].msix_vector);
}

static void vio_reset(struct dm_vio *v)
{
	unsigned q;

	if (v->ops->reset)
		v->ops->reset(v);
	v->guest_features = 0;
	v->status = 0;
	v->isr = 0;
	v->broken = false;
	v->msix_config = VIO_NO_VECTOR;
	v->dfsel = v->gfsel = v->qsel = 0;
	for (q = 0; q < DM_VIO_MAX_QUEUES; q++) {
		memset(&v->vq[q], 0, sizeof(v->vq[q]));
		v->vq[q].size = DM_VQ_MAX_SIZE;
		v->vq[q].msix_vector = VIO_NO_VECTOR;
	}
}

static struct dm_vq *vio_cur_vq(struct dm_vio *v)
{
	return v->qsel < v->ops->nr_queues ? &v->vq[v->qsel] : NULL;
}

static void common_image(struct dm_vio *v, uint8_t img[CC_SIZE])
{
	struct dm_vq *vq = vio_cur_vq(v);
	uint32_t df = v->dfsel < 2 ? (uint32_t)(v->host_features >> (32 * v->dfsel)) : 0;
	uint32_t gf = v->gfsel < 2 ? (uint32_t)(v->guest_features >> (32 * v->gfsel)) : 0;
	uint16_t nq = v->ops->nr_queues, qsize = 0, qmsix = VIO_NO_VECTOR, qen = 0, qn = v->qsel;

	memset(img, 0, CC_SIZE);
	memcpy(img + CC_DFSELECT, &v->dfsel, 4);
	memcpy(img + CC_DF, &df, 4);
	memcpy(img + CC_GFSELECT, &v->gfsel, 4);
	memcpy(img + CC_GF, &gf, 4);
	memcpy(img + CC_MSIX, &v->msix_config, 2);
	memcpy(img + CC_NUMQ, &nq, 2);
	img[CC_STATUS] = v->status;
	img[CC_CFGGEN] = v->cfg_gen;
	memcpy(img + CC_QSEL, &v->qsel, 2);
	if (vq) {
		qsize = vq->size;
		qmsix = vq->msix_vector;
		qen = vq->enabled;
		memcpy(img + CC_QDESC, &vq->desc, 8);
		memcpy(img + CC_QAVAIL, &vq->avail, 8);
		memcpy(img + CC_QUSED, &vq->used, 8);
	}
	memcpy(img + CC_QSIZE, &qsize, 2);
	memcpy(img + CC_QMSIX, &qmsix, 2);
	memcpy(img + CC_QENABLE, &qen, 2);
	memcpy(img + CC_QNOTIFY, &qn, 2);
}

static void vio_set_status(struct dm_vio *v, uint8_t st)
{
	unsigned q;

	if (st == 0) {
		vio_reset(v);
		return;
	}
	if ((st & VIRTIO_STATUS_FEATURES_OK) && !(v->status & VIRTIO_STATUS_FEATURES_OK)) {
		if (!dm_vio_has(v, VIRTIO_F_VERSION_1) ||
		    (v->guest_features & ~v->host_features)) {
			DM_LOG("%s: refused features 0x%llx (offered 0x%llx)", v->ops->name,
			       (unsigned long long)v->guest_features,
			       (unsigned long long)v->host_features);
			st &= ~VIRTIO_STATUS_FEATURES_OK;
		} else {
			for (q = 0; q < DM_VIO_MAX_QUEUES; q++)
				v->vq[q].event_idx = dm_vio_has(v, VIRTIO_F_RING_EVENT_IDX);
			if (v->ops->features_ok)
				v->ops->features_ok(v);
		}
	}
	v->status = st | (v->broken ? VIRTIO_STATUS_NEEDS_RESET : 0);
}

static void vio_queue_enable(struct dm_vio *v, struct dm_vq *vq, uint16_t val)
{
	if (val != 1 || vq->enabled)
		return;
	if (!dm_vq_layout_ok(vq, v->gm)) {
		dm_vio_broken(v, "queue enabled with rings outside guest memory or misaligned");
		return;
	}
	vq->enabled = true;
}

static void set_half(uint64_t *field, unsigned off, unsigned size, uint64_t val)
{
	if (size == 8)
		*field = val;
	else if (off & 4)
		*field = (*field & 0xffffffffull) | (val << 32);
	else
		*field = (*field & ~0xffffffffull) | (uint32_t)val;
}

static void common_write(struct dm_vio *v, unsigned off, unsigned size, uint64_t val)
{
	struct dm_vq *vq = vio_cur_vq(v);
	bool qlocked = !vq || vq->enabled;     /* queue fields are frozen once enabled */

	switch (off) {
	case CC_DFSELECT: v->dfsel = val; break;
	case CC_GFSELECT: v->gfsel = val; break;
	case CC_GF:
		if (v->gfsel < 2 && !(v->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&v->guest_features, v->gfsel * 4, 4, val);
		break;
	case CC_MSIX: v->msix_config = val; break;
	case CC_STATUS: vio_set_status(v, val); break;
	case CC_QSEL: v->qsel = val; break;
	case CC_QSIZE: if (!qlocked) vq->size = val; break;
	case CC_QMSIX: if (vq) vq->msix_vector = val; break;
	case CC_QENABLE: if (vq) vio_queue_enable(v, vq, val); break;
	case CC_QDESC: case CC_QDESC + 4:
		if (!qlocked) set_half(&vq->desc, off, size, val);
		break;
	case CC_QAVAIL: case CC_QAVAIL + 4:
		if (!qlocked) set_half(&vq->avail, off, size, val);
		break;
	case CC_QUSED: case CC_QUSED + 4:
		if (!qlocked) set_half(&vq->used, off, size, val);
		break;
	default:
		DM_LOG("%s: write to read-only or unknown common cfg offset 0x%x size %u",
		       v->ops->name, off, size);
	}
}

static uint64_t vio_bar_read(struct dm_pci_dev *d, int bar, uint64_t off, unsigned size)
{
	struct dm_vio *v = d->opaque;
	uint8_t img[CC_SIZE];
	uint64_t val = 0;

	if (off < VIO_COMMON_OFF + CC_SIZE && off + size <= CC_SIZE) {
		common_image(v, img);
		memcpy(&val, img + off, size);
	} else if (off == VIO_ISR_OFF) {
		val = v->isr;
		v->isr = 0;
	} else if (off >= VIO_DEVICE_OFF && off + size <= VIO_DEVICE_OFF + v->ops->cfg_size) {
		v->ops->cfg_read(v, off - VIO_DEVICE_OFF, &val, size);
	}
	return val;
}

static void vio_bar_write(struct dm_pci_dev *d, int bar, uint64_t off, unsigned size, uint64_t val)
{
	struct dm_vio *v = d->opaque;
	unsigned q;

	if (off + size <= CC_SIZE) {
		common_write(v, off, size, val);
	} else if (off >= VIO_DEVICE_OFF && off + size <= VIO_DEVICE_OFF + v->ops->cfg_size) {
		if (v->ops->cfg_write)
			v->ops->cfg_write(v, off - VIO_DEVICE_OFF, &val, size);
	} else if (off >= VIO_NOTIFY_OFF && off < VIO_NOTIFY_OFF + VIO_NOTIFY_MULT * DM_VIO_MAX_QUEUES) {
		q = (off - VIO_NOTIFY_OFF) / VIO_NOTIFY_MULT;
		if (q < v->ops->nr_queues && v->vq[q].enabled && dm_vio_running(v))
			v->ops->notify(v, q);
	}
}

static const struct dm_pci_bar_ops vio_bar_ops = {
	.read = vio_bar_read,
	.write = vio_bar_write,
};

static void vio_cap(struct dm_vio *v, uint8_t type, uint32_t off, uint32_t len, bool notify)
{
	uint8_t cap[20] = {0};
	uint32_t mult = VIO_NOTIFY_MULT;

	cap[2] = notify ? 20 : 16;
	cap[3] = type;
	cap[4] = 0;                            /* BAR0 */
	memcpy(cap + 8, &off, 4);
	memcpy(cap + 12, &len, 4);
	if (notify)
		memcpy(cap + 16, &mult, 4);
	dm_pci_add_cap(&v->pci, PCI_CAP_VENDOR, cap, cap[2]);
}

static uint32_t vio_class(uint16_t id)
{
	switch (id) {
	case 1: return 0x02000001;             /* network controller */
	case 2: return 0x01000001;             /* mass storage (SCSI class, as usual) */
	default: return 0x07800001;            /* simple communication, other */
	}
}

int dm_vio_init(struct dm_vio *v, struct dm_pci_bus *bus, const struct dm_vio_ops *ops,
		const struct dm_guest_mem *gm, uint64_t features, void *dev)
{
	uint16_t sub[2] = {0x1af4, ops->device_id};
	int rc;

	v->ops = ops;
	v->gm = gm;
	v->dev = dev;
	v->host_features = features | (1ull << VIRTIO_F_VERSION_1) |
			   (1ull << VIRTIO_F_RING_EVENT_IDX) | (1ull << VIRTIO_F_RING_INDIRECT);
	v->pci.opaque = v;
	v->pci.name = ops->name;
	rc = dm_pci_add(bus, &v->pci, 0x1af4, 0x1040 + ops->device_id, vio_class(ops->device_id));
	if (rc)
		return rc;
	memcpy(v->pci.cfg + 0x2c, sub, 4);
	rc = dm_pci_add_bar(&v->pci, 0, VIO_BAR_SIZE, &vio_bar_ops);
	if (!rc)
		rc = dm_pci_add_msix(&v->pci, 1, ops->nr_queues + 1);
	if (rc)
		return rc;
	vio_cap(v, VIO_CAP_COMMON, VIO_COMMON_OFF, CC_SIZE, false);
	vio_cap(v, VIO_CAP_NOTIFY, VIO_NOTIFY_OFF, VIO_NOTIFY_MULT * ops->nr_queues, true);
	vio_cap(v, VIO_CAP_ISR, VIO_ISR_OFF, 1, false);
	vio_cap(v, VIO_CAP_DEVICE, VIO_DEVICE_OFF, ops->cfg_size, false);
	vio_reset(v);
	return 0;
}
