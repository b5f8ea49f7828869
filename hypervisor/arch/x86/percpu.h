/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * percpu.h — per-CPU data, reached through GS base (%gs:0 holds the pointer).
 * CPU indices follow the MADT's enumeration order; index 0 is the boot CPU.
 */
#ifndef CAIRN_PERCPU_H
#define CAIRN_PERCPU_H

#include "hv.h"

#define MAX_CPUS 64

struct tss64 {
	u32 rsvd0;
	u64 rsp[3];
	u64 rsvd1;
	u64 ist[7];
	u64 rsvd2;
	u16 rsvd3;
	u16 iomap_base;
} __attribute__((packed));

struct vcpu;

struct percpu {
	struct percpu *self;     /* must stay first: %gs:0 */
	u32 index;
	u32 apic_id;
	u64 stack_top;
	u64 gdt[8];
	struct tss64 tss;
	volatile u32 online;
	volatile u32 ipi_count;
	volatile u32 timer_ticks;
	volatile u32 timer_done;
	bool dom0;               /* this CPU runs dom0 */
	u64 hsave_pa;            /* SVM host save area */
	u64 host_area_pa;        /* VMSAVE area with the host's FS/GS/TR/... */
	struct vcpu *vcpu;       /* the vCPU this CPU runs, if any */
	u64 run_since;           /* ns: when the running domU vCPU's time was last counted */
};

extern struct percpu *cpus[MAX_CPUS];
extern unsigned nr_cpus;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* trap.c */
void cpu_tables_init(struct percpu *p);
struct percpu *percpu_alloc(u32 index, u32 apic_id);
void cpu_stop_all(void);
void backtrace(u64 rbp);

#endif /* CAIRN_PERCPU_H */
