/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * journal.c — the per-SR intent journal.
 *
 * Design: before an operation that changes the storage in more than one step,
 * its intent (an op name and up to SR_JOURNAL_ARGS arguments: uuids, file
 * names) is written to <dir>/journal.tmp, fsync'd, renamed to <dir>/journal
 * and the directory fsync'd. Only then does the first change happen. When the
 * operation has finished, the record is unlinked (and the directory fsync'd).
 * A record found later means the process died in between; sr_open() hands it
 * to the driver's recover op, which rolls the operation back or forward using
 * only what it can see on the storage, so recovery itself is idempotent and
 * survives being interrupted too. The format is text:
 *     CAIRN-JOURNAL 1\n<op>\n<arg>\n...END\n
 * A record without the END line cannot exist (rename is atomic), but it is
 * rejected as corrupt rather than guessed at.
 *
 * Locking: the caller holds the SR lock; one operation, one record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srint.h"

#define JOURNAL_MAGIC "CAIRN-JOURNAL 1"

int sr_journal_begin(const char *dir, const char *op, const char *const *args, int nargs,
		     struct sr_error *err)
{
	char path[SR_PATH_MAX + 16], buf[4096];
	size_t off = 0;
	int i;

	if (nargs > SR_JOURNAL_ARGS)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "journal args", "too many");
	if (sr_fmt(buf, sizeof(buf), "%s\n%s\n", JOURNAL_MAGIC, op) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "journal op", op);
	off = strlen(buf);
	for (i = 0; i < nargs; i++) {
		if (strchr(args[i], '\n') || sr_fmt(buf + off, sizeof(buf) - off, "%s\n", args[i]))
			return sr_fail(err, SR_E_INVALID_VALUE, 2, "journal arg", args[i]);
		off += strlen(buf + off);
	}
	if (sr_fmt(buf + off, sizeof(buf) - off, "END\n") < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "journal", "too long");
	off += 4;
	if (sr_fmt(path, sizeof(path), "%s/journal", dir) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "state dir", dir);
	return sr_write_file_atomic(path, buf, off, err);
}

int sr_journal_end(const char *dir, struct sr_error *err)
{
	char path[SR_PATH_MAX + 16];

	if (sr_fmt(path, sizeof(path), "%s/journal", dir) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "state dir", dir);
	if (unlink(path) < 0 && errno != ENOENT)
		return sr_fail_errno(err, errno, "unlink %s", path);
	if (sr_fsync_dir(dir) < 0)
		return sr_fail_errno(err, errno, "fsync %s", dir);
	return 0;
}

/* Splits the record in BUF into lines; returns the number of argument lines
 * or -1 when the framing is wrong. */
static int split_record(char *buf, char *op, size_t oplen, char args[][SR_PATH_MAX])
{
	char *save = NULL, *line;
	int n = -1;

	line = strtok_r(buf, "\n", &save);
	if (!line || strcmp(line, JOURNAL_MAGIC) != 0)
		return -1;
	line = strtok_r(NULL, "\n", &save);
	if (!line || sr_copy_str(op, oplen, line) < 0)
		return -1;
	for (n = 0; (line = strtok_r(NULL, "\n", &save)) != NULL; n++) {
		if (strcmp(line, "END") == 0)
			return n;
		if (n >= SR_JOURNAL_ARGS || sr_copy_str(args[n], SR_PATH_MAX, line) < 0)
			return -1;
	}
	return -1;
}

int sr_journal_read(const char *dir, char *op, size_t oplen, char args[][SR_PATH_MAX],
		    int *nargs, struct sr_error *err)
{
	char path[SR_PATH_MAX + 16], buf[4096];
	ssize_t len;
	int fd, n;

	*nargs = 0;
	if (sr_fmt(path, sizeof(path), "%s/journal", dir) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "state dir", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return sr_fail_errno(err, errno, "open %s", path);
	}
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return sr_fail_errno(err, errno, "read %s", path);
	buf[len] = '\0';
	n = split_record(buf, op, oplen, args);
	if (n < 0) {
		SR_LOG("corrupt journal record in %s", path);
		return sr_fail(err, SR_E_BACKEND_FAILURE, 3, "EUCLEAN", "",
			       "corrupt journal record");
	}
	*nargs = n;
	return 1;
}
