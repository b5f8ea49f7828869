/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvm.h — the vendor-neutral view of hardware virtualization: domains, vCPUs, and
 * the ops table a vendor (SVM now, VMX later) fills in.
 *
 * A vCPU's architectural state lives in plain structures (struct vcpu_state plus
 * the vendor's control block) so it can be saved and restored later.
 */
#ifndef CAIRN_HVM_H
#define CAIRN_HVM_H

#include "e820.h"
#include "hv.h"
#include "public/domctl.h"
#include "vlapic.h"
#include "vuart.h"

struct percpu;

/* General-purpose registers not kept by the hardware (RAX, RSP are in the VMCB). */
struct guest_gprs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

struct domain {
	u32 id;
	struct mem_range ram[E820_MAX];  /* guest-physical RAM it owns (== host-physical for dom0) */
	unsigned nr_ram;
	u64 npt_root;                    /* physical address of the nested PML4 */
	u64 scratch_pa;                  /* page shown where it touches memory it does not own */
	/* domUs only (common/domain.c); plain data, so it can be saved later. */
	char name[CAIRN_DOMCTL_NAME_MAX];
	u32 state;                       /* enum cairn_domain_state */
	u32 exit_reason;                 /* enum cairn_exit_reason */
	u32 nr_vcpus, weight, cap;
	u64 max_pages, pages;            /* 4 KiB pages allowed / populated */
	bool has_run;                    /* unpaused at least once */
	u64 tsc_offset;                  /* guest TSC = host TSC + this (all its vCPUs) */
	int sched_id;                    /* its index in the credit scheduler */
	unsigned alloc_order;            /* page order of this structure's allocation */
	spinlock_t uart_lock;
	struct vuart uart;               /* COM1 */
	struct vcpu *vcpus[CAIRN_DOMCTL_MAX_VCPUS];
};

/* Initial register state for a vCPU, as the domain builder wants it. */
struct vcpu_boot {
	u64 rip, rsp, rsi, rflags;
	u64 cr0, cr3, cr4, efer;
	u64 gdt_base;
	u16 gdt_limit;
	u16 cs, ds;          /* selectors; descriptors are flat 64-bit code / data */
};

struct vcpu {
	struct domain *dom;
	u32 id;
	struct guest_gprs gprs;
	void *vmcb;           /* vendor control block (SVM: struct vmcb) */
	u64 vmcb_pa;
	u64 guest_efer;       /* EFER as the guest believes it is */
	u64 exits;            /* world switches so far */
	/* domUs only */
	bool has_state;       /* VCPU_SET_STATE was done */
	bool halted;          /* blocked in HLT */
	int sched_id;         /* its index in the credit scheduler */
	u64 run_ns;           /* time spent in the guest */
	struct vlapic lapic;  /* its local APIC (registers only: no timer or IPIs yet) */
};

/* What a domU vCPU's run on a CPU ended with (hvm_ops.vcpu_enter). */
enum vcpu_stop {
	VCPU_PREEMPT,         /* an interrupt: ask the scheduler */
	VCPU_HALT,            /* HLT: block until an interrupt */
	VCPU_DEAD,            /* the guest crashed: exit_reason says why */
};

struct hvm_ops {
	const char *name;
	int (*cpu_init)(struct percpu *p);
	int (*vcpu_init)(struct vcpu *v, const struct vcpu_boot *b);
	void (*vcpu_run)(struct vcpu *v) __attribute__((noreturn));
	/* The guest's paging: CR3, 4 or 5 levels, or paging off (*levels = 0). */
	void (*guest_paging)(struct vcpu *v, u64 *cr3, unsigned *levels);
	/* domUs: control block with the domU intercepts; registers; run; free. */
	int (*vcpu_create)(struct vcpu *v);
	int (*vcpu_set_regs)(struct vcpu *v, const struct cairn_vcpu_regs *r);
	enum vcpu_stop (*vcpu_enter)(struct vcpu *v);
	void (*vcpu_free)(struct vcpu *v);
};

extern const struct hvm_ops *hvm;
extern const struct hvm_ops svm_ops;

int hvm_cpu_init(struct percpu *p);

/* npt.c: nested (AMD) page tables; P|W|U, 1G/2M/4K pages. */
int npt_map(u64 *root_pa, u64 gpa, u64 hpa, u64 size);
extern u64 npt_pages_mapped[4]; /* leaf entries written, by level: [1] 4K, [2] 2M, [3] 1G */
u64 npt_lookup(u64 root_pa, u64 gpa);

/* guest memory: copies through the guest's page tables (see gmem.c). */
int guest_copy_from(struct vcpu *v, void *dst, u64 gva, size_t len);
int guest_copy_to(struct vcpu *v, u64 gva, const void *src, size_t len);
bool domain_owns(const struct domain *d, u64 gpa, u64 len);

/* npt.c: frees every leaf page (the domain's RAM) and table; returns 4K pages of RAM freed. */
u64 npt_free_all(u64 root_pa);

/* common/domain.c: domU objects and the domain-control hypercalls. */
long domctl_dispatch(struct vcpu *caller, u64 op, const u64 args[5]);
void domain_crash(struct domain *d, u32 reason);

/* common/sched.c: domU vCPUs on the CPUs dom0 does not own. */
int sched_domain_add(struct domain *d);
void sched_domain_remove(struct domain *d);
void sched_domain_pause(struct domain *d, bool paused);
void sched_vcpu_halt(struct vcpu *v);
bool sched_preempt_due(struct vcpu *v);
void sched_cpu_loop(struct percpu *p) __attribute__((noreturn));

/* hypercall.c */
long hypercall_dispatch(struct vcpu *v, unsigned cpl, u64 op, const u64 args[5]);

/* dom0.c */
void dom0_build_and_run(void) __attribute__((noreturn));

#endif /* CAIRN_HVM_H */
