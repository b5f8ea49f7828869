/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trap.c — per-CPU GDT/TSS/IDT, exception reports with a backtrace, and the
 * dispatch of interrupt vectors to their handlers.
 *
 * Design: the IDT is shared by all CPUs; each CPU has its own GDT and TSS
 * (IST1 = a separate stack for #DF, NMI and #MC). An exception in the
 * hypervisor is always fatal: the report names the vector, the error code, every
 * register and the frame-pointer chain, then the machine stops. Interrupt
 * vectors >= 32 go through irq_handlers[]; an unexpected one is logged once.
 */
#include "apic.h"
#include "cpu.h"
#include "percpu.h"
#include "trap.h"

struct idt_entry {
	u16 off0;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off1;
	u32 off2;
	u32 rsvd;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[256];
extern const u64 trap_stub_table[256];

struct percpu *cpus[MAX_CPUS];
unsigned nr_cpus;

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM no FPU", "#DF double fault",
	"coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
	"#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

static void idt_set(unsigned vec, u64 handler, u8 ist)
{
	idt[vec] = (struct idt_entry){
		.off0 = (u16)handler, .sel = SEL_CODE64, .ist = ist, .type = 0x8e,
		.off1 = (u16)(handler >> 16), .off2 = (u32)(handler >> 32),
	};
}

static void idt_build(void)
{
	static bool done;

	if (done)
		return;
	for (unsigned v = 0; v < 256; v++)
		idt_set(v, trap_stub_table[v], (v == 2 || v == 8 || v == 18) ? 1 : 0);
	done = true;
}

struct percpu *percpu_alloc(u32 index, u32 apic_id)
{
	struct percpu *p = kzalloc(sizeof(*p));
	u64 stack = page_alloc(2), ist = page_alloc(1);

	if (!p || !stack || !ist)
		panic("percpu_alloc: out of memory for CPU %u", index);
	p->self = p;
	p->index = index;
	p->apic_id = apic_id;
	p->stack_top = (u64)va(stack) + STACK_SIZE;
	p->tss.ist[0] = (u64)va(ist) + 2 * PAGE_SIZE;
	p->tss.iomap_base = sizeof(struct tss64);
	cpus[index] = p;
	return p;
}

/* Loads P's GDT (with its TSS), the shared IDT and GS base = P. */
void cpu_tables_init(struct percpu *p)
{
	u64 tss = (u64)&p->tss;
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) gdtr = { sizeof(p->gdt) - 1, (u64)p->gdt },
				  idtr = { sizeof(idt) - 1, (u64)idt };

	idt_build();
	p->gdt[0] = 0;
	p->gdt[SEL_CODE64 / 8] = 0x00af9a000000ffffull;
	p->gdt[SEL_DATA / 8] = 0x00cf92000000ffffull;
	p->gdt[SEL_CODE32 / 8] = 0x00cf9a000000ffffull;
	p->gdt[SEL_TSS / 8] = (sizeof(struct tss64) - 1) | (tss & 0xffffff) << 16 |
			      0x89ull << 40 | ((tss >> 24) & 0xff) << 56;
	p->gdt[SEL_TSS / 8 + 1] = tss >> 32;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w3\n\t"
			 "lidt %4"
			 :
			 : "m"(gdtr), "i"((u64)SEL_CODE64), "i"(SEL_DATA), "r"(SEL_TSS), "m"(idtr)
			 : "rax", "memory");
	wrmsr(MSR_GS_BASE, (u64)p);
}

static bool hv_text(u64 a)
{
	extern char __text_start[];

	return a >= (u64)__text_start && a < (u64)__hv_end;
}

void backtrace(u64 rbp)
{
	printk(LOG_ERR, "backtrace:");
	for (int depth = 0; depth < 16 && rbp >= HV_VIRT_BASE - (1ull << 39) && !(rbp & 7);
	     depth++) {
		u64 *fp = (u64 *)rbp;
		u64 ret = fp[1];

		if (!ret)
			break;
		printk(LOG_ERR, "  [%d] %#llx%s", depth, (unsigned long long)ret,
		       hv_text(ret) ? "" : " (not hypervisor text)");
		if (fp[0] <= rbp)
			break;
		rbp = fp[0];
	}
}

static void exception_report(struct trap_frame *f)
{
	struct percpu *p = this_cpu();

	printk(LOG_ERR, "EXCEPTION %s (vector %llu) error %#llx on CPU %u",
	       exc_names[f->vector & 31], (unsigned long long)f->vector,
	       (unsigned long long)f->error, p ? p->index : 0);
	printk(LOG_ERR, "RIP %#018llx CS %#llx RFLAGS %#llx RSP %#018llx SS %#llx",
	       (unsigned long long)f->rip, (unsigned long long)f->cs,
	       (unsigned long long)f->rflags, (unsigned long long)f->rsp,
	       (unsigned long long)f->ss);
	printk(LOG_ERR, "RAX %016llx RBX %016llx RCX %016llx RDX %016llx",
	       (unsigned long long)f->rax, (unsigned long long)f->rbx,
	       (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	printk(LOG_ERR, "RSI %016llx RDI %016llx RBP %016llx R8  %016llx",
	       (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	       (unsigned long long)f->rbp, (unsigned long long)f->r8);
	printk(LOG_ERR, "R9  %016llx R10 %016llx R11 %016llx R12 %016llx",
	       (unsigned long long)f->r9, (unsigned long long)f->r10,
	       (unsigned long long)f->r11, (unsigned long long)f->r12);
	printk(LOG_ERR, "R13 %016llx R14 %016llx R15 %016llx CR2 %016llx",
	       (unsigned long long)f->r13, (unsigned long long)f->r14,
	       (unsigned long long)f->r15, (unsigned long long)read_cr2());
	printk(LOG_ERR, "CR0 %#llx CR3 %#llx CR4 %#llx",
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr3(),
	       (unsigned long long)read_cr4());
	printk(LOG_ERR, "  [-] %#llx (faulting instruction)", (unsigned long long)f->rip);
	backtrace(f->rbp);
}

void irq_set_handler(unsigned vec, irq_handler_t h)
{
	irq_handlers[vec & 0xff] = h;
}

void trap_dispatch(struct trap_frame *f)
{
	unsigned vec = (unsigned)f->vector;

	if (vec == 2) {
		/*
		 * dom0 owns its local APIC and may send NMIs to "all but self",
		 * which reaches the hypervisor's CPUs: noted, not fatal.
		 */
		pr_warn("NMI on CPU %u ignored", this_cpu()->index);
		return;
	}
	if (vec < 32) {
		exception_report(f);
		panic("unhandled %s in the hypervisor", exc_names[vec]);
	}
	if (irq_handlers[vec]) {
		irq_handlers[vec](f);
	} else if (vec != VEC_SPURIOUS) {
		pr_warn("unexpected interrupt vector %#x on CPU %u", vec, this_cpu()->index);
	}
	if (vec != VEC_SPURIOUS)
		lapic_eoi();
}

/* Stops every other hypervisor-owned CPU (not dom0's: it is running dom0). */
void cpu_stop_all(void)
{
	struct percpu *me = nr_cpus ? this_cpu() : NULL;

	for (unsigned i = 0; i < nr_cpus; i++) {
		struct percpu *p = cpus[i];

		if (p && p != me && p->online && !p->dom0)
			lapic_send_ipi(p->apic_id, VEC_STOP);
	}
}
