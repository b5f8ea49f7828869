/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot.S — multiboot2 header, the 32-bit entry from GRUB, the switch to long mode
 * and the higher half, and the AP trampoline image.
 *
 * Design: GRUB (BIOS or UEFI, boot services exited) enters mb2_entry32 in 32-bit
 * protected mode, paging off, EAX = magic, EBX = boot information. We build
 * static page tables: PML4[0] and PML4[256] both point to one PDPT of 512 1 GiB
 * pages (identity and direct map of the first 512 GiB), PML4[511] maps the image
 * at HV_VIRT_BASE with 2 MiB pages. Then long mode, a far jump into 64-bit code,
 * a jump to the higher half, and boot_main(magic, info_pa).
 */
#include "layout.h"

#define MB2_MAGIC    0xe85250d6
#define MB2_ARCH     0
#define PHYS(x)      ((x) - HV_VIRT_BASE)

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))
	/* Module alignment tag: modules on page boundaries. */
	.balign 8
	.short 6, 0
	.long 8
	/* End tag. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl mb2_entry32
mb2_entry32:
	cli
	cld
	movl %eax, %edi                 /* magic, kept in EDI for boot_main */
	movl %ebx, %esi                 /* info, kept in ESI */
	movl $PHYS(boot_stack_top), %esp

	/* Direct/identity PDPT: entry i maps i GiB with a 1 GiB page. */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $30, %eax
	orl $0x83, %eax                 /* P | W | PS */
	movl %eax, early_pdpt(,%ecx,8)
	movl %ecx, %eax
	shrl $2, %eax
	movl %eax, early_pdpt+4(,%ecx,8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b

	/* Image PD: entry i maps i * 2 MiB. */
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, early_pd_hi(,%ecx,8)
	incl %ecx
	cmpl $512, %ecx
	jne 2b

	movl $early_pdpt + 3, early_pml4
	movl $early_pdpt + 3, early_pml4 + 256 * 8
	movl $early_pdpt_hi + 3, early_pml4 + 511 * 8
	movl $early_pd_hi + 3, early_pdpt_hi + 510 * 8

	/* PAE + PGE, CR3, EFER.LME|NXE, then paging. */
	movl %cr4, %eax
	orl $0xa0, %eax
	movl %eax, %cr4
	movl $early_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x900, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax           /* PG | WP | PE */
	movl %eax, %cr0

	lgdt early_gdt_ptr
	ljmp $SEL_CODE64, $entry64_low

	.code64
entry64_low:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $entry64_high, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 4096
	.globl early_pml4
early_pml4:    .fill 512, 8, 0
early_pdpt:    .fill 512, 8, 0
early_pdpt_hi: .fill 512, 8, 0
early_pd_hi:   .fill 512, 8, 0

	.balign 16
	.globl early_gdt
early_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00cf9a000000ffff        /* 0x18: 32-bit code */
early_gdt_end:
early_gdt_ptr:
	.short early_gdt_end - early_gdt - 1
	.quad early_gdt

	.text
	.code64
entry64_high:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl %edi, %edi
	movl %esi, %esi
	call boot_main
3:	cli
	hlt
	jmp 3b

	.bss
	.balign 4096
	.globl boot_stack
boot_stack:
	.skip STACK_SIZE
boot_stack_top:

/*
 * The AP trampoline: copied to TRAMP_BASE. Real mode -> 32-bit -> long mode on
 * the early page tables, then a jump to tramp_entry with tramp_stack. The BSP
 * fills the variables at the end before each INIT-SIPI-SIPI.
 */
	.section .rodata
	.balign 16
	.globl tramp_start, tramp_end, tramp_vars
	.code16
tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdt_ptr - tramp_start
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $(TRAMP_BASE + tramp32 - tramp_start)

	.code32
tramp32:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $0xa0, %eax
	movl %eax, %cr4
	movl TRAMP_BASE + tramp_cr3 - tramp_start, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x900, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $(TRAMP_BASE + tramp64 - tramp_start)

	.code64
tramp64:
	movq TRAMP_BASE + tramp_stack - tramp_start, %rsp
	movq TRAMP_BASE + tramp_entry - tramp_start, %rax
	movl TRAMP_BASE + tramp_cpu - tramp_start, %edi
	xorl %ebp, %ebp
	jmp *%rax

	.balign 16
tramp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00cf9a000000ffff
tramp_gdt_ptr:
	.short tramp_gdt_ptr - tramp_gdt - 1
	.long TRAMP_BASE + tramp_gdt - tramp_start
	.balign 8
tramp_vars:
tramp_cr3:   .quad 0
tramp_stack: .quad 0
tramp_entry: .quad 0
tramp_cpu:   .long 0
tramp_end:

	.section .note.GNU-stack, "", @progbits
