/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c — boot_main(): from GRUB's hand-over to dom0 running.
 *
 * Order: console; multiboot2 information (validated, then used); command line;
 * memory plan (dom0's RAM, the hypervisor's image, the pool); page allocator;
 * boot CPU tables; ACPI; local APIC; SVM; application processors and their
 * self-test; dom0. Anything that goes wrong before dom0 runs is a panic with a
 * message saying what.
 *
 * Command line (multiboot2): dom0_mem=<size> (K/M/G suffixes; default 1G: the
 * lowest RAM outside the image goes to dom0, the rest to the pool),
 * dom0_cpus=<n> (only 1 for now: dom0 runs on the boot CPU), loglvl=err|warn|
 * info|debug (or 0-3; default info), console=com1|none, debug_fault (fault on
 * purpose after SMP bring-up, to exercise the exception report).
 * Modules: 1 = dom0's bzImage, its string = dom0's command line; 2 = its initrd.
 */
#include "acpi.h"
#include "apic.h"
#include "boot.h"
#include "cmdline.h"
#include "cpu.h"
#include "e820.h"
#include "hvm.h"
#include "mb2.h"
#include "percpu.h"

void boot_main(u32 magic, u32 info_pa);
extern u64 hv_pages_total;

/* Printed at boot and kept in the image: tests look for it in dom0's view of RAM. */
const char hv_signature[] = "CAIRN-HV-SIGNATURE-7f3a9c21 Cairn hypervisor " HV_VERSION_STR;

static struct mb2_info mbi;
static struct e820_plan plan;
static struct boot_info bi;
static char hv_cmdline[1024];

static u64 option_size(const char *key, u64 dflt)
{
	char v[32];
	u64 n;

	if (!cmdline_get(hv_cmdline, key, v, sizeof(v)))
		return dflt;
	if (!cmdline_parse_size(v, &n)) {
		pr_warn("bad %s=%s, using the default", key, v);
		return dflt;
	}
	return n;
}

static void parse_boot_info(u32 magic, u32 info_pa)
{
	u32 total;
	int rc;

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not booted by a multiboot2 loader (magic %#x)", magic);
	total = *(volatile u32 *)va(info_pa);
	rc = mb2_parse(va(info_pa), MIN(total, 1u << 20), &mbi);
	if (rc)
		panic("bad multiboot2 information at %#x (%d)", info_pa, rc);
	if (mbi.cmdline)
		strlcpy(hv_cmdline, mbi.cmdline, sizeof(hv_cmdline));
	bi.mb = &mbi;
	bi.avoid[bi.nr_avoid++] = (struct mem_range){ info_pa, info_pa + total };
	bi.avoid[bi.nr_avoid++] = (struct mem_range){ TRAMP_BASE, TRAMP_BASE + PAGE_SIZE };
	for (unsigned i = 0; i < mbi.nr_modules; i++)
		bi.avoid[bi.nr_avoid++] = (struct mem_range){ mbi.modules[i].start,
							      ALIGN_UP(mbi.modules[i].end, PAGE_SIZE) };
}

static void memory_plan(void)
{
	struct e820_entry fw[MB2_MAX_MMAP];
	u64 dom0_mem = option_size("dom0_mem", 1 * GiB);
	int rc;

	if (!mbi.nr_mmap)
		panic("no memory map from the boot loader");
	for (unsigned i = 0; i < mbi.nr_mmap; i++) {
		fw[i] = (struct e820_entry){ mbi.mmap[i].addr, mbi.mmap[i].len, mbi.mmap[i].type };
		pr_debug("firmware e820: %#014llx-%#014llx type %u",
			 (unsigned long long)fw[i].addr,
			 (unsigned long long)(fw[i].addr + fw[i].size), fw[i].type);
	}
	bi.hv[bi.nr_hv++] = (struct mem_range){ (u64)__hv_start_phys, (u64)__hv_end_phys };
	rc = e820_plan(fw, mbi.nr_mmap, bi.hv, bi.nr_hv, dom0_mem, &plan);
	if (rc)
		panic("cannot give dom0 %llu MiB (error %d)", (unsigned long long)(dom0_mem >> 20), rc);
	bi.plan = &plan;
	hv_pages_total = (u64)(__hv_end_phys - __hv_start_phys) >> PAGE_SHIFT;
	pr_info("memory: dom0 %llu MiB in %u ranges, pool %llu MiB in %u ranges, image %#llx-%#llx",
		(unsigned long long)(plan.dom0_bytes >> 20), plan.nr_dom0_ram,
		(unsigned long long)(plan.pool_bytes >> 20), plan.nr_pool,
		(unsigned long long)(u64)__hv_start_phys, (unsigned long long)(u64)__hv_end_phys);
	mm_init(plan.pool, plan.nr_pool, bi.avoid, bi.nr_avoid);
}

static void cpus_bring_up(void)
{
	struct percpu *bsp;
	u64 want;

	lapic_init(true);
	bsp = percpu_alloc(0, lapic_id());
	nr_cpus = 1;
	cpu_tables_init(bsp);
	bsp->online = 1;
	lapic_timer_calibrate();
	if (hvm_cpu_init(bsp))
		panic("the boot CPU cannot run guests (%s)", hvm->name);
	want = option_size("dom0_cpus", 1);
	if (want != 1)
		pr_warn("dom0_cpus=%llu: only 1 is supported for now; dom0 gets CPU 0",
			(unsigned long long)want);
	bi.dom0_cpus = 1;
	if (acpi.found)
		smp_boot(acpi.apic_ids, acpi.nr_apic_ids);
	smp_selftest();
}

/*
 * The identity map of low memory was only needed to switch to the higher half
 * and to start the APs; without it a NULL or small-integer pointer faults.
 * The APs never touch low virtual addresses, so their TLBs need no shootdown.
 */
static void drop_identity_map(void)
{
	extern u64 early_pml4[512]; /* in .boot: linked at its physical address */

	u64 *pml4 = va((u64)early_pml4);

	pml4[0] = 0;
	write_cr3(read_cr3());
}

/*
 * debug_fault (command line): fault on purpose once the CPUs are up, to show the
 * exception report and backtrace (used by the boot tests).
 */
static void __attribute__((noinline)) debug_fault_deep(void)
{
	volatile u64 *bad = (volatile u64 *)0x8000000000000000ull; /* non-canonical: #GP */

	pr_info("debug_fault: touching %p on purpose", (void *)bad);
	*bad = 0xdead;
}

static void __attribute__((noinline)) debug_fault(void)
{
	debug_fault_deep();
	barrier();
}

void boot_main(u32 magic, u32 info_pa)
{
	console_init();
	parse_boot_info(magic, info_pa);
	console_setup(hv_cmdline);
	time_calibrate();
	printk(LOG_INFO, "%s (ABI %u), %s", hv_signature, CAIRN_ABI_VERSION,
	       mbi.efi ? "UEFI" : "BIOS");
	printk(LOG_INFO, "command line: \"%s\", loader \"%s\", %u modules", hv_cmdline,
	       mbi.loader ? mbi.loader : "?", mbi.nr_modules);
	bi.phys_bits = cpuid(0x80000000, 0).eax >= 0x80000008 ? (cpuid(0x80000008, 0).eax & 0xff) : 36;
	memory_plan();
	if (acpi_init(mbi.rsdp, mbi.rsdp_len))
		pr_warn("no usable ACPI: only the boot CPU will run");
	cpus_bring_up();
	drop_identity_map();
	if (cmdline_get(hv_cmdline, "debug_fault", NULL, 0))
		debug_fault();
	dom0_start(&bi);
}
