/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of x86_decode. Every encoding below was produced by GNU as
 * (binutils 2.40) and is shown with objdump's reading of it, including the
 * forms Linux's readl/writel (mov (%rdi),%eax / mov %esi,(%rdi)), ioread8/16
 * (movzbl/movzwl) and native_apic_mem_write/read (mov/xchg to an absolute
 * fixmap address) compile to.
 */
#include "unit.h"

#include "../x86_decode.h"

#include <stdint.h>
#include <string.h>

#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static struct x86_regs R;

/* gpr[i] = (i + 1) << 20: rax 0x100000, rcx 0x200000, ..., rdi 0x800000. */
static void regs_reset(void)
{
	int i;

	memset(&R, 0, sizeof(R));
	for (i = 0; i < 16; i++)
		R.gpr[i] = (uint64_t)(i + 1) << 20;
	R.rip = 0xffffffff81001000ull;
	R.seg_base[X86_FS] = 0x7f0000000000ull;
	R.seg_base[X86_GS] = 0xffff888100000000ull;
}

static int dec64(const uint8_t *b, size_t n, struct x86_insn *in)
{
	regs_reset();
	return x86_decode(b, n, X86_MODE_64, &R, in);
}

static int dec32(const uint8_t *b, size_t n, struct x86_insn *in)
{
	return x86_decode(b, n, X86_MODE_32, &R, in);
}

/* --- Linux MMIO accessors ---------------------------------------------------- */

TEST(readl)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0x8b, 0x07), &in), 2); /* mov (%rdi),%eax */
	CHECK_EQ(in.op, X86_OP_MOV);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ(in.mem_size, 4);
	CHECK_EQ(in.reg, X86_RAX);
	CHECK_EQ(in.reg_size, 4);
	CHECK(in.has_mem);
	CHECK_EQ_HEX(in.ea, 0x800000);
	CHECK_EQ_HEX(in.linear, 0x800000);
	/* mov 0x300(%rdi),%eax */
	CHECK_EQ(dec64(BYTES(0x8b, 0x87, 0x00, 0x03, 0x00, 0x00), &in), 6);
	CHECK_EQ_HEX(in.ea, 0x800300);
	CHECK_EQ(in.disp_size, 4);
}

TEST(writel)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0x89, 0x37), &in), 2); /* mov %esi,(%rdi) */
	CHECK_EQ(in.op, X86_OP_MOV);
	CHECK_EQ(in.dir, X86_DIR_WRITE);
	CHECK_EQ(in.reg, X86_RSI);
	CHECK_EQ(in.mem_size, 4);
	CHECK_EQ_HEX(in.ea, 0x800000);
	R.gpr[X86_RSI] = 0x1122334455667788ull;
	CHECK_EQ_HEX(x86_reg_value(&R, in.reg, in.reg_size, in.reg_high8), 0x55667788);
	/* mov %esi,0x300(%rdi) */
	CHECK_EQ(dec64(BYTES(0x89, 0xb7, 0x00, 0x03, 0x00, 0x00), &in), 6);
	CHECK_EQ_HEX(in.ea, 0x800300);
}

TEST(apic_mem_write_and_read)
{
	struct x86_insn in;

	/* mov %esi,0xffffffffff5fc0b0: SIB with neither base nor index */
	CHECK_EQ(dec64(BYTES(0x89, 0x34, 0x25, 0xb0, 0xc0, 0x5f, 0xff), &in), 7);
	CHECK_EQ(in.op, X86_OP_MOV);
	CHECK_EQ(in.dir, X86_DIR_WRITE);
	CHECK(in.has_sib);
	CHECK_EQ_HEX(in.ea, 0xffffffffff5fc0b0ull);
	/* xchg %esi,0xffffffffff5fc0b0 (the X86_BUG_11AP variant) */
	CHECK_EQ(dec64(BYTES(0x87, 0x34, 0x25, 0xb0, 0xc0, 0x5f, 0xff), &in), 7);
	CHECK_EQ(in.op, X86_OP_XCHG);
	CHECK_EQ(in.dir, X86_DIR_RMW);
	CHECK_EQ(in.reg, X86_RSI);
	CHECK_EQ_HEX(in.ea, 0xffffffffff5fc0b0ull);
	/* mov 0xffffffffff5fc020,%eax */
	CHECK_EQ(dec64(BYTES(0x8b, 0x04, 0x25, 0x20, 0xc0, 0x5f, 0xff), &in), 7);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ_HEX(in.ea, 0xffffffffff5fc020ull);
}

