/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target for x86_decode: the input is a mode byte, a register file
 * seed and up to 15 instruction bytes. Besides the sanitizers, it checks the
 * decoder's own promises and aborts when one is broken:
 *   - the result is a length 1..15 within the bytes given, or -X86_E*;
 *   - decoding again with exactly `len` bytes gives the same result, and with
 *     fewer bytes asks for more (-X86_ETRUNC): the length never depends on
 *     bytes beyond the instruction;
 *   - semantic fields are in range, and a semantic op always has memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fields(const struct x86_insn *in)
{
	if (in->reg < -1 || in->reg > 15)
		abort();
	if (in->mem_size != 0 && in->mem_size != 1 && in->mem_size != 2 && in->mem_size != 4 &&
	    in->mem_size != 8)
		abort();
	if (in->op != X86_OP_OTHER && (!in->has_mem || in->mem_size == 0 || in->dir == X86_DIR_NONE))
		abort();
	if (in->op_size != 2 && in->op_size != 4 && in->op_size != 8)
		abort();
}

static void check_prefix_stability(const uint8_t *code, size_t n, enum x86_mode mode,
				   const struct x86_regs *regs, int len)
{
	struct x86_insn a, b;
	size_t k;

	if (x86_decode(code, (size_t)len, mode, regs, &a) != len)
		abort();
	if (x86_decode(code, n, mode, regs, &b) != len || a.ea != b.ea || a.op != b.op)
		abort();
	for (k = 0; k < (size_t)len; k++)
		if (x86_decode(code, k, mode, NULL, &b) != -X86_ETRUNC)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x86_regs regs;
	struct x86_insn in;
	enum x86_mode mode;
	const uint8_t *code;
	size_t n, i;
	int rc;

	if (size < 2)
		return 0;
	mode = (data[0] & 1) ? X86_MODE_64 : X86_MODE_32;
	memset(&regs, 0, sizeof(regs));
	for (i = 0; i < 16; i++)
		regs.gpr[i] = (uint64_t)data[1] * 0x0101010101010101ull * (i + 1);
	regs.rip = 0xffffffff80000000ull | (uint64_t)data[1] << 12;
	regs.seg_base[X86_FS] = 0x7f0000000000ull;
	code = data + 2;
	n = size - 2 > 20 ? 20 : size - 2;
	rc = x86_decode(code, n, mode, &regs, &in);
	if (rc == -X86_ETRUNC || rc == -X86_EINVAL || rc == -X86_EUNSUPP)
		return 0;
	if (rc < 1 || rc > X86_MAX_INSN_LEN || (size_t)rc > n || in.len != rc)
		abort();
	check_fields(&in);
	check_prefix_stability(code, n, mode, &regs, rc);
	return 0;
}
