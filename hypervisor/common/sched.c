/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched.c — running domU vCPUs on the CPUs dom0 does not own, with the credit
 * scheduler's accounting (lib/sched_credit.c).
 *
 * Design: every CPU that is online and not dom0's runs sched_cpu_loop(): pick a
 * vCPU (sched_pick), run it until something needs the scheduler, account, pick
 * again. While a vCPU runs, the CPU's local APIC timer ticks every
 * SCHED_TICK_NS; the tick (VEC_TICK) makes the guest exit (SVM intercepts
 * physical interrupts on these CPUs), and the loop asks sched_need_resched()
 * whether to switch: slice over, domain paused or capped, or UNDER work
 * waiting. A vCPU that executes HLT is blocked until something wakes it; a CPU
 * with nothing to run halts (ticking every SCHED_IDLE_TICK_US while any domain
 * exists, so parked capped domains get their credit back). Waking or pausing
 * sends VEC_KICK to the CPUs concerned. The scheduler is set up on the first
 * CREATE, when it is known which CPUs are dom0's.
 *
 * Locking: sched_lock (irqsave) protects `sched` and vcpu_of[]; it is taken
 * inside domain.c's domctl_lock. A vCPU's VMCB and registers are touched only
 * by the CPU that runs it (sched state RUNNING) or, before the first unpause,
 * by domctl.
 */
#include "apic.h"
#include "cpu.h"
#include "hvm.h"
#include "percpu.h"
#include "sched_credit.h"
#include "trap.h"

#define SCHED_IDLE_TICK_US 10000

static struct sched sched;
static struct vcpu *vcpu_of[SCHED_MAX_VCPUS];
static spinlock_t sched_lock = SPINLOCK_INIT;
static volatile bool sched_ready;
static unsigned nr_live_doms, next_home;
static u64 domu_cpu_mask;

static u64 now_ns(void)
{
	return time_us() * 1000;
}

static void tick_irq(struct trap_frame *f)
{
	/* Nothing to do: the interrupt has made the guest exit; the loop decides. */
}

static void kick(int cpu)
{
	if (cpu >= 0 && cpu < (int)nr_cpus && cpus[cpu] && cpu != (int)this_cpu()->index)
		lapic_send_ipi(cpus[cpu]->apic_id, VEC_KICK);
}

/* Called with sched_lock held, on dom0's CPU, at the first CREATE. */
static int sched_setup(void)
{
	for (unsigned i = 0; i < nr_cpus && i < SCHED_MAX_CPUS; i++)
		if (cpus[i] && cpus[i]->online && !cpus[i]->dom0)
			domu_cpu_mask |= 1ull << i;
	if (!domu_cpu_mask) {
		pr_err("no CPU is free for domUs: every online CPU is dom0's");
		return -CAIRN_ENOSPC;
	}
	irq_set_handler(VEC_TICK, tick_irq);
	irq_set_handler(VEC_KICK, tick_irq);
	sched_init(&sched, domu_cpu_mask, 0, 0, now_ns());
	sched_ready = true;
	pr_info("credit scheduler on CPUs %#llx", (unsigned long long)domu_cpu_mask);
	return 0;
}

static unsigned home_cpu(void)
{
	for (;;) {
		unsigned c = next_home++ % SCHED_MAX_CPUS;

		if (domu_cpu_mask >> c & 1)
			return c;
	}
}

static int add_locked(struct domain *d)
{
	int sd, rc;

	if (!sched_ready && (rc = sched_setup()))
		return rc;
	sd = sched_dom_add(&sched, d->weight, d->cap);
	if (sd < 0)
		return -CAIRN_ENOSPC;
	sched_dom_pause(&sched, sd, true);
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		int sv = sched_vcpu_add(&sched, sd, home_cpu(), 0);

		if (sv < 0) {
			sched_dom_remove(&sched, sd);
			return -CAIRN_ENOSPC;
		}
		d->vcpus[i]->sched_id = sv;
		vcpu_of[sv] = d->vcpus[i];
	}
	d->sched_id = sd;
	nr_live_doms++;
	return 0;
}

/* Registers D (paused) and its vCPUs (blocked) with the scheduler. */
int sched_domain_add(struct domain *d)
{
	u64 f = spin_lock_irqsave(&sched_lock);
	int rc = add_locked(d);

	spin_unlock_irqrestore(&sched_lock, f);
	return rc;
}

/* Kicks every domU CPU that runs one of D's vCPUs, or every idle one (D = NULL). */
static void kick_cpus(const struct domain *d)
{
	for (unsigned c = 0; c < SCHED_MAX_CPUS; c++) {
		int cur = sched.cpu[c].current;

		if (!(domu_cpu_mask >> c & 1))
			continue;
		if (d ? (cur >= 0 && vcpu_of[cur] && vcpu_of[cur]->dom == d) : cur < 0)
			kick((int)c);
	}
}

