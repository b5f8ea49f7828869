/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pci.c — a single PCI bus 0 behind the type 1 configuration mechanism
 * (ports 0xCF8/0xCFC), a host bridge at 00:00.0, 32-bit memory BARs in the
 * window [DM_PCI_MMIO_BASE, +DM_PCI_MMIO_SIZE), capability lists and MSI-X.
 *
 * Design: each function's 256-byte configuration header is a byte array with a
 * parallel write mask, so generic writes, BAR sizing (write all-ones, read back
 * the size mask) and read-only fields all fall out of one rule:
 * new = (old & ~wmask) | (val & wmask). BARs are preassigned addresses in the
 * window (a domU has no firmware to do it) and the guest may move them; an MMIO
 * access is routed by the BAR values the guest can see, only while memory
 * decoding is enabled in the command register. The MSI-X table and PBA live in
 * their own BAR; a vector that is masked (per entry or by function mask) when
 * it fires is recorded in the PBA and delivered when unmasked.
 */
#include <errno.h>
#include <string.h>

#include "dm.h"

#define PCI_COMMAND      0x04
#define PCI_CMD_MEM      0x02
#define PCI_STATUS       0x06
#define PCI_STATUS_CAP   0x10
#define PCI_BAR0         0x10
#define PCI_CAP_PTR      0x34
#define PCI_CAP_MSIX     0x11
#define MSIX_CTL_ENABLE  0x8000
#define MSIX_CTL_MASKALL 0x4000
#define MSIX_PBA_OFF     0x800
#define MSIX_BAR_SIZE    0x1000

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void pci_header(struct dm_pci_dev *d, uint16_t vendor, uint16_t device,
		       uint32_t class_rev)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	memset(d->wmask, 0, sizeof(d->wmask));
	put16(d->cfg + 0, vendor);
	put16(d->cfg + 2, device);
	put32(d->cfg + 8, class_rev);
	put16(d->wmask + PCI_COMMAND, 0x0407); /* I/O, memory, bus master, INTx disable */
	d->wmask[0x0c] = 0xff;                 /* cache line size */
	d->wmask[0x3c] = 0xff;                 /* interrupt line */
	d->cap_next = 0x40;
}

void dm_pci_bus_init(struct dm_pci_bus *bus, dm_msi_fn *msi, void *arg)
{
	memset(bus, 0, sizeof(*bus));
	bus->msi = msi;
	bus->msi_arg = arg;
	bus->mmio_next = DM_PCI_MMIO_BASE;
	bus->host.name = "host-bridge";
	bus->host.bus = bus;
	pci_header(&bus->host, 0x1b36, 0x0008, 0x06000000);
	bus->dev[0] = &bus->host;
}

int dm_pci_add(struct dm_pci_bus *bus, struct dm_pci_dev *d, uint16_t vendor,
	       uint16_t device, uint32_t class_rev)
{
	unsigned slot;

	for (slot = 1; slot < DM_PCI_MAX_DEVS && bus->dev[slot]; slot++)
		;
	if (slot == DM_PCI_MAX_DEVS)
		return -ENOSPC;
	pci_header(d, vendor, device, class_rev);
	d->bus = bus;
	d->slot = slot;
	bus->dev[slot] = d;
	return 0;
}

/* A 32-bit, non-prefetchable memory BAR of a power-of-two size >= 4 KiB. */
int dm_pci_add_bar(struct dm_pci_dev *d, int bar, uint32_t size, const struct dm_pci_bar_ops *ops)
{
	struct dm_pci_bus *bus = d->bus;
	uint32_t base;

	if (bar < 0 || bar > 5 || size < 0x1000 || (size & (size - 1)))
		return -EINVAL;
	base = (bus->mmio_next + size - 1) & ~(size - 1);
	if ((uint64_t)base + size > DM_PCI_MMIO_BASE + DM_PCI_MMIO_SIZE)
		return -ENOSPC;
	bus->mmio_next = base + size;
	d->bar[bar].size = size;
	d->bar[bar].ops = ops;
	put32(d->cfg + PCI_BAR0 + 4 * bar, base);
	put32(d->wmask + PCI_BAR0 + 4 * bar, ~(size - 1));
	return 0;
}

uint8_t dm_pci_add_cap(struct dm_pci_dev *d, uint8_t id, const void *body, uint8_t len)
{
	uint8_t off = d->cap_next, p;

	if (len < 2 || off + len > 0x100)
		return 0;
	memcpy(d->cfg + off, body, len);
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	if (!d->cfg[PCI_CAP_PTR]) {
		d->cfg[PCI_CAP_PTR] = off;
	} else {
		for (p = d->cfg[PCI_CAP_PTR]; d->cfg[p + 1]; p = d->cfg[p + 1])
			;
		d->cfg[p + 1] = off;
	}
	put16(d->cfg + PCI_STATUS, get16(d->cfg + PCI_STATUS) | PCI_STATUS_CAP);
	d->cap_next = (off + len + 3) & ~3;
	return off;
}

int dm_pci_add_msix(struct dm_pci_dev *d, int bar, uint16_t nr)
{
	uint8_t cap[12] = {0};
	unsigned i;
	int rc;

	if (nr == 0 || nr > DM_PCI_MSIX_MAX)
		return -EINVAL;
	rc = dm_pci_add_bar(d, bar, MSIX_BAR_SIZE, NULL);
	if (rc)
		return rc;
	put16(cap + 2, nr - 1);
	put32(cap + 4, 0 | bar);
	put32(cap + 8, MSIX_PBA_OFF | bar);
	d->msix_cap = dm_pci_add_cap(d, PCI_CAP_MSIX, cap, sizeof(cap));
	if (!d->msix_cap)
		return -ENOSPC;
	d->wmask[d->msix_cap + 3] = 0xc0;      /* enable, function mask */
	d->msix_bar = bar;
	d->msix_nr = nr;
	for (i = 0; i < nr; i++)
		d->msix_table[i][3] = 1;       /* masked at reset */
	return 0;
}

