/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * seccomp.c — the system calls cairn-dm may make once it serves a guest.
 *
 * Design: a classic-BPF allow list, installed after privileges are dropped
 * (PR_SET_NO_NEW_PRIVS is already set). Anything else traps: a SIGSYS handler
 * logs the call's number and ends the process, which takes the domain down
 * with it (the device model is not trusted to limp on). ioctl() is allowed
 * only for the two requests the devices issue after start-up: TUNSETOFFLOAD
 * (virtio-net renegotiation) and BLKDISCARD (virtio-blk on a block device);
 * fcntl() only for F_GET_SEALS. Opening files, creating sockets, exec, fork
 * and ptrace are all refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dm.h"

#define ALLOW(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static const struct sock_filter dm_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	/* I/O on descriptors opened before the drop */
	ALLOW(__NR_read), ALLOW(__NR_write), ALLOW(__NR_readv), ALLOW(__NR_writev),
	ALLOW(__NR_pread64), ALLOW(__NR_pwrite64), ALLOW(__NR_preadv), ALLOW(__NR_pwritev),
	ALLOW(__NR_preadv2), ALLOW(__NR_pwritev2), ALLOW(__NR_close), ALLOW(__NR_fstat),
	ALLOW(__NR_newfstatat), ALLOW(__NR_lseek),
	/* block backend */
	ALLOW(__NR_fdatasync), ALLOW(__NR_fsync), ALLOW(__NR_fallocate),
	ALLOW(__NR_io_uring_enter),
	/* event loop and transport */
	ALLOW(__NR_epoll_wait), ALLOW(__NR_epoll_pwait), ALLOW(__NR_epoll_ctl),
	ALLOW(__NR_recvmsg), ALLOW(__NR_recvfrom), ALLOW(__NR_sendmsg), ALLOW(__NR_sendto),
	ALLOW(__NR_accept4),
	/* memory: malloc, and mapping guest RAM handed over by the transport */
	ALLOW(__NR_mmap), ALLOW(__NR_munmap), ALLOW(__NR_mprotect), ALLOW(__NR_madvise),
	ALLOW(__NR_brk),
	/* process basics */
	ALLOW(__NR_rt_sigreturn), ALLOW(__NR_rt_sigprocmask), ALLOW(__NR_futex),
	ALLOW(__NR_getpid), ALLOW(__NR_gettid), ALLOW(__NR_clock_gettime),
	ALLOW(__NR_restart_syscall), ALLOW(__NR_exit), ALLOW(__NR_exit_group),
	ALLOW(__NR_getrandom),
	/* fcntl: only F_GET_SEALS (the test transport checks guest RAM's seals) */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fcntl, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_GET_SEALS, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	/* ioctl: only TUNSETOFFLOAD and BLKDISCARD */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 4),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TUNSETOFFLOAD, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BLKDISCARD, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
};

/* Async-signal-safe: formats the number by hand, then exits. */
static void dm_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char msg[] = "cairn-dm: seccomp: forbidden system call 0000\n";
	int nr = si->si_syscall, i;

	for (i = 0; i < 4; i++, nr /= 10)
		msg[sizeof(msg) - 3 - i] = '0' + nr % 10;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(128 + SIGSYS);
	_exit(128 + SIGSYS);
}

int dm_seccomp_install(void)
{
	struct sock_fprog prog = {
		.len = sizeof(dm_filter) / sizeof(dm_filter[0]),
		.filter = (struct sock_filter *)dm_filter,
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = dm_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL))
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}
