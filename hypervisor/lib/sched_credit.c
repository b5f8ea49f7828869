/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_credit.c — credit accounting, runqueues, pick-next and work stealing.
 *
 * Design: a runqueue is not a linked list but the set of RUNNABLE vCPUs whose
 * `cpu` is that CPU, ordered by (priority, queued_seq); requeueing at the tail
 * takes a new sequence number. With at most SCHED_MAX_VCPUS vCPUs a linear scan
 * is cheap and leaves no list to corrupt. Credits are in nanoseconds: a refill
 * distributes exactly period x online CPUs, and running burns what it runs, so
 * over time each active domain's share of CPU time follows its weight.
 *
 * Invariants: a CPU's `current` is RUNNING (or was just BLOCKED by
 * sched_block() and is dropped by the next sched_pick()); a RUNNING vCPU is the
 * `current` of exactly its `cpu`; credit stays within [-period, +period].
 */
#include "sched_credit.h"

#define memset __builtin_memset

static bool valid_dom(const struct sched *s, int d)
{
	return d >= 0 && d < SCHED_MAX_DOMS && s->dom[d].used;
}

static bool valid_vcpu(const struct sched *s, int v)
{
	return v >= 0 && v < SCHED_MAX_VCPUS && s->vcpu[v].state != SCHED_FREE;
}

void sched_init(struct sched *s, uint64_t cpu_mask, uint64_t period_ns, uint64_t slice_ns,
		uint64_t now)
{
	unsigned c;

	memset(s, 0, sizeof(*s));
	s->period_ns = period_ns ? period_ns : SCHED_PERIOD_NS;
	s->slice_ns = slice_ns ? slice_ns : SCHED_SLICE_NS;
	s->next_refill = now;  /* the first sched_account() hands out credit */
	for (c = 0; c < SCHED_MAX_CPUS; c++) {
		s->cpu[c].current = -1;
		s->cpu[c].online = cpu_mask >> c & 1;
		s->nr_cpus += s->cpu[c].online;
	}
}

static int check_params(uint32_t weight, uint32_t cap)
{
	if (weight > 65535 || cap > 100u * SCHED_MAX_CPUS)
		return -SCHED_EINVAL;
	return 0;
}

int sched_dom_add(struct sched *s, uint32_t weight, uint32_t cap)
{
	int d;

	if (check_params(weight, cap))
		return -SCHED_EINVAL;
	for (d = 0; d < SCHED_MAX_DOMS; d++) {
		if (s->dom[d].used)
			continue;
		memset(&s->dom[d], 0, sizeof(s->dom[d]));
		s->dom[d].used = true;
		sched_dom_set(s, d, weight, cap);
		return d;
	}
	return -SCHED_ENOSPC;
}

int sched_dom_set(struct sched *s, int dom, uint32_t weight, uint32_t cap)
{
	if (!valid_dom(s, dom) || check_params(weight, cap))
		return -SCHED_EINVAL;
	s->dom[dom].weight = weight ? (uint16_t)weight : SCHED_DEFAULT_WEIGHT;
	s->dom[dom].cap = (uint16_t)cap;
	return 0;
}

void sched_dom_pause(struct sched *s, int dom, bool paused)
{
	if (valid_dom(s, dom))
		s->dom[dom].paused = paused;
}

int sched_dom_remove(struct sched *s, int dom)
{
	int v;

	if (!valid_dom(s, dom))
		return -SCHED_EINVAL;
	for (v = 0; v < SCHED_MAX_VCPUS; v++)
		if (s->vcpu[v].state == SCHED_RUNNING && s->vcpu[v].dom == dom)
			return -SCHED_EBUSY;
	for (v = 0; v < SCHED_MAX_VCPUS; v++)
		if (s->vcpu[v].state != SCHED_FREE && s->vcpu[v].dom == dom)
			memset(&s->vcpu[v], 0, sizeof(s->vcpu[v]));
	s->dom[dom].used = false;
	return 0;
}

int sched_vcpu_add(struct sched *s, int dom, unsigned cpu, uint64_t affinity)
{
	int v;

	if (!valid_dom(s, dom) || cpu >= SCHED_MAX_CPUS || !s->cpu[cpu].online)
		return -SCHED_EINVAL;
	if (!affinity)
		affinity = ~0ull;
	if (!(affinity >> cpu & 1))
		return -SCHED_EINVAL;
	for (v = 0; v < SCHED_MAX_VCPUS; v++) {
		struct sched_vcpu *vc = &s->vcpu[v];

		if (vc->state != SCHED_FREE)
			continue;
		memset(vc, 0, sizeof(*vc));
		vc->state = SCHED_BLOCKED;
		vc->dom = (uint8_t)dom;
		vc->cpu = (uint8_t)cpu;
		vc->affinity = affinity;
		return v;
	}
	return -SCHED_ENOSPC;
}

