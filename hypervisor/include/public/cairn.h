/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cairn.h — Cairn's public hypercall ABI, version 1.
 *
 * Shared by the hypervisor, the dom0 driver, the tools and guests: it must compile
 * freestanding and in user space, on its own, with no other header than this.
 *
 * Calling convention: VMMCALL (SVM) or VMCALL (VMX) with the operation in RAX and
 * up to five arguments in RDI, RSI, RDX, R10 and R8. The result comes back in
 * RAX: zero or a positive value on success, a negative errno on failure. An
 * unknown operation returns -CAIRN_ENOSYS. All other registers are preserved.
 *
 * Pointers passed as arguments are guest-virtual addresses in the caller's
 * current address space (its CR3 at the time of the call). The hypervisor walks
 * the guest's page tables, checks that every byte lies in memory the calling
 * domain owns, and copies the data in or out; any failure returns -CAIRN_EFAULT
 * and nothing is written. Structures that cross the boundary start with a magic
 * and a version, checked before anything else is read.
 *
 * Only dom0 at CPL 0 may issue control operations; any call from CPL 3 returns
 * -CAIRN_EPERM.
 */
#ifndef CAIRN_PUBLIC_CAIRN_H
#define CAIRN_PUBLIC_CAIRN_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef __u32 cairn_u32;
typedef __u64 cairn_u64;
#else
#include <stdint.h>
typedef uint32_t cairn_u32;
typedef uint64_t cairn_u64;
#endif

#define CAIRN_ABI_VERSION 1

/* CPUID leaves: 0x40000000 returns the max leaf in EAX and "CairnCairnHV" in EBX, ECX, EDX. */
#define CAIRN_CPUID_BASE      0x40000000u
#define CAIRN_CPUID_SIGNATURE "CairnCairnHV"

/* Errors (negated in RAX); the same numbers as Linux's errno. */
#define CAIRN_EPERM  1
#define CAIRN_ENOENT 2
#define CAIRN_EFAULT 14
#define CAIRN_EBUSY  16
#define CAIRN_EEXIST 17
#define CAIRN_EINVAL 22
#define CAIRN_ENOSPC 28
#define CAIRN_ERANGE 34
#define CAIRN_ENOSYS 38
#define CAIRN_ENOMEM 12

/* Operations. */
enum cairn_hypercall_op {
	/* () -> (CAIRN_VERSION_MAJOR << 16) | CAIRN_VERSION_MINOR */
	CAIRN_HC_VERSION = 0,
	/* (const char *buf, u64 len) -> bytes written to the hypervisor console; len <= 4096 */
	CAIRN_HC_CONSOLE_WRITE = 1,
	/* (struct cairn_host_info *info) -> 0; the caller sets magic, version and size */
	CAIRN_HC_HOST_INFO = 2,
	/* Domain control, see domctl.h: (struct *, size) -> 0 or a negative errno. */
	CAIRN_HC_DOMAIN_CREATE = 3,
	CAIRN_HC_DOMAIN_POPULATE = 4,
	CAIRN_HC_DOMAIN_LOAD = 5,
	CAIRN_HC_VCPU_SET_STATE = 6,
	CAIRN_HC_DOMAIN_UNPAUSE = 7,
	CAIRN_HC_DOMAIN_PAUSE = 8,
	CAIRN_HC_DOMAIN_DESTROY = 9,
	CAIRN_HC_DOMAIN_LIST = 10,
	CAIRN_HC_DOMAIN_QUERY = 11,
	CAIRN_HC_DOMAIN_CONSOLE_READ = 12,
	CAIRN_HC_DOMAIN_CONSOLE_WRITE = 13,
	CAIRN_HC_MAX
};

#define CAIRN_CONSOLE_WRITE_MAX 4096

#define CAIRN_HOST_INFO_MAGIC 0x43484931u /* "CHI1" */
#define CAIRN_HOST_INFO_VERSION 1

struct cairn_host_info {
	cairn_u32 magic;         /* in: CAIRN_HOST_INFO_MAGIC */
	cairn_u32 version;       /* in: CAIRN_HOST_INFO_VERSION */
	cairn_u32 size;          /* in: sizeof(struct cairn_host_info) */
	cairn_u32 abi_version;   /* out: CAIRN_ABI_VERSION */
	char hv_version[32];     /* out: NUL-terminated, e.g. "0.1.0" */
	cairn_u32 nr_cpus;       /* out: CPUs the hypervisor brought up */
	cairn_u32 nr_dom0_cpus;  /* out: how many of them dom0 owns */
	cairn_u64 dom0_cpu_mask; /* out: bit n set = CPU n (APIC enumeration order) is dom0's */
	cairn_u64 total_pages;   /* out: 4 KiB pages in the hypervisor's allocator */
	cairn_u64 free_pages;    /* out: of those, free now */
	cairn_u64 dom0_pages;    /* out: 4 KiB pages of RAM given to dom0 */
	cairn_u64 hv_pages;      /* out: 4 KiB pages the hypervisor keeps for itself */
};

#endif /* CAIRN_PUBLIC_CAIRN_H */
