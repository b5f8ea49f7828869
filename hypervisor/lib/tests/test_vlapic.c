/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: the virtual local APIC's registers, priorities, EOI, IPIs and timer. */
#include "vlapic.h"
#include "unit.h"

static struct vlapic_action act;

static uint32_t rd(struct vlapic *v, uint32_t off, uint64_t now)
{
	uint32_t val = 0xdeadbeef;

	REQUIRE(vlapic_mmio_read(v, off, now, &val) == 0);
	return val;
}

static void wr(struct vlapic *v, uint32_t off, uint32_t val, uint64_t now)
{
	REQUIRE(vlapic_mmio_write(v, off, val, now, &act) == 0);
}

/* An APIC as Linux leaves it after setup: enabled, spurious vector 0xff. */
static void enabled(struct vlapic *v, uint8_t id)
{
	vlapic_init(v, id, 1);
	wr(v, VLAPIC_SVR, VLAPIC_SVR_ENABLE | 0xff, 0);
}

TEST(reset_state)
{
	struct vlapic v;

	vlapic_init(&v, 3, 10);
	CHECK_EQ_HEX(rd(&v, VLAPIC_ID, 0), 0x03000000);
	CHECK_EQ_HEX(rd(&v, VLAPIC_VER, 0), 0x00050014);
	CHECK_EQ_HEX(rd(&v, VLAPIC_SVR, 0), 0xff);
	CHECK_EQ_HEX(rd(&v, VLAPIC_DFR, 0), 0xffffffff);
	CHECK_EQ_HEX(rd(&v, VLAPIC_LVT_TIMER, 0), VLAPIC_LVT_MASKED);
	CHECK_EQ_HEX(rd(&v, VLAPIC_LVT_ERROR, 0), VLAPIC_LVT_MASKED);
	CHECK_EQ(rd(&v, VLAPIC_PPR, 0), 0);
	/* Software-disabled: nothing is accepted. */
	CHECK(!vlapic_set_irq(&v, 0x40, false));
	CHECK_EQ(vlapic_pending_vector(&v), -1);
}

TEST(read_only_write_only_and_reserved_registers)
{
	struct vlapic v;
	uint32_t val;

	enabled(&v, 1);
	wr(&v, VLAPIC_VER, 0x12345678, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_VER, 0), VLAPIC_VERSION);
	CHECK(vlapic_set_irq(&v, 0x50, false));
	wr(&v, VLAPIC_IRR + 0x20, 0, 0); /* IRR is read-only */
	CHECK_EQ_HEX(rd(&v, VLAPIC_IRR + 0x20, 0), 1u << 16);
	CHECK_EQ(rd(&v, VLAPIC_EOI, 0), 0); /* write-only reads 0 */
	wr(&v, VLAPIC_PPR, 0xff, 0);
	CHECK_EQ(rd(&v, VLAPIC_PPR, 0), 0);
	/* Reserved, unaligned and out-of-page offsets are refused and reported in ESR. */
	CHECK_EQ(vlapic_mmio_read(&v, 0x000, 0, &val), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_mmio_read(&v, 0x2f0, 0, &val), -VLAPIC_EINVAL); /* no CMCI */
	CHECK_EQ(vlapic_mmio_write(&v, 0x3f0, 1, 0, &act), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_mmio_read(&v, VLAPIC_TPR + 4, 0, &val), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_mmio_read(&v, 0x400, 0, &val), -VLAPIC_EINVAL);
	CHECK_EQ(rd(&v, VLAPIC_ESR, 0), 0);       /* latched only on an ESR write */
	wr(&v, VLAPIC_ESR, 0, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_ESR, 0), VLAPIC_ESR_ILLEGAL_REG);
	wr(&v, VLAPIC_ESR, 0, 0);
	CHECK_EQ(rd(&v, VLAPIC_ESR, 0), 0);
}

TEST(register_write_masks)
{
	struct vlapic v;

	enabled(&v, 0);
	wr(&v, VLAPIC_ID, 0xffffffff, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_ID, 0), 0xff000000);
	wr(&v, VLAPIC_TPR, 0x1ff, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_TPR, 0), 0xff);
	wr(&v, VLAPIC_LDR, 0x12345678, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_LDR, 0), 0x12000000);
	wr(&v, VLAPIC_DFR, 0, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_DFR, 0), 0x0fffffff);
	wr(&v, VLAPIC_LVT_LINT0, 0xffffffff, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_LVT_LINT0, 0), 0x1a7ff);
	wr(&v, VLAPIC_TIMER_DCR, 0xff, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_TIMER_DCR, 0), 0xb);
}

