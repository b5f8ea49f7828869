/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86_decode.c — instruction lengths and memory-access semantics.
 *
 * Design: decoding runs in three passes over a cursor that refuses to read
 * past the bytes given (-X86_ETRUNC) or past 15 bytes (-X86_EINVAL):
 *   1. prefixes: legacy prefixes and REX (a REX followed by another prefix is
 *      void, as on hardware), then the opcode with its escapes (0F, 0F 38,
 *      0F 3A, 3DNow!, VEX, EVEX, XOP);
 *   2. operands: a per-map table gives ModRM and immediate kinds; ModRM then
 *      gives SIB and displacement, and a few opcodes whose operands depend on
 *      ModRM or a prefix are handled by name;
 *   3. semantics, for the memory-access forms the hypervisor emulates, and the
 *      effective address from the register file.
 * Tables are data (one flag word per opcode), the default of every switch is
 * an error: nothing is guessed. Pure and freestanding.
 */
#include "x86_decode.h"

#define memset __builtin_memset

/* Operand kinds, one word per opcode. */
#define M     0x001 /* ModRM follows */
#define IB    0x002 /* imm8 */
#define IW    0x004 /* imm16 */
#define IZ    0x008 /* imm16/32 by operand size */
#define IV    0x010 /* imm16/32/64 by operand size (MOV r, imm) */
#define MOFFS 0x020 /* address-sized offset */
#define REL   0x040 /* near branch rel16/32 (IZ, vendor-dependent with 66 in 64-bit) */
#define FAR   0x080 /* ptr16:16/32 */
#define I64   0x100 /* invalid in 64-bit mode */
#define INV   0x200 /* invalid */
#define CRDR  0x400 /* MOV to/from CR/DR: ModRM is always a register form */
#define ENTER 0x800 /* iw, ib */

static const uint16_t map_1b[256] = {
	[0x00 ... 0x03] = M, [0x04] = IB, [0x05] = IZ, [0x06 ... 0x07] = I64,
	[0x08 ... 0x0b] = M, [0x0c] = IB, [0x0d] = IZ, [0x0e] = I64, [0x0f] = INV,
	[0x10 ... 0x13] = M, [0x14] = IB, [0x15] = IZ, [0x16 ... 0x17] = I64,
	[0x18 ... 0x1b] = M, [0x1c] = IB, [0x1d] = IZ, [0x1e ... 0x1f] = I64,
	[0x20 ... 0x23] = M, [0x24] = IB, [0x25] = IZ, [0x26] = INV, [0x27] = I64,
	[0x28 ... 0x2b] = M, [0x2c] = IB, [0x2d] = IZ, [0x2e] = INV, [0x2f] = I64,
	[0x30 ... 0x33] = M, [0x34] = IB, [0x35] = IZ, [0x36] = INV, [0x37] = I64,
	[0x38 ... 0x3b] = M, [0x3c] = IB, [0x3d] = IZ, [0x3e] = INV, [0x3f] = I64,
	[0x40 ... 0x5f] = 0,
	[0x60 ... 0x61] = I64, [0x62] = M | I64, [0x63] = M, [0x64 ... 0x67] = INV,
	[0x68] = IZ, [0x69] = M | IZ, [0x6a] = IB, [0x6b] = M | IB, [0x6c ... 0x6f] = 0,
	[0x70 ... 0x7f] = IB,
	[0x80] = M | IB, [0x81] = M | IZ, [0x82] = M | IB | I64, [0x83] = M | IB,
	[0x84 ... 0x8f] = M,
	[0x90 ... 0x99] = 0, [0x9a] = FAR | I64, [0x9b ... 0x9f] = 0,
	[0xa0 ... 0xa3] = MOFFS, [0xa4 ... 0xa7] = 0, [0xa8] = IB, [0xa9] = IZ,
	[0xaa ... 0xaf] = 0,
	[0xb0 ... 0xb7] = IB, [0xb8 ... 0xbf] = IV,
	[0xc0 ... 0xc1] = M | IB, [0xc2] = IW, [0xc3] = 0, [0xc4 ... 0xc5] = M | I64,
	[0xc6] = M | IB, [0xc7] = M | IZ, [0xc8] = ENTER, [0xc9] = 0, [0xca] = IW,
	[0xcb ... 0xcc] = 0, [0xcd] = IB, [0xce] = I64, [0xcf] = 0,
	[0xd0 ... 0xd3] = M, [0xd4 ... 0xd5] = IB | I64, [0xd6] = INV, [0xd7] = 0,
	[0xd8 ... 0xdf] = M,
	[0xe0 ... 0xe7] = IB, [0xe8 ... 0xe9] = REL, [0xea] = FAR | I64, [0xeb] = IB,
	[0xec ... 0xef] = 0,
	[0xf0] = INV, [0xf1] = 0, [0xf2 ... 0xf3] = INV, [0xf4 ... 0xf5] = 0,
	[0xf6 ... 0xf7] = M, [0xf8 ... 0xfd] = 0, [0xfe ... 0xff] = M,
};

