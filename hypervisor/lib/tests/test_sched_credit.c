/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: the credit scheduler's accounting, simulated in time. Each
 * simulated tick (1 ms) runs sched_account() and then sched_pick() on every CPU
 * that needs it, as the hypervisor's timer interrupt would.
 */
#include "sched_credit.h"
#include "unit.h"

#define MS 1000000ull

static struct sched s;
static uint64_t now;

/* Runs the scheduler for `ms` milliseconds of simulated time. */
static void simulate(unsigned ms)
{
	unsigned c;

	while (ms--) {
		sched_account(&s, now);
		for (c = 0; c < SCHED_MAX_CPUS; c++)
			if (s.cpu[c].online && sched_need_resched(&s, c, now))
				sched_pick(&s, c, now);
		now += MS;
	}
	sched_account(&s, now);
}

static void start(uint64_t cpu_mask)
{
	now = 0;
	sched_init(&s, cpu_mask, 0, 0, now);
}

/* A domain with one vCPU on `cpu`, awake. */
static int busy_dom(uint32_t weight, uint32_t cap, unsigned cpu, int *dom)
{
	int d = sched_dom_add(&s, weight, cap), v;

	REQUIRE(d >= 0);
	v = sched_vcpu_add(&s, d, cpu, 0);
	REQUIRE(v >= 0);
	sched_wake(&s, v);
	if (dom)
		*dom = d;
	return v;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0;
}

TEST(weights_256_and_512_share_one_cpu_1_to_2)
{
	int a, b;

	start(0x1);
	a = busy_dom(256, 0, 0, NULL);
	b = busy_dom(512, 0, 0, NULL);
	simulate(3000);
	/* 1:2 within 10 %, and the CPU was never idle. */
	double r = ratio(s.vcpu[b].runtime_ns, s.vcpu[a].runtime_ns);
	CHECK(r > 1.8 && r < 2.2);
	CHECK_EQ(s.vcpu[a].runtime_ns + s.vcpu[b].runtime_ns, 3000 * MS);
	if (!(r > 1.8 && r < 2.2))
		unit_fail(__FILE__, __LINE__, "ratio %.3f (a %llu ms, b %llu ms)", r,
			  (unsigned long long)(s.vcpu[a].runtime_ns / MS),
			  (unsigned long long)(s.vcpu[b].runtime_ns / MS));
}

TEST(equal_weights_share_equally_and_weight_changes_apply)
{
	int a, b, db;
	uint64_t ra, rb;

	start(0x1);
	a = busy_dom(256, 0, 0, NULL);
	b = busy_dom(256, 0, 0, &db);
	simulate(3000);
	double r = ratio(s.vcpu[a].runtime_ns, s.vcpu[b].runtime_ns);
	CHECK(r > 0.9 && r < 1.1);
	/* Now b weighs 3x a: from here on, b gets about 3/4. */
	CHECK_EQ(sched_dom_set(&s, db, 768, 0), 0);
	ra = s.vcpu[a].runtime_ns;
	rb = s.vcpu[b].runtime_ns;
	simulate(3000);
	r = ratio(s.vcpu[b].runtime_ns - rb, s.vcpu[a].runtime_ns - ra);
	CHECK(r > 2.7 && r < 3.3);
}

TEST(capped_domain_stays_under_its_cap)
{
	int a, b;

	/* Alone on the CPU, capped at 30 %: the CPU idles for the rest. */
	start(0x1);
	a = busy_dom(256, 30, 0, NULL);
	simulate(3000);
	CHECK(s.vcpu[a].runtime_ns <= 3000 * MS * 30 / 100 + 3000 * MS / 100);
	CHECK(s.vcpu[a].runtime_ns >= 3000 * MS * 25 / 100);
	/* Beside an uncapped domain of lower weight, the cap still holds. */
	start(0x1);
	a = busy_dom(1024, 20, 0, NULL);
	b = busy_dom(256, 0, 0, NULL);
	simulate(3000);
	CHECK(s.vcpu[a].runtime_ns <= 3000 * MS * 21 / 100);
	CHECK_EQ(s.vcpu[a].runtime_ns + s.vcpu[b].runtime_ns, 3000 * MS);
}

TEST(blocked_vcpus_get_no_time)
{
	int a, b;
	uint64_t rb;

	start(0x1);
	a = busy_dom(256, 0, 0, NULL);
	b = busy_dom(256, 0, 0, NULL);
	simulate(100);
	sched_block(&s, b, now);
	rb = s.vcpu[b].runtime_ns;
	simulate(1000);
	CHECK_EQ(s.vcpu[b].runtime_ns, rb);
	CHECK_EQ(s.vcpu[b].state, SCHED_BLOCKED);
	/* Woken, it runs again, and the running vCPU blocking leaves the CPU idle. */
	CHECK_EQ(sched_wake(&s, b), -1); /* CPU 0 is busy: no kick */
	simulate(100);
	CHECK(s.vcpu[b].runtime_ns > rb);
	sched_block(&s, a, now);
	sched_block(&s, b, now);
	CHECK_EQ(sched_pick(&s, 0, now), -1);
	CHECK_EQ(sched_wake(&s, a), 0);  /* CPU 0 idle: kick it */
	CHECK_EQ(sched_pick(&s, 0, now), a);
}

