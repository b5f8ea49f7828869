/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0.c — building dom0 and starting it through the Linux 64-bit boot protocol.
 *
 * Design: dom0 is a passthrough partition. Its guest-physical space is the host's,
 * 1:1: the nested tables map its RAM and everything that is not RAM (MMIO,
 * firmware tables) with the largest pages possible, and leave out the
 * hypervisor's image and the pool (whose pages back the hypervisor's data and,
 * later, domUs). The builder, all in dom0's own RAM:
 *   - a 64 KiB boot area low in memory: boot_params, the command line, a GDT
 *     with __BOOT_CS/__BOOT_DS, identity page tables for the first 4 GiB, a
 *     stack, and dom0's ACPI tables (RSDP, XSDT, a MADT with dom0's CPUs only),
 *     the latter marked ACPI in dom0's e820;
 *   - the kernel's protected-mode part at a 2 MiB-aligned address >= 16 MiB;
 *   - the initrd as high as it may go below 4 GiB.
 * None of these overlaps the multiboot2 modules or boot information they are
 * copied from.
 */
#include "acpi.h"
#include "apic.h"
#include "boot.h"
#include "cpu.h"
#include "hvm.h"
#include "percpu.h"

#define BP_ACPI_RSDP   0x070
#define BP_EXT_RD_IMG  0x0c0
#define BP_EXT_RD_SIZE 0x0c4
#define BP_EXT_CMDLINE 0x0c8
#define BP_E820_COUNT  0x1e8
#define BP_HDR         0x1f1
#define BP_E820_TABLE  0x2d0

#define HDR_SETUP_SECTS 0x1f1
#define HDR_MAGIC       0x202
#define HDR_VERSION     0x206
#define HDR_LOADER      0x210
#define HDR_LOADFLAGS   0x211
#define HDR_CODE32      0x214
#define HDR_RD_IMAGE    0x218
#define HDR_RD_SIZE     0x21c
#define HDR_CMDLINE     0x228
#define HDR_RD_MAX      0x22c
#define HDR_ALIGN       0x230
#define HDR_RELOC       0x234
#define HDR_XLOADFLAGS  0x236
#define HDR_CMDLINE_SZ  0x238
#define HDR_PREF_ADDR   0x258
#define HDR_INIT_SIZE   0x260

#define AREA_SIZE   0x10000
#define AREA_BP     0x0000
#define AREA_CMD    0x1000
#define AREA_GDT    0x2000
#define AREA_PML4   0x3000
#define AREA_PDPT   0x4000
#define AREA_PD     0x5000 /* 4 pages */
#define AREA_STACK  0xa000 /* top of the stack page */
#define AREA_ACPI   0xa000
#define AREA_ACPI_SIZE (AREA_SIZE - AREA_ACPI)

u64 dom0_pages_total, hv_pages_total;

static struct domain dom0;
static struct vcpu dom0_vcpu;

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static void wr32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

/*
 * Maps everything below 2^phys_bits except the hypervisor's memory and the pool.
 * Firmware may place 64-bit PCI BARs near the top of the physical address space
 * (OVMF puts them at 0xe000000000 and up with 40 address bits), so the map goes as
 * high as the CPU reports, up to the 48 bits four-level tables can reach.
 */
static void dom0_npt(const struct boot_info *bi)
{
	static struct mem_range map[E820_MAX];
	u64 top = 1ull << MIN(bi->phys_bits, 48u);
	int n = 1;

	map[0] = (struct mem_range){ 0, top };
	for (unsigned i = 0; i < bi->nr_hv && n >= 0; i++)
		n = ranges_subtract(map, (unsigned)n, E820_MAX, bi->hv[i].start, bi->hv[i].end);
	for (unsigned i = 0; i < bi->plan->nr_pool && n >= 0; i++)
		n = ranges_subtract(map, (unsigned)n, E820_MAX, bi->plan->pool[i].start,
				    bi->plan->pool[i].end);
	if (n < 0)
		panic("dom0_npt: too many holes");
	for (int i = 0; i < n; i++)
		if (npt_map(&dom0.npt_root, map[i].start, map[i].start, map[i].end - map[i].start))
			panic("dom0_npt: out of memory");
	pr_info("dom0 nested page tables: %d ranges mapped 1:1 up to %#llx with %llu 1G, %llu 2M and %llu 4K pages",
		n, (unsigned long long)top, (unsigned long long)npt_pages_mapped[3],
		(unsigned long long)npt_pages_mapped[2], (unsigned long long)npt_pages_mapped[1]);
}

/* Where dom0's pieces go: AT is found in dom0's RAM, overlapping nothing in AVOID. */
static u64 place(const struct boot_info *bi, struct mem_range *avoid, unsigned *n_avoid,
		 u64 size, u64 align, u64 lo, u64 hi, bool top_down, const char *what)
{
	u64 at;

	if (!ranges_find(dom0.ram, dom0.nr_ram, avoid, *n_avoid, size, align, lo, hi, top_down,
			 &at))
		panic("dom0: no room for the %s (%llu bytes) in dom0's memory", what,
		      (unsigned long long)size);
	avoid[(*n_avoid)++] = (struct mem_range){ at, at + size };
	return at;
}

