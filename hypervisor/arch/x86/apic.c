/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * apic.c — local APIC access (xAPIC MMIO through the direct map).
 *
 * The boot CPU's LINT0/LINT1 are left as firmware programmed them (virtual-wire
 * mode), because dom0 takes over that LAPIC and expects the firmware state.
 */
#include "apic.h"
#include "cpu.h"
#include "trap.h"

#define LAPIC_ID      0x020
#define LAPIC_TPR     0x080
#define LAPIC_EOI     0x0b0
#define LAPIC_SVR     0x0f0
#define LAPIC_ICR_LO  0x300
#define LAPIC_ICR_HI  0x310
#define LAPIC_LVT_TMR 0x320
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR 0x390
#define LAPIC_TMR_DIV 0x3e0

#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define ICR_BUSY     (1u << 12)

static u64 lapic_base_pa;
static u32 lapic_ticks_per_ms; /* with divide-by-16 */

static volatile u32 *reg(u32 off)
{
	return (volatile u32 *)((char *)va(lapic_base_pa) + off);
}

static u32 lapic_read(u32 off)
{
	return *reg(off);
}

static void lapic_write(u32 off, u32 v)
{
	*reg(off) = v;
}

void lapic_init(bool bsp)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	if (!(base & (1u << 11)))
		wrmsr(MSR_APIC_BASE, base | (1u << 11));
	lapic_base_pa = base & 0xffffff000ull;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TMR_DIV, 0x3);
	(void)bsp;
}

u32 lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static void icr_wait(void)
{
	for (unsigned i = 0; i < 1000000 && (lapic_read(LAPIC_ICR_LO) & ICR_BUSY); i++)
		cpu_relax();
}

static void icr_send(u32 apic_id, u32 lo)
{
	u64 f = irq_save();

	icr_wait();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	icr_wait();
	irq_restore(f);
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	icr_send(apic_id, vector); /* fixed, physical, edge */
}

void lapic_send_init(u32 apic_id)
{
	icr_send(apic_id, 0x4500);
}

void lapic_send_sipi(u32 apic_id, u32 page)
{
	icr_send(apic_id, 0x4600 | (page & 0xff));
}

/* Counts LAPIC timer ticks over 10 ms of TSC time (one-shot, masked). */
void lapic_timer_calibrate(void)
{
	u32 left;

	lapic_write(LAPIC_TMR_DIV, 0x3);
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TMR_INIT, 0xffffffff);
	udelay(10000);
	left = lapic_read(LAPIC_TMR_CUR);
	lapic_write(LAPIC_TMR_INIT, 0);
	lapic_ticks_per_ms = (0xffffffff - left) / 10;
	if (!lapic_ticks_per_ms)
		panic("lapic_timer_calibrate: the local APIC timer does not count");
	pr_info("LAPIC timer: %u ticks/ms (divide by 16), TSC %llu kHz", lapic_ticks_per_ms,
		(unsigned long long)tsc_khz);
}

void lapic_timer_periodic(u8 vector, u32 period_us)
{
	u32 count = (u32)((u64)lapic_ticks_per_ms * period_us / 1000);

	lapic_write(LAPIC_TMR_DIV, 0x3);
	lapic_write(LAPIC_LVT_TMR, LVT_PERIODIC | vector);
	lapic_write(LAPIC_TMR_INIT, count ? count : 1);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TMR_INIT, 0);
}

void lapic_quiesce_for_guest(void)
{
	lapic_timer_stop();
	lapic_write(LAPIC_TMR_DIV, 0);
	lapic_write(LAPIC_TPR, 0);
}
