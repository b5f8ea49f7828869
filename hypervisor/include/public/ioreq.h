/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioreq.h — the I/O request ABI between the hypervisor, the dom0 driver and a
 * domU's device model (cairn-dm), version 1.
 *
 * Self-contained like cairn.h: compiles freestanding, in the Linux driver and in
 * user space, with no other header.
 *
 * Design:
 *   A domU's port and MMIO accesses that hit a range claimed by its device model
 *   exit to the hypervisor, which turns each into a request in the domain's
 *   ioreq page: one page per domain, one slot per vCPU (struct cairn_ioreq_slot,
 *   at most CAIRN_IOREQ_MAX_VCPUS), plus a ring of posted writes.
 *
 *   Synchronous request (the vCPU waits):
 *     hypervisor  fills the slot, state NONE -> READY, raises the domain's event
 *                 (an interrupt to dom0; the driver wakes whoever reads the
 *                 domain's ioreq file descriptor: read() returns an 8-byte
 *                 count like an eventfd, poll()/epoll report POLLIN)
 *     dm          READY -> IN_SERVICE, emulates, writes data (reads only),
 *                 IN_SERVICE -> DONE, then CAIRN_HC_IOREQ_COMPLETE(domid, vcpu)
 *     hypervisor  on DONE copies data into the vCPU (reads), DONE -> NONE, and
 *                 resumes the vCPU. A slot in any other state on completion is
 *                 a device-model error: the hypervisor crashes the domU, never
 *                 dom0.
 *
 *   Posted write (the vCPU does not wait): MMIO writes of size <= 8 to a range
 *   the device model registered as posted (virtio notify doorbells) are appended
 *   to the posted ring and the vCPU resumes at once. The hypervisor is the only
 *   producer (prod), the device model the only consumer (cons). A full ring
 *   (prod - cons == CAIRN_IOREQ_POSTED_SLOTS) makes the hypervisor fall back to
 *   a synchronous request in the vCPU's slot, so no write is ever lost.
 *
 * Memory ordering (both sides are on different CPUs; x86 TSO plus compiler
 * barriers is what the hypervisor has, C11 acquire/release is what user space
 * writes, and they agree on x86):
 *   - The writer of a slot stores every payload field first and the state last,
 *     with release semantics; the reader loads the state with acquire semantics
 *     before it reads any payload field. This holds for each transition.
 *   - The device model copies a READY slot into private memory before it
 *     validates or uses it (the page is shared, a field may change underneath).
 *   - Posted ring: the hypervisor writes the entry, then stores prod (release);
 *     the dm loads prod (acquire), copies entries, then stores cons (release).
 *     The hypervisor loads cons (acquire) before reusing an entry.
 *   - Events are edge notifications with no payload: after it wakes, the dm
 *     scans every slot and the ring, so a coalesced event loses nothing.
 *
 * MSI injection: the device model asks the hypervisor to deliver a message
 * signalled interrupt (address/data exactly as the guest programmed them into
 * an MSI-X table entry) with CAIRN_HC_INJECT_MSI. The hypervisor decodes the
 * x86 MSI format (destination APIC id, vector, delivery mode) against the
 * domU's virtual LAPICs; a malformed message is dropped and counted, never
 * delivered to dom0.
 */
#ifndef CAIRN_PUBLIC_IOREQ_H
#define CAIRN_PUBLIC_IOREQ_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef __u8 cairn_ioreq_u8;
typedef __u16 cairn_ioreq_u16;
typedef __u32 cairn_ioreq_u32;
typedef __u64 cairn_ioreq_u64;
#else
#include <stdint.h>
typedef uint8_t cairn_ioreq_u8;
typedef uint16_t cairn_ioreq_u16;
typedef uint32_t cairn_ioreq_u32;
typedef uint64_t cairn_ioreq_u64;
#endif

#define CAIRN_IOREQ_MAGIC   0x43494f31u /* "CIO1" */
#define CAIRN_IOREQ_VERSION 1

/*
 * Hypercall operations for device models (dom0 CPL 0 only, issued by the driver
 * on the device model's behalf). Numbered from 64 up so they never collide with
 * cairn.h (0..) or the domain-control operations in domctl.h.
 */
enum cairn_ioreq_hypercall_op {
	/* (u64 domid, u64 ioreq_page_gpa) -> 0: dom0 page that becomes domid's ioreq page */
	CAIRN_HC_IOREQ_SETUP = 64,
	/* (u64 domid, u64 vcpu) -> 0; the slot must be DONE */
	CAIRN_HC_IOREQ_COMPLETE = 65,
	/* (u64 domid, u64 type, u64 first, u64 last, u64 flags) -> 0: claim an address
	 * range (type CAIRN_IOREQ_TYPE_*, inclusive bounds; flags CAIRN_IOREQ_RANGE_*) */
	CAIRN_HC_IOREQ_MAP_RANGE = 66,
	/* (u64 domid, u64 type, u64 first, u64 last) -> 0: release a claimed range */
	CAIRN_HC_IOREQ_UNMAP_RANGE = 67,
	/* (u64 domid, u64 msi_address, u64 msi_data) -> 0 */
	CAIRN_HC_INJECT_MSI = 68,
	CAIRN_HC_IOREQ_MAX
};

