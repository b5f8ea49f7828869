/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl_check.c — per-operation checks of domctl structures.
 *
 * Design: a table indexed by operation gives the structure's size and magic,
 * whether the domid may be dom0, and a field checker. domctl_check() does the
 * common part (size, magic, version, domid) and then the row's checker. The
 * structure has already been copied out of the guest: nothing here reads guest
 * memory, and every field is read once from that private copy.
 */
#include "domctl_check.h"

#include <stdbool.h>

/* Guest-physical hole a domain's RAM may not cover: I/O APIC, local APIC, firmware. */
#define GPA_HOLE_START 0xfec00000ull
#define GPA_HOLE_END   0x100000000ull

#define CR0_PE  (1ull << 0)
#define CR0_NW  (1ull << 29)
#define CR0_CD  (1ull << 30)
#define CR0_PG  (1ull << 31)
#define CR4_PAE (1ull << 5)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_SVME (1ull << 12)
#define RFLAGS_FIXED1 (1ull << 1)
#define RFLAGS_RESERVED 0xffffffffffc08028ull /* bits 3, 5, 15, 22-63 */
#define SEG_ATTR_L (1u << 9)
#define SEG_ATTR_D (1u << 10)

enum domid_rule {
	DOMID_ANY,      /* 0..CAIRN_DOMID_MAX, dom0 included */
	DOMID_DOMU,     /* 1..CAIRN_DOMID_MAX; dom0 is -EPERM */
	DOMID_IGNORED,  /* an output (CREATE) or a starting point (LIST) */
};

struct domctl_row {
	size_t size;
	uint32_t magic;
	enum domid_rule domid;
	int (*check)(const void *buf);
};

static bool canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static int check_name(const char *name)
{
	unsigned i;

	for (i = 0; i < CAIRN_DOMCTL_NAME_MAX; i++) {
		if (!name[i])
			return 0;
		if (name[i] < 0x21 || name[i] > 0x7e)
			return -CAIRN_EINVAL;
	}
	return -CAIRN_EINVAL; /* no NUL */
}

static int check_create(const void *buf)
{
	const struct cairn_domctl_create *c = buf;

	if (c->memory_mb < CAIRN_DOMCTL_MIN_MEMORY_MB || c->memory_mb > CAIRN_DOMCTL_MAX_MEMORY_MB ||
	    c->nr_vcpus < 1 || c->nr_vcpus > CAIRN_DOMCTL_MAX_VCPUS ||
	    c->weight > CAIRN_DOMCTL_WEIGHT_MAX || c->cap > 100 * c->nr_vcpus)
		return -CAIRN_EINVAL;
	return check_name(c->name);
}

/* [gpa, gpa + size) is page-aligned, non-empty, below the limit, outside the hole. */
static int check_gpa_range(uint64_t gpa, uint64_t size, uint64_t align)
{
	if (!size || ((gpa | size) & (align - 1)) || size > CAIRN_DOMCTL_GPA_LIMIT ||
	    gpa > CAIRN_DOMCTL_GPA_LIMIT - size)
		return -CAIRN_EINVAL;
	if (gpa < GPA_HOLE_END && gpa + size > GPA_HOLE_START)
		return -CAIRN_EINVAL;
	return 0;
}

static int check_populate(const void *buf)
{
	const struct cairn_domctl_populate *p = buf;

	return check_gpa_range(p->gpa, p->size, 0x1000);
}

static int check_load(const void *buf)
{
	const struct cairn_domctl_load *l = buf;

	if (!l->len || l->len > CAIRN_DOMCTL_COPY_MAX || !l->buf || !canonical(l->buf) ||
	    !canonical(l->buf + l->len - 1))
		return -CAIRN_EINVAL;
	return check_gpa_range(l->gpa, l->len, 1);
}

static int check_long_mode(const struct cairn_vcpu_regs *r)
{
	const struct cairn_segment *cs = &r->seg[CAIRN_SEG_CS];
	bool lma = r->efer & EFER_LMA;

	if (!!(r->efer & EFER_LME) != lma && (r->cr0 & CR0_PG))
		return -CAIRN_EINVAL; /* LMA follows LME once paging is on */
	if (lma && (!(r->cr0 & CR0_PG) || !(r->cr4 & CR4_PAE)))
		return -CAIRN_EINVAL;
	if ((r->efer & EFER_LME) && (r->cr0 & CR0_PG) && !(r->cr4 & CR4_PAE))
		return -CAIRN_EINVAL;
	if (lma && (cs->attr & SEG_ATTR_L) && (cs->attr & SEG_ATTR_D))
		return -CAIRN_EINVAL;
	if (lma && (cs->attr & SEG_ATTR_L) && !canonical(r->rip))
		return -CAIRN_EINVAL;
	if (!lma && r->rip >> 32)
		return -CAIRN_EINVAL;
	return 0;
}

