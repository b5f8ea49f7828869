/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run.c: spawning ovs-vsctl, ovs-ofctl and ip with an argument vector.
 *
 * Design: never a shell. The child gets three pipes; the parent feeds stdin and
 * drains stdout/stderr with poll() until both close, bounded by a deadline. On
 * the deadline the child (only ours, by pid) is killed and the call fails.
 * SIGPIPE is ignored in the caller so a child that exits early cannot kill it;
 * the child gets the default back before exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netint.h"

void argv_init(struct argv *a)
{
	memset(a, 0, sizeof(*a));
}

void argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

void argv_add(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v) {
			a->oom = 1;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		a->oom = 1;
		s = NULL;
	}
	va_end(ap);
	if (!s)
		return;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void argv_cmd(struct argv *a)
{
	argv_add(a, "--");
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_read(struct buf *b, int fd)
{
	if (b->len + 4096 + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8192;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	ssize_t r = read(fd, b->p + b->len, 4096);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	b->len += (size_t)r;
	b->p[b->len] = '\0';
	return r > 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* In the child: only async-signal-safe calls (the daemon may have threads). */
static void child_exec(const char *const *argv, int in[2], int out[2], int errp[2])
{
	static const char msg[] = "net: child_exec: exec failed\n";

	dup2(in[0], 0);
	dup2(out[1], 1);
	dup2(errp[1], 2);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(126);
	_exit(127);
}

/* Feeds stdin and drains the two output pipes until both close or time runs out. */
static int pump_io(int *infdp, const char *input, int outfd, int errfd, struct buf *ob,
		struct buf *eb, long deadline)
{
	size_t inlen = input ? strlen(input) : 0, inoff = 0;
	int open_out = 1, open_err = 1, infd = *infdp;

	if (inlen == 0) {
		close(infd);
		*infdp = infd = -1;
	}
	while (open_out || open_err) {
		struct pollfd p[3] = {{outfd, POLLIN, 0}, {errfd, POLLIN, 0}, {infd, POLLOUT, 0}};
		long left = deadline - now_ms();
		if (left <= 0)
			return -1;
		p[0].fd = open_out ? outfd : -1;
		p[1].fd = open_err ? errfd : -1;
		if (poll(p, 3, (int)left) < 0 && errno != EINTR)
			return -1;
		if (p[0].revents && (open_out = buf_read(ob, outfd)) < 0)
			return -1;
		if (p[1].revents && (open_err = buf_read(eb, errfd)) < 0)
			return -1;
		if (infd >= 0 && p[2].revents) {
			ssize_t w = write(infd, input + inoff, inlen - inoff);
			if (w > 0)
				inoff += (size_t)w;
			if (w < 0 || inoff == inlen) {
				close(infd);
				*infdp = infd = -1;
			}
		}
	}
	return 0;
}

static int pump(int infd, const char *input, int outfd, int errfd, struct buf *ob,
		struct buf *eb, long deadline)
{
	int rc = pump_io(&infd, input, outfd, errfd, ob, eb, deadline);

	if (infd >= 0)
		close(infd);
	return rc;
}

static void log_argv(const char *const *argv)
{
	fprintf(stderr, "net: run:");
	for (size_t i = 0; argv[i]; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, "\n");
}

int net_run(const char *const *argv, const char *input, int timeout, int verbose,
	    char **out, char **errout)
{
	int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1}, status = 0, rc = -1;
	struct buf ob = {0}, eb = {0};
	pid_t pid;

	if (verbose)
		log_argv(argv);
	if (pipe2(in, O_CLOEXEC) || pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC))
		goto out_close;
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid < 0)
		goto out_close;
	if (pid == 0)
		child_exec(argv, in, o, e);
	close(in[0]);
	close(o[1]);
	close(e[1]);
	in[0] = o[1] = e[1] = -1;
	if (pump(in[1], input, o[0], e[0], &ob, &eb, now_ms() + timeout * 1000L) < 0) {
		NET_LOG("%s timed out after %d s, killing pid %d", argv[0], timeout, (int)pid);
		kill(pid, SIGKILL);
	}
	in[1] = -1;	/* pump closed it */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
out_close:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (o[i] >= 0)
			close(o[i]);
		if (e[i] >= 0)
			close(e[i]);
	}
	if (out)
		*out = ob.p ? ob.p : strdup("");
	else
		free(ob.p);
	if (errout)
		*errout = eb.p ? eb.p : strdup("");
	else
		free(eb.p);
	return rc;
}

static void trim(char *s)
{
	size_t l = strlen(s);

	while (l && (s[l - 1] == '\n' || s[l - 1] == ' '))
		s[--l] = '\0';
}

/* Maps a failed ovs-vsctl to an error: a dead database is OPENVSWITCH_NOT_ACTIVE. */
static void vsctl_error(struct net_err *err, int rc, char *errout)
{
	trim(errout);
	if (strstr(errout, "database connection failed") || strstr(errout, "timed out"))
		net_err_set(err, NET_E_OPENVSWITCH_NOT_ACTIVE, 0);
	else
		net_err_internal(err, "ovs-vsctl exited %d: %s", rc, errout);
}

int net_vsctl(struct net *n, const struct argv *cmds, char **out, struct net_err *err)
{
	struct argv a;
	char *o = NULL, *e = NULL;
	int rc;

	argv_init(&a);
	argv_add(&a, "%s", n->vsctl);
	argv_add(&a, "--timeout=%d", n->timeout);
	if (n->db)
		argv_add(&a, "--db=%s", n->db);
	for (size_t i = 0; i < cmds->n; i++)
		argv_add(&a, "%s", cmds->v[i]);
	if (a.oom || cmds->oom) {
		argv_free(&a);
		net_err_internal(err, "out of memory");
		return -1;
	}
	rc = net_run((const char *const *)a.v, NULL, n->timeout + 2, n->verbose, &o, &e);
	argv_free(&a);
	if (rc != 0)
		vsctl_error(err, rc, e);
	free(e);
	if (rc == 0 && out)
		*out = o;
	else
		free(o);
	return rc == 0 ? 0 : -1;
}

int net_ofctl(struct net *n, bool bundle, const char *verb, const char *bridge,
	      const char *arg, const char *input, char **out, struct net_err *err)
{
	struct argv a;
	char *o = NULL, *e = NULL;
	int rc;

	argv_init(&a);
	argv_add(&a, "%s", n->ofctl);
	argv_add(&a, "--timeout=%d", n->timeout);
	if (bundle)
		argv_add(&a, "--bundle");
	argv_add(&a, "%s", verb);
	if (n->rundir)
		argv_add(&a, "unix:%s/%s.mgmt", n->rundir, bridge);
	else
		argv_add(&a, "%s", bridge);
	if (arg)
		argv_add(&a, "%s", arg);
	if (a.oom) {
		argv_free(&a);
		net_err_internal(err, "out of memory");
		return -1;
	}
	rc = net_run((const char *const *)a.v, input, n->timeout + 2, n->verbose, &o, &e);
	argv_free(&a);
	if (rc != 0) {
		trim(e);
		net_err_internal(err, "ovs-ofctl %s %s exited %d: %s", verb, bridge, rc, e);
	}
	free(e);
	if (rc == 0 && out)
		*out = o;
	else
		free(o);
	return rc == 0 ? 0 : -1;
}
