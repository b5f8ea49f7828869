/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * entry.S — interrupt/exception entry stubs and the SVM world switch.
 *
 * Every vector has a stub that pushes a zero error code when the CPU does not,
 * then the vector number, and jumps to the common path, which saves the
 * general-purpose registers as a struct trap_frame (trap.h) and calls
 * trap_dispatch(frame).
 */
#include "layout.h"

	.text
	.code64

	.globl trap_stubs
	.balign 16
trap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* A frame-pointer link through the interrupted RIP, for backtraces. */
	pushq 17*8(%rsp)
	pushq %rbp
	movq %rsp, %rbp
	call trap_dispatch
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.globl trap_stub_table
trap_stub_table:
	.set vec, 0
	.rept 256
	.quad trap_stubs + vec * 16
	.set vec, vec + 1
	.endr

/*
 * void svm_world_switch(struct guest_gprs *g, u64 vmcb_pa, u64 host_area_pa);
 * Loads the guest's GPRs (RAX and RSP live in the VMCB), VMLOAD/VMRUN/VMSAVE on
 * the guest VMCB, saves the guest's GPRs back, VMLOADs the host's FS/GS/TR/
 * syscall state from host_area_pa, and returns with GIF set. The caller runs
 * with interrupts disabled; RFLAGS.IF is set only while GIF is clear, so with
 * V_INTR_MASKING (domUs) a physical interrupt makes the guest exit whatever
 * the guest's own IF, and is taken by the host when the caller enables them.
 * struct guest_gprs: rbx rcx rdx rsi rdi rbp r8 r9 r10 r11 r12 r13 r14 r15.
 */
	.text
	.globl svm_world_switch
svm_world_switch:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx              /* host area */
	pushq %rdi              /* guest gprs */
	movq %rsi, %rax
	movq 0*8(%rdi), %rbx
	movq 1*8(%rdi), %rcx
	movq 2*8(%rdi), %rdx
	movq 3*8(%rdi), %rsi
	movq 5*8(%rdi), %rbp
	movq 6*8(%rdi), %r8
	movq 7*8(%rdi), %r9
	movq 8*8(%rdi), %r10
	movq 9*8(%rdi), %r11
	movq 10*8(%rdi), %r12
	movq 11*8(%rdi), %r13
	movq 12*8(%rdi), %r14
	movq 13*8(%rdi), %r15
	movq 4*8(%rdi), %rdi
	clgi
	sti                     /* with GIF clear: lets a domU's V_INTR_MASKING see IF=1 */
	vmload %rax
	vmrun %rax
	vmsave %rax
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rbx, 0*8(%rdi)
	movq %rcx, 1*8(%rdi)
	movq %rdx, 2*8(%rdi)
	movq %rsi, 3*8(%rdi)
	movq %rbp, 5*8(%rdi)
	movq %r8, 6*8(%rdi)
	movq %r9, 7*8(%rdi)
	movq %r10, 8*8(%rdi)
	movq %r11, 9*8(%rdi)
	movq %r12, 10*8(%rdi)
	movq %r13, 11*8(%rdi)
	movq %r14, 12*8(%rdi)
	movq %r15, 13*8(%rdi)
	popq %rax
	movq %rax, 4*8(%rdi)
	popq %rdi
	popq %rax               /* host area */
	vmload %rax
	cli                     /* interrupts held by GIF stay pending until the caller wants them */
	stgi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
