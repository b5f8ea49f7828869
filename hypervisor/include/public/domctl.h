/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl.h — Cairn's domain-control hypercalls (create, load, run and destroy
 * domUs), ABI version 1. Part of the public ABI: compiles freestanding and in
 * user space, on its own, with no other header than cairn.h.
 *
 * Calling convention (see cairn.h): every operation takes two arguments, a
 * pointer to its structure (RDI) and that structure's size in bytes (RSI). The
 * hypervisor copies the whole structure in, then checks, in this order: the
 * size argument equals sizeof the structure and the structure's `size` field
 * (-EINVAL), the magic and the version (-EINVAL), then the fields. Nothing is
 * changed when a check fails. Outputs are copied back to the same structure
 * when the operation succeeds. Only dom0 at CPL 0 may call these (-EPERM).
 *
 * Domain ids are like Xen's: dom0 is 0; domUs get 1..CAIRN_DOMID_MAX, never
 * reused while the domain exists. Operations on domid 0 or on an id that names
 * no domain return -ENOENT (-EPERM for dom0 where it is named explicitly below).
 *
 * Lifecycle: CREATE makes a paused domain with no memory; POPULATE gives it
 * guest-physical RAM; LOAD copies the kernel, initrd and boot structures in;
 * VCPU_SET_STATE sets each vCPU's initial registers; UNPAUSE starts it. PAUSE
 * and UNPAUSE may repeat. DESTROY stops the vCPUs and returns every page to the
 * hypervisor's allocator; the id disappears from LIST.
 *
 * Errors common to every operation: -EPERM (not dom0 at CPL 0), -EFAULT (the
 * structure or a buffer it names is not readable/writable memory of the
 * caller), -EINVAL (size, magic, version or a field out of range), -ENOSYS (a
 * hypervisor without domain control). Each operation lists its other errors.
 */
#ifndef CAIRN_PUBLIC_DOMCTL_H
#define CAIRN_PUBLIC_DOMCTL_H

#include "cairn.h"

#define CAIRN_DOMCTL_VERSION 1

/* Limits. */
#define CAIRN_DOMID_MAX            0x7fefu  /* like Xen's DOMID_FIRST_RESERVED - 1 */
#define CAIRN_DOMCTL_MAX_VCPUS     16u
#define CAIRN_DOMCTL_MIN_MEMORY_MB 16u
#define CAIRN_DOMCTL_MAX_MEMORY_MB 65536u   /* 64 GiB */
#define CAIRN_DOMCTL_COPY_MAX      65536u   /* bytes per LOAD call */
#define CAIRN_DOMCTL_CONSOLE_MAX   1024u    /* bytes per console read/write */
#define CAIRN_DOMCTL_LIST_MAX      64u      /* domids per LIST call */
#define CAIRN_DOMCTL_NAME_MAX      32u      /* including the NUL */
#define CAIRN_DOMCTL_WEIGHT_DEFAULT 256u
#define CAIRN_DOMCTL_WEIGHT_MAX    65535u
/* A domain's guest-physical RAM lies below this address (4 GiB hole excluded). */
#define CAIRN_DOMCTL_GPA_LIMIT     (1ull << 39)

/* Magic numbers, one per structure. */
#define CAIRN_DOMCTL_CREATE_MAGIC   0x43444331u /* "CDC1" */
#define CAIRN_DOMCTL_POPULATE_MAGIC 0x43445031u /* "CDP1" */
#define CAIRN_DOMCTL_LOAD_MAGIC     0x43444c31u /* "CDL1" */
#define CAIRN_DOMCTL_VCPU_MAGIC     0x43445631u /* "CDV1" */
#define CAIRN_DOMCTL_DOMID_MAGIC    0x43444431u /* "CDD1" */
#define CAIRN_DOMCTL_LIST_MAGIC     0x43444931u /* "CDI1" */
#define CAIRN_DOMCTL_QUERY_MAGIC    0x43445131u /* "CDQ1" */
#define CAIRN_DOMCTL_CONSOLE_MAGIC  0x43444f31u /* "CDO1" */

