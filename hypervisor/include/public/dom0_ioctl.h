/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0_ioctl.h — the interface of dom0's /dev/cairn driver, used only by libhv.
 *
 * CAIRN_IOCTL_HYPERCALL issues one hypercall from the calling process's context,
 * so pointer arguments are that process's virtual addresses (see cairn.h). The
 * driver checks magic and version, refuses callers without CAP_SYS_ADMIN, makes
 * sure the pages behind pointer arguments are present, and returns the
 * hypercall's result in `result` (the ioctl itself returns 0 when the call was
 * made, whatever the hypercall answered).
 */
#ifndef CAIRN_PUBLIC_DOM0_IOCTL_H
#define CAIRN_PUBLIC_DOM0_IOCTL_H

#include "cairn.h"

#ifdef __KERNEL__
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define CAIRN_IOCTL_MAGIC 0x43484331u /* "CHC1" */
#define CAIRN_IOCTL_VERSION 1

struct cairn_ioctl_hypercall {
	cairn_u32 magic;   /* CAIRN_IOCTL_MAGIC */
	cairn_u32 version; /* CAIRN_IOCTL_VERSION */
	cairn_u64 op;
	cairn_u64 arg[5];
	cairn_u64 result;  /* out: RAX as returned by the hypervisor (a negative errno as u64) */
};

#define CAIRN_IOCTL_HYPERCALL _IOWR('C', 1, struct cairn_ioctl_hypercall)

#endif /* CAIRN_PUBLIC_DOM0_IOCTL_H */
