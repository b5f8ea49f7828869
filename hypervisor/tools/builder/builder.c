/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * builder.c — bzImage parsing and guest-physical layout for a domU.
 *
 * Design: hvb_build() runs in fixed steps, each one short: parse the kernel,
 * place the kernel and the initrd in RAM, then write the e820 map, the ACPI
 * tables, the page tables, the GDT, the command line and boot_params into the
 * image's own buffers, then list the regions to load and vCPU 0's registers.
 * Every multi-byte field is read and written through little-endian helpers at
 * explicit offsets, never through a structure laid over the kernel's bytes. The
 * kernel image is untrusted input: every offset taken from it is checked
 * against its length first.
 */
#include "builder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "acpi_build.h"

/* Setup header offsets (boot.rst). */
#define SH_SETUP_SECTS   0x1f1
#define SH_SYSSIZE       0x1f4
#define SH_BOOT_FLAG     0x1fe
#define SH_JUMP          0x200
#define SH_HEADER        0x202
#define SH_VERSION       0x206
#define SH_TYPE_OF_LOADER 0x210
#define SH_LOADFLAGS     0x211
#define SH_RAMDISK_IMAGE 0x218
#define SH_RAMDISK_SIZE  0x21c
#define SH_CMD_LINE_PTR  0x228
#define SH_INITRD_MAX    0x22c
#define SH_KERNEL_ALIGN  0x230
#define SH_RELOCATABLE   0x234
#define SH_XLOADFLAGS    0x236
#define SH_CMDLINE_SIZE  0x238
#define SH_PREF_ADDRESS  0x258
#define SH_INIT_SIZE     0x260
#define SH_MIN_END       0x264   /* protocol 2.12 headers reach at least here */

/* boot_params offsets outside the header. */
#define BP_ACPI_RSDP     0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES  0x1e8
#define BP_E820_TABLE    0x2d0
#define BP_E820_MAX      128

#define LOADED_HIGH      0x01
#define XLF_KERNEL_64    0x01
#define HDRS_MAGIC       0x53726448u /* "HdrS" */

/* ACPI table placement inside the ACPI page. */
#define ACPI_RSDP_OFF 0x000
#define ACPI_XSDT_OFF 0x040
#define ACPI_MADT_OFF 0x100
#define ACPI_FADT_OFF 0x200
#define ACPI_DSDT_OFF 0x400

/* VMCB segment attributes (packed form). */
#define ATTR_CODE64 0xa9b /* G, L, P, S, type 0xb */
#define ATTR_DATA   0xc93 /* G, D/B, P, S, type 0x3 */
#define ATTR_TSS64  0x08b /* P, busy 64-bit TSS */
#define ATTR_LDT    0x082

#define CR0_PE 0x1ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* ---- the setup header ---- */

static int check_header_magic(const uint8_t *kr, size_t len, char *err, size_t errlen)
{
	if (len < SH_MIN_END + 0x10)
		return fail(err, errlen, "kernel: %zu bytes is too short for a bzImage", len);
	if (get16(kr + SH_BOOT_FLAG) != 0xaa55)
		return fail(err, errlen, "kernel: no boot flag 0xaa55 at 0x1fe: not a bzImage");
	if (get32(kr + SH_HEADER) != HDRS_MAGIC)
		return fail(err, errlen, "kernel: no \"HdrS\" setup header: not a bzImage");
	if (get16(kr + SH_VERSION) < 0x020c)
		return fail(err, errlen, "kernel: boot protocol %u.%u, need 2.12 or later",
			    get16(kr + SH_VERSION) >> 8, get16(kr + SH_VERSION) & 0xff);
	return 0;
}

