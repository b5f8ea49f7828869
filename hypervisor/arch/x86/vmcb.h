/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcb.h — the AMD SVM virtual machine control block (APM vol. 2, appendix B). */
#ifndef CAIRN_VMCB_H
#define CAIRN_VMCB_H

#include "hv.h"

struct vmcb_seg {
	u16 sel;
	u16 attrib;
	u32 limit;
	u64 base;
} __attribute__((packed));

struct vmcb {
	/* control area, 0x000 */
	u32 intercept_cr;         /* 0x000 */
	u32 intercept_dr;         /* 0x004 */
	u32 intercept_exc;        /* 0x008 */
	u32 intercept1;           /* 0x00c */
	u32 intercept2;           /* 0x010 */
	u32 intercept3;           /* 0x014 */
	u8 rsvd0[0x03c - 0x018];
	u16 pause_thresh;         /* 0x03c */
	u16 pause_count;          /* 0x03e */
	u64 iopm_pa;              /* 0x040 */
	u64 msrpm_pa;             /* 0x048 */
	u64 tsc_offset;           /* 0x050 */
	u32 asid;                 /* 0x058 */
	u8 tlb_control;           /* 0x05c */
	u8 rsvd1[3];
	u64 vintr;                /* 0x060 */
	u64 int_shadow;           /* 0x068 */
	u64 exitcode;             /* 0x070 */
	u64 exitinfo1;            /* 0x078 */
	u64 exitinfo2;            /* 0x080 */
	u64 exitintinfo;          /* 0x088 */
	u64 np_enable;            /* 0x090 */
	u64 avic_apic_bar;        /* 0x098 */
	u64 ghcb_pa;              /* 0x0a0 */
	u64 eventinj;             /* 0x0a8 */
	u64 n_cr3;                /* 0x0b0 */
	u64 lbr_virt;             /* 0x0b8 */
	u32 clean;                /* 0x0c0 */
	u32 rsvd2;
	u64 nrip;                 /* 0x0c8 */
	u8 insn_len;              /* 0x0d0 */
	u8 insn_bytes[15];
	u8 rsvd3[0x400 - 0x0e0];
	/* state save area, 0x400 */
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400..0x49f */
	u8 rsvd4[0x4cb - 0x4a0];
	u8 cpl;                   /* 0x4cb */
	u32 rsvd5;
	u64 efer;                 /* 0x4d0 */
	u8 rsvd6[0x548 - 0x4d8];
	u64 cr4;                  /* 0x548 */
	u64 cr3;                  /* 0x550 */
	u64 cr0;                  /* 0x558 */
	u64 dr7;                  /* 0x560 */
	u64 dr6;                  /* 0x568 */
	u64 rflags;               /* 0x570 */
	u64 rip;                  /* 0x578 */
	u8 rsvd7[0x5d8 - 0x580];
	u64 rsp;                  /* 0x5d8 */
	u8 rsvd8[0x5f8 - 0x5e0];
	u64 rax;                  /* 0x5f8 */
	u64 star;                 /* 0x600 */
	u64 lstar;                /* 0x608 */
	u64 cstar;                /* 0x610 */
	u64 sfmask;               /* 0x618 */
	u64 kernel_gs_base;       /* 0x620 */
	u64 sysenter_cs;          /* 0x628 */
	u64 sysenter_esp;         /* 0x630 */
	u64 sysenter_eip;         /* 0x638 */
	u64 cr2;                  /* 0x640 */
	u8 rsvd9[0x668 - 0x648];
	u64 g_pat;                /* 0x668 */
	u8 rsvd10[0x1000 - 0x670];
} __attribute__((packed));

_Static_assert(__builtin_offsetof(struct vmcb, exitcode) == 0x70, "vmcb exitcode");
_Static_assert(__builtin_offsetof(struct vmcb, n_cr3) == 0xb0, "vmcb n_cr3");
_Static_assert(__builtin_offsetof(struct vmcb, es) == 0x400, "vmcb es");
_Static_assert(__builtin_offsetof(struct vmcb, tr) == 0x490, "vmcb tr");
_Static_assert(__builtin_offsetof(struct vmcb, cpl) == 0x4cb, "vmcb cpl");
_Static_assert(__builtin_offsetof(struct vmcb, efer) == 0x4d0, "vmcb efer");
_Static_assert(__builtin_offsetof(struct vmcb, cr4) == 0x548, "vmcb cr4");
_Static_assert(__builtin_offsetof(struct vmcb, rip) == 0x578, "vmcb rip");
_Static_assert(__builtin_offsetof(struct vmcb, rsp) == 0x5d8, "vmcb rsp");
_Static_assert(__builtin_offsetof(struct vmcb, rax) == 0x5f8, "vmcb rax");
_Static_assert(__builtin_offsetof(struct vmcb, g_pat) == 0x668, "vmcb g_pat");
_Static_assert(sizeof(struct vmcb) == 0x1000, "vmcb size");

/* intercept1 */
#define INT1_INTR     (1u << 0)
#define INT1_NMI      (1u << 1)
#define INT1_INIT     (1u << 3)
#define INT1_CPUID    (1u << 18)
#define INT1_HLT      (1u << 24)
#define INT1_INVLPGA  (1u << 26)
#define INT1_IOIO     (1u << 27)
#define INT1_MSR      (1u << 28)
#define INT1_SHUTDOWN (1u << 31)
/* intercept2 */
#define INT2_VMRUN    (1u << 0)
#define INT2_VMMCALL  (1u << 1)
#define INT2_VMLOAD   (1u << 2)
#define INT2_VMSAVE   (1u << 3)
#define INT2_STGI     (1u << 4)
#define INT2_CLGI     (1u << 5)
#define INT2_SKINIT   (1u << 6)

/* Exit codes. */
#define VMEXIT_EXC_BASE 0x40
#define VMEXIT_INTR     0x60
#define VMEXIT_NMI      0x61
#define VMEXIT_INIT     0x63
#define VMEXIT_CPUID    0x72
#define VMEXIT_HLT      0x78
#define VMEXIT_INVLPGA  0x7a
#define VMEXIT_IOIO     0x7b
#define VMEXIT_MSR      0x7c
#define VMEXIT_SHUTDOWN 0x7f
#define VMEXIT_VMRUN    0x80
#define VMEXIT_VMMCALL  0x81
#define VMEXIT_VMLOAD   0x82
#define VMEXIT_VMSAVE   0x83
#define VMEXIT_STGI     0x84
#define VMEXIT_CLGI     0x85
#define VMEXIT_SKINIT   0x86
#define VMEXIT_NPF      0x400
#define VMEXIT_INVALID  0xffffffffu

#define EVENTINJ_VALID  (1ull << 31)
#define EVENTINJ_EXC    (3ull << 8)
#define EVENTINJ_ERR    (1ull << 11)

#endif /* CAIRN_VMCB_H */