TEST(readb_readw_movzx)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0x0f, 0xb6, 0x07), &in), 3); /* movzbl (%rdi),%eax */
	CHECK_EQ(in.op, X86_OP_MOVZX);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ(in.mem_size, 1);
	CHECK_EQ(in.reg_size, 4);
	CHECK_EQ(in.reg, X86_RAX);
	CHECK_EQ(dec64(BYTES(0x0f, 0xb7, 0x47, 0x10), &in), 4); /* movzwl 0x10(%rdi),%eax */
	CHECK_EQ(in.mem_size, 2);
	CHECK_EQ_HEX(in.ea, 0x800010);
}

TEST(writeb_writew_and_64_bit)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0x88, 0x17), &in), 2); /* mov %dl,(%rdi) */
	CHECK_EQ(in.mem_size, 1);
	CHECK_EQ(in.reg, X86_RDX);
	CHECK(!in.reg_high8);
	CHECK_EQ(dec64(BYTES(0x66, 0x89, 0x37), &in), 3); /* mov %si,(%rdi) */
	CHECK_EQ(in.mem_size, 2);
	CHECK_EQ(in.op_size, 2);
	CHECK_EQ(dec64(BYTES(0x48, 0x8b, 0x07), &in), 3); /* mov (%rdi),%rax */
	CHECK_EQ(in.mem_size, 8);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ(dec64(BYTES(0x48, 0x89, 0x37), &in), 3); /* mov %rsi,(%rdi) */
	CHECK_EQ(in.mem_size, 8);
	CHECK_EQ(in.dir, X86_DIR_WRITE);
}

/* --- Registers and addressing ----------------------------------------------- */

TEST(rex_extended_registers_and_sib)
{
	struct x86_insn in;

	/* mov %r9,0x8(%r12,%r13,4) */
	CHECK_EQ(dec64(BYTES(0x4f, 0x89, 0x4c, 0xac, 0x08), &in), 5);
	CHECK_EQ(in.reg, X86_R9);
	CHECK_EQ(in.mem_size, 8);
	CHECK_EQ_HEX(in.ea, (13ull << 20) + (14ull << 20) * 4 + 8);
	/* mov 0x0(%r13),%eax: r13 as base needs a displacement */
	CHECK_EQ(dec64(BYTES(0x41, 0x8b, 0x45, 0x00), &in), 4);
	CHECK_EQ_HEX(in.ea, 14ull << 20);
	CHECK_EQ(in.seg, X86_DS);
	/* mov (%r12),%eax: r12 as base needs a SIB */
	CHECK_EQ(dec64(BYTES(0x41, 0x8b, 0x04, 0x24), &in), 4);
	CHECK_EQ_HEX(in.ea, 13ull << 20);
	/* mov 0x0(,%rbx,8),%eax: index without base */
	CHECK_EQ(dec64(BYTES(0x8b, 0x04, 0xdd, 0x00, 0x00, 0x00, 0x00), &in), 7);
	CHECK_EQ_HEX(in.ea, (4ull << 20) * 8);
}

