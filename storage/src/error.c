/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * error.c — XenAPI error codes and their parameters; the library's log.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srint.h"

static const char *const code_names[SR_E__COUNT] = {
	[SR_OK] = "OK",
	[SR_E_BACKEND_FAILURE] = "SR_BACKEND_FAILURE",
	[SR_E_VDI_IN_USE] = "VDI_IN_USE",
	[SR_E_VDI_TOO_SMALL] = "VDI_TOO_SMALL",
	[SR_E_SR_FULL] = "SR_FULL",
	[SR_E_UUID_INVALID] = "UUID_INVALID",
	[SR_E_UNKNOWN_DRIVER] = "SR_UNKNOWN_DRIVER",
	[SR_E_OPERATION_NOT_SUPPORTED] = "SR_OPERATION_NOT_SUPPORTED",
	[SR_E_NOT_EMPTY] = "SR_NOT_EMPTY",
	[SR_E_VDI_READONLY] = "VDI_READONLY",
	[SR_E_INVALID_VALUE] = "INVALID_VALUE",
	[SR_E_SR_DEVICE_IN_USE] = "SR_DEVICE_IN_USE",
};

const char *sr_code_name(enum sr_code code)
{
	if ((unsigned)code >= SR_E__COUNT || !code_names[code])
		return "INTERNAL_ERROR";
	return code_names[code];
}

const char *sr_error_str(const struct sr_error *err, char *buf, size_t len)
{
	size_t off;
	int i;

	snprintf(buf, len, "%s [", sr_code_name(err->code));
	for (i = 0; i < err->nparams; i++) {
		off = strlen(buf);
		snprintf(buf + off, len - off, "%s\"%s\"", i ? ", " : "", err->params[i]);
	}
	off = strlen(buf);
	snprintf(buf + off, len - off, "]");
	return buf;
}

/* Fills ERR with CODE and NPARAMS string parameters (NULL reads as "");
 * returns -1 so callers can `return sr_fail(...)`. */
int sr_fail(struct sr_error *err, enum sr_code code, int nparams, ...)
{
	va_list ap;
	int i;

	if (!err)
		return -1;
	memset(err, 0, sizeof(*err));
	err->code = code;
	if (nparams > SR_ERR_PARAMS)
		nparams = SR_ERR_PARAMS;
	va_start(ap, nparams);
	for (i = 0; i < nparams; i++) {
		const char *p = va_arg(ap, const char *);
		snprintf(err->params[i], SR_ERR_PARAM_MAX, "%s", p ? p : "");
	}
	va_end(ap);
	err->nparams = nparams;
	return -1;
}

/* A failed system call becomes SR_BACKEND_FAILURE [errno name, "", message]. */
int sr_fail_errno(struct sr_error *err, int errnum, const char *fmt, ...)
{
	char msg[SR_ERR_PARAM_MAX];
	char full[SR_ERR_PARAM_MAX];
	va_list ap;
	const char *name = strerrorname_np(errnum);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%.1500s: %s", msg, strerror(errnum));
	SR_LOG("%s", full);
	return sr_fail(err, SR_E_BACKEND_FAILURE, 3, name ? name : "EIO", "", full);
}

/* Log lines go to stderr with the function name, unless CAIRN_SR_QUIET is set. */
void sr_log(const char *func, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (getenv("CAIRN_SR_QUIET"))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sr: %s: %s\n", func, line);
}
