/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_virtq.c — libFuzzer target for the split-virtqueue parser.
 *
 * The input is a queue configuration (16 bytes) followed by the contents of
 * guest memory: two regions, a 64 KiB one at 0x10000 and a 4 KiB one at
 * 0x30000, each its own heap allocation of exactly that size so ASan catches
 * any access past either. The fuzzer controls the queue size, the ring
 * addresses (anywhere in 0..0x3ffff, so also outside both regions), the
 * device's indexes and every byte of the rings and descriptors. The device
 * side pops, copies over each chain's buffers, pushes and decides on
 * interrupts until the ring is empty or reported broken.
 */
#include <stdlib.h>
#include <string.h>

#include "dm.h"

#define R1_GPA  0x10000ull
#define R1_SIZE 0x10000ull
#define R2_GPA  0x30000ull
#define R2_SIZE 0x1000ull

void dm_log(const char *fmt, ...)
{
	(void)fmt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t addr_of(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v & 0x3ffff;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_vq_chain c;
	struct dm_guest_mem gm = {0};
	struct dm_vq vq = {0};
	uint8_t *r1, *r2, scratch[512];
	size_t rest;
	int i, rc;

	if (size < 16)
		return 0;
	r1 = calloc(1, R1_SIZE);
	r2 = calloc(1, R2_SIZE);
	dm_gm_add(&gm, R1_GPA, R1_SIZE, r1);
	dm_gm_add(&gm, R2_GPA, R2_SIZE, r2);
	vq.size = 1u << (data[0] % 10);        /* 1..512: also too large */
	vq.event_idx = data[1] & 1;
	memcpy(&vq.last_avail, data + 2, 2);
	vq.used_idx = vq.signalled = vq.last_avail;
	vq.desc = addr_of(data + 4);
	vq.avail = addr_of(data + 8);
	vq.used = addr_of(data + 12);
	vq.enabled = true;
	data += 16;
	size -= 16;
	rest = size < R1_SIZE ? size : R1_SIZE;
	memcpy(r1, data, rest);
	if (size > rest)
		memcpy(r2, data + rest, size - rest < R2_SIZE ? size - rest : R2_SIZE);

	for (i = 0; i < 2 * DM_VQ_MAX_SIZE; i++) {
		rc = dm_vq_pop(&vq, &gm, &c);
		if (rc <= 0)
			break;
		dm_vq_copy_from(&c, 0, scratch, sizeof(scratch));
		dm_vq_copy_to(&c, c.in_len > 8 ? c.in_len - 8 : 0, scratch, 64);
		if (dm_vq_push(&vq, &gm, c.head, (uint32_t)c.in_len))
			break;
		dm_vq_need_notify(&vq, &gm);
	}
	free(r2);
	free(r1);
	return 0;
}