/* ---- accounting ---- */

static void burn(struct sched *s, struct sched_vcpu *vc, uint64_t now)
{
	uint64_t ran = now > vc->run_start ? now - vc->run_start : 0;

	vc->credit -= (int64_t)ran;
	if (vc->credit < -(int64_t)s->period_ns)
		vc->credit = -(int64_t)s->period_ns;
	vc->runtime_ns += ran;
	s->dom[vc->dom].period_used_ns += ran;
	vc->run_start = now;
}

static bool vcpu_active(const struct sched *s, const struct sched_vcpu *vc)
{
	return (vc->state == SCHED_RUNNABLE || vc->state == SCHED_RUNNING) &&
	       !s->dom[vc->dom].paused;
}

/* How many of each domain's vCPUs are active; returns the sum of active weights. */
static uint64_t count_active(const struct sched *s, unsigned *nactive)
{
	uint64_t sum = 0;
	int v, d;

	memset(nactive, 0, sizeof(unsigned) * SCHED_MAX_DOMS);
	for (v = 0; v < SCHED_MAX_VCPUS; v++)
		if (vcpu_active(s, &s->vcpu[v]))
			nactive[s->vcpu[v].dom]++;
	for (d = 0; d < SCHED_MAX_DOMS; d++)
		if (s->dom[d].used && nactive[d])
			sum += s->dom[d].weight;
	return sum;
}

/* Hands out one period's credit by weight, then starts a new cap period. */
static void refill(struct sched *s)
{
	unsigned nactive[SCHED_MAX_DOMS];
	uint64_t total = s->period_ns * s->nr_cpus, sum_w = count_active(s, nactive);
	int v, d;

	for (v = 0; v < SCHED_MAX_VCPUS && sum_w; v++) {
		struct sched_vcpu *vc = &s->vcpu[v];
		uint64_t share;

		if (!vcpu_active(s, vc))
			continue;
		share = total * s->dom[vc->dom].weight / sum_w / nactive[vc->dom];
		vc->credit += (int64_t)share;
		if (vc->credit > (int64_t)s->period_ns)
			vc->credit = (int64_t)s->period_ns;
	}
	for (d = 0; d < SCHED_MAX_DOMS; d++) {
		s->dom[d].period_used_ns = 0;
		s->dom[d].parked = false;
	}
}

static void enforce_caps(struct sched *s)
{
	int d;

	for (d = 0; d < SCHED_MAX_DOMS; d++) {
		struct sched_dom *dm = &s->dom[d];

		if (dm->used && dm->cap &&
		    dm->period_used_ns * 100 >= (uint64_t)dm->cap * s->period_ns)
			dm->parked = true;
	}
}

void sched_account(struct sched *s, uint64_t now)
{
	unsigned c;

	for (c = 0; c < SCHED_MAX_CPUS; c++)
		if (s->cpu[c].online && s->cpu[c].current >= 0 &&
		    s->vcpu[s->cpu[c].current].state == SCHED_RUNNING)
			burn(s, &s->vcpu[s->cpu[c].current], now);
	if (now >= s->next_refill) {
		refill(s);
		s->next_refill += s->period_ns * ((now - s->next_refill) / s->period_ns + 1);
	}
	enforce_caps(s);
}

/* ---- runqueues ---- */

static bool eligible(const struct sched *s, const struct sched_vcpu *vc, unsigned cpu)
{
	const struct sched_dom *dm = &s->dom[vc->dom];

	return vc->state == SCHED_RUNNABLE && !dm->paused && !dm->parked &&
	       (vc->affinity >> cpu & 1);
}

static bool under(const struct sched_vcpu *vc)
{
	return vc->credit > 0;
}

/* True when a runs before b: UNDER before OVER, then queue order. */
static bool before(const struct sched_vcpu *a, const struct sched_vcpu *b)
{
	if (under(a) != under(b))
		return under(a);
	return a->queued_seq < b->queued_seq;
}

/*
 * The best waiting vCPU that may run on `cpu`, taken from `cpu`'s own queue
 * (local) or from the other CPUs' queues (!local). -1 if none.
 */
