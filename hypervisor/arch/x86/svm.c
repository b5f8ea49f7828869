/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * svm.c — AMD SVM: enabling it per CPU, setting up a vCPU's VMCB, the run loop
 * and the exit handlers.
 *
 * Design: exits are dispatched through exit_handlers[], indexed by exit code;
 * a code without a handler is reported and stops the guest: for dom0 the
 * machine, for a domU the domain (domain_crash), never the host. Handlers say
 * what comes next (enum exit_action). dom0 runs with few intercepts and owns
 * its CPU's interrupts; a domU's vCPU (svm_vcpu_enter, called by the scheduler
 * on a CPU dom0 does not own) has physical interrupts, HLT, every I/O port and
 * every MSR but the VMCB-held ones intercepted, and returns to the scheduler
 * on an interrupt that calls for a switch, on HLT and on death. QEMU's SVM has no NRIP
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

/* What an exit handler wants next. */
enum exit_action {
	EXIT_FATAL,   /* the guest cannot go on: dom0 stops the machine, a domU crashes */
	EXIT_RESUME,  /* back into the guest */
	EXIT_PREEMPT, /* an interrupt arrived: a domU's CPU asks the scheduler */
	EXIT_HALT,    /* a domU's vCPU executed HLT */
};

typedef enum exit_action (*exit_handler_t)(struct vcpu *v, struct vmcb *vmcb);

static u64 msrpm_pa, iopm_pa;           /* dom0's: few intercepts */
static u64 domu_msrpm_pa, domu_iopm_pa; /* domUs': everything but the VMCB-held MSRs */

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

static void svm_domu_tables_init(void);

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
	svm_domu_tables_init(); /* at boot, so free memory is the same before and after a domU */
}

/* domUs: every port and every MSR intercepted, except the MSRs the VMCB holds. */
static void svm_domu_tables_init(void)
{
	static const u32 passthrough[] = {
		MSR_FS_BASE, MSR_GS_BASE, 0xc0000102 /* KERNEL_GS_BASE */, 0xc0000081 /* STAR */,
		0xc0000082 /* LSTAR */, 0xc0000083 /* CSTAR */, 0xc0000084 /* SFMASK */,
		0x174, 0x175, 0x176 /* SYSENTER_CS/ESP/EIP */,
	};
	u8 *pm;

	if (domu_msrpm_pa)
		return;
	domu_msrpm_pa = page_alloc(1);
	domu_iopm_pa = page_alloc(2);
	if (!domu_msrpm_pa || !domu_iopm_pa)
		panic("svm_domu_tables_init: out of memory");
	memset(va(domu_iopm_pa), 0xff, 4 * PAGE_SIZE);
	pm = va(domu_msrpm_pa);
	memset(pm, 0xff, 2 * PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough); i++) {
		u32 msr = passthrough[i], base = msr < 0x2000 ? 0 : 0x800, off;

		off = (msr & 0x1fff) * 2;
		pm[base + off / 8] &= (u8)~(3u << (off % 8));
	}
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

/* What a domU's vCPU sees beyond dom0's view: its own APIC id and vCPU count. */
static void cpuid_domu(struct vcpu *v, u32 leaf, struct cpuid_regs *r)
{
	switch (leaf) {
	case 1:
		r->ebx = (r->ebx & 0xffff) | (v->dom->nr_vcpus & 0xff) << 16 | v->id << 24;
		r->ecx &= ~((1u << 3) | (1u << 5));  /* no MONITOR, no VMX */
		r->ecx &= ~((1u << 21) | (1u << 24)); /* no x2APIC, no TSC deadline (yet) */
		r->edx |= 1u << 28;                  /* HTT: the count above is valid */
		break;
	case 6:
		*r = (struct cpuid_regs){ 0 };       /* no thermal and power management */
		break;
	case 0xb:
		*r = (struct cpuid_regs){ 0 };       /* no extended topology */
		break;
	default:
		break;
	}
}

static enum exit_action exit_cpuid(struct vcpu *v, struct vmcb *vm)
{
	static const u8 op[] = { 0x0f, 0xa2 };
	struct cpuid_regs r;