static void read_header(const uint8_t *kr, struct hvb_kernel *k)
{
	memset(k, 0, sizeof(*k));
	k->version = get16(kr + SH_VERSION);
	k->setup_sects = kr[SH_SETUP_SECTS] ? kr[SH_SETUP_SECTS] : 4;
	k->loadflags = kr[SH_LOADFLAGS];
	k->xloadflags = get16(kr + SH_XLOADFLAGS);
	k->kernel_alignment = get32(kr + SH_KERNEL_ALIGN);
	k->initrd_addr_max = get32(kr + SH_INITRD_MAX);
	k->cmdline_size = get32(kr + SH_CMDLINE_SIZE);
	k->pref_address = get64(kr + SH_PREF_ADDRESS);
	k->init_size = get32(kr + SH_INIT_SIZE);
	k->hdr_end = SH_HEADER + kr[SH_JUMP + 1];
	k->pm_offset = ((size_t)k->setup_sects + 1) * 512;
	k->pm_size = (size_t)get32(kr + SH_SYSSIZE) * 16;
}

int hvb_parse_kernel(const uint8_t *kr, size_t len, struct hvb_kernel *k, char *err,
		     size_t errlen)
{
	int rc = check_header_magic(kr, len, err, errlen);

	if (rc)
		return rc;
	read_header(kr, k);
	if (!(k->xloadflags & XLF_KERNEL_64))
		return fail(err, errlen, "kernel: no 64-bit entry point (xloadflags %#x)",
			    k->xloadflags);
	if (!kr[SH_RELOCATABLE])
		return fail(err, errlen, "kernel: not relocatable");
	if (k->hdr_end < SH_MIN_END || k->hdr_end > 0x280 || k->hdr_end > len)
		return fail(err, errlen, "kernel: setup header ends at %#zx", k->hdr_end);
	if (!(k->loadflags & LOADED_HIGH))
		return fail(err, errlen, "kernel: not a bzImage (zImage loads low)");
	if (k->kernel_alignment < 0x1000 || (k->kernel_alignment & (k->kernel_alignment - 1)))
		return fail(err, errlen, "kernel: kernel_alignment %#x is not a power of two >= 4 KiB",
			    k->kernel_alignment);
	if (!k->pm_size || k->pm_offset > len || k->pm_size > len - k->pm_offset)
		return fail(err, errlen, "kernel: protected-mode part (%zu bytes at %#zx) runs past the file (%zu bytes)",
			    k->pm_size, k->pm_offset, len);
	if (k->init_size < k->pm_size || k->init_size > 1u << 30)
		return fail(err, errlen, "kernel: init_size %#x is out of range", k->init_size);
	return 0;
}

/* ---- placement ---- */

static uint64_t low_ram_end(uint32_t memory_mb)
{
	uint64_t mem = (uint64_t)memory_mb << 20;

	return mem < HVB_LOWMEM_MAX ? mem : HVB_LOWMEM_MAX;
}

static int place_kernel_initrd(const struct hvb_input *in, struct hvb_image *out, char *err,
			       size_t errlen)
{
	uint64_t low_end = low_ram_end(in->memory_mb), kend, top;
	const struct hvb_kernel *k = &out->k;

	out->kernel_gpa = align_up(k->pref_address < HVB_HIGH_MEM ? HVB_HIGH_MEM : k->pref_address,
				   k->kernel_alignment);
	kend = out->kernel_gpa + k->init_size;
	if (kend > low_end) {
		snprintf(err, errlen, "kernel needs %llu MiB from %#llx; %u MiB of memory is not enough",
			 (unsigned long long)(k->init_size >> 20),
			 (unsigned long long)out->kernel_gpa, in->memory_mb);
		return -ENOSPC;
	}
	if (!in->initrd_len)
		return 0;
	top = low_end;
	if (top > (uint64_t)k->initrd_addr_max + 1)
		top = (uint64_t)k->initrd_addr_max + 1;
	if (in->initrd_len > top || ((top - in->initrd_len) & ~0xfffull) < kend) {
		snprintf(err, errlen, "initrd (%zu MiB) does not fit above the kernel in %u MiB",
			 in->initrd_len >> 20, in->memory_mb);
		return -ENOSPC;
	}
	out->initrd_gpa = (top - in->initrd_len) & ~0xfffull;
	return 0;
}

