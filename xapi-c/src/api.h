/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api.h — the XenAPI dispatcher: method name -> handler, session checks,
 * argument checks against the datamodel, one database transaction per call,
 * errors as XenAPI names them.
 */
#ifndef XAPI_API_H
#define XAPI_API_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "db.h"
#include "rpc.h"

struct vm_backend_ops;

struct api_conf {
	const char *pam_service;	/* PAM service for login_with_password */
	long session_timeout;		/* seconds of inactivity before a session expires */
	int login_fail_limit;		/* failed logins per source per login_fail_window */
	long login_fail_window;		/* seconds */
	const struct vm_backend_ops *backend;
};

/* Who is calling: a TCP peer address, or the Unix socket with its uid. */
struct api_peer {
	char addr[64];
	bool local;			/* came in on the Unix socket */
	uid_t uid;			/* SO_PEERCRED uid, when local */
};

/* Opens the state: ensures pool/host records exist. 0 on success. */
int api_init(struct db *db, const struct api_conf *conf);
void api_shutdown(void);

/*
 * Runs one call: parses body (json: JSON-RPC, else XML-RPC), runs the method,
 * returns the reply body (malloc'ed) and its Content-Type. NULL with
 * *bad_request set when the body cannot be parsed at all (HTTP 400).
 */
char *api_handle(bool json, const char *body, size_t len, const struct api_peer *peer,
		 size_t *outlen, const char **content_type, char *bad_request, size_t brlen);

/* Runs a parsed call; returns the result or sets *err (an ErrorDescription). */
json_t *api_call(const struct rpc_call *call, const struct api_peer *peer, json_t **err);

#endif
