/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run.c — the command runner: lvm, qemu-img, mount are spawned with an
 * argument vector, never through a shell.
 *
 * Design: posix_spawnp() starts the child in a process group of its own
 * (POSIX_SPAWN_SETPGROUP) with stdin on /dev/null and stdout/stderr on two
 * pipes. The parent polls both pipes until they close, keeping at most
 * SR_RUN_OUT_MAX / SR_RUN_ERR_MAX bytes (the rest is read and dropped so the
 * child never blocks on a full pipe). At the deadline the whole group gets
 * SIGKILL (a tool's own children die with it) and the result says timed_out.
 * Every descriptor the library opens is O_CLOEXEC, so children inherit only
 * 0, 1 and 2 (lvm complains about leaked descriptors otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "srint.h"

extern char **environ;

struct sink {
	int fd;
	char *buf;
	size_t len, max;
	bool truncated;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is available on S's pipe; returns 0 at EOF (fd closed), 1 otherwise. */
static int sink_read(struct sink *s)
{
	char tmp[65536];
	ssize_t n = read(s->fd, tmp, sizeof(tmp));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		close(s->fd);
		s->fd = -1;
		return 0;
	}
	size_t keep = (size_t)n;
	if (s->len + keep > s->max) {
		keep = s->max - s->len;
		s->truncated = true;
	}
	memcpy(s->buf + s->len, tmp, keep);
	s->len += keep;
	s->buf[s->len] = '\0';
	return 1;
}

static int spawn_child(const char *const *argv, int out_w, int err_w, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_w, 1);
	posix_spawn_file_actions_adddup2(&fa, err_w, 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawnp(pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Pumps both pipes until they close or the deadline passes. */
static bool pump(struct sink *s, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (s[0].fd >= 0 || s[1].fd >= 0) {
		struct pollfd p[2] = {{s[0].fd, POLLIN, 0}, {s[1].fd, POLLIN, 0}};
		int64_t left = deadline - now_ms();
		int i;

		if (left <= 0)
			return true;
		if (poll(p, 2, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			return true;
		for (i = 0; i < 2; i++)
			if (s[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				sink_read(&s[i]);
	}
	return false;
}

int sr_run_argv(const char *const *argv, int timeout_ms, struct sr_run *r)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1};
	struct sink s[2] = {{-1, NULL, 0, SR_RUN_OUT_MAX, false},
			    {-1, NULL, 0, SR_RUN_ERR_MAX, false}};
	pid_t pid;
	int st, rc;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	s[0].buf = calloc(1, SR_RUN_OUT_MAX + 1);
	s[1].buf = calloc(1, SR_RUN_ERR_MAX + 1);
	if (!s[0].buf || !s[1].buf)
		goto fail;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
		goto fail;
	rc = spawn_child(argv, po[1], pe[1], &pid);
	close(po[1]);
	close(pe[1]);
	if (rc != 0) {
		errno = rc;
		close(po[0]);
		close(pe[0]);
		goto fail;
	}
	s[0].fd = po[0];
	s[1].fd = pe[0];
	r->timed_out = pump(s, timeout_ms);
	if (r->timed_out) {
		kill(-pid, SIGKILL);
		SR_LOG("%s killed after %d ms (timeout)", argv[0], timeout_ms);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r->timed_out)
		kill(-pid, SIGKILL); /* stragglers of the group */
	for (int i = 0; i < 2; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		r->signal = WTERMSIG(st);
	r->out = s[0].buf;
	r->out_len = s[0].len;
	r->out_truncated = s[0].truncated;
	r->errs = s[1].buf;
	r->errs_len = s[1].len;
	r->errs_truncated = s[1].truncated;
	return 0;
fail:
	rc = errno;
	free(s[0].buf);
	free(s[1].buf);
	errno = rc;
	return -1;
}

void sr_run_free(struct sr_run *r)
{
	free(r->out);
	free(r->errs);
	r->out = r->errs = NULL;
}

/* Joins ARGV with spaces into BUF, for messages. */
static void argv_str(const char *const *argv, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; *argv && off + 1 < len; argv++) {
		int n = snprintf(buf + off, len - off, "%s%s", off ? " " : "", *argv);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* SR_BACKEND_FAILURE [status, stdout, stderr] for a finished (failed) run. */
int sr_run_fail(const char *const *argv, const struct sr_run *r, struct sr_error *err)
{
	char status[32], cmd[512], msg[SR_ERR_PARAM_MAX];

	argv_str(argv, cmd, sizeof(cmd));
	if (r->timed_out) {
		snprintf(status, sizeof(status), "TIMEOUT");
		snprintf(msg, sizeof(msg), "%s: killed at the timeout\n%.1500s", cmd,
			 r->errs ? r->errs : "");
	} else if (r->signal) {
		snprintf(status, sizeof(status), "SIGNAL %d", r->signal);
		snprintf(msg, sizeof(msg), "%s: killed by signal %d\n%.1500s", cmd, r->signal,
			 r->errs ? r->errs : "");
	} else {
		snprintf(status, sizeof(status), "%d", r->status);
		snprintf(msg, sizeof(msg), "%.1900s", r->errs ? r->errs : "");
	}
	SR_LOG("%s failed: status %s: %.300s", cmd, status, r->errs ? r->errs : "");
	return sr_fail(err, SR_E_BACKEND_FAILURE, 3, status, r->out ? r->out : "", msg);
}

int sr_run_checked(struct sr_ctx *ctx, const char *const *argv, struct sr_run *r,
		   struct sr_error *err)
{
	return sr_run_checked_ms(argv, ctx->timeout_ms, r, err);
}

int sr_run_checked_ms(const char *const *argv, int timeout_ms, struct sr_run *r,
		      struct sr_error *err)
{
	if (sr_run_argv(argv, timeout_ms, r) < 0)
		return sr_fail_errno(err, errno, "%s: cannot start", argv[0]);
	if (r->timed_out || r->signal || r->status != 0) {
		sr_run_fail(argv, r, err);
		sr_run_free(r);
		return -1;
	}
	return 0;
}
