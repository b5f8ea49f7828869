/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of acpi_build: checksums, round trips through the parsers, the
 * MADT filter on a real MADT dumped from QEMU 7.2 (pc machine, -smp 4, SeaBIOS:
 * `od -An -tx1 /sys/firmware/acpi/tables/APIC` in a Debian 6.1 guest), and
 * rejection of truncated or malformed input.
 */
#include "unit.h"

#include "../acpi_build.h"

#include <stdint.h>
#include <string.h>

/* 4 LAPICs (ids 0..3), 1 IOAPIC, 5 interrupt source overrides, 1 LAPIC NMI. */
static const uint8_t qemu_madt[144] = {
	0x41, 0x50, 0x49, 0x43, 0x90, 0x00, 0x00, 0x00, 0x01, 0x4b, 0x42, 0x4f,
	0x43, 0x48, 0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20,
	0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xe0, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x08, 0x02, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x03, 0x03,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xfe,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x0a, 0x00, 0x05, 0x05, 0x00, 0x00, 0x00, 0x0d, 0x00,
	0x02, 0x0a, 0x00, 0x09, 0x09, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x02, 0x0a,
	0x00, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x02, 0x0a, 0x00, 0x0b,
	0x0b, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x04, 0x06, 0xff, 0x00, 0x00, 0x01,
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Counts MADT entries of `type`; the table must be valid. */
static int count_type(const uint8_t *t, size_t len, uint8_t type)
{
	size_t off;
	int n = 0;

	for (off = ACPI_MADT_FIXED; off < len; off += t[off + 1])
		n += t[off] == type;
	return n;
}

/* The APIC id of the `nth` LAPIC entry, or -1. */
static int nth_lapic_id(const uint8_t *t, size_t len, int nth)
{
	size_t off;

	for (off = ACPI_MADT_FIXED; off < len; off += t[off + 1])
		if (t[off] == ACPI_MADT_LAPIC && nth-- == 0)
			return t[off + 3];
	return -1;
}

TEST(fixture_is_a_valid_madt)
{
	CHECK_EQ(acpi_table_check(qemu_madt, sizeof(qemu_madt), "APIC"), 144);
	CHECK_EQ(acpi_checksum(qemu_madt, sizeof(qemu_madt)), 0);
	CHECK_EQ(count_type(qemu_madt, 144, ACPI_MADT_LAPIC), 4);
}

TEST(madt_filter_keeps_one_cpu_and_the_rest)
{
	uint8_t out[256];
	uint32_t keep[] = {0};
	long n;

	memset(out, 0xaa, sizeof(out));
	n = acpi_madt_filter(qemu_madt, sizeof(qemu_madt), keep, 1, out, sizeof(out));
	REQUIRE(n == 144 - 3 * 8);
	CHECK_EQ(acpi_table_check(out, (size_t)n, "APIC"), n);
	CHECK_EQ(le32(out + 4), (uint32_t)n);
	CHECK_EQ(count_type(out, (size_t)n, ACPI_MADT_LAPIC), 1);
	CHECK_EQ(nth_lapic_id(out, (size_t)n, 0), 0);
	CHECK_EQ(count_type(out, (size_t)n, ACPI_MADT_IOAPIC), 1);
	CHECK_EQ(count_type(out, (size_t)n, ACPI_MADT_INT_OVERRIDE), 5);
	CHECK_EQ(count_type(out, (size_t)n, ACPI_MADT_LAPIC_NMI), 1);
	/* header fields other than length/checksum are the firmware's */
	CHECK_MEM(out + 8, qemu_madt + 8, 1);
	CHECK_MEM(out + 10, qemu_madt + 10, 34);
	CHECK_EQ(out[n], 0xaa); /* nothing written past the table */
}

TEST(madt_filter_keeps_listed_cpus_in_firmware_order)
{
	uint8_t out[256];
	uint32_t keep[] = {3, 1};
	long n;

	n = acpi_madt_filter(qemu_madt, sizeof(qemu_madt), keep, 2, out, sizeof(out));
	REQUIRE(n == 144 - 2 * 8);
	CHECK_EQ(acpi_checksum(out, (size_t)n), 0);
	CHECK_EQ(count_type(out, (size_t)n, ACPI_MADT_LAPIC), 2);
	CHECK_EQ(nth_lapic_id(out, (size_t)n, 0), 1);
	CHECK_EQ(nth_lapic_id(out, (size_t)n, 1), 3);
}

TEST(madt_filter_all_cpus_is_identity)
{
	uint8_t out[256];
	uint32_t keep[] = {0, 1, 2, 3};

	CHECK_EQ(acpi_madt_filter(qemu_madt, 144, keep, 4, out, sizeof(out)), 144);
	CHECK_MEM(out, qemu_madt, 144);
}

TEST(madt_filter_unknown_id_is_enoent)
{
	uint8_t out[256];
	uint32_t keep[] = {0, 7};

	CHECK_EQ(acpi_madt_filter(qemu_madt, 144, keep, 2, out, sizeof(out)), -ACPI_ENOENT);
}

TEST(madt_filter_disabled_cpu_is_enoent_and_dropped)
{
	uint8_t fw[144], out[256];
	uint32_t keep2[] = {2}, keep0[] = {0};
	long n;

	memcpy(fw, qemu_madt, sizeof(fw));
	fw[44 + 2 * 8 + 4] = 0; /* LAPIC id 2: flags = disabled */
	fw[9] = 0;
	fw[9] = (uint8_t)(0x100 - acpi_checksum(fw, sizeof(fw)));
	CHECK_EQ(acpi_madt_filter(fw, 144, keep2, 1, out, sizeof(out)), -ACPI_ENOENT);
	n = acpi_madt_filter(fw, 144, keep0, 1, out, sizeof(out));
	CHECK_EQ(n, 144 - 3 * 8);
}

TEST(madt_filter_output_too_small_is_enospc)
{
	uint8_t out[200];
	uint32_t keep[] = {0};

	memset(out, 0x55, sizeof(out));
	CHECK_EQ(acpi_madt_filter(qemu_madt, 144, keep, 1, out, 119), -ACPI_ENOSPC);
	CHECK_EQ(out[0], 0x55); /* nothing written */
	CHECK_EQ(acpi_madt_filter(qemu_madt, 144, keep, 1, out, 120), 120);
	CHECK_EQ(acpi_madt_filter(qemu_madt, 144, keep, 1, NULL, 0), -ACPI_ENOSPC);
}

TEST(madt_filter_rejects_truncated_input)
{
	uint8_t out[256];
	uint32_t keep[] = {0};
	size_t len;

	for (len = 0; len < sizeof(qemu_madt); len++)
		CHECK_EQ(acpi_madt_filter(qemu_madt, len, keep, 1, out, sizeof(out)),
			 -ACPI_EINVAL);
}

/* Sets a byte of a copy of the fixture, fixes the checksum, filters it. */
static long filter_patched(size_t at, uint8_t value)
{
	uint8_t fw[144], out[256];
	uint32_t keep[] = {0};

	memcpy(fw, qemu_madt, sizeof(fw));
	fw[at] = value;
	fw[9] = 0;
	fw[9] = (uint8_t)(0x100 - acpi_checksum(fw, sizeof(fw)));
	return acpi_madt_filter(fw, sizeof(fw), keep, 1, out, sizeof(out));
}

TEST(madt_filter_rejects_malformed_input)
{
	uint8_t fw[144], out[256];
	uint32_t keep[] = {0};

	CHECK_EQ(filter_patched(0, 'X'), -ACPI_EINVAL);           /* signature */
	CHECK_EQ(filter_patched(45, 0), -ACPI_EINVAL);            /* entry length 0 */
	CHECK_EQ(filter_patched(45, 1), -ACPI_EINVAL);            /* entry length 1 */
	CHECK_EQ(filter_patched(45, 4), -ACPI_EINVAL);            /* LAPIC shorter than 8 */
	CHECK_EQ(filter_patched(143 - 4, 200), -ACPI_EINVAL);     /* last entry overruns */
	CHECK_EQ(filter_patched(4, 0xa0), -ACPI_EINVAL);          /* length > buffer */
	CHECK_EQ(filter_patched(4, 20), -ACPI_EINVAL);            /* length < header */
	memcpy(fw, qemu_madt, sizeof(fw));
	fw[50] ^= 1;                                              /* bad checksum */
	CHECK_EQ(acpi_madt_filter(fw, 144, keep, 1, out, sizeof(out)), -ACPI_EINVAL);
	CHECK_EQ(acpi_madt_filter(NULL, 144, keep, 1, out, sizeof(out)), -ACPI_EINVAL);
	CHECK_EQ(acpi_madt_filter(qemu_madt, 144, NULL, 1, out, sizeof(out)), -ACPI_EINVAL);
}

TEST(madt_filter_handles_x2apic_entries)
{
	/* The fixture's header and LAPIC 0, plus x2APIC entries for ids 0x100, 0x101. */
	uint8_t fw[44 + 8 + 16 + 16], out[128];
	uint32_t keep[] = {0x101};
	long n;

	memcpy(fw, qemu_madt, 52);
	memset(fw + 52, 0, 32);
	fw[52] = ACPI_MADT_X2APIC; fw[53] = 16; fw[56] = 0x00; fw[57] = 0x01; fw[60] = 1;
	fw[68] = ACPI_MADT_X2APIC; fw[69] = 16; fw[72] = 0x01; fw[73] = 0x01; fw[76] = 1;
	fw[4] = sizeof(fw);
	fw[9] = 0;
	fw[9] = (uint8_t)(0x100 - acpi_checksum(fw, sizeof(fw)));
	n = acpi_madt_filter(fw, sizeof(fw), keep, 1, out, sizeof(out));
	REQUIRE(n == 44 + 16);
	CHECK_EQ(out[44], ACPI_MADT_X2APIC);
	CHECK_EQ(le32(out + 48), 0x101);
	CHECK_EQ(acpi_checksum(out, (size_t)n), 0);
}

TEST(xsdt_round_trip)
{
	uint64_t addrs[3] = {0x7fe0000, 0x123456789abcull, 0xfed00000}, back[3] = {0};
	uint8_t out[64];

	CHECK_EQ(acpi_build_xsdt(addrs, 3, out, sizeof(out)), 36 + 24);
	CHECK_EQ(acpi_table_check(out, sizeof(out), "XSDT"), 60);
	CHECK_EQ(acpi_sdt_entries(out, 60, back, 3), 3);
	CHECK_EQ_HEX(back[0], addrs[0]);
	CHECK_EQ_HEX(back[1], addrs[1]);
	CHECK_EQ_HEX(back[2], addrs[2]);
	/* fewer slots than entries: the count is still the table's */
	memset(back, 0, sizeof(back));
	CHECK_EQ(acpi_sdt_entries(out, 60, back, 1), 3);
	CHECK_EQ_HEX(back[1], 0);
	CHECK_EQ(acpi_build_xsdt(addrs, 3, out, 59), -ACPI_ENOSPC);
	CHECK_EQ(acpi_build_xsdt(NULL, 0, out, sizeof(out)), 36);
	CHECK_EQ(acpi_build_xsdt(NULL, 2, out, sizeof(out)), -ACPI_EINVAL);
}

TEST(rsdt_entries_are_four_bytes)
{
	uint8_t rsdt[44];
	uint64_t back[2];

	CHECK_EQ(acpi_build_xsdt(NULL, 0, rsdt, sizeof(rsdt)), 36); /* a header to patch */
	memcpy(rsdt, "RSDT", 4);
	rsdt[4] = 44;
	rsdt[36] = 0x78; rsdt[37] = 0x56; rsdt[38] = 0x34; rsdt[39] = 0x12;
	memset(rsdt + 40, 0xff, 4);
	rsdt[9] = 0;
	rsdt[9] = (uint8_t)(0x100 - acpi_checksum(rsdt, 44));
	CHECK_EQ(acpi_sdt_entries(rsdt, 44, back, 2), 2);
	CHECK_EQ_HEX(back[0], 0x12345678);
	CHECK_EQ_HEX(back[1], 0xffffffff);
	/* a length that is not a whole number of entries */
	rsdt[4] = 42;
	rsdt[9] = 0;
	rsdt[9] = (uint8_t)(0x100 - acpi_checksum(rsdt, 42));
	CHECK_EQ(acpi_sdt_entries(rsdt, 44, back, 2), -ACPI_EINVAL);
	CHECK_EQ(acpi_sdt_entries(qemu_madt, 144, back, 2), -ACPI_EINVAL);
}

TEST(rsdp_round_trip_and_checksums)
{
	uint8_t out[40];
	struct acpi_rsdp_info info;

	memset(out, 0xcc, sizeof(out));
	CHECK_EQ(acpi_build_rsdp(0x1122334455667788ull, 0x7fe1000, out, sizeof(out)), 36);
	CHECK_MEM(out, "RSD PTR ", 8);
	CHECK_EQ(out[15], 2);
	CHECK_EQ(acpi_checksum(out, 20), 0);
	CHECK_EQ(acpi_checksum(out, 36), 0);
	CHECK_EQ(le32(out + 20), 36);
	CHECK_EQ(out[36], 0xcc);
	CHECK_EQ(acpi_rsdp_parse(out, 36, &info), 36);
	CHECK_EQ(info.revision, 2);
	CHECK_EQ_HEX(info.xsdt_addr, 0x1122334455667788ull);
	CHECK_EQ_HEX(info.rsdt_addr, 0x7fe1000);
	CHECK_STR(info.oem_id, "CAIRN ");
	CHECK_EQ(acpi_build_rsdp(1, 0, out, 35), -ACPI_ENOSPC);
}

TEST(rsdp_parse_rejects_bad_input)
{
	uint8_t r[36];
	struct acpi_rsdp_info info;

	acpi_build_rsdp(0x1000, 0, r, sizeof(r));
	CHECK_EQ(acpi_rsdp_parse(r, 35, &info), -ACPI_EINVAL);   /* truncated v2 */
	CHECK_EQ(acpi_rsdp_parse(r, 19, &info), -ACPI_EINVAL);
	r[30] ^= 1;                                             /* extended checksum */
	CHECK_EQ(acpi_rsdp_parse(r, 36, &info), -ACPI_EINVAL);
	r[30] ^= 1;
	r[1] = 'X';                                             /* signature */
	CHECK_EQ(acpi_rsdp_parse(r, 36, &info), -ACPI_EINVAL);
	r[1] = 'S';
	r[20] = 200;                                            /* length > buffer */
	r[32] = (uint8_t)(r[32] - 164);
	CHECK_EQ(acpi_rsdp_parse(r, 36, &info), -ACPI_EINVAL);
}

TEST(rsdp_v1_is_parsed)
{
	uint8_t r[20] = "RSD PTR ";
	struct acpi_rsdp_info info;

	memcpy(r + 9, "BOCHS ", 6);
	r[15] = 0;
	r[16] = 0x00; r[17] = 0x10; r[18] = 0xfe; r[19] = 0x07;
	r[8] = (uint8_t)(0x100 - acpi_checksum(r, 20));
	CHECK_EQ(acpi_rsdp_parse(r, 20, &info), 20);
	CHECK_EQ(info.revision, 0);
	CHECK_EQ_HEX(info.rsdt_addr, 0x07fe1000);
	CHECK_EQ_HEX(info.xsdt_addr, 0);
	CHECK_STR(info.oem_id, "BOCHS ");
}

TEST(madt_for_vcpus)
{
	uint8_t out[128];
	long n;

	n = acpi_build_madt_vcpus(3, 0xfee00000u, out, sizeof(out));
	REQUIRE(n == 44 + 3 * 8);
	CHECK_EQ(acpi_table_check(out, (size_t)n, "APIC"), n);
	CHECK_EQ_HEX(le32(out + 36), 0xfee00000u);
	CHECK_EQ(le32(out + 40), 0); /* no PC-AT 8259s */
	CHECK_EQ(count_type(out, (size_t)n, ACPI_MADT_LAPIC), 3);
	CHECK_EQ(count_type(out, (size_t)n, ACPI_MADT_IOAPIC), 0);
	CHECK_EQ(nth_lapic_id(out, (size_t)n, 2), 2);
	CHECK_EQ(le32(out + 44 + 2 * 8 + 4), ACPI_MADT_LAPIC_ENABLED);
	/* the filter understands what the builder wrote */
	{
		uint32_t keep[] = {1};
		uint8_t f[128];

		CHECK_EQ(acpi_madt_filter(out, (size_t)n, keep, 1, f, sizeof(f)), 52);
	}
	CHECK_EQ(acpi_build_madt_vcpus(0, 0xfee00000u, out, sizeof(out)), -ACPI_EINVAL);
	CHECK_EQ(acpi_build_madt_vcpus(256, 0xfee00000u, out, sizeof(out)), -ACPI_EINVAL);
	CHECK_EQ(acpi_build_madt_vcpus(11, 0xfee00000u, out, sizeof(out)), -ACPI_ENOSPC);
}

TEST(fadt_is_hardware_reduced)
{
	uint8_t out[300];

	memset(out, 0xee, sizeof(out));
	CHECK_EQ(acpi_build_fadt_hw_reduced(0x7fe2000, out, sizeof(out)), 276);
	CHECK_EQ(acpi_table_check(out, 276, "FACP"), 276);
	CHECK_EQ(out[8], 6);                                /* revision */
	CHECK(le32(out + 112) & ACPI_FADT_HW_REDUCED);      /* Flags */
	CHECK_EQ_HEX(le64(out + 140), 0x7fe2000);           /* X_DSDT */
	CHECK_EQ(le32(out + 40), 0);                        /* DSDT: only X_DSDT */
	CHECK_EQ(out[46] | out[47] << 8, 0);                /* no SCI */
	CHECK_EQ(out[276], 0xee);
	CHECK_EQ(acpi_build_fadt_hw_reduced(0x7fe2000, out, 275), -ACPI_ENOSPC);
	CHECK_EQ(acpi_build_fadt_hw_reduced(0, out, sizeof(out)), -ACPI_EINVAL);
}

TEST(dsdt_minimal)
{
	uint8_t out[36];

	CHECK_EQ(acpi_build_dsdt_min(out, sizeof(out)), 36);
	CHECK_EQ(acpi_table_check(out, 36, "DSDT"), 36);
	CHECK_EQ(out[8], 2);
	CHECK_EQ(acpi_build_dsdt_min(out, 35), -ACPI_ENOSPC);
}

TEST(table_check_basics)
{
	uint8_t t[40];

	CHECK_EQ(acpi_table_check(NULL, 40, NULL), -ACPI_EINVAL);
	acpi_build_dsdt_min(t, sizeof(t));
	CHECK_EQ(acpi_table_check(t, 36, NULL), 36);
	CHECK_EQ(acpi_table_check(t, 36, "SSDT"), -ACPI_EINVAL);
	CHECK_EQ(acpi_table_check(t, 35, NULL), -ACPI_EINVAL);
}
