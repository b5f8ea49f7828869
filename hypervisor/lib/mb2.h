/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mb2.h — reading the multiboot2 boot information that GRUB hands over.
 *
 * mb2_parse() validates the whole tag list (sizes, alignment, bounds) before
 * taking anything from it and fills a struct mb2_info whose pointers point into
 * the caller's buffer. Strings are checked to be NUL-terminated inside their tag.
 * Pure: no hardware access; compiled into the hypervisor and host unit tests.
 */
#ifndef CAIRN_MB2_H
#define CAIRN_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

#define MB2_TAG_END        0
#define MB2_TAG_CMDLINE    1
#define MB2_TAG_LOADER     2
#define MB2_TAG_MODULE     3
#define MB2_TAG_MEMINFO    4
#define MB2_TAG_MMAP       6
#define MB2_TAG_ACPI_OLD   14
#define MB2_TAG_ACPI_NEW   15
#define MB2_TAG_EFI_MMAP   17
#define MB2_TAG_EFI_BS     18

#define MB2_MAX_MODULES 8
#define MB2_MAX_MMAP    128

#define MB2_EINVAL 22
#define MB2_ENOSPC 28

struct mb2_module {
	uint32_t start;      /* physical, first byte */
	uint32_t end;        /* physical, one past the last byte */
	const char *string;  /* GRUB's module command line */
};

struct mb2_mmap_entry {
	uint64_t addr;
	uint64_t len;
	uint32_t type;       /* 1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 bad */
};

struct mb2_info {
	uint32_t total_size;
	const char *cmdline;       /* NULL if absent */
	const char *loader;        /* NULL if absent */
	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned nr_modules;
	struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
	unsigned nr_mmap;
	const void *rsdp;          /* copy of the RSDP (v2 preferred), NULL if absent */
	uint32_t rsdp_len;
	bool efi;                  /* an EFI memory map tag was present: booted from UEFI */
	bool efi_boot_services;    /* boot services were not exited (unsupported) */
};

/*
 * Parses the boot information at BUF, of which BUF_LEN bytes may be read.
 * Returns 0, -MB2_EINVAL for a malformed list (bad total size, a tag that runs
 * past the end, no end tag, a string without NUL, a bad memory-map entry size)
 * or -MB2_ENOSPC when there are more modules or map entries than fit.
 */
int mb2_parse(const void *buf, size_t buf_len, struct mb2_info *info);

#endif /* CAIRN_MB2_H */
