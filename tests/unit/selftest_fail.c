/*
 * Tests that must fail: tests/harness/test_unit_harness.py runs this binary and
 * expects each of them reported as FAIL and a non-zero exit. It is built into
 * $(BUILD)/unit-selftest/, outside the directory the normal runner scans.
 */
#include "unit.h"

#include <stdlib.h>

TEST(fails_check)
{
	CHECK_EQ(1, 2);
}

TEST(fails_require_and_stops)
{
	REQUIRE(0);
	abort(); /* never reached */
}

TEST(crashes)
{
	abort();
}

TEST(passes)
{
	CHECK(1);
}
