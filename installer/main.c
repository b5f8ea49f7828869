/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c — cairn-install: the Cairn installer.
 *
 *   cairn-install [--answerfile URL] [--image PATH] [--check]
 *
 * Unattended when an answerfile is named, on the command line or as
 * answerfile= on the kernel command line; otherwise the text UI asks. In both
 * cases the whole configuration is validated (inst_check, inst_check_host)
 * before any disk is written; a bad configuration prints one line starting
 * "cairn-install: ERROR:" and "nothing was written", and exits 2. --check
 * stops after validation. Exit codes: 0 installed, 1 install failed, 2 bad
 * configuration, 3 cancelled.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inst.h"

#define DEFAULT_IMAGE "/cdrom/cairn/dom0.tar.zst"

/* answerfile=VALUE from /proc/cmdline into OUT, or "" when absent. */
static void cmdline_answerfile(char *out, size_t size)
{
	char buf[4096], *tok, *save = NULL;
	FILE *f = fopen("/proc/cmdline", "r");
	size_t n = 0;

	out[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (strncmp(tok, "answerfile=", 11) == 0)
			snprintf(out, size, "%s", tok + 11);
}

static int load_answerfile(const char *url, struct inst_config *cfg, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	printf("cairn-install: answerfile %s\n", url);
	if (inst_fetch(url, &buf, &len, err, errlen) < 0)
		return -1;
	rc = af_parse(buf, len, cfg, err, errlen);
	free(buf);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: cairn-install [--answerfile URL] [--image PATH] [--check]\n");
	exit(2);
}

static void bad_config(const char *err)
{
	printf("cairn-install: ERROR: %s\n", err);
	printf("cairn-install: nothing was written to any disk\n");
	fflush(stdout);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "answerfile", required_argument, NULL, 'a' },
		{ "image", required_argument, NULL, 'i' },
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct inst_paths paths = { .image = DEFAULT_IMAGE, .log = NULL };
	struct inst_config cfg;
	char url[1024] = "", err[INST_ERR_MAX];
	int c, check_only = 0;
	time_t t0 = time(NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'a')
			snprintf(url, sizeof(url), "%s", optarg);
		else if (c == 'i')
			paths.image = optarg;
		else if (c == 'c')
			check_only = 1;
		else
			usage();
	}
	if (optind != argc)
		usage();
	if (!url[0])
		cmdline_answerfile(url, sizeof(url));
	inst_defaults(&cfg);
	if (url[0]) {
		if (load_answerfile(url, &cfg, err, sizeof(err)) < 0)
			bad_config(err);
	} else if (tui_ask(&cfg) < 0) {
		printf("cairn-install: cancelled; nothing was written to any disk\n");
		return 3;
	}
	if (inst_check(&cfg, err, sizeof(err)) < 0 || inst_check_host(&cfg, err, sizeof(err)) < 0)
		bad_config(err);
	printf("cairn-install: configuration valid: %s install on /dev/%s, host %s, %s on %s\n",
	       cfg.mode == INST_UPGRADE ? "upgrade" : "fresh", cfg.disk, cfg.hostname,
	       cfg.proto == INST_STATIC ? cfg.ipaddr : "dhcp", cfg.nic[0] ? cfg.nic : "any NIC");
	if (check_only)
		return 0;
	if (inst_run(&cfg, &paths) < 0) {
		printf("cairn-install: FAILED\n");
		return 1;
	}
	printf("cairn-install: COMPLETE in %lds\n", (long)(time(NULL) - t0));
	return 0;
}
