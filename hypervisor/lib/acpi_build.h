/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi_build.h — pure functions that read and write ACPI tables in memory.
 *
 * Used by the hypervisor to hand dom0 an RSDP/XSDT/MADT that lists only dom0's
 * CPUs, and later by the domain builder to give domUs minimal tables (MADT,
 * hardware-reduced FADT, empty DSDT). Nothing here touches hardware or physical
 * memory: inputs are byte buffers the caller has already copied (firmware tables
 * are read through a bounded copy, never parsed in place), outputs are byte
 * buffers with a size.
 *
 * Conventions for every function:
 *   - returns the number of bytes written (> 0) on success, or a negative
 *     ACPI_E* value on failure, in which case nothing useful is in `out`;
 *   - never writes past `out_size` bytes of `out` (-ACPI_ENOSPC instead);
 *   - every table written has a correct length and checksum;
 *   - input tables are validated (signature, length within the buffer, checksum,
 *     entry lengths) before anything is taken from them (-ACPI_EINVAL).
 * Compiles freestanding (hypervisor) and hosted (unit tests); needs only
 * memcpy/memset/memcmp.
 */
#ifndef CAIRN_ACPI_BUILD_H
#define CAIRN_ACPI_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error numbers (returned negated); the same values as Linux's errno. */
#define ACPI_ENOENT 2
#define ACPI_EINVAL 22
#define ACPI_ENOSPC 28

/* Sizes of the fixed structures. */
#define ACPI_HEADER_SIZE   36u  /* the common System Description Table header */
#define ACPI_RSDP_V1_SIZE  20u
#define ACPI_RSDP_V2_SIZE  36u
#define ACPI_MADT_FIXED    44u  /* header + local APIC address + flags */
#define ACPI_FADT_SIZE     276u /* FADT revision 6 */

/* MADT entry types this module knows by name; others are copied unchanged. */
#define ACPI_MADT_LAPIC          0
#define ACPI_MADT_IOAPIC         1
#define ACPI_MADT_INT_OVERRIDE   2
#define ACPI_MADT_NMI_SOURCE     3
#define ACPI_MADT_LAPIC_NMI      4
#define ACPI_MADT_LAPIC_OVERRIDE 5
#define ACPI_MADT_X2APIC         9
#define ACPI_MADT_X2APIC_NMI     10

#define ACPI_MADT_LAPIC_ENABLED  0x1u  /* flags bit 0 of a LAPIC/x2APIC entry */
#define ACPI_MADT_PCAT_COMPAT    0x1u  /* MADT flags: dual 8259s present */

#define ACPI_FADT_HW_REDUCED     (1u << 20)

/* The RSDP's contents, as acpi_rsdp_parse() found them. */
struct acpi_rsdp_info {
	uint8_t revision;      /* 0 = ACPI 1.0 (RSDT only), 2 = ACPI 2.0+ */
	uint32_t rsdt_addr;
	uint64_t xsdt_addr;    /* 0 when revision < 2 */
	char oem_id[7];        /* NUL-terminated */
};

/* Sum of `len` bytes modulo 256; a valid table sums to 0. */
uint8_t acpi_checksum(const void *buf, size_t len);

/*
 * Checks that `buf` (of `buf_len` bytes) starts with a whole ACPI table: its
 * header's length is >= 36 and <= buf_len, and its checksum is right. If `sig`
 * is not NULL, the 4-byte signature must match too. Returns the table's length
 * or -ACPI_EINVAL.
 */
long acpi_table_check(const void *buf, size_t buf_len, const char *sig);

/*
 * Validates an RSDP ("RSD PTR ", checksum over the first 20 bytes, and for
 * revision >= 2 the length field and the extended checksum over all of it) and
 * fills `info`. Returns the RSDP's length (20 or 36..buf_len) or -ACPI_EINVAL.
 */
long acpi_rsdp_parse(const void *buf, size_t buf_len, struct acpi_rsdp_info *info);

/*
 * Reads the table addresses of an RSDT (4-byte entries) or XSDT (8-byte
 * entries) into `addrs` (at most `max` of them). Returns how many entries the
 * table has (which may be more than `max`; only `max` are stored) or
 * -ACPI_EINVAL for a table that is neither, or is malformed.
 */
long acpi_sdt_entries(const void *sdt, size_t sdt_len, uint64_t *addrs, size_t max);

/*
 * Writes into `out` a copy of the firmware MADT `fw` (`fw_len` bytes) that keeps
 * only the processor entries (LAPIC type 0, x2APIC type 9) whose APIC id is in
 * `keep_ids[0..n_keep-1]`, in the firmware's order, and every other entry
 * unchanged (I/O APICs, interrupt source overrides, NMI sources and LAPIC NMIs,
 * LAPIC address override, unknown types). The header (OEM ids, revision) is
 * kept; length and checksum are recomputed. Every id in `keep_ids` must be
 * found in an enabled processor entry, else -ACPI_ENOENT. Entries with a length
 * < 2 or running past the table's end give -ACPI_EINVAL.
 */
long acpi_madt_filter(const void *fw, size_t fw_len, const uint32_t *keep_ids,
		      size_t n_keep, void *out, size_t out_size);

/*
 * Writes an XSDT listing `n` table addresses. Its OEM fields are Cairn's.
 */
long acpi_build_xsdt(const uint64_t *addrs, size_t n, void *out, size_t out_size);

/*
 * Writes a 36-byte ACPI 2.0 RSDP (revision 2) pointing to the XSDT at
 * `xsdt_addr` (and to an RSDT at `rsdt_addr`, which may be 0), with both
 * checksums set.
 */
long acpi_build_rsdp(uint64_t xsdt_addr, uint32_t rsdt_addr, void *out, size_t out_size);

/*
 * Writes a MADT for a domU with `n_vcpus` enabled local APICs, APIC ids and ACPI
 * processor UIDs 0..n_vcpus-1, the local APIC at `lapic_addr`, no I/O APIC and
 * no PC-AT flag. n_vcpus must be 1..255.
 */
long acpi_build_madt_vcpus(uint32_t n_vcpus, uint32_t lapic_addr, void *out,
			   size_t out_size);

/*
 * Writes a revision-6 FADT with HW_REDUCED_ACPI set, no legacy devices (no
 * 8042, no VGA, no CMOS RTC), no SCI, and DSDT/X_DSDT pointing to `dsdt_addr`.
 */
long acpi_build_fadt_hw_reduced(uint64_t dsdt_addr, void *out, size_t out_size);

/*
 * Writes a minimal DSDT: the header alone, no AML (no devices; a domU's devices
 * are found on PCI). Enough for the FADT's mandatory DSDT pointer.
 */
long acpi_build_dsdt_min(void *out, size_t out_size);

#endif /* CAIRN_ACPI_BUILD_H */
