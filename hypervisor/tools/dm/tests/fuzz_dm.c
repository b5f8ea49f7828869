/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_dm.c — libFuzzer target for the whole device model behind its I/O
 * entry point: a machine with a virtio-blk (on a scratch file, synchronous
 * I/O) and a virtio-console, driven by a sequence of port and MMIO accesses
 * the fuzzer chooses, over 64 KiB of guest RAM whose contents it also chooses
 * (so queue setup, rings, descriptors and requests are all fuzzed).
 *
 * Input: u8 number of accesses (<= 64), then 12 bytes per access
 * (kind: 0 PIO write, 1 PIO read, 2 MMIO write, 3 MMIO read; size selector;
 * u16 offset; u64 value), then guest RAM. PIO offsets map to 0xCF8 or
 * 0xCFC..0xCFF; MMIO offsets to the first 64 KiB of the BAR window, where
 * both devices' BARs are. Memory decoding is enabled up front.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm.h"

#define RAM 0x10000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int disk_fd = -1, con_in = -1, con_out = -1;
static char disk_path[64];

static void msi(void *arg, uint64_t addr, uint32_t val)
{
}

static void setup_once(void)
{
	int p[2];

	if (disk_fd >= 0)
		return;
	char tmpl[] = "/tmp/fuzz_dm.XXXXXX";

	dm_loop_init();
	disk_fd = mkstemp(tmpl);
	if (disk_fd < 0 || ftruncate(disk_fd, 1 << 20) || pipe(p))
		abort();
	unlink(tmpl);                  /* reopened through /proc for each input */
	snprintf(disk_path, sizeof(disk_path), "/proc/self/fd/%d", disk_fd);
	con_in = p[0];
	con_out = open("/dev/null", O_WRONLY);
}

static void cfg_enable(struct dm_machine *m, unsigned slot)
{
	uint64_t v = 0x80000004u | slot << 11;

	dm_io(m, false, true, 0xcf8, 4, &v);
	v = 6;
	dm_io(m, false, true, 0xcfc, 2, &v);
}

static void access_one(struct dm_machine *m, const uint8_t *op)
{
	static const unsigned sizes[4] = {1, 2, 4, 8};
	unsigned kind = op[0] & 3, sz = sizes[op[1] & 3];
	uint16_t off;
	uint64_t val, addr;

	memcpy(&off, op + 2, 2);
	memcpy(&val, op + 4, 8);
	if (kind < 2) {
		addr = (off & 1) ? 0xcf8 : 0xcfc + ((off >> 1) & 3);
		dm_io(m, false, kind == 0, addr, sz > 4 ? 4 : sz, &val);
	} else {
		addr = DM_PCI_MMIO_BASE + off;
		dm_io(m, true, kind == 2, addr, sz, &val);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_machine m;
	struct dm_blk_conf bc = {.path = disk_path, .sync = true};
	struct dm_con_conf cc;
	struct dm_blk *blk;
	struct dm_con *con;
	unsigned n, i;
	uint8_t *ram;

	if (size < 1)
		return 0;
	setup_once();
	n = data[0] % 65;
	if (size < 1 + 12 * n)
		return 0;
	memset(&m, 0, sizeof(m));
	ram = calloc(1, RAM);
	memcpy(ram, data + 1 + 12 * n, size - 1 - 12 * n < RAM ? size - 1 - 12 * n : RAM);
	dm_gm_add(&m.gm, 0, RAM, ram);
	dm_pci_bus_init(&m.bus, msi, &m);
	cc.in_fd = con_in;
	cc.out_fd = con_out;
	blk = dm_blk_open(&bc);
	con = dm_con_open(&cc);
	if (!blk || !con || dm_blk_attach(blk, &m.bus, &m.gm) ||
	    dm_con_attach(con, &m.bus, &m.gm))
		abort();
	cfg_enable(&m, 1);
	cfg_enable(&m, 2);
	for (i = 0; i < n; i++)
		access_one(&m, data + 1 + 12 * i);
	dm_con_close(con);
	dm_blk_close(blk);
	free(ram);
	return 0;
}