static void build_cmdline(const struct boot_info *bi, char *out, size_t size, bool smp_ok)
{
	const char *s = bi->mb->modules[0].string;

	/* GRUB may pass the module's path first: skip it. */
	while (*s == ' ')
		s++;
	if (*s == '/') {
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	strlcpy(out, s, size);
	if (!smp_ok && strlen(out) + 8 < size)
		memcpy(out + strlen(out), " nosmp", 7);
}

static void guest_page_tables(u8 *area, u64 area_pa)
{
	u64 *pml4 = (u64 *)(area + AREA_PML4), *pdpt = (u64 *)(area + AREA_PDPT);
	u64 *pd = (u64 *)(area + AREA_PD);

	pml4[0] = (area_pa + AREA_PDPT) | 3;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (area_pa + AREA_PD + i * PAGE_SIZE) | 3;
	for (unsigned i = 0; i < 4 * 512; i++)
		pd[i] = (u64)i * 2 * MiB | 0x83;
}

static void guest_gdt(u8 *area)
{
	u64 *gdt = (u64 *)(area + AREA_GDT);

	gdt[2] = 0x00af9a000000ffffull; /* __BOOT_CS 0x10 */
	gdt[3] = 0x00cf92000000ffffull; /* __BOOT_DS 0x18 */
}

static void check_bzimage(const u8 *k, u64 len)
{
	if (len < 0x1000 || rd32(k + HDR_MAGIC) != 0x53726448 /* "HdrS" */)
		panic("dom0: module 1 is not a Linux bzImage");
	if (rd16(k + HDR_VERSION) < 0x20c || !(rd16(k + HDR_XLOADFLAGS) & 1) || !k[HDR_RELOC])
		panic("dom0: the kernel needs boot protocol >= 2.12, a 64-bit entry and relocation");
}

static void write_e820(u8 *bp, const struct boot_info *bi, u64 acpi_pa)
{
	static struct e820_entry map[E820_MAX];
	unsigned n = bi->plan->nr_dom0_map;
	int rc;

	memcpy(map, bi->plan->dom0_map, n * sizeof(map[0]));
	rc = e820_set_type(map, n, E820_MAX, acpi_pa, acpi_pa + AREA_ACPI_SIZE, E820_ACPI);
	if (rc < 0)
		panic("dom0: e820 too long");
	bp[BP_E820_COUNT] = (u8)rc;
	for (int i = 0; i < rc; i++) {
		u8 *e = bp + BP_E820_TABLE + 20 * i;

		memcpy(e, &map[i].addr, 8);
		memcpy(e + 8, &map[i].size, 8);
		wr32(e + 16, map[i].type);
		pr_debug("dom0 e820: %#014llx-%#014llx type %u", (unsigned long long)map[i].addr,
			 (unsigned long long)(map[i].addr + map[i].size), map[i].type);
	}
}

static bool dom0_acpi(u8 *area, u64 area_pa, u8 *bp)
{
	u32 keep = cpus[0]->apic_id;
	u64 rsdp = 0;
	int rc = acpi_build_dom0(area + AREA_ACPI, area_pa + AREA_ACPI, AREA_ACPI_SIZE, &keep, 1,
				 &rsdp);

	if (rc) {
		pr_warn("dom0: no filtered MADT (%d); dom0 gets the firmware's and nosmp", rc);
		if (acpi.rsdp_len) { /* at least a reachable RSDP (UEFI has no BIOS area) */
			memcpy(area + AREA_ACPI, acpi.rsdp, acpi.rsdp_len);
			rsdp = area_pa + AREA_ACPI;
		}
	}
	memcpy(bp + BP_ACPI_RSDP, &rsdp, 8);
	return rc == 0;
}

/* Where the builder put things, in dom0's (== host) physical addresses. */
struct dom0_layout {
	const u8 *k;      /* the bzImage, where GRUB left it */
	u64 klen;         /* its size */
	u64 kpayload;     /* offset of the protected-mode kernel in it */
	u64 ksize;        /* room the kernel needs (init_size) */
	u64 kaddr;        /* where the protected-mode kernel goes */
	u64 area_pa;      /* the boot area */
	u64 rd_pa;        /* the initrd, 0 if none */
	u64 rd_len;
};

static void dom0_domain_init(const struct boot_info *bi)
{
	dom0.id = 0;
	memcpy(dom0.ram, bi->plan->dom0_ram, bi->plan->nr_dom0_ram * sizeof(dom0.ram[0]));
	dom0.nr_ram = bi->plan->nr_dom0_ram;
	dom0.scratch_pa = page_alloc(0);
	if (!dom0.scratch_pa)
		panic("dom0: out of memory");
	dom0_npt(bi);
	dom0_pages_total = bi->plan->dom0_bytes >> PAGE_SHIFT;
}

/* Chooses the boot area, kernel and initrd addresses and copies kernel and initrd. */
static void dom0_load(const struct boot_info *bi, struct dom0_layout *l)
{
	const struct mb2_info *mb = bi->mb;
	struct mem_range avoid[MB2_MAX_MODULES + 8];
	unsigned na = bi->nr_avoid;
	u64 align, rd_max;

	memcpy(avoid, bi->avoid, na * sizeof(avoid[0]));
	l->k = va(mb->modules[0].start);
	l->klen = mb->modules[0].end - mb->modules[0].start;
	check_bzimage(l->k, l->klen);
	l->kpayload = ((u64)(l->k[HDR_SETUP_SECTS] ? l->k[HDR_SETUP_SECTS] : 4) + 1) * 512;
	l->ksize = MAX((u64)rd32(l->k + HDR_INIT_SIZE), l->klen - l->kpayload);
	align = MAX((u64)rd32(l->k + HDR_ALIGN), 2 * MiB);

	l->area_pa = place(bi, avoid, &na, AREA_SIZE, AREA_SIZE, 0x10000, 0x100000, false,
			   "boot area");
	l->kaddr = place(bi, avoid, &na, ALIGN_UP(l->ksize, 2 * MiB), align, 16 * MiB, 4 * GiB,
			 false, "kernel");
	if (mb->nr_modules > 1) {
		l->rd_len = mb->modules[1].end - mb->modules[1].start;
		rd_max = MIN((u64)rd32(l->k + HDR_RD_MAX) + 1, 4 * GiB);
		l->rd_pa = place(bi, avoid, &na, ALIGN_UP(l->rd_len, PAGE_SIZE), PAGE_SIZE, 1 * MiB,
				 rd_max, true, "initrd");
		memcpy(va(l->rd_pa), va(mb->modules[1].start), l->rd_len);
	}
	memcpy(va(l->kaddr), l->k + l->kpayload, l->klen - l->kpayload);
}

/* boot_params, command line, e820, ACPI, page tables and GDT in the boot area. */
static void dom0_boot_area(const struct boot_info *bi, const struct dom0_layout *l)
{
	u8 *area = va(l->area_pa), *bp = area + AREA_BP;
	char *cmd = (char *)area + AREA_CMD;
	bool smp_ok;

	memset(area, 0, AREA_SIZE);
	memcpy(bp + BP_HDR, l->k + BP_HDR, 0x202 + l->k[0x201] - BP_HDR);
	bp[HDR_LOADER] = 0xff;
	wr32(bp + HDR_CODE32, (u32)l->kaddr);
	wr32(bp + HDR_RD_IMAGE, (u32)l->rd_pa);
	wr32(bp + HDR_RD_SIZE, (u32)l->rd_len);
	wr32(bp + HDR_CMDLINE, (u32)(l->area_pa + AREA_CMD));
	smp_ok = dom0_acpi(area, l->area_pa, bp);
	build_cmdline(bi, cmd, MIN((u64)rd32(l->k + HDR_CMDLINE_SZ) + 1, PAGE_SIZE), smp_ok);
	write_e820(bp, bi, l->area_pa + AREA_ACPI);
	guest_page_tables(area, l->area_pa);
	guest_gdt(area);
	pr_info("dom0: %llu MiB RAM, kernel %llu KiB at %#llx (init size %llu KiB), initrd %llu KiB at %#llx",
		(unsigned long long)(bi->plan->dom0_bytes >> 20), (unsigned long long)(l->klen >> 10),
		(unsigned long long)l->kaddr, (unsigned long long)(l->ksize >> 10),
		(unsigned long long)(l->rd_len >> 10), (unsigned long long)l->rd_pa);
	pr_info("dom0: command line \"%s\"", cmd);
}

void dom0_start(const struct boot_info *bi)
{
	struct dom0_layout l = { 0 };
	struct vcpu_boot vb;

	if (bi->mb->nr_modules < 1)
		panic("dom0: no kernel module (module2 <bzImage> <cmdline>)");
	dom0_domain_init(bi);
	dom0_load(bi, &l);
	dom0_boot_area(bi, &l);
	/* The Linux 64-bit entry: flat __BOOT_CS/__BOOT_DS, paging on, RSI = boot_params. */
	vb = (struct vcpu_boot){
		.rip = l.kaddr + 0x200, .rsp = l.area_pa + AREA_STACK, .rsi = l.area_pa + AREA_BP,
		.rflags = 2, .cr0 = CR0_PG | CR0_NE | CR0_ET | CR0_PE, .cr3 = l.area_pa + AREA_PML4,
		.cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA, .gdt_base = l.area_pa + AREA_GDT,
		.gdt_limit = 0x1f, .cs = 0x10, .ds = 0x18,
	};
	dom0_vcpu.dom = &dom0;
	if (hvm->vcpu_init(&dom0_vcpu, &vb))
		panic("dom0: cannot set up its vCPU");
	cpus[0]->dom0 = true;
	lapic_quiesce_for_guest();
	pr_info("starting dom0 on CPU 0 (%s)", hvm->name);
	hvm->vcpu_run(&dom0_vcpu);
}
