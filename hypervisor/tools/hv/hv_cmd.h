/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hv_cmd.h — what the hv subcommands share: their handlers (rows of the table
 * in hv.c) and the helpers that open the device and explain failures.
 *
 * Exit statuses: 0 success, 1 the driver or the hypervisor refused, 2 a usage
 * error (bad or missing arguments; nothing was asked of the hypervisor).
 */
#ifndef CAIRN_HV_CMD_H
#define CAIRN_HV_CMD_H

#include <stdint.h>

#include "libhv.h"

#define HV_EXIT_OK     0
#define HV_EXIT_FAILED 1
#define HV_EXIT_USAGE  2

int cmd_create(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_console(int argc, char **argv);

/* Opens /dev/cairn or prints why not (NULL). */
hv_handle *hv_cli_open(void);

/*
 * Prints "hv: <what>: <reason>" for a negative errno from libhv, with the
 * hypervisor's -ENOSYS explained as missing domain control. Returns
 * HV_EXIT_FAILED.
 */
int hv_cli_fail(const char *what, int rc);

/* Parses a whole decimal number in [min, max]; 0, or -1 after printing why not. */
int hv_cli_uint(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Parses a domU id (1..CAIRN_DOMID_MAX); dom0 and junk are refused with a message. */
int hv_cli_domid(const char *cmd, const char *s, uint32_t *domid);

#endif /* CAIRN_HV_CMD_H */
