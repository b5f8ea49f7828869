/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: multiboot2 boot information parsing. */
#include <stdint.h>
#include <string.h>

#include "mb2.h"
#include "unit.h"

/* Builds a boot-information block tag by tag, as GRUB lays it out. */
struct builder {
	uint8_t buf[4096] __attribute__((aligned(8)));
	uint32_t len;
};

static void put32(struct builder *b, uint32_t v)
{
	memcpy(b->buf + b->len, &v, 4);
	b->len += 4;
}

static void put64(struct builder *b, uint64_t v)
{
	memcpy(b->buf + b->len, &v, 8);
	b->len += 8;
}

static void align8(struct builder *b)
{
	while (b->len % 8)
		b->buf[b->len++] = 0;
}

static void begin(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;
}

static void tag_string(struct builder *b, uint32_t type, const char *s)
{
	put32(b, type);
	put32(b, 8 + (uint32_t)strlen(s) + 1);
	memcpy(b->buf + b->len, s, strlen(s) + 1);
	b->len += (uint32_t)strlen(s) + 1;
	align8(b);
}

static void tag_module(struct builder *b, uint32_t start, uint32_t end, const char *s)
{
	put32(b, MB2_TAG_MODULE);
	put32(b, 16 + (uint32_t)strlen(s) + 1);
	put32(b, start);
	put32(b, end);
	memcpy(b->buf + b->len, s, strlen(s) + 1);
	b->len += (uint32_t)strlen(s) + 1;
	align8(b);
}

static void tag_mmap(struct builder *b, unsigned n)
{
	put32(b, MB2_TAG_MMAP);
	put32(b, 16 + 24 * n);
	put32(b, 24);
	put32(b, 0);
	for (unsigned i = 0; i < n; i++) {
		put64(b, (uint64_t)i << 30);
		put64(b, 1u << 20);
		put32(b, i % 2 ? 2 : 1);
		put32(b, 0);
	}
}

static void finish(struct builder *b)
{
	put32(b, MB2_TAG_END);
	put32(b, 8);
	memcpy(b->buf, &b->len, 4);
}

TEST(parses_grub_like_info)
{
	struct builder b;
	struct mb2_info info;
	uint8_t rsdp[20] = "RSD PTR ";

	begin(&b);
	tag_string(&b, MB2_TAG_CMDLINE, "dom0_mem=1G loglvl=debug");
	tag_string(&b, MB2_TAG_LOADER, "GRUB 2.06");
	tag_module(&b, 0x400000, 0xc00000, "/boot/vmlinuz console=ttyS0");
	tag_module(&b, 0xc00000, 0xd00000, "");
	tag_mmap(&b, 3);
	put32(&b, MB2_TAG_ACPI_OLD);
	put32(&b, 8 + 20);
	memcpy(b.buf + b.len, rsdp, 20);
	b.len += 20;
	align8(&b);
	finish(&b);
	REQUIRE(mb2_parse(b.buf, sizeof(b.buf), &info) == 0);
	CHECK_STR(info.cmdline, "dom0_mem=1G loglvl=debug");
	CHECK_STR(info.loader, "GRUB 2.06");
	REQUIRE(info.nr_modules == 2);
	CHECK_EQ_HEX(info.modules[0].start, 0x400000);
	CHECK_EQ_HEX(info.modules[0].end, 0xc00000);
	CHECK_STR(info.modules[0].string, "/boot/vmlinuz console=ttyS0");
	REQUIRE(info.nr_mmap == 3);
	CHECK_EQ_HEX(info.mmap[2].addr, 2ull << 30);
	CHECK_EQ(info.mmap[1].type, 2);
	CHECK(info.rsdp != NULL && info.rsdp_len == 20);
	CHECK(!info.efi);
}

TEST(rejects_tag_past_end)
{
	struct builder b;
	struct mb2_info info;

	begin(&b);
	tag_string(&b, MB2_TAG_CMDLINE, "x");
	finish(&b);
	memcpy(b.buf + 12, &(uint32_t){ 4000 }, 4); /* cmdline tag size beyond total */
	CHECK_EQ(mb2_parse(b.buf, sizeof(b.buf), &info), -MB2_EINVAL);
}

TEST(rejects_bad_total_and_missing_end)
{
	struct builder b;
	struct mb2_info info;

	begin(&b);
	tag_string(&b, MB2_TAG_CMDLINE, "x");
	memcpy(b.buf, &b.len, 4); /* no end tag */
	CHECK_EQ(mb2_parse(b.buf, sizeof(b.buf), &info), -MB2_EINVAL);
	finish(&b);
	CHECK_EQ(mb2_parse(b.buf, b.len - 8, &info), -MB2_EINVAL); /* total > buffer */
	CHECK_EQ(mb2_parse(NULL, 100, &info), -MB2_EINVAL);
}

TEST(rejects_unterminated_string_and_bad_module)
{
	struct builder b;
	struct mb2_info info;

	begin(&b);
	put32(&b, MB2_TAG_CMDLINE);
	put32(&b, 12);
	memcpy(b.buf + b.len, "abcd", 4); /* no NUL inside the tag */
	b.len += 4;
	finish(&b);
	CHECK_EQ(mb2_parse(b.buf, sizeof(b.buf), &info), -MB2_EINVAL);

	begin(&b);
	tag_module(&b, 0x2000, 0x1000, "backwards");
	finish(&b);
	CHECK_EQ(mb2_parse(b.buf, sizeof(b.buf), &info), -MB2_EINVAL);
}

TEST(too_many_modules_is_enospc)
{
	struct builder b;
	struct mb2_info info;

	begin(&b);
	for (unsigned i = 0; i < MB2_MAX_MODULES + 1; i++)
		tag_module(&b, 0x1000 * i, 0x1000 * i + 0x1000, "m");
	finish(&b);
	CHECK_EQ(mb2_parse(b.buf, sizeof(b.buf), &info), -MB2_ENOSPC);
}

TEST(efi_tags_and_bad_mmap_entry_size)
{
	struct builder b;
	struct mb2_info info;

	begin(&b);
	put32(&b, MB2_TAG_EFI_MMAP);
	put32(&b, 16);
	put64(&b, 0);
	finish(&b);
	REQUIRE(mb2_parse(b.buf, sizeof(b.buf), &info) == 0);
	CHECK(info.efi);

	begin(&b);
	put32(&b, MB2_TAG_MMAP);
	put32(&b, 16 + 24);
	put32(&b, 20); /* not a multiple of 8 */
	put32(&b, 0);
	b.len += 24;
	finish(&b);
	CHECK_EQ(mb2_parse(b.buf, sizeof(b.buf), &info), -MB2_EINVAL);
}
