/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command runner: exit status, stdout and stderr captured, output size
 * limits, the timeout that kills the whole process group, missing binaries,
 * and the SR_BACKEND_FAILURE parameters made from a failed run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srint.h"
#include "unit.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(exit_status_and_both_streams)
{
	const char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	struct sr_run r;

	REQUIRE(sr_run_argv(argv, 5000, &r) == 0);
	CHECK_EQ(r.status, 3);
	CHECK_EQ(r.signal, 0);
	CHECK(!r.timed_out);
	CHECK_STR(r.out, "out\n");
	CHECK_STR(r.errs, "err\n");
	sr_run_free(&r);
}

TEST(argv_is_not_a_shell)
{
	const char *argv[] = {"echo", "$HOME", "; rm -rf /", "`id`", NULL};
	struct sr_run r;

	REQUIRE(sr_run_argv(argv, 5000, &r) == 0);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.out, "$HOME ; rm -rf / `id`\n");
	sr_run_free(&r);
}

TEST(timeout_kills_sleep)
{
	const char *argv[] = {"sleep", "30", NULL};
	struct sr_run r;
	double t0 = now();

	REQUIRE(sr_run_argv(argv, 300, &r) == 0);
	CHECK(r.timed_out);
	CHECK_EQ(r.signal, SIGKILL);
	CHECK(now() - t0 < 5.0);
	sr_run_free(&r);
}

/* Running (not gone, not a zombie waiting for its new parent to reap it). */
static bool alive(pid_t pid)
{
	char path[64], buf[256];
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

TEST(timeout_kills_the_process_group)
{
	/* the child starts a grandchild that would keep the pipes open */
	const char *argv[] = {"sh", "-c", "sleep 30 & echo $!; wait", NULL};
	struct sr_run r;
	pid_t grandchild;
	double t0 = now();

	REQUIRE(sr_run_argv(argv, 500, &r) == 0);
	CHECK(r.timed_out);
	CHECK(now() - t0 < 5.0);
	grandchild = (pid_t)atoi(r.out);
	REQUIRE(grandchild > 0);
	for (int i = 0; i < 50 && alive(grandchild); i++)
		usleep(20000);
	CHECK(!alive(grandchild));
	sr_run_free(&r);
}

TEST(output_is_limited)
{
	const char *argv[] = {"head", "-c", "20000000", "/dev/zero", NULL};
	struct sr_run r;

	REQUIRE(sr_run_argv(argv, 20000, &r) == 0);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.out_len, SR_RUN_OUT_MAX);
	CHECK(r.out_truncated);
	sr_run_free(&r);
}

TEST(missing_binary_fails_to_start)
{
	const char *argv[] = {"/nonexistent/cairn-tool", NULL};
	struct sr_run r;

	CHECK_EQ(sr_run_argv(argv, 1000, &r), -1);
	CHECK_EQ(errno, ENOENT);
}

TEST(failure_becomes_sr_backend_failure)
{
	struct sr_config cfg = {.state_dir = "/tmp", .timeout_ms = 300};
	struct sr_ctx *ctx;
	struct sr_error err;
	struct sr_run r;
	const char *fails[] = {"sh", "-c", "echo partial; echo 'Volume group not found' >&2; exit 5",
			       NULL};
	const char *hangs[] = {"sleep", "10", NULL};
	const char *missing[] = {"/nonexistent/lvm", NULL};

	REQUIRE(sr_ctx_new(&cfg, &ctx, &err) == 0);
	CHECK_EQ(sr_run_checked(ctx, fails, &r, &err), -1);
	CHECK_EQ(err.code, SR_E_BACKEND_FAILURE);
	CHECK_EQ(err.nparams, 3);
	CHECK_STR(err.params[0], "5");
	CHECK_STR(err.params[1], "partial\n");
	CHECK_STR(err.params[2], "Volume group not found\n");
	CHECK_EQ(sr_run_checked(ctx, hangs, &r, &err), -1);
	CHECK_STR(err.params[0], "TIMEOUT");
	CHECK(strstr(err.params[2], "sleep 10: killed at the timeout") != NULL);
	CHECK_EQ(sr_run_checked(ctx, missing, &r, &err), -1);
	CHECK_STR(err.params[0], "ENOENT");
	sr_ctx_free(ctx);
}
