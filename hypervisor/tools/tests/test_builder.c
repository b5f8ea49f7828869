/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the domain builder: the setup header of the stock Debian
 * kernel the tests boot (6.1.0-56-amd64; bytes 0x1f1..0x270 of its vmlinuz
 * copied below), and the guest-physical layout built from it.
 */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_build.h"
#include "builder.h"
#include "domctl_check.h"

#define MiB (1ull << 20)

/* Debian 6.1.0-56-amd64 vmlinuz, offsets 0x1f1..0x270. */
static const uint8_t debian_hdr[] = {
	0x27, 0x01, 0x00, 0x20, 0xd8, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00,
	0x00, 0x55, 0xaa, 0xeb, 0x6a, 0x48, 0x64, 0x72, 0x53, 0x0f, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x10, 0xc0, 0x42, 0x00, 0x01, 0x00, 0x80, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xe0, 0x5b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
	0xff, 0xff, 0x7f, 0x00, 0x00, 0x20, 0x00, 0x01, 0x15, 0x7f, 0x00, 0xff,
	0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xcc, 0x02, 0x00, 0x00, 0x70, 0xf0, 0x7b, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x80, 0xf9, 0x03, 0xb0, 0x8d, 0x7c, 0x00, 0x9c,
	0x57, 0x7d, 0x00,
};

#define PM_OFFSET (40 * 512)
#define PM_SIZE   (0x7d820 * 16)
#define KERNEL_LEN (PM_OFFSET + PM_SIZE + 0x5c0)

/* A bzImage with Debian's header and a zero-filled body of the right size. */
static uint8_t *fake_kernel(void)
{
	uint8_t *k = calloc(1, KERNEL_LEN);

	REQUIRE(k != NULL);
	memcpy(k + 0x1f1, debian_hdr, sizeof(debian_hdr));
	memset(k + PM_OFFSET, 0x90, 16); /* recognisable start of the 64-bit kernel */
	return k;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8); /* little-endian host */
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

