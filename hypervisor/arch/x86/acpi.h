/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi.h — finding the firmware's ACPI tables (RSDP from multiboot2 or the BIOS
 * areas, RSDT/XSDT, MADT) and writing dom0's copy whose MADT lists only dom0's CPUs.
 */
#ifndef CAIRN_ACPI_H
#define CAIRN_ACPI_H

#include "hv.h"

#define ACPI_MAX_TABLES 64
#define ACPI_MAX_CPUS   64

struct acpi_info {
	bool found;
	u64 rsdp_pa;                 /* 0 when only the multiboot2 copy is known */
	u8 rsdp[36];
	u32 rsdp_len;
	u64 tables[ACPI_MAX_TABLES]; /* physical addresses listed by the XSDT/RSDT */
	unsigned nr_tables;
	u64 madt_pa;
	u8 *madt;                    /* heap copy of the firmware MADT */
	u32 madt_len;
	u32 apic_ids[ACPI_MAX_CPUS]; /* enabled processors, in MADT order */
	unsigned nr_apic_ids;
};

extern struct acpi_info acpi;

/* Finds and checks the tables; MB2_RSDP is the RSDP copy from multiboot2 or NULL. */
int acpi_init(const void *mb2_rsdp, u32 len);

/*
 * Writes RSDP, XSDT and a MADT with only the processors in KEEP into the SIZE
 * bytes at OUT, which dom0 sees at physical OUT_PA. Returns the RSDP's address.
 */
int acpi_build_dom0(void *out, u64 out_pa, size_t size, const u32 *keep, unsigned n_keep,
		    u64 *rsdp_pa);

#endif /* CAIRN_ACPI_H */