TEST(idle_cpu_steals_work)
{
	int v[3], i;

	start(0x3);
	/* Three vCPUs all queued on CPU 0; CPU 1 has nothing of its own. */
	for (i = 0; i < 3; i++)
		v[i] = busy_dom(256, 0, 0, NULL);
	simulate(3000);
	CHECK(s.cpu[1].current >= 0);
	/* Both CPUs busy all the time: 6000 ms in all, about 2000 each. */
	uint64_t total = 0;
	for (i = 0; i < 3; i++) {
		total += s.vcpu[v[i]].runtime_ns;
		CHECK(s.vcpu[v[i]].runtime_ns > 1700 * MS && s.vcpu[v[i]].runtime_ns < 2300 * MS);
	}
	CHECK(total >= 5990 * MS);
}

TEST(affinity_limits_stealing_and_migration)
{
	int d, v0, v1;

	start(0x3);
	d = sched_dom_add(&s, 256, 0);
	v0 = sched_vcpu_add(&s, d, 0, 0x1);
	v1 = sched_vcpu_add(&s, d, 0, 0x1);
	CHECK_EQ(sched_vcpu_add(&s, d, 1, 0x1), -SCHED_EINVAL);
	sched_wake(&s, v0);
	sched_wake(&s, v1);
	simulate(300);
	CHECK_EQ(s.cpu[1].current, -1);       /* may not steal them */
	CHECK_EQ(s.vcpu[v0].runtime_ns + s.vcpu[v1].runtime_ns, 300 * MS);
	CHECK_EQ(sched_migrate(&s, v0, 1), -SCHED_EINVAL);
	s.vcpu[v1].affinity = 0x3;
	sched_block(&s, v1, now);
	sched_pick(&s, 0, now);
	CHECK_EQ(sched_migrate(&s, v1, 1), 0);
	CHECK_EQ(sched_wake(&s, v1), 1);     /* CPU 1 is idle */
	CHECK_EQ(sched_pick(&s, 1, now), v1);
	CHECK_EQ(sched_migrate(&s, v1, 0), -SCHED_EBUSY); /* running */
}

TEST(paused_domain_does_not_run_and_remove_needs_it_descheduled)
{
	int a, b, da;

	start(0x1);
	a = busy_dom(256, 0, 0, &da);
	b = busy_dom(256, 0, 0, NULL);
	simulate(50);
	sched_dom_pause(&s, da, true);
	uint64_t ra = s.vcpu[a].runtime_ns;
	simulate(500);
	CHECK(s.vcpu[a].runtime_ns - ra <= 1 * MS); /* at most the tick it was paused in */
	CHECK_EQ(s.cpu[0].current, b);
	sched_dom_pause(&s, da, false);
	simulate(500);
	CHECK(s.vcpu[a].runtime_ns > ra + 100 * MS);
	/* Running: cannot remove. Paused and descheduled: can. */
	while (s.cpu[0].current != a)
		simulate(1);
	CHECK_EQ(sched_dom_remove(&s, da), -SCHED_EBUSY);
	sched_dom_pause(&s, da, true);
	simulate(2);
	CHECK_EQ(sched_dom_remove(&s, da), 0);
	CHECK_EQ(s.vcpu[a].state, SCHED_FREE);
	simulate(100);
	CHECK_EQ(s.cpu[0].current, b);
}

TEST(argument_checks)
{
	int d;

	start(0x1);
	CHECK_EQ(sched_dom_add(&s, 70000, 0), -SCHED_EINVAL);
	CHECK_EQ(sched_dom_add(&s, 256, 100 * SCHED_MAX_CPUS + 1), -SCHED_EINVAL);
	d = sched_dom_add(&s, 0, 0);
	REQUIRE(d >= 0);
	CHECK_EQ(s.dom[d].weight, SCHED_DEFAULT_WEIGHT);
	CHECK_EQ(sched_vcpu_add(&s, d, 1, 0), -SCHED_EINVAL);  /* CPU 1 not ours */
	CHECK_EQ(sched_vcpu_add(&s, d + 1, 0, 0), -SCHED_EINVAL);
	CHECK_EQ(sched_dom_set(&s, 63, 256, 0), -SCHED_EINVAL);
	CHECK_EQ(sched_pick(&s, 5, 0), -1);
	CHECK_EQ(sched_wake(&s, 200), -1);
	for (int i = 1; i < SCHED_MAX_DOMS; i++)
		CHECK(sched_dom_add(&s, 256, 0) >= 0);
	CHECK_EQ(sched_dom_add(&s, 256, 0), -SCHED_ENOSPC);
}

TEST(blocked_current_burns_nothing_and_is_not_stolen_before_its_cpu_picks)
{
	int a, b;

	start(0x3);
	a = busy_dom(256, 0, 0, NULL);
	sched_pick(&s, 0, now);
	REQUIRE(s.cpu[0].current == a);
	now += 5 * MS;
	sched_block(&s, a, now);
	uint64_t ran = s.vcpu[a].runtime_ns;
	now += 5 * MS;
	sched_account(&s, now);                 /* CPU 0 has not picked yet */
	CHECK_EQ(s.vcpu[a].runtime_ns, ran);
	sched_wake(&s, a);                      /* woken while still CPU 0's current */
	CHECK_EQ(sched_pick(&s, 1, now), -1);   /* CPU 1 must not take it yet */
	CHECK_EQ(sched_pick(&s, 0, now), a);    /* CPU 0 resumes it */
	b = busy_dom(256, 0, 0, NULL);
	CHECK_EQ(sched_pick(&s, 1, now), b);    /* ordinary stealing still works */
}
