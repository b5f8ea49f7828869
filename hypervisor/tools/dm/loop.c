/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * loop.c — the device model's single-threaded epoll loop. Handlers are looked
 * up by file descriptor in a fixed table; an event on a descriptor with no
 * handler is a bug and stops the loop with -EBADF.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "dm.h"

#define LOOP_MAX_FD 1024

static struct {
	int epfd;
	bool stop;
	int rc;
	struct {
		dm_loop_fn *fn;
		void *arg;
	} h[LOOP_MAX_FD];
} loop = {.epfd = -1};

void dm_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "cairn-dm[%d]: %s\n", (int)getpid(), line);
}

int dm_loop_init(void)
{
	loop.epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop.epfd < 0 ? -errno : 0;
}

int dm_loop_fd(void)
{
	return loop.epfd;
}

static int loop_ctl(int op, int fd, uint32_t events, dm_loop_fn *fn, void *arg)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	if (fd < 0 || fd >= LOOP_MAX_FD)
		return -EBADF;
	if (epoll_ctl(loop.epfd, op, fd, &ev))
		return -errno;
	loop.h[fd].fn = fn;
	loop.h[fd].arg = arg;
	return 0;
}

int dm_loop_add(int fd, uint32_t events, dm_loop_fn *fn, void *arg)
{
	return loop_ctl(EPOLL_CTL_ADD, fd, events, fn, arg);
}

int dm_loop_mod(int fd, uint32_t events, dm_loop_fn *fn, void *arg)
{
	return loop_ctl(EPOLL_CTL_MOD, fd, events, fn, arg);
}

void dm_loop_del(int fd)
{
	if (fd < 0 || fd >= LOOP_MAX_FD)
		return;
	epoll_ctl(loop.epfd, EPOLL_CTL_DEL, fd, NULL);
	loop.h[fd].fn = NULL;
}

void dm_loop_stop(int rc)
{
	loop.stop = true;
	loop.rc = rc;
}

int dm_loop_run(void)
{
	struct epoll_event ev[16];
	int n, i, fd;

	while (!loop.stop) {
		n = epoll_wait(loop.epfd, ev, 16, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (i = 0; i < n && !loop.stop; i++) {
			fd = ev[i].data.fd;
			if (!loop.h[fd].fn) {
				DM_LOG("event 0x%x on fd %d without a handler", ev[i].events, fd);
				return -EBADF;
			}
			loop.h[fd].fn(loop.h[fd].arg, ev[i].events);
		}
	}
	return loop.rc;
}