TEST(software_disable_masks_lvts)
{
	struct vlapic v;

	enabled(&v, 0);
	wr(&v, VLAPIC_LVT_TIMER, 0xec, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_LVT_TIMER, 0), 0xec);
	wr(&v, VLAPIC_SVR, 0xff, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_LVT_TIMER, 0), 0x100ec);
	wr(&v, VLAPIC_LVT_TIMER, 0xec, 0); /* cannot unmask while disabled */
	CHECK_EQ_HEX(rd(&v, VLAPIC_LVT_TIMER, 0), 0x100ec);
}

TEST(pending_vector_honours_priority_classes)
{
	struct vlapic v;

	enabled(&v, 0);
	CHECK(vlapic_set_irq(&v, 0x31, false));
	CHECK(vlapic_set_irq(&v, 0x62, false));
	CHECK_EQ(vlapic_pending_vector(&v), 0x62);
	/* TPR class 6 blocks class 6 and below. */
	wr(&v, VLAPIC_TPR, 0x60, 0);
	CHECK_EQ(vlapic_pending_vector(&v), -1);
	wr(&v, VLAPIC_TPR, 0x5f, 0);
	CHECK_EQ(vlapic_pending_vector(&v), 0x62);
	wr(&v, VLAPIC_TPR, 0, 0);
	/* In service 0x62: PPR is class 6; 0x31 waits, 0x65 (same class) waits, 0x70 goes. */
	vlapic_ack(&v, 0x62);
	CHECK_EQ_HEX(rd(&v, VLAPIC_PPR, 0), 0x60);
	CHECK_EQ_HEX(rd(&v, VLAPIC_ISR + 0x30, 0), 1u << 2);
	CHECK_EQ(vlapic_pending_vector(&v), -1);
	CHECK(vlapic_set_irq(&v, 0x65, false));
	CHECK_EQ(vlapic_pending_vector(&v), -1);
	CHECK(vlapic_set_irq(&v, 0x70, false));
	CHECK_EQ(vlapic_pending_vector(&v), 0x70);
	/* PPR is the TPR when TPR's class is higher. */
	wr(&v, VLAPIC_TPR, 0x85, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_PPR, 0), 0x85);
}

TEST(eoi_clears_the_highest_in_service)
{
	struct vlapic v;

	enabled(&v, 0);
	vlapic_set_irq(&v, 0x40, false);
	vlapic_ack(&v, 0x40);
	vlapic_set_irq(&v, 0x90, true); /* level triggered */
	vlapic_ack(&v, 0x90);
	CHECK_EQ(vlapic_pending_vector(&v), -1);
	vlapic_set_irq(&v, 0x50, false);
	CHECK_EQ(vlapic_pending_vector(&v), -1); /* 0x90 in service */
	wr(&v, VLAPIC_EOI, 0, 0);
	CHECK_EQ(act.kind, VLAPIC_ACT_EOI);     /* 0x90 was level: tell the source */
	CHECK_EQ(act.eoi_vector, 0x90);
	CHECK_EQ(vlapic_pending_vector(&v), 0x50);
	CHECK_EQ_HEX(rd(&v, VLAPIC_PPR, 0), 0x40);
	wr(&v, VLAPIC_EOI, 0, 0);
	CHECK_EQ(act.kind, VLAPIC_ACT_NONE);    /* edge */
	CHECK_EQ(rd(&v, VLAPIC_PPR, 0), 0);
	wr(&v, VLAPIC_EOI, 0, 0);               /* nothing in service: harmless */
	CHECK_EQ(act.kind, VLAPIC_ACT_NONE);
}

TEST(illegal_vectors_are_refused)
{
	struct vlapic v;

	enabled(&v, 0);
	CHECK(!vlapic_set_irq(&v, 15, false));
	CHECK_EQ(vlapic_pending_vector(&v), -1);
	wr(&v, VLAPIC_ICR_LO, 0x0000000f, 0); /* fixed IPI, vector 15 */
	CHECK_EQ(act.kind, VLAPIC_ACT_NONE);
	wr(&v, VLAPIC_ESR, 0, 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_ESR, 0), VLAPIC_ESR_SEND_ILLEGAL | VLAPIC_ESR_RECV_ILLEGAL);
}

