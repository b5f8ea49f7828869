/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http.c — libmicrohttpd front end.
 *
 * Design: one MHD daemon per listener, each with a thread per connection, so
 * a long event.from blocks only its own connection. Limits: total
 * connections, connections per IP (TCP listeners), an idle timeout (slow
 * clients are dropped), and HTTP_MAX_BODY: a declared Content-Length above it
 * is answered 413 before any body is read; an undeclared (chunked) body that
 * grows past it is discarded as it arrives and answered 413. Bodies are
 * copied into a buffer of their own before parsing.
 *
 * Protocol selection by exact media type: application/json is JSON-RPC (on
 * /jsonrpc or any path), text/xml is XML-RPC on any path but /jsonrpc;
 * anything else is 415.
 *
 * GET and HEAD go to the web console (www.h) when it was started with an app
 * directory: static files, and /console upgraded to a websocket (hence
 * MHD_ALLOW_UPGRADE). Without one they are 405 like any other non-POST.
 * Stopping: www_shutdown() ends the consoles before the MHD daemons stop,
 * www_destroy() frees it after.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "http.h"
#include "log.h"
#include "sb.h"
#include "www_glue.h"

struct req {
	struct sb body;
	bool too_big;
};

struct listener {
	struct MHD_Daemon *d;
	bool local;
};

static struct listener listeners[3];
static struct www *www_srv;	/* NULL: no web console */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	char *b = strdup(text);

	return b ? reply(c, status, "text/plain", b, strlen(b)) : MHD_NO;
}

static void peer_of(struct MHD_Connection *c, bool local, struct api_peer *p)
{
	const union MHD_ConnectionInfo *ci;

	memset(p, 0, sizeof(*p));
	p->uid = (uid_t)-1;
	if (local) {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		p->local = true;
		snprintf(p->addr, sizeof(p->addr), "unix");
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci && getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			p->uid = cred.uid;
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		snprintf(p->addr, sizeof(p->addr), "?");
	else if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, p->addr,
			  sizeof(p->addr));
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, p->addr,
			  sizeof(p->addr));
}

static bool media_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct && !strncasecmp(ct, want, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* 1: JSON-RPC, 0: XML-RPC, -1: a Content-Type that fits neither (415). */
static int protocol(struct MHD_Connection *c, const char *url)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");

	if (media_is(ct, "application/json"))
		return 1;
	if (media_is(ct, "text/xml") && strcmp(url, "/jsonrpc") != 0)
		return 0;
	return -1;
}

static enum MHD_Result dispatch(struct MHD_Connection *c, struct listener *l, const char *url,
				struct req *r)
{
	struct api_peer peer;
	const char *type = "text/plain";
	char bad[256];
	size_t len = 0;
	char *out;

	int proto = protocol(c, url);

	if (r->too_big)
		return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
	if (proto < 0)
		return reply_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				  "Content-Type must be text/xml (XML-RPC) or application/json (JSON-RPC)\n");
	peer_of(c, l->local, &peer);
	out = api_handle(proto == 1, r->body.p ? r->body.p : "", r->body.len, &peer, &len,
			 &type, bad, sizeof(bad));
	if (!out) {
		struct sb b = {0};

		sb_addf(&b, "malformed request: %s\n", bad);
		out = sb_take(&b, &len);
		return reply(c, MHD_HTTP_BAD_REQUEST, "text/plain", out, len);
	}
	return reply(c, MHD_HTTP_OK, type, out, len);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	struct listener *l = cls;
	struct req *r = *con_cls;
	const char *cl;

	if (!r) {
		if (www_srv && www_wants(method, url))
			return www_handle(www_srv, c, method, url);
		if (strcmp(method, "POST") != 0)
			return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
					  "xapi-c: XenAPI over POST (XML-RPC on /, JSON-RPC on /jsonrpc)\n");
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > HTTP_MAX_BODY)
			return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		return MHD_YES;
	}
	if (*size) {
		if (r->too_big || r->body.len + *size > HTTP_MAX_BODY) {
			r->too_big = true;
			sb_free(&r->body);
		} else {
			sb_add(&r->body, data, *size);
		}
		*size = 0;
		return MHD_YES;
	}
	return dispatch(c, l, url, r);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	if (r) {
		sb_free(&r->body);
		free(r);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("libmicrohttpd: %s", msg);
}

static int parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	long port;

	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -1;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port < 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	return inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &s4->sin_addr) == 1 ? 0 : -1;
}

static int tcp_socket(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (parse_addr(spec, &ss, &len)) {
		log_err("bad listen address %s", spec);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 128)) {
		log_err("cannot listen on %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int unix_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	chmod(path, 0666);	/* any local user may connect; only root logs in without a password */
	return fd;
}

static int start_one(struct listener *l, int fd, const struct http_conf *conf, bool tls)
{
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0);
	struct MHD_OptionItem opts[12];
	int n = 0;

#define OPT(o, v, p) (opts[n++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (void *)(p)})
	OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL);
	OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, conf->conn_limit, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, conf->timeout, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL);
	OPT(MHD_OPTION_THREAD_STACK_SIZE, 512 * 1024, NULL);
	if (!l->local)
		OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, conf->per_ip_limit, NULL);
	if (tls) {
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, conf->key_pem);
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, conf->cert_pem);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT

	if (fd < 0)
		return -1;
	l->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, l, MHD_OPTION_ARRAY, opts,
				MHD_OPTION_END);
	if (!l->d) {
		log_err("libmicrohttpd refused to start%s", tls ? " (TLS)" : "");
		close(fd);
		return -1;
	}
	return 0;
}

/* No root: no web console (logged). A root that cannot be used fails the start. */
static int www_start(const char *root)
{
	if (!root) {
		log_info("no web console app directory: GET and /console are refused");
		return 0;
	}
	www_srv = www_create(root, &www_glue_ops, NULL);
	if (!www_srv) {
		log_err("cannot serve the web console from %s", root);
		return -1;
	}
	log_info("web console from %s", root);
	return 0;
}

int http_start(const struct http_conf *conf)
{
	if (conf->https_addr && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		log_err("libmicrohttpd has no TLS support");
		return -1;
	}
	if (www_start(conf->www_root))
		return -1;
	if (conf->https_addr && start_one(&listeners[0], tcp_socket(conf->https_addr), conf, true))
		return -1;
	if (conf->http_addr && start_one(&listeners[1], tcp_socket(conf->http_addr), conf, false))
		return -1;
	listeners[2].local = true;
	if (conf->unix_path && start_one(&listeners[2], unix_socket(conf->unix_path), conf, false))
		return -1;
	log_info("listening:%s%s%s%s%s%s", conf->https_addr ? " https " : "",
		 conf->https_addr ? conf->https_addr : "", conf->http_addr ? " http " : "",
		 conf->http_addr ? conf->http_addr : "", conf->unix_path ? " unix " : "",
		 conf->unix_path ? conf->unix_path : "");
	return 0;
}

void http_stop(void)
{
	if (www_srv)
		www_shutdown(www_srv);
	for (int i = 0; i < 3; i++)
		if (listeners[i].d) {
			MHD_stop_daemon(listeners[i].d);
			listeners[i].d = NULL;
		}
	if (www_srv) {
		www_destroy(www_srv);
		www_srv = NULL;
	}
}
