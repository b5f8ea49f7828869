/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hv — Cairn's hypervisor-level command line (like Xen's xl).
 *
 * Design: subcommands are rows of a table (name, handler, summary); main()
 * looks the name up and runs the handler, and an unknown name prints the usage
 * and exits 2. Handlers return the process's exit status: 0 on success, 1 when
 * the hypervisor or the driver refused, 2 for a usage error (see hv_cmd.h).
 * The domain commands live in hv_create.c and hv_domain.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv_cmd.h"

#define MIB_PAGES 256 /* 4 KiB pages per MiB */

struct hv_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static int cmd_info(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct hv_cmd hv_cmds[] = {
	{ "info", cmd_info, "print the hypervisor's version, CPUs and memory" },
	{ "create", cmd_create, "build and start a domU from a Linux kernel (--help for options)" },
	{ "list", cmd_list, "list the domains" },
	{ "pause", cmd_pause, "pause a domU: hv pause DOMID" },
	{ "unpause", cmd_unpause, "unpause a domU: hv unpause DOMID" },
	{ "destroy", cmd_destroy, "destroy a domU and free its memory: hv destroy DOMID" },
	{ "console", cmd_console, "read a domU's serial output, send it input: hv console DOMID [--once]" },
	{ "help", cmd_help, "print this list" },
};

#define NR_CMDS (sizeof(hv_cmds) / sizeof(hv_cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: hv <command> [args]\ncommands:\n");
	for (i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-10s %s\n", hv_cmds[i].name, hv_cmds[i].summary);
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

hv_handle *hv_cli_open(void)
{
	hv_handle *h = hv_open();

	if (!h)
		fprintf(stderr, "hv: cannot open %s: %s (is cairn.ko loaded, are you root?)\n",
			HV_DEVICE, strerror(errno));
	return h;
}

int hv_cli_fail(const char *what, int rc)
{
	if (rc == -ENOSYS)
		fprintf(stderr, "hv: %s: this hypervisor does not support domain control yet "
			"(it answered ENOSYS)\n", what);
	else
		fprintf(stderr, "hv: %s: %s\n", what, strerror(-rc));
	return HV_EXIT_FAILED;
}

int hv_cli_uint(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!s || !*s || *s < '0' || *s > '9') {
		fprintf(stderr, "hv: %s: '%s' is not a number\n", opt, s ? s : "");
		return -1;
	}
	v = strtoull(s, &end, 10);
	if (*end || errno) {
		fprintf(stderr, "hv: %s: '%s' is not a number\n", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "hv: %s: %s is out of range (%u..%u)\n", opt, s, min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int hv_cli_domid(const char *cmd, const char *s, uint32_t *domid)
{
	if (s && strcmp(s, "0") == 0) {
		fprintf(stderr, "hv: %s: domain 0 is dom0; only domUs (1..%u) can be named\n",
			cmd, CAIRN_DOMID_MAX);
		return -1;
	}
	return hv_cli_uint(cmd, s, 1, CAIRN_DOMID_MAX, domid);
}

static void print_info(long version, const struct cairn_host_info *info)
{
	char cpus[128];

	if (hv_format_cpumask(info->dom0_cpu_mask, cpus, sizeof(cpus)) < 0)
		snprintf(cpus, sizeof(cpus), "%#llx", (unsigned long long)info->dom0_cpu_mask);
	printf("version: %s (%ld.%ld)\n", info->hv_version, version >> 16, version & 0xffff);
	printf("abi: %u\n", info->abi_version);
	printf("cpus: %u (dom0: %s)\n", info->nr_cpus, cpus);
	printf("dom0_cpus: %u\n", info->nr_dom0_cpus);
	printf("memory: total %llu MiB, free %llu MiB\n",
	       (unsigned long long)(info->total_pages / MIB_PAGES),
	       (unsigned long long)(info->free_pages / MIB_PAGES));
	printf("dom0_memory: %llu MiB\n", (unsigned long long)(info->dom0_pages / MIB_PAGES));
	printf("hv_memory: %llu KiB\n", (unsigned long long)(info->hv_pages * 4));
}

static int cmd_info(int argc, char **argv)
{
	struct cairn_host_info info;
	hv_handle *h;
	long version;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "usage: hv info\n");
		return 2;
	}
	h = hv_cli_open();
	if (!h)
		return 1;
	version = hv_version(h);
	rc = version < 0 ? (int)version : hv_host_info(h, &info);
	hv_close(h);
	if (rc < 0) {
		fprintf(stderr, "hv: info: %s: %s\n", version < 0 ? "version" : "host_info",
			strerror(-rc));
		return 1;
	}
	print_info(version, &info);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < NR_CMDS; i++)
		if (strcmp(argv[1], hv_cmds[i].name) == 0)
			return hv_cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "hv: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
