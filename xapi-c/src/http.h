/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http.h — the HTTP front end (libmicrohttpd): HTTPS on TCP, plain HTTP on a
 * Unix socket for local tools, optionally plain HTTP on TCP for tests.
 * POST bodies go to api_handle(); GET and HEAD to the web console (www.h)
 * when www_root is set; everything else is refused.
 */
#ifndef XAPI_HTTP_H
#define XAPI_HTTP_H

#include <stddef.h>

#define HTTP_MAX_BODY (16u << 20)	/* larger requests get 413 */

struct http_conf {
	const char *https_addr;		/* "ADDR:PORT" or NULL */
	const char *http_addr;		/* plain HTTP, tests only; or NULL */
	const char *unix_path;		/* or NULL */
	const char *cert_pem, *key_pem;	/* for HTTPS */
	unsigned conn_limit;		/* total connections per listener */
	unsigned per_ip_limit;
	unsigned timeout;		/* idle seconds before a connection is closed */
	const char *www_root;		/* the built web console app, or NULL: none */
};

int http_start(const struct http_conf *conf);
void http_stop(void);

#endif
