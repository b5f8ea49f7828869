/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * smp.c — bringing up the application processors and checking they answer.
 *
 * Design: the trampoline image (boot.S) is copied to TRAMP_BASE once; for each
 * AP in turn the BSP writes its stack and index into the trampoline's variables,
 * sends INIT, waits 10 ms, sends two SIPIs 200 us apart, and waits up to two
 * seconds for the AP to mark itself online (one AP at a time, so the variables
 * are never shared). An AP sets up its GDT/TSS/IDT/GS, its LAPIC and SVM, and
 * then idles in HLT with interrupts on, waiting for work (domUs, later).
 *
 * The self-test sends each AP a test IPI; the AP answers by running its LAPIC
 * timer periodically until it has counted 5 ticks.
 */
#include "apic.h"
#include "cpu.h"
#include "hvm.h"
#include "percpu.h"
#include "trap.h"

extern char tramp_start[], tramp_end[], tramp_vars[], early_pml4[];
void ap_main(u32 index);

struct tramp_vars {
	u64 cr3;
	u64 stack;
	u64 entry;
	u32 cpu;
} __attribute__((packed));

static void ap_timer_irq(struct trap_frame *f)
{
	struct percpu *p = this_cpu();

	if (++p->timer_ticks >= 5) {
		lapic_timer_stop();
		p->timer_done = 1;
	}
}

static void ap_ipi_irq(struct trap_frame *f)
{
	struct percpu *p = this_cpu();

	p->ipi_count++;
	lapic_timer_periodic(VEC_TIMER, 1000);
}

static void ap_stop_irq(struct trap_frame *f)
{
	irq_disable();
	for (;;)
		halt();
}

void ap_main(u32 index)
{
	struct percpu *p = cpus[index];

	cpu_tables_init(p);
	lapic_init(false);
	if (hvm_cpu_init(p))
		pr_err("CPU %u: no hardware virtualization; it stays idle", index);
	__atomic_store_n(&p->online, 1, __ATOMIC_RELEASE);
	sched_cpu_loop(p); /* idles in HLT until it has domU vCPUs to run */
}

static void __attribute__((noreturn)) ap_entry_c(u32 index)
{
	/* On the trampoline's stack pointer, which is the AP's own stack. */
	ap_main(index);
	for (;;)
		halt();
}

static bool boot_one(struct percpu *p)
{
	struct tramp_vars *tv = va(TRAMP_BASE + (u64)(tramp_vars - tramp_start));
	u64 deadline;

	tv->cr3 = (u64)early_pml4; /* .boot is linked at its physical address */
	tv->stack = p->stack_top - 8; /* as if called: ABI alignment */
	tv->entry = (u64)ap_entry_c;
	tv->cpu = p->index;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send_init(p->apic_id);
	udelay(10000);
	lapic_send_sipi(p->apic_id, TRAMP_BASE >> 12);
	udelay(200);
	if (!__atomic_load_n(&p->online, __ATOMIC_ACQUIRE))
		lapic_send_sipi(p->apic_id, TRAMP_BASE >> 12);
	deadline = time_us() + 2000000;
	while (!__atomic_load_n(&p->online, __ATOMIC_ACQUIRE) && time_us() < deadline)
		cpu_relax();
	return p->online;
}

void smp_boot(const u32 *apic_ids, unsigned n)
{
	u32 me = lapic_id();
	unsigned up = 1;

	irq_set_handler(VEC_TIMER, ap_timer_irq);
	irq_set_handler(VEC_IPI_TEST, ap_ipi_irq);
	irq_set_handler(VEC_STOP, ap_stop_irq);
	memcpy(va(TRAMP_BASE), tramp_start, (size_t)(tramp_end - tramp_start));
	for (unsigned i = 0; i < n && nr_cpus < MAX_CPUS; i++) {
		struct percpu *p;

		if (apic_ids[i] == me)
			continue;
		p = percpu_alloc(nr_cpus, apic_ids[i]);
		nr_cpus++;
		if (boot_one(p)) {
			up++;
			pr_info("CPU %u (APIC id %u) is up", p->index, p->apic_id);
		} else {
			pr_err("CPU %u (APIC id %u) did not come up", p->index, p->apic_id);
		}
	}
	pr_info("%u of %u CPUs online", up, n);
}

void smp_selftest(void)
{
	unsigned ok = 0, aps = 0;
	u64 deadline;

	for (unsigned i = 1; i < nr_cpus; i++) {
		if (!cpus[i]->online)
			continue;
		aps++;
		lapic_send_ipi(cpus[i]->apic_id, VEC_IPI_TEST);
	}
	deadline = time_us() + 3000000;
	for (unsigned i = 1; i < nr_cpus; i++) {
		struct percpu *p = cpus[i];

		if (!p->online)
			continue;
		while (!p->timer_done && time_us() < deadline)
			cpu_relax();
		if (p->ipi_count && p->timer_done)
			ok++;
		else
			pr_err("CPU %u: ipi %u timer ticks %u", p->index, p->ipi_count,
			       p->timer_ticks);
	}
	pr_info("IPI and LAPIC timer self-test: %u of %u APs answered", ok, aps);
}
