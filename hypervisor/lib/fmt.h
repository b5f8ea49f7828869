/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fmt.h — a small vsnprintf for the hypervisor's console.
 *
 * Supports %d %i %u %x %X %o %c %s %p %% with the flags '-', '0', '#', a field width
 * (number or '*'), a precision for %s, and the length modifiers hh h l ll z t j.
 * Always NUL-terminates when size > 0 and returns the length the whole output
 * would have had (like C99). Pure: compiled into the hypervisor and into the
 * host unit tests.
 */
#ifndef CAIRN_FMT_H
#define CAIRN_FMT_H

#include <stddef.h>

typedef __builtin_va_list fmt_va_list;
#define fmt_va_start(ap, last) __builtin_va_start(ap, last)
#define fmt_va_end(ap)         __builtin_va_end(ap)

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, fmt_va_list ap)
	__attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* CAIRN_FMT_H */