TEST(byte_registers)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0x88, 0x23), &in), 2); /* mov %ah,(%rbx) */
	CHECK_EQ(in.reg, 4);
	CHECK(in.reg_high8);
	R.gpr[X86_RAX] = 0xabcd;
	CHECK_EQ_HEX(x86_reg_value(&R, in.reg, in.reg_size, in.reg_high8), 0xab);
	CHECK_EQ(dec64(BYTES(0x40, 0x8a, 0x33), &in), 3); /* mov (%rbx),%sil */
	CHECK_EQ(in.reg, X86_RSI);
	CHECK(!in.reg_high8);
	CHECK_EQ(in.dir, X86_DIR_READ);
}

TEST(stack_and_frame_bases_use_ss)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0x8b, 0x04, 0x24), &in), 3); /* mov (%rsp),%eax */
	CHECK_EQ(in.seg, X86_SS);
	CHECK_EQ_HEX(in.ea, 5ull << 20);
	CHECK_EQ(dec64(BYTES(0x8b, 0x45, 0x08), &in), 3); /* mov 0x8(%rbp),%eax */
	CHECK_EQ(in.seg, X86_SS);
	CHECK_EQ_HEX(in.ea, (6ull << 20) + 8);
}

TEST(rip_relative)
{
	struct x86_insn in;

	/* mov 0x20(%rip),%eax */
	CHECK_EQ(dec64(BYTES(0x8b, 0x05, 0x20, 0x00, 0x00, 0x00), &in), 6);
	CHECK(in.rip_relative);
	CHECK_EQ_HEX(in.ea, 0xffffffff81001000ull + 6 + 0x20);
	/* mov -0x10(%rip),%eax: negative displacement */
	CHECK_EQ(dec64(BYTES(0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff), &in), 6);
	CHECK_EQ_HEX(in.ea, 0xffffffff81001000ull + 6 - 0x10);
}

TEST(segment_override_and_address_size)
{
	struct x86_insn in;

	/* mov %eax,%fs:0x10 */
	CHECK_EQ(dec64(BYTES(0x64, 0x89, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00), &in), 8);
	CHECK_EQ(in.seg, X86_FS);
	CHECK_EQ_HEX(in.ea, 0x10);
	CHECK_EQ_HEX(in.linear, 0x7f0000000010ull);
	/* mov (%eax),%ecx with 67: the address wraps at 32 bits */
	regs_reset();
	R.gpr[X86_RAX] = 0x100000010ull;
	CHECK_EQ(x86_decode(BYTES(0x67, 0x8b, 0x08), X86_MODE_64, &R, &in), 3);
	CHECK_EQ(in.addr_size, 4);
	CHECK_EQ_HEX(in.ea, 0x10);
	CHECK_EQ(in.reg, X86_RCX);
}

TEST(mov_immediate)
{
	struct x86_insn in;

	/* movl $0x12345678,0x10(%rax) */
	CHECK_EQ(dec64(BYTES(0xc7, 0x40, 0x10, 0x78, 0x56, 0x34, 0x12), &in), 7);
	CHECK_EQ(in.op, X86_OP_MOV);
	CHECK_EQ(in.dir, X86_DIR_WRITE);
	CHECK_EQ(in.reg, -1);
	CHECK(in.has_imm_operand);
	CHECK_EQ_HEX(in.imm_operand, 0x12345678);
	CHECK_EQ(in.mem_size, 4);
	CHECK_EQ_HEX(in.ea, 0x100010);
	/* movq $-2,(%rax): imm32 sign-extended to 64 bits */
	CHECK_EQ(dec64(BYTES(0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff), &in), 7);
	CHECK_EQ(in.mem_size, 8);
	CHECK_EQ(in.imm_operand, -2);
	/* movb $0x80,(%rax) */
	CHECK_EQ(dec64(BYTES(0xc6, 0x00, 0x80), &in), 3);
	CHECK_EQ(in.mem_size, 1);
	CHECK_EQ_HEX((uint8_t)in.imm_operand, 0x80);
	/* movw $0xfffe,(%rax) */
	CHECK_EQ(dec64(BYTES(0x66, 0xc7, 0x00, 0xfe, 0xff), &in), 5);
	CHECK_EQ(in.mem_size, 2);
	CHECK_EQ(in.imm_size, 2);
	CHECK_EQ(in.imm_operand, -2);
}

