/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * svm.c — AMD SVM: enabling it per CPU, setting up a vCPU's VMCB, the run loop
 * and the exit handlers.
 *
 * Design: exits are dispatched through exit_handlers[], indexed by exit code;
 * a code without a handler is reported and stops the guest (for dom0, the
 * machine). Handlers return true to resume the guest. QEMU's SVM has no NRIP
 * save and no decode assists, so the length of an intercepted instruction is
 * decoded from the guest's instruction bytes (insn_len(), lib/x86_decode.c). What dom0 may not
 * see or change: SVM itself (CPUID, EFER.SVME kept set behind its back,
 * VM_HSAVE_PA, VM_CR) and the SVM instructions (#UD). Physical interrupts are
 * not intercepted: on dom0's CPU they go straight to the guest.
 *
 * Locking: a vCPU is only ever touched by the CPU that runs it.
 */
#include "cpu.h"
#include "gwalk.h"
#include "hvm.h"
#include "percpu.h"
#include "vmcb.h"
#include "x86_decode.h"

#define X86_EXC_UD 6
#define X86_EXC_GP 13

void svm_world_switch(struct guest_gprs *g, u64 vmcb_pa, u64 host_area_pa);

typedef bool (*exit_handler_t)(struct vcpu *v, struct vmcb *vmcb);

static u64 msrpm_pa, iopm_pa;

static int svm_cpu_init(struct percpu *p)
{
	struct cpuid_regs r = cpuid(0x80000001, 0);

	if (!(r.ecx & (1u << 2))) {
		pr_err("CPU %u has no SVM", p->index);
		return -CAIRN_ENOSYS;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		pr_err("CPU %u: SVM is disabled by firmware (VM_CR.SVMDIS)", p->index);
		return -CAIRN_EPERM;
	}
	if (!(cpuid(0x8000000a, 0).edx & 1)) {
		pr_err("CPU %u: SVM without nested paging is not supported", p->index);
		return -CAIRN_ENOSYS;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	p->hsave_pa = page_alloc(0);
	p->host_area_pa = page_alloc(0);
	if (!p->hsave_pa || !p->host_area_pa)
		panic("svm_cpu_init: out of memory");
	wrmsr(MSR_VM_HSAVE_PA, p->hsave_pa);
	/* The host's FS/GS/TR/syscall state, reloaded after every exit. */
	__asm__ volatile("vmsave %%rax" ::"a"(p->host_area_pa) : "memory");
	return 0;
}

/* Intercepts both reads and writes of MSR in the permission map. */
static void msrpm_intercept(u8 *pm, u32 msr)
{
	u32 base, off;

	if (msr < 0x2000)
		base = 0;
	else if (msr >= 0xc0000000 && msr < 0xc0002000)
		base = 0x800, msr -= 0xc0000000;
	else if (msr >= 0xc0010000 && msr < 0xc0012000)
		base = 0x1000, msr -= 0xc0010000;
	else
		panic("msrpm_intercept: MSR %#x is outside the map", msr);
	off = msr * 2;
	pm[base + off / 8] |= (u8)(3u << (off % 8));
}

static void svm_tables_init(void)
{
	u8 *pm;

	if (msrpm_pa)
		return;
	msrpm_pa = page_alloc(1);  /* 8 KiB */
	iopm_pa = page_alloc(2);   /* 12 KiB used; no port intercepts for dom0 */
	if (!msrpm_pa || !iopm_pa)
		panic("svm_tables_init: out of memory");
	pm = va(msrpm_pa);
	msrpm_intercept(pm, MSR_EFER);
	msrpm_intercept(pm, MSR_VM_HSAVE_PA);
	msrpm_intercept(pm, MSR_VM_CR);
}

static void seg(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit, u64 base)
{
	*s = (struct vmcb_seg){ sel, attrib, limit, base };
}

static int svm_vcpu_init(struct vcpu *v, const struct vcpu_boot *b)
{
	struct vmcb *vm;

	svm_tables_init();
	v->vmcb_pa = page_alloc(0);
	if (!v->vmcb_pa)
		return -CAIRN_ENOMEM;
	vm = v->vmcb = va(v->vmcb_pa);
	vm->intercept1 = INT1_CPUID | INT1_MSR | INT1_SHUTDOWN | INT1_INVLPGA;
	vm->intercept2 = INT2_VMRUN | INT2_VMMCALL | INT2_VMLOAD | INT2_VMSAVE | INT2_STGI |
			 INT2_CLGI | INT2_SKINIT;
	vm->iopm_pa = iopm_pa;
	vm->msrpm_pa = msrpm_pa;
	vm->asid = 1 + v->dom->id;
	vm->tlb_control = 1;
	vm->np_enable = 1;
	vm->n_cr3 = v->dom->npt_root;
	seg(&vm->cs, b->cs, 0xa9b, 0xffffffff, 0);          /* 64-bit code, P, DPL0 */
	seg(&vm->ds, b->ds, 0xc93, 0xffffffff, 0);          /* data, P, DPL0 */
	vm->es = vm->ss = vm->fs = vm->gs = vm->ds;
	seg(&vm->gdtr, 0, 0, b->gdt_limit, b->gdt_base);
	seg(&vm->idtr, 0, 0, 0xffff, 0);
	seg(&vm->ldtr, 0, 0x82, 0xffff, 0);
	seg(&vm->tr, 0, 0x8b, 0xffff, 0);
	vm->cpl = 0;
	v->guest_efer = b->efer;
	vm->efer = b->efer | EFER_SVME;  /* QEMU refuses VMRUN without it */
	vm->cr0 = b->cr0;
	vm->cr3 = b->cr3;
	vm->cr4 = b->cr4;
	vm->dr6 = 0xffff0ff0;
	vm->dr7 = 0x400;
	vm->rflags = b->rflags | 2;
	vm->rip = b->rip;
	vm->rsp = b->rsp;
	vm->g_pat = 0x0007040600070406ull;
	v->gprs.rsi = b->rsi;
	return 0;
}

static void svm_guest_paging(struct vcpu *v, u64 *cr3, unsigned *levels)
{
	struct vmcb *vm = v->vmcb;

	*cr3 = vm->cr3;
	if (!(vm->cr0 & CR0_PG))
		*levels = 0;
	else if (!(vm->efer & EFER_LMA))
		*levels = ~0u; /* legacy/PAE paging: not supported, every walk fails */
	else
		*levels = (vm->cr4 & CR4_LA57) ? 5 : 4;
}

static void inject_exception(struct vmcb *vm, u8 vec, bool has_err, u32 err)
{
	vm->eventinj = EVENTINJ_VALID | EVENTINJ_EXC | vec |
		       (has_err ? EVENTINJ_ERR | (u64)err << 32 : 0);
}

/*
 * The length of the instruction at the guest's RIP, decoded from its bytes
 * (lib/x86_decode.c): it must be OPCODE (OPLEN bytes: 0F xx, or 0F 01 /modrm)
 * after any prefixes, else -1.
 */
static int insn_len(struct vcpu *v, const u8 *opcode, unsigned oplen)
{
	struct vmcb *vm = v->vmcb;
	enum x86_mode mode = (vm->cs.attrib & 0x200) ? X86_MODE_64 : X86_MODE_32;
	struct x86_insn insn;
	u8 b[X86_MAX_INSN_LEN];
	unsigned n = X86_MAX_INSN_LEN;
	int len;

	/* Fetch what we can: the instruction may end just before an unmapped page. */
	while (n > oplen && guest_copy_from(v, b, vm->cs.base + vm->rip, n))
		n--;
	if (n <= oplen && guest_copy_from(v, b, vm->cs.base + vm->rip, n))
		return -1;
	len = x86_decode(b, n, mode, NULL, &insn);
	if (len < 0 || opcode[0] != 0x0f || insn.map != X86_MAP_0F || insn.opcode != opcode[1])
		return -1;
	if (oplen == 3 && (!insn.has_modrm || insn.modrm != opcode[2]))
		return -1;
	return len;
}

static bool skip_insn(struct vcpu *v, const u8 *opcode, unsigned oplen, const char *what)
{
	struct vmcb *vm = v->vmcb;
	int len = insn_len(v, opcode, oplen);

	if (len < 0) {
		pr_err("dom%u: cannot decode the %s at RIP %#llx", v->dom->id, what,
		       (unsigned long long)vm->rip);
		return false;
	}
	vm->rip += (u64)len;
	return true;
}

static void cpuid_filter(u32 leaf, u32 sub, struct cpuid_regs *r)
{
	if (leaf >= CAIRN_CPUID_BASE && leaf <= CAIRN_CPUID_BASE + 0xff) {
		const char *sig = CAIRN_CPUID_SIGNATURE;

		*r = (struct cpuid_regs){ 0 };
		if (leaf == CAIRN_CPUID_BASE) {
			r->eax = CAIRN_CPUID_BASE;
			memcpy(&r->ebx, sig, 4);
			memcpy(&r->ecx, sig + 4, 4);
			memcpy(&r->edx, sig + 8, 4);
		}
		return;
	}
	*r = cpuid(leaf, sub);
	switch (leaf) {
	case 1:
		r->ecx |= 1u << 31;            /* a hypervisor is present */
		break;
	case 7:
		if (sub == 0)
			r->ecx &= ~(1u << 16); /* no LA57: dom0 stays on 4-level paging */
		break;
	case 0x80000001:
		r->ecx &= ~(1u << 2);          /* no SVM */
		break;
	case 0x8000000a:
		*r = (struct cpuid_regs){ 0 };
		break;
	default:
		break;
	}
}

static bool exit_cpuid(struct vcpu *v, struct vmcb *vm)
{
	static const u8 op[] = { 0x0f, 0xa2 };
	struct cpuid_regs r;

	cpuid_filter((u32)vm->rax, (u32)v->gprs.rcx, &r);
	if (!skip_insn(v, op, sizeof(op), "CPUID"))
		return false;
	vm->rax = r.eax;
	v->gprs.rbx = r.ebx;
	v->gprs.rcx = r.ecx;
	v->gprs.rdx = r.edx;
	return true;
}

static bool msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_EFER:
		*val = v->guest_efer;
		return true;
	case MSR_VM_CR:
		*val = VM_CR_SVMDIS | (1u << 3); /* disabled and locked */
		return true;
	case MSR_VM_HSAVE_PA:
		*val = 0;
		return true;
	default:
		return false;
	}
}

