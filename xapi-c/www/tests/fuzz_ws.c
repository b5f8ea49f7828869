/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target: the websocket frame decoder, the UTF-8 validator and URL
 * path normalization on bytes nobody chose. Invariants checked beyond the
 * sanitizers: a decoded frame never claims more bytes than it was given nor
 * a payload over the limit, decoding is a pure function of its input, every
 * normalized path is relative with no "." or ".." segment, and normalizing
 * twice changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../www_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_decode(const uint8_t *data, size_t size)
{
	static uint8_t out[4096], again[4096];
	struct www_ws_frame f, g;
	size_t max = size ? data[0] * 16u : 0;	/* vary the limit with the input */
	ssize_t n = www_ws_decode(data, size, max, &f, out);

	if (n > 0) {
		if ((size_t)n > size || f.len > max || f.len > (size_t)n)
			abort();
		if (www_ws_decode(data, size, max, &g, again) != n || g.len != f.len ||
		    memcmp(out, again, f.len) != 0)
			abort();
		struct www_utf8 u = {0, 0, 0};
		(void)www_utf8_feed(&u, out, f.len);
	} else if (n < 0 && n != -WWW_WS_PROTOCOL && n != -WWW_WS_TOO_BIG) {
		abort();
	}
}

static void check_path(const uint8_t *data, size_t size)
{
	char in[512], out[512], twice[512];
	const char *p;

	if (size >= sizeof(in))
		size = sizeof(in) - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	if (www_path_normalize(in, out, sizeof(out)))
		return;
	if (out[0] == '/' || out[0] == '\0' || strstr(out, "//"))
		abort();
	for (p = out; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
		if (p[0] == '.')
			abort();	/* ".", "..", dot-files */
	if (www_path_normalize(out, twice, sizeof(twice)) || strcmp(out, twice) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size);
	check_path(data, size);
	return 0;
}