TEST(movsx_and_movsxd)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0x48, 0x0f, 0xbe, 0x47, 0xff), &in), 5); /* movsbq -1(%rdi),%rax */
	CHECK_EQ(in.op, X86_OP_MOVSX);
	CHECK_EQ(in.mem_size, 1);
	CHECK_EQ(in.reg_size, 8);
	CHECK_EQ_HEX(in.ea, 0x800000 - 1);
	CHECK_EQ(dec64(BYTES(0x0f, 0xbf, 0x0f), &in), 3); /* movswl (%rdi),%ecx */
	CHECK_EQ(in.mem_size, 2);
	CHECK_EQ(in.reg, X86_RCX);
	CHECK_EQ(dec64(BYTES(0x48, 0x63, 0x17), &in), 3); /* movslq (%rdi),%rdx */
	CHECK_EQ(in.op, X86_OP_MOVSX);
	CHECK_EQ(in.mem_size, 4);
	CHECK_EQ(in.reg_size, 8);
}

TEST(mov_moffs)
{
	struct x86_insn in;

	/* movabs 0x1122334455667788,%eax */
	CHECK_EQ(dec64(BYTES(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), &in), 9);
	CHECK_EQ(in.op, X86_OP_MOV);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ(in.reg, X86_RAX);
	CHECK_EQ(in.mem_size, 4);
	CHECK_EQ_HEX(in.ea, 0x1122334455667788ull);
	/* movabs %al,0x1122334455667788 */
	CHECK_EQ(dec64(BYTES(0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), &in), 9);
	CHECK_EQ(in.dir, X86_DIR_WRITE);
	CHECK_EQ(in.mem_size, 1);
	/* 32-bit mode: a 4-byte offset (mov 0x12345678,%eax) */
	CHECK_EQ(dec32(BYTES(0xa1, 0x78, 0x56, 0x34, 0x12), &in), 5);
	CHECK_EQ_HEX(in.ea, 0x12345678);
}

TEST(string_instructions)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0xf3, 0xaa), &in), 2); /* rep stos %al,%es:(%rdi) */
	CHECK_EQ(in.op, X86_OP_STOS);
	CHECK_EQ(in.dir, X86_DIR_WRITE);
	CHECK(in.rep);
	CHECK_EQ(in.mem_size, 1);
	CHECK_EQ(in.reg, X86_RAX);
	CHECK_EQ(in.seg, X86_ES);
	CHECK_EQ_HEX(in.ea, 0x800000);
	CHECK_EQ(dec64(BYTES(0xf3, 0x48, 0xab), &in), 3); /* rep stos %rax,%es:(%rdi) */
	CHECK_EQ(in.mem_size, 8);
	CHECK_EQ(dec64(BYTES(0xa5), &in), 1); /* movsl %ds:(%rsi),%es:(%rdi) */
	CHECK_EQ(in.op, X86_OP_MOVS);
	CHECK_EQ(in.dir, X86_DIR_COPY);
	CHECK(!in.rep);
	CHECK_EQ(in.mem_size, 4);
	CHECK_EQ_HEX(in.ea, 0x800000);
	CHECK_EQ_HEX(in.ea_src, 0x700000);
	CHECK_EQ(dec64(BYTES(0xf3, 0xa4), &in), 2); /* rep movsb */
	CHECK(in.rep);
	CHECK_EQ(in.mem_size, 1);
	/* fs: override applies to the source only */
	CHECK_EQ(dec64(BYTES(0x64, 0xa4), &in), 2);
	CHECK_EQ_HEX(in.linear_src, 0x7f0000000000ull + 0x700000);
	CHECK_EQ_HEX(in.linear, 0x800000);
}