/* Range flags for CAIRN_HC_IOREQ_MAP_RANGE. */
#define CAIRN_IOREQ_RANGE_POSTED 0x1u /* MMIO writes go to the posted ring */

/* Slot states. */
#define CAIRN_IOREQ_STATE_NONE       0u /* free; owned by the hypervisor */
#define CAIRN_IOREQ_STATE_READY      1u /* request filled in; owned by the dm */
#define CAIRN_IOREQ_STATE_IN_SERVICE 2u /* the dm is emulating it */
#define CAIRN_IOREQ_STATE_DONE       3u /* result written; owned by the hypervisor */

/* Request types. */
#define CAIRN_IOREQ_TYPE_PIO  0u /* port I/O: addr is the port (0..0xffff) */
#define CAIRN_IOREQ_TYPE_MMIO 1u /* memory: addr is the guest-physical address */

/* Directions (from the guest's point of view). */
#define CAIRN_IOREQ_DIR_WRITE 0u /* guest writes data to the device */
#define CAIRN_IOREQ_DIR_READ  1u /* the device returns data to the guest */

/*
 * One vCPU's slot, 64 bytes. size is 1, 2, 4 or 8. String instructions (INS,
 * OUTS, REP MOVS to MMIO) are split by the hypervisor into single accesses, so
 * count is always 1 in version 1 and df is reserved (0); the fields exist so a
 * later version can batch them without moving anything.
 */
struct cairn_ioreq_slot {
	cairn_ioreq_u32 state;     /* CAIRN_IOREQ_STATE_*; written last (release) */
	cairn_ioreq_u8 type;       /* CAIRN_IOREQ_TYPE_* */
	cairn_ioreq_u8 dir;        /* CAIRN_IOREQ_DIR_* */
	cairn_ioreq_u8 size;       /* bytes: 1, 2, 4 or 8 */
	cairn_ioreq_u8 df;         /* reserved, 0 */
	cairn_ioreq_u64 addr;      /* port or guest-physical address */
	cairn_ioreq_u64 data;      /* write: the value; read: the result (low size bytes) */
	cairn_ioreq_u32 count;     /* 1 */
	cairn_ioreq_u32 vcpu;      /* the vCPU that issued it (== slot index) */
	cairn_ioreq_u64 seq;       /* request number, increases per slot; for logs */
	cairn_ioreq_u64 pad[3];
};

/* A posted MMIO write, 24 bytes. */
struct cairn_ioreq_posted {
	cairn_ioreq_u64 addr;
	cairn_ioreq_u64 data;
	cairn_ioreq_u8 size;
	cairn_ioreq_u8 pad[3];
	cairn_ioreq_u32 vcpu;
};

#define CAIRN_IOREQ_MAX_VCPUS    32
#define CAIRN_IOREQ_POSTED_SLOTS 64 /* a power of two; index = counter % slots */

/*
 * The shared page (4096 bytes). The hypervisor writes magic, version and
 * nr_vcpus at setup; the dm checks all three before it touches anything else.
 */
struct cairn_ioreq_page {
	cairn_ioreq_u32 magic;     /* CAIRN_IOREQ_MAGIC */
	cairn_ioreq_u32 version;   /* CAIRN_IOREQ_VERSION */
	cairn_ioreq_u32 nr_vcpus;  /* valid slots, <= CAIRN_IOREQ_MAX_VCPUS */
	cairn_ioreq_u32 domid;
	cairn_ioreq_u32 posted_prod; /* written by the hypervisor (release) */
	cairn_ioreq_u32 posted_cons; /* written by the dm (release) */
	cairn_ioreq_u64 pad0[5];
	struct cairn_ioreq_slot slot[CAIRN_IOREQ_MAX_VCPUS];           /* at 64 */
	struct cairn_ioreq_posted posted[CAIRN_IOREQ_POSTED_SLOTS];    /* at 2112 */
};

/* Compile-time layout checks, usable from C11 and from the kernel alike. */
typedef char cairn_ioreq_slot_is_64_bytes[sizeof(struct cairn_ioreq_slot) == 64 ? 1 : -1];
typedef char cairn_ioreq_posted_is_24_bytes[sizeof(struct cairn_ioreq_posted) == 24 ? 1 : -1];
typedef char cairn_ioreq_page_fits[sizeof(struct cairn_ioreq_page) <= 4096 ? 1 : -1];

#endif /* CAIRN_PUBLIC_IOREQ_H */