TEST(debian_setup_header)
{
	uint8_t *kr = fake_kernel();
	struct hvb_kernel k;
	char err[160] = "";

	REQUIRE(hvb_parse_kernel(kr, KERNEL_LEN, &k, err, sizeof(err)) == 0);
	CHECK_EQ_HEX(k.version, 0x020f);
	CHECK_EQ(k.setup_sects, 39);
	CHECK_EQ_HEX(k.xloadflags, 0x7f);
	CHECK_EQ_HEX(k.kernel_alignment, 0x200000);
	CHECK_EQ_HEX(k.pref_address, 0x1000000);
	CHECK_EQ_HEX(k.init_size, 0x3f98000);
	CHECK_EQ(k.cmdline_size, 2047);
	CHECK_EQ_HEX(k.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(k.pm_offset, PM_OFFSET);
	CHECK_EQ(k.pm_size, PM_SIZE);
	CHECK_EQ_HEX(k.hdr_end, 0x26c);
	free(kr);
}

/* Corrupts one byte of a good header and expects a refusal naming `why`. */
static void refused(size_t off, uint8_t val, size_t len, const char *why)
{
	uint8_t *kr = fake_kernel();
	struct hvb_kernel k;
	char err[160] = "";

	kr[off] = val;
	CHECK_EQ(hvb_parse_kernel(kr, len, &k, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		unit_fail(__FILE__, __LINE__, "error \"%s\" does not mention \"%s\"", err, why);
	free(kr);
}

TEST(bad_kernels_are_refused_with_a_reason)
{
	refused(0x1fe, 0x00, KERNEL_LEN, "boot flag");
	refused(0x202, 'X', KERNEL_LEN, "HdrS");
	refused(0x206, 0x0b, KERNEL_LEN, "2.11");              /* protocol 2.11 */
	refused(0x236, 0x7e, KERNEL_LEN, "64-bit");            /* no XLF_KERNEL_64 */
	refused(0x234, 0x00, KERNEL_LEN, "relocatable");
	refused(0x211, 0x00, KERNEL_LEN, "zImage");
	refused(0x232, 0x30, KERNEL_LEN, "kernel_alignment");  /* 0x300000 */
	refused(0x0, 0, PM_OFFSET + PM_SIZE - 1, "past the file");
	refused(0x0, 0, 0x200, "too short");
}

static int build(struct hvb_image *img, uint32_t mem_mb, uint32_t vcpus, size_t initrd_len,
		 const char *cmdline, char *err)
{
	static uint8_t *kr;
	static uint8_t *initrd;
	struct hvb_input in = {
		.memory_mb = mem_mb, .nr_vcpus = vcpus, .cmdline = cmdline,
	};

	if (!kr)
		kr = fake_kernel();
	if (!initrd)
		initrd = calloc(1, 64 * MiB);
	in.kernel = kr;
	in.kernel_len = KERNEL_LEN;
	in.initrd = initrd;
	in.initrd_len = initrd_len;
	return hvb_build(&in, img, err, 160);
}

static bool inside_ram(const struct hvb_image *img, uint64_t a, uint64_t len)
{
	for (unsigned i = 0; i < img->nr_ram; i++)
		if (a >= img->ram[i].gpa && a + len <= img->ram[i].gpa + img->ram[i].size)
			return true;
	return false;
}

static uint32_t e820_type_of(const struct hvb_image *img, uint64_t a, uint64_t len)
{
	for (unsigned i = 0; i < img->nr_e820; i++)
		if (a >= img->e820[i].addr && a + len <= img->e820[i].addr + img->e820[i].size)
			return img->e820[i].type;
	return 0;
}

static bool overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return a < b + bl && b < a + al;
}

/* Checks the invariants every layout must keep. */
static void check_layout(const struct hvb_image *img, uint32_t mem_mb)
{
	uint64_t ram = 0, populated = 0;
	unsigned i, j;

	/* Regions: no overlaps (the kernel's whole init_size counts), all in RAM. */
	for (i = 0; i < img->nr_regions; i++) {
		const struct hvb_region *r = &img->regions[i];
		uint64_t len = strcmp(r->what, "kernel") ? r->size : img->k.init_size;

		CHECK(r->size > 0);
		if (!inside_ram(img, r->gpa, len))
			unit_fail(__FILE__, __LINE__, "%s is outside guest RAM", r->what);
		uint32_t t = e820_type_of(img, r->gpa, len);
		if (t != (strcmp(r->what, "acpi") ? 1u : 3u))
			unit_fail(__FILE__, __LINE__, "%s lies in e820 type %u", r->what, t);
		for (j = 0; j < i; j++) {
			const struct hvb_region *o = &img->regions[j];
			uint64_t olen = strcmp(o->what, "kernel") ? o->size : img->k.init_size;

			if (overlap(r->gpa, len, o->gpa, olen))
				unit_fail(__FILE__, __LINE__, "%s overlaps %s", r->what, o->what);
		}
	}
	/* e820: sorted, disjoint, covered by populated memory, RAM <= memory. */
	for (i = 0; i < img->nr_e820; i++) {
		const struct hvb_e820 *e = &img->e820[i];

		CHECK(e->size > 0);
		if (i)
			CHECK(e->addr >= img->e820[i - 1].addr + img->e820[i - 1].size);
		CHECK(inside_ram(img, e->addr, e->size));
		if (e->type == 1)
			ram += e->size;
	}
	for (i = 0; i < img->nr_ram; i++) {
		populated += img->ram[i].size;
		CHECK(!overlap(img->ram[i].gpa, img->ram[i].size, 0xfec00000ull, 0x100000000ull - 0xfec00000ull));
	}
	CHECK_EQ(populated, (uint64_t)mem_mb * MiB);
	CHECK(ram <= populated);
	CHECK(ram >= populated - MiB); /* only the legacy hole is not RAM */
}

TEST(layout_256_mib_two_vcpus)
{
	static struct hvb_image img;
	char err[160] = "";

	REQUIRE(build(&img, 256, 2, 20 * MiB + 123, "console=ttyS0 quiet", err) == 0);
	check_layout(&img, 256);
	CHECK_EQ(img.nr_ram, 1);
	CHECK_EQ_HEX(img.kernel_gpa, 0x1000000);
	CHECK_EQ(img.initrd_gpa & 0xfff, 0);
	CHECK(img.initrd_gpa + 20 * MiB + 123 <= 256 * MiB);
	CHECK(img.initrd_gpa >= img.kernel_gpa + img.k.init_size);
	/* The kernel region is the file's protected-mode part. */
	CHECK_EQ(img.regions[5].data[0], 0x90);
	CHECK_STR(img.regions[5].what, "kernel");
	CHECK_EQ(img.regions[5].size, PM_SIZE);
}

TEST(boot_params_fields)
{
	static struct hvb_image img;
	const uint8_t *bp = img.boot_params;
	char err[160] = "";
	unsigned i;

	REQUIRE(build(&img, 256, 2, 5 * MiB, "console=ttyS0", err) == 0);
	CHECK_EQ_HEX(rd32(bp + 0x202), 0x53726448);        /* header copied */
	CHECK_EQ(bp[0x1f1], 39);
	CHECK_EQ(bp[0x210], 0xff);                         /* type_of_loader */
	CHECK(bp[0x211] & 1);                              /* LOADED_HIGH */
	CHECK_EQ_HEX(rd32(bp + 0x228), HVB_CMDLINE_GPA);
	CHECK_STR(img.cmdline, "console=ttyS0");
	CHECK_EQ_HEX(rd32(bp + 0x218), img.initrd_gpa);
	CHECK_EQ(rd32(bp + 0x21c), 5 * MiB);
	CHECK_EQ_HEX(rd64(bp + 0x070), HVB_ACPI_GPA);       /* acpi_rsdp_addr */
	CHECK_EQ(bp[0x1e8], img.nr_e820);
	for (i = 0; i < img.nr_e820; i++) {
		CHECK_EQ_HEX(rd64(bp + 0x2d0 + i * 20), img.e820[i].addr);
		CHECK_EQ_HEX(rd64(bp + 0x2d0 + i * 20 + 8), img.e820[i].size);
		CHECK_EQ(rd32(bp + 0x2d0 + i * 20 + 16), img.e820[i].type);
	}
	CHECK_EQ(bp[0x1f0], 0); /* nothing written past the header's end but our fields */
	CHECK_EQ(bp[0x26c], 0);
}

TEST(acpi_tables_list_the_vcpus_and_are_hardware_reduced)
{
	static struct hvb_image img;
	struct acpi_rsdp_info info;
	uint64_t addrs[4];
	char err[160] = "";

	REQUIRE(build(&img, 512, 4, 0, NULL, err) == 0);
	REQUIRE(acpi_rsdp_parse(img.acpi, 64, &info) == 36);
	CHECK_EQ(info.revision, 2);
	REQUIRE(info.xsdt_addr >= HVB_ACPI_GPA && info.xsdt_addr < HVB_ACPI_GPA + HVB_ACPI_SIZE);
	const uint8_t *xsdt = img.acpi + (info.xsdt_addr - HVB_ACPI_GPA);
	REQUIRE(acpi_sdt_entries(xsdt, HVB_ACPI_SIZE - (info.xsdt_addr - HVB_ACPI_GPA), addrs, 4) == 2);
	const uint8_t *madt = img.acpi + (addrs[0] - HVB_ACPI_GPA);
	const uint8_t *fadt = img.acpi + (addrs[1] - HVB_ACPI_GPA);
	long mlen = acpi_table_check(madt, 256, "APIC");
	CHECK_EQ(mlen, ACPI_MADT_FIXED + 4 * 8);
	CHECK_EQ_HEX(rd32(madt + 36), HVB_LAPIC_BASE);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(madt[44 + i * 8], ACPI_MADT_LAPIC);
		CHECK_EQ(madt[44 + i * 8 + 3], i);           /* APIC id */
		CHECK(rd32(madt + 44 + i * 8 + 4) & ACPI_MADT_LAPIC_ENABLED);
	}
	CHECK_EQ(acpi_table_check(fadt, ACPI_FADT_SIZE, "FACP"), ACPI_FADT_SIZE);
	CHECK(rd32(fadt + 112) & ACPI_FADT_HW_REDUCED);
	uint64_t dsdt = rd64(fadt + 140);                   /* X_DSDT */
	const uint8_t *d = img.acpi + (dsdt - HVB_ACPI_GPA);
	/* Header + the COM1 device (48 bytes of AML), checksum right. */
	CHECK_EQ(acpi_table_check(d, 256, "DSDT"), ACPI_HEADER_SIZE + 48);
	CHECK_MEM(d + 36, "\x10\x2f_SB_\x5b\x82\x28" "COM1", 13);
	CHECK_MEM(d + 36 + 18, "\x0c\x41\xd0\x05\x01", 5);          /* PNP0501 */
	CHECK_MEM(d + 36 + 38, "\x47\x01\xf8\x03\xf8\x03\x01\x08", 8); /* IO 0x3f8 */
	/* No initrd: no initrd region, ramdisk fields zero. */
	CHECK_EQ(img.nr_regions, 6);
	CHECK_EQ(rd32(img.boot_params + 0x21c), 0);
}

/* Walks the builder's page tables like the MMU (2 MiB leaves). */
static uint64_t translate(const struct hvb_image *img, uint64_t va)
{
	const uint8_t *pt = img->page_tables;
	uint64_t e = rd64(pt + ((va >> 39) & 511) * 8);

	if (!(e & 1))
		return ~0ull;
	e = rd64(pt + ((e & ~0xfffull) - HVB_PT_GPA) + ((va >> 30) & 511) * 8);
	if (!(e & 1))
		return ~0ull;
	e = rd64(pt + ((e & ~0xfffull) - HVB_PT_GPA) + ((va >> 21) & 511) * 8);
	if (!(e & 1) || !(e & 0x80))
		return ~0ull;
	return (e & ~0x1fffffull) + (va & 0x1fffff);
}

TEST(page_tables_map_4_gib_one_to_one_and_registers_enter_64_bit)
{
	static struct hvb_image img;
	char err[160] = "";

	REQUIRE(build(&img, 256, 1, 1 * MiB, "", err) == 0);
	CHECK_EQ_HEX(translate(&img, 0), 0);
	CHECK_EQ_HEX(translate(&img, img.regs.rip), img.regs.rip);
	CHECK_EQ_HEX(translate(&img, HVB_BOOT_PARAMS + 5), HVB_BOOT_PARAMS + 5);
	CHECK_EQ_HEX(translate(&img, img.initrd_gpa), img.initrd_gpa);
	CHECK_EQ_HEX(translate(&img, 0xfee00000), 0xfee00000);
	CHECK_EQ_HEX(translate(&img, 0x100000000ull), ~0ull);
	CHECK_EQ_HEX(img.regs.rip, 0x1000200);
	CHECK_EQ_HEX(img.regs.gpr[6], HVB_BOOT_PARAMS);
	CHECK_EQ_HEX(img.regs.cr3, HVB_PT_GPA);
	CHECK_EQ_HEX(img.regs.efer & 0x500, 0x500);
	CHECK(img.regs.cr0 & 0x80000001);
	CHECK(img.regs.cr4 & 0x20);
	CHECK_EQ(img.regs.rflags & 0x200, 0);          /* interrupts off */
	CHECK_EQ(img.regs.seg[CAIRN_SEG_CS].selector, HVB_BOOT_CS);
	CHECK(img.regs.seg[CAIRN_SEG_CS].attr & 0x200); /* L */
	CHECK_EQ(img.regs.seg[CAIRN_SEG_DS].selector, HVB_BOOT_DS);
	CHECK_EQ_HEX(rd64(img.gdt + HVB_BOOT_CS) >> 40 & 0xff, 0x9b);
	CHECK_EQ(img.regs.gdtr_base, HVB_GDT_GPA);
	/* The hypervisor's VCPU_SET_STATE checks accept it. */
	CHECK_EQ(domctl_check_regs(&img.regs), 0);
}

TEST(memory_above_3_gib_goes_above_4_gib)
{
	static struct hvb_image img;
	char err[160] = "";

	REQUIRE(build(&img, 4096, 2, 30 * MiB, "", err) == 0);
	check_layout(&img, 4096);
	CHECK_EQ(img.nr_ram, 2);
	CHECK_EQ_HEX(img.ram[1].gpa, 0x100000000ull);
	CHECK_EQ(img.ram[1].size, 1024 * MiB);
	CHECK_EQ_HEX(img.e820[img.nr_e820 - 1].addr, 0x100000000ull);
	CHECK(img.initrd_gpa + 30 * MiB <= 0x80000000ull); /* initrd_addr_max */
}

TEST(refusals)
{
	static struct hvb_image img;
	static char longcmd[3000];
	char err[160] = "";

	CHECK_EQ(build(&img, 64, 1, 0, "", err), -ENOSPC);   /* init_size is ~64 MiB */
	CHECK(strstr(err, "not enough") != NULL);
	CHECK_EQ(build(&img, 96, 1, 40 * MiB, "", err), -ENOSPC);
	CHECK(strstr(err, "initrd") != NULL);
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	CHECK_EQ(build(&img, 256, 1, 0, longcmd, err), -EINVAL);
	CHECK(strstr(err, "2047") != NULL);
	CHECK_EQ(build(&img, 256, 0, 0, "", err), -EINVAL);
	CHECK_EQ(build(&img, 256, 17, 0, "", err), -EINVAL);
	CHECK_EQ(build(&img, 8, 1, 0, "", err), -EINVAL);
}
