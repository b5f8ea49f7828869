/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for pci.c: type 1 config access, BAR sizing and routing, caps, MSI-X. */
#include <string.h>

#include "unit.h"
#include "dm.h"

static struct {
	unsigned n;
	uint64_t addr;
	uint32_t data;
} msi;

static void msi_cb(void *arg, uint64_t addr, uint32_t data)
{
	msi.n++;
	msi.addr = addr;
	msi.data = data;
}

static uint64_t last_off;

static uint64_t bar_read(struct dm_pci_dev *d, int bar, uint64_t off, unsigned size)
{
	last_off = off;
	return 0x1234;
}

static void bar_write(struct dm_pci_dev *d, int bar, uint64_t off, unsigned size, uint64_t val)
{
	last_off = off;
}

static const struct dm_pci_bar_ops ops = {bar_read, bar_write};

static uint32_t cfg_rd(struct dm_pci_bus *bus, unsigned slot, unsigned off, unsigned size)
{
	uint64_t v = 0x80000000u | slot << 11 | (off & 0xfc);

	dm_pci_pio(bus, true, 0xcf8, 4, &v);
	dm_pci_pio(bus, false, 0xcfc + (off & 3), size, &v);
	return v;
}

static void cfg_wr(struct dm_pci_bus *bus, unsigned slot, unsigned off, unsigned size, uint32_t val)
{
	uint64_t v = 0x80000000u | slot << 11 | (off & 0xfc);

	dm_pci_pio(bus, true, 0xcf8, 4, &v);
	v = val;
	dm_pci_pio(bus, true, 0xcfc + (off & 3), size, &v);
}

TEST(config_space_and_bars)
{
	static struct dm_pci_bus bus;
	static struct dm_pci_dev d;
	uint64_t v;
	uint32_t base;

	dm_pci_bus_init(&bus, msi_cb, NULL);
	REQUIRE(dm_pci_add(&bus, &d, 0x1af4, 0x1042, 0x01000001) == 0);
	REQUIRE(dm_pci_add_bar(&d, 0, 0x4000, &ops) == 0);
	CHECK_EQ_HEX(cfg_rd(&bus, 0, 0, 4), 0x00081b36);
	CHECK_EQ_HEX(cfg_rd(&bus, 1, 0, 2), 0x1af4);
	CHECK_EQ_HEX(cfg_rd(&bus, 1, 2, 2), 0x1042);
	CHECK_EQ_HEX(cfg_rd(&bus, 2, 0, 4), 0xffffffff);  /* empty slot */
	CHECK_EQ_HEX(cfg_rd(&bus, 1, 0x0b, 1), 0x01);
	cfg_wr(&bus, 1, 0, 4, 0);                          /* IDs are read-only */
	CHECK_EQ_HEX(cfg_rd(&bus, 1, 0, 2), 0x1af4);
	base = cfg_rd(&bus, 1, 0x10, 4);
	CHECK(base >= DM_PCI_MMIO_BASE && base < DM_PCI_MMIO_BASE + DM_PCI_MMIO_SIZE);
	CHECK_EQ(base & 0x3fff, 0);
	cfg_wr(&bus, 1, 0x10, 4, 0xffffffff);
	CHECK_EQ_HEX(cfg_rd(&bus, 1, 0x10, 4), 0xffffc000);
	cfg_wr(&bus, 1, 0x14, 4, 0xffffffff);              /* unimplemented BAR */
	CHECK_EQ_HEX(cfg_rd(&bus, 1, 0x14, 4), 0);
	cfg_wr(&bus, 1, 0x10, 4, 0xe8000000);              /* the guest moves it */
	CHECK(!dm_pci_mmio(&bus, false, 0xe8000010, 4, &v)); /* decoding still off */
	cfg_wr(&bus, 1, 4, 2, 2);
	CHECK(dm_pci_mmio(&bus, false, 0xe8000010, 4, &v));
	CHECK_EQ_HEX(v, 0x1234);
	CHECK_EQ(last_off, 0x10);
	CHECK(!dm_pci_mmio(&bus, false, 0xe8003ffe, 4, &v)); /* straddles the end */
	CHECK(!dm_pci_mmio(&bus, false, base, 4, &v));       /* old address */
	v = 0;
	CHECK(!dm_pci_pio(&bus, false, 0x60, 1, &v));
}