static void add_e820(struct hvb_image *out, uint64_t addr, uint64_t end, uint32_t type)
{
	struct hvb_e820 *e = &out->e820[out->nr_e820++];

	e->addr = addr;
	e->size = end - addr;
	e->type = type;
}

static void layout_memory(const struct hvb_input *in, struct hvb_image *out)
{
	uint64_t mem = (uint64_t)in->memory_mb << 20, low_end = low_ram_end(in->memory_mb);

	out->ram[out->nr_ram++] = (struct hvb_range){ 0, low_end };
	if (mem > low_end)
		out->ram[out->nr_ram++] = (struct hvb_range){ HVB_4G, mem - low_end };
	add_e820(out, 0, HVB_LOW_RAM_END, 1);
	add_e820(out, HVB_LOW_RAM_END, HVB_ACPI_GPA, 2);
	add_e820(out, HVB_ACPI_GPA, HVB_ACPI_GPA + HVB_ACPI_SIZE, 3);
	add_e820(out, HVB_ACPI_GPA + HVB_ACPI_SIZE, HVB_HIGH_MEM, 2);
	add_e820(out, HVB_HIGH_MEM, low_end, 1);
	if (mem > low_end)
		add_e820(out, HVB_4G, HVB_4G + mem - low_end, 1);
}

/* ---- tables ---- */

/*
 * The DSDT's AML: COM1 as an ACPI device with its ports and no interrupt, so
 * Linux's 8250 PNP driver takes the port in polling mode (a domU has no PIC
 * or I/O APIC to route IRQ 4 through). Compiled by iasl from:
 *   Scope (\_SB) { Device (COM1) {
 *     Name (_HID, EisaId ("PNP0501"))
 *     Name (_UID, One)
 *     Name (_CRS, ResourceTemplate () { IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08) })
 *   } }
 */
static const uint8_t dsdt_aml[] = {
	0x10, 0x2f, '_', 'S', 'B', '_',                         /* Scope (_SB_) */
	0x5b, 0x82, 0x28, 'C', 'O', 'M', '1',                   /* Device (COM1) */
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01, /* EisaId PNP0501 */
	0x08, '_', 'U', 'I', 'D', 0x01,                         /* One */
	0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a,       /* Buffer (10) */
	0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,         /* IO 0x3f8, 8 ports */
	0x79, 0x00,                                             /* End tag */
};

/* acpi_build_dsdt_min()'s header with dsdt_aml appended; length and checksum fixed. */
static long build_dsdt(uint8_t *out, size_t out_size)
{
	long rc = acpi_build_dsdt_min(out, out_size);
	uint32_t len = ACPI_HEADER_SIZE + sizeof(dsdt_aml);

	if (rc <= 0)
		return rc;
	if (out_size < len)
		return -ACPI_ENOSPC;
	memcpy(out + ACPI_HEADER_SIZE, dsdt_aml, sizeof(dsdt_aml));
	put32(out + 4, len);
	out[9] = 0;
	out[9] = (uint8_t)(0x100 - acpi_checksum(out, len));
	return len;
}

static int build_acpi(const struct hvb_input *in, struct hvb_image *out, char *err,
		      size_t errlen)
{
	uint8_t *a = out->acpi;
	uint64_t tables[2] = { HVB_ACPI_GPA + ACPI_MADT_OFF, HVB_ACPI_GPA + ACPI_FADT_OFF };
	long rc;

	rc = acpi_build_madt_vcpus(in->nr_vcpus, HVB_LAPIC_BASE, a + ACPI_MADT_OFF,
				   ACPI_FADT_OFF - ACPI_MADT_OFF);
	if (rc > 0)
		rc = acpi_build_fadt_hw_reduced(HVB_ACPI_GPA + ACPI_DSDT_OFF, a + ACPI_FADT_OFF,
						ACPI_DSDT_OFF - ACPI_FADT_OFF);
	if (rc > 0)
		rc = build_dsdt(a + ACPI_DSDT_OFF, HVB_ACPI_SIZE - ACPI_DSDT_OFF);
	if (rc > 0)
		rc = acpi_build_xsdt(tables, 2, a + ACPI_XSDT_OFF, ACPI_MADT_OFF - ACPI_XSDT_OFF);
	if (rc > 0)
		rc = acpi_build_rsdp(HVB_ACPI_GPA + ACPI_XSDT_OFF, 0, a + ACPI_RSDP_OFF,
				     ACPI_XSDT_OFF - ACPI_RSDP_OFF);
	if (rc <= 0)
		return fail(err, errlen, "ACPI tables: error %ld", rc);
	return 0;
}