TEST(icr_write_decodes_an_ipi)
{
	struct vlapic v;

	enabled(&v, 0);
	wr(&v, VLAPIC_ICR_HI, 0x02000000, 0);
	wr(&v, VLAPIC_ICR_LO, 0x000040fd, 0); /* fixed, physical, assert, vector 0xfd */
	REQUIRE(act.kind == VLAPIC_ACT_IPI);
	CHECK_EQ(act.ipi.vector, 0xfd);
	CHECK_EQ(act.ipi.delivery, VLAPIC_DM_FIXED);
	CHECK_EQ(act.ipi.shorthand, VLAPIC_SH_NONE);
	CHECK_EQ(act.ipi.dest, 2);
	CHECK(!act.ipi.logical);
	CHECK_EQ(rd(&v, VLAPIC_ICR_LO, 0) & (1u << 12), 0); /* delivery status idle */
	/* INIT assert to all but self, then SIPI with start page 0x9a. */
	wr(&v, VLAPIC_ICR_LO, 0x000c4500, 0);
	REQUIRE(act.kind == VLAPIC_ACT_IPI);
	CHECK_EQ(act.ipi.delivery, VLAPIC_DM_INIT);
	CHECK_EQ(act.ipi.shorthand, VLAPIC_SH_ALL_EXCL_SELF);
	wr(&v, VLAPIC_ICR_LO, 0x0000869a, 0);
	REQUIRE(act.kind == VLAPIC_ACT_IPI);
	CHECK_EQ(act.ipi.delivery, VLAPIC_DM_STARTUP);
	CHECK_EQ(act.ipi.vector, 0x9a);
	/* INIT level de-assert does nothing. */
	wr(&v, VLAPIC_ICR_LO, 0x00008500, 0);
	CHECK_EQ(act.kind, VLAPIC_ACT_NONE);
	/* NMI with vector 0 is legal. */
	wr(&v, VLAPIC_ICR_LO, 0x00000400, 0);
	CHECK_EQ(act.kind, VLAPIC_ACT_IPI);
}

TEST(ipi_destinations)
{
	struct vlapic a[4];
	const struct vlapic *all[4] = { &a[0], &a[1], &a[2], &a[3] };
	struct vlapic_ipi ipi = { .vector = 0xfd };
	unsigned i;

	for (i = 0; i < 4; i++)
		enabled(&a[i], (uint8_t)i);
	ipi.dest = 2;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 4), 0x4);
	ipi.dest = 0xff;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 4), 0xf);
	ipi.dest = 9;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 4), 0);
	ipi.shorthand = VLAPIC_SH_SELF;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[1], all, 4), 0x2);
	ipi.shorthand = VLAPIC_SH_ALL_EXCL_SELF;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[1], all, 4), 0xd);
	ipi.shorthand = VLAPIC_SH_ALL_INCL_SELF;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[1], all, 4), 0xf);
	/* Logical flat: LDR bit i for vCPU i. */
	ipi.shorthand = VLAPIC_SH_NONE;
	ipi.logical = true;
	for (i = 0; i < 4; i++)
		wr(&a[i], VLAPIC_LDR, (1u << i) << 24, 0);
	ipi.dest = 0x5;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 4), 0x5);
	/* Logical cluster: cluster 1 members 1 and 2. */
	for (i = 0; i < 4; i++) {
		wr(&a[i], VLAPIC_DFR, 0x0fffffff, 0);
		wr(&a[i], VLAPIC_LDR, (i < 2 ? 0x10u : 0x20u) << 24 | (1u << (i & 1)) << 24, 0);
	}
	ipi.dest = 0x13;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 4), 0x3);
	ipi.dest = 0x22;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 4), 0x8);
}

