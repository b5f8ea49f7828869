/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * state.c — the library's state directory: per-SR locks, attach records,
 * atomic file writes, fault injection.
 *
 * Layout: <state>/sr/<sr-uuid>/lock      flock'd by every changing operation
 *         <state>/sr/<sr-uuid>/journal   the intent record (journal.c)
 *         <state>/sr/<sr-uuid>/attached/<vdi-uuid>   one per attached VDI
 *         <state>/mnt/<sr-uuid>          nfs mount points
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "srint.h"

/* mkdir -p. */
int sr_mkdirs(const char *path, struct sr_error *err)
{
	char tmp[SR_PATH_MAX];
	char *p;

	if (sr_copy_str(tmp, sizeof(tmp), path) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "path", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return sr_fail_errno(err, errno, "mkdir %s", tmp);
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return sr_fail_errno(err, errno, "mkdir %s", tmp);
	return 0;
}

int sr_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Writes DATA to PATH through PATH.tmp + fsync + rename + fsync of the directory. */
int sr_write_file_atomic(const char *path, const char *data, size_t len, struct sr_error *err)
{
	char tmp[SR_PATH_MAX + 8], dir[SR_PATH_MAX];
	char *slash;
	int fd;

	if (sr_fmt(tmp, sizeof(tmp), "%s.tmp", path) < 0 || sr_copy_str(dir, sizeof(dir), path))
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "path", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return sr_fail_errno(err, errno, "open %s", tmp);
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
		int e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		return sr_fail_errno(err, e, "write %s", tmp);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return sr_fail_errno(err, e, "rename %s", tmp);
	}
	if (slash && sr_fsync_dir(dir) < 0)
		return sr_fail_errno(err, errno, "fsync %s", dir);
	return 0;
}

/* Takes the SR's exclusive lock (blocking). */
int sr_lock(struct sr *sr, struct sr_error *err)
{
	char path[SR_PATH_MAX + 8];

	if (sr->lock_fd >= 0)
		return 0;
	if (sr_fmt(path, sizeof(path), "%s/lock", sr->dir) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "state dir", sr->dir);
	sr->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sr->lock_fd < 0)
		return sr_fail_errno(err, errno, "open %s", path);
	while (flock(sr->lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(sr->lock_fd);
			sr->lock_fd = -1;
			return sr_fail_errno(err, e, "flock %s", path);
		}
	}
	return 0;
}

void sr_unlock(struct sr *sr)
{
	if (sr->lock_fd >= 0) {
		close(sr->lock_fd);
		sr->lock_fd = -1;
	}
}

static int attach_path(struct sr *sr, const char *vdi, char *path, size_t len)
{
	return sr_fmt(path, len, "%s/attached/%s", sr->dir, vdi);
}

int sr_attach_record_set(struct sr *sr, const char *vdi, bool on, struct sr_error *err)
{
	char path[SR_PATH_MAX + 64], dir[SR_PATH_MAX + 16];

	if (attach_path(sr, vdi, path, sizeof(path)) < 0 ||
	    sr_fmt(dir, sizeof(dir), "%s/attached", sr->dir) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "vdi", vdi);
	if (!on) {
		if (unlink(path) < 0 && errno != ENOENT)
			return sr_fail_errno(err, errno, "unlink %s", path);
		sr_fsync_dir(dir);
		return 0;
	}
	if (sr_mkdirs(dir, err) < 0)
		return -1;
	return sr_write_file_atomic(path, "attached\n", 9, err);
}

bool sr_attach_record_get(struct sr *sr, const char *vdi)
{
	char path[SR_PATH_MAX + 64];

	if (attach_path(sr, vdi, path, sizeof(path)) < 0)
		return false;
	return access(path, F_OK) == 0;
}

/* CAIRN_SR_FAULT="OP:STEP": the process dies here, as if killed, so tests can
 * interrupt an operation at a chosen point. */
void sr_fault_point(const char *op, int step)
{
	const char *spec = getenv("CAIRN_SR_FAULT");
	char want[96];

	if (!spec)
		return;
	snprintf(want, sizeof(want), "%s:%d", op, step);
	if (strcmp(spec, want) == 0) {
		fprintf(stderr, "sr: %s: fault injected at %s\n", __func__, want);
		_exit(99);
	}
}