static const uint16_t map_0f[256] = {
	[0x00 ... 0x03] = M, [0x04] = INV, [0x05 ... 0x09] = 0, [0x0a] = INV,
	[0x0b] = 0, [0x0c] = INV, [0x0d] = M, [0x0e] = 0, [0x0f] = INV,
	[0x10 ... 0x1f] = M,
	[0x20 ... 0x23] = M | CRDR, [0x24 ... 0x27] = INV, [0x28 ... 0x2f] = M,
	[0x30 ... 0x35] = 0, [0x36] = INV, [0x37] = 0, [0x38 ... 0x3f] = INV,
	[0x40 ... 0x6f] = M,
	[0x70 ... 0x73] = M | IB, [0x74 ... 0x76] = M, [0x77] = 0, [0x78 ... 0x79] = M,
	[0x7a ... 0x7b] = INV, [0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = REL,
	[0x90 ... 0x9f] = M,
	[0xa0 ... 0xa2] = 0, [0xa3] = M, [0xa4] = M | IB, [0xa5] = M,
	[0xa6 ... 0xa7] = INV, [0xa8 ... 0xaa] = 0, [0xab] = M, [0xac] = M | IB,
	[0xad ... 0xaf] = M,
	[0xb0 ... 0xb9] = M, [0xba] = M | IB, [0xbb ... 0xbf] = M,
	[0xc0 ... 0xc1] = M, [0xc2] = M | IB, [0xc3] = M, [0xc4 ... 0xc6] = M | IB,
	[0xc7] = M, [0xc8 ... 0xcf] = 0,
	[0xd0 ... 0xff] = M,
};

struct cursor {
	const uint8_t *b;
	size_t n;
	size_t pos;
};

static int peek(const struct cursor *c, size_t ahead, uint8_t *v)
{
	if (c->pos + ahead >= X86_MAX_INSN_LEN)
		return -X86_EINVAL;
	if (c->pos + ahead >= c->n)
		return -X86_ETRUNC;
	*v = c->b[c->pos + ahead];
	return 0;
}

static int next(struct cursor *c, uint8_t *v)
{
	int rc = peek(c, 0, v);

	if (rc == 0)
		c->pos++;
	return rc;
}

/* Reads a little-endian value of `size` bytes. */
static int next_n(struct cursor *c, unsigned size, uint64_t *v)
{
	unsigned i;

	*v = 0;
	for (i = 0; i < size; i++) {
		uint8_t b;
		int rc = next(c, &b);

		if (rc)
			return rc;
		*v |= (uint64_t)b << (8 * i);
	}
	return 0;
}

static int64_t sext(uint64_t v, unsigned size)
{
	unsigned shift = 64 - 8 * size;

	return size >= 8 ? (int64_t)v : (int64_t)(v << shift) >> shift;
}

static uint64_t trunc_to(uint64_t v, unsigned size)
{
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

/* Decoding state beyond the output. */
struct dec {
	struct cursor c;
	struct x86_insn *in;
	uint8_t last_mand; /* the last of 66/F2/F3, for mandatory-prefix opcodes */
	uint16_t kind;     /* the opcode's operand kinds */
	uint8_t vex_map;   /* 0 unless VEX/EVEX/XOP */
};

/* Pass 1: legacy prefixes and REX. */
static int decode_prefixes(struct dec *d)
{
	struct x86_insn *in = d->in;
	static const uint8_t seg_of[6] = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};
	uint8_t b;
	int rc, i;

	for (;;) {
		rc = peek(&d->c, 0, &b);
		if (rc)
			return rc;
		if (in->mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
			in->rex = b;
			d->c.pos++;
			continue;
		}
		switch (b) {
		case 0x66: in->prefixes |= X86_PFX_OPSIZE; d->last_mand = b; break;
		case 0x67: in->prefixes |= X86_PFX_ADDRSIZE; break;
		case 0xf0: in->prefixes |= X86_PFX_LOCK; break;
		case 0xf2: in->prefixes |= X86_PFX_REPNE; d->last_mand = b; break;
		case 0xf3: in->prefixes |= X86_PFX_REP; d->last_mand = b; break;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			for (i = 0; i < 6; i++)
				if (seg_of[i] == b)
					in->seg = (uint8_t)i;
			in->prefixes |= X86_PFX_SEG;
			break;
		default:
			return 0;
		}
		in->rex = 0; /* a REX before a legacy prefix is ignored */
		d->c.pos++;
	}
}

static void set_sizes(struct x86_insn *in)
{
	bool o16 = in->prefixes & X86_PFX_OPSIZE, a16 = in->prefixes & X86_PFX_ADDRSIZE;

	if (in->mode == X86_MODE_64) {
		in->op_size = (in->rex & 0x08) ? 8 : o16 ? 2 : 4;
		in->addr_size = a16 ? 4 : 8;
	} else {
		in->op_size = o16 ? 2 : 4;
		in->addr_size = a16 ? 2 : 4;
	}
}

/* Operand kinds of a VEX/EVEX/XOP opcode in its map. */
static int vex_kind(uint8_t map, uint8_t op, uint16_t *kind)
{
	switch (map) {
	case X86_MAP_0F:
		if (op == 0x77) /* VZEROUPPER/VZEROALL */
			*kind = 0;
		else if ((op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6))
			*kind = M | IB;
		else
			*kind = M;
		return 0;
	case X86_MAP_0F38: case X86_MAP_EVEX5: case X86_MAP_EVEX6: case X86_MAP_XOP9:
		*kind = M;
		return 0;
	case X86_MAP_0F3A: case X86_MAP_XOP8:
		*kind = M | IB;
		return 0;
	case X86_MAP_XOPA:
		*kind = M | IZ;
		return 0;
	default:
		return -X86_EINVAL;
	}
}

/*
 * The REX bits a VEX/EVEX/XOP prefix carries (R, X, B inverted in the byte
 * after the escape, p[0]; W in the next, p[1]), so that ModRM and SIB decode
 * alike in 64-bit mode.
 */
static uint8_t vex_rex(uint8_t esc, const uint8_t *p)
{
	uint8_t rex = 0x40 | (uint8_t)((~p[0] >> 5) & 0x04); /* R */

	if (esc == 0xc5)
		return rex;
	rex |= (uint8_t)((~p[0] >> 5) & 0x03); /* X, B */
	if (p[1] & 0x80)
		rex |= 0x08; /* W */
	return rex;
}

/*
 * VEX (C4/C5), EVEX (62) and XOP (8F) prefixes: the escape `esc` (already
 * read), `len` more prefix bytes p[0..len-1], then the opcode. Legacy 66/F2/F3/F0 and REX may not precede them.
 */
static int decode_vex(struct dec *d, uint8_t esc, unsigned len)
{
	struct x86_insn *in = d->in;
	uint8_t p[4], map;
	unsigned i;
	int rc;

	if (in->rex || (in->prefixes & (X86_PFX_OPSIZE | X86_PFX_LOCK | X86_PFX_REP |
					 X86_PFX_REPNE)))
		return -X86_EINVAL;
	for (i = 0; i < len; i++) {
		rc = next(&d->c, &p[i]);
		if (rc)
			return rc;
	}
	if (esc == 0xc5)
		map = X86_MAP_0F;
	else if (esc == 0x62)
		map = p[0] & 0x07;
	else
		map = p[0] & 0x1f;
	if (esc == 0x62 && ((p[0] & 0x08) || !(p[1] & 0x04)))
		return -X86_EINVAL; /* EVEX P0 bit 3 is 0, P1 bit 2 is 1 */
	if (esc == 0x8f) /* XOP maps 8, 9, A */
		map = (uint8_t)(map == 8 ? X86_MAP_XOP8 : map == 9 ? X86_MAP_XOP9 :
				map == 10 ? X86_MAP_XOPA : 0xff);
	else if (esc != 0x62 && (map < 1 || map > 3))
		return -X86_EINVAL;
	else if (esc == 0x62 && (map == 0 || map == 4 || map == 7))
		return -X86_EINVAL;
	if (in->mode == X86_MODE_64)
		in->rex = vex_rex(esc, p);
	rc = next(&d->c, &in->opcode);
	if (rc)
		return rc;
	in->vex = true;
	in->map = map;
	d->vex_map = map;
	return vex_kind(map, in->opcode, &d->kind);
}

/* Whether the byte after C4/C5/62/8F makes it a VEX/EVEX/XOP prefix. */
static int is_vex_escape(struct dec *d, uint8_t op, bool *vex)
{
	uint8_t b;
	int rc;

	*vex = false;
	if (op != 0xc4 && op != 0xc5 && op != 0x62 && op != 0x8f)
		return 0;
	rc = peek(&d->c, 0, &b);
	if (rc)
		return rc;
	if (op == 0x8f)
		*vex = (b & 0x1f) >= 8; /* POP r/m has ModRM.reg = 0, so mmmmm < 8 */
	else
		*vex = d->in->mode == X86_MODE_64 || (b & 0xc0) == 0xc0;
	return 0;
}

/* The opcode and its escapes; sets in->map, in->opcode and d->kind. */
static int decode_opcode(struct dec *d)
{
	struct x86_insn *in = d->in;
	uint8_t op, op2;
	bool vex;
	int rc;

	rc = next(&d->c, &op);
	if (rc)
		return rc;
	rc = is_vex_escape(d, op, &vex);
	if (rc)
		return rc;
	if (vex)
		return decode_vex(d, op, op == 0xc5 ? 1 : op == 0x62 ? 3 : 2);
	if (op != 0x0f) {
		in->map = X86_MAP_1B;
		in->opcode = op;
		d->kind = map_1b[op];
		return 0;
	}
	rc = next(&d->c, &op2);
	if (rc)
		return rc;
	switch (op2) {
	case 0x38: in->map = X86_MAP_0F38; d->kind = M; return next(&d->c, &in->opcode);
	case 0x3a: in->map = X86_MAP_0F3A; d->kind = M | IB; return next(&d->c, &in->opcode);
	case 0x0f: in->map = X86_MAP_3DNOW; d->kind = M; return 0; /* suffix after ModRM */
	default:
		in->map = X86_MAP_0F;
		in->opcode = op2;
		d->kind = map_0f[op2];
		return 0;
	}
}

/* ModRM, SIB and displacement. */
static int decode_modrm(struct dec *d)
{
	struct x86_insn *in = d->in;
	uint8_t mod, rm;
	int rc;

	rc = next(&d->c, &in->modrm);
	if (rc)
		return rc;
	in->has_modrm = true;
	mod = in->modrm >> 6;
	rm = in->modrm & 7;
	if (mod == 3 || (d->kind & CRDR))
		return 0;
	in->has_mem = true;
	if (in->addr_size == 2) {
		in->disp_size = mod == 1 ? 1 : (mod == 2 || rm == 6) ? 2 : 0;
	} else {
		if (rm == 4) {
			rc = next(&d->c, &in->sib);
			if (rc)
				return rc;
			in->has_sib = true;
		}
		in->disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (mod == 0 && (rm == 5 || (in->has_sib && (in->sib & 7) == 5)))
			in->disp_size = 4;
		in->rip_relative = mod == 0 && rm == 5 && in->mode == X86_MODE_64;
	}
	if (in->disp_size) {
		uint64_t v;

		rc = next_n(&d->c, in->disp_size, &v);
		if (rc)
			return rc;
		in->disp = sext(v, in->disp_size);
	}
	return 0;
}

/* Size of an IZ immediate. */
static unsigned iz_size(const struct x86_insn *in)
{
	return in->op_size == 2 ? 2 : 4;
}

/* Immediates whose presence depends on ModRM or a mandatory prefix. */
static void special_immediates(struct dec *d, unsigned *s1, unsigned *s2)
{
	struct x86_insn *in = d->in;
	uint8_t reg = (in->modrm >> 3) & 7;

	if (in->map == X86_MAP_1B && (in->opcode == 0xf6 || in->opcode == 0xf7) && reg < 2)
		*s1 = in->opcode == 0xf6 ? 1 : iz_size(in); /* TEST r/m, imm */
	if (in->map == X86_MAP_0F && in->opcode == 0x78 &&
	    (d->last_mand == 0x66 || d->last_mand == 0xf2)) {
		*s1 = 1; /* EXTRQ / INSERTQ xmm, imm8, imm8 */
		*s2 = 1;
	}
	if (in->map == X86_MAP_3DNOW)
		*s1 = 1; /* the opcode suffix, read below */
}

/* The sizes of the first and second immediates from the operand kinds. */
static int immediate_sizes(struct dec *d, unsigned *s1, unsigned *s2)
{
	struct x86_insn *in = d->in;
	uint16_t k = d->kind;

	*s1 = *s2 = 0;
	if (k & IB)
		*s1 = 1;
	else if (k & IW)
		*s1 = 2;
	else if (k & IZ)
		*s1 = iz_size(in);
	else if (k & IV)
		*s1 = in->op_size;
	else if (k & MOFFS)
		*s1 = in->addr_size;
	else if (k & ENTER)
		*s1 = 2, *s2 = 1;
	else if (k & FAR)
		*s1 = iz_size(in), *s2 = 2;
	else if (k & REL) {
		/* 66 + near branch in 64-bit mode: rel16 on AMD, rel32 on Intel. */
		if (in->mode == X86_MODE_64 && (in->prefixes & X86_PFX_OPSIZE))
			return -X86_EUNSUPP;
		*s1 = in->mode == X86_MODE_64 ? 4 : iz_size(in);
	}
	special_immediates(d, s1, s2);
	return 0;
}

/* Pass 2: operands. */
static int decode_operands(struct dec *d)
{
	struct x86_insn *in = d->in;
	unsigned s1, s2;
	int rc;

	if ((d->kind & INV) || ((d->kind & I64) && in->mode == X86_MODE_64))
		return -X86_EINVAL;
	if (d->kind & M) {
		rc = decode_modrm(d);
		if (rc)
			return rc;
	}
	rc = immediate_sizes(d, &s1, &s2);
	if (rc)
		return rc;
	in->imm_size = (uint8_t)s1;
	in->imm2_size = (uint8_t)s2;
	rc = next_n(&d->c, s1, &in->imm);
	if (rc == 0)
		rc = next_n(&d->c, s2, &in->imm2);
	if (rc)
		return rc;
	if (in->map == X86_MAP_3DNOW) {
		in->opcode = (uint8_t)in->imm;
		in->imm_size = 0;
		in->imm = 0;
	}
	if (d->kind & MOFFS) {
		in->has_mem = true;
		in->disp = (int64_t)in->imm;
		in->disp_size = in->imm_size;
		in->imm_size = 0;
		in->imm = 0;
	}
	return 0;
}

/* --- Pass 3: semantics ------------------------------------------------------ */

static uint8_t modrm_reg(const struct x86_insn *in)
{
	return (uint8_t)(((in->modrm >> 3) & 7) | ((in->rex & 0x04) ? 8 : 0));
}

/* Records the semantics of a memory-access form with a register operand. */
static void set_op(struct x86_insn *in, enum x86_op op, enum x86_dir dir, unsigned mem_size,
		   int reg, unsigned reg_size)
{
	in->op = (uint8_t)op;
	in->dir = (uint8_t)dir;
	in->mem_size = (uint8_t)mem_size;
	in->reg = (int8_t)reg;
	in->reg_size = (uint8_t)(reg < 0 ? 0 : reg_size);
	in->reg_high8 = reg >= 4 && reg <= 7 && reg_size == 1 && !in->rex;
}

static void set_imm(struct x86_insn *in, int64_t v)
{
	in->has_imm_operand = true;
	in->imm_operand = v;
}

static const uint8_t alu_ops[8] = {
	X86_OP_ADD, X86_OP_OR, X86_OP_ADC, X86_OP_SBB,
	X86_OP_AND, X86_OP_SUB, X86_OP_XOR, X86_OP_CMP,
};

/* 00-3F: ALU op between r/m and a register. */
static void sem_alu_reg(struct x86_insn *in)
{
	unsigned size = (in->opcode & 1) ? in->op_size : 1;
	uint8_t op = alu_ops[in->opcode >> 3];
	enum x86_dir dir;

	if (in->opcode & 2)
		dir = X86_DIR_READ; /* reg = reg op mem */
	else
		dir = op == X86_OP_CMP ? X86_DIR_READ : X86_DIR_RMW;
	set_op(in, op, dir, size, modrm_reg(in), size);
}

/* 80/81/82/83: ALU op between r/m and an immediate. */
static void sem_alu_imm(struct x86_insn *in)
{
	unsigned size = (in->opcode == 0x81 || in->opcode == 0x83) ? in->op_size : 1;
	uint8_t op = alu_ops[(in->modrm >> 3) & 7];

	set_op(in, op, op == X86_OP_CMP ? X86_DIR_READ : X86_DIR_RMW, size, -1, 0);
	set_imm(in, sext(in->imm, in->imm_size));
}

/* C6/C7 /0: MOV r/m, imm (the group was checked by decode_semantics). */
static int sem_mov_imm(struct x86_insn *in)
{
	set_op(in, X86_OP_MOV, X86_DIR_WRITE, in->opcode == 0xc6 ? 1 : in->op_size, -1, 0);
	set_imm(in, sext(in->imm, in->imm_size));
	return 0;
}

/* One-byte-map forms with a ModRM memory operand. */
static int sem_1b_modrm(struct x86_insn *in)
{
	uint8_t op = in->opcode;
	unsigned size = (op & 1) ? in->op_size : 1;

	if (op < 0x40 && (op & 7) < 4)
		sem_alu_reg(in);
	else if (op >= 0x80 && op <= 0x83)
		sem_alu_imm(in);
	else if (op == 0x84 || op == 0x85)
		set_op(in, X86_OP_TEST, X86_DIR_READ, size, modrm_reg(in), size);
	else if (op == 0x86 || op == 0x87)
		set_op(in, X86_OP_XCHG, X86_DIR_RMW, size, modrm_reg(in), size);
	else if (op == 0x88 || op == 0x89)
		set_op(in, X86_OP_MOV, X86_DIR_WRITE, size, modrm_reg(in), size);
	else if (op == 0x8a || op == 0x8b)
		set_op(in, X86_OP_MOV, X86_DIR_READ, size, modrm_reg(in), size);
	else if (op == 0x63 && in->mode == X86_MODE_64)
		set_op(in, X86_OP_MOVSX, X86_DIR_READ, in->op_size == 8 ? 4 : in->op_size,
		       modrm_reg(in), in->op_size);
	else if ((op == 0xf6 || op == 0xf7) && ((in->modrm >> 3) & 7) == 0) {
		set_op(in, X86_OP_TEST, X86_DIR_READ, size, -1, 0);
		set_imm(in, sext(in->imm, in->imm_size));
	} else if (op == 0xc6 || op == 0xc7)
		return sem_mov_imm(in);
	return 0;
}

/* One-byte-map forms with implicit memory operands (moffs, string). */
static void sem_1b_implicit(struct x86_insn *in)
{
	uint8_t op = in->opcode;
	unsigned size = (op & 1) ? in->op_size : 1;

	switch (op) {
	case 0xa0: case 0xa1:
		set_op(in, X86_OP_MOV, X86_DIR_READ, size, X86_RAX, size);
		break;
	case 0xa2: case 0xa3:
		set_op(in, X86_OP_MOV, X86_DIR_WRITE, size, X86_RAX, size);
		break;
	case 0xaa: case 0xab:
		set_op(in, X86_OP_STOS, X86_DIR_WRITE, size, X86_RAX, size);
		in->has_mem = true;
		in->rep = in->prefixes & X86_PFX_REP;
		break;
	case 0xa4: case 0xa5:
		set_op(in, X86_OP_MOVS, X86_DIR_COPY, size, -1, 0);
		in->has_mem = true;
		in->rep = in->prefixes & X86_PFX_REP;
		break;
	default:
		break;
	}
}

static const uint8_t bt_ops[4] = {X86_OP_BT, X86_OP_BTS, X86_OP_BTR, X86_OP_BTC};

/* 0F-map forms with a ModRM memory operand. */
static int sem_0f(struct x86_insn *in)
{
	uint8_t op = in->opcode, reg = (in->modrm >> 3) & 7;

	switch (op) {
	case 0xb6: case 0xb7: case 0xbe: case 0xbf:
		set_op(in, op < 0xb8 ? X86_OP_MOVZX : X86_OP_MOVSX, X86_DIR_READ,
		       (op & 1) ? 2 : 1, modrm_reg(in), in->op_size);
		return 0;
	case 0xa3: case 0xab: case 0xb3: case 0xbb: {
		uint8_t bop = bt_ops[(op >> 3) & 3];

		set_op(in, bop, bop == X86_OP_BT ? X86_DIR_READ : X86_DIR_RMW, in->op_size,
		       modrm_reg(in), in->op_size);
		return 0;
	}
	case 0xba:
		if (reg < 4)
			return -X86_EINVAL;
		set_op(in, bt_ops[reg - 4], reg == 4 ? X86_DIR_READ : X86_DIR_RMW, in->op_size,
		       -1, 0);
		set_imm(in, (int64_t)in->imm);
		in->bit = (int8_t)(in->imm & (8u * in->op_size - 1));
		return 0;
	default:
		return 0;
	}
}

static int decode_semantics(struct x86_insn *in)
{
	in->reg = -1;
	if (in->vex)
		return 0;
	if (in->map == X86_MAP_1B && !in->has_modrm) {
		sem_1b_implicit(in);
		return 0;
	}
	if (in->map == X86_MAP_0F && in->opcode == 0xba && ((in->modrm >> 3) & 7) < 4)
		return -X86_EINVAL; /* group 8 /0-/3 are undefined */
	if (in->map == X86_MAP_1B && (in->opcode == 0xc6 || in->opcode == 0xc7) &&
	    ((in->modrm >> 3) & 7) != 0 && !(((in->modrm >> 3) & 7) == 7 && !in->has_mem))
		return -X86_EINVAL; /* group 11: only MOV /0 and XABORT/XBEGIN /7 */
	if (!in->has_mem)
		return 0;
	if (in->map == X86_MAP_1B)
		return sem_1b_modrm(in);
	if (in->map == X86_MAP_0F)
		return sem_0f(in);
	return 0;
}

/* --- Effective addresses ---------------------------------------------------- */

uint64_t x86_reg_value(const struct x86_regs *regs, int reg, unsigned size, bool high8)
{
	if (reg < 0 || reg > 15)
		return 0;
	if (high8)
		return (regs->gpr[reg - 4] >> 8) & 0xff;
	return trunc_to(regs->gpr[reg], size);
}

/* Offset of a 16-bit ModRM memory operand; sets the default segment. */
static uint64_t ea16(const struct x86_insn *in, const struct x86_regs *r, uint8_t *seg)
{
	static const int8_t base[8] = {X86_RBX, X86_RBX, X86_RBP, X86_RBP, -1, -1, X86_RBP, X86_RBX};
	static const int8_t index[8] = {X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_RSI, X86_RDI, -1, -1};
	uint8_t mod = in->modrm >> 6, rm = in->modrm & 7;
	uint64_t ea = (uint64_t)in->disp;

	if (mod == 0 && rm == 6)
		return trunc_to(ea, 2);
	if (base[rm] >= 0)
		ea += r->gpr[base[rm]];
	if (index[rm] >= 0)
		ea += r->gpr[index[rm]];
	*seg = base[rm] == X86_RBP ? X86_SS : X86_DS;
	return trunc_to(ea, 2);
}

/* Offset of a 32/64-bit ModRM memory operand; sets the default segment. */
static uint64_t ea32(const struct x86_insn *in, const struct x86_regs *r, uint8_t *seg)
{
	uint8_t mod = in->modrm >> 6, rm = in->modrm & 7;
	uint64_t ea = (uint64_t)in->disp;
	int base = -1;

	if (in->rip_relative)
		return trunc_to(r->rip + in->len + ea, in->addr_size);
	if (in->has_sib) {
		uint8_t idx = (uint8_t)(((in->sib >> 3) & 7) | ((in->rex & 0x02) ? 8 : 0));

		if (idx != 4)
			ea += r->gpr[idx] << (in->sib >> 6);
		if (!(mod == 0 && (in->sib & 7) == 5))
			base = (in->sib & 7) | ((in->rex & 0x01) ? 8 : 0);
	} else if (!(mod == 0 && rm == 5)) {
		base = rm | ((in->rex & 0x01) ? 8 : 0);
	}
	if (base >= 0)
		ea += r->gpr[base];
	*seg = (base == X86_RSP || base == X86_RBP) ? X86_SS : X86_DS;
	return trunc_to(ea, in->addr_size);
}

static uint64_t linear(const struct x86_insn *in, const struct x86_regs *r, uint8_t seg,
		       uint64_t ea)
{
	if (in->mode == X86_MODE_64)
		return (seg == X86_FS || seg == X86_GS) ? r->seg_base[seg] + ea : ea;
	return trunc_to(r->seg_base[seg] + ea, 4);
}

/* BT* with a register bit offset address a bit string around the operand. */
static void bt_adjust(struct x86_insn *in, const struct x86_regs *r)
{
	unsigned bits = 8u * in->op_size;
	int64_t off = sext(x86_reg_value(r, in->reg, in->op_size, false), in->op_size);
	int64_t units = off >> (bits == 16 ? 4 : bits == 32 ? 5 : 6); /* floor */

	in->ea = trunc_to(in->ea + (uint64_t)(units * (int64_t)in->op_size), in->addr_size);
	in->bit = (int8_t)(off & (bits - 1));
}

static void compute_ea(struct x86_insn *in, const struct x86_regs *r)
{
	uint8_t seg = X86_DS;
	bool over = in->prefixes & X86_PFX_SEG;

	if (in->op == X86_OP_STOS || in->op == X86_OP_MOVS) {
		uint8_t src_seg = over ? in->seg : X86_DS;

		in->ea = trunc_to(r->gpr[X86_RDI], in->addr_size);
		in->seg = X86_ES; /* no override for the destination */
		in->linear = linear(in, r, X86_ES, in->ea);
		if (in->op == X86_OP_MOVS) {
			in->ea_src = trunc_to(r->gpr[X86_RSI], in->addr_size);
			in->linear_src = linear(in, r, src_seg, in->ea_src);
		}
		return;
	}
	if (!in->has_modrm)
		in->ea = trunc_to((uint64_t)in->disp, in->addr_size); /* moffs */
	else if (in->addr_size == 2)
		in->ea = ea16(in, r, &seg);
	else
		in->ea = ea32(in, r, &seg);
	if (!over)
		in->seg = seg;
	if ((in->op == X86_OP_BT || in->op == X86_OP_BTS || in->op == X86_OP_BTR ||
	     in->op == X86_OP_BTC) && in->reg >= 0)
		bt_adjust(in, r);
	in->linear = linear(in, r, in->seg, in->ea);
}

int x86_decode(const uint8_t *bytes, size_t n, enum x86_mode mode,
	       const struct x86_regs *regs, struct x86_insn *out)
{
	struct dec d;
	int rc;

	memset(out, 0, sizeof(*out));
	out->reg = -1;
	out->seg = X86_DS;
	if (!bytes || (mode != X86_MODE_32 && mode != X86_MODE_64))
		return -X86_EINVAL;
	memset(&d, 0, sizeof(d));
	d.c.b = bytes;
	d.c.n = n;
	d.in = out;
	out->mode = (uint8_t)mode;
	rc = decode_prefixes(&d);
	if (rc == 0) {
		set_sizes(out);
		rc = decode_opcode(&d);
	}
	if (rc == 0) {
		set_sizes(out); /* VEX.W may have set REX.W */
		rc = decode_operands(&d);
	}
	if (rc)
		return rc;
	out->len = (uint8_t)d.c.pos;
	rc = decode_semantics(out);
	if (rc)
		return rc;
	if (regs && out->has_mem)
		compute_ea(out, regs);
	return out->len;
}

int x86_insn_length(const uint8_t *bytes, size_t n, enum x86_mode mode)
{
	struct x86_insn in;

	return x86_decode(bytes, n, mode, NULL, &in);
}