TEST(one_shot_timer)
{
	struct vlapic v;

	enabled(&v, 0);
	vlapic_init(&v, 0, 4); /* 4 TSC cycles per bus tick */
	wr(&v, VLAPIC_SVR, 0x1ff, 0);
	wr(&v, VLAPIC_TIMER_DCR, 0x1, 0);    /* divide by 4: 16 cycles per tick */
	wr(&v, VLAPIC_LVT_TIMER, 0xec, 0);
	CHECK_EQ(vlapic_next_event(&v), VLAPIC_NO_EVENT);
	wr(&v, VLAPIC_TIMER_ICR, 100, 1000);
	CHECK_EQ(vlapic_next_event(&v), 1000 + 1600);
	CHECK_EQ(rd(&v, VLAPIC_TIMER_CCR, 1000), 100);
	CHECK_EQ(rd(&v, VLAPIC_TIMER_CCR, 1000 + 16 * 30 + 5), 70);
	CHECK(!vlapic_timer_update(&v, 2599));
	CHECK_EQ(vlapic_pending_vector(&v), -1);
	CHECK(vlapic_timer_update(&v, 2600));
	CHECK_EQ(vlapic_pending_vector(&v), 0xec);
	CHECK_EQ(vlapic_next_event(&v), VLAPIC_NO_EVENT);
	CHECK_EQ(rd(&v, VLAPIC_TIMER_CCR, 5000), 0);
	CHECK(!vlapic_timer_update(&v, 9000));
	/* Writing 0 stops a running timer. */
	wr(&v, VLAPIC_TIMER_ICR, 10, 10000);
	wr(&v, VLAPIC_TIMER_ICR, 0, 10001);
	CHECK_EQ(vlapic_next_event(&v), VLAPIC_NO_EVENT);
}

TEST(divide_values)
{
	static const struct { uint32_t dcr, div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	struct vlapic v;
	unsigned i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enabled(&v, 0);
		wr(&v, VLAPIC_TIMER_DCR, t[i].dcr, 0);
		wr(&v, VLAPIC_LVT_TIMER, 0xec, 0);
		wr(&v, VLAPIC_TIMER_ICR, 10, 0);
		CHECK_EQ(vlapic_next_event(&v), 10 * t[i].div);
	}
}

TEST(periodic_timer_rearms_and_skips_missed_periods)
{
	struct vlapic v;

	enabled(&v, 0);
	wr(&v, VLAPIC_TIMER_DCR, 0xb, 0); /* divide by 1 */
	wr(&v, VLAPIC_LVT_TIMER, VLAPIC_LVT_TIMER_PERIODIC | 0xef, 0);
	wr(&v, VLAPIC_TIMER_ICR, 1000, 0);
	CHECK_EQ(rd(&v, VLAPIC_TIMER_CCR, 2500), 500);
	CHECK(vlapic_timer_update(&v, 1000));
	CHECK_EQ(vlapic_next_event(&v), 2000);
	vlapic_ack(&v, 0xef);
	wr(&v, VLAPIC_EOI, 0, 1100);
	/* Late by 3.5 periods: fires once, next expiry on the period grid. */
	CHECK(vlapic_timer_update(&v, 5500));
	CHECK_EQ(vlapic_next_event(&v), 6000);
	CHECK_EQ(vlapic_pending_vector(&v), 0xef);
	/* Masked: still counts, injects nothing. */
	vlapic_ack(&v, 0xef);
	wr(&v, VLAPIC_EOI, 0, 5600);
	wr(&v, VLAPIC_LVT_TIMER, VLAPIC_LVT_TIMER_PERIODIC | VLAPIC_LVT_MASKED | 0xef, 5700);
	CHECK(vlapic_timer_update(&v, 6000));
	CHECK_EQ(vlapic_pending_vector(&v), -1);
	CHECK_EQ(vlapic_next_event(&v), 7000);
}

TEST(tsc_deadline_timer)
{
	struct vlapic v;

	enabled(&v, 0);
	/* Outside TSC-deadline mode the MSR is ignored. */
	vlapic_tsc_deadline_write(&v, 5000, 0);
	CHECK_EQ(vlapic_tsc_deadline_read(&v), 0);
	CHECK_EQ(vlapic_next_event(&v), VLAPIC_NO_EVENT);
	wr(&v, VLAPIC_LVT_TIMER, VLAPIC_LVT_TIMER_TSCDL | 0xec, 0);
	wr(&v, VLAPIC_TIMER_ICR, 100, 0); /* ignored in this mode */
	CHECK_EQ(rd(&v, VLAPIC_TIMER_ICR, 0), 0);
	CHECK_EQ(vlapic_next_event(&v), VLAPIC_NO_EVENT);
	vlapic_tsc_deadline_write(&v, 123456, 100);
	CHECK_EQ(vlapic_tsc_deadline_read(&v), 123456);
	CHECK_EQ(vlapic_next_event(&v), 123456);
	CHECK_EQ(rd(&v, VLAPIC_TIMER_CCR, 200), 0);
	CHECK(!vlapic_timer_update(&v, 123455));
	CHECK(vlapic_timer_update(&v, 123456));
	CHECK_EQ(vlapic_pending_vector(&v), 0xec);
	CHECK_EQ(vlapic_tsc_deadline_read(&v), 0); /* reads 0 after firing */
	/* Writing 0 disarms. */
	vlapic_tsc_deadline_write(&v, 200000, 130000);
	vlapic_tsc_deadline_write(&v, 0, 130001);
	CHECK_EQ(vlapic_next_event(&v), VLAPIC_NO_EVENT);
	/* Changing the mode disarms too. */
	vlapic_tsc_deadline_write(&v, 300000, 130002);
	wr(&v, VLAPIC_LVT_TIMER, VLAPIC_LVT_TIMER_ONESHOT | 0xec, 130003);
	CHECK_EQ(vlapic_next_event(&v), VLAPIC_NO_EVENT);
}

