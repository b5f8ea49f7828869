/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl_check.h — validation of domain-control structures after copy-in.
 *
 * The hypervisor's domctl handlers do: size = domctl_size(op) (0: not a domctl
 * op); refuse a size argument that differs; copy exactly that many bytes in;
 * rc = domctl_check(op, buf, size); and act only when rc is 0. Everything that
 * can be decided from the structure alone is checked here, in the order
 * domctl.h states (size, magic, version, then the fields); what needs the
 * domain (does it exist, has it run, is vcpu < its nr_vcpus, is the range
 * populated) is the handler's. Pure and freestanding; returns 0 or a negative
 * CAIRN_E* errno.
 */
#ifndef CAIRN_DOMCTL_CHECK_H
#define CAIRN_DOMCTL_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "public/domctl.h"

/* sizeof the structure operation `op` takes, or 0 if `op` is not a domctl op. */
size_t domctl_size(uint64_t op);

/*
 * Checks the copied-in structure `buf` of `size` bytes for operation `op`:
 * -CAIRN_ENOSYS (not a domctl op), -CAIRN_EINVAL (size, magic, version or a
 * field), -CAIRN_EPERM (names dom0 where only domUs may be named),
 * -CAIRN_ENOENT (a domid above CAIRN_DOMID_MAX).
 */
int domctl_check(uint64_t op, const void *buf, size_t size);

/* VMRUN-style consistency of an initial vCPU state (used by domctl_check). */
int domctl_check_regs(const struct cairn_vcpu_regs *r);

#endif /* CAIRN_DOMCTL_CHECK_H */