TEST(alu_with_memory)
{
	struct x86_insn in;

	/* andl $0xfffffffe,0x300(%rdx) */
	CHECK_EQ(dec64(BYTES(0x83, 0xa2, 0x00, 0x03, 0x00, 0x00, 0xfe), &in), 7);
	CHECK_EQ(in.op, X86_OP_AND);
	CHECK_EQ(in.dir, X86_DIR_RMW);
	CHECK_EQ(in.mem_size, 4);
	CHECK_EQ(in.imm_operand, -2);
	CHECK_EQ_HEX(in.ea, 0x300300);
	CHECK_EQ(dec64(BYTES(0x66, 0x81, 0x0a, 0x00, 0x01), &in), 5); /* orw $0x100,(%rdx) */
	CHECK_EQ(in.op, X86_OP_OR);
	CHECK_EQ(in.mem_size, 2);
	CHECK_EQ(in.imm_operand, 0x100);
	CHECK_EQ(dec64(BYTES(0x30, 0x02), &in), 2); /* xor %al,(%rdx) */
	CHECK_EQ(in.op, X86_OP_XOR);
	CHECK_EQ(in.dir, X86_DIR_RMW);
	CHECK_EQ(in.reg, X86_RAX);
	CHECK_EQ(in.mem_size, 1);
	CHECK_EQ(dec64(BYTES(0x48, 0x83, 0x02, 0xf8), &in), 4); /* addq $-8,(%rdx) */
	CHECK_EQ(in.op, X86_OP_ADD);
	CHECK_EQ(in.mem_size, 8);
	CHECK_EQ(in.imm_operand, -8);
	CHECK_EQ(dec64(BYTES(0x2b, 0x0a), &in), 2); /* sub (%rdx),%ecx */
	CHECK_EQ(in.op, X86_OP_SUB);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ(in.reg, X86_RCX);
	CHECK_EQ(dec64(BYTES(0x83, 0x3a, 0x05), &in), 3); /* cmpl $5,(%rdx) */
	CHECK_EQ(in.op, X86_OP_CMP);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ(in.imm_operand, 5);
	CHECK_EQ(dec64(BYTES(0x85, 0x02), &in), 2); /* test %eax,(%rdx) */
	CHECK_EQ(in.op, X86_OP_TEST);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ(dec64(BYTES(0xf6, 0x42, 0x04, 0x80), &in), 4); /* testb $0x80,4(%rdx) */
	CHECK_EQ(in.op, X86_OP_TEST);
	CHECK_EQ(in.mem_size, 1);
	CHECK_EQ_HEX((uint8_t)in.imm_operand, 0x80);
}

TEST(bit_test_instructions)
{
	struct x86_insn in;

	/* lock bts %eax,(%rdi) with eax = 100: dword 3, bit 4 */
	regs_reset();
	R.gpr[X86_RAX] = 100;
	CHECK_EQ(x86_decode(BYTES(0xf0, 0x0f, 0xab, 0x07), X86_MODE_64, &R, &in), 4);
	CHECK_EQ(in.op, X86_OP_BTS);
	CHECK_EQ(in.dir, X86_DIR_RMW);
	CHECK(in.prefixes & X86_PFX_LOCK);
	CHECK_EQ_HEX(in.ea, 0x800000 + 12);
	CHECK_EQ(in.bit, 4);
	/* btr %rcx,-8(%rdi) with rcx = -1: the qword before, bit 63 */
	regs_reset();
	R.gpr[X86_RCX] = (uint64_t)-1;
	CHECK_EQ(x86_decode(BYTES(0x48, 0x0f, 0xb3, 0x4f, 0xf8), X86_MODE_64, &R, &in), 5);
	CHECK_EQ(in.op, X86_OP_BTR);
	CHECK_EQ_HEX(in.ea, 0x800000 - 16);
	CHECK_EQ(in.bit, 63);
	/* btl $33,(%rdi): the immediate is taken modulo 32 */
	CHECK_EQ(dec64(BYTES(0x0f, 0xba, 0x27, 0x21), &in), 4);
	CHECK_EQ(in.op, X86_OP_BT);
	CHECK_EQ(in.dir, X86_DIR_READ);
	CHECK_EQ(in.bit, 1);
	CHECK_EQ_HEX(in.ea, 0x800000);
}