static void x2(struct vlapic *v, uint8_t id)
{
	enabled(v, id);
	REQUIRE(vlapic_apic_base_write(v, VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN |
				       VLAPIC_BASE_EXTD | (id ? 0 : VLAPIC_BASE_BSP)) == 0);
}

static uint64_t rdmsr(struct vlapic *v, uint32_t msr)
{
	uint64_t val = 0xdead;

	REQUIRE(vlapic_msr_read(v, msr, 0, &val) == 0);
	return val;
}

TEST(apic_base_transitions)
{
	struct vlapic v;
	const uint64_t base = VLAPIC_DEFAULT_BASE, en = VLAPIC_BASE_EN, x = VLAPIC_BASE_EXTD;
	uint64_t val;

	enabled(&v, 0);
	CHECK_EQ_HEX(vlapic_apic_base_read(&v), base | en | VLAPIC_BASE_BSP);
	vlapic_init(&v, 3, 1);
	CHECK_EQ_HEX(vlapic_apic_base_read(&v), base | en);     /* an AP */
	CHECK(!vlapic_x2apic(&v));
	CHECK_EQ(vlapic_msr_read(&v, 0x802, 0, &val), -VLAPIC_EINVAL); /* not in x2APIC */
	CHECK_EQ(vlapic_apic_base_write(&v, base | x), -VLAPIC_EINVAL);       /* EXTD w/o EN */
	CHECK_EQ(vlapic_apic_base_write(&v, 0xfec00000 | en), -VLAPIC_EINVAL); /* relocation */
	CHECK_EQ(vlapic_apic_base_write(&v, base | en | VLAPIC_BASE_BSP), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_apic_base_write(&v, base | en | 1), -VLAPIC_EINVAL);   /* reserved */
	CHECK_EQ(vlapic_apic_base_write(&v, base | en | x), 0);
	CHECK(vlapic_x2apic(&v));
	CHECK_EQ(vlapic_mmio_read(&v, VLAPIC_ID, 0, (uint32_t *)&val), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_apic_base_write(&v, base | en), -VLAPIC_EINVAL);       /* x2 -> x */
	/* Disabling resets the registers but keeps the id; then xAPIC again. */
	CHECK_EQ(vlapic_msr_write(&v, 0x808, 0x20, 0, &act), 0);
	CHECK_EQ(vlapic_apic_base_write(&v, base), 0);
	CHECK_EQ(vlapic_apic_base_write(&v, base | en | x), -VLAPIC_EINVAL);   /* off -> x2 */
	CHECK_EQ(vlapic_apic_base_write(&v, base | en), 0);
	CHECK_EQ(rd(&v, VLAPIC_TPR, 0), 0);
	CHECK_EQ_HEX(rd(&v, VLAPIC_ID, 0), 0x03000000);
}