static bool msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vmcb *vm = v->vmcb;

	switch (msr) {
	case MSR_EFER:
		if (val & EFER_SVME)
			return false;  /* SVM is not offered */
		v->guest_efer = val;
		vm->efer = (val & ~EFER_LMA) | (vm->efer & EFER_LMA) | EFER_SVME;
		return true;
	case MSR_VM_CR:
	case MSR_VM_HSAVE_PA:
		return val == 0 || msr == MSR_VM_CR; /* writes are dropped */
	default:
		return false;
	}
}

static bool exit_msr(struct vcpu *v, struct vmcb *vm)
{
	static const u8 rd[] = { 0x0f, 0x32 }, wr[] = { 0x0f, 0x30 };
	u32 msr = (u32)v->gprs.rcx;
	bool write = vm->exitinfo1 & 1;
	u64 val = 0;
	bool ok;

	if (write)
		ok = msr_write(v, msr, (vm->rax & 0xffffffffu) | v->gprs.rdx << 32);
	else
		ok = msr_read(v, msr, &val);
	if (!ok) {
		pr_warn("dom%u: %s of MSR %#x refused with #GP", v->dom->id,
			write ? "write" : "read", msr);
		inject_exception(vm, X86_EXC_GP, true, 0);
		return true;
	}
	if (!skip_insn(v, write ? wr : rd, 2, write ? "WRMSR" : "RDMSR"))
		return false;
	if (!write) {
		vm->rax = (u32)val;
		v->gprs.rdx = val >> 32;
	}
	return true;
}

