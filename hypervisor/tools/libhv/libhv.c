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
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dom0_ioctl.h"
#include "domctl.h"

/* Two pages for structures, then room for one domain LOAD chunk. */
#define HV_BOUNCE_SIZE (8192 + CAIRN_DOMCTL_COPY_MAX)

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

/* ---- domain control (domctl.h) ---- */

static void domctl_hdr(void *s, uint32_t magic, uint32_t size, uint32_t domid)
{
	struct cairn_domctl_hdr *hdr = s;

	hdr->magic = magic;
	hdr->version = CAIRN_DOMCTL_VERSION;
	hdr->size = size;
	hdr->domid = domid;
}

/*
 * Issues domctl `op` on the structure `s` of `size` bytes (header filled in by
 * the caller): copies it into the bounce buffer, calls, and copies the answer
 * back when the call succeeded. Called with h->lock held.
 */
static long domctl_locked(hv_handle *h, uint64_t op, void *s, size_t size)
{
	long rc;

	memcpy(h->bounce, s, size);
	rc = hv_call(h, op, (uintptr_t)h->bounce, size);
	if (rc >= 0)
		memcpy(s, h->bounce, size);
	return rc;
}

static long domctl(hv_handle *h, uint64_t op, void *s, size_t size)
{
	long rc;

	pthread_mutex_lock(&h->lock);
	rc = domctl_locked(h, op, s, size);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static bool name_ok(const char *name)
{
	size_t i;

	if (!name)
		return true;
	for (i = 0; name[i]; i++)
		if (i + 1 >= CAIRN_DOMCTL_NAME_MAX || name[i] < 0x21 || name[i] > 0x7e)
			return false;
	return true;
}

const char *hv_domain_config_error(const struct hv_domain_config *cfg)
{
	if (cfg->memory_mb < CAIRN_DOMCTL_MIN_MEMORY_MB ||
	    cfg->memory_mb > CAIRN_DOMCTL_MAX_MEMORY_MB)
		return "memory must be 16..65536 MiB";
	if (cfg->nr_vcpus < 1 || cfg->nr_vcpus > CAIRN_DOMCTL_MAX_VCPUS)
		return "vcpus must be 1..16";
	if (cfg->weight > CAIRN_DOMCTL_WEIGHT_MAX)
		return "weight must be 1..65535";
	if (cfg->cap > 100 * cfg->nr_vcpus)
		return "cap must be 0 (none) .. 100 x vcpus percent";
	if (!name_ok(cfg->name))
		return "name must be 1..31 printable characters without spaces";
	return NULL;
}

int hv_domain_create(hv_handle *h, const struct hv_domain_config *cfg, uint32_t *domid)
{
	struct cairn_domctl_create c;
	long rc;

	if (hv_domain_config_error(cfg))
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	domctl_hdr(&c, CAIRN_DOMCTL_CREATE_MAGIC, sizeof(c), 0);
	c.memory_mb = cfg->memory_mb;
	c.nr_vcpus = cfg->nr_vcpus;
	c.weight = cfg->weight;
	c.cap = cfg->cap;
	if (cfg->name)
		memcpy(c.name, cfg->name, strlen(cfg->name));
	rc = domctl(h, CAIRN_HC_DOMAIN_CREATE, &c, sizeof(c));
	if (rc < 0)
		return (int)rc;
	*domid = c.hdr.domid;
	return 0;
}

int hv_domain_populate(hv_handle *h, uint32_t domid, uint64_t gpa, uint64_t size)
{
	struct cairn_domctl_populate p;

	if ((gpa | size) & 0xfff || !size)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	domctl_hdr(&p, CAIRN_DOMCTL_POPULATE_MAGIC, sizeof(p), domid);
	p.gpa = gpa;
	p.size = size;
	return (int)domctl(h, CAIRN_HC_DOMAIN_POPULATE, &p, sizeof(p));
}

/* One LOAD call of len <= CAIRN_DOMCTL_COPY_MAX bytes; data goes after the structure. */
static long load_chunk(hv_handle *h, uint32_t domid, uint64_t gpa, const void *data,
		       size_t len)
{
	struct cairn_domctl_load l;
	uint8_t *chunk = (uint8_t *)h->bounce + 8192;
	long rc;

	memset(&l, 0, sizeof(l));
	domctl_hdr(&l, CAIRN_DOMCTL_LOAD_MAGIC, sizeof(l), domid);
	l.gpa = gpa;
	l.buf = (uintptr_t)chunk;
	l.len = len;
	pthread_mutex_lock(&h->lock);
	memcpy(chunk, data, len);
	rc = domctl_locked(h, CAIRN_HC_DOMAIN_LOAD, &l, sizeof(l));
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int hv_domain_load(hv_handle *h, uint32_t domid, uint64_t gpa, const void *data, size_t len)
{
	const uint8_t *p = data;
	long rc;

	while (len) {
		size_t n = len < CAIRN_DOMCTL_COPY_MAX ? len : CAIRN_DOMCTL_COPY_MAX;

		rc = load_chunk(h, domid, gpa, p, n);
		if (rc < 0)
			return (int)rc;
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int hv_vcpu_set_state(hv_handle *h, uint32_t domid, uint32_t vcpu,
		      const struct cairn_vcpu_regs *regs)
{
	struct cairn_domctl_vcpu v;

	memset(&v, 0, sizeof(v));
	domctl_hdr(&v, CAIRN_DOMCTL_VCPU_MAGIC, sizeof(v), domid);
	v.vcpu = vcpu;
	v.regs = *regs;
	return (int)domctl(h, CAIRN_HC_VCPU_SET_STATE, &v, sizeof(v));
}

static int domid_op(hv_handle *h, uint64_t op, uint32_t domid)
{
	struct cairn_domctl_domid d;

	domctl_hdr(&d, CAIRN_DOMCTL_DOMID_MAGIC, sizeof(d), domid);
	return (int)domctl(h, op, &d, sizeof(d));
}

int hv_domain_unpause(hv_handle *h, uint32_t domid)
{
	return domid_op(h, CAIRN_HC_DOMAIN_UNPAUSE, domid);
}

int hv_domain_pause(hv_handle *h, uint32_t domid)
{
	return domid_op(h, CAIRN_HC_DOMAIN_PAUSE, domid);
}

int hv_domain_destroy(hv_handle *h, uint32_t domid)
{
	return domid_op(h, CAIRN_HC_DOMAIN_DESTROY, domid);
}

int hv_domain_list(hv_handle *h, uint32_t *ids, size_t max, size_t *nr)
{
	struct cairn_domctl_list l;
	uint32_t next = 0;
	long rc;

	*nr = 0;
	for (;;) {
		memset(&l, 0, sizeof(l));
		domctl_hdr(&l, CAIRN_DOMCTL_LIST_MAGIC, sizeof(l), next);
		rc = domctl(h, CAIRN_HC_DOMAIN_LIST, &l, sizeof(l));
		if (rc < 0)
			return (int)rc;
		if (l.nr > CAIRN_DOMCTL_LIST_MAX)
			return -EPROTO;
		for (uint32_t i = 0; i < l.nr; i++) {
			if (*nr == max)
				return -ENOSPC;
			ids[(*nr)++] = l.domids[i];
		}
		if (!l.more || !l.nr)
			return 0;
		next = l.domids[l.nr - 1] + 1;
	}
}

int hv_domain_query(hv_handle *h, uint32_t domid, struct cairn_domctl_query *q)
{
	memset(q, 0, sizeof(*q));
	domctl_hdr(q, CAIRN_DOMCTL_QUERY_MAGIC, sizeof(*q), domid);
	int rc = (int)domctl(h, CAIRN_HC_DOMAIN_QUERY, q, sizeof(*q));
	q->name[sizeof(q->name) - 1] = '\0';
	return rc < 0 ? rc : 0;
}

long hv_domain_console_read(hv_handle *h, uint32_t domid, void *buf, size_t len,
			    uint32_t *lost)
{
	struct cairn_domctl_console c;
	long rc;

	memset(&c, 0, offsetof(struct cairn_domctl_console, data));
	domctl_hdr(&c, CAIRN_DOMCTL_CONSOLE_MAGIC, sizeof(c), domid);
	c.len = len > CAIRN_DOMCTL_CONSOLE_MAX ? CAIRN_DOMCTL_CONSOLE_MAX : (uint32_t)len;
	rc = domctl(h, CAIRN_HC_DOMAIN_CONSOLE_READ, &c, sizeof(c));
	if (rc < 0)
		return rc;
	if (c.len > len || c.len > CAIRN_DOMCTL_CONSOLE_MAX)
		return -EPROTO;
	memcpy(buf, c.data, c.len);
	if (lost)
		*lost = c.lost;
	return c.len;
}

long hv_domain_console_write(hv_handle *h, uint32_t domid, const void *buf, size_t len)
{
	struct cairn_domctl_console c;
	long rc;

	if (len > CAIRN_DOMCTL_CONSOLE_MAX)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	domctl_hdr(&c, CAIRN_DOMCTL_CONSOLE_MAGIC, sizeof(c), domid);
	c.len = (uint32_t)len;
	memcpy(c.data, buf, len);
	rc = domctl(h, CAIRN_HC_DOMAIN_CONSOLE_WRITE, &c, sizeof(c));
	return rc < 0 ? rc : (long)c.len;
}