TEST(register_forms_are_not_memory_accesses)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0x89, 0xc1), &in), 2); /* mov %eax,%ecx */
	CHECK(!in.has_mem);
	CHECK_EQ(in.op, X86_OP_OTHER);
	CHECK_EQ(in.reg, -1);
}

TEST(no_register_file_means_no_address)
{
	struct x86_insn in;

	CHECK_EQ(x86_decode(BYTES(0x8b, 0x87, 0x00, 0x03, 0x00, 0x00), X86_MODE_64, NULL, &in), 6);
	CHECK_EQ(in.op, X86_OP_MOV);
	CHECK_EQ_HEX(in.ea, 0);
	CHECK_EQ(in.disp, 0x300);
}

/* --- Lengths of the exits the hypervisor skips ---------------------------------- */

TEST(lengths_of_intercepted_instructions)
{
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x01, 0xd9), X86_MODE_64), 3); /* vmmcall */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x01, 0xc1), X86_MODE_64), 3); /* vmcall */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0xa2), X86_MODE_64), 2);       /* cpuid */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x32), X86_MODE_64), 2);       /* rdmsr */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x30), X86_MODE_64), 2);       /* wrmsr */
	CHECK_EQ(x86_insn_length(BYTES(0xf4), X86_MODE_64), 1);             /* hlt */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x01, 0xd1), X86_MODE_64), 3); /* xsetbv */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x01, 0xf9), X86_MODE_64), 3); /* rdtscp */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x22, 0xd8), X86_MODE_64), 3); /* mov %rax,%cr3 */
	/* MOV CR ignores ModRM.mod: 0f 20 05 is mov %cr0,%rbp, no displacement */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x20, 0x05, 0xff, 0xff, 0xff, 0xff), X86_MODE_64), 3);
	CHECK_EQ(x86_insn_length(BYTES(0xe6, 0x80), X86_MODE_64), 2);       /* out %al,$0x80 */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x0b), X86_MODE_64), 2);       /* ud2 */
}

TEST(lengths_of_other_encodings)
{
	/* movabs $0x1122334455667788,%r11 */
	CHECK_EQ(x86_insn_length(BYTES(0x49, 0xbb, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22,
					0x11), X86_MODE_64), 10);
	CHECK_EQ(x86_insn_length(BYTES(0xc8, 0x10, 0x00, 0x01), X86_MODE_64), 4); /* enter */
	/* vmovdqu %ymm0,(%r8) (VEX) and vmovdqa64 0x1(%r11),%zmm6 (EVEX) */
	CHECK_EQ(x86_insn_length(BYTES(0xc4, 0xc1, 0x7e, 0x7f, 0x00), X86_MODE_64), 5);
	CHECK_EQ(x86_insn_length(BYTES(0x62, 0xd1, 0xfd, 0x48, 0x6f, 0xb3, 0x01, 0x00, 0x00,
					0x00), X86_MODE_64), 10);
	/* XOP: vprotb $1,%xmm1,%xmm2 (map 8), bextr $0x1234,%eax,%ecx (map A) */
	CHECK_EQ(x86_insn_length(BYTES(0x8f, 0xe8, 0x78, 0xc0, 0xd1, 0x01), X86_MODE_64), 6);
	CHECK_EQ(x86_insn_length(BYTES(0x8f, 0xea, 0x78, 0x10, 0xc8, 0x34, 0x12, 0x00, 0x00),
				 X86_MODE_64), 9);
	CHECK_EQ(x86_insn_length(BYTES(0x8f, 0x40, 0x08), X86_MODE_64), 3); /* popq 8(%rax) */
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x0f, 0xc1, 0x0d), X86_MODE_64), 4); /* pi2fd */
	/* a REX followed by a legacy prefix is void: 48 66 89 37 is mov %si,(%rdi) */
	{
		struct x86_insn in;

		CHECK_EQ(x86_decode(BYTES(0x48, 0x66, 0x89, 0x37), X86_MODE_64, NULL, &in), 4);
		CHECK_EQ(in.op_size, 2);
		CHECK_EQ(in.rex, 0);
	}
}

