/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86_decode.h — x86 instruction decoder for exits without decode assists.
 *
 * QEMU's SVM has neither NRIP save nor decode assists, so the hypervisor needs
 * (1) the length of any instruction it must skip and (2) for the memory
 * accesses it emulates (MMIO), what the instruction does: operation, operand
 * size, register or immediate operand, and the effective address. x86_decode()
 * gives both from the instruction's bytes (at most 15, fetched by the caller)
 * and a register file.
 *
 * Covered: legacy prefixes (66, 67, F0, F2, F3, segment overrides), REX, the
 * one-byte map, 0F, 0F 38, 0F 3A, 3DNow!, VEX (C4/C5), EVEX (62) and XOP (8F)
 * prefixes, ModRM/SIB/displacement/immediate, RIP-relative addressing, in
 * 64-bit mode and in 32-bit protected mode. Semantics (op != X86_OP_OTHER) are
 * given for MOV 88/89/8A/8B/C6/C7/A0-A3, MOVZX/MOVSX 0F B6/B7/BE/BF, MOVSXD 63,
 * STOS AA/AB, MOVS A4/A5, ADD/OR/ADC/SBB/AND/SUB/XOR/CMP (00-3B, 80/81/83),
 * TEST 84/85/F6/F7, XCHG 86/87 and BT/BTS/BTR/BTC (0F A3/AB/B3/BB/BA) with a
 * memory operand.
 *
 * Never guesses: encodings that are invalid in the mode, truncated, longer than
 * 15 bytes, or whose meaning depends on the CPU vendor (66-prefixed near
 * branches in 64-bit mode) are errors. Pure and freestanding.
 */
#ifndef CAIRN_X86_DECODE_H
#define CAIRN_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_MAX_INSN_LEN 15

/* Errors, returned negated. */
#define X86_ETRUNC 1 /* the bytes end before the instruction does: fetch more */
#define X86_EINVAL 2 /* not a valid instruction in this mode (or > 15 bytes) */
#define X86_EUNSUPP 3 /* valid, but this decoder does not handle it */

enum x86_mode {
	X86_MODE_32 = 1, /* protected mode, 32-bit code segment */
	X86_MODE_64 = 2, /* long mode, 64-bit code segment */
};

/* General registers in encoding order. */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Segment registers in encoding order. */
enum x86_seg { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NR_SEGS };

/* The register file the effective address is computed from. */
struct x86_regs {
	uint64_t gpr[16];
	uint64_t rip;                    /* address of the instruction */
	uint64_t rflags;                 /* DF is used for string instructions */
	uint64_t seg_base[X86_NR_SEGS];  /* in 64-bit mode only FS and GS count */
};

/* Legacy prefixes seen (insn.prefixes). */
#define X86_PFX_OPSIZE  0x01 /* 66 */
#define X86_PFX_ADDRSIZE 0x02 /* 67 */
#define X86_PFX_LOCK    0x04 /* F0 */
#define X86_PFX_REPNE   0x08 /* F2 */
#define X86_PFX_REP     0x10 /* F3 */
#define X86_PFX_SEG     0x20 /* a segment override; insn.seg says which */

/* Opcode maps (insn.map). */
enum x86_map {
	X86_MAP_1B = 0,   /* one-byte opcodes */
	X86_MAP_0F = 1,
	X86_MAP_0F38 = 2,
	X86_MAP_0F3A = 3,
	X86_MAP_3DNOW = 4, /* 0F 0F modrm ib: insn.opcode is the suffix byte */
	X86_MAP_EVEX5 = 5, /* EVEX maps 5 and 6 (AVX512-FP16) */
	X86_MAP_EVEX6 = 6,
	X86_MAP_XOP8 = 8,  /* AMD XOP maps 8, 9, A */
	X86_MAP_XOP9 = 9,
	X86_MAP_XOPA = 10,
};

