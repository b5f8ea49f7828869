/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hv_domain.c — `hv list`, `hv pause/unpause/destroy DOMID` and `hv console`.
 *
 * Design: pause, unpause and destroy are one function over a small table of
 * (command, libhv call). `hv console` polls: every 50 ms it drains the domain's
 * serial output to stdout and forwards what stdin has to the guest; Ctrl-]
 * or the end of stdin ends it, and --once prints what is buffered and exits.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hv_cmd.h"

#define CONSOLE_ESCAPE 0x1d /* Ctrl-] */
#define CONSOLE_POLL_MS 50

static const char *state_name(uint32_t state)
{
	static const char *const names[] = {
		[CAIRN_DOMSTATE_PAUSED] = "paused",
		[CAIRN_DOMSTATE_RUNNING] = "running",
		[CAIRN_DOMSTATE_BLOCKED] = "blocked",
		[CAIRN_DOMSTATE_CRASHED] = "crashed",
		[CAIRN_DOMSTATE_SHUTDOWN] = "shutdown",
	};

	if (state >= sizeof(names) / sizeof(names[0]) || !names[state])
		return "?";
	return names[state];
}

static void print_domain(const struct cairn_domctl_query *q)
{
	printf("%-6u %-20s %-9s %5u %9llu %6u %4u %10.1f\n", q->hdr.domid,
	       q->name[0] ? q->name : "-", state_name(q->state), q->nr_vcpus,
	       (unsigned long long)(q->pages / 256), q->weight, q->cap,
	       (double)q->cpu_time_ns / 1e9);
}

int cmd_list(int argc, char **argv)
{
	uint32_t ids[1024];
	struct cairn_domctl_query q;
	size_t nr, i;
	hv_handle *h;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "usage: hv list\n");
		return HV_EXIT_USAGE;
	}
	h = hv_cli_open();
	if (!h)
		return HV_EXIT_FAILED;
	rc = hv_domain_list(h, ids, sizeof(ids) / sizeof(ids[0]), &nr);
	if (rc) {
		rc = hv_cli_fail("list", rc);
		goto out;
	}
	printf("%-6s %-20s %-9s %5s %9s %6s %4s %10s\n", "ID", "NAME", "STATE", "VCPUS",
	       "MEM(MiB)", "WEIGHT", "CAP", "CPU(s)");
	for (i = 0; i < nr; i++) {
		rc = hv_domain_query(h, ids[i], &q);
		if (rc == -ENOENT)
			continue; /* destroyed since the list was taken */
		if (rc) {
			rc = hv_cli_fail("query", rc);
			goto out;
		}
		print_domain(&q);
	}
out:
	hv_close(h);
	return rc;
}

struct domid_cmd {
	const char *name;
	int (*call)(hv_handle *h, uint32_t domid);
};

static const struct domid_cmd domid_cmds[] = {
	{ "pause", hv_domain_pause },
	{ "unpause", hv_domain_unpause },
	{ "destroy", hv_domain_destroy },
};

static int run_domid_cmd(const char *name, int argc, char **argv)
{
	const struct domid_cmd *c = NULL;
	uint32_t domid;
	hv_handle *h;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(domid_cmds) / sizeof(domid_cmds[0]); i++)
		if (strcmp(domid_cmds[i].name, name) == 0)
			c = &domid_cmds[i];
	if (!c) {
		fprintf(stderr, "hv: %s: no such domain command\n", name);
		return HV_EXIT_USAGE;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: hv %s DOMID\n", name);
		return HV_EXIT_USAGE;
	}
	if (hv_cli_domid(name, argv[1], &domid))
		return HV_EXIT_USAGE;
	h = hv_cli_open();
	if (!h)
		return HV_EXIT_FAILED;
	rc = c->call(h, domid);
	hv_close(h);
	return rc ? hv_cli_fail(name, rc) : HV_EXIT_OK;
}

int cmd_pause(int argc, char **argv)
{
	return run_domid_cmd("pause", argc, argv);
}

int cmd_unpause(int argc, char **argv)
{
	return run_domid_cmd("unpause", argc, argv);
}

int cmd_destroy(int argc, char **argv)
{
	return run_domid_cmd("destroy", argc, argv);
}

/* Prints what the guest wrote; returns bytes, 0 for none, or a negative errno. */
static long console_drain(hv_handle *h, uint32_t domid)
{
	char buf[CAIRN_DOMCTL_CONSOLE_MAX];
	uint32_t lost = 0;
	long n, total = 0;

	while ((n = hv_domain_console_read(h, domid, buf, sizeof(buf), &lost)) > 0) {
		if (lost)
			fprintf(stderr, "\n[hv: %u bytes of console output lost]\n", lost);
		fwrite(buf, 1, (size_t)n, stdout);
		total += n;
	}
	fflush(stdout);
	return n < 0 ? n : total;
}

/* Forwards stdin to the guest; 1 when the user asked to leave, 0 or a negative errno. */
static int console_input(hv_handle *h, uint32_t domid)
{
	char buf[CAIRN_DOMCTL_CONSOLE_MAX];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	char *esc;
	long rc;

	if (n <= 0)
		return 1;
	esc = memchr(buf, CONSOLE_ESCAPE, (size_t)n);
	if (esc)
		n = esc - buf;
	for (ssize_t off = 0; off < n; ) {
		rc = hv_domain_console_write(h, domid, buf + off, (size_t)(n - off));
		if (rc < 0)
			return (int)rc;
		off += rc;
		if (!rc)
			poll(NULL, 0, CONSOLE_POLL_MS); /* guest's queue full: let it read */
	}
	return esc ? 1 : 0;
}

static int console_loop(hv_handle *h, uint32_t domid)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	long rc;

	for (;;) {
		rc = console_drain(h, domid);
		if (rc < 0)
			return hv_cli_fail("console", (int)rc);
		if (poll(&pfd, 1, CONSOLE_POLL_MS) > 0) {
			rc = console_input(h, domid);
			if (rc < 0)
				return hv_cli_fail("console", (int)rc);
			if (rc == 1)
				return HV_EXIT_OK;
		}
	}
}

int cmd_console(int argc, char **argv)
{
	uint32_t domid;
	hv_handle *h;
	int once = argc == 3 && strcmp(argv[2], "--once") == 0;
	long rc;

	if (argc != 2 && !once) {
		fprintf(stderr, "usage: hv console DOMID [--once]   (Ctrl-] leaves)\n");
		return HV_EXIT_USAGE;
	}
	if (hv_cli_domid("console", argv[1], &domid))
		return HV_EXIT_USAGE;
	h = hv_cli_open();
	if (!h)
		return HV_EXIT_FAILED;
	if (once) {
		rc = console_drain(h, domid);
		rc = rc < 0 ? hv_cli_fail("console", (int)rc) : HV_EXIT_OK;
	} else {
		rc = console_loop(h, domid);
	}
	hv_close(h);
	return (int)rc;
}
