/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * apic.h — the local APIC in xAPIC (MMIO) mode: init, EOI, IPIs, the timer,
 * and bringing up the application processors with INIT-SIPI-SIPI.
 */
#ifndef CAIRN_APIC_H
#define CAIRN_APIC_H

#include "hv.h"

void lapic_init(bool bsp);
u32 lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_init(u32 apic_id);
void lapic_send_sipi(u32 apic_id, u32 page);
void lapic_send_init(u32 apic_id);
void lapic_send_sipi(u32 apic_id, u32 page);
void lapic_timer_calibrate(void);
void lapic_timer_periodic(u8 vector, u32 period_us);
void lapic_timer_stop(void);
/* Puts the BSP's LAPIC back the way firmware left it for the OS (timer masked). */
void lapic_quiesce_for_guest(void);

/* smp.c */
void smp_boot(const u32 *apic_ids, unsigned n);
void smp_selftest(void);

#endif /* CAIRN_APIC_H */