static int best_waiting(const struct sched *s, unsigned cpu, bool local)
{
	int v, best = -1;

	for (v = 0; v < SCHED_MAX_VCPUS; v++) {
		const struct sched_vcpu *vc = &s->vcpu[v];

		if (!eligible(s, vc, cpu) || (vc->cpu == cpu) != local)
			continue;
		/* Woken before its CPU picked again: its context is still there. */
		if (s->cpu[vc->cpu].current == v)
			continue;
		if (best < 0 || before(vc, &s->vcpu[best]))
			best = v;
	}
	return best;
}

static void enqueue(struct sched *s, struct sched_vcpu *vc)
{
	vc->state = SCHED_RUNNABLE;
	vc->queued_seq = ++s->seq;
}

bool sched_need_resched(const struct sched *s, unsigned cpu, uint64_t now)
{
	const struct sched_cpu *c = &s->cpu[cpu];
	const struct sched_vcpu *cur;
	int next;

	if (cpu >= SCHED_MAX_CPUS || !c->online)
		return false;
	if (c->current < 0)
		return best_waiting(s, cpu, true) >= 0 || best_waiting(s, cpu, false) >= 0;
	cur = &s->vcpu[c->current];
	if (now >= c->slice_end || cur->state != SCHED_RUNNING ||
	    s->dom[cur->dom].paused || s->dom[cur->dom].parked)
		return true;
	next = best_waiting(s, cpu, true);
	return !under(cur) && next >= 0 && under(&s->vcpu[next]);
}

/* Ends the turn of `cpu`'s current vCPU. */
static void put_prev(struct sched *s, unsigned cpu, uint64_t now)
{
	int cur = s->cpu[cpu].current;

	if (cur < 0)
		return;
	burn(s, &s->vcpu[cur], now);
	if (s->vcpu[cur].state == SCHED_RUNNING)
		enqueue(s, &s->vcpu[cur]);
	s->cpu[cpu].current = -1;
}

int sched_pick(struct sched *s, unsigned cpu, uint64_t now)
{
	int next, stolen;
	struct sched_vcpu *vc;

	if (cpu >= SCHED_MAX_CPUS || !s->cpu[cpu].online)
		return -1;
	put_prev(s, cpu, now);
	next = best_waiting(s, cpu, true);
	if (next < 0 || !under(&s->vcpu[next])) {
		/* Steal UNDER work, or any work when there is none here. */
		stolen = best_waiting(s, cpu, false);
		if (stolen >= 0 && (next < 0 || under(&s->vcpu[stolen])))
			next = stolen;
	}
	if (next < 0)
		return -1;
	vc = &s->vcpu[next];
	vc->state = SCHED_RUNNING;
	vc->cpu = (uint8_t)cpu;
	vc->run_start = now;
	s->cpu[cpu].current = next;
	s->cpu[cpu].slice_end = now + s->slice_ns;
	return next;
}

void sched_block(struct sched *s, int v, uint64_t now)
{
	struct sched_vcpu *vc;

	if (!valid_vcpu(s, v))
		return;
	vc = &s->vcpu[v];
	if (vc->state == SCHED_RUNNING)
		burn(s, vc, now);
	vc->state = SCHED_BLOCKED;
}

/* An idle online CPU in `affinity`, preferring `home`; -1 if none. */
static int idle_cpu(const struct sched *s, unsigned home, uint64_t affinity)
{
	unsigned c;

	if (s->cpu[home].current < 0)
		return (int)home;
	for (c = 0; c < SCHED_MAX_CPUS; c++)
		if (s->cpu[c].online && s->cpu[c].current < 0 && (affinity >> c & 1))
			return (int)c;
	return -1;
}

int sched_wake(struct sched *s, int v)
{
	struct sched_vcpu *vc;

	if (!valid_vcpu(s, v) || s->vcpu[v].state != SCHED_BLOCKED)
		return -1;
	vc = &s->vcpu[v];
	enqueue(s, vc);
	return idle_cpu(s, vc->cpu, vc->affinity);
}

int sched_migrate(struct sched *s, int v, unsigned cpu)
{
	struct sched_vcpu *vc;

	if (!valid_vcpu(s, v) || cpu >= SCHED_MAX_CPUS || !s->cpu[cpu].online)
		return -SCHED_EINVAL;
	vc = &s->vcpu[v];
	if (!(vc->affinity >> cpu & 1))
		return -SCHED_EINVAL;
	if (vc->state == SCHED_RUNNING)
		return -SCHED_EBUSY;
	vc->cpu = (uint8_t)cpu;
	return 0;
}
