/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libhv.c — hypercalls through /dev/cairn.
 *
 * Design: the hypervisor reads and writes hypercall buffers by walking the
 * calling process's page tables and fails with -EFAULT on a page that is not
 * present. So a handle owns a bounce buffer of two pages, mmap'ed, touched and
 * mlock'ed once when the handle is opened; arguments are copied into it, the
 * call is made with pointers into it, and results are copied out. The caller's
 * memory is never passed to the hypervisor (except by hv_hypercall_raw, which
 * exists for tests of the error paths).
 *
 * Locking: h->lock serialises the use of the bounce buffer.
 */
#include "libhv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dom0_ioctl.h"

#define HV_BOUNCE_SIZE 8192

struct hv_handle {
	int fd;
	void *bounce;       /* HV_BOUNCE_SIZE bytes, locked in memory */
	pthread_mutex_t lock;
};

/* Maps the bounce buffer and makes sure its pages are present and stay so. */
static void *bounce_alloc(void)
{
	void *p;

	p = mmap(NULL, HV_BOUNCE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, HV_BOUNCE_SIZE); /* touch every page, whatever mlock says */
	if (mlock(p, HV_BOUNCE_SIZE) != 0) {
		int e = errno;

		munmap(p, HV_BOUNCE_SIZE);
		errno = e;
		return NULL;
	}
	return p;
}

hv_handle *hv_open_path(const char *path)
{
	hv_handle *h;
	int e;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->fd = open(path, O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		goto err_free;
	h->bounce = bounce_alloc();
	if (!h->bounce)
		goto err_close;
	pthread_mutex_init(&h->lock, NULL);
	return h;

err_close:
	e = errno;
	close(h->fd);
	errno = e;
err_free:
	e = errno;
	free(h);
	errno = e;
	return NULL;
}

hv_handle *hv_open(void)
{
	return hv_open_path(HV_DEVICE);
}

void hv_close(hv_handle *h)
{
	if (!h)
		return;
	munlock(h->bounce, HV_BOUNCE_SIZE);
	munmap(h->bounce, HV_BOUNCE_SIZE);
	close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int hv_hypercall_raw(hv_handle *h, uint64_t op, const uint64_t args[5], int64_t *result)
{
	struct cairn_ioctl_hypercall hc;

	memset(&hc, 0, sizeof(hc));
	hc.magic = CAIRN_IOCTL_MAGIC;
	hc.version = CAIRN_IOCTL_VERSION;
	hc.op = op;
	if (args)
		memcpy(hc.arg, args, sizeof(hc.arg));
	if (ioctl(h->fd, CAIRN_IOCTL_HYPERCALL, &hc) != 0)
		return -errno;
	*result = (int64_t)hc.result;
	return 0;
}

/* A call whose only pointer argument (if any) points into the bounce buffer. */
static long hv_call(hv_handle *h, uint64_t op, uint64_t a0, uint64_t a1)
{
	uint64_t args[5] = {a0, a1, 0, 0, 0};
	int64_t result;
	int rc;

	rc = hv_hypercall_raw(h, op, args, &result);
	return rc ? rc : (long)result;
}

long hv_version(hv_handle *h)
{
	return hv_call(h, CAIRN_HC_VERSION, 0, 0);
}

long hv_console_write(hv_handle *h, const char *buf, size_t len)
{
	long rc;

	if (len > CAIRN_CONSOLE_WRITE_MAX)
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	memcpy(h->bounce, buf, len);
	rc = hv_call(h, CAIRN_HC_CONSOLE_WRITE, (uintptr_t)h->bounce, len);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int hv_host_info(hv_handle *h, struct cairn_host_info *info)
{
	struct cairn_host_info *b = h->bounce;
	long rc;

	pthread_mutex_lock(&h->lock);
	memset(b, 0, sizeof(*b));
	b->magic = CAIRN_HOST_INFO_MAGIC;
	b->version = CAIRN_HOST_INFO_VERSION;
	b->size = sizeof(*b);
	rc = hv_call(h, CAIRN_HC_HOST_INFO, (uintptr_t)b, 0);
	if (rc == 0) {
		memcpy(info, b, sizeof(*info));
		info->hv_version[sizeof(info->hv_version) - 1] = '\0';
	}
	pthread_mutex_unlock(&h->lock);
	return rc < 0 ? (int)rc : 0;
}

/* Appends "n" or "a-b" (with a leading comma unless first) to buf at *len. */
static int append_range(char *buf, size_t size, size_t *len, int a, int b)
{
	int n;

	if (a == b)
		n = snprintf(buf + *len, size - *len, "%s%d", *len ? "," : "", a);
	else
		n = snprintf(buf + *len, size - *len, "%s%d-%d", *len ? "," : "", a, b);
	if (n < 0 || (size_t)n >= size - *len)
		return -ENOSPC;
	*len += (size_t)n;
	return 0;
}

int hv_format_cpumask(uint64_t mask, char *buf, size_t size)
{
	size_t len = 0;
	int cpu = 0;

	if (!size)
		return -ENOSPC;
	buf[0] = '\0';
	if (!mask)
		return snprintf(buf, size, "none") >= (int)size ? -ENOSPC : 4;
	while (cpu < 64) {
		int start;

		if (!(mask >> cpu & 1)) {
			cpu++;
			continue;
		}
		start = cpu;
		while (cpu < 64 && (mask >> cpu & 1))
			cpu++;
		if (append_range(buf, size, &len, start, cpu - 1))
			return -ENOSPC;
	}
	return (int)len;
}
