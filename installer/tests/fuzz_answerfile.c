/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the answerfile parser must never crash, leak or overrun. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../inst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inst_config cfg;
	char err[INST_ERR_MAX];

	if (af_parse((const char *)data, size, &cfg, err, sizeof(err)) == 0 &&
	    inst_check(&cfg, err, sizeof(err)) != 0)
		__builtin_trap();	/* af_parse accepted what inst_check rejects */
	if (memchr(err, '\0', sizeof(err)) == NULL)
		__builtin_trap();
	return 0;
}
