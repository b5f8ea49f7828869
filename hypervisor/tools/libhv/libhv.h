/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libhv.h — the C library over dom0's /dev/cairn driver (Cairn's libxenctrl).
 *
 * Every function that issues a hypercall returns a negative errno on failure:
 * either the ioctl's (no driver, not root: -ENOENT, -EPERM, ...) or the
 * hypervisor's answer (-ENOSYS, -EFAULT, ...). Data crosses to the hypervisor
 * through a bounce buffer that the handle keeps mapped and locked in memory, so
 * the caller's own buffers need no special care. A handle may be shared by
 * threads: calls through it are serialised.
 */
#ifndef CAIRN_LIBHV_H
#define CAIRN_LIBHV_H

#include <stddef.h>
#include <stdint.h>

#include "cairn.h"
#include "domctl.h"

#define HV_DEVICE "/dev/cairn"

typedef struct hv_handle hv_handle;

/* Opens /dev/cairn; NULL with errno set on failure. */
hv_handle *hv_open(void);
/* Opens another device node (tests). */
hv_handle *hv_open_path(const char *path);
void hv_close(hv_handle *h);

/*
 * Issues hypercall `op` with `args` exactly as given (pointers are not
 * bounced: the caller vouches for them). Returns 0 and stores the hypervisor's
 * RAX in *result, or a negative errno when the ioctl failed (no call made).
 */
int hv_hypercall_raw(hv_handle *h, uint64_t op, const uint64_t args[5], int64_t *result);

/* The hypervisor's version: >= 0 as (major << 16) | minor, or a negative errno. */
long hv_version(hv_handle *h);

/* Writes `len` <= CAIRN_CONSOLE_WRITE_MAX bytes to the hypervisor's console;
 * returns the bytes written or a negative errno. */
long hv_console_write(hv_handle *h, const char *buf, size_t len);

/* Fills `info` (magic, version and size are set here); 0 or a negative errno. */
int hv_host_info(hv_handle *h, struct cairn_host_info *info);

/*
 * Formats a CPU bit mask as a list ("0", "0-3", "0,2-3", "none") into `buf`.
 * Returns the string length, or -ENOSPC (buf then holds a truncated list).
 */
int hv_format_cpumask(uint64_t mask, char *buf, size_t size);

/* ---- domain control (domctl.h); every call returns 0 or a negative errno ---- */

struct hv_domain_config {
	uint32_t memory_mb;
	uint32_t nr_vcpus;
	uint32_t weight;       /* 0 = default (256) */
	uint32_t cap;          /* percent of one CPU; 0 = none */
	const char *name;      /* NULL or "" = none */
};

/* NULL when `cfg` is within the ABI's limits, else what is wrong (for users). */
const char *hv_domain_config_error(const struct hv_domain_config *cfg);

/* Creates a paused domain; its id in *domid. -EINVAL if the config is bad. */
int hv_domain_create(hv_handle *h, const struct hv_domain_config *cfg, uint32_t *domid);
/* Backs guest-physical [gpa, gpa + size) with RAM; page-aligned. */
int hv_domain_populate(hv_handle *h, uint32_t domid, uint64_t gpa, uint64_t size);
/* Copies `len` bytes into the domain at `gpa`, in CAIRN_DOMCTL_COPY_MAX chunks. */
int hv_domain_load(hv_handle *h, uint32_t domid, uint64_t gpa, const void *data, size_t len);
int hv_vcpu_set_state(hv_handle *h, uint32_t domid, uint32_t vcpu,
		      const struct cairn_vcpu_regs *regs);
int hv_domain_unpause(hv_handle *h, uint32_t domid);
int hv_domain_pause(hv_handle *h, uint32_t domid);
int hv_domain_destroy(hv_handle *h, uint32_t domid);
/* Every domain id, ascending, into ids[0..max); *nr = how many. -ENOSPC if more. */
int hv_domain_list(hv_handle *h, uint32_t *ids, size_t max, size_t *nr);
int hv_domain_query(hv_handle *h, uint32_t domid, struct cairn_domctl_query *q);
/* Serial output of the domain: bytes read (0 = none yet) or a negative errno. */
long hv_domain_console_read(hv_handle *h, uint32_t domid, void *buf, size_t len,
			    uint32_t *lost);
/* Serial input for the domain (len <= CAIRN_DOMCTL_CONSOLE_MAX): bytes accepted. */
long hv_domain_console_write(hv_handle *h, uint32_t domid, const void *buf, size_t len);

#endif /* CAIRN_LIBHV_H */