TEST(capabilities_and_msix)
{
	static struct dm_pci_bus bus;
	static struct dm_pci_dev d;
	uint8_t body[8] = {0, 0, 8, 1};
	uint32_t bar1, ptr;
	uint64_t v;

	dm_pci_bus_init(&bus, msi_cb, NULL);
	REQUIRE(dm_pci_add(&bus, &d, 0x1af4, 0x1041, 0x02000001) == 0);
	REQUIRE(dm_pci_add_bar(&d, 0, 0x4000, &ops) == 0);
	REQUIRE(dm_pci_add_cap(&d, 0x09, body, sizeof(body)) == 0x40);
	REQUIRE(dm_pci_add_msix(&d, 1, 3) == 0);
	CHECK(cfg_rd(&bus, 1, 6, 2) & 0x10);
	ptr = cfg_rd(&bus, 1, 0x34, 1);
	CHECK_EQ_HEX(ptr, 0x40);
	CHECK_EQ_HEX(cfg_rd(&bus, 1, ptr, 1), 0x09);
	ptr = cfg_rd(&bus, 1, ptr + 1, 1);
	CHECK_EQ_HEX(cfg_rd(&bus, 1, ptr, 1), 0x11);
	CHECK_EQ(cfg_rd(&bus, 1, ptr + 2, 2) & 0x7ff, 2);
	CHECK_EQ_HEX(cfg_rd(&bus, 1, ptr + 4, 4), 1);      /* table at BAR1 + 0 */
	CHECK_EQ_HEX(cfg_rd(&bus, 1, ptr + 8, 4), 0x801);  /* PBA at BAR1 + 0x800 */
	bar1 = cfg_rd(&bus, 1, 0x14, 4);
	cfg_wr(&bus, 1, 4, 2, 2);
	v = 0xfee01000;
	dm_pci_mmio(&bus, true, bar1 + 16, 4, &v);
	v = 0x4d;
	dm_pci_mmio(&bus, true, bar1 + 16 + 8, 4, &v);
	msi.n = 0;
	dm_pci_msix_notify(&d, 1);                         /* MSI-X disabled: nothing */
	CHECK_EQ(msi.n, 0);
	cfg_wr(&bus, 1, ptr + 2, 2, 0x8000);
	dm_pci_msix_notify(&d, 1);                         /* entry still masked: pending */
	CHECK_EQ(msi.n, 0);
	dm_pci_mmio(&bus, false, bar1 + 0x800, 4, &v);
	CHECK_EQ_HEX(v, 2);
	v = 0;
	dm_pci_mmio(&bus, true, bar1 + 16 + 12, 4, &v);    /* unmask: delivered now */
	CHECK_EQ(msi.n, 1);
	CHECK_EQ_HEX(msi.addr, 0xfee01000);
	CHECK_EQ_HEX(msi.data, 0x4d);
	dm_pci_mmio(&bus, false, bar1 + 0x800, 4, &v);
	CHECK_EQ_HEX(v, 0);
	cfg_wr(&bus, 1, ptr + 2, 2, 0xc000);               /* function mask */
	dm_pci_msix_notify(&d, 1);
	CHECK_EQ(msi.n, 1);
	cfg_wr(&bus, 1, ptr + 2, 2, 0x8000);
	CHECK_EQ(msi.n, 2);
	dm_pci_msix_notify(&d, 7);                         /* no such vector */
	dm_pci_msix_notify(&d, 0xffff);
	CHECK_EQ(msi.n, 2);
}
