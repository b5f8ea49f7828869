/* SPDX-License-Identifier: GPL-2.0-only */
/* xe: Cairn's XenAPI command-line client. See xe.h and `xe help`. */
#include <curl/curl.h>
#include <stdio.h>

#include "xe.h"

int main(int argc, char **argv)
{
	struct xe_args a;
	char err[512];
	int rc;

	if (xe_args_parse(&a, argc - 1, argv + 1, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "xe: cannot initialise libcurl\n");
		xe_args_free(&a);
		return 1;
	}
	rc = xe_cmd_run(&a, stdout, stderr);
	curl_global_cleanup();
	xe_args_free(&a);
	return rc;
}
