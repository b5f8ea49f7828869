/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: the hypervisor command-line parser. */
#include "cmdline.h"
#include "unit.h"

TEST(get_finds_values_and_bare_keys)
{
	char v[32];

	REQUIRE(cmdline_get("console=com1 dom0_mem=1G  loglvl=debug", "dom0_mem", v, sizeof(v)));
	CHECK_STR(v, "1G");
	REQUIRE(cmdline_get("noapic console=com1", "noapic", v, sizeof(v)));
	CHECK_STR(v, "");
	CHECK(!cmdline_get("dom0_memx=5 xdom0_mem=6", "dom0_mem", v, sizeof(v)));
	CHECK(!cmdline_get("", "a", v, sizeof(v)));
	CHECK(!cmdline_get(NULL, "a", v, sizeof(v)));
}

TEST(get_last_word_wins_and_truncates)
{
	char v[4];

	REQUIRE(cmdline_get("a=1 a=22\ta=333333", "a", v, sizeof(v)));
	CHECK_STR(v, "333");
}

TEST(parse_size_units)
{
	uint64_t n;

	CHECK(cmdline_parse_size("1G", &n) && n == 1ull << 30);
	CHECK(cmdline_parse_size("512m", &n) && n == 512ull << 20);
	CHECK(cmdline_parse_size("64K", &n) && n == 64ull << 10);
	CHECK(cmdline_parse_size("4096", &n) && n == 4096);
	CHECK(cmdline_parse_size("0x1000", &n) && n == 4096);
	CHECK(cmdline_parse_size("2MB", &n) && n == 2ull << 20);
	CHECK(cmdline_parse_size("1T", &n) && n == 1ull << 40);
}

TEST(parse_size_rejects_garbage_and_overflow)
{
	uint64_t n = 7;

	CHECK(!cmdline_parse_size("", &n));
	CHECK(!cmdline_parse_size("G", &n));
	CHECK(!cmdline_parse_size("12Q", &n));
	CHECK(!cmdline_parse_size("1G2", &n));
	CHECK(!cmdline_parse_size("99999999999999999999", &n));
	CHECK(!cmdline_parse_size("20000000000T", &n));
	CHECK(!cmdline_parse_u64("0x", &n));
	CHECK(!cmdline_parse_u64("12a", &n));
	CHECK(cmdline_parse_u64("18446744073709551615", &n) && n == UINT64_MAX);
	CHECK(!cmdline_parse_u64("18446744073709551616", &n));
}