/*
 * Pauses or unpauses D. Unpausing makes every vCPU that has a state and is
 * not halted runnable, and kicks idle CPUs; pausing kicks the CPUs running D,
 * which then switch away at once (this does not wait for them).
 */
void sched_domain_pause(struct domain *d, bool paused)
{
	u64 f = spin_lock_irqsave(&sched_lock);

	sched_dom_pause(&sched, d->sched_id, paused);
	if (!paused)
		for (unsigned i = 0; i < d->nr_vcpus; i++)
			if (d->vcpus[i]->has_state && !d->vcpus[i]->halted)
				sched_wake(&sched, d->vcpus[i]->sched_id);
	kick_cpus(paused ? d : NULL);
	spin_unlock_irqrestore(&sched_lock, f);
}

/* Takes D out of the scheduler; returns once none of its vCPUs is running. */
void sched_domain_remove(struct domain *d)
{
	u64 start = time_us();
	bool warned = false;

	for (;;) {
		u64 f = spin_lock_irqsave(&sched_lock);
		int rc;

		sched_dom_pause(&sched, d->sched_id, true);
		rc = sched_dom_remove(&sched, d->sched_id);
		if (!rc) {
			for (unsigned i = 0; i < d->nr_vcpus; i++)
				vcpu_of[d->vcpus[i]->sched_id] = NULL;
			nr_live_doms--;
		} else {
			kick_cpus(d);
		}
		spin_unlock_irqrestore(&sched_lock, f);
		if (!rc)
			return;
		if (!warned && time_us() - start > 1000000) {
			pr_warn("dom%u: still waiting for its vCPUs to stop", d->id);
			warned = true;
		}
		udelay(50);
	}
}

/* The running vCPU V executed HLT: it is blocked until something wakes it. */
void sched_vcpu_halt(struct vcpu *v)
{
	u64 f = spin_lock_irqsave(&sched_lock);

	v->halted = true;
	sched_block(&sched, v->sched_id, now_ns());
	spin_unlock_irqrestore(&sched_lock, f);
}

/*
 * After an interrupt exit: should the CPU running V switch to something else?
 * Also brings V's run time (as QUERY shows it) up to date.
 */
bool sched_preempt_due(struct vcpu *v)
{
	struct percpu *p = this_cpu();
	u64 f = spin_lock_irqsave(&sched_lock), now = now_ns();
	bool due;

	sched_account(&sched, now);
	due = sched_need_resched(&sched, p->index, now);
	spin_unlock_irqrestore(&sched_lock, f);
	__atomic_fetch_add(&v->run_ns, now - p->run_since, __ATOMIC_RELAXED);
	p->run_since = now;
	return due;
}

/* Ends the current turn on P and picks the next vCPU (NULL: idle). */
static struct vcpu *pick(struct percpu *p)
{
	u64 f = spin_lock_irqsave(&sched_lock), now = now_ns();
	struct vcpu *v = NULL;
	int id;

	sched_account(&sched, now);
	id = sched_pick(&sched, p->index, now);
	if (id >= 0)
		v = vcpu_of[id];
	BUG_ON(id >= 0 && !v);
	p->vcpu = v;
	spin_unlock_irqrestore(&sched_lock, f);
	return v;
}

static void run(struct percpu *p, struct vcpu *v)
{
	enum vcpu_stop why;

	p->run_since = now_ns();
	lapic_timer_periodic(VEC_TICK, SCHED_TICK_NS / 1000);
	why = hvm->vcpu_enter(v);
	lapic_timer_stop();
	__atomic_fetch_add(&v->run_ns, now_ns() - p->run_since, __ATOMIC_RELAXED);
	if (why == VCPU_HALT)
		sched_vcpu_halt(v);
	/* VCPU_DEAD: domain_crash() has paused the domain; the next pick skips it. */
}

static void idle(void)
{
	if (nr_live_doms)
		lapic_timer_periodic(VEC_TICK, SCHED_IDLE_TICK_US);
	safe_halt();
	lapic_timer_stop();
}

/* The life of a CPU dom0 does not own, once it is up. */
void sched_cpu_loop(struct percpu *p)
{
	for (;;) {
		struct vcpu *v;

		irq_disable();
		if (!sched_ready || !(domu_cpu_mask >> p->index & 1)) {
			safe_halt();
			continue;
		}
		v = pick(p);
		if (v)
			run(p, v);
		else
			idle();
	}
}
