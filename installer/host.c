/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * host.c — checks a configuration against the machine the installer runs on:
 * the target disk exists, is a whole disk, is not mounted or read-only, and is
 * big enough; the time zone is known; the management NIC exists. Reads only
 * /sys, /proc and the zoneinfo tree; writes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "inst.h"

#define ZONEINFO "/usr/share/zoneinfo"

static int read_u64(const char *path, uint64_t *v)
{
	unsigned long long x;
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*v = x;
	return 0;
}

/* Size of /dev/DISK in bytes, from sysfs (always in 512-byte sectors). */
int inst_disk_bytes(const char *disk, uint64_t *bytes)
{
	char path[128];
	uint64_t sectors;

	snprintf(path, sizeof(path), "/sys/block/%s/size", disk);
	if (read_u64(path, &sectors) < 0)
		return -1;
	*bytes = sectors * 512;
	return 0;
}

static int disk_mounted(const char *disk)
{
	char line[512], dev[256], want[48];
	FILE *f = fopen("/proc/mounts", "r");
	int hit = 0;

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "/dev/%s", disk);
	while (!hit && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s", dev) == 1 && strncmp(dev, want, strlen(want)) == 0)
			hit = 1;
	fclose(f);
	return hit;
}

static int check_disk(const struct inst_config *cfg, char *err, size_t errlen)
{
	char path[128];
	uint64_t bytes, ro = 0;

	if (inst_disk_bytes(cfg->disk, &bytes) < 0) {
		snprintf(err, errlen, "primary-disk: there is no disk \"%s\" on this machine", cfg->disk);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/block/%s/ro", cfg->disk);
	if (read_u64(path, &ro) == 0 && ro) {
		snprintf(err, errlen, "primary-disk: %s is read-only", cfg->disk);
		return -1;
	}
	if (bytes < INST_MIN_DISK_BYTES) {
		snprintf(err, errlen, "primary-disk: %s is too small: %llu MiB, Cairn needs at least %llu MiB",
			 cfg->disk, (unsigned long long)(bytes >> 20),
			 (unsigned long long)(INST_MIN_DISK_BYTES >> 20));
		return -1;
	}
	if (disk_mounted(cfg->disk)) {
		snprintf(err, errlen, "primary-disk: %s is in use (mounted)", cfg->disk);
		return -1;
	}
	return 0;
}

/*
 * Validates CFG against this machine. Returns 0, or -1 with a message.
 * Call after inst_check(); touches no disk.
 */
int inst_check_host(const struct inst_config *cfg, char *err, size_t errlen)
{
	char path[160];
	struct stat st;

	if (check_disk(cfg, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), ZONEINFO "/%s", cfg->timezone);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "timezone: unknown time zone \"%s\"", cfg->timezone);
		return -1;
	}
	if (cfg->nic[0]) {
		snprintf(path, sizeof(path), "/sys/class/net/%s", cfg->nic);
		if (stat(path, &st) < 0) {
			snprintf(err, errlen, "admin-interface: no network interface \"%s\"", cfg->nic);
			return -1;
		}
	}
	return 0;
}
