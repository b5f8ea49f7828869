/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi_build.c — reading and writing ACPI tables in byte buffers.
 *
 * Design: every multi-byte field is read and written byte by byte in little
 * endian through get/put helpers, so no structure is ever overlaid on an
 * unaligned or untrusted buffer. Input tables are validated whole (length
 * inside the buffer, checksum, entry lengths) before any field is used.
 * Builders first compute the final size, check it against the output buffer,
 * then write the body and finally the header, whose checksum covers everything.
 * Freestanding: only memcpy/memset/memcmp are used (as compiler builtins).
 */
#include "acpi_build.h"

/*
 * No <string.h>: the hypervisor has no libc headers. The builtins compile to
 * inline code or to calls of the memcpy/memset/memcmp the hypervisor provides.
 */
#define memcpy __builtin_memcpy
#define memset __builtin_memset
#define memcmp __builtin_memcmp

#define OFF_SIG       0
#define OFF_LENGTH    4
#define OFF_REVISION  8
#define OFF_CHECKSUM  9
#define OFF_OEM_ID    10
#define OFF_OEM_TABLE 16
#define OFF_OEM_REV   24
#define OFF_CREATOR   28
#define OFF_CREATOR_R 32

#define MADT_OFF_LAPIC_ADDR 36
#define MADT_OFF_FLAGS      40

#define CAIRN_OEM_ID    "CAIRN "
#define CAIRN_OEM_TABLE "CAIRNHV "
#define CAIRN_CREATOR   "CRN "

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

uint8_t acpi_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

/* Sets byte `at` so that the first `len` bytes of `p` sum to zero. */
static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)(0x100 - acpi_checksum(p, len));
}

long acpi_table_check(const void *buf, size_t buf_len, const char *sig)
{
	const uint8_t *p = buf;
	uint32_t len;

	if (!p || buf_len < ACPI_HEADER_SIZE)
		return -ACPI_EINVAL;
	if (sig && memcmp(p + OFF_SIG, sig, 4) != 0)
		return -ACPI_EINVAL;
	len = get32(p + OFF_LENGTH);
	if (len < ACPI_HEADER_SIZE || len > buf_len)
		return -ACPI_EINVAL;
	if (acpi_checksum(p, len) != 0)
		return -ACPI_EINVAL;
	return (long)len;
}

/*
 * Writes a table header with Cairn's OEM fields; the checksum is left for
 * fix_checksum() once the body is in place.
 */
static void put_header(uint8_t *p, const char *sig, uint32_t len, uint8_t revision)
{
	memcpy(p + OFF_SIG, sig, 4);
	put32(p + OFF_LENGTH, len);
	p[OFF_REVISION] = revision;
	p[OFF_CHECKSUM] = 0;
	memcpy(p + OFF_OEM_ID, CAIRN_OEM_ID, 6);
	memcpy(p + OFF_OEM_TABLE, CAIRN_OEM_TABLE, 8);
	put32(p + OFF_OEM_REV, 1);
	memcpy(p + OFF_CREATOR, CAIRN_CREATOR, 4);
	put32(p + OFF_CREATOR_R, 1);
}

long acpi_rsdp_parse(const void *buf, size_t buf_len, struct acpi_rsdp_info *info)
{
	const uint8_t *p = buf;
	uint32_t len;

	if (!p || !info || buf_len < ACPI_RSDP_V1_SIZE)
		return -ACPI_EINVAL;
	if (memcmp(p, "RSD PTR ", 8) != 0 || acpi_checksum(p, ACPI_RSDP_V1_SIZE) != 0)
		return -ACPI_EINVAL;
	memset(info, 0, sizeof(*info));
	info->revision = p[15];
	info->rsdt_addr = get32(p + 16);
	memcpy(info->oem_id, p + 9, 6);
	if (info->revision < 2)
		return ACPI_RSDP_V1_SIZE;
	if (buf_len < ACPI_RSDP_V2_SIZE)
		return -ACPI_EINVAL;
	len = get32(p + 20);
	if (len < ACPI_RSDP_V2_SIZE || len > buf_len || acpi_checksum(p, len) != 0)
		return -ACPI_EINVAL;
	info->xsdt_addr = get64(p + 24);
	return (long)len;
}

long acpi_sdt_entries(const void *sdt, size_t sdt_len, uint64_t *addrs, size_t max)
{
	const uint8_t *p = sdt;
	size_t width, n, i;
	long len;

	len = acpi_table_check(sdt, sdt_len, NULL);
	if (len < 0)
		return len;
	if (memcmp(p, "XSDT", 4) == 0)
		width = 8;
	else if (memcmp(p, "RSDT", 4) == 0)
		width = 4;
	else
		return -ACPI_EINVAL;
	if (((size_t)len - ACPI_HEADER_SIZE) % width != 0)
		return -ACPI_EINVAL;
	n = ((size_t)len - ACPI_HEADER_SIZE) / width;
	for (i = 0; i < n && i < max && addrs; i++) {
		const uint8_t *e = p + ACPI_HEADER_SIZE + i * width;

		addrs[i] = width == 8 ? get64(e) : get32(e);
	}
	return (long)n;
}