static bool exit_vmmcall(struct vcpu *v, struct vmcb *vm)
{
	static const u8 op[] = { 0x0f, 0x01, 0xd9 };
	u64 args[5] = { v->gprs.rdi, v->gprs.rsi, v->gprs.rdx, v->gprs.r10, v->gprs.r8 };
	long ret;

	if (!skip_insn(v, op, sizeof(op), "VMMCALL"))
		return false;
	ret = hypercall_dispatch(v, vm->cpl, vm->rax, args);
	vm->rax = (u64)ret;
	return true;
}

static bool exit_svm_insn(struct vcpu *v, struct vmcb *vm)
{
	/* SVM is hidden from the guest: its instructions do not exist. */
	inject_exception(vm, X86_EXC_UD, false, 0);
	return true;
}

static void report_guest(struct vcpu *v, struct vmcb *vm)
{
	struct guest_gprs *g = &v->gprs;

	printk(LOG_ERR, "dom%u vCPU%u: RIP %#llx RSP %#llx RFLAGS %#llx CPL %u",
	       v->dom->id, v->id, (unsigned long long)vm->rip, (unsigned long long)vm->rsp,
	       (unsigned long long)vm->rflags, vm->cpl);
	printk(LOG_ERR, "CR0 %#llx CR2 %#llx CR3 %#llx CR4 %#llx EFER %#llx",
	       (unsigned long long)vm->cr0, (unsigned long long)vm->cr2,
	       (unsigned long long)vm->cr3, (unsigned long long)vm->cr4,
	       (unsigned long long)v->guest_efer);
	printk(LOG_ERR, "RAX %016llx RBX %016llx RCX %016llx RDX %016llx",
	       (unsigned long long)vm->rax, (unsigned long long)g->rbx,
	       (unsigned long long)g->rcx, (unsigned long long)g->rdx);
	printk(LOG_ERR, "RSI %016llx RDI %016llx RBP %016llx R8  %016llx",
	       (unsigned long long)g->rsi, (unsigned long long)g->rdi,
	       (unsigned long long)g->rbp, (unsigned long long)g->r8);
	printk(LOG_ERR, "exitcode %#llx info1 %#llx info2 %#llx intinfo %#llx, %llu exits so far",
	       (unsigned long long)vm->exitcode, (unsigned long long)vm->exitinfo1,
	       (unsigned long long)vm->exitinfo2, (unsigned long long)vm->exitintinfo,
	       (unsigned long long)v->exits);
}