/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; each PD maps 1 GiB in 2 MiB pages. */
static void build_page_tables(struct hvb_image *out)
{
	uint8_t *pt = out->page_tables;
	unsigned i;

	put64(pt, (HVB_PT_GPA + 0x1000) | 0x3);
	for (i = 0; i < 4; i++)
		put64(pt + 0x1000 + i * 8, (HVB_PT_GPA + 0x2000 + i * 0x1000ull) | 0x3);
	for (i = 0; i < 4 * 512; i++)
		put64(pt + 0x2000 + i * 8, ((uint64_t)i << 21) | 0x83); /* P, RW, PS */
}

static void build_gdt(struct hvb_image *out)
{
	put64(out->gdt + HVB_BOOT_CS, 0x00af9b000000ffffull); /* 64-bit code */
	put64(out->gdt + HVB_BOOT_DS, 0x00cf93000000ffffull); /* flat data */
}

static int build_cmdline(const struct hvb_input *in, struct hvb_image *out, char *err,
			 size_t errlen)
{
	const char *c = in->cmdline ? in->cmdline : "";
	size_t len = strlen(c);

	if (len > out->k.cmdline_size || len >= sizeof(out->cmdline))
		return fail(err, errlen, "command line: %zu bytes, the kernel takes at most %u",
			    len, out->k.cmdline_size < sizeof(out->cmdline) - 1 ?
			    out->k.cmdline_size : (unsigned)sizeof(out->cmdline) - 1);
	memcpy(out->cmdline, c, len + 1);
	return 0;
}

static void build_boot_params(const struct hvb_input *in, struct hvb_image *out)
{
	uint8_t *bp = out->boot_params;
	unsigned i;

	memcpy(bp + SH_SETUP_SECTS, in->kernel + SH_SETUP_SECTS, out->k.hdr_end - SH_SETUP_SECTS);
	bp[SH_TYPE_OF_LOADER] = 0xff;
	bp[SH_LOADFLAGS] |= LOADED_HIGH;
	put32(bp + SH_CMD_LINE_PTR, (uint32_t)HVB_CMDLINE_GPA);
	put32(bp + BP_EXT_CMD_LINE_PTR, 0);
	put32(bp + SH_RAMDISK_IMAGE, (uint32_t)out->initrd_gpa);
	put32(bp + SH_RAMDISK_SIZE, (uint32_t)in->initrd_len);
	put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(out->initrd_gpa >> 32));
	put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)in->initrd_len >> 32));
	put64(bp + BP_ACPI_RSDP, HVB_ACPI_GPA + ACPI_RSDP_OFF);
	bp[BP_E820_ENTRIES] = (uint8_t)out->nr_e820;
	for (i = 0; i < out->nr_e820; i++) {
		put64(bp + BP_E820_TABLE + i * 20, out->e820[i].addr);
		put64(bp + BP_E820_TABLE + i * 20 + 8, out->e820[i].size);
		put32(bp + BP_E820_TABLE + i * 20 + 16, out->e820[i].type);
	}
}

static void set_seg(struct cairn_segment *s, uint32_t sel, uint32_t attr, uint32_t limit)
{
	s->selector = sel;
	s->attr = attr;
	s->limit = limit;
	s->base = 0;
}