/* Every structure starts with this. */
struct cairn_domctl_hdr {
	cairn_u32 magic;    /* the structure's CAIRN_DOMCTL_*_MAGIC */
	cairn_u32 version;  /* CAIRN_DOMCTL_VERSION */
	cairn_u32 size;     /* sizeof the whole structure */
	cairn_u32 domid;    /* in: the domain (out for CREATE) */
};

/*
 * CAIRN_HC_DOMAIN_CREATE: a new paused domain without memory.
 * memory_mb: CAIRN_DOMCTL_MIN_MEMORY_MB..CAIRN_DOMCTL_MAX_MEMORY_MB, the most
 * POPULATE may give it. nr_vcpus: 1..CAIRN_DOMCTL_MAX_VCPUS. weight: 0 (=
 * default 256) or 1..65535. cap: percent of one CPU, 0 (none) or 1..100 *
 * nr_vcpus. name: NUL-terminated, printable ASCII, may be empty.
 * Out: hdr.domid. Errors: -ENOMEM (no room for the domain's structures),
 * -ENOSPC (no free domain id), -EEXIST (a domain has this non-empty name).
 */
struct cairn_domctl_create {
	struct cairn_domctl_hdr hdr;
	cairn_u32 memory_mb;
	cairn_u32 nr_vcpus;
	cairn_u32 weight;
	cairn_u32 cap;
	char name[CAIRN_DOMCTL_NAME_MAX];
};

/*
 * CAIRN_HC_DOMAIN_POPULATE: backs [gpa, gpa + size) with fresh zeroed RAM (2 MiB
 * pages where aligned). gpa and size are 4 KiB multiples, size > 0, the range
 * below CAIRN_DOMCTL_GPA_LIMIT and outside [0xfec00000, 4 GiB) (I/O APIC, local
 * APIC and firmware hole). Errors: -ENOENT (no such domU), -EBUSY (the domain
 * has run: populate only before the first UNPAUSE), -EEXIST (part of the range
 * is already populated), -ENOSPC (more than memory_mb in all), -ENOMEM (the
 * hypervisor's allocator is short).
 */
struct cairn_domctl_populate {
	struct cairn_domctl_hdr hdr;
	cairn_u64 gpa;
	cairn_u64 size;
};

/*
 * CAIRN_HC_DOMAIN_LOAD: copies `len` bytes (1..CAIRN_DOMCTL_COPY_MAX) from the
 * caller's buffer at `buf` (a dom0 virtual address) to the domain's
 * guest-physical [gpa, gpa + len), which must be populated. Errors: -ENOENT,
 * -EBUSY (the domain has run), -ERANGE (part of the range is not populated).
 */
struct cairn_domctl_load {
	struct cairn_domctl_hdr hdr;
	cairn_u64 gpa;
	cairn_u64 buf;
	cairn_u64 len;
};

/* A segment register as SVM's VMCB holds it (attr: the packed 12-bit form). */
struct cairn_segment {
	cairn_u32 selector;
	cairn_u32 attr;
	cairn_u32 limit;
	cairn_u32 pad;
	cairn_u64 base;
};

enum cairn_seg_index {
	CAIRN_SEG_ES, CAIRN_SEG_CS, CAIRN_SEG_SS, CAIRN_SEG_DS, CAIRN_SEG_FS,
	CAIRN_SEG_GS, CAIRN_SEG_TR, CAIRN_SEG_LDTR, CAIRN_NR_SEGS
};

/* General registers in encoding order: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15. */
struct cairn_vcpu_regs {
	cairn_u64 gpr[16];
	cairn_u64 rip, rflags;
	cairn_u64 cr0, cr3, cr4, efer;
	cairn_u64 gdtr_base, idtr_base;
	cairn_u32 gdtr_limit, idtr_limit;
	struct cairn_segment seg[CAIRN_NR_SEGS];
};

/*
 * CAIRN_HC_VCPU_SET_STATE: vCPU `vcpu`'s registers when the domain first runs.
 * Checked as VMRUN would (CR0/CR4/EFER consistency, canonical RIP, long mode
 * needs paging and a 64-bit CS); other vCPUs wait for INIT/SIPI from vCPU 0
 * unless given a state. Errors: -ENOENT, -EBUSY (the domain has run), -ERANGE
 * (vcpu >= nr_vcpus).
 */
