/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * www_glue.h — the daemon's side of the web console's VM consoles: the
 * struct www_console_ops that www.c (../www/www.h) calls for /console.
 */
#ifndef XAPI_WWW_GLUE_H
#define XAPI_WWW_GLUE_H

#include "../www/www.h"

extern const struct www_console_ops www_glue_ops;

#endif