/* The APIC id of processor entry `e` (type 0 or 9, length already checked). */
static bool madt_cpu_entry(const uint8_t *e, uint32_t *id, bool *enabled)
{
	if (e[0] == ACPI_MADT_LAPIC && e[1] >= 8) {
		*id = e[3];
		*enabled = get32(e + 4) & ACPI_MADT_LAPIC_ENABLED;
		return true;
	}
	if (e[0] == ACPI_MADT_X2APIC && e[1] >= 16) {
		*id = get32(e + 4);
		*enabled = get32(e + 8) & ACPI_MADT_LAPIC_ENABLED;
		return true;
	}
	return false;
}

static bool id_listed(uint32_t id, const uint32_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Checks that the entries of a MADT of `len` bytes tile it exactly. */
static bool madt_entries_ok(const uint8_t *p, size_t len)
{
	size_t off = ACPI_MADT_FIXED;

	while (off < len) {
		if (len - off < 2 || p[off + 1] < 2 || p[off + 1] > len - off)
			return false;
		if ((p[off] == ACPI_MADT_LAPIC && p[off + 1] < 8) ||
		    (p[off] == ACPI_MADT_X2APIC && p[off + 1] < 16))
			return false;
		off += p[off + 1];
	}
	return true;
}

/* Whether the entry at `e` goes into the filtered MADT. */
static bool madt_keep_entry(const uint8_t *e, const uint32_t *keep_ids, size_t n_keep)
{
	uint32_t id;
	bool enabled;

	if (!madt_cpu_entry(e, &id, &enabled))
		return true;
	return enabled && id_listed(id, keep_ids, n_keep);
}

/* Every id in keep_ids appears in an enabled processor entry of the MADT. */
static bool madt_has_all(const uint8_t *p, size_t len, const uint32_t *keep_ids,
			 size_t n_keep)
{
	size_t i, off;

	for (i = 0; i < n_keep; i++) {
		bool found = false;

		for (off = ACPI_MADT_FIXED; off < len && !found; off += p[off + 1]) {
			uint32_t id;
			bool enabled;

			found = madt_cpu_entry(p + off, &id, &enabled) && enabled &&
				id == keep_ids[i];
		}
		if (!found)
			return false;
	}
	return true;
}

long acpi_madt_filter(const void *fw, size_t fw_len, const uint32_t *keep_ids,
		      size_t n_keep, void *out, size_t out_size)
{
	const uint8_t *p = fw;
	uint8_t *o = out;
	size_t off, size = ACPI_MADT_FIXED;
	long len;

	len = acpi_table_check(fw, fw_len, "APIC");
	if (len < 0 || (size_t)len < ACPI_MADT_FIXED || !madt_entries_ok(p, (size_t)len))
		return -ACPI_EINVAL;
	if (n_keep && !keep_ids)
		return -ACPI_EINVAL;
	if (!madt_has_all(p, (size_t)len, keep_ids, n_keep))
		return -ACPI_ENOENT;
	for (off = ACPI_MADT_FIXED; off < (size_t)len; off += p[off + 1])
		if (madt_keep_entry(p + off, keep_ids, n_keep))
			size += p[off + 1];
	if (!o || out_size < size)
		return -ACPI_ENOSPC;
	memcpy(o, p, ACPI_MADT_FIXED);
	size = ACPI_MADT_FIXED;
	for (off = ACPI_MADT_FIXED; off < (size_t)len; off += p[off + 1]) {
		if (!madt_keep_entry(p + off, keep_ids, n_keep))
			continue;
		memcpy(o + size, p + off, p[off + 1]);
		size += p[off + 1];
	}
	put32(o + OFF_LENGTH, (uint32_t)size);
	fix_checksum(o, size, OFF_CHECKSUM);
	return (long)size;
}

long acpi_build_xsdt(const uint64_t *addrs, size_t n, void *out, size_t out_size)
{
	uint8_t *o = out;
	size_t i, size;

	if (n && !addrs)
		return -ACPI_EINVAL;
	if (n > (0xffffffffu - ACPI_HEADER_SIZE) / 8)
		return -ACPI_EINVAL;
	size = ACPI_HEADER_SIZE + n * 8;
	if (!o || out_size < size)
		return -ACPI_ENOSPC;
	put_header(o, "XSDT", (uint32_t)size, 1);
	for (i = 0; i < n; i++)
		put64(o + ACPI_HEADER_SIZE + i * 8, addrs[i]);
	fix_checksum(o, size, OFF_CHECKSUM);
	return (long)size;
}

long acpi_build_rsdp(uint64_t xsdt_addr, uint32_t rsdt_addr, void *out, size_t out_size)
{
	uint8_t *o = out;

	if (!o || out_size < ACPI_RSDP_V2_SIZE)
		return -ACPI_ENOSPC;
	memset(o, 0, ACPI_RSDP_V2_SIZE);
	memcpy(o, "RSD PTR ", 8);
	memcpy(o + 9, CAIRN_OEM_ID, 6);
	o[15] = 2;
	put32(o + 16, rsdt_addr);
	put32(o + 20, ACPI_RSDP_V2_SIZE);
	put64(o + 24, xsdt_addr);
	fix_checksum(o, ACPI_RSDP_V1_SIZE, 8);
	fix_checksum(o, ACPI_RSDP_V2_SIZE, 32);
	return ACPI_RSDP_V2_SIZE;
}

long acpi_build_madt_vcpus(uint32_t n_vcpus, uint32_t lapic_addr, void *out,
			   size_t out_size)
{
	uint8_t *o = out;
	size_t size = ACPI_MADT_FIXED + (size_t)n_vcpus * 8;
	uint32_t i;

	if (n_vcpus < 1 || n_vcpus > 255)
		return -ACPI_EINVAL;
	if (!o || out_size < size)
		return -ACPI_ENOSPC;
	memset(o, 0, size);
	put_header(o, "APIC", (uint32_t)size, 4);
	put32(o + MADT_OFF_LAPIC_ADDR, lapic_addr);
	put32(o + MADT_OFF_FLAGS, 0);
	for (i = 0; i < n_vcpus; i++) {
		uint8_t *e = o + ACPI_MADT_FIXED + i * 8;

		e[0] = ACPI_MADT_LAPIC;
		e[1] = 8;
		e[2] = (uint8_t)i; /* ACPI processor UID */
		e[3] = (uint8_t)i; /* APIC id */
		put32(e + 4, ACPI_MADT_LAPIC_ENABLED);
	}
	fix_checksum(o, size, OFF_CHECKSUM);
	return (long)size;
}

/* FADT (revision 6) field offsets used here. */
#define FADT_OFF_PM_PROFILE 45
#define FADT_OFF_BOOT_ARCH  109
#define FADT_OFF_FLAGS      112
#define FADT_OFF_MINOR      131
#define FADT_OFF_X_DSDT     140
#define FADT_OFF_HV_VENDOR  268

#define FADT_BOOT_VGA_NOT_PRESENT  (1u << 2)
#define FADT_BOOT_CMOS_NOT_PRESENT (1u << 5)
#define FADT_FLAG_WBINVD           (1u << 0)

long acpi_build_fadt_hw_reduced(uint64_t dsdt_addr, void *out, size_t out_size)
{
	uint8_t *o = out;

	if (!dsdt_addr)
		return -ACPI_EINVAL;
	if (!o || out_size < ACPI_FADT_SIZE)
		return -ACPI_ENOSPC;
	memset(o, 0, ACPI_FADT_SIZE);
	put_header(o, "FACP", ACPI_FADT_SIZE, 6);
	/* DSDT (32-bit) stays 0: X_DSDT is set, and ACPI 6 wants only one of them. */
	o[FADT_OFF_PM_PROFILE] = 0; /* unspecified */
	put16(o + FADT_OFF_BOOT_ARCH, FADT_BOOT_VGA_NOT_PRESENT | FADT_BOOT_CMOS_NOT_PRESENT);
	put32(o + FADT_OFF_FLAGS, ACPI_FADT_HW_REDUCED | FADT_FLAG_WBINVD);
	o[FADT_OFF_MINOR] = 0;
	put64(o + FADT_OFF_X_DSDT, dsdt_addr);
	memcpy(o + FADT_OFF_HV_VENDOR, "CairnHV\0", 8);
	fix_checksum(o, ACPI_FADT_SIZE, OFF_CHECKSUM);
	return ACPI_FADT_SIZE;
}

long acpi_build_dsdt_min(void *out, size_t out_size)
{
	uint8_t *o = out;

	if (!o || out_size < ACPI_HEADER_SIZE)
		return -ACPI_ENOSPC;
	/* Revision 2: AML integers are 64 bits wide. */
	put_header(o, "DSDT", ACPI_HEADER_SIZE, 2);
	fix_checksum(o, ACPI_HEADER_SIZE, OFF_CHECKSUM);
	return ACPI_HEADER_SIZE;
}
