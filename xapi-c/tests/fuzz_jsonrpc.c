/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the JSON-RPC request parser and the reply writer. */
#include <stdint.h>
#include <stdlib.h>

#include "rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_call c;
	char err[256];
	size_t len;

	if (rpc_parse_json((const char *)data, size, &c, err, sizeof(err)) == 0) {
		free(rpc_reply(&c, true, c.params, &len));
		free(rpc_reply(&c, false, c.params, &len));
		rpc_call_clear(&c);
	}
	return 0;
}
