/* SPDX-License-Identifier: GPL-2.0-only */
/* boot.h — what boot_main() found, handed to the dom0 builder. */
#ifndef CAIRN_BOOT_H
#define CAIRN_BOOT_H

#include "e820.h"
#include "hv.h"
#include "mb2.h"

struct boot_info {
	const struct mb2_info *mb;
	const struct e820_plan *plan;
	struct mem_range hv[4];         /* the hypervisor's own memory (image) */
	unsigned nr_hv;
	struct mem_range avoid[MB2_MAX_MODULES + 4]; /* modules, boot info, trampoline */
	unsigned nr_avoid;
	unsigned dom0_cpus;
	unsigned phys_bits;
};

void dom0_start(const struct boot_info *bi) __attribute__((noreturn));

#endif /* CAIRN_BOOT_H */