static bool exit_shutdown(struct vcpu *v, struct vmcb *vm)
{
	printk(LOG_ERR, "dom%u TRIPLE FAULT (shutdown intercept): the guest is dead", v->dom->id);
	report_guest(v, vm);
	return false;
}

/*
 * A nested page fault: dom0 touched memory it does not own (the hypervisor's,
 * or the domU pool). It gets the scratch page there, never the real contents;
 * the first few are logged.
 */
static bool exit_npf(struct vcpu *v, struct vmcb *vm)
{
	static unsigned logged;
	struct domain *d = v->dom;
	u64 gpa = vm->exitinfo2 & ~(PAGE_SIZE - 1);

	if (npt_lookup(d->npt_root, gpa) != ~0ull) {
		pr_err("dom%u: nested fault on mapped gpa %#llx (error %#llx)", d->id,
		       (unsigned long long)vm->exitinfo2, (unsigned long long)vm->exitinfo1);
		return false;
	}
	if (logged++ < 8)
		pr_warn("dom%u: access to gpa %#llx (not its memory) at RIP %#llx: scratch page mapped",
			d->id, (unsigned long long)vm->exitinfo2, (unsigned long long)vm->rip);
	if (npt_map(&d->npt_root, gpa, d->scratch_pa, PAGE_SIZE))
		return false;
	vm->tlb_control = 1;
	return true;
}

static const exit_handler_t exit_handlers[0x100] = {
	[VMEXIT_CPUID] = exit_cpuid,
	[VMEXIT_MSR] = exit_msr,
	[VMEXIT_VMMCALL] = exit_vmmcall,
	[VMEXIT_SHUTDOWN] = exit_shutdown,
	[VMEXIT_VMRUN] = exit_svm_insn,
	[VMEXIT_VMLOAD] = exit_svm_insn,
	[VMEXIT_VMSAVE] = exit_svm_insn,
	[VMEXIT_STGI] = exit_svm_insn,
	[VMEXIT_CLGI] = exit_svm_insn,
	[VMEXIT_SKINIT] = exit_svm_insn,
	[VMEXIT_INVLPGA] = exit_svm_insn,
};

static bool handle_exit(struct vcpu *v, struct vmcb *vm)
{
	u32 code = (u32)vm->exitcode;

	v->exits++;
	if (code == VMEXIT_NPF)
		return exit_npf(v, vm);
	if (code < ARRAY_SIZE(exit_handlers) && exit_handlers[code])
		return exit_handlers[code](v, vm);
	if (code == VMEXIT_INVALID)
		printk(LOG_ERR, "dom%u: VMRUN failed: invalid guest state (VMEXIT_INVALID)",
		       v->dom->id);
	else
		printk(LOG_ERR, "dom%u: unhandled exit %#x", v->dom->id, code);
	report_guest(v, vm);
	return false;
}

static void __attribute__((noreturn)) svm_vcpu_run(struct vcpu *v)
{
	struct percpu *p = this_cpu();
	struct vmcb *vm = v->vmcb;

	p->vcpu = v;
	irq_disable();
	for (;;) {
		svm_world_switch(&v->gprs, v->vmcb_pa, p->host_area_pa);
		vm->tlb_control = 0;
		/* An event cut short by the exit is delivered again on the next VMRUN. */
		vm->eventinj = (vm->exitintinfo & EVENTINJ_VALID) ? vm->exitintinfo : 0;
		if (!handle_exit(v, vm))
			break;
	}
	panic("dom%u stopped after %llu exits; stopping the machine", v->dom->id,
	      (unsigned long long)v->exits);
}

const struct hvm_ops svm_ops = {
	.name = "AMD SVM",
	.cpu_init = svm_cpu_init,
	.vcpu_init = svm_vcpu_init,
	.vcpu_run = svm_vcpu_run,
	.guest_paging = svm_guest_paging,
};

const struct hvm_ops *hvm = &svm_ops;

int hvm_cpu_init(struct percpu *p)
{
	return hvm->cpu_init(p);
}
