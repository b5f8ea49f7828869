/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domain.c — domUs: their objects, memory and the domain-control hypercalls
 * (include/public/domctl.h, ops 3-13).
 *
 * Design: every operation copies its whole structure in from dom0 (through
 * dom0's page tables, gmem.c), checks the size argument, the size field, the
 * magic and the version, then the fields, and only then changes anything;
 * results are copied back to the same structure. A domU is one allocation
 * (struct domu: the domain and its vCPUs) from the page allocator, plus a VMCB
 * per vCPU and its nested page tables; its RAM is allocated by POPULATE, 2 MiB
 * pages where the guest-physical range allows, each mapped on its own in the
 * domain's nested tables, so DESTROY frees the RAM by walking those tables
 * (npt_free_all). Nothing comes from the heap, so free memory after DESTROY is
 * exactly what it was before CREATE.
 *
 * Domain ids are handed out like Xen's: the next id after the last one given,
 * wrapping at CAIRN_DOMID_MAX, skipping ids in use. At most DOMU_MAX domUs live
 * at once (the scheduler's capacity).
 *
 * Locking: domctl_lock serialises the operations (dom0 is their only caller);
 * the scheduler's lock (sched.c) is taken inside it, never the other way round.
 * A domain's vUART is shared with the CPU running its vCPUs: uart_lock.
 */
#include "cpu.h"
#include "hvm.h"
#include "percpu.h"
#include "sched_credit.h"

#define DOMU_MAX (SCHED_MAX_DOMS - 1)

struct domu {
	struct domain d;
	struct vcpu v[CAIRN_DOMCTL_MAX_VCPUS];
};

static struct domain *domus[DOMU_MAX];
static u32 last_domid;
static spinlock_t domctl_lock = SPINLOCK_INIT;
static u8 bounce[CAIRN_DOMCTL_COPY_MAX]; /* under domctl_lock */

typedef long (*domctl_fn)(struct vcpu *caller, u64 uptr, void *arg);

struct domctl_op {
	domctl_fn fn;
	u32 size;       /* sizeof the structure */
	u32 magic;
	bool copy_back; /* results go back to the caller */
};

static unsigned order_for(size_t bytes)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static struct domain *domain_find(u32 domid)
{
	for (unsigned i = 0; i < DOMU_MAX; i++)
		if (domus[i] && domus[i]->id == domid)
			return domus[i];
	return NULL;
}

/* The next free id after the last one given, like Xen; 0 when none is free. */
static u32 domid_alloc(void)
{
	u32 id = last_domid;

	for (u32 tries = 0; tries < CAIRN_DOMID_MAX; tries++) {
		id = id >= CAIRN_DOMID_MAX ? 1 : id + 1;
		if (!domain_find(id)) {
			last_domid = id;
			return id;
		}
	}
	return 0;
}

static int slot_free(void)
{
	for (unsigned i = 0; i < DOMU_MAX; i++)
		if (!domus[i])
			return (int)i;
	return -1;
}

/* ---- CREATE ---- */

static bool name_ok(const char *name)
{
	size_t n = 0;

	while (n < CAIRN_DOMCTL_NAME_MAX && name[n]) {
		if (name[n] < 0x20 || name[n] > 0x7e)
			return false;
		n++;
	}
	return n < CAIRN_DOMCTL_NAME_MAX;
}

static int create_check(const struct cairn_domctl_create *c)
{
	if (c->memory_mb < CAIRN_DOMCTL_MIN_MEMORY_MB || c->memory_mb > CAIRN_DOMCTL_MAX_MEMORY_MB)
		return -CAIRN_EINVAL;
	if (c->nr_vcpus < 1 || c->nr_vcpus > CAIRN_DOMCTL_MAX_VCPUS)
		return -CAIRN_EINVAL;
	if (c->weight > CAIRN_DOMCTL_WEIGHT_MAX || c->cap > 100 * c->nr_vcpus)
		return -CAIRN_EINVAL;
	if (!name_ok(c->name))
		return -CAIRN_EINVAL;
	for (unsigned i = 0; c->name[0] && i < DOMU_MAX; i++)
		if (domus[i] && !strcmp(domus[i]->name, c->name))
			return -CAIRN_EEXIST;
	return 0;
}

static void domu_free(struct domu *du)
{
	for (unsigned i = 0; i < du->d.nr_vcpus; i++)
		if (du->v[i].vmcb)
			hvm->vcpu_free(&du->v[i]);
	npt_free_all(du->d.npt_root);
	page_free(pa(du), du->d.alloc_order);
}

static struct domu *domu_alloc(const struct cairn_domctl_create *c, u32 domid)
{
	unsigned order = order_for(sizeof(struct domu));
	struct domu *du = page_alloc_va(order);

	if (!du)
		return NULL;
	du->d.alloc_order = order;
	du->d.id = domid;
	memcpy(du->d.name, c->name, sizeof(du->d.name));
	du->d.state = CAIRN_DOMSTATE_PAUSED;
	du->d.nr_vcpus = c->nr_vcpus;
	du->d.weight = c->weight ? c->weight : CAIRN_DOMCTL_WEIGHT_DEFAULT;
	du->d.cap = c->cap;
	du->d.max_pages = (u64)c->memory_mb << (20 - PAGE_SHIFT);
	du->d.tsc_offset = -rdtsc(); /* its TSC starts near 0 */
	du->d.uart_lock = (spinlock_t)SPINLOCK_INIT;
	vuart_init(&du->d.uart);
	for (unsigned i = 0; i < c->nr_vcpus; i++) {
		du->v[i].dom = &du->d;
		du->v[i].id = i;
		/* An APIC timer tick of 10 ns (a 100 MHz bus), in TSC cycles. */
		vlapic_init(&du->v[i].lapic, (u8)i, (u32)MAX(tsc_khz / 100000, 1ull));
		du->d.vcpus[i] = &du->v[i];
		if (hvm->vcpu_create(&du->v[i])) {
			domu_free(du);
			return NULL;
		}
	}
	return du;
}

static long op_create(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_create *c = arg;
	struct domu *du;
	int rc = create_check(c), slot = slot_free();
	u64 total, free_before;
	u32 domid;

	mm_stats(&total, &free_before);
	if (rc)
		return rc;
	if (slot < 0 || !(domid = domid_alloc()))
		return -CAIRN_ENOSPC;
	du = domu_alloc(c, domid);
	if (!du)
		return -CAIRN_ENOMEM;
	rc = sched_domain_add(&du->d);
	if (rc) {
		domu_free(du);
		return rc;
	}
	domus[slot] = &du->d;
	c->hdr.domid = domid;
	pr_info("dom%u created: \"%s\", %u MiB, %u vCPUs, weight %u, cap %u; free pages before: %llu",
		domid, du->d.name, c->memory_mb, du->d.nr_vcpus, du->d.weight, du->d.cap,
		(unsigned long long)free_before);
	return 0;
}

/* ---- POPULATE and LOAD ---- */

/* Adds [start, end) to the domain's RAM ranges, merging with a neighbour. */
static int ram_add(struct domain *d, u64 start, u64 end)
{
	for (unsigned i = 0; i < d->nr_ram; i++) {
		if (d->ram[i].end == start) {
			d->ram[i].end = end;
			return 0;
		}
		if (d->ram[i].start == end) {
			d->ram[i].start = start;
			return 0;
		}
	}
	if (d->nr_ram >= E820_MAX)
		return -CAIRN_ENOSPC;
	d->ram[d->nr_ram++] = (struct mem_range){ start, end };
	return 0;
}

static bool gpa_range_ok(u64 gpa, u64 size)
{
	u64 end = gpa + size;

	if (!size || ((gpa | size) & (PAGE_SIZE - 1)) || end < gpa)
		return false;
	if (end > CAIRN_DOMCTL_GPA_LIMIT)
		return false;
	return end <= 0xfec00000ull || gpa >= 4 * GiB;
}

/* Backs [gpa, end) with fresh pages, 2 MiB ones where aligned. */
static int populate(struct domain *d, u64 gpa, u64 end)
{
	u64 start = gpa;
	int rc = 0;

	while (gpa < end) {
		bool big = !(gpa & (2 * MiB - 1)) && end - gpa >= 2 * MiB;
		u64 sz = big ? 2 * MiB : PAGE_SIZE, hpa = page_alloc(big ? 9 : 0);

		if (!hpa) {
			rc = -CAIRN_ENOMEM;
			break;
		}
		if (npt_map(&d->npt_root, gpa, hpa, sz)) {
			page_free(hpa, big ? 9 : 0);
			rc = -CAIRN_ENOMEM;
			break;
		}
		gpa += sz;
		d->pages += sz >> PAGE_SHIFT;
	}
	/* What was mapped stays the domain's (DESTROY frees it) even after a failure. */
	if (gpa > start && ram_add(d, start, gpa))
		rc = -CAIRN_ENOSPC;
	return rc;
}

static long op_populate(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_populate *p = arg;
	struct domain *d = domain_find(p->hdr.domid);

	if (!gpa_range_ok(p->gpa, p->size))
		return -CAIRN_EINVAL;
	if (!d)
		return -CAIRN_ENOENT;
	if (d->has_run)
		return -CAIRN_EBUSY;
	if (ranges_overlap(d->ram, d->nr_ram, p->gpa, p->gpa + p->size))
		return -CAIRN_EEXIST;
	if (p->size >> PAGE_SHIFT > d->max_pages - d->pages)
		return -CAIRN_ENOSPC;
	return populate(d, p->gpa, p->gpa + p->size);
}

/* Copies LEN bytes to the domain's guest-physical GPA (checked to be its RAM). */
static void copy_to_domain(struct domain *d, u64 gpa, const u8 *src, u64 len)
{
	while (len) {
		u64 take = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		u64 hpa = npt_lookup(d->npt_root, gpa);

		BUG_ON(hpa == ~0ull);
		memcpy(va(hpa), src, take);
		gpa += take;
		src += take;
		len -= take;
	}
}

static long op_load(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_load *l = arg;
	struct domain *d = domain_find(l->hdr.domid);
	int rc;

	if (!l->len || l->len > CAIRN_DOMCTL_COPY_MAX)
		return -CAIRN_EINVAL;
	if (!d)
		return -CAIRN_ENOENT;
	if (d->has_run)
		return -CAIRN_EBUSY;
	if (!domain_owns(d, l->gpa, l->len))
		return -CAIRN_ERANGE;
	rc = guest_copy_from(caller, bounce, l->buf, l->len);
	if (rc)
		return rc;
	copy_to_domain(d, l->gpa, bounce, l->len);
	return 0;
}

static long op_vcpu_set_state(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_vcpu *c = arg;
	struct domain *d = domain_find(c->hdr.domid);
	int rc;

	if (!d)
		return -CAIRN_ENOENT;
	if (d->has_run)
		return -CAIRN_EBUSY;
	if (c->vcpu >= d->nr_vcpus)
		return -CAIRN_ERANGE;
	rc = hvm->vcpu_set_regs(d->vcpus[c->vcpu], &c->regs);
	if (rc)
		return rc;
	d->vcpus[c->vcpu]->has_state = true;
	return 0;
}

/* ---- lifecycle ---- */

/*
 * The stored state moves PAUSED <-> RUNNING under domctl_lock, and to CRASHED
 * from the CPU running a vCPU without it: every transition is a compare and
 * swap, so a crash is never overwritten by a PAUSE or UNPAUSE.
 */
static bool state_move(struct domain *d, u32 from, u32 to)
{
	return __atomic_compare_exchange_n(&d->state, &from, to, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static struct domain *named_domu(u32 domid, long *rc)
{
	struct domain *d = domid ? domain_find(domid) : NULL;

	*rc = domid ? (d ? 0 : -CAIRN_ENOENT) : -CAIRN_EPERM;
	return d;
}

static long op_unpause(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_domid *o = arg;
	long rc;
	struct domain *d = named_domu(o->hdr.domid, &rc);

	if (!d)
		return rc;
	if (!d->vcpus[0]->has_state || !d->npt_root)
		return -CAIRN_EINVAL; /* nothing to run, or no memory to run in */
	if (state_move(d, CAIRN_DOMSTATE_PAUSED, CAIRN_DOMSTATE_RUNNING)) {
		d->has_run = true;
		sched_domain_pause(d, false);
		return 0;
	}
	return d->state == CAIRN_DOMSTATE_RUNNING ? 0 : -CAIRN_EINVAL; /* crashed */
}

static long op_pause(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_domid *o = arg;
	long rc;
	struct domain *d = named_domu(o->hdr.domid, &rc);

	if (!d)
		return rc;
	if (state_move(d, CAIRN_DOMSTATE_RUNNING, CAIRN_DOMSTATE_PAUSED))
		sched_domain_pause(d, true);
	return 0;
}

static long op_destroy(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_domid *o = arg;
	long rc;
	struct domain *d = named_domu(o->hdr.domid, &rc);
	u64 pages, total, free_after;

	if (!d)
		return rc;
	sched_domain_remove(d); /* returns when none of its vCPUs runs */
	for (unsigned i = 0; i < DOMU_MAX; i++)
		if (domus[i] == d)
			domus[i] = NULL;
	pages = d->pages;
	domu_free((struct domu *)d);
	mm_stats(&total, &free_after);
	pr_info("dom%u destroyed: %llu pages of RAM returned; free pages after: %llu",
		o->hdr.domid, (unsigned long long)pages, (unsigned long long)free_after);
	return 0;
}

/* ---- LIST and QUERY ---- */

static long op_list(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_list *l = arg;
	u32 from = l->hdr.domid, next = 0;

	l->nr = l->more = 0;
	if (from == 0)
		l->domids[l->nr++] = 0;
	for (;;) { /* ascending: the smallest id >= NEXT each round */
		u32 best = ~0u;

		for (unsigned i = 0; i < DOMU_MAX; i++)
			if (domus[i] && domus[i]->id >= MAX(from, next) && domus[i]->id < best)
				best = domus[i]->id;
		if (best == ~0u)
			break;
		if (l->nr == CAIRN_DOMCTL_LIST_MAX) {
			l->more = 1;
			break;
		}
		l->domids[l->nr++] = best;
		next = best + 1;
	}
	return 0;
}

static u32 domain_state(const struct domain *d)
{
	if (d->state != CAIRN_DOMSTATE_RUNNING)
		return d->state;
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]->has_state && !d->vcpus[i]->halted)
			return CAIRN_DOMSTATE_RUNNING;
	return CAIRN_DOMSTATE_BLOCKED;
}

static void query_dom0(struct cairn_domctl_query *q)
{
	q->state = CAIRN_DOMSTATE_RUNNING;
	q->nr_vcpus = 1;
	q->weight = CAIRN_DOMCTL_WEIGHT_DEFAULT;
	strlcpy(q->name, "Domain-0", sizeof(q->name));
}

static long op_query(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_query *q = arg;
	struct domain *d = domain_find(q->hdr.domid);

	memset((char *)q + sizeof(q->hdr), 0, sizeof(*q) - sizeof(q->hdr));
	if (q->hdr.domid == 0) {
		query_dom0(q);
		return 0;
	}
	if (!d)
		return -CAIRN_ENOENT;
	q->state = domain_state(d);
	q->exit_reason = d->exit_reason;
	q->nr_vcpus = d->nr_vcpus;
	q->weight = d->weight;
	q->cap = d->cap;
	q->max_pages = d->max_pages;
	q->pages = d->pages;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		q->vcpu_time_ns[i] = __atomic_load_n(&d->vcpus[i]->run_ns, __ATOMIC_RELAXED);
		q->cpu_time_ns += q->vcpu_time_ns[i];
	}
	memcpy(q->name, d->name, sizeof(q->name));
	return 0;
}

/* ---- console ---- */

static long op_console_read(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_console *c = arg;
	long rc;
	struct domain *d = named_domu(c->hdr.domid, &rc);
	u64 f;

	if (c->len > CAIRN_DOMCTL_CONSOLE_MAX)
		return -CAIRN_EINVAL;
	if (!d)
		return rc;
	f = spin_lock_irqsave(&d->uart_lock);
	c->len = (u32)vuart_tx_drain(&d->uart, (u8 *)c->data, c->len);
	c->lost = (u32)MIN(d->uart.tx_lost, 0xffffffffull);
	d->uart.tx_lost = 0;
	spin_unlock_irqrestore(&d->uart_lock, f);
	return 0;
}

static long op_console_write(struct vcpu *caller, u64 uptr, void *arg)
{
	struct cairn_domctl_console *c = arg;
	long rc;
	struct domain *d = named_domu(c->hdr.domid, &rc);
	u64 f;

	if (c->len > CAIRN_DOMCTL_CONSOLE_MAX)
		return -CAIRN_EINVAL;
	if (!d)
		return rc;
	f = spin_lock_irqsave(&d->uart_lock);
	c->len = (u32)vuart_rx_push(&d->uart, (const u8 *)c->data, c->len);
	spin_unlock_irqrestore(&d->uart_lock, f);
	return 0;
}

/* ---- dispatch ---- */

#define OP(name, fn, type, magic, back) \
	[CAIRN_HC_##name] = { fn, sizeof(struct type), CAIRN_DOMCTL_##magic##_MAGIC, back }

static const struct domctl_op domctl_ops[CAIRN_HC_MAX] = {
	OP(DOMAIN_CREATE, op_create, cairn_domctl_create, CREATE, true),
	OP(DOMAIN_POPULATE, op_populate, cairn_domctl_populate, POPULATE, false),
	OP(DOMAIN_LOAD, op_load, cairn_domctl_load, LOAD, false),
	OP(VCPU_SET_STATE, op_vcpu_set_state, cairn_domctl_vcpu, VCPU, false),
	OP(DOMAIN_UNPAUSE, op_unpause, cairn_domctl_domid, DOMID, false),
	OP(DOMAIN_PAUSE, op_pause, cairn_domctl_domid, DOMID, false),
	OP(DOMAIN_DESTROY, op_destroy, cairn_domctl_domid, DOMID, false),
	OP(DOMAIN_LIST, op_list, cairn_domctl_list, LIST, true),
	OP(DOMAIN_QUERY, op_query, cairn_domctl_query, QUERY, true),
	OP(DOMAIN_CONSOLE_READ, op_console_read, cairn_domctl_console, CONSOLE, true),
	OP(DOMAIN_CONSOLE_WRITE, op_console_write, cairn_domctl_console, CONSOLE, true),
};

/* The largest structure: the copy-in buffer (under domctl_lock). */
static union {
	struct cairn_domctl_hdr hdr;
	struct cairn_domctl_create create;
	struct cairn_domctl_vcpu vcpu;
	struct cairn_domctl_list list;
	struct cairn_domctl_query query;
	struct cairn_domctl_console console;
} argbuf;

static long domctl_copy_in(struct vcpu *caller, const struct domctl_op *o, const u64 a[5])
{
	int rc;

	if (a[1] != o->size)
		return -CAIRN_EINVAL;
	rc = guest_copy_from(caller, &argbuf, a[0], o->size);
	if (rc)
		return rc;
	if (argbuf.hdr.size != o->size || argbuf.hdr.magic != o->magic ||
	    argbuf.hdr.version != CAIRN_DOMCTL_VERSION)
		return -CAIRN_EINVAL;
	return 0;
}

/*
 * Runs domain-control operation OP for CALLER (already known to be at CPL 0).
 * Only dom0 may call it. Returns 0 or a negative errno.
 */
long domctl_dispatch(struct vcpu *caller, u64 op, const u64 a[5])
{
	const struct domctl_op *o = op < CAIRN_HC_MAX ? &domctl_ops[op] : NULL;
	long rc;

	if (!o || !o->fn)
		return -CAIRN_ENOSYS;
	if (caller->dom->id != 0)
		return -CAIRN_EPERM;
	spin_lock(&domctl_lock);
	rc = domctl_copy_in(caller, o, a);
	if (!rc)
		rc = o->fn(caller, a[0], &argbuf);
	if (!rc && o->copy_back)
		rc = guest_copy_to(caller, a[0], &argbuf, o->size);
	spin_unlock(&domctl_lock);
	return rc;
}

/* Called on the CPU running one of D's vCPUs: stops the whole domain for good. */
void domain_crash(struct domain *d, u32 reason)
{
	if (__atomic_exchange_n(&d->state, CAIRN_DOMSTATE_CRASHED, __ATOMIC_SEQ_CST) ==
	    CAIRN_DOMSTATE_CRASHED)
		return;
	d->exit_reason = reason;
	sched_domain_pause(d, true);
	pr_err("dom%u crashed (reason %u); dom0 may destroy it", d->id, reason);
}
