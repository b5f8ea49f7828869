/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: checks of domctl structures after copy-in (header, domid, fields). */
#include "domctl_check.h"
#include "unit.h"

#include <string.h>

#define HDR(s, mg, id) do {                                  \
		memset(&(s), 0, sizeof(s));                  \
		(s).hdr.magic = (mg);                        \
		(s).hdr.version = CAIRN_DOMCTL_VERSION;      \
		(s).hdr.size = sizeof(s);                    \
		(s).hdr.domid = (id);                        \
	} while (0)

static struct cairn_domctl_create good_create(void)
{
	struct cairn_domctl_create c;

	HDR(c, CAIRN_DOMCTL_CREATE_MAGIC, 0);
	c.memory_mb = 256;
	c.nr_vcpus = 2;
	c.weight = 512;
	c.cap = 150;
	strcpy(c.name, "web-1");
	return c;
}

#define CHECK_OP(op, s, rc) CHECK_EQ(domctl_check((op), &(s), sizeof(s)), (rc))

TEST(sizes_and_unknown_ops)
{
	CHECK_EQ(domctl_size(CAIRN_HC_DOMAIN_CREATE), sizeof(struct cairn_domctl_create));
	CHECK_EQ(domctl_size(CAIRN_HC_VCPU_SET_STATE), sizeof(struct cairn_domctl_vcpu));
	CHECK_EQ(domctl_size(CAIRN_HC_DOMAIN_CONSOLE_WRITE), sizeof(struct cairn_domctl_console));
	CHECK_EQ(domctl_size(CAIRN_HC_VERSION), 0);
	CHECK_EQ(domctl_size(CAIRN_HC_HOST_INFO), 0);
	CHECK_EQ(domctl_size(CAIRN_HC_MAX), 0);
	CHECK_EQ(domctl_size(~0ull), 0);
	struct cairn_domctl_create c = good_create();
	CHECK_EQ(domctl_check(CAIRN_HC_HOST_INFO, &c, sizeof(c)), -CAIRN_ENOSYS);
	CHECK_EQ(domctl_check(99, &c, sizeof(c)), -CAIRN_ENOSYS);
}

TEST(header_checks_come_first)
{
	struct cairn_domctl_create c = good_create();

	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, 0);
	CHECK_EQ(domctl_check(CAIRN_HC_DOMAIN_CREATE, &c, sizeof(c) - 4), -CAIRN_EINVAL);
	c.hdr.size = sizeof(c) + 4;
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create();
	c.hdr.magic = CAIRN_DOMCTL_LOAD_MAGIC;       /* another structure's magic */
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create();
	c.hdr.version = 2;
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	/* A domid op's structure passed to another op of the same shape is fine. */
	struct cairn_domctl_domid d;
	HDR(d, CAIRN_DOMCTL_DOMID_MAGIC, 3);
	CHECK_OP(CAIRN_HC_DOMAIN_PAUSE, d, 0);
	CHECK_OP(CAIRN_HC_DOMAIN_UNPAUSE, d, 0);
	CHECK_OP(CAIRN_HC_DOMAIN_DESTROY, d, 0);
	CHECK_EQ(domctl_check(CAIRN_HC_DOMAIN_QUERY, &d, sizeof(d)), -CAIRN_EINVAL);
}

TEST(create_fields)
{
	struct cairn_domctl_create c;

	c = good_create(); c.memory_mb = 15;
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create(); c.memory_mb = CAIRN_DOMCTL_MAX_MEMORY_MB + 1;
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create(); c.nr_vcpus = 0;
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create(); c.nr_vcpus = 17;
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create(); c.weight = 65536;
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create(); c.cap = 201;
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create(); c.weight = 0; c.cap = 0; c.name[0] = '\0';
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, 0);
	c = good_create(); c.name[2] = ' ';
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create(); memset(c.name, 'a', sizeof(c.name)); /* no NUL */
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, -CAIRN_EINVAL);
	c = good_create(); c.hdr.domid = 12345;                 /* an output: ignored */
	CHECK_OP(CAIRN_HC_DOMAIN_CREATE, c, 0);
}

TEST(domids)
{
	struct cairn_domctl_domid d;
	struct cairn_domctl_query q;
	struct cairn_domctl_list l;

	HDR(d, CAIRN_DOMCTL_DOMID_MAGIC, 0);
	CHECK_OP(CAIRN_HC_DOMAIN_DESTROY, d, -CAIRN_EPERM);
	CHECK_OP(CAIRN_HC_DOMAIN_PAUSE, d, -CAIRN_EPERM);
	d.hdr.domid = CAIRN_DOMID_MAX;
	CHECK_OP(CAIRN_HC_DOMAIN_DESTROY, d, 0);
	d.hdr.domid = CAIRN_DOMID_MAX + 1;
	CHECK_OP(CAIRN_HC_DOMAIN_DESTROY, d, -CAIRN_ENOENT);
	HDR(q, CAIRN_DOMCTL_QUERY_MAGIC, 0);                    /* dom0 may be queried */
	CHECK_OP(CAIRN_HC_DOMAIN_QUERY, q, 0);
	q.hdr.domid = 0xffffffff;
	CHECK_OP(CAIRN_HC_DOMAIN_QUERY, q, -CAIRN_ENOENT);
	HDR(l, CAIRN_DOMCTL_LIST_MAGIC, 0xffffffff);            /* a starting point */
	CHECK_OP(CAIRN_HC_DOMAIN_LIST, l, 0);
}

