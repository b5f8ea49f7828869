/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of libhv that need no hypervisor: CPU list formatting, and clean
 * failures when the device is missing or is not /dev/cairn.
 */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include "libhv.h"

static const char *fmt(uint64_t mask)
{
	static char buf[256];

	return hv_format_cpumask(mask, buf, sizeof(buf)) < 0 ? "ERR" : buf;
}

TEST(cpumask_lists)
{
	CHECK_STR(fmt(0), "none");
	CHECK_STR(fmt(1), "0");
	CHECK_STR(fmt(0xf), "0-3");
	CHECK_STR(fmt(0xd), "0,2-3");
	CHECK_STR(fmt(0x8000000000000001ull), "0,63");
	CHECK_STR(fmt(0xc000000000000000ull), "62-63");
	CHECK_STR(fmt(~0ull), "0-63");
	CHECK_STR(fmt(0x5555555555555555ull),
		  "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44,46,"
		  "48,50,52,54,56,58,60,62");
}

TEST(cpumask_short_buffer)
{
	char buf[4];

	CHECK_EQ(hv_format_cpumask(0x7, buf, sizeof(buf)), 3);
	CHECK_STR(buf, "0-2");
	CHECK_EQ(hv_format_cpumask(0xf000, buf, sizeof(buf)), -ENOSPC);
	CHECK_EQ(hv_format_cpumask(0, buf, 4), -ENOSPC);
	CHECK_EQ(hv_format_cpumask(1, buf, 0), -ENOSPC);
}

TEST(open_missing_device_fails_cleanly)
{
	errno = 0;
	CHECK(hv_open_path("/nonexistent/cairn") == NULL);
	CHECK_EQ(errno, ENOENT);
}

TEST(calls_on_a_device_that_is_not_cairn_fail_with_enotty)
{
	struct cairn_host_info info;
	hv_handle *h = hv_open_path("/dev/null");

	REQUIRE(h != NULL);
	CHECK_EQ(hv_version(h), -ENOTTY);
	CHECK_EQ(hv_host_info(h, &info), -ENOTTY);
	CHECK_EQ(hv_console_write(h, "x", 1), -ENOTTY);
	hv_close(h);
}

TEST(console_write_rejects_oversized_buffers_before_calling)
{
	static char big[CAIRN_CONSOLE_WRITE_MAX + 1];
	hv_handle *h = hv_open_path("/dev/null");

	REQUIRE(h != NULL);
	CHECK_EQ(hv_console_write(h, big, sizeof(big)), -EINVAL);
	hv_close(h);
}
