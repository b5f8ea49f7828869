/* SPDX-License-Identifier: GPL-2.0-only */
/* mb2.c — multiboot2 boot information parser (see mb2.h). */
#include "mb2.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* A string occupying [P, P+LEN) must end with a NUL inside it. */
static const char *tag_string(const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (p[i] == '\0')
			return (const char *)p;
	return NULL;
}

static int parse_module(const uint8_t *t, uint32_t size, struct mb2_info *info)
{
	struct mb2_module *m;

	if (size < 17)
		return -MB2_EINVAL;
	if (info->nr_modules >= MB2_MAX_MODULES)
		return -MB2_ENOSPC;
	m = &info->modules[info->nr_modules];
	m->start = rd32(t + 8);
	m->end = rd32(t + 12);
	m->string = tag_string(t + 16, size - 16);
	if (!m->string || m->end < m->start)
		return -MB2_EINVAL;
	info->nr_modules++;
	return 0;
}

static int parse_mmap(const uint8_t *t, uint32_t size, struct mb2_info *info)
{
	uint32_t esize;

	if (size < 16)
		return -MB2_EINVAL;
	esize = rd32(t + 8);
	if (esize < 24 || esize % 8)
		return -MB2_EINVAL;
	for (uint32_t off = 16; off + esize <= size; off += esize) {
		struct mb2_mmap_entry *e;

		if (info->nr_mmap >= MB2_MAX_MMAP)
			return -MB2_ENOSPC;
		e = &info->mmap[info->nr_mmap++];
		e->addr = rd64(t + off);
		e->len = rd64(t + off + 8);
		e->type = rd32(t + off + 16);
	}
	return 0;
}

static int parse_tag(const uint8_t *t, uint32_t type, uint32_t size, struct mb2_info *info)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		info->cmdline = tag_string(t + 8, size - 8);
		return info->cmdline ? 0 : -MB2_EINVAL;
	case MB2_TAG_LOADER:
		info->loader = tag_string(t + 8, size - 8);
		return info->loader ? 0 : -MB2_EINVAL;
	case MB2_TAG_MODULE:
		return parse_module(t, size, info);
	case MB2_TAG_MMAP:
		return parse_mmap(t, size, info);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		if (size < 8 + 20)
			return -MB2_EINVAL;
		if (type == MB2_TAG_ACPI_NEW || !info->rsdp) {
			info->rsdp = t + 8;
			info->rsdp_len = size - 8;
		}
		return 0;
	case MB2_TAG_EFI_MMAP:
		info->efi = true;
		return 0;
	case MB2_TAG_EFI_BS:
		info->efi_boot_services = true;
		return 0;
	default: /* tags we do not use are skipped */
		return 0;
	}
}

int mb2_parse(const void *buf, size_t buf_len, struct mb2_info *info)
{
	const uint8_t *b = buf;
	uint32_t total, off = 8;

	*info = (struct mb2_info){ 0 };
	if (!buf || buf_len < 16)
		return -MB2_EINVAL;
	total = rd32(b);
	if (total < 16 || total > buf_len || total % 8)
		return -MB2_EINVAL;
	info->total_size = total;
	while (off + 8 <= total) {
		uint32_t type = rd32(b + off), size = rd32(b + off + 4);
		int rc;

		if (size < 8 || size > total - off)
			return -MB2_EINVAL;
		if (type == MB2_TAG_END)
			return size == 8 ? 0 : -MB2_EINVAL;
		rc = parse_tag(b + off, type, size, info);
		if (rc)
			return rc;
		off += (size + 7) & ~7u;
	}
	return -MB2_EINVAL; /* no end tag */
}
