/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vlapic.h — a virtual local APIC (xAPIC MMIO interface) as pure logic.
 *
 * The whole state of one vCPU's local APIC is a plain struct vlapic that can be
 * copied, saved and restored. Nothing here reads a clock, touches hardware or
 * knows about other vCPUs: time is passed in as a TSC value ("now"), and an
 * access that must reach something outside this APIC (an IPI, an EOI for a
 * level-triggered vector) comes back to the caller as a struct vlapic_action to
 * carry out. The hypervisor feeds it decoded MMIO accesses (x86_decode) to the
 * 4 KiB page at VLAPIC_DEFAULT_BASE and the TSC_DEADLINE MSR.
 *
 * Register model: ID (read/write), version (read-only: version 0x14, five LVT
 * entries: timer, thermal, performance, LINT0, LINT1, error; no CMCI, no AMD
 * extended space), TPR, APR/PPR (read-only, computed), EOI (write-only, reads
 * 0), RRD (reads 0), LDR, DFR, SVR, ISR/TMR/IRR (read-only), ESR (a write latches
 * the errors seen since the last write), ICR low/high, the LVTs, the timer's
 * initial count, current count (read-only) and divide configuration. Offsets
 * must be 16-byte aligned and accesses 4 bytes wide; anything else, and every
 * reserved offset, is refused with -VLAPIC_EINVAL (ESR bit 7 "illegal register
 * address" is set), so the caller can decide what the guest gets.
 *
 * x2APIC: the guest may switch to x2APIC mode through the APIC_BASE MSR (EN
 * and EXTD); the registers are then MSRs 0x800..0x8ff (vlapic_msr_read/write),
 * which cost the hypervisor an MSR exit instead of a nested page fault plus an
 * instruction decode. x2APIC rules apply there: the ID and LDR are read-only
 * (LDR derived from the ID: cluster id >> 4, bit 1 << (id & 15)), ICR is one
 * 64-bit register with a 32-bit destination, SELF_IPI (0x83f) exists, DFR, APR
 * and RRD do not, and any access the architecture faults returns
 * -VLAPIC_EINVAL: the caller injects #GP.
 *
 * Timer: one-shot, periodic and TSC-deadline. One APIC timer tick is
 * `tsc_per_tick` TSC cycles times the divide value. The caller asks
 * vlapic_next_event() when to come back and calls vlapic_timer_update() at or
 * after that time; a periodic timer that missed several periods fires once and
 * realigns to its period.
 *
 * Compiles freestanding (hypervisor) and hosted (unit tests).
 */
#ifndef CAIRN_VLAPIC_H
#define CAIRN_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VLAPIC_DEFAULT_BASE 0xfee00000u
#define VLAPIC_PAGE_SIZE    0x1000u
#define VLAPIC_VERSION      0x00050014u /* max LVT entry 5, integrated APIC 0x14 */
#define VLAPIC_NO_EVENT     UINT64_MAX

#define VLAPIC_EINVAL 22

/* Register offsets in the 4 KiB page. */
#define VLAPIC_ID       0x020
#define VLAPIC_VER      0x030
#define VLAPIC_TPR      0x080
#define VLAPIC_APR      0x090
#define VLAPIC_PPR      0x0a0
#define VLAPIC_EOI      0x0b0
#define VLAPIC_RRD      0x0c0
#define VLAPIC_LDR      0x0d0
#define VLAPIC_DFR      0x0e0
#define VLAPIC_SVR      0x0f0
#define VLAPIC_ISR      0x100 /* 8 registers, 0x100..0x170 */
#define VLAPIC_TMR      0x180
#define VLAPIC_IRR      0x200
#define VLAPIC_ESR      0x280
#define VLAPIC_ICR_LO   0x300
#define VLAPIC_ICR_HI   0x310
#define VLAPIC_LVT_TIMER   0x320
#define VLAPIC_LVT_THERMAL 0x330
#define VLAPIC_LVT_PERF    0x340
#define VLAPIC_LVT_LINT0   0x350
#define VLAPIC_LVT_LINT1   0x360
#define VLAPIC_LVT_ERROR   0x370
#define VLAPIC_TIMER_ICR 0x380
#define VLAPIC_TIMER_CCR 0x390
#define VLAPIC_TIMER_DCR 0x3e0

#define VLAPIC_MSR_TSC_DEADLINE 0x6e0
#define VLAPIC_MSR_APIC_BASE    0x01b
#define VLAPIC_MSR_X2APIC_FIRST 0x800
#define VLAPIC_MSR_X2APIC_LAST  0x8ff
#define VLAPIC_MSR_SELF_IPI     0x83f

/* APIC_BASE MSR bits. */
#define VLAPIC_BASE_BSP  (1ull << 8)
#define VLAPIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define VLAPIC_BASE_EN   (1ull << 11) /* globally enabled */

/* Bits. */
#define VLAPIC_SVR_ENABLE   (1u << 8)
#define VLAPIC_LVT_MASKED   (1u << 16)
#define VLAPIC_LVT_TIMER_ONESHOT  (0u << 17)
#define VLAPIC_LVT_TIMER_PERIODIC (1u << 17)
#define VLAPIC_LVT_TIMER_TSCDL    (2u << 17)
#define VLAPIC_LVT_TIMER_MODE     (3u << 17)
#define VLAPIC_ESR_SEND_ILLEGAL   (1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL   (1u << 6)
#define VLAPIC_ESR_ILLEGAL_REG    (1u << 7)

/* ICR delivery modes (bits 8-10). */
enum vlapic_delivery {
	VLAPIC_DM_FIXED = 0,
	VLAPIC_DM_LOWPRI = 1,
	VLAPIC_DM_SMI = 2,
	VLAPIC_DM_NMI = 4,
	VLAPIC_DM_INIT = 5,
	VLAPIC_DM_STARTUP = 6,
};

/* ICR destination shorthands (bits 18-19). */
enum vlapic_shorthand {
	VLAPIC_SH_NONE = 0,
	VLAPIC_SH_SELF = 1,
	VLAPIC_SH_ALL_INCL_SELF = 2,
	VLAPIC_SH_ALL_EXCL_SELF = 3,
};

#define VLAPIC_NR_LVT 6 /* timer, thermal, perf, LINT0, LINT1, error */

struct vlapic {
	/* Configuration, set by vlapic_init(). */
	uint32_t tsc_per_tick;   /* TSC cycles per undivided APIC timer tick, >= 1 */
	uint64_t apic_base;      /* the APIC_BASE MSR: base, EN, EXTD, BSP */
	/* Architectural registers. */
	uint32_t id;             /* the register's value: APIC id in bits 24-31 */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending;
	uint32_t icr_lo;
	uint32_t icr_hi;         /* xAPIC: destination in bits 24-31; x2APIC: all 32 bits */
	uint32_t lvt[VLAPIC_NR_LVT];
	uint32_t timer_icr, timer_dcr;
	uint32_t isr[8], tmr[8], irr[8];
	/* Timer state. */
	uint64_t timer_start;    /* TSC when the initial count was written */
	uint64_t timer_deadline; /* TSC of the next expiry; 0 = not armed */
	uint64_t tsc_deadline;   /* the TSC_DEADLINE MSR as the guest last wrote it */
};

/* What the caller must do after an access. */
enum vlapic_action_kind {
	VLAPIC_ACT_NONE = 0,
	VLAPIC_ACT_IPI,      /* send ipi to the destinations it names */
	VLAPIC_ACT_EOI,      /* EOI of a level-triggered vector: tell the interrupt source */
};

struct vlapic_ipi {
	uint8_t vector;
	uint8_t delivery;    /* enum vlapic_delivery */
	uint8_t shorthand;   /* enum vlapic_shorthand */
	bool logical;        /* destination mode: logical (LDR/DFR) rather than physical */
	bool level_assert;   /* ICR bit 14 */
	bool level_trigger;  /* ICR bit 15 */
	bool x2apic;         /* sent in x2APIC mode: 32-bit destination */
	uint32_t dest;       /* xAPIC: ICR_HI bits 24-31; x2APIC: ICR bits 32-63 */
};

struct vlapic_action {
	enum vlapic_action_kind kind;
	struct vlapic_ipi ipi;  /* VLAPIC_ACT_IPI */
	uint8_t eoi_vector;     /* VLAPIC_ACT_EOI */
};

/*
 * Resets to the power-on state with APIC id `apic_id` (xAPIC mode, enabled,
 * BSP when the id is 0). tsc_per_tick 0 counts as 1.
 */
void vlapic_init(struct vlapic *v, uint8_t apic_id, uint32_t tsc_per_tick);

/*
 * MMIO: `offset` within the page, 4-byte accesses only. 0 or -VLAPIC_EINVAL
 * (also outside xAPIC mode: a disabled or x2APIC-mode APIC has no MMIO page).
 */
int vlapic_mmio_read(struct vlapic *v, uint32_t offset, uint64_t now, uint32_t *val);
int vlapic_mmio_write(struct vlapic *v, uint32_t offset, uint32_t val, uint64_t now,
		      struct vlapic_action *act);

/* True in x2APIC mode. */
bool vlapic_x2apic(const struct vlapic *v);

/*
 * The APIC_BASE MSR. Writes may move between disabled, xAPIC and x2APIC as the
 * architecture allows (not x2APIC -> xAPIC, not disabled -> x2APIC); the base
 * address must stay VLAPIC_DEFAULT_BASE and the BSP bit cannot change. An
 * invalid write returns -VLAPIC_EINVAL (#GP) and changes nothing. Disabling
 * resets the APIC's registers, keeping its id.
 */
uint64_t vlapic_apic_base_read(const struct vlapic *v);
int vlapic_apic_base_write(struct vlapic *v, uint64_t val);

/* x2APIC MSRs 0x800..0x8ff. 0, or -VLAPIC_EINVAL when the guest gets #GP. */
int vlapic_msr_read(struct vlapic *v, uint32_t msr, uint64_t now, uint64_t *val);
int vlapic_msr_write(struct vlapic *v, uint32_t msr, uint64_t val, uint64_t now,
		     struct vlapic_action *act);

/* The TSC_DEADLINE MSR. A write outside TSC-deadline mode is ignored (reads 0). */
uint64_t vlapic_tsc_deadline_read(const struct vlapic *v);
void vlapic_tsc_deadline_write(struct vlapic *v, uint64_t val, uint64_t now);

/*
 * Accepts a fixed interrupt: sets `vector` in IRR (and TMR for level triggered).
 * Returns false, and records a receive-illegal-vector error for vectors < 16,
 * when the vector is illegal or the APIC is software-disabled.
 */
bool vlapic_set_irq(struct vlapic *v, uint8_t vector, bool level);

/*
 * The vector to inject now: the highest in IRR whose priority class (bits 4-7)
 * is above the processor priority class (PPR), or -1 if none. Does not change
 * the state; call vlapic_ack() when the vector is actually injected.
 */
int vlapic_pending_vector(const struct vlapic *v);

/* Moves `vector` from IRR to ISR (the guest took the interrupt). */
void vlapic_ack(struct vlapic *v, uint8_t vector);

/* The processor priority register as the guest would read it. */
uint32_t vlapic_ppr(const struct vlapic *v);

/* TSC at which vlapic_timer_update() has work, or VLAPIC_NO_EVENT. */
uint64_t vlapic_next_event(const struct vlapic *v);

/*
 * Fires the timer if it expired at or before `now`: the LVT timer vector goes
 * into IRR unless masked; a periodic timer rearms. Returns true if it fired.
 */
bool vlapic_timer_update(struct vlapic *v, uint64_t now);

/*
 * Which of the `n` APICs in `all` (index = vCPU number) an IPI sent by `self`
 * reaches, as a bit mask over indexes (n <= 64). Physical mode: the APIC id,
 * 0xff (x2APIC: 0xffffffff) broadcasts. Logical xAPIC: flat (DFR model 0xf)
 * ANDs the LDR's bits 24-31, cluster (model 0x0) matches the high nibble and
 * ANDs the low nibble. Logical x2APIC: the cluster in bits 16-31 must match,
 * then bits 0-15 are ANDed with the target's bit.
 */
uint64_t vlapic_ipi_targets(const struct vlapic_ipi *ipi, const struct vlapic *self,
			    const struct vlapic *const *all, unsigned n);

#endif /* CAIRN_VLAPIC_H */