	cpuid_filter((u32)vm->rax, (u32)v->gprs.rcx, &r);
	if (v->dom->id)
		cpuid_domu(v, (u32)vm->rax, &r);
	if (!skip_insn(v, op, sizeof(op), "CPUID"))
		return EXIT_FATAL;
	vm->rax = r.eax;
	v->gprs.rbx = r.ebx;
	v->gprs.rcx = r.ecx;
	v->gprs.rdx = r.edx;
	return EXIT_RESUME;
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

/*
 * The MSRs a domU may touch beyond those the VMCB holds (FS/GS/KernelGS base,
 * STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*, which are not intercepted): the ones
 * Linux reads or writes while booting. Everything else is #GP.
 */
#define MSR_TSC         0x00000010
#define MSR_MTRR_CAP    0x000000fe
#define MSR_PATCH_LEVEL 0x0000008b
#define MSR_PAT         0x00000277
#define MSR_MTRR_DEF    0x000002ff
#define MSR_HWCR        0xc0010015

static bool pat_ok(u64 val)
{
	for (unsigned i = 0; i < 8; i++) {
		u8 t = (u8)(val >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static bool domu_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct vmcb *vm = v->vmcb;

	switch (msr) {
	case MSR_EFER:
		*val = v->guest_efer;
		return true;
	case MSR_TSC:
		*val = rdtsc() + vm->tsc_offset;
		return true;
	case MSR_APIC_BASE:
		*val = vlapic_apic_base_read(&v->lapic);
		return true;
	case MSR_PAT:
		*val = vm->g_pat;
		return true;
	case MSR_MTRR_CAP:
	case MSR_MTRR_DEF:
	case MSR_PATCH_LEVEL:
	case MSR_HWCR:
		*val = 0;
		return true;
	default:
		return false;
	}
}

static bool domu_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vmcb *vm = v->vmcb;

	switch (msr) {
	case MSR_EFER:
		if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return false;
		return msr_write(v, msr, val);
	case MSR_APIC_BASE: /* x2APIC is not offered (CPUID) */
		if (val & VLAPIC_BASE_EXTD)
			return false;
		return vlapic_apic_base_write(&v->lapic, val) == 0;
	case MSR_PAT:
		if (!pat_ok(val))
			return false;
		vm->g_pat = val;
		return true;
	case MSR_MTRR_DEF: /* dropped: memory types come from the PAT */
	case MSR_PATCH_LEVEL:
		return true;
	default:
		return false;
	}
}

static enum exit_action exit_msr(struct vcpu *v, struct vmcb *vm)
{
	static const u8 rd[] = { 0x0f, 0x32 }, wr[] = { 0x0f, 0x30 };
	u32 msr = (u32)v->gprs.rcx;
	bool write = vm->exitinfo1 & 1, domu = v->dom->id != 0;
	u64 val = 0, wval = (vm->rax & 0xffffffffu) | v->gprs.rdx << 32;
	bool ok;

	if (write)
		ok = domu ? domu_msr_write(v, msr, wval) : msr_write(v, msr, wval);
	else
		ok = domu ? domu_msr_read(v, msr, &val) : msr_read(v, msr, &val);
	if (!ok) {
		pr_warn("dom%u: %s of MSR %#x refused with #GP", v->dom->id,
			write ? "write" : "read", msr);
		inject_exception(vm, X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	if (!skip_insn(v, write ? wr : rd, 2, write ? "WRMSR" : "RDMSR"))
		return EXIT_FATAL;
	if (!write) {
		vm->rax = (u32)val;
		v->gprs.rdx = val >> 32;
	}
	return EXIT_RESUME;
}

static enum exit_action exit_vmmcall(struct vcpu *v, struct vmcb *vm)
{
	static const u8 op[] = { 0x0f, 0x01, 0xd9 };
	u64 args[5] = { v->gprs.rdi, v->gprs.rsi, v->gprs.rdx, v->gprs.r10, v->gprs.r8 };
	long ret;

	if (!skip_insn(v, op, sizeof(op), "VMMCALL"))
		return EXIT_FATAL;
	ret = hypercall_dispatch(v, vm->cpl, vm->rax, args);
	vm->rax = (u64)ret;
	return EXIT_RESUME;
}

static enum exit_action exit_svm_insn(struct vcpu *v, struct vmcb *vm)
{
	/* SVM is hidden from the guest: its instructions do not exist. */
	inject_exception(vm, X86_EXC_UD, false, 0);
	return EXIT_RESUME;
}

/* domUs only: a physical interrupt (scheduler tick or kick) made the guest exit. */
static enum exit_action exit_intr(struct vcpu *v, struct vmcb *vm)
{
	/* Let the host take it now (GIF is set again, IF is clear until here). */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	return EXIT_PREEMPT;
}

/* domUs only: HLT (one byte, 0xf4) blocks the vCPU until an interrupt. */
static enum exit_action exit_hlt(struct vcpu *v, struct vmcb *vm)
{
	vm->rip += 1;
	return EXIT_HALT;
}

/* Byte accesses to COM1 go to the domain's vUART; other ports read as all ones. */
static void port_access(struct vcpu *v, u16 port, unsigned size, bool in, u32 *val)
{
	struct domain *d = v->dom;
	u8 b = (u8)*val;
	u64 f;

	if (port < VUART_COM1_BASE || port >= VUART_COM1_BASE + VUART_NR_PORTS || size != 1) {
		if (in)
			*val = 0xffffffffu;
		return;
	}
	f = spin_lock_irqsave(&d->uart_lock);
	if (in)
		vuart_io_read(&d->uart, port - VUART_COM1_BASE, &b);
	else
		vuart_io_write(&d->uart, port - VUART_COM1_BASE, b);
	spin_unlock_irqrestore(&d->uart_lock, f);
	*val = b;
}

/* domUs only: IN/OUT (EXITINFO2 holds the next RIP, so nothing is decoded). */
static enum exit_action exit_ioio(struct vcpu *v, struct vmcb *vm)
{
	u64 info = vm->exitinfo1;
	u16 port = (u16)(info >> 16);
	unsigned size = (info & (1u << 4)) ? 1 : (info & (1u << 5)) ? 2 : 4;
	bool in = info & 1;
	u32 val = (u32)vm->rax;
	u64 mask = size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;

	if (info & (1u << 2)) {
		pr_err("dom%u: string I/O on port %#x is not emulated", v->dom->id, port);
		return EXIT_FATAL;
	}
	port_access(v, port, size, in, &val);
	if (in)
		vm->rax = size == 4 ? val : (vm->rax & ~mask) | (val & mask);
	vm->rip = vm->exitinfo2;
	return EXIT_RESUME;
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

static enum exit_action exit_shutdown(struct vcpu *v, struct vmcb *vm)
{
	printk(LOG_ERR, "dom%u TRIPLE FAULT (shutdown intercept): the guest is dead", v->dom->id);
	report_guest(v, vm);
	if (v->dom->id)
		domain_crash(v->dom, CAIRN_EXIT_TRIPLE_FAULT);
	return EXIT_FATAL;
}

/*
 * A nested page fault: dom0 touched memory it does not own (the hypervisor's,
 * or the domU pool). It gets the scratch page there, never the real contents;
 * the first few are logged.
 */
/* The guest's registers in encoding order, for the decoder. */
static void decode_regs(struct vcpu *v, struct vmcb *vm, struct x86_regs *r)
{
	const struct guest_gprs *g = &v->gprs;

	*r = (struct x86_regs){
		.gpr = { vm->rax, g->rcx, g->rdx, g->rbx, vm->rsp, g->rbp, g->rsi, g->rdi,
			 g->r8, g->r9, g->r10, g->r11, g->r12, g->r13, g->r14, g->r15 },
		.rip = vm->rip, .rflags = vm->rflags,
		.seg_base = { vm->es.base, vm->cs.base, vm->ss.base, vm->ds.base, vm->fs.base,
			      vm->gs.base },
	};
}

/* General register REG (encoding order) outside RAX and RSP, which the VMCB holds. */
static u64 *gpr_ptr(struct vcpu *v, unsigned reg)
{
	struct guest_gprs *g = &v->gprs;
	u64 *map[16] = { NULL, &g->rcx, &g->rdx, &g->rbx, NULL, &g->rbp, &g->rsi,
			 &g->rdi, &g->r8, &g->r9, &g->r10, &g->r11, &g->r12, &g->r13,
			 &g->r14, &g->r15 };

	return map[reg & 15];
}

static u64 gpr_get(struct vcpu *v, struct vmcb *vm, unsigned reg)
{
	return reg == X86_RAX ? vm->rax : reg == X86_RSP ? vm->rsp : *gpr_ptr(v, reg);
}

static void gpr_set(struct vcpu *v, struct vmcb *vm, unsigned reg, u64 val)
{
	if (reg == X86_RAX)
		vm->rax = val;
	else if (reg == X86_RSP)
		vm->rsp = val;
	else
		*gpr_ptr(v, reg) = val;
}

/* Decodes the instruction at the guest's RIP; its length, or -1. */
static int fetch_decode(struct vcpu *v, struct vmcb *vm, struct x86_insn *insn)
{
	enum x86_mode mode = (vm->cs.attrib & 0x200) ? X86_MODE_64 : X86_MODE_32;
	struct x86_regs regs;
	u8 b[X86_MAX_INSN_LEN];
	unsigned n = X86_MAX_INSN_LEN;

	while (n > 1 && guest_copy_from(v, b, vm->cs.base + vm->rip, n))
		n--;
	if (guest_copy_from(v, b, vm->cs.base + vm->rip, n))
		return -1;
	decode_regs(v, vm, &regs);
	return x86_decode(b, n, mode, &regs, insn);
}

/*
 * A domU's access to its local APIC page: 4-byte MOV loads and stores (the
 * forms Linux uses) go to its vlapic; anything else kills the guest. IPIs and
 * EOIs of level-triggered vectors that the write asks for are not delivered
 * yet (logged).
 */
static enum exit_action exit_lapic_mmio(struct vcpu *v, struct vmcb *vm)
{
	u32 off = (u32)(vm->exitinfo2 & (PAGE_SIZE - 1)), val = 0;
	u64 now = rdtsc() + vm->tsc_offset;
	struct vlapic_action act = { 0 };
	struct x86_insn insn;
	int len = fetch_decode(v, vm, &insn), rc;

	if (len < 0 || insn.op != X86_OP_MOV || insn.mem_size != 4 ||
	    (insn.dir == X86_DIR_READ && insn.reg < 0)) {
		pr_err("dom%u: unsupported local APIC access at RIP %#llx (offset %#x)",
		       v->dom->id, (unsigned long long)vm->rip, off);
		domain_crash(v->dom, CAIRN_EXIT_BAD_ACCESS);
		return EXIT_FATAL;
	}
	if (insn.dir == X86_DIR_READ) {
		rc = vlapic_mmio_read(&v->lapic, off, now, &val);
		gpr_set(v, vm, (unsigned)insn.reg, rc ? 0xffffffffu : val); /* zero-extends */
	} else {
		val = insn.has_imm_operand ? (u32)insn.imm_operand :
					     (u32)gpr_get(v, vm, (unsigned)insn.reg);
		vlapic_mmio_write(&v->lapic, off, val, now, &act);
		if (act.kind != VLAPIC_ACT_NONE)
			pr_warn("dom%u vCPU%u: local APIC action %u (IPI/EOI) not delivered yet",
				v->dom->id, v->id, act.kind);
	}
	vm->rip += (u64)len;
	return EXIT_RESUME;
}

static enum exit_action exit_npf(struct vcpu *v, struct vmcb *vm)
{
	static unsigned logged;
	struct domain *d = v->dom;
	u64 gpa = vm->exitinfo2 & ~(PAGE_SIZE - 1);

	if (npt_lookup(d->npt_root, gpa) != ~0ull) {
		pr_err("dom%u: nested fault on mapped gpa %#llx (error %#llx)", d->id,
		       (unsigned long long)vm->exitinfo2, (unsigned long long)vm->exitinfo1);
		return EXIT_FATAL;
	}
	if (d->id && gpa == VLAPIC_DEFAULT_BASE)
		return exit_lapic_mmio(v, vm);
	if (d->id) { /* a domU sees only its RAM and its local APIC */
		pr_err("dom%u: access to gpa %#llx outside its memory at RIP %#llx", d->id,
		       (unsigned long long)vm->exitinfo2, (unsigned long long)vm->rip);
		domain_crash(d, CAIRN_EXIT_BAD_ACCESS);
		return EXIT_FATAL;
	}
	if (logged++ < 8)
		pr_warn("dom%u: access to gpa %#llx (not its memory) at RIP %#llx: scratch page mapped",
			d->id, (unsigned long long)vm->exitinfo2, (unsigned long long)vm->rip);
	if (npt_map(&d->npt_root, gpa, d->scratch_pa, PAGE_SIZE))
		return EXIT_FATAL;
	vm->tlb_control = 1;
	return EXIT_RESUME;
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
	[VMEXIT_INTR] = exit_intr,      /* intercepted for domUs only */
	[VMEXIT_HLT] = exit_hlt,        /* domUs only */
	[VMEXIT_IOIO] = exit_ioio,      /* domUs only */
};

static enum exit_action handle_exit(struct vcpu *v, struct vmcb *vm)
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
	if (v->dom->id)
		domain_crash(v->dom, CAIRN_EXIT_BAD_ACCESS);
	return EXIT_FATAL;
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
		if (handle_exit(v, vm) != EXIT_RESUME)
			break;
	}
	panic("dom%u stopped after %llu exits; stopping the machine", v->dom->id,
	      (unsigned long long)v->exits);
}

/* ---- domU vCPUs ---- */

/* A VMCB with the domU intercepts; the registers come with svm_vcpu_set_regs(). */
static int svm_vcpu_create(struct vcpu *v)
{
	struct vmcb *vm;

	svm_domu_tables_init();
	v->vmcb_pa = page_alloc(0);
	if (!v->vmcb_pa)
		return -CAIRN_ENOMEM;
	vm = v->vmcb = va(v->vmcb_pa);
	vm->intercept1 = INT1_INTR | INT1_NMI | INT1_CPUID | INT1_HLT | INT1_IOIO | INT1_MSR |
			 INT1_SHUTDOWN | INT1_INVLPGA;
	vm->intercept2 = INT2_VMRUN | INT2_VMMCALL | INT2_VMLOAD | INT2_VMSAVE | INT2_STGI |
			 INT2_CLGI | INT2_SKINIT;
	vm->iopm_pa = domu_iopm_pa;
	vm->msrpm_pa = domu_msrpm_pa;
	vm->asid = 2;           /* all domUs; the TLB is flushed at every switch */
	vm->vintr = 1ull << 24; /* V_INTR_MASKING: the guest's IF does not block host interrupts */
	vm->np_enable = 1;
	vm->tsc_offset = v->dom->tsc_offset;
	vm->g_pat = 0x0007040600070406ull;
	vm->dr6 = 0xffff0ff0;
	vm->dr7 = 0x400;
	return 0;
}

static void svm_vcpu_free(struct vcpu *v)
{
	page_free(v->vmcb_pa, 0);
	v->vmcb = NULL;
	v->vmcb_pa = 0;
}

static bool canonical(u64 a)
{
	return (u64)((int64_t)(a << 16) >> 16) == a;
}

/* The consistency checks VMRUN makes on CR0, CR4, EFER, CS and RIP (APM 15.5.1). */
static int regs_check(const struct cairn_vcpu_regs *r)
{
	bool lma = r->efer & EFER_LMA, pg = r->cr0 & CR0_PG;
	u32 cs = r->seg[CAIRN_SEG_CS].attr;

	if ((r->cr0 >> 32) || (pg && !(r->cr0 & CR0_PE)))
		return -CAIRN_EINVAL;
	if ((r->cr0 & (1ull << 29)) && !(r->cr0 & (1ull << 30))) /* NW without CD */
		return -CAIRN_EINVAL;
	if (r->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return -CAIRN_EINVAL;
	if (lma != (bool)((r->efer & EFER_LME) && pg))
		return -CAIRN_EINVAL;
	if (lma && (!(r->cr4 & CR4_PAE) || !(cs & 0x200) || (cs & 0x400)))
		return -CAIRN_EINVAL;
	if (r->cr4 & ~0x3fffffull || (r->cr4 & CR4_LA57))
		return -CAIRN_EINVAL;
	if (!canonical(r->rip) || (r->rflags >> 22) || !(r->rflags & 2))
		return -CAIRN_EINVAL;
	return 0;
}

static void seg_in(struct vmcb_seg *s, const struct cairn_segment *c)
{
	*s = (struct vmcb_seg){ (u16)c->selector, (u16)(c->attr & 0xfff), c->limit, c->base };
}

static int svm_vcpu_set_regs(struct vcpu *v, const struct cairn_vcpu_regs *r)
{
	struct vmcb *vm = v->vmcb;
	struct guest_gprs *g = &v->gprs;
	const u64 *x = r->gpr;
	int rc = regs_check(r);

	if (rc)
		return rc;
	*g = (struct guest_gprs){ .rbx = x[3], .rcx = x[1], .rdx = x[2], .rsi = x[6],
				  .rdi = x[7], .rbp = x[5], .r8 = x[8], .r9 = x[9],
				  .r10 = x[10], .r11 = x[11], .r12 = x[12], .r13 = x[13],
				  .r14 = x[14], .r15 = x[15] };
	vm->rax = x[0];
	vm->rsp = x[4];
	vm->rip = r->rip;
	vm->rflags = r->rflags;
	vm->cr0 = r->cr0;
	vm->cr3 = r->cr3;
	vm->cr4 = r->cr4;
	v->guest_efer = r->efer;
	vm->efer = r->efer | EFER_SVME;
	seg_in(&vm->es, &r->seg[CAIRN_SEG_ES]);
	seg_in(&vm->cs, &r->seg[CAIRN_SEG_CS]);
	seg_in(&vm->ss, &r->seg[CAIRN_SEG_SS]);
	seg_in(&vm->ds, &r->seg[CAIRN_SEG_DS]);
	seg_in(&vm->fs, &r->seg[CAIRN_SEG_FS]);
	seg_in(&vm->gs, &r->seg[CAIRN_SEG_GS]);
	seg_in(&vm->tr, &r->seg[CAIRN_SEG_TR]);
	seg_in(&vm->ldtr, &r->seg[CAIRN_SEG_LDTR]);
	vm->gdtr = (struct vmcb_seg){ 0, 0, r->gdtr_limit, r->gdtr_base };
	vm->idtr = (struct vmcb_seg){ 0, 0, r->idtr_limit, r->idtr_base };
	vm->cpl = (u8)((vm->ss.attrib >> 5) & 3);
	return 0;
}

/*
 * Runs domU vCPU V on this CPU (interrupts disabled, the scheduler's tick
 * armed) until an interrupt calls for a switch, it halts, or it dies.
 */
static enum vcpu_stop svm_vcpu_enter(struct vcpu *v)
{
	struct percpu *p = this_cpu();
	struct vmcb *vm = v->vmcb;

	vm->n_cr3 = v->dom->npt_root;
	vm->tlb_control = 1; /* another vCPU (same ASID) may have run here */
	for (;;) {
		enum exit_action a;

		svm_world_switch(&v->gprs, v->vmcb_pa, p->host_area_pa);
		vm->tlb_control = 0;
		vm->eventinj = (vm->exitintinfo & EVENTINJ_VALID) ? vm->exitintinfo : 0;
		a = handle_exit(v, vm);
		if (a == EXIT_FATAL)
			return VCPU_DEAD;
		if (a == EXIT_HALT)
			return VCPU_HALT;
		if (a == EXIT_PREEMPT && sched_preempt_due(v))
			return VCPU_PREEMPT;
	}
}

const struct hvm_ops svm_ops = {
	.name = "AMD SVM",
	.cpu_init = svm_cpu_init,
	.vcpu_init = svm_vcpu_init,
	.vcpu_run = svm_vcpu_run,
	.guest_paging = svm_guest_paging,
	.vcpu_create = svm_vcpu_create,
	.vcpu_set_regs = svm_vcpu_set_regs,
	.vcpu_enter = svm_vcpu_enter,
	.vcpu_free = svm_vcpu_free,
};

const struct hvm_ops *hvm = &svm_ops;

int hvm_cpu_init(struct percpu *p)
{
	return hvm->cpu_init(p);
}
