/* SPDX-License-Identifier: GPL-2.0-only */
/* cmdline.c — "key=value" words of the hypervisor command line (see cmdline.h). */
#include "cmdline.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool word_has_key(const char *w, size_t wlen, const char *key, size_t *vpos)
{
	size_t k = 0;

	while (key[k] && k < wlen && w[k] == key[k])
		k++;
	if (key[k])
		return false;
	if (k == wlen) {
		*vpos = wlen;
		return true;
	}
	if (w[k] == '=') {
		*vpos = k + 1;
		return true;
	}
	return false;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t val_size)
{
	bool found = false;
	const char *p = cmdline;

	if (!cmdline || !key || !*key)
		return false;
	while (*p) {
		const char *w;
		size_t wlen = 0, vpos;

		while (is_space(*p))
			p++;
		w = p;
		while (*p && !is_space(*p))
			p++;
		wlen = (size_t)(p - w);
		if (!wlen || !word_has_key(w, wlen, key, &vpos))
			continue;
		found = true;
		if (val && val_size) {
			size_t n = 0;

			while (vpos + n < wlen && n + 1 < val_size) {
				val[n] = w[vpos + n];
				n++;
			}
			val[n] = '\0';
		}
	}
	return found;
}

static int digit(char c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

/* Parses the number at *S, advancing *S past it. */
static bool parse_num(const char **s, uint64_t *out)
{
	const char *p = *s;
	unsigned base = 10;
	uint64_t v = 0;
	int d, n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	while ((d = digit(*p, base)) >= 0) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
		p++;
		n++;
	}
	if (!n)
		return false;
	*s = p;
	*out = v;
	return true;
}

bool cmdline_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v;

	if (!s || !parse_num(&s, &v) || *s)
		return false;
	*out = v;
	return true;
}

bool cmdline_parse_size(const char *s, uint64_t *out)
{
	uint64_t v;
	unsigned shift = 0;

	if (!s || !parse_num(&s, &v))
		return false;
	switch (*s) {
	case 'k': case 'K': shift = 10; s++; break;
	case 'm': case 'M': shift = 20; s++; break;
	case 'g': case 'G': shift = 30; s++; break;
	case 't': case 'T': shift = 40; s++; break;
	default: break;
	}
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s)
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}
