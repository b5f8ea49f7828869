/* The harness's own tests; selftest_fail.c holds the ones that must fail. */
#include "unit.h"

TEST(check_macros_pass)
{
	CHECK(1 + 1 == 2);
	CHECK_EQ(-3, -3);
	CHECK_EQ_HEX(0xfeedULL, 0xfeed);
	CHECK_STR("cairn", "cairn");
	CHECK_MEM("abc", "abc", 3);
	REQUIRE(sizeof(long) == 8);
}
