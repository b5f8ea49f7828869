/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The intent journal: a record survives until it is ended, reads back
 * exactly, corrupt records are refused, and the fault-injection point kills
 * the process where asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "srint.h"
#include "unit.h"

static char *tmpdir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/sr-journal-XXXXXX");
	REQUIRE(mkdtemp(dir) != NULL);
	return dir;
}

static void cleanup(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/journal", dir);
	unlink(path);
	rmdir(dir);
}

TEST(no_record_reads_as_none)
{
	char *dir = tmpdir(), op[32], args[SR_JOURNAL_ARGS][SR_PATH_MAX];
	struct sr_error err;
	int n;

	CHECK_EQ(sr_journal_read(dir, op, sizeof(op), args, &n, &err), 0);
	CHECK_EQ(n, 0);
	cleanup(dir);
}

TEST(record_round_trip_and_end)
{
	char *dir = tmpdir(), op[32], args[SR_JOURNAL_ARGS][SR_PATH_MAX];
	const char *in[] = {"a-uuid", "/dev/vdb", ""};
	struct sr_error err;
	int n;

	REQUIRE(sr_journal_begin(dir, "snapshot", in, 3, &err) == 0);
	REQUIRE(sr_journal_read(dir, op, sizeof(op), args, &n, &err) == 1);
	CHECK_STR(op, "snapshot");
	CHECK_EQ(n, 2); /* an empty last argument is not kept by the line format */
	CHECK_STR(args[0], "a-uuid");
	CHECK_STR(args[1], "/dev/vdb");
	REQUIRE(sr_journal_end(dir, &err) == 0);
	CHECK_EQ(sr_journal_read(dir, op, sizeof(op), args, &n, &err), 0);
	CHECK_EQ(sr_journal_end(dir, &err), 0); /* idempotent */
	cleanup(dir);
}

TEST(newline_in_argument_is_refused)
{
	char *dir = tmpdir();
	const char *in[] = {"a\nb"};
	struct sr_error err;

	CHECK_EQ(sr_journal_begin(dir, "create", in, 1, &err), -1);
	CHECK_EQ(err.code, SR_E_INVALID_VALUE);
	cleanup(dir);
}

static void write_raw(const char *dir, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/journal", dir);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs(text, f);
	fclose(f);
}

TEST(corrupt_records_are_refused)
{
	char *dir = tmpdir(), op[32], args[SR_JOURNAL_ARGS][SR_PATH_MAX];
	struct sr_error err;
	int n;
	static const char *const bad[] = {
		"", "garbage\n", "CAIRN-JOURNAL 1\ncreate\nx\n" /* no END */,
		"CAIRN-JOURNAL 2\ncreate\nEND\n", "CAIRN-JOURNAL 1\na\n1\n2\n3\n4\n5\n6\n7\nEND\n"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_raw(dir, bad[i]);
		CHECK_EQ(sr_journal_read(dir, op, sizeof(op), args, &n, &err), -1);
		CHECK_EQ(err.code, SR_E_BACKEND_FAILURE);
	}
	cleanup(dir);
}

TEST(fault_point_exits_only_where_asked)
{
	pid_t pid = fork();
	int st;

	REQUIRE(pid >= 0);
	if (pid == 0) {
		setenv("CAIRN_SR_FAULT", "snapshot:2", 1);
		sr_fault_point("snapshot", 1);
		sr_fault_point("create", 2);
		sr_fault_point("snapshot", 2);
		_exit(0);
	}
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 99);
}
