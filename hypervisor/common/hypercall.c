/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall.c — the hypercall table (ABI v1, include/public/cairn.h).
 *
 * Design: hc_table[] is indexed by the operation; an op without an entry gets
 * -ENOSYS. Calls from CPL 3, and from domUs (but VERSION), are refused before
 * anything else; ops 3-13 go to domctl_dispatch() (common/domain.c). Pointer arguments
 * are guest-virtual and go through guest_copy_from/to (gmem.c), which validates
 * the whole range before copying; structures are copied in, then their magic,
 * version and size are checked.
 */
#include "hvm.h"
#include "percpu.h"

typedef long (*hc_fn)(struct vcpu *v, const u64 a[5]);

extern u64 dom0_pages_total, hv_pages_total;

static long hc_version(struct vcpu *v, const u64 a[5])
{
	return (HV_VERSION_MAJOR << 16) | HV_VERSION_MINOR;
}

static long hc_console_write(struct vcpu *v, const u64 a[5])
{
	static char buf[CAIRN_CONSOLE_WRITE_MAX]; /* dom0 is the only caller: one CPU */
	u64 len = a[1];
	int rc;

	if (len > CAIRN_CONSOLE_WRITE_MAX)
		return -CAIRN_EINVAL;
	if (!len)
		return 0;
	rc = guest_copy_from(v, buf, a[0], len);
	if (rc)
		return rc;
	for (u64 i = 0; i < len; i++) /* no terminal control sequences from guests */
		if ((buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\t') || buf[i] == 0x7f)
			buf[i] = '.';
	console_write(buf, len);
	return (long)len;
}

static long hc_host_info(struct vcpu *v, const u64 a[5])
{
	struct cairn_host_info hi;
	u64 total, free_pages;
	int rc;

	rc = guest_copy_from(v, &hi, a[0], 12); /* magic, version, size */
	if (rc)
		return rc;
	if (hi.magic != CAIRN_HOST_INFO_MAGIC || hi.version != CAIRN_HOST_INFO_VERSION ||
	    hi.size < sizeof(hi))
		return -CAIRN_EINVAL;
	memset(&hi, 0, sizeof(hi));
	hi.magic = CAIRN_HOST_INFO_MAGIC;
	hi.version = CAIRN_HOST_INFO_VERSION;
	hi.size = sizeof(hi);
	hi.abi_version = CAIRN_ABI_VERSION;
	strlcpy(hi.hv_version, HV_VERSION_STR, sizeof(hi.hv_version));
	for (unsigned i = 0; i < nr_cpus; i++) {
		if (!cpus[i]->online)
			continue;
		hi.nr_cpus++;
		if (cpus[i]->dom0 && i < 64) {
			hi.nr_dom0_cpus++;
			hi.dom0_cpu_mask |= 1ull << i;
		}
	}
	mm_stats(&total, &free_pages);
	hi.total_pages = total;
	hi.free_pages = free_pages;
	hi.dom0_pages = dom0_pages_total;
	hi.hv_pages = hv_pages_total + (total - free_pages);
	return guest_copy_to(v, a[0], &hi, sizeof(hi));
}

/* Ops 3-13: domain control (common/domain.c), dom0 only. */
#define HC_DOMCTL(name, op) \
	static long name(struct vcpu *v, const u64 a[5]) { return domctl_dispatch(v, op, a); }
HC_DOMCTL(hc_domctl_create, CAIRN_HC_DOMAIN_CREATE)
HC_DOMCTL(hc_domctl_populate, CAIRN_HC_DOMAIN_POPULATE)
HC_DOMCTL(hc_domctl_load, CAIRN_HC_DOMAIN_LOAD)
HC_DOMCTL(hc_domctl_vcpu, CAIRN_HC_VCPU_SET_STATE)
HC_DOMCTL(hc_domctl_unpause, CAIRN_HC_DOMAIN_UNPAUSE)
HC_DOMCTL(hc_domctl_pause, CAIRN_HC_DOMAIN_PAUSE)
HC_DOMCTL(hc_domctl_destroy, CAIRN_HC_DOMAIN_DESTROY)
HC_DOMCTL(hc_domctl_list, CAIRN_HC_DOMAIN_LIST)
HC_DOMCTL(hc_domctl_query, CAIRN_HC_DOMAIN_QUERY)
HC_DOMCTL(hc_domctl_con_read, CAIRN_HC_DOMAIN_CONSOLE_READ)
HC_DOMCTL(hc_domctl_con_write, CAIRN_HC_DOMAIN_CONSOLE_WRITE)

static const hc_fn hc_table[CAIRN_HC_MAX] = {
	[CAIRN_HC_VERSION] = hc_version,
	[CAIRN_HC_CONSOLE_WRITE] = hc_console_write,
	[CAIRN_HC_HOST_INFO] = hc_host_info,
	[CAIRN_HC_DOMAIN_CREATE] = hc_domctl_create,
	[CAIRN_HC_DOMAIN_POPULATE] = hc_domctl_populate,
	[CAIRN_HC_DOMAIN_LOAD] = hc_domctl_load,
	[CAIRN_HC_VCPU_SET_STATE] = hc_domctl_vcpu,
	[CAIRN_HC_DOMAIN_UNPAUSE] = hc_domctl_unpause,
	[CAIRN_HC_DOMAIN_PAUSE] = hc_domctl_pause,
	[CAIRN_HC_DOMAIN_DESTROY] = hc_domctl_destroy,
	[CAIRN_HC_DOMAIN_LIST] = hc_domctl_list,
	[CAIRN_HC_DOMAIN_QUERY] = hc_domctl_query,
	[CAIRN_HC_DOMAIN_CONSOLE_READ] = hc_domctl_con_read,
	[CAIRN_HC_DOMAIN_CONSOLE_WRITE] = hc_domctl_con_write,
};

long hypercall_dispatch(struct vcpu *v, unsigned cpl, u64 op, const u64 args[5])
{
	static unsigned refused;

	if (cpl != 0) {
		if (refused++ < 4)
			pr_warn("dom%u: hypercall %llu from CPL %u refused", v->dom->id,
				(unsigned long long)op, cpl);
		return -CAIRN_EPERM;
	}
	if (v->dom->id != 0 && op != CAIRN_HC_VERSION) {
		if (refused++ < 4)
			pr_warn("dom%u: hypercall %llu refused: only dom0 may call it", v->dom->id,
				(unsigned long long)op);
		return -CAIRN_EPERM;
	}
	if (op >= ARRAY_SIZE(hc_table) || !hc_table[op]) {
		pr_debug("dom%u: unknown hypercall %llu", v->dom->id, (unsigned long long)op);
		return -CAIRN_ENOSYS;
	}
	return hc_table[op](v, args);
}
