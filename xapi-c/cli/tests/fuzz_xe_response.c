/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target: xe's XML-RPC response parser (xmlrpc.c), which reads
 * whatever a server sends. Each input is parsed; a success is printed the
 * way xe prints records and errors, so the output code runs on it too.
 */
#include <stddef.h>
#include <stdint.h>

#include "xe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xe_result r;
	struct xe_buf out = {0};

	xe_xml_parse_response((const char *)data, size, &r);
	if (r.ok) {
		struct xe_fieldlist fl;

		xe_out_value(&out, "power_state", r.value);
		xe_out_select(&fl, r.value, "all", NULL);
		xe_out_record(&out, r.value, &fl, NULL, NULL);
		xe_out_fieldlist_free(&fl);
	} else if (r.error) {
		xe_out_error(&out, r.error);
	}
	xe_buf_free(&out);
	xe_result_clear(&r);
	return 0;
}
