/* SPDX-License-Identifier: GPL-2.0-only */
/* trap.h — interrupt and exception frames and handlers. */
#ifndef CAIRN_TRAP_H
#define CAIRN_TRAP_H

#include "hv.h"

/* As built by entry.S: GPRs pushed by trap_common, then vector, error, CPU frame. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

#define VEC_TIMER    0xf0
#define VEC_IPI_TEST 0xf1
#define VEC_STOP     0xf2
#define VEC_KICK     0xf3 /* reschedule: a domU vCPU was woken or paused */
#define VEC_TICK     0xf4 /* the scheduler tick on a CPU running a domU vCPU */
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_t)(struct trap_frame *f);
void irq_set_handler(unsigned vec, irq_handler_t h);
void trap_dispatch(struct trap_frame *f);

#endif /* CAIRN_TRAP_H */