static uint16_t msix_ctl(const struct dm_pci_dev *d)
{
	return get16(d->cfg + d->msix_cap + 2);
}

static void msix_try(struct dm_pci_dev *d, uint16_t v)
{
	uint16_t ctl = msix_ctl(d);
	uint64_t addr;

	if (!(ctl & MSIX_CTL_ENABLE))
		return;
	if ((ctl & MSIX_CTL_MASKALL) || (d->msix_table[v][3] & 1)) {
		d->msix_pending |= 1ull << v;
		return;
	}
	d->msix_pending &= ~(1ull << v);
	addr = d->msix_table[v][0] | (uint64_t)d->msix_table[v][1] << 32;
	d->bus->msi(d->bus->msi_arg, addr, d->msix_table[v][2]);
}

/* Vector 0xffff (VIRTIO_MSI_NO_VECTOR) and out-of-range vectors are ignored. */
void dm_pci_msix_notify(struct dm_pci_dev *d, uint16_t vector)
{
	if (!d->msix_cap || vector >= d->msix_nr)
		return;
	msix_try(d, vector);
}

static void msix_flush_pending(struct dm_pci_dev *d)
{
	uint16_t v;

	for (v = 0; v < d->msix_nr; v++)
		if (d->msix_pending & (1ull << v))
			msix_try(d, v);
}

static uint64_t msix_read(struct dm_pci_dev *d, uint32_t off, unsigned size)
{
	uint64_t v = 0;

	if (off < MSIX_PBA_OFF) {
		if (off / 16 < d->msix_nr && size == 4 && !(off & 3))
			v = d->msix_table[off / 16][(off % 16) / 4];
		else if (off / 16 < d->msix_nr && size == 8 && !(off & 7))
			v = d->msix_table[off / 16][(off % 16) / 4] |
			    (uint64_t)d->msix_table[off / 16][(off % 16) / 4 + 1] << 32;
		return v;
	}
	if (off == MSIX_PBA_OFF)
		return size == 8 ? d->msix_pending : (uint32_t)d->msix_pending;
	return 0;
}

static void msix_write(struct dm_pci_dev *d, uint32_t off, unsigned size, uint64_t val)
{
	unsigned e = off / 16, w = (off % 16) / 4;

	if (off >= MSIX_PBA_OFF || e >= d->msix_nr || (off & (size - 1)) || size < 4)
		return;                        /* PBA is read-only; odd accesses dropped */
	d->msix_table[e][w] = (uint32_t)val;
	if (size == 8 && w < 3)
		d->msix_table[e][w + 1] = (uint32_t)(val >> 32);
	d->msix_table[e][3] &= 1;
	msix_flush_pending(d);
}

static void cfg_write(struct dm_pci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	unsigned i;

	for (i = 0; i < size && off + i < 256; i++) {
		uint8_t b = val >> (8 * i), m = d->wmask[off + i];

		d->cfg[off + i] = (d->cfg[off + i] & ~m) | (b & m);
	}
	if (d->msix_cap && off <= d->msix_cap + 3u && off + size > d->msix_cap + 2u)
		msix_flush_pending(d);
}

static uint32_t cfg_read(const struct dm_pci_dev *d, unsigned off, unsigned size)
{
	uint32_t v = 0;

	memcpy(&v, d->cfg + off, size);
	return v;
}

bool dm_pci_pio(struct dm_pci_bus *bus, bool write, uint16_t port, unsigned size, uint64_t *val)
{
	struct dm_pci_dev *d;
	unsigned slot, fn, off;

	if (port == 0xcf8 && size == 4) {
		if (write)
			bus->cf8 = (uint32_t)*val;
		else
			*val = bus->cf8;
		return true;
	}
	if (port < 0xcfc || port > 0xcff)
		return false;
	if (port + size > 0xd00)
		return false;
	slot = (bus->cf8 >> 11) & 31;
	fn = (bus->cf8 >> 8) & 7;
	off = (bus->cf8 & 0xfc) + (port - 0xcfc);
	d = bus->dev[slot];
	if (!(bus->cf8 & 0x80000000u) || (bus->cf8 & 0x00ff0000u) || fn || !d) {
		if (!write)
			*val = ~0ull >> (64 - 8 * size);
		return true;
	}
	if (write)
		cfg_write(d, off, size, (uint32_t)*val);
	else
		*val = cfg_read(d, off, size);
	return true;
}

bool dm_pci_mmio(struct dm_pci_bus *bus, bool write, uint64_t addr, unsigned size, uint64_t *val)
{
	unsigned s;
	int b;

	for (s = 1; s < DM_PCI_MAX_DEVS; s++) {
		struct dm_pci_dev *d = bus->dev[s];

		if (!d || !(get16(d->cfg + PCI_COMMAND) & PCI_CMD_MEM))
			continue;
		for (b = 0; b < 6; b++) {
			uint64_t base = get32(d->cfg + PCI_BAR0 + 4 * b) & ~0xfu;
			uint64_t off = addr - base;

			if (!d->bar[b].size || addr < base || off + size > d->bar[b].size)
				continue;
			if (d->msix_cap && b == d->msix_bar) {
				if (write)
					msix_write(d, off, size, *val);
				else
					*val = msix_read(d, off, size);
			} else if (write) {
				d->bar[b].ops->write(d, b, off, size, *val);
			} else {
				*val = d->bar[b].ops->read(d, b, off, size);
			}
			return true;
		}
	}
	return false;
}
