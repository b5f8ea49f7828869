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

#endif /* CAIRN_LIBHV_H */
