/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vlapic.c — the virtual local APIC's registers, priorities and timer.
 *
 * Design: MMIO is dispatched through a table indexed by offset / 16 (64 rows
 * for the 0x000..0x3f0 range); a row has a read and a write handler, either of
 * which may be absent (read-only, write-only). A row with neither is reserved
 * and refused loudly. IRR/ISR/TMR are 256-bit maps in eight 32-bit words, as in
 * the hardware page. The timer keeps only its start and next deadline in TSC
 * cycles; the current count is computed from "now" when read.
 *
 * x2APIC mode reuses the same table: MSR 0x800 + n is the register at offset
 * n * 16, with the x2APIC differences (read-only ID/LDR, 64-bit ICR, SELF_IPI,
 * #GP instead of ESR for bad accesses) handled before the table is consulted.
 *
 * Invariant: timer_deadline != 0 exactly when the timer is armed (one-shot or
 * periodic with a non-zero initial count, or TSC-deadline with a non-zero
 * deadline). Locking: none; the caller owns the struct (one vCPU).
 */
#include "vlapic.h"

#include <stddef.h>

/* Register handlers share one signature; most use only some of it. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define memset __builtin_memset

static int base_mode(uint64_t base);

#define LVT_TIMER_IDX 0
#define LVT_ERROR_IDX 5

/* Writable bits of each LVT (timer, thermal, perf, LINT0, LINT1, error). */
static const uint32_t lvt_wmask[VLAPIC_NR_LVT] = {
	0x000700ff, /* vector, mask, timer mode (17-18) */
	0x000107ff, /* vector, delivery mode, mask */
	0x000107ff,
	0x0001a7ff, /* vector, delivery mode, polarity, trigger, mask */
	0x0001a7ff,
	0x000100ff, /* vector, mask */
};

static void map_set(uint32_t *map, unsigned vec)
{
	map[vec >> 5] |= 1u << (vec & 31);
}

static void map_clear(uint32_t *map, unsigned vec)
{
	map[vec >> 5] &= ~(1u << (vec & 31));
}

static bool map_test(const uint32_t *map, unsigned vec)
{
	return map[vec >> 5] >> (vec & 31) & 1;
}

/* The highest vector set in a 256-bit map, or -1. */
static int map_highest(const uint32_t *map)
{
	int w;

	for (w = 7; w >= 0; w--)
		if (map[w])
			return w * 32 + 31 - __builtin_clz(map[w]);
	return -1;
}

static bool sw_enabled(const struct vlapic *v)
{
	return v->svr & VLAPIC_SVR_ENABLE;
}

uint32_t vlapic_ppr(const struct vlapic *v)
{
	int isrv = map_highest(v->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	if ((v->tpr & 0xf0) >= isr_class)
		return v->tpr & 0xff;
	return isr_class;
}

void vlapic_init(struct vlapic *v, uint8_t apic_id, uint32_t tsc_per_tick)
{
	unsigned i;

	memset(v, 0, sizeof(*v));
	v->tsc_per_tick = tsc_per_tick ? tsc_per_tick : 1;
	v->apic_base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | (apic_id ? 0 : VLAPIC_BASE_BSP);
	v->id = (uint32_t)apic_id << 24;
	v->dfr = 0xffffffffu;
	v->svr = 0xff;
	for (i = 0; i < VLAPIC_NR_LVT; i++)
		v->lvt[i] = VLAPIC_LVT_MASKED;
}

/* ---- timer ---- */

static uint32_t timer_mode(const struct vlapic *v)
{
	return v->lvt[LVT_TIMER_IDX] & VLAPIC_LVT_TIMER_MODE;
}

/* TSC cycles per tick of the divided timer clock. */
static uint64_t timer_cycles_per_tick(const struct vlapic *v)
{
	uint32_t d = (v->timer_dcr & 3) | ((v->timer_dcr >> 1) & 4);

	return (uint64_t)v->tsc_per_tick << ((d + 1) & 7);
}

static uint64_t timer_period(const struct vlapic *v)
{
	return timer_cycles_per_tick(v) * v->timer_icr;
}

static void timer_stop(struct vlapic *v)
{
	v->timer_deadline = 0;
}

static void timer_start_count(struct vlapic *v, uint64_t now)
{
	v->timer_start = now;
	if (!v->timer_icr || timer_mode(v) == VLAPIC_LVT_TIMER_TSCDL) {
		timer_stop(v);
		return;
	}
	v->timer_deadline = now + timer_period(v);
	if (!v->timer_deadline)
		v->timer_deadline = 1;
}

static uint32_t timer_current_count(const struct vlapic *v, uint64_t now)
{
	uint64_t ticks;

	if (timer_mode(v) == VLAPIC_LVT_TIMER_TSCDL || !v->timer_icr)
		return 0;
	if (now < v->timer_start)
		return v->timer_icr;
	ticks = (now - v->timer_start) / timer_cycles_per_tick(v);
	if (timer_mode(v) == VLAPIC_LVT_TIMER_PERIODIC)
		return v->timer_icr - (uint32_t)(ticks % v->timer_icr);
	if (!v->timer_deadline || ticks >= v->timer_icr)
		return 0;
	return v->timer_icr - (uint32_t)ticks;
}

uint64_t vlapic_next_event(const struct vlapic *v)
{
	return v->timer_deadline ? v->timer_deadline : VLAPIC_NO_EVENT;
}

bool vlapic_timer_update(struct vlapic *v, uint64_t now)
{
	uint32_t lvt = v->lvt[LVT_TIMER_IDX];
	uint64_t period;

	if (!v->timer_deadline || now < v->timer_deadline)
		return false;
	if (!(lvt & VLAPIC_LVT_MASKED))
		vlapic_set_irq(v, lvt & 0xff, false);
	if (timer_mode(v) == VLAPIC_LVT_TIMER_PERIODIC) {
		period = timer_period(v);
		/* Skip the periods that passed unseen; fire once for all of them. */
		v->timer_deadline += period * ((now - v->timer_deadline) / period + 1);
	} else {
		v->timer_deadline = 0;
		if (timer_mode(v) == VLAPIC_LVT_TIMER_TSCDL)
			v->tsc_deadline = 0;
	}
	return true;
}

uint64_t vlapic_tsc_deadline_read(const struct vlapic *v)
{
	if (timer_mode(v) != VLAPIC_LVT_TIMER_TSCDL)
		return 0;
	return v->tsc_deadline;
}

void vlapic_tsc_deadline_write(struct vlapic *v, uint64_t val, uint64_t now)
{
	if (timer_mode(v) != VLAPIC_LVT_TIMER_TSCDL)
		return;
	v->tsc_deadline = val;
	v->timer_deadline = val; /* 0 disarms; a past deadline fires at the next update */
}

/* ---- interrupts ---- */

bool vlapic_set_irq(struct vlapic *v, uint8_t vector, bool level)
{
	if (vector < 16) {
		v->esr_pending |= VLAPIC_ESR_RECV_ILLEGAL;
		return false;
	}
	if (!sw_enabled(v))
		return false;
	map_set(v->irr, vector);
	if (level)
		map_set(v->tmr, vector);
	else
		map_clear(v->tmr, vector);
	return true;
}

int vlapic_pending_vector(const struct vlapic *v)
{
	int vec = map_highest(v->irr);

	if (vec < 0 || !sw_enabled(v))
		return -1;
	if (((uint32_t)vec & 0xf0) <= (vlapic_ppr(v) & 0xf0))
		return -1;
	return vec;
}

void vlapic_ack(struct vlapic *v, uint8_t vector)
{
	map_clear(v->irr, vector);
	map_set(v->isr, vector);
}

static void do_eoi(struct vlapic *v, struct vlapic_action *act)
{
	int vec = map_highest(v->isr);

	if (vec < 0)
		return;
	map_clear(v->isr, (unsigned)vec);
	if (map_test(v->tmr, (unsigned)vec)) {
		act->kind = VLAPIC_ACT_EOI;
		act->eoi_vector = (uint8_t)vec;
	}
}

static void decode_icr(const struct vlapic *v, struct vlapic_ipi *ipi)
{
	ipi->vector = v->icr_lo & 0xff;
	ipi->delivery = (v->icr_lo >> 8) & 7;
	ipi->logical = v->icr_lo >> 11 & 1;
	ipi->level_assert = v->icr_lo >> 14 & 1;
	ipi->level_trigger = v->icr_lo >> 15 & 1;
	ipi->shorthand = (v->icr_lo >> 18) & 3;
	ipi->x2apic = vlapic_x2apic(v);
	ipi->dest = ipi->x2apic ? v->icr_hi : v->icr_hi >> 24;
}

static void send_ipi(struct vlapic *v, struct vlapic_action *act)
{
	struct vlapic_ipi ipi;

	decode_icr(v, &ipi);
	/* Fixed and lowest-priority IPIs need a real vector. */
	if ((ipi.delivery == VLAPIC_DM_FIXED || ipi.delivery == VLAPIC_DM_LOWPRI) &&
	    ipi.vector < 16) {
		v->esr_pending |= VLAPIC_ESR_SEND_ILLEGAL;
		return;
	}
	/* INIT level de-assert is a no-op on modern APICs. */
	if (ipi.delivery == VLAPIC_DM_INIT && !ipi.level_assert && ipi.level_trigger)
		return;
	act->kind = VLAPIC_ACT_IPI;
	act->ipi = ipi;
}

/* The x2APIC logical id: cluster (id >> 4) in bits 16-31, 1 << (id & 15) below. */
static uint32_t x2apic_ldr(const struct vlapic *v)
{
	uint32_t id = v->id >> 24;

	return (id >> 4) << 16 | 1u << (id & 15);
}

static bool ldr_match(const struct vlapic_ipi *ipi, const struct vlapic *t)
{
	uint8_t ldr = t->ldr >> 24;

	if (ipi->x2apic) {
		uint32_t tl = x2apic_ldr(t);

		return ipi->dest == 0xffffffffu ||
		       ((ipi->dest >> 16) == (tl >> 16) && (ipi->dest & tl & 0xffff));
	}

	if ((t->dfr >> 28) == 0xf)                 /* flat model */
		return (ldr & ipi->dest) != 0;
	if (ipi->dest == 0xff)                     /* cluster model broadcast */
		return true;
	return (ldr >> 4) == (ipi->dest >> 4) && (ldr & ipi->dest & 0xf) != 0;
}

static bool ipi_dest_match(const struct vlapic_ipi *ipi, const struct vlapic *t)
{
	uint32_t broadcast = ipi->x2apic ? 0xffffffffu : 0xff;

	if (ipi->logical)
		return ldr_match(ipi, t);
	return ipi->dest == broadcast || ipi->dest == (t->id >> 24);
}

uint64_t vlapic_ipi_targets(const struct vlapic_ipi *ipi, const struct vlapic *self,
			    const struct vlapic *const *all, unsigned n)
{
	uint64_t mask = 0;
	unsigned i;

	for (i = 0; i < n && i < 64; i++) {
		bool is_self = all[i] == self, hit;

		switch (ipi->shorthand) {
		case VLAPIC_SH_SELF:
			hit = is_self;
			break;
		case VLAPIC_SH_ALL_INCL_SELF:
			hit = true;
			break;
		case VLAPIC_SH_ALL_EXCL_SELF:
			hit = !is_self;
			break;
		default:
			hit = ipi_dest_match(ipi, all[i]);
			break;
		}
		if (hit)
			mask |= 1ull << i;
	}
	return mask;
}

/* ---- register table ---- */

typedef uint32_t (*reg_read_fn)(const struct vlapic *v, uint32_t off, uint64_t now);
typedef void (*reg_write_fn)(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
			     struct vlapic_action *act);

struct vlapic_reg {
	reg_read_fn read;
	reg_write_fn write;
};

static uint32_t rd_id(const struct vlapic *v, uint32_t off, uint64_t now) { return v->id; }
static uint32_t rd_ver(const struct vlapic *v, uint32_t off, uint64_t now) { return VLAPIC_VERSION; }
static uint32_t rd_tpr(const struct vlapic *v, uint32_t off, uint64_t now) { return v->tpr; }
static uint32_t rd_zero(const struct vlapic *v, uint32_t off, uint64_t now) { return 0; }
static uint32_t rd_ppr(const struct vlapic *v, uint32_t off, uint64_t now) { return vlapic_ppr(v); }
static uint32_t rd_ldr(const struct vlapic *v, uint32_t off, uint64_t now) { return v->ldr; }
static uint32_t rd_dfr(const struct vlapic *v, uint32_t off, uint64_t now) { return v->dfr; }
static uint32_t rd_svr(const struct vlapic *v, uint32_t off, uint64_t now) { return v->svr; }
static uint32_t rd_esr(const struct vlapic *v, uint32_t off, uint64_t now) { return v->esr; }
static uint32_t rd_icr_lo(const struct vlapic *v, uint32_t off, uint64_t now) { return v->icr_lo; }
static uint32_t rd_icr_hi(const struct vlapic *v, uint32_t off, uint64_t now) { return v->icr_hi; }
static uint32_t rd_ticr(const struct vlapic *v, uint32_t off, uint64_t now) { return v->timer_icr; }
static uint32_t rd_tdcr(const struct vlapic *v, uint32_t off, uint64_t now) { return v->timer_dcr; }

static uint32_t rd_isr(const struct vlapic *v, uint32_t off, uint64_t now)
{
	return v->isr[(off - VLAPIC_ISR) >> 4];
}

static uint32_t rd_tmr(const struct vlapic *v, uint32_t off, uint64_t now)
{
	return v->tmr[(off - VLAPIC_TMR) >> 4];
}

static uint32_t rd_irr(const struct vlapic *v, uint32_t off, uint64_t now)
{
	return v->irr[(off - VLAPIC_IRR) >> 4];
}

static uint32_t rd_lvt(const struct vlapic *v, uint32_t off, uint64_t now)
{
	return v->lvt[(off - VLAPIC_LVT_TIMER) >> 4];
}

static uint32_t rd_tccr(const struct vlapic *v, uint32_t off, uint64_t now)
{
	return timer_current_count(v, now);
}

static void wr_id(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		  struct vlapic_action *act)
{
	v->id = val & 0xff000000u;
}

static void wr_tpr(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		   struct vlapic_action *act)
{
	v->tpr = val & 0xff;
}

static void wr_eoi(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		   struct vlapic_action *act)
{
	do_eoi(v, act);
}

static void wr_ldr(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		   struct vlapic_action *act)
{
	v->ldr = val & 0xff000000u;
}

static void wr_dfr(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		   struct vlapic_action *act)
{
	v->dfr = val | 0x0fffffffu;
}

static void wr_svr(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		   struct vlapic_action *act)
{
	unsigned i;

	v->svr = val & 0x13ff; /* vector, enable, focus check, EOI-broadcast suppression */
	if (sw_enabled(v))
		return;
	/* Software disable masks every LVT and stops nothing else. */
	for (i = 0; i < VLAPIC_NR_LVT; i++)
		v->lvt[i] |= VLAPIC_LVT_MASKED;
}

static void wr_esr(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		   struct vlapic_action *act)
{
	v->esr = v->esr_pending;
	v->esr_pending = 0;
}

static void wr_icr_lo(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		      struct vlapic_action *act)
{
	v->icr_lo = val & 0x000ccfffu; /* delivery status (bit 12) always reads idle */
	send_ipi(v, act);
}

static void wr_icr_hi(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		      struct vlapic_action *act)
{
	v->icr_hi = val & 0xff000000u;
}

static void wr_lvt(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		   struct vlapic_action *act)
{
	unsigned i = (off - VLAPIC_LVT_TIMER) >> 4;
	uint32_t old_mode = timer_mode(v);

	if (!sw_enabled(v))
		val |= VLAPIC_LVT_MASKED;
	v->lvt[i] = val & lvt_wmask[i];
	if (i == LVT_TIMER_IDX && timer_mode(v) != old_mode) {
		/* A mode change disarms the timer; the guest rewrites the count. */
		timer_stop(v);
		v->tsc_deadline = 0;
	}
}

static void wr_ticr(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		    struct vlapic_action *act)
{
	if (timer_mode(v) == VLAPIC_LVT_TIMER_TSCDL)
		return; /* ignored in TSC-deadline mode */
	v->timer_icr = val;
	timer_start_count(v, now);
}

static void wr_tdcr(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now,
		    struct vlapic_action *act)
{
	v->timer_dcr = val & 0xb;
}

static const struct vlapic_reg vlapic_regs[VLAPIC_PAGE_SIZE / 64] = {
	[VLAPIC_ID >> 4]       = { rd_id, wr_id },
	[VLAPIC_VER >> 4]      = { rd_ver, NULL },
	[VLAPIC_TPR >> 4]      = { rd_tpr, wr_tpr },
	[VLAPIC_APR >> 4]      = { rd_zero, NULL },
	[VLAPIC_PPR >> 4]      = { rd_ppr, NULL },
	[VLAPIC_EOI >> 4]      = { rd_zero, wr_eoi },
	[VLAPIC_RRD >> 4]      = { rd_zero, NULL },
	[VLAPIC_LDR >> 4]      = { rd_ldr, wr_ldr },
	[VLAPIC_DFR >> 4]      = { rd_dfr, wr_dfr },
	[VLAPIC_SVR >> 4]      = { rd_svr, wr_svr },
	[0x10 ... 0x17]        = { rd_isr, NULL },
	[0x18 ... 0x1f]        = { rd_tmr, NULL },
	[0x20 ... 0x27]        = { rd_irr, NULL },
	[VLAPIC_ESR >> 4]      = { rd_esr, wr_esr },
	[VLAPIC_ICR_LO >> 4]   = { rd_icr_lo, wr_icr_lo },
	[VLAPIC_ICR_HI >> 4]   = { rd_icr_hi, wr_icr_hi },
	[0x32 ... 0x37]        = { rd_lvt, wr_lvt },
	[VLAPIC_TIMER_ICR >> 4] = { rd_ticr, wr_ticr },
	[VLAPIC_TIMER_CCR >> 4] = { rd_tccr, NULL },
	[VLAPIC_TIMER_DCR >> 4] = { rd_tdcr, wr_tdcr },
};

/* The row for `offset`, or NULL if it names no register. */
static const struct vlapic_reg *reg_find(uint32_t offset)
{
	const struct vlapic_reg *r;

	if ((offset & 0xf) || offset >= 0x400)
		return NULL;
	r = &vlapic_regs[offset >> 4];
	return r->read || r->write ? r : NULL;
}

/* reg_find() for MMIO: a miss is an illegal-register error in ESR. */
static const struct vlapic_reg *reg_lookup(struct vlapic *v, uint32_t offset)
{
	const struct vlapic_reg *r = reg_find(offset);

	if (!r)
		v->esr_pending |= VLAPIC_ESR_ILLEGAL_REG;
	return r;
}

/* MMIO reaches the registers only in xAPIC mode (not when disabled or in x2APIC). */
static bool xapic_mode(const struct vlapic *v)
{
	return base_mode(v->apic_base) == 1;
}

int vlapic_mmio_read(struct vlapic *v, uint32_t offset, uint64_t now, uint32_t *val)
{
	const struct vlapic_reg *r;

	*val = 0;
	if (!xapic_mode(v))
		return -VLAPIC_EINVAL;
	r = reg_lookup(v, offset);
	if (!r)
		return -VLAPIC_EINVAL;
	if (r->read)
		*val = r->read(v, offset, now);
	return 0;
}

int vlapic_mmio_write(struct vlapic *v, uint32_t offset, uint32_t val, uint64_t now,
		      struct vlapic_action *act)
{
	const struct vlapic_reg *r;

	act->kind = VLAPIC_ACT_NONE;
	if (!xapic_mode(v))
		return -VLAPIC_EINVAL;
	r = reg_lookup(v, offset);
	if (!r)
		return -VLAPIC_EINVAL;
	if (r->write)
		r->write(v, offset, val, now, act); /* read-only registers ignore writes */
	return 0;
}

/* ---- APIC_BASE and x2APIC ---- */

bool vlapic_x2apic(const struct vlapic *v)
{
	return (v->apic_base & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)) ==
	       (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD);
}

uint64_t vlapic_apic_base_read(const struct vlapic *v)
{
	return v->apic_base;
}

/* 0 disabled, 1 xAPIC, 2 x2APIC, -1 invalid (EXTD without EN). */
static int base_mode(uint64_t base)
{
	if (!(base & VLAPIC_BASE_EN))
		return base & VLAPIC_BASE_EXTD ? -1 : 0;
	return base & VLAPIC_BASE_EXTD ? 2 : 1;
}

int vlapic_apic_base_write(struct vlapic *v, uint64_t val)
{
	int from = base_mode(v->apic_base), to = base_mode(val);
	uint64_t fixed = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_BSP;

	if (to < 0 || (val & ~(fixed | VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)) ||
	    (val & fixed) != (v->apic_base & fixed))
		return -VLAPIC_EINVAL;
	if ((from == 2 && to == 1) || (from == 0 && to == 2))
		return -VLAPIC_EINVAL;
	if (to == 0 && from != 0) {
		uint8_t id = v->id >> 24;

		vlapic_init(v, id, v->tsc_per_tick);
	}
	v->apic_base = val;
	return 0;
}

/* x2APIC MSRs that fault whatever the access: no such register in x2APIC mode. */
static bool x2apic_absent(uint32_t off)
{
	return off == VLAPIC_APR || off == VLAPIC_RRD || off == VLAPIC_DFR ||
	       off == VLAPIC_ICR_HI;
}

int vlapic_msr_read(struct vlapic *v, uint32_t msr, uint64_t now, uint64_t *val)
{
	uint32_t off = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
	const struct vlapic_reg *r;

	*val = 0;
	if (!vlapic_x2apic(v) || msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST ||
	    msr == VLAPIC_MSR_SELF_IPI || off == VLAPIC_EOI || x2apic_absent(off))
		return -VLAPIC_EINVAL;
	if (off == VLAPIC_ID)
		*val = v->id >> 24;
	else if (off == VLAPIC_LDR)
		*val = x2apic_ldr(v);
	else if (off == VLAPIC_ICR_LO)
		*val = (uint64_t)v->icr_hi << 32 | v->icr_lo;
	else if ((r = reg_find(off)) && r->read)
		*val = r->read(v, off, now);
	else
		return -VLAPIC_EINVAL;
	return 0;
}

/* Registers a guest may write in x2APIC mode (besides ICR, EOI, ESR, SELF_IPI). */
static bool x2apic_writable(uint32_t off)
{
	return off == VLAPIC_TPR || off == VLAPIC_SVR ||
	       (off >= VLAPIC_LVT_TIMER && off <= VLAPIC_LVT_ERROR) ||
	       off == VLAPIC_TIMER_ICR || off == VLAPIC_TIMER_DCR;
}

int vlapic_msr_write(struct vlapic *v, uint32_t msr, uint64_t val, uint64_t now,
		     struct vlapic_action *act)
{
	uint32_t off = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;

	act->kind = VLAPIC_ACT_NONE;
	if (!vlapic_x2apic(v) || msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST)
		return -VLAPIC_EINVAL;
	if (msr == VLAPIC_MSR_SELF_IPI) {
		if (val > 0xff)
			return -VLAPIC_EINVAL;
		vlapic_set_irq(v, (uint8_t)val, false);
		return 0;
	}
	if (off == VLAPIC_ICR_LO) {
		v->icr_hi = (uint32_t)(val >> 32);
		v->icr_lo = (uint32_t)val & 0x000ccfffu;
		send_ipi(v, act);
		return 0;
	}
	if (val >> 32)
		return -VLAPIC_EINVAL;
	if (off == VLAPIC_EOI || off == VLAPIC_ESR) {
		if (val)
			return -VLAPIC_EINVAL; /* x2APIC: EOI and ESR take only 0 */
		vlapic_regs[off >> 4].write(v, off, 0, now, act);
		return 0;
	}
	if (!x2apic_writable(off))
		return -VLAPIC_EINVAL; /* read-only, absent or reserved */
	vlapic_regs[off >> 4].write(v, off, (uint32_t)val, now, act);
	return 0;
}