int domctl_check_regs(const struct cairn_vcpu_regs *r)
{
	if ((r->cr0 & CR0_PG) && !(r->cr0 & CR0_PE))
		return -CAIRN_EINVAL;
	if ((r->cr0 & CR0_NW) && !(r->cr0 & CR0_CD))
		return -CAIRN_EINVAL;
	if (r->cr0 >> 32 || r->cr4 >> 32 || (r->efer & ~(EFER_LME | EFER_LMA | 0x801ull)))
		return -CAIRN_EINVAL; /* EFER: SCE, NXE, LME, LMA only; SVME is the hypervisor's */
	if (!(r->rflags & RFLAGS_FIXED1) || (r->rflags & RFLAGS_RESERVED))
		return -CAIRN_EINVAL;
	if (!canonical(r->gdtr_base) || !canonical(r->idtr_base) || r->gdtr_limit > 0xffff ||
	    r->idtr_limit > 0xffff)
		return -CAIRN_EINVAL;
	return check_long_mode(r);
}

static int check_vcpu(const void *buf)
{
	const struct cairn_domctl_vcpu *v = buf;

	if (v->vcpu >= CAIRN_DOMCTL_MAX_VCPUS || v->pad)
		return -CAIRN_EINVAL;
	return domctl_check_regs(&v->regs);
}

static int check_none(const void *buf)
{
	(void)buf;
	return 0;
}

static int check_console(const void *buf)
{
	const struct cairn_domctl_console *c = buf;

	return c->len > CAIRN_DOMCTL_CONSOLE_MAX ? -CAIRN_EINVAL : 0;
}

#define ROW(type, mg, rule, fn) { sizeof(struct type), mg, rule, fn }

static const struct domctl_row domctl_rows[CAIRN_HC_MAX] = {
	[CAIRN_HC_DOMAIN_CREATE] = ROW(cairn_domctl_create, CAIRN_DOMCTL_CREATE_MAGIC,
				       DOMID_IGNORED, check_create),
	[CAIRN_HC_DOMAIN_POPULATE] = ROW(cairn_domctl_populate, CAIRN_DOMCTL_POPULATE_MAGIC,
					 DOMID_DOMU, check_populate),
	[CAIRN_HC_DOMAIN_LOAD] = ROW(cairn_domctl_load, CAIRN_DOMCTL_LOAD_MAGIC, DOMID_DOMU,
				     check_load),
	[CAIRN_HC_VCPU_SET_STATE] = ROW(cairn_domctl_vcpu, CAIRN_DOMCTL_VCPU_MAGIC, DOMID_DOMU,
					check_vcpu),
	[CAIRN_HC_DOMAIN_UNPAUSE] = ROW(cairn_domctl_domid, CAIRN_DOMCTL_DOMID_MAGIC, DOMID_DOMU,
					check_none),
	[CAIRN_HC_DOMAIN_PAUSE] = ROW(cairn_domctl_domid, CAIRN_DOMCTL_DOMID_MAGIC, DOMID_DOMU,
				      check_none),
	[CAIRN_HC_DOMAIN_DESTROY] = ROW(cairn_domctl_domid, CAIRN_DOMCTL_DOMID_MAGIC, DOMID_DOMU,
					check_none),
	[CAIRN_HC_DOMAIN_LIST] = ROW(cairn_domctl_list, CAIRN_DOMCTL_LIST_MAGIC, DOMID_IGNORED,
				     check_none),
	[CAIRN_HC_DOMAIN_QUERY] = ROW(cairn_domctl_query, CAIRN_DOMCTL_QUERY_MAGIC, DOMID_ANY,
				      check_none),
	[CAIRN_HC_DOMAIN_CONSOLE_READ] = ROW(cairn_domctl_console, CAIRN_DOMCTL_CONSOLE_MAGIC,
					     DOMID_DOMU, check_console),
	[CAIRN_HC_DOMAIN_CONSOLE_WRITE] = ROW(cairn_domctl_console, CAIRN_DOMCTL_CONSOLE_MAGIC,
					      DOMID_DOMU, check_console),
};

static const struct domctl_row *find_row(uint64_t op)
{
	if (op >= CAIRN_HC_MAX || !domctl_rows[op].check)
		return NULL;
	return &domctl_rows[op];
}

size_t domctl_size(uint64_t op)
{
	const struct domctl_row *row = find_row(op);

	return row ? row->size : 0;
}

static int check_domid(enum domid_rule rule, uint32_t domid)
{
	if (rule == DOMID_IGNORED)
		return 0;
	if (domid > CAIRN_DOMID_MAX)
		return -CAIRN_ENOENT;
	if (rule == DOMID_DOMU && domid == 0)
		return -CAIRN_EPERM;
	return 0;
}

int domctl_check(uint64_t op, const void *buf, size_t size)
{
	const struct domctl_row *row = find_row(op);
	const struct cairn_domctl_hdr *hdr = buf;
	int rc;

	if (!row)
		return -CAIRN_ENOSYS;
	if (size != row->size || hdr->size != row->size)
		return -CAIRN_EINVAL;
	if (hdr->magic != row->magic || hdr->version != CAIRN_DOMCTL_VERSION)
		return -CAIRN_EINVAL;
	rc = check_domid(row->domid, hdr->domid);
	return rc ? rc : row->check(buf);
}