/* What a memory-access instruction does. */
enum x86_op {
	X86_OP_OTHER = 0, /* length only: not an access this decoder interprets */
	X86_OP_MOV, X86_OP_MOVZX, X86_OP_MOVSX, X86_OP_STOS, X86_OP_MOVS,
	X86_OP_ADD, X86_OP_OR, X86_OP_ADC, X86_OP_SBB, X86_OP_AND, X86_OP_SUB,
	X86_OP_XOR, X86_OP_CMP, X86_OP_TEST, X86_OP_XCHG,
	X86_OP_BT, X86_OP_BTS, X86_OP_BTR, X86_OP_BTC,
};

/* Direction of the memory access. */
enum x86_dir {
	X86_DIR_NONE = 0,
	X86_DIR_READ,  /* memory is read only (loads, CMP, TEST, BT) */
	X86_DIR_WRITE, /* memory is written only (stores, STOS) */
	X86_DIR_RMW,   /* read, modified, written (ALU to memory, XCHG, BTS...) */
	X86_DIR_COPY,  /* MOVS: read at ea_src, written at ea */
};

struct x86_insn {
	/* Encoding: filled for every instruction. */
	uint8_t len;
	uint8_t mode;        /* enum x86_mode */
	uint8_t map;         /* enum x86_map */
	uint8_t opcode;
	uint8_t prefixes;    /* X86_PFX_* */
	uint8_t rex;         /* the REX byte (or VEX/EVEX/XOP's R, X, B, W as one), 0 if none */
	bool vex;            /* VEX, EVEX or XOP encoded */
	bool has_modrm, has_sib;
	uint8_t modrm, sib;
	uint8_t op_size;     /* 2, 4 or 8: the operand size from mode, 66 and REX.W */
	uint8_t addr_size;   /* 2, 4 or 8 */
	uint8_t disp_size, imm_size, imm2_size;
	int64_t disp;        /* sign-extended displacement (moffs: zero-extended) */
	uint64_t imm;        /* first immediate, raw (zero-extended) */
	uint64_t imm2;       /* second immediate (ENTER, EXTRQ, far pointers) */

	/* Memory operand: filled when has_mem. */
	bool has_mem;
	bool rip_relative;
	uint8_t seg;         /* enum x86_seg of the access (ea) */
	uint64_t ea;         /* offset, truncated to addr_size; for MOVS the destination */
	uint64_t linear;     /* seg base + ea, truncated to the mode's width */
	uint64_t ea_src;     /* MOVS only: the source at seg:rSI */
	uint64_t linear_src;

	/* Semantics: filled for the forms listed above, else op == X86_OP_OTHER. */
	uint8_t op;          /* enum x86_op */
	uint8_t dir;         /* enum x86_dir */
	uint8_t mem_size;    /* bytes accessed in memory */
	int8_t reg;          /* register operand 0-15, or -1 */
	uint8_t reg_size;    /* its size (MOVZX/MOVSX: the destination's) */
	bool reg_high8;      /* reg is AH, CH, DH or BH (index 4-7, no REX) */
	bool has_imm_operand;
	int64_t imm_operand; /* the immediate, sign-extended as the CPU does */
	bool rep;            /* STOS/MOVS with REP: count in rCX */
	int8_t bit;          /* BT*: bit number within the mem_size operand */
};

/*
 * Decodes the instruction at `bytes` (`n` bytes available, at most 15 used).
 * `regs` may be NULL: then the effective address is not computed (ea, linear
 * stay 0) but everything else is. Returns the instruction's length (1..15) or
 * -X86_ETRUNC / -X86_EINVAL / -X86_EUNSUPP; `out` is fully written either way.
 */
int x86_decode(const uint8_t *bytes, size_t n, enum x86_mode mode,
	       const struct x86_regs *regs, struct x86_insn *out);

/* The length of the instruction at `bytes`, or a negative X86_E* error. */
int x86_insn_length(const uint8_t *bytes, size_t n, enum x86_mode mode);

/*
 * The value of register operand `reg` of `size` bytes (high8: AH..BH), as
 * instructions read it.
 */
uint64_t x86_reg_value(const struct x86_regs *regs, int reg, unsigned size, bool high8);

#endif /* CAIRN_X86_DECODE_H */
