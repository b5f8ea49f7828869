/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_credit.h — the credit scheduler's accounting, as pure logic.
 *
 * Model (after Xen's credit1): every domain has a weight (1..65535, default
 * 256) and an optional cap (percent of one CPU; 0 = none). Every accounting
 * period the scheduler hands out period x (online CPUs) nanoseconds of credit
 * to the domains that have runnable vCPUs, in proportion to their weights, split
 * evenly between each domain's runnable vCPUs. Running burns one credit per
 * nanosecond. A vCPU with credit > 0 is UNDER, otherwise OVER; a CPU runs its
 * UNDER vCPUs first, round robin in queue order, then its OVER ones. A capped
 * domain that used its cap in a period has its vCPUs parked (not runnable)
 * until the next period. A CPU with no UNDER work of its own steals a waiting
 * vCPU from another CPU's runqueue (UNDER first), within the vCPU's affinity.
 *
 * Nothing here reads a clock or switches contexts: the caller passes "now" (ns)
 * and acts on what sched_pick() returns. The caller must call sched_account()
 * at least every tick (SCHED_TICK_NS is a good figure) and sched_pick() on a CPU
 * when its time slice ends, when sched_need_resched() says so, or when the
 * running vCPU blocks. The state is plain structs with fixed capacities.
 *
 * Locking: none; the caller serialises all calls (one scheduler lock).
 */
#ifndef CAIRN_SCHED_CREDIT_H
#define CAIRN_SCHED_CREDIT_H

#include <stdbool.h>
#include <stdint.h>

#define SCHED_MAX_CPUS  64
#define SCHED_MAX_DOMS  64
#define SCHED_MAX_VCPUS 256

#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_PERIOD_NS      30000000ull /* accounting period: 30 ms */
#define SCHED_SLICE_NS       10000000ull /* time slice: 10 ms */
#define SCHED_TICK_NS        1000000ull  /* how often sched_account() should run */

#define SCHED_EINVAL 22
#define SCHED_ENOSPC 28
#define SCHED_EBUSY  16

enum sched_vcpu_state {
	SCHED_FREE = 0,     /* slot unused */
	SCHED_BLOCKED,      /* waiting for an event (HLT) or never woken */
	SCHED_RUNNABLE,     /* on its CPU's runqueue */
	SCHED_RUNNING,      /* current on its CPU */
};

struct sched_dom {
	bool used;
	bool paused;              /* the toolstack paused it: no vCPU is picked */
	uint16_t weight;
	uint16_t cap;             /* percent of one CPU; 0 = uncapped */
	uint64_t period_used_ns;  /* run time in the current accounting period */
	bool parked;              /* cap reached in this period */
};

struct sched_vcpu {
	uint8_t state;            /* enum sched_vcpu_state */
	uint8_t dom;
	uint8_t cpu;              /* the runqueue it is on, or last ran on */
	int64_t credit;           /* ns */
	uint64_t affinity;        /* CPUs it may run on (bit n = CPU n) */
	uint64_t queued_seq;      /* queue order: lower runs first among equals */
	uint64_t run_start;       /* when it was last picked or accounted */
	uint64_t runtime_ns;      /* total time run */
};

struct sched_cpu {
	bool online;
	int current;              /* vCPU index running, or -1 (idle) */
	uint64_t slice_end;       /* when the current vCPU's slice ends */
};

struct sched {
	uint64_t period_ns, slice_ns;
	uint64_t next_refill;     /* time of the next credit refill */
	uint64_t seq;             /* queue order counter */
	unsigned nr_cpus;
	struct sched_cpu cpu[SCHED_MAX_CPUS];
	struct sched_dom dom[SCHED_MAX_DOMS];
	struct sched_vcpu vcpu[SCHED_MAX_VCPUS];
};

/* Empty scheduler owning the CPUs in `cpu_mask`; period/slice 0 take the defaults. */
void sched_init(struct sched *s, uint64_t cpu_mask, uint64_t period_ns, uint64_t slice_ns,
		uint64_t now);

/* Adds a domain; returns its index or -SCHED_EINVAL/-SCHED_ENOSPC. weight 0 = default. */
int sched_dom_add(struct sched *s, uint32_t weight, uint32_t cap);
int sched_dom_set(struct sched *s, int dom, uint32_t weight, uint32_t cap);
void sched_dom_pause(struct sched *s, int dom, bool paused);
/* Removes a domain; -SCHED_EBUSY while one of its vCPUs is running. */
int sched_dom_remove(struct sched *s, int dom);

/* Adds a blocked vCPU of `dom` homed on `cpu`, allowed on `affinity` (0 = all). */
int sched_vcpu_add(struct sched *s, int dom, unsigned cpu, uint64_t affinity);

/*
 * Blocks a vCPU (HLT). A running vCPU is accounted up to `now`; the caller then
 * calls sched_pick() on its CPU.
 */
void sched_block(struct sched *s, int v, uint64_t now);

/*
 * Makes a blocked vCPU runnable on its CPU's queue. A vCPU woken before its
 * CPU called sched_pick() after it blocked stays there: no other CPU takes it
 * while its context may still be loaded. Returns the CPU the caller should
 * kick (IPI to reschedule) if it is idle, else -1.
 */
int sched_wake(struct sched *s, int v);

/* Moves a vCPU that is not running to `cpu`'s runqueue (within its affinity). */
int sched_migrate(struct sched *s, int v, unsigned cpu);

/*
 * Burns the credit of every running vCPU up to `now`, parks the capped domains
 * that used their cap, and refills every period.
 */
void sched_account(struct sched *s, uint64_t now);

/* True when `cpu` should call sched_pick(): slice over, current parked/paused, or UNDER work waits behind an OVER current. */
bool sched_need_resched(const struct sched *s, unsigned cpu, uint64_t now);

/*
 * Ends the current vCPU's turn on `cpu` (accounting it, requeueing it at the
 * tail if still runnable) and picks the next: the first waiting vCPU in queue
 * order with the best priority on this CPU, or one stolen from another CPU.
 * Returns the vCPU index, or -1 for idle (halt until an interrupt).
 */
int sched_pick(struct sched *s, unsigned cpu, uint64_t now);

#endif /* CAIRN_SCHED_CREDIT_H */