TEST(x2apic_registers)
{
	struct vlapic v;
	uint64_t val;

	x2(&v, 0x23);
	CHECK_EQ_HEX(rdmsr(&v, 0x802), 0x23);                   /* full id */
	CHECK_EQ_HEX(rdmsr(&v, 0x803), VLAPIC_VERSION);
	CHECK_EQ_HEX(rdmsr(&v, 0x80d), 0x00020008);             /* cluster 2, bit 3 */
	CHECK_EQ(vlapic_msr_write(&v, 0x808, 0x40, 0, &act), 0);
	CHECK_EQ_HEX(rdmsr(&v, 0x808), 0x40);
	CHECK_EQ_HEX(rdmsr(&v, 0x80a), 0x40);                   /* PPR */
	/* Read-only, write-only, absent and reserved registers fault. */
	CHECK_EQ(vlapic_msr_write(&v, 0x802, 1, 0, &act), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_msr_write(&v, 0x80d, 1, 0, &act), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_msr_write(&v, 0x839, 1, 0, &act), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_msr_read(&v, 0x80b, 0, &val), -VLAPIC_EINVAL);     /* EOI */
	CHECK_EQ(vlapic_msr_read(&v, 0x83f, 0, &val), -VLAPIC_EINVAL);     /* SELF_IPI */
	CHECK_EQ(vlapic_msr_read(&v, 0x80e, 0, &val), -VLAPIC_EINVAL);     /* no DFR */
	CHECK_EQ(vlapic_msr_read(&v, 0x831, 0, &val), -VLAPIC_EINVAL);     /* no ICR_HI */
	CHECK_EQ(vlapic_msr_read(&v, 0x809, 0, &val), -VLAPIC_EINVAL);     /* no APR */
	CHECK_EQ(vlapic_msr_read(&v, 0x800, 0, &val), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_msr_read(&v, 0x8ff, 0, &val), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_msr_write(&v, 0x808, 1ull << 32, 0, &act), -VLAPIC_EINVAL);
	CHECK_EQ(vlapic_msr_write(&v, 0x80b, 1, 0, &act), -VLAPIC_EINVAL); /* EOI takes 0 */
	CHECK_EQ(vlapic_msr_write(&v, 0x83f, 0x100, 0, &act), -VLAPIC_EINVAL);
	/* Timer through MSRs. */
	CHECK_EQ(vlapic_msr_write(&v, 0x83e, 0xb, 0, &act), 0);
	CHECK_EQ(vlapic_msr_write(&v, 0x832, 0xec, 0, &act), 0);
	CHECK_EQ(vlapic_msr_write(&v, 0x838, 500, 100, &act), 0);
	CHECK_EQ(vlapic_next_event(&v), 600);
	CHECK_EQ(vlapic_msr_read(&v, 0x839, 300, &val), 0);
	CHECK_EQ(val, 300);
}

TEST(x2apic_self_ipi_icr_and_eoi)
{
	struct vlapic v;

	x2(&v, 1);
	CHECK_EQ(vlapic_msr_write(&v, 0x83f, 0x55, 0, &act), 0);
	CHECK_EQ(vlapic_pending_vector(&v), 0x55);
	vlapic_ack(&v, 0x55);
	CHECK_EQ_HEX(rdmsr(&v, 0x812), 1u << 21);                 /* ISR word 2 */
	CHECK_EQ(vlapic_msr_write(&v, 0x80b, 0, 0, &act), 0);
	CHECK_EQ(rdmsr(&v, 0x812), 0);
	/* ICR: one write, 32-bit destination. */
	CHECK_EQ(vlapic_msr_write(&v, 0x830, 0x0000012300004031ull, 0, &act), 0);
	REQUIRE(act.kind == VLAPIC_ACT_IPI);
	CHECK(act.ipi.x2apic);
	CHECK_EQ_HEX(act.ipi.dest, 0x123);
	CHECK_EQ(act.ipi.vector, 0x31);
	CHECK_EQ_HEX(rdmsr(&v, 0x830), 0x0000012300004031ull);
}

TEST(x2apic_ipi_destinations)
{
	struct vlapic a[20];
	const struct vlapic *all[20];
	struct vlapic_ipi ipi = { .vector = 0xfd, .x2apic = true };
	unsigned i;

	for (i = 0; i < 20; i++) {
		x2(&a[i], (uint8_t)i);
		all[i] = &a[i];
	}
	ipi.dest = 17;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 20), 1u << 17);
	ipi.dest = 0xff; /* not a broadcast in x2APIC mode */
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 20), 0);
	ipi.dest = 0xffffffff;
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 20), 0xfffff);
	ipi.logical = true;
	ipi.dest = 0x00010006; /* cluster 1 (ids 16..31), bits 1 and 2: ids 17, 18 */
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 20), 0x60000);
	ipi.dest = 0x00000003; /* cluster 0, ids 0 and 1 */
	CHECK_EQ_HEX(vlapic_ipi_targets(&ipi, &a[0], all, 20), 0x3);
}