/* vCPU 0 at the 64-bit entry: long mode, paging on, RSI = boot_params. */
static void build_regs(struct hvb_image *out)
{
	struct cairn_vcpu_regs *r = &out->regs;
	unsigned s;

	memset(r, 0, sizeof(*r));
	r->rip = out->kernel_gpa + 0x200;
	r->gpr[6] = HVB_BOOT_PARAMS;           /* RSI */
	r->gpr[4] = HVB_STACK_TOP;             /* RSP */
	r->rflags = 0x2;                       /* IF clear */
	r->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	r->cr3 = HVB_PT_GPA;
	r->cr4 = CR4_PAE;
	r->efer = EFER_LME | EFER_LMA;
	r->gdtr_base = HVB_GDT_GPA;
	r->gdtr_limit = sizeof(out->gdt) - 1;
	for (s = 0; s < CAIRN_NR_SEGS; s++)
		set_seg(&r->seg[s], HVB_BOOT_DS, ATTR_DATA, 0xffffffff);
	set_seg(&r->seg[CAIRN_SEG_CS], HVB_BOOT_CS, ATTR_CODE64, 0xffffffff);
	set_seg(&r->seg[CAIRN_SEG_TR], 0, ATTR_TSS64, 0x67);
	set_seg(&r->seg[CAIRN_SEG_LDTR], 0, ATTR_LDT, 0xffff);
}

static void add_region(struct hvb_image *out, uint64_t gpa, const void *data, size_t size,
		       const char *what)
{
	out->regions[out->nr_regions++] = (struct hvb_region){ gpa, data, size, what };
}

static void list_regions(const struct hvb_input *in, struct hvb_image *out)
{
	add_region(out, HVB_GDT_GPA, out->gdt, sizeof(out->gdt), "gdt");
	add_region(out, HVB_BOOT_PARAMS, out->boot_params, sizeof(out->boot_params),
		   "boot_params");
	add_region(out, HVB_CMDLINE_GPA, out->cmdline, strlen(out->cmdline) + 1, "cmdline");
	add_region(out, HVB_PT_GPA, out->page_tables, sizeof(out->page_tables), "page tables");
	add_region(out, HVB_ACPI_GPA, out->acpi, sizeof(out->acpi), "acpi");
	add_region(out, out->kernel_gpa, in->kernel + out->k.pm_offset, out->k.pm_size, "kernel");
	if (in->initrd_len)
		add_region(out, out->initrd_gpa, in->initrd, in->initrd_len, "initrd");
}

int hvb_build(const struct hvb_input *in, struct hvb_image *out, char *err, size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (in->nr_vcpus < 1 || in->nr_vcpus > CAIRN_DOMCTL_MAX_VCPUS)
		return fail(err, errlen, "vcpus: %u, must be 1..%u", in->nr_vcpus,
			    CAIRN_DOMCTL_MAX_VCPUS);
	if (in->memory_mb < CAIRN_DOMCTL_MIN_MEMORY_MB ||
	    in->memory_mb > CAIRN_DOMCTL_MAX_MEMORY_MB)
		return fail(err, errlen, "memory: %u MiB, must be %u..%u", in->memory_mb,
			    CAIRN_DOMCTL_MIN_MEMORY_MB, CAIRN_DOMCTL_MAX_MEMORY_MB);
	if (in->initrd_len && !in->initrd)
		return fail(err, errlen, "initrd: length without data");
	rc = hvb_parse_kernel(in->kernel, in->kernel_len, &out->k, err, errlen);
	if (!rc)
		rc = build_cmdline(in, out, err, errlen);
	if (!rc)
		rc = place_kernel_initrd(in, out, err, errlen);
	if (!rc)
		rc = build_acpi(in, out, err, errlen);
	if (rc)
		return rc;
	layout_memory(in, out);
	build_page_tables(out);
	build_gdt(out);
	build_boot_params(in, out);
	build_regs(out);
	list_regions(in, out);
	return 0;
}
