/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h — xapi-c's log lines: one line each, prefixed with the function name,
 * written to stderr (the service manager or the test harness captures it).
 */
#ifndef XAPI_LOG_H
#define XAPI_LOG_H

#include <stdio.h>

void log_line(const char *level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_info(...) log_line("info", __func__, __VA_ARGS__)
#define log_warn(...) log_line("warn", __func__, __VA_ARGS__)
#define log_err(...)  log_line("error", __func__, __VA_ARGS__)

#endif
