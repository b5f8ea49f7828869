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

TEST(domain_config_limits)
{
	struct hv_domain_config c = { .memory_mb = 256, .nr_vcpus = 2 };

	CHECK(hv_domain_config_error(&c) == NULL);
	c.name = "web-1";
	CHECK(hv_domain_config_error(&c) == NULL);
	c.name = "has space";
	CHECK(hv_domain_config_error(&c) != NULL);
	c.name = "0123456789012345678901234567890123";
	CHECK(hv_domain_config_error(&c) != NULL);
	c.name = NULL;
	c.memory_mb = CAIRN_DOMCTL_MIN_MEMORY_MB - 1;
	CHECK(hv_domain_config_error(&c) != NULL);
	c.memory_mb = CAIRN_DOMCTL_MAX_MEMORY_MB + 1;
	CHECK(hv_domain_config_error(&c) != NULL);
	c.memory_mb = 256;
	c.nr_vcpus = 0;
	CHECK(hv_domain_config_error(&c) != NULL);
	c.nr_vcpus = CAIRN_DOMCTL_MAX_VCPUS + 1;
	CHECK(hv_domain_config_error(&c) != NULL);
	c.nr_vcpus = 2;
	c.cap = 200;
	CHECK(hv_domain_config_error(&c) == NULL);
	c.cap = 201;
	CHECK(hv_domain_config_error(&c) != NULL);
	c.cap = 0;
	c.weight = 65536;
	CHECK(hv_domain_config_error(&c) != NULL);
}

TEST(domain_calls_refuse_bad_arguments_before_calling)
{
	struct hv_domain_config bad = { .memory_mb = 1, .nr_vcpus = 1 };
	static char big[CAIRN_DOMCTL_CONSOLE_MAX + 1];
	hv_handle *h = hv_open_path("/dev/null");
	uint32_t domid = 77;

	REQUIRE(h != NULL);
	CHECK_EQ(hv_domain_create(h, &bad, &domid), -EINVAL);
	CHECK_EQ(domid, 77);
	CHECK_EQ(hv_domain_populate(h, 1, 0x1001, 0x1000), -EINVAL);
	CHECK_EQ(hv_domain_populate(h, 1, 0x1000, 0), -EINVAL);
	CHECK_EQ(hv_domain_console_write(h, 1, big, sizeof(big)), -EINVAL);
	hv_close(h);
}

TEST(domain_calls_on_a_device_that_is_not_cairn_fail_with_enotty)
{
	struct hv_domain_config c = { .memory_mb = 256, .nr_vcpus = 2 };
	struct cairn_domctl_query q;
	struct cairn_vcpu_regs regs = { .rip = 0 };
	static uint8_t data[3 * CAIRN_DOMCTL_COPY_MAX];
	hv_handle *h = hv_open_path("/dev/null");
	uint32_t ids[4], domid;
	size_t nr = 9;
	char buf[16];

	REQUIRE(h != NULL);
	CHECK_EQ(hv_domain_create(h, &c, &domid), -ENOTTY);
	CHECK_EQ(hv_domain_populate(h, 1, 0, 0x100000), -ENOTTY);
	CHECK_EQ(hv_domain_load(h, 1, 0x1000, data, sizeof(data)), -ENOTTY);
	CHECK_EQ(hv_domain_load(h, 1, 0x1000, data, 0), 0); /* nothing to do */
	CHECK_EQ(hv_vcpu_set_state(h, 1, 0, &regs), -ENOTTY);
	CHECK_EQ(hv_domain_pause(h, 1), -ENOTTY);
	CHECK_EQ(hv_domain_unpause(h, 1), -ENOTTY);
	CHECK_EQ(hv_domain_destroy(h, 1), -ENOTTY);
	CHECK_EQ(hv_domain_list(h, ids, 4, &nr), -ENOTTY);
	CHECK_EQ(nr, 0);
	CHECK_EQ(hv_domain_query(h, 1, &q), -ENOTTY);
	CHECK_EQ(hv_domain_console_read(h, 1, buf, sizeof(buf), NULL), -ENOTTY);
	CHECK_EQ(hv_domain_console_write(h, 1, "x", 1), -ENOTTY);
	hv_close(h);
}

/* Every domctl structure: a size the ABI fixes (no padding surprises across compilers). */
TEST(domctl_structure_sizes)
{
	CHECK_EQ(sizeof(struct cairn_domctl_hdr), 16);
	CHECK_EQ(sizeof(struct cairn_domctl_create), 64);
	CHECK_EQ(sizeof(struct cairn_domctl_populate), 32);
	CHECK_EQ(sizeof(struct cairn_domctl_load), 40);
	CHECK_EQ(sizeof(struct cairn_domctl_vcpu), 416);
	CHECK_EQ(sizeof(struct cairn_domctl_domid), 16);
	CHECK_EQ(sizeof(struct cairn_domctl_list), 280);
	CHECK_EQ(sizeof(struct cairn_domctl_query), 224);
	CHECK_EQ(sizeof(struct cairn_domctl_console), 1048);
	CHECK_EQ(CAIRN_HC_DOMAIN_CREATE, CAIRN_HC_HOST_INFO + 1);
	CHECK_EQ(CAIRN_HC_MAX, CAIRN_HC_DOMAIN_CONSOLE_WRITE + 1);
}