TEST(vex_and_evex_addresses_use_their_register_extensions)
{
	struct x86_insn in;

	CHECK_EQ(dec64(BYTES(0xc4, 0xc1, 0x7e, 0x7f, 0x00), &in), 5); /* vmovdqu %ymm0,(%r8) */
	CHECK(in.has_mem);
	CHECK_EQ(in.op, X86_OP_OTHER);
	CHECK_EQ_HEX(in.ea, 9ull << 20);
	CHECK_EQ(dec64(BYTES(0x62, 0xd1, 0xfd, 0x48, 0x6f, 0xb3, 0x01, 0x00, 0x00, 0x00), &in),
		 10);
	CHECK_EQ_HEX(in.ea, (12ull << 20) + 1);
}

/* --- 32-bit mode ---------------------------------------------------------------- */

TEST(mode32_basics)
{
	struct x86_insn in;

	regs_reset();
	R.seg_base[X86_DS] = 0x10000;
	CHECK_EQ(dec32(BYTES(0x89, 0x43, 0x10), &in), 3); /* mov %eax,0x10(%ebx) */
	CHECK_EQ(in.op_size, 4);
	CHECK_EQ(in.addr_size, 4);
	CHECK_EQ_HEX(in.ea, 0x400010);
	CHECK_EQ_HEX(in.linear, 0x410010);
	CHECK_EQ(x86_insn_length(BYTES(0x40), X86_MODE_32), 1);   /* inc %eax, not REX */
	CHECK_EQ(x86_insn_length(BYTES(0x06), X86_MODE_32), 1);   /* push %es */
	CHECK_EQ(x86_insn_length(BYTES(0x9a, 0x78, 0x56, 0x34, 0x12, 0x10, 0x00), X86_MODE_32), 7);
	CHECK_EQ(x86_insn_length(BYTES(0xd4, 0x0a), X86_MODE_32), 2); /* aam */
	/* c4 with ModRM.mod != 3 is LES in 32-bit mode: les (%eax),%eax */
	CHECK_EQ(x86_insn_length(BYTES(0xc4, 0x00), X86_MODE_32), 2);
	/* 66 e9 rel16 in 32-bit mode */
	CHECK_EQ(x86_insn_length(BYTES(0x66, 0xe9, 0x00, 0x01), X86_MODE_32), 4);
}

TEST(mode32_16_bit_addressing)
{
	struct x86_insn in;

	regs_reset();
	R.gpr[X86_RBX] = 0x1234ff00;
	R.gpr[X86_RSI] = 0x0200;
	CHECK_EQ(dec32(BYTES(0x67, 0x89, 0x00), &in), 3); /* mov %eax,(%bx,%si) */
	CHECK_EQ(in.addr_size, 2);
	CHECK_EQ_HEX(in.ea, 0x0100); /* 0xff00 + 0x200 wraps at 16 bits */
	CHECK_EQ(in.seg, X86_DS);
	/* mov 0x12(%bp,%di),%cx: SS by default */
	CHECK_EQ(dec32(BYTES(0x67, 0x66, 0x8b, 0x4b, 0x12), &in), 5);
	CHECK_EQ(in.seg, X86_SS);
	CHECK_EQ(in.mem_size, 2);
	CHECK_EQ_HEX(in.ea, ((6u << 20) + (8u << 20) + 0x12) & 0xffff);
}

/* --- Errors ------------------------------------------------------------------------ */

