/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sb.h — a growable string buffer for building wire bodies. Allocation
 * failure aborts: the daemon cannot answer without memory anyway.
 */
#ifndef XAPI_SB_H
#define XAPI_SB_H

#include <stddef.h>

struct sb {
	char *p;
	size_t len, cap;
};

void sb_add(struct sb *b, const char *s, size_t n);
/* A string literal, without strlen. */
#define SB_LIT(b, lit) sb_add((b), (lit), sizeof(lit) - 1)
/* Decimal text of v. */
void sb_addll(struct sb *b, long long v);
void sb_adds(struct sb *b, const char *s);
void sb_addc(struct sb *b, char c);
void sb_addf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the NUL-terminated text to the caller; the buffer is empty afterwards. */
char *sb_take(struct sb *b, size_t *len);
void sb_free(struct sb *b);

#endif
