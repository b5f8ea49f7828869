/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall.h — the one place that knows which instruction makes a hypercall.
 *
 * Cairn's hypercall is VMMCALL on AMD (SVM) and VMCALL on Intel (VMX); both
 * take the operation in RAX and arguments in RDI, RSI, RDX, R10, R8 and return
 * the result in RAX (cairn.h). cairn_hc_init() picks the instruction once from
 * the boot CPU's vendor; cairn_hc_call() issues it.
 */
#ifndef CAIRN_DRIVER_HYPERCALL_H
#define CAIRN_DRIVER_HYPERCALL_H

#include <linux/types.h>
#include <asm/processor.h>

/* Set by cairn_hc_init(): true on Intel (VMCALL), false on AMD/Hygon (VMMCALL). */
static bool cairn_hc_use_vmcall;

/* Returns 0, or -ENODEV for a CPU vendor with neither instruction. */
static inline int cairn_hc_init(void)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		cairn_hc_use_vmcall = false;
		return 0;
	case X86_VENDOR_INTEL:
		cairn_hc_use_vmcall = true;
		return 0;
	default:
		return -ENODEV;
	}
}

static inline const char *cairn_hc_insn_name(void)
{
	return cairn_hc_use_vmcall ? "vmcall" : "vmmcall";
}

#define CAIRN_HC_ASM(insn)                                                  \
	asm volatile(insn                                                   \
		     : "+a"(op), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10),   \
		       "+r"(r8)                                             \
		     :                                                      \
		     : "memory")

/* Issues hypercall `op` with five arguments; returns RAX. */
static inline u64 cairn_hc_call(u64 op, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4)
{
	register u64 r10 asm("r10") = a3;
	register u64 r8 asm("r8") = a4;

	if (cairn_hc_use_vmcall)
		CAIRN_HC_ASM("vmcall");
	else
		CAIRN_HC_ASM("vmmcall");
	return op;
}

#endif /* CAIRN_DRIVER_HYPERCALL_H */
