/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hv — Cairn's hypervisor-level command line (like Xen's xl).
 *
 * Design: subcommands are rows of a table (name, handler, summary); main()
 * looks the name up and runs the handler, and an unknown name prints the usage
 * and exits 2. Handlers return the process's exit status: 0 on success, 1 when
 * the hypervisor or the driver refused. create/list/pause/unpause/destroy/
 * console join the table with domUs (issue 4).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libhv.h"

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

static hv_handle *open_or_complain(void)
{
	hv_handle *h = hv_open();

	if (!h)
		fprintf(stderr, "hv: cannot open %s: %s (is cairn.ko loaded, are you root?)\n",
			HV_DEVICE, strerror(errno));
	return h;
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
	h = open_or_complain();
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
