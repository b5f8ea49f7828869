/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * machine.c — where an I/O access from the guest enters the device model.
 */
#include "dm.h"

void dm_io(struct dm_machine *m, bool mmio, bool write, uint64_t addr, unsigned size,
	   uint64_t *val)
{
	bool claimed;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		DM_LOG("%s %s 0x%llx: bad size %u", mmio ? "mmio" : "pio",
		       write ? "write" : "read", (unsigned long long)addr, size);
		claimed = false;
	} else if (mmio) {
		claimed = dm_pci_mmio(&m->bus, write, addr, size, val);
	} else {
		claimed = addr <= 0xffff && size <= 4 &&
			  dm_pci_pio(&m->bus, write, (uint16_t)addr, size, val);
	}
	if (!claimed && !write)
		*val = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}