struct cairn_domctl_vcpu {
	struct cairn_domctl_hdr hdr;
	cairn_u32 vcpu;
	cairn_u32 pad;
	struct cairn_vcpu_regs regs;
};

/*
 * CAIRN_HC_DOMAIN_UNPAUSE, CAIRN_HC_DOMAIN_PAUSE, CAIRN_HC_DOMAIN_DESTROY: on
 * hdr.domid only. Errors: -ENOENT; -EPERM for domid 0; UNPAUSE: -EINVAL when
 * vCPU 0 has no state yet; PAUSE of a paused or UNPAUSE of a running domain
 * returns 0 (idempotent). DESTROY returns when the memory is back in the
 * allocator.
 */
struct cairn_domctl_domid {
	struct cairn_domctl_hdr hdr;
};

/*
 * CAIRN_HC_DOMAIN_LIST: the ids of up to CAIRN_DOMCTL_LIST_MAX domains with id
 * >= hdr.domid (dom0 included when hdr.domid is 0), ascending. Out: nr (ids
 * stored) and more (1 if there are domains after the last stored one).
 */
struct cairn_domctl_list {
	struct cairn_domctl_hdr hdr;
	cairn_u32 nr;
	cairn_u32 more;
	cairn_u32 domids[CAIRN_DOMCTL_LIST_MAX];
};

enum cairn_domain_state {
	CAIRN_DOMSTATE_PAUSED = 1,   /* created and not yet unpaused, or paused */
	CAIRN_DOMSTATE_RUNNING = 2,  /* at least one vCPU runnable or running */
	CAIRN_DOMSTATE_BLOCKED = 3,  /* every vCPU halted, waiting for an interrupt */
	CAIRN_DOMSTATE_CRASHED = 4,  /* killed by the hypervisor; see exit_reason */
	CAIRN_DOMSTATE_SHUTDOWN = 5, /* the guest powered off or rebooted */
};

enum cairn_exit_reason {
	CAIRN_EXIT_NONE = 0,
	CAIRN_EXIT_TRIPLE_FAULT = 1,
	CAIRN_EXIT_BAD_ACCESS = 2,   /* NPT fault outside its memory and devices */
	CAIRN_EXIT_WATCHDOG = 3,     /* looped with interrupts off */
	CAIRN_EXIT_POWEROFF = 4,
	CAIRN_EXIT_REBOOT = 5,
};

/*
 * CAIRN_HC_DOMAIN_QUERY: one domain's state. Out: everything after hdr.
 * Errors: -ENOENT.
 */
struct cairn_domctl_query {
	struct cairn_domctl_hdr hdr;
	cairn_u32 state;             /* enum cairn_domain_state */
	cairn_u32 exit_reason;       /* enum cairn_exit_reason */
	cairn_u32 nr_vcpus;
	cairn_u32 weight;
	cairn_u32 cap;
	cairn_u32 pad;
	cairn_u64 max_pages;         /* 4 KiB pages it may have (memory_mb * 256) */
	cairn_u64 pages;             /* 4 KiB pages populated */
	cairn_u64 cpu_time_ns;       /* sum of its vCPUs' run time */
	cairn_u64 vcpu_time_ns[CAIRN_DOMCTL_MAX_VCPUS];
	char name[CAIRN_DOMCTL_NAME_MAX];
};

/*
 * CAIRN_HC_DOMAIN_CONSOLE_READ: takes up to `len` (<= CAIRN_DOMCTL_CONSOLE_MAX)
 * bytes of the domain's serial output from its vUART ring into data[]. Out: len
 * (bytes stored, 0 when none), lost (bytes dropped since the last read because
 * the ring was full). CAIRN_HC_DOMAIN_CONSOLE_WRITE: queues data[0..len) as the
 * guest's serial input; out: len = bytes accepted (may be fewer when its
 * receive queue is full). Errors: -ENOENT, -EPERM (domid 0).
 */
struct cairn_domctl_console {
	struct cairn_domctl_hdr hdr;
	cairn_u32 len;
	cairn_u32 lost;
	char data[CAIRN_DOMCTL_CONSOLE_MAX];
};

#endif /* CAIRN_PUBLIC_DOMCTL_H */
