/* SPDX-License-Identifier: GPL-2.0-only */
/* xe: value trees and the growable text buffer. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xe.h"

static struct xe_val *val_new(enum xe_vtype t)
{
	struct xe_val *v = calloc(1, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

struct xe_val *xe_val_strn(const char *s, size_t len)
{
	struct xe_val *v = val_new(XE_V_STRING);

	if (!v)
		return NULL;
	v->s = malloc(len + 1);
	if (!v->s) {
		free(v);
		return NULL;
	}
	memcpy(v->s, s, len);
	v->s[len] = '\0';
	return v;
}

struct xe_val *xe_val_str(const char *s)
{
	return xe_val_strn(s, strlen(s));
}

struct xe_val *xe_val_int(long long i)
{
	struct xe_val *v = val_new(XE_V_INT);

	if (v)
		v->i = i;
	return v;
}

struct xe_val *xe_val_bool(int b)
{
	struct xe_val *v = val_new(XE_V_BOOL);

	if (v)
		v->i = !!b;
	return v;
}

struct xe_val *xe_val_double(double d)
{
	struct xe_val *v = val_new(XE_V_DOUBLE);

	if (v)
		v->d = d;
	return v;
}

struct xe_val *xe_val_array(void)
{
	return val_new(XE_V_ARRAY);
}

struct xe_val *xe_val_struct(void)
{
	return val_new(XE_V_STRUCT);
}

static int grow(struct xe_val *c)
{
	size_t cap = c->cap ? c->cap * 2 : 8;
	struct xe_val **items;
	char **keys;

	if (c->n < c->cap)
		return 0;
	items = realloc(c->items, cap * sizeof(*items));
	if (!items)
		return -1;
	c->items = items;
	keys = realloc(c->keys, cap * sizeof(*keys));
	if (!keys)
		return -1;
	c->keys = keys;
	c->cap = cap;
	return 0;
}

int xe_val_push(struct xe_val *array, struct xe_val *v)
{
	if (!v)
		return -1;
	if (!array || array->type != XE_V_ARRAY || grow(array)) {
		xe_val_free(v);
		return -1;
	}
	array->keys[array->n] = NULL;
	array->items[array->n++] = v;
	return 0;
}

int xe_val_set(struct xe_val *st, const char *key, struct xe_val *v)
{
	char *k;

	if (!v)
		return -1;
	if (!st || st->type != XE_V_STRUCT || grow(st) || !(k = strdup(key))) {
		xe_val_free(v);
		return -1;
	}
	for (size_t i = 0; i < st->n; i++) {
		if (strcmp(st->keys[i], key) == 0) {  /* the last one wins */
			free(k);
			xe_val_free(st->items[i]);
			st->items[i] = v;
			return 0;
		}
	}
	st->keys[st->n] = k;
	st->items[st->n++] = v;
	return 0;
}

const struct xe_val *xe_val_get(const struct xe_val *st, const char *key)
{
	if (!st || st->type != XE_V_STRUCT)
		return NULL;
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->keys[i], key) == 0)
			return st->items[i];
	return NULL;
}

const char *xe_val_cstr(const struct xe_val *v)
{
	return v && v->type == XE_V_STRING ? v->s : NULL;
}

void xe_val_free(struct xe_val *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		xe_val_free(v->items[i]);
		free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

void xe_buf_add(struct xe_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void xe_buf_puts(struct xe_buf *b, const char *s)
{
	xe_buf_add(b, s, strlen(s));
}

void xe_buf_printf(struct xe_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		xe_buf_add(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);

	if (!big) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	xe_buf_add(b, big, (size_t)n);
	free(big);
}

void xe_buf_free(struct xe_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
