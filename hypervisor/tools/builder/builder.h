/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * builder.h — the domain builder: lays out a Linux bzImage, its initrd, the
 * command line, boot_params, identity page tables, a GDT and minimal ACPI
 * tables in a new domain's guest-physical memory, for the x86 64-bit boot
 * protocol (Documentation/arch/x86/boot.rst), and says what vCPU 0 starts with.
 *
 * Pure: hvb_build() reads only its inputs and writes only its output struct;
 * `hv create` then issues POPULATE for out->ram[], LOAD for out->regions[] and
 * VCPU_SET_STATE with out->regs. Nothing touches a hypervisor here, so the
 * whole layout is unit-tested on the host.
 *
 * Guest-physical layout (all below 4 GiB; RAM beyond 3 GiB goes above 4 GiB):
 *   0x1000   GDT (null, null, 0x10 64-bit code, 0x18 data)
 *   0x7000   boot_params ("zero page")
 *   0x8000   command line (up to the kernel's cmdline_size)
 *   0x10000  page tables: PML4, PDPT, 4 PDs of 2 MiB pages mapping 0..4 GiB 1:1
 *   0x9f000  stack top for the entry (the kernel sets up its own at once)
 *   0xe0000  ACPI: RSDP, XSDT, MADT (one local APIC per vCPU), FADT
 *            (hardware-reduced), DSDT (COM1 as PNP0501, ports only: Linux
 *            polls it, no IRQ needed) — e820 type ACPI
 *   pref_address (aligned to kernel_alignment): the protected-mode kernel,
 *            init_size bytes reserved for its decompression
 *   top of low RAM (below initrd_addr_max): the initrd, 4 KiB aligned
 * The e820 map: RAM [0, 0x9f000), reserved [0x9f000, 0xe0000), ACPI
 * [0xe0000, 0xe1000), reserved [0xe1000, 0x100000), RAM [1 MiB, low end), and
 * RAM [4 GiB, ...) for memory beyond 3 GiB.
 */
#ifndef CAIRN_BUILDER_H
#define CAIRN_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "domctl.h"

#define HVB_GDT_GPA      0x1000ull
#define HVB_BOOT_PARAMS  0x7000ull
#define HVB_CMDLINE_GPA  0x8000ull
#define HVB_CMDLINE_MAX  0x8000u   /* room reserved; the kernel's limit applies too */
#define HVB_PT_GPA       0x10000ull
#define HVB_PT_SIZE      0x6000u   /* PML4 + PDPT + 4 PDs */
#define HVB_STACK_TOP    0x9f000ull
#define HVB_ACPI_GPA     0xe0000ull
#define HVB_ACPI_SIZE    0x1000u
#define HVB_LOW_RAM_END  0x9f000ull
#define HVB_HIGH_MEM     0x100000ull
#define HVB_LOWMEM_MAX   0xc0000000ull /* 3 GiB; the rest of RAM goes above 4 GiB */
#define HVB_4G           0x100000000ull
#define HVB_LAPIC_BASE   0xfee00000u

#define HVB_MAX_REGIONS  8
#define HVB_MAX_RAM      2
#define HVB_MAX_E820     8

#define HVB_BOOT_CS 0x10
#define HVB_BOOT_DS 0x18

/* What hvb_parse_kernel() found in a bzImage's setup header. */
struct hvb_kernel {
	uint16_t version;         /* boot protocol, e.g. 0x020f */
	uint8_t setup_sects;      /* 512-byte sectors of real-mode setup (0 means 4) */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t kernel_alignment;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;    /* max length, without the NUL */
	uint64_t pref_address;
	uint32_t init_size;       /* bytes the kernel needs from its load address */
	size_t pm_offset;         /* file offset of the protected-mode kernel */
	size_t pm_size;           /* its length in the file */
	size_t hdr_end;           /* end of the setup header (0x202 + byte at 0x201) */
};

struct hvb_input {
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd;    /* may be NULL */
	size_t initrd_len;
	const char *cmdline;      /* may be NULL */
	uint32_t memory_mb;
	uint32_t nr_vcpus;
};

struct hvb_region {
	uint64_t gpa;
	const uint8_t *data;      /* points into the input or into the hvb_image */
	size_t size;
	const char *what;         /* "kernel", "initrd", ... for messages */
};

struct hvb_range {
	uint64_t gpa, size;
};

struct hvb_e820 {
	uint64_t addr, size;
	uint32_t type;            /* 1 RAM, 2 reserved, 3 ACPI */
};

struct hvb_image {
	struct hvb_kernel k;
	uint64_t kernel_gpa, initrd_gpa;
	struct hvb_range ram[HVB_MAX_RAM];      /* POPULATE these */
	unsigned nr_ram;
	struct hvb_region regions[HVB_MAX_REGIONS]; /* then LOAD these */
	unsigned nr_regions;
	struct hvb_e820 e820[HVB_MAX_E820];
	unsigned nr_e820;
	struct cairn_vcpu_regs regs;            /* vCPU 0 at the 64-bit entry */
	/* Storage for the regions the builder writes itself. */
	uint8_t boot_params[4096];
	uint8_t gdt[32];
	uint8_t page_tables[HVB_PT_SIZE];
	uint8_t acpi[HVB_ACPI_SIZE];
	char cmdline[HVB_CMDLINE_MAX];
};

/*
 * Checks a bzImage: boot flag 0xaa55, "HdrS", protocol >= 2.12, a 64-bit entry
 * (XLF_KERNEL_64), relocatable, a sane init_size and a protected-mode part
 * inside the file. 0, or -EINVAL with the reason in err.
 */
int hvb_parse_kernel(const uint8_t *kernel, size_t len, struct hvb_kernel *k, char *err,
		     size_t errlen);

/*
 * Lays everything out. 0, or -EINVAL/-ENOSPC with the reason in err (bad
 * kernel, command line too long, kernel and initrd do not fit in memory_mb,
 * vCPUs or memory outside the domctl limits).
 */
int hvb_build(const struct hvb_input *in, struct hvb_image *out, char *err, size_t errlen);

#endif /* CAIRN_BUILDER_H */
