/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi.c — the firmware's ACPI tables: where they are, which CPUs the MADT lists,
 * and dom0's rewritten RSDP/XSDT/MADT.
 *
 * Design: tables are never parsed in place. Each is copied from the direct map
 * (header first, then the length it claims, bounded) and checked by the pure
 * functions of lib/acpi_build.c before anything is taken from it.
 */
#include "acpi.h"
#include "acpi_build.h"

#define ACPI_TABLE_MAX (256 * 1024)

struct acpi_info acpi;

/* A checked heap copy of the table at PA (signature SIG unless NULL), or NULL. */
static u8 *table_copy(u64 tpa, const char *sig, u32 *len_out)
{
	u8 hdr[ACPI_HEADER_SIZE];
	u32 len;
	u8 *copy;

	memcpy(hdr, va(tpa), sizeof(hdr));
	len = (u32)hdr[4] | (u32)hdr[5] << 8 | (u32)hdr[6] << 16 | (u32)hdr[7] << 24;
	if (len < ACPI_HEADER_SIZE || len > ACPI_TABLE_MAX)
		return NULL;
	if (sig && memcmp(hdr, sig, 4))
		return NULL;
	copy = kzalloc(len);
	if (!copy)
		return NULL;
	memcpy(copy, va(tpa), len);
	if (acpi_table_check(copy, len, sig) < 0) {
		kfree(copy);
		return NULL;
	}
	*len_out = len;
	return copy;
}

/* Scans [START, END) on 16-byte boundaries for a valid RSDP. */
static u64 rsdp_scan(u64 start, u64 end)
{
	struct acpi_rsdp_info ri;

	for (u64 p = start; p + ACPI_RSDP_V1_SIZE <= end; p += 16) {
		const u8 *b = va(p);

		if (memcmp(b, "RSD PTR ", 8))
			continue;
		if (acpi_rsdp_parse(b, (size_t)MIN(36, end - p), &ri) > 0)
			return p;
	}
	return 0;
}

static void madt_cpus(void)
{
	const u8 *m = acpi.madt;

	for (u32 off = ACPI_MADT_FIXED; off + 2 <= acpi.madt_len; off += m[off + 1]) {
		const u8 *e = m + off;
		u32 id, flags;

		if (e[1] < 2 || off + e[1] > acpi.madt_len)
			break;
		if (e[0] == ACPI_MADT_LAPIC && e[1] >= 8) {
			id = e[3];
			flags = (u32)e[4] | (u32)e[5] << 8;
		} else if (e[0] == ACPI_MADT_X2APIC && e[1] >= 16) {
			id = (u32)e[4] | (u32)e[5] << 8 | (u32)e[6] << 16 | (u32)e[7] << 24;
			flags = (u32)e[8];
		} else {
			continue;
		}
		if ((flags & ACPI_MADT_LAPIC_ENABLED) && acpi.nr_apic_ids < ACPI_MAX_CPUS)
			acpi.apic_ids[acpi.nr_apic_ids++] = id;
	}
}

static int find_rsdp(const void *mb2_rsdp, u32 len)
{
	struct acpi_rsdp_info ri;
	u64 ebda = (u64)(*(volatile u16 *)va(0x40e)) << 4;
	long n;

	if (mb2_rsdp) {
		n = acpi_rsdp_parse(mb2_rsdp, len, &ri);
		if (n > 0) {
			memcpy(acpi.rsdp, mb2_rsdp, (size_t)n);
			acpi.rsdp_len = (u32)n;
			return 0;
		}
		pr_warn("the multiboot2 RSDP copy is invalid; scanning the BIOS areas");
	}
	acpi.rsdp_pa = (ebda >= 0x80000 && ebda < 0xa0000) ? rsdp_scan(ebda, ebda + 1024) : 0;
	if (!acpi.rsdp_pa)
		acpi.rsdp_pa = rsdp_scan(0xe0000, 0x100000);
	if (!acpi.rsdp_pa)
		return -CAIRN_ENOENT;
	n = acpi_rsdp_parse(va(acpi.rsdp_pa), 36, &ri);
	if (n <= 0)
		return -CAIRN_EINVAL;
	memcpy(acpi.rsdp, va(acpi.rsdp_pa), (size_t)n);
	acpi.rsdp_len = (u32)n;
	return 0;
}

int acpi_init(const void *mb2_rsdp, u32 len)
{
	struct acpi_rsdp_info ri;
	u32 sdt_len;
	u8 *sdt;
	long n;

	if (find_rsdp(mb2_rsdp, len)) {
		pr_err("no ACPI RSDP found");
		return -CAIRN_ENOENT;
	}
	acpi_rsdp_parse(acpi.rsdp, acpi.rsdp_len, &ri);
	sdt = ri.xsdt_addr ? table_copy(ri.xsdt_addr, "XSDT", &sdt_len)
			   : table_copy(ri.rsdt_addr, "RSDT", &sdt_len);
	if (!sdt) {
		pr_err("bad RSDT/XSDT (rsdt %#x xsdt %#llx)", ri.rsdt_addr,
		       (unsigned long long)ri.xsdt_addr);
		return -CAIRN_EINVAL;
	}
	n = acpi_sdt_entries(sdt, sdt_len, acpi.tables, ACPI_MAX_TABLES);
	kfree(sdt);
	if (n < 0)
		return -CAIRN_EINVAL;
	acpi.nr_tables = (unsigned)MIN((u64)n, ACPI_MAX_TABLES);
	for (unsigned i = 0; i < acpi.nr_tables && !acpi.madt; i++) {
		if (memcmp(va(acpi.tables[i]), "APIC", 4))
			continue;
		acpi.madt = table_copy(acpi.tables[i], "APIC", &acpi.madt_len);
		acpi.madt_pa = acpi.tables[i];
	}
	if (!acpi.madt) {
		pr_err("no valid MADT among %u ACPI tables", acpi.nr_tables);
		return -CAIRN_ENOENT;
	}
	madt_cpus();
	acpi.found = true;
	pr_info("ACPI: RSDP rev %u (%s), %u tables, MADT at %#llx lists %u CPUs", ri.revision,
		ri.oem_id, acpi.nr_tables, (unsigned long long)acpi.madt_pa, acpi.nr_apic_ids);
	return 0;
}

int acpi_build_dom0(void *out, u64 out_pa, size_t size, const u32 *keep, unsigned n_keep,
		    u64 *rsdp_pa)
{
	const size_t xsdt_off = 64, madt_off = 1024;
	u64 addrs[ACPI_MAX_TABLES];
	long n;

	if (!acpi.found || size < madt_off + acpi.madt_len)
		return -CAIRN_ENOSPC;
	n = acpi_madt_filter(acpi.madt, acpi.madt_len, keep, n_keep, (u8 *)out + madt_off,
			     size - madt_off);
	if (n < 0)
		return (int)n;
	for (unsigned i = 0; i < acpi.nr_tables; i++)
		addrs[i] = acpi.tables[i] == acpi.madt_pa ? out_pa + madt_off : acpi.tables[i];
	n = acpi_build_xsdt(addrs, acpi.nr_tables, (u8 *)out + xsdt_off, madt_off - xsdt_off);
	if (n < 0)
		return (int)n;
	n = acpi_build_rsdp(out_pa + xsdt_off, 0, out, xsdt_off);
	if (n < 0)
		return (int)n;
	*rsdp_pa = out_pa;
	return 0;
}