TEST(populate_and_load_ranges)
{
	struct cairn_domctl_populate p;
	struct cairn_domctl_load l;

	HDR(p, CAIRN_DOMCTL_POPULATE_MAGIC, 1);
	p.gpa = 0; p.size = 0xc0000000;
	CHECK_OP(CAIRN_HC_DOMAIN_POPULATE, p, 0);
	p.gpa = 0x100000000ull; p.size = 0x40000000;
	CHECK_OP(CAIRN_HC_DOMAIN_POPULATE, p, 0);
	p.gpa = 0x1000; p.size = 0;
	CHECK_OP(CAIRN_HC_DOMAIN_POPULATE, p, -CAIRN_EINVAL);
	p.gpa = 0x1800; p.size = 0x1000;
	CHECK_OP(CAIRN_HC_DOMAIN_POPULATE, p, -CAIRN_EINVAL);
	p.gpa = 0xfe000000; p.size = 0x1000000;                   /* into the APIC hole */
	CHECK_OP(CAIRN_HC_DOMAIN_POPULATE, p, -CAIRN_EINVAL);
	p.gpa = CAIRN_DOMCTL_GPA_LIMIT - 0x1000; p.size = 0x2000;
	CHECK_OP(CAIRN_HC_DOMAIN_POPULATE, p, -CAIRN_EINVAL);
	p.gpa = 0xfffffffffffff000ull; p.size = 0x2000;           /* wraps */
	CHECK_OP(CAIRN_HC_DOMAIN_POPULATE, p, -CAIRN_EINVAL);
	p.gpa = 0; p.size = 0x1000; p.hdr.domid = 0;
	CHECK_OP(CAIRN_HC_DOMAIN_POPULATE, p, -CAIRN_EPERM);

	HDR(l, CAIRN_DOMCTL_LOAD_MAGIC, 1);
	l.gpa = 0x1000123; l.buf = 0x7f0000001000ull; l.len = CAIRN_DOMCTL_COPY_MAX;
	CHECK_OP(CAIRN_HC_DOMAIN_LOAD, l, 0);
	l.len = CAIRN_DOMCTL_COPY_MAX + 1;
	CHECK_OP(CAIRN_HC_DOMAIN_LOAD, l, -CAIRN_EINVAL);
	l.len = 0;
	CHECK_OP(CAIRN_HC_DOMAIN_LOAD, l, -CAIRN_EINVAL);
	l.len = 16; l.buf = 0;
	CHECK_OP(CAIRN_HC_DOMAIN_LOAD, l, -CAIRN_EINVAL);
	l.buf = 0x0000800000000000ull;                            /* non-canonical */
	CHECK_OP(CAIRN_HC_DOMAIN_LOAD, l, -CAIRN_EINVAL);
	l.buf = 0x7f0000001000ull; l.gpa = 0xfee00000;
	CHECK_OP(CAIRN_HC_DOMAIN_LOAD, l, -CAIRN_EINVAL);
}

/* The 64-bit entry state the domain builder produces. */
static struct cairn_domctl_vcpu good_vcpu(void)
{
	struct cairn_domctl_vcpu v;

	HDR(v, CAIRN_DOMCTL_VCPU_MAGIC, 1);
	v.regs.rip = 0x1000200;
	v.regs.rflags = 2;
	v.regs.cr0 = 0x80000031;
	v.regs.cr3 = 0x10000;
	v.regs.cr4 = 0x20;
	v.regs.efer = 0x500;
	v.regs.gdtr_base = 0x1000;
	v.regs.gdtr_limit = 31;
	v.regs.seg[CAIRN_SEG_CS].selector = 0x10;
	v.regs.seg[CAIRN_SEG_CS].attr = 0xa9b;
	return v;
}

TEST(vcpu_state)
{
	struct cairn_domctl_vcpu v;

	v = good_vcpu();
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, 0);
	v = good_vcpu(); v.vcpu = CAIRN_DOMCTL_MAX_VCPUS;
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.cr0 = 0x80000000;                /* PG without PE */
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.cr4 = 0;                          /* long mode without PAE */
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.efer = 0x100;                     /* LME, paging on, no LMA */
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.efer = 0x1500;                    /* SVME is not the guest's */
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.seg[CAIRN_SEG_CS].attr |= 0x400;  /* L and D */
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.rip = 0x0000800000000000ull;
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.rflags = 0;                       /* bit 1 must be set */
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.rflags = 0x8002;                  /* reserved bit 15 */
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	v = good_vcpu(); v.regs.cr0 = 0x20000031 | 0x80000000;    /* NW without CD */
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
	/* Protected mode without paging, 32-bit: fine; a 64-bit RIP there is not. */
	v = good_vcpu(); v.regs.cr0 = 0x11; v.regs.cr4 = 0; v.regs.efer = 0;
	v.regs.seg[CAIRN_SEG_CS].attr = 0xc9b; v.regs.rip = 0x100000;
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, 0);
	v.regs.rip = 0x100000000ull;
	CHECK_OP(CAIRN_HC_VCPU_SET_STATE, v, -CAIRN_EINVAL);
}

TEST(console_lengths)
{
	struct cairn_domctl_console c;

	HDR(c, CAIRN_DOMCTL_CONSOLE_MAGIC, 4);
	c.len = CAIRN_DOMCTL_CONSOLE_MAX;
	CHECK_OP(CAIRN_HC_DOMAIN_CONSOLE_READ, c, 0);
	CHECK_OP(CAIRN_HC_DOMAIN_CONSOLE_WRITE, c, 0);
	c.len = CAIRN_DOMCTL_CONSOLE_MAX + 1;
	CHECK_OP(CAIRN_HC_DOMAIN_CONSOLE_WRITE, c, -CAIRN_EINVAL);
	c.len = 1; c.hdr.domid = 0;
	CHECK_OP(CAIRN_HC_DOMAIN_CONSOLE_READ, c, -CAIRN_EPERM);
}