TEST(every_truncation_asks_for_more)
{
	static const uint8_t insn[] = {0x64, 0x48, 0xc7, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12,
				       0xef, 0xbe, 0xad, 0xde}; /* movq $..,%fs:0x12345678(%rax,%rcx,4) */
	size_t k;

	CHECK_EQ(x86_insn_length(insn, sizeof(insn), X86_MODE_64), 13);
	for (k = 0; k < sizeof(insn); k++)
		CHECK_EQ(x86_insn_length(insn, k, X86_MODE_64), -X86_ETRUNC);
}

TEST(fifteen_bytes_at_most)
{
	uint8_t b[16];

	memset(b, 0x66, sizeof(b));
	b[14] = 0x90;
	CHECK_EQ(x86_insn_length(b, 16, X86_MODE_64), 15);
	b[14] = 0x66;
	b[15] = 0x90;
	CHECK_EQ(x86_insn_length(b, 16, X86_MODE_64), -X86_EINVAL);
	/* the limit also applies to immediates: 11 prefixes + mov $imm32,(%rax) */
	memset(b, 0x2e, 11);
	b[11] = 0xc7;
	b[12] = 0x00;
	CHECK_EQ(x86_insn_length(b, 16, X86_MODE_64), -X86_EINVAL);
}

TEST(invalid_in_64_bit_mode)
{
	static const uint8_t ops[] = {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37,
				      0x3f, 0x60, 0x61, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea};
	uint8_t b[8] = {0};
	size_t i;

	for (i = 0; i < sizeof(ops); i++) {
		b[0] = ops[i];
		CHECK_EQ(x86_insn_length(b, sizeof(b), X86_MODE_64), -X86_EINVAL);
	}
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0x04), X86_MODE_64), -X86_EINVAL);
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0xff, 0x00), X86_MODE_64), 3); /* ud0 is an insn */
}

TEST(rejects_what_it_cannot_be_sure_of)
{
	/* 66 e8 rel: rel16 on AMD, rel32 on Intel in 64-bit mode */
	CHECK_EQ(x86_insn_length(BYTES(0x66, 0xe8, 0, 0, 0, 0), X86_MODE_64), -X86_EUNSUPP);
	CHECK_EQ(x86_insn_length(BYTES(0x66, 0x0f, 0x84, 0, 0, 0, 0), X86_MODE_64), -X86_EUNSUPP);
	/* VEX after 66 or REX is #UD */
	CHECK_EQ(x86_insn_length(BYTES(0x66, 0xc5, 0xf8, 0x77), X86_MODE_64), -X86_EINVAL);
	CHECK_EQ(x86_insn_length(BYTES(0x48, 0xc5, 0xf8, 0x77), X86_MODE_64), -X86_EINVAL);
	/* undefined group members */
	CHECK_EQ(x86_insn_length(BYTES(0xc7, 0x08, 0, 0, 0, 0), X86_MODE_64), -X86_EINVAL);
	CHECK_EQ(x86_insn_length(BYTES(0x0f, 0xba, 0x07, 0x01), X86_MODE_64), -X86_EINVAL);
	/* bad mode, no bytes */
	CHECK_EQ(x86_insn_length(BYTES(0x90), (enum x86_mode)0), -X86_EINVAL);
	CHECK_EQ(x86_insn_length(NULL, 0, X86_MODE_64), -X86_EINVAL);
	/* invalid VEX/EVEX maps */
	CHECK_EQ(x86_insn_length(BYTES(0xc4, 0xe4, 0x7d, 0x10, 0xc0), X86_MODE_64), -X86_EINVAL);
	CHECK_EQ(x86_insn_length(BYTES(0x62, 0xf4, 0x7d, 0x48, 0x10, 0xc0), X86_MODE_64),
		 -X86_EINVAL);
}

TEST(xabort_and_xbegin_are_valid)
{
	CHECK_EQ(x86_insn_length(BYTES(0xc6, 0xf8, 0x01), X86_MODE_64), 3);
	CHECK_EQ(x86_insn_length(BYTES(0xc7, 0xf8, 0x00, 0x01, 0x00, 0x00), X86_MODE_64), 6);
}
