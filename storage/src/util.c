/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * util.c — uuids, bounded string copies, LVM tag escaping.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "srint.h"

/* A random (version 4) uuid. */
void sr_uuid_new(char out[SR_UUID_LEN + 1])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n > 0)
			got += (size_t)n;
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, SR_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

/* True for the canonical 8-4-4-4-12 lower- or upper-case hex form. */
bool sr_uuid_valid(const char *s)
{
	int i;

	if (!s || strlen(s) != SR_UUID_LEN)
		return false;
	for (i = 0; i < SR_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

/* Copies SRC into DST; -1 (and an empty DST) if it does not fit. */
int sr_copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len) {
		if (len)
			dst[0] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

/* snprintf that reports truncation as -1. */
int sr_fmt(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, len, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

static bool tag_plain(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* Escapes S for use in an LVM tag: [A-Za-z0-9_.-] stay, every other byte
 * becomes "&xx" (lower-case hex); '&' is itself a valid tag character. */
int sr_tag_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (tag_plain(c)) {
			if (o + 1 >= len)
				return -1;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= len)
				return -1;
			out[o++] = '&';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= len)
		return -1;
	out[o] = '\0';
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reverses sr_tag_escape() on the N bytes at S. */
int sr_tag_unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '&') {
			int hi, lo;
			if (i + 2 >= n)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Finds tag KEY (exactly) or "KEY=value" in the comma list TAGS. */
static const char *tag_find(const char *tags, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *p = tags;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n >= klen && strncmp(p, key, klen) == 0 && (n == klen || p[klen] == '=')) {
			*vlen = n == klen ? 0 : n - klen - 1;
			return n == klen ? p + n : p + klen + 1;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

bool sr_tag_has(const char *tags, const char *key)
{
	size_t vlen;

	return tag_find(tags, key, &vlen) != NULL;
}

bool sr_tag_get(const char *tags, const char *key, char *val, size_t len)
{
	size_t vlen;
	const char *v = tag_find(tags, key, &vlen);

	if (!v)
		return false;
	return sr_tag_unescape(v, vlen, val, len) == 0;
}
