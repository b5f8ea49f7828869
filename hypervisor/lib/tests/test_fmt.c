/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: the console's vsnprintf. */
#include <stdio.h>

#include "fmt.h"
#include "unit.h"

#define CHECK_FMT(want, ...)                                                   \
	do {                                                                   \
		char b_[128], r_[128];                                         \
		int n_ = fmt_snprintf(b_, sizeof(b_), __VA_ARGS__);            \
		snprintf(r_, sizeof(r_), "%s", want);                          \
		CHECK_STR(b_, r_);                                             \
		CHECK_EQ(n_, (int)strlen(r_));                                 \
	} while (0)

TEST(integers)
{
	CHECK_FMT("42 -7 4294967295", "%d %i %u", 42, -7, 4294967295u);
	CHECK_FMT("ff FF 0x1f 17", "%x %X %#x %o", 255, 255, 31, 15);
	CHECK_FMT("-9223372036854775808", "%lld", (long long)(-9223372036854775807LL - 1));
	CHECK_FMT("18446744073709551615", "%llu", 18446744073709551615ull);
	CHECK_FMT("0x00001000", "%#010llx", 0x1000ull);
	CHECK_FMT("0", "%#x", 0);
	CHECK_FMT("   12|12   |0012", "%5d|%-5d|%04d", 12, 12, 12);
	CHECK_FMT("  -5", "%*d", 4, -5);
	CHECK_FMT("300 44", "%zu %hhu", (size_t)300, 300);
}

TEST(strings_chars_pointers)
{
	CHECK_FMT("ab|  ab|ab  |a", "%s|%4s|%-4s|%.1s", "ab", "ab", "ab", "abc");
	const char *volatile nul = NULL;

	CHECK_FMT("(null)", "%s", nul);
	CHECK_FMT("x%", "%c%%", 'x');
	CHECK_FMT("0xdeadbeef", "%p", (void *)0xdeadbeefUL);
}

TEST(truncates_and_reports_full_length)
{
	char b[8];
	int n = fmt_snprintf(b, sizeof(b), "%s", "hello, world");

	CHECK_EQ(n, 12);
	CHECK_STR(b, "hello, ");
	CHECK_EQ(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

TEST(unknown_conversion_is_visible)
{
	char b[16];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	fmt_snprintf(b, sizeof(b), "a%qb", 1);
#pragma GCC diagnostic pop
	CHECK_STR(b, "a%qb");
}
