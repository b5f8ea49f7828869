/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fmt.c — vsnprintf for the hypervisor console (see fmt.h).
 *
 * Design: one pass over the format; every character goes through out(), which
 * counts it and stores it only while there is room, so truncation needs no
 * special case and the return value is the untruncated length.
 */
#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

struct fmt_spec {
	bool left;
	bool zero;
	bool alt;  /* '#': 0x prefix for non-zero hex */
	int width;
	int prec; /* -1: none */
	int lmod; /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t */
};

static void out(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct fmt_out *o, int n, char c)
{
	while (n-- > 0)
		out(o, c);
}

static void put_str(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		pad(o, sp->width - n, ' ');
	for (int i = 0; i < n; i++)
		out(o, s[i]);
	if (sp->left)
		pad(o, sp->width - n, ' ');
}

static void put_num(struct fmt_out *o, const struct fmt_spec *sp, uint64_t v, bool neg,
		    unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		prefix = "-";
	while (prefix && prefix[plen])
		plen++;
	len = n + plen;
	if (!sp->left && !sp->zero)
		pad(o, sp->width - len, ' ');
	for (int i = 0; i < plen; i++)
		out(o, prefix[i]);
	if (!sp->left && sp->zero)
		pad(o, sp->width - len, '0');
	while (n)
		out(o, tmp[--n]);
	if (sp->left)
		pad(o, sp->width - len, ' ');
}

static const char *parse_spec(const char *f, struct fmt_spec *sp, fmt_va_list *ap)
{
	*sp = (struct fmt_spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = __builtin_va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		sp->prec = 0;
		f++;
		if (*f == '*') {
			sp->prec = __builtin_va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	if (*f == 'h') {
		sp->lmod = -1;
		if (*++f == 'h') {
			sp->lmod = -2;
			f++;
		}
	} else if (*f == 'l') {
		sp->lmod = 1;
		if (*++f == 'l') {
			sp->lmod = 2;
			f++;
		}
	} else if (*f == 'z' || *f == 't' || *f == 'j') {
		sp->lmod = 3;
		f++;
	}
	return f;
}

static int64_t arg_signed(const struct fmt_spec *sp, fmt_va_list *ap)
{
	switch (sp->lmod) {
	case 1: return __builtin_va_arg(*ap, long);
	case 2: return __builtin_va_arg(*ap, long long);
	case 3: return __builtin_va_arg(*ap, long);
	case -1: return (short)__builtin_va_arg(*ap, int);
	case -2: return (signed char)__builtin_va_arg(*ap, int);
	default: return __builtin_va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(const struct fmt_spec *sp, fmt_va_list *ap)
{
	switch (sp->lmod) {
	case 1: return __builtin_va_arg(*ap, unsigned long);
	case 2: return __builtin_va_arg(*ap, unsigned long long);
	case 3: return __builtin_va_arg(*ap, size_t);
	case -1: return (unsigned short)__builtin_va_arg(*ap, unsigned int);
	case -2: return (unsigned char)__builtin_va_arg(*ap, unsigned int);
	default: return __builtin_va_arg(*ap, unsigned int);
	}
}

static void convert(struct fmt_out *o, char c, struct fmt_spec *sp, fmt_va_list *ap)
{
	int64_t s;
	uint64_t u;
	char ch[2] = { 0, 0 };

	switch (c) {
	case 'd':
	case 'i':
		s = arg_signed(sp, ap);
		put_num(o, sp, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false, NULL);
		break;
	case 'u':
		put_num(o, sp, arg_unsigned(sp, ap), false, 10, false, NULL);
		break;
	case 'x':
	case 'X':
		u = arg_unsigned(sp, ap);
		put_num(o, sp, u, false, 16, c == 'X', sp->alt && u ? (c == 'X' ? "0X" : "0x") : NULL);
		break;
	case 'o':
		put_num(o, sp, arg_unsigned(sp, ap), false, 8, false, NULL);
		break;
	case 'p':
		put_num(o, sp, (uintptr_t)__builtin_va_arg(*ap, void *), false, 16, false, "0x");
		break;
	case 'c':
		ch[0] = (char)__builtin_va_arg(*ap, int);
		sp->prec = 1;
		put_str(o, sp, ch);
		break;
	case 's':
		put_str(o, sp, __builtin_va_arg(*ap, const char *));
		break;
	case '%':
		out(o, '%');
		break;
	default: /* unknown conversion: show it, so the bug is visible */
		out(o, '%');
		out(o, c);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *f, fmt_va_list ap)
{
	struct fmt_out o = { buf, size, 0 };
	struct fmt_spec sp;
	fmt_va_list aq;

	__builtin_va_copy(aq, ap);
	while (*f) {
		if (*f != '%') {
			out(&o, *f++);
			continue;
		}
		f = parse_spec(f + 1, &sp, &aq);
		if (!*f)
			break;
		convert(&o, *f++, &sp, &aq);
	}
	__builtin_va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *f, ...)
{
	fmt_va_list ap;
	int n;

	fmt_va_start(ap, f);
	n = fmt_vsnprintf(buf, size, f, ap);
	fmt_va_end(ap);
	return n;
}
