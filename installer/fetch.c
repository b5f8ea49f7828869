/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fetch.c — reads an answerfile from where answerfile= points:
 *
 *   file:///path        a file in the installer's file system; the ISO is
 *                       mounted at /cdrom, so file:///cdrom/x.xml is on the ISO
 *                       (a path not found as given is also tried under /cdrom)
 *   label:LABEL/path    a file on a file system labelled LABEL (vfat, iso9660,
 *                       ext4), e.g. a USB stick or a virtual disk
 *   http://host[:port]/path   fetched with busybox wget (network by DHCP)
 *
 * The content is read into a bounded heap buffer (1 MiB); the parser does the
 * rest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inst.h"

#define FETCH_MAX (1u << 20)
#define LABEL_MNT "/run/cairn-answer"

static int read_fd(int fd, char **buf, size_t *len, char *err, size_t errlen)
{
	char *b = malloc(FETCH_MAX + 1);
	size_t n = 0;
	ssize_t r;

	if (!b) {
		snprintf(err, errlen, "answerfile: out of memory");
		return -1;
	}
	while ((r = read(fd, b + n, FETCH_MAX + 1 - n)) > 0 && n <= FETCH_MAX)
		n += (size_t)r;
	if (r < 0 || n > FETCH_MAX) {
		snprintf(err, errlen, "answerfile: %s", r < 0 ? strerror(errno) : "larger than 1 MiB");
		free(b);
		return -1;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int fetch_path(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		snprintf(err, errlen, "answerfile: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	rc = read_fd(fd, buf, len, err, errlen);
	close(fd);
	return rc;
}

static int fetch_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	char alt[512];

	if (access(path, R_OK) == 0)
		return fetch_path(path, buf, len, err, errlen);
	snprintf(alt, sizeof(alt), "/cdrom%s", path);
	if (access(alt, R_OK) == 0)
		return fetch_path(alt, buf, len, err, errlen);
	return fetch_path(path, buf, len, err, errlen);
}

/* /dev/disk/by-label is udev's; the installer has none, so ask blkid. */
static int find_label(const char *label, char *dev, size_t size)
{
	char cmd[160];
	FILE *p;
	int ok;

	for (const char *c = label; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return -1;
	snprintf(cmd, sizeof(cmd), "findfs LABEL=%s 2>/dev/null", label);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fgets(dev, (int)size, p) != NULL;
	pclose(p);
	if (!ok)
		return -1;
	dev[strcspn(dev, "\n")] = '\0';
	return dev[0] == '/' ? 0 : -1;
}

static int fetch_label(const char *spec, char **buf, size_t *len, char *err, size_t errlen)
{
	static const char *const types[] = { "vfat", "iso9660", "ext4" };
	char label[64], dev[128], path[512];
	const char *slash = strchr(spec, '/');
	int rc;

	if (!slash || (size_t)(slash - spec) >= sizeof(label) || slash == spec) {
		snprintf(err, errlen, "answerfile: label:%s is not label:LABEL/path", spec);
		return -1;
	}
	memcpy(label, spec, (size_t)(slash - spec));
	label[slash - spec] = '\0';
	if (find_label(label, dev, sizeof(dev)) < 0) {
		snprintf(err, errlen, "answerfile: no file system labelled %s", label);
		return -1;
	}
	mkdir(LABEL_MNT, 0700);
	umount2(LABEL_MNT, MNT_DETACH);
	rc = -1;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && rc < 0; i++)
		rc = mount(dev, LABEL_MNT, types[i], MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "answerfile: cannot mount %s (label %s): %s", dev, label,
			 strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), LABEL_MNT "%s", slash);
	rc = fetch_path(path, buf, len, err, errlen);
	umount2(LABEL_MNT, MNT_DETACH);
	return rc;
}

static int fetch_http(const char *url, char **buf, size_t *len, char *err, size_t errlen)
{
	int pfd[2], status, rc;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "answerfile: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		execlp("wget", "wget", "-q", "-T", "30", "-O", "-", url, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	rc = pid < 0 ? -1 : read_fd(pfd[0], buf, len, err, errlen);
	close(pfd[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))) {
		if (rc == 0)
			free(*buf);
		snprintf(err, errlen, "answerfile: could not fetch %s", url);
		return -1;
	}
	return rc;
}

/*
 * Reads the answerfile URL into a NUL-terminated heap buffer (*BUF, freed by
 * the caller) of *LEN bytes. Returns 0, or -1 with a message in ERR.
 */
int inst_fetch(const char *url, char **buf, size_t *len, char *err, size_t errlen)
{
	if (strncmp(url, "file://", 7) == 0)
		return fetch_file(url + 7, buf, len, err, errlen);
	if (strncmp(url, "label:", 6) == 0)
		return fetch_label(url + 6, buf, len, err, errlen);
	if (strncmp(url, "http://", 7) == 0)
		return fetch_http(url, buf, len, err, errlen);
	snprintf(err, errlen, "answerfile: \"%s\" is not file://, label: or http://", url);
	return -1;
}
