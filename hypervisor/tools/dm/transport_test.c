/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * transport_test.c — the test transport: the "guest" is a program on the other
 * end of a Unix SOCK_SEQPACKET socket, so the device model can be exercised
 * without the hypervisor.
 *
 * Design: every message is one packet of exactly sizeof(struct dm_test_msg)
 * bytes (tests/dm/dmproto.py has the Python side). The driver connects to the
 * path given with --transport test:PATH and first sends DM_TMSG_MEM with a
 * memfd attached (SCM_RIGHTS), sealed with F_SEAL_SHRINK: that becomes guest
 * RAM at msg.addr. Then it sends
 * PIO/MMIO reads and writes; each gets one DM_TMSG_RESP, except
 * DM_TMSG_MMIO_POST (a posted doorbell write, like the ioreq posted ring) which
 * gets none. Interrupts travel the other way as DM_TMSG_MSI at any time,
 * always before the response to the access that caused them. A malformed
 * message ends the session; the end of the session ends the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dm.h"

#define DM_TMSG_MAGIC 0x544d4443u /* "CDMT" */

enum {
	DM_TMSG_MEM = 1,
	DM_TMSG_PIO_READ = 2,
	DM_TMSG_PIO_WRITE = 3,
	DM_TMSG_MMIO_READ = 4,
	DM_TMSG_MMIO_WRITE = 5,
	DM_TMSG_MMIO_POST = 6,
	DM_TMSG_MSI = 7,
	DM_TMSG_RESP = 8,
};

struct dm_test_msg {
	uint32_t magic;
	uint16_t type;
	uint8_t size;
	uint8_t pad;
	uint64_t addr;
	uint64_t data;
	int64_t result;                /* RESP: 0 or a negative errno */
};

struct tr_state {
	int lfd, cfd;
};

static struct tr_state tr = {-1, -1};

static int tr_open(struct dm_machine *m, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	tr.lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tr.lfd < 0)
		return -errno;
	unlink(path);
	if (bind(tr.lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(tr.lfd, 1)) {
		DM_LOG("bind %s: %s", path, strerror(errno));
		close(tr.lfd);
		return -errno;
	}
	m->tr_state = &tr;
	return 0;
}

static int tr_send(uint16_t type, uint64_t addr, uint64_t data, int64_t result)
{
	struct dm_test_msg msg = {.magic = DM_TMSG_MAGIC, .type = type, .addr = addr,
				  .data = data, .result = result};

	if (send(tr.cfd, &msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg))
		return -errno;
	return 0;
}

static int tr_map(struct dm_machine *m, const struct dm_test_msg *msg, int fd)
{
	struct stat st;
	int rc, seals;
	void *p;

	if (fd < 0 || msg->data == 0 || msg->data % 4096 || msg->addr % 4096)
		return -EINVAL;
	/* a file that could shrink under the mapping would turn guest RAM accesses into SIGBUS */
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(fd, &st) ||
	    (uint64_t)st.st_size < msg->data) {
		DM_LOG("guest RAM must be a memfd sealed against shrinking, of at least %llu bytes",
		       (unsigned long long)msg->data);
		return -EINVAL;
	}
	p = mmap(NULL, msg->data, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	rc = dm_gm_add(&m->gm, msg->addr, msg->data, p);
	if (rc)
		munmap(p, msg->data);
	return rc;
}

/* Receives one message and its descriptor, if any; -1 on end or error. */
static ssize_t tr_recv(struct dm_test_msg *msg, int *fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {msg, sizeof(*msg)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	n = recvmsg(tr.cfd, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -1;
	return n;
}

static void tr_end(const char *why)
{
	DM_LOG("test session over: %s", why);
	dm_loop_del(tr.cfd);
	close(tr.cfd);
	tr.cfd = -1;
	dm_loop_stop(0);
}

static void tr_readable(void *arg, uint32_t events)
{
	struct dm_machine *m = arg;
	struct dm_test_msg msg;
	uint64_t val;
	int fd;
	ssize_t n = tr_recv(&msg, &fd);
	bool mmio, write;

	if (n != sizeof(msg) || msg.magic != DM_TMSG_MAGIC) {
		if (fd >= 0)
			close(fd);
		tr_end(n <= 0 ? "driver closed the socket" : "malformed message");
		return;
	}
	if (msg.type == DM_TMSG_MEM) {
		int rc = tr_map(m, &msg, fd);

		if (fd >= 0)
			close(fd);             /* the mapping keeps the memory */
		tr_send(DM_TMSG_RESP, msg.addr, 0, rc);
		return;
	}
	if (fd >= 0)
		close(fd);
	if (msg.type < DM_TMSG_PIO_READ || msg.type > DM_TMSG_MMIO_POST) {
		tr_end("unknown message type");
		return;
	}
	mmio = msg.type >= DM_TMSG_MMIO_READ;
	write = msg.type != DM_TMSG_PIO_READ && msg.type != DM_TMSG_MMIO_READ;
	val = msg.data;
	dm_io(m, mmio, write, msg.addr, msg.size, &val);
	if (msg.type != DM_TMSG_MMIO_POST)
		tr_send(DM_TMSG_RESP, msg.addr, val, 0);
}

static void tr_accept(void *arg, uint32_t events)
{
	tr.cfd = accept4(tr.lfd, NULL, NULL, SOCK_CLOEXEC);
	if (tr.cfd < 0) {
		DM_LOG("accept: %s", strerror(errno));
		return;
	}
	dm_loop_del(tr.lfd);
	close(tr.lfd);                 /* one driver per device model */
	tr.lfd = -1;
	if (dm_loop_add(tr.cfd, EPOLLIN, tr_readable, arg))
		tr_end("epoll");
}

static int tr_start(struct dm_machine *m)
{
	return dm_loop_add(tr.lfd, EPOLLIN, tr_accept, m);
}

static void tr_msi(struct dm_machine *m, uint64_t addr, uint32_t data)
{
	if (tr.cfd >= 0)
		tr_send(DM_TMSG_MSI, addr, data, 0);
}

static void tr_fds(struct dm_machine *m, int *fds, unsigned *nr)
{
	fds[(*nr)++] = tr.lfd;
}

const struct dm_transport_ops dm_transport_test = {
	.name = "test",
	.open = tr_open,
	.start = tr_start,
	.msi = tr_msi,
	.fds = tr_fds,
};
