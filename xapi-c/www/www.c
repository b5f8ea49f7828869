/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * www.c — static files for the web console and the VM console websocket.
 *
 * Design:
 *  - Static files: the decoded URL path is normalized into a relative name
 *    (no "..", no dot-files, no control bytes) and opened with openat() under
 *    the root directory's fd, O_NOFOLLOW, regular files only. "/" is
 *    index.html. Files under assets/ carry content hashes in their names and
 *    are cached for a year; everything else is revalidated (ETag from size
 *    and mtime, If-None-Match answered with 304).
 *  - /console: the RFC 6455 handshake is checked on the MHD thread (Upgrade,
 *    Connection, version 13, a 16-byte key, Origin equal to Host when sent),
 *    then the daemon's check_session() decides; the answer is a 101 through
 *    MHD's upgrade support. After the upgrade one thread per console owns the
 *    socket: it opens the console, polls the socket and the console's fd (or
 *    reads every WWW_POLL_MS), copies client frames in, decodes and unmasks
 *    them into a separate buffer, then acts (data to the console, ping→pong,
 *    close→close). Console output goes out as binary frames. Protocol errors
 *    close with the RFC's code. The session is checked again every
 *    WWW_RECHECK_MS, so a logout ends the console.
 *
 * Locking: w->lock guards nconsoles, stopping and the pending list; it is
 * never held across a callback or socket I/O. nconsoles counts handshakes
 * whose 101 is queued (the pending list) and running console threads.
 * www_shutdown() sets stopping and waits (cond) until every thread has gone;
 * an upgrade that arrives later is closed at once. www_destroy() frees the
 * handshakes MHD never completed, so it runs after MHD_stop_daemon().
 *
 * Invariants: a console thread always ends with ops->close() (if open()
 * succeeded) and MHD_upgrade_action(CLOSE), in that order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "www.h"
#include "www_int.h"

#define WWW_MAX_CONSOLES 64
#define WWW_REF_MAX	 128
#define WWW_OUT_CHUNK	 4096
#define WWW_SEND_MS	 5000

#define log_err(fmt, ...) fprintf(stderr, "www: %s: " fmt "\n", __func__, ##__VA_ARGS__)

struct console;

struct www {
	int rootfd;
	const struct www_console_ops *ops;
	void *ctx;
	pthread_mutex_t lock;
	pthread_cond_t gone;
	unsigned nconsoles;	/* threads running, plus handshakes in flight */
	bool stopping;
	struct console *pending;	/* 101 queued, upgrade not yet called */
};

struct console {
	struct www *w;
	struct console *next;
	char session[WWW_REF_MAX];
	char vm[WWW_REF_MAX];
	MHD_socket sock;
	struct MHD_UpgradeResponseHandle *urh;
	void *handle;
	bool in_msg, msg_text;
	struct www_utf8 utf8;
	size_t rxlen;
	uint8_t rx[WWW_WS_MAX_MSG + WWW_WS_MAX_HEADER];
	uint8_t payload[WWW_WS_MAX_MSG];
	uint8_t tx[WWW_OUT_CHUNK + WWW_WS_MAX_HEADER];
};

/* ---- pure parts ---------------------------------------------------------- */

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{"html", "text/html; charset=utf-8"},
	{"js", "text/javascript; charset=utf-8"},
	{"mjs", "text/javascript; charset=utf-8"},
	{"css", "text/css; charset=utf-8"},
	{"json", "application/json"},
	{"map", "application/json"},
	{"svg", "image/svg+xml"},
	{"png", "image/png"},
	{"ico", "image/x-icon"},
	{"woff2", "font/woff2"},
	{"woff", "font/woff"},
	{"txt", "text/plain; charset=utf-8"},
	{"wasm", "application/wasm"},
};

const char *www_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');

	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
			if (strcasecmp(dot + 1, content_types[i].ext) == 0)
				return content_types[i].type;
	return "application/octet-stream";
}

static int segment_ok(const char *s, size_t n)
{
	if (s[0] == '.')
		return 0;	/* "..", ".git", ".env" */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\')
			return 0;
	}
	return 1;
}

int www_path_normalize(const char *url, char *out, size_t outlen)
{
	const char *p = url, *s;
	size_t o = 0, n;

	if (!url || outlen == 0)
		return -1;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (s = p; *p && *p != '/'; p++)
			;
		n = (size_t)(p - s);
		if (n == 1 && s[0] == '.')
			continue;
		if (!segment_ok(s, n) || o + (o ? 1 : 0) + n + 1 > outlen)
			return -1;
		if (o)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	if (o == 0) {
		if (outlen < sizeof("index.html"))
			return -1;
		memcpy(out, "index.html", sizeof("index.html"));
		return 0;
	}
	out[o] = '\0';
	return 0;
}

bool www_header_has_token(const char *value, const char *token)
{
	size_t tl = strlen(token);
	const char *p = value;

	while (p && *p) {
		const char *e;
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		for (e = p; *e && *e != ','; e++)
			;
		n = (size_t)(e - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == tl && strncasecmp(p, token, tl) == 0)
			return true;
		p = e;
	}
	return false;
}

int www_ws_accept(const char *key, char out[29])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char raw[24], md[EVP_MAX_MD_SIZE];
	char buf[24 + sizeof(guid)];
	unsigned int mdlen = 0;

	if (!key || strlen(key) != 24 || strcmp(key + 22, "==") != 0)
		return -1;
	if (EVP_DecodeBlock(raw, (const unsigned char *)key, 24) != 18)
		return -1;	/* 16 bytes plus the two padding zeros */
	memcpy(buf, key, 24);
	memcpy(buf + 24, guid, sizeof(guid));
	if (!EVP_Digest(buf, strlen(buf), md, &mdlen, EVP_sha1(), NULL) || mdlen != 20)
		return -1;
	if (EVP_EncodeBlock((unsigned char *)out, md, 20) != 28)
		return -1;
	return 0;
}

static bool opcode_known(uint8_t op)
{
	return op == WWW_WS_CONT || op == WWW_WS_TEXT || op == WWW_WS_BINARY ||
	       op == WWW_WS_CLOSE || op == WWW_WS_PING || op == WWW_WS_PONG;
}

ssize_t www_ws_decode(const uint8_t *in, size_t inlen, size_t max_payload,
		      struct www_ws_frame *f, uint8_t *out)
{
	size_t hdr = 2;
	uint64_t len;

	if (inlen < 2)
		return 0;
	f->fin = in[0] & 0x80;
	f->opcode = in[0] & 0x0f;
	if ((in[0] & 0x70) || !opcode_known(f->opcode) || !(in[1] & 0x80))
		return -WWW_WS_PROTOCOL;	/* reserved bits, opcodes, unmasked */
	len = in[1] & 0x7f;
	if (len == 126) {
		if (inlen < 4)
			return 0;
		len = (uint64_t)in[2] << 8 | in[3];
		if (len < 126)
			return -WWW_WS_PROTOCOL;	/* not the shortest form */
		hdr = 4;
	} else if (len == 127) {
		if (inlen < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | in[2 + i];
		if (len >> 63 || len <= 0xffff)
			return -WWW_WS_PROTOCOL;
		hdr = 10;
	}
	if ((f->opcode & 0x8) && (!f->fin || len > 125))
		return -WWW_WS_PROTOCOL;
	if (len > max_payload)
		return -WWW_WS_TOO_BIG;
	hdr += 4;
	if (inlen < hdr || inlen - hdr < len)
		return 0;
	for (size_t i = 0; i < len; i++)
		out[i] = in[hdr + i] ^ in[hdr - 4 + (i & 3)];
	f->len = (size_t)len;
	return (ssize_t)(hdr + len);
}

size_t www_ws_encode(uint8_t opcode, bool fin, const void *payload, size_t len,
		     uint8_t *out, size_t outlen)
{
	size_t hdr = len < 126 ? 2 : len <= 0xffff ? 4 : 10;

	if (outlen < hdr || outlen - hdr < len)
		return 0;
	out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
	if (hdr == 2) {
		out[1] = (uint8_t)len;
	} else if (hdr == 4) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
	} else {
		out[1] = 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	}
	if (len)
		memcpy(out + hdr, payload, len);
	return hdr + len;
}

bool www_utf8_feed(struct www_utf8 *u, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = p[i];

		if (u->need) {
			if ((b & 0xc0) != 0x80)
				return false;
			u->cp = u->cp << 6 | (b & 0x3f);
			if (--u->need == 0 && (u->cp < u->min || u->cp > 0x10ffff ||
					       (u->cp >= 0xd800 && u->cp <= 0xdfff)))
				return false;
		} else if (b >= 0x80) {
			if ((b & 0xe0) == 0xc0)
				*u = (struct www_utf8){1, b & 0x1fu, 0x80};
			else if ((b & 0xf0) == 0xe0)
				*u = (struct www_utf8){2, b & 0x0fu, 0x800};
			else if ((b & 0xf8) == 0xf0)
				*u = (struct www_utf8){3, b & 0x07u, 0x10000};
			else
				return false;
		}
	}
	return true;
}

bool www_utf8_done(const struct www_utf8 *u)
{
	return u->need == 0;
}

static bool close_code_valid(unsigned code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
	       (code >= 3000 && code <= 4999);
}

/* ---- HTTP replies -------------------------------------------------------- */

static void add_common_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned status,
				  const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	add_common_headers(r);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	if (status == MHD_HTTP_UPGRADE_REQUIRED) {
		MHD_add_response_header(r, "Upgrade", "websocket");
		MHD_add_response_header(r, "Sec-WebSocket-Version", "13");
	}
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void add_file_headers(struct MHD_Response *r, const char *name, const char *etag)
{
	bool immutable = strncmp(name, "assets/", 7) == 0;

	MHD_add_response_header(r, "Content-Type", www_content_type(name));
	MHD_add_response_header(r, "Cache-Control",
				immutable ? "public, max-age=31536000, immutable" : "no-cache");
	MHD_add_response_header(r, "ETag", etag);
	add_common_headers(r);
	if (strcmp(www_content_type(name), content_types[0].type) == 0) {
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'self'; style-src 'self' 'unsafe-inline'; "
					"img-src 'self' data:; frame-ancestors 'none'");
		MHD_add_response_header(r, "X-Frame-Options", "DENY");
	}
}

static enum MHD_Result serve_file(struct www *w, struct MHD_Connection *conn,
				  const char *url)
{
	char name[PATH_MAX], etag[64];
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *inm;
	struct stat st;
	int fd;

	if (www_path_normalize(url, name, sizeof(name)))
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	fd = openat(w->rootfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	}
	snprintf(etag, sizeof(etag), "\"%jx-%jx-%lx\"", (uintmax_t)st.st_size,
		 (uintmax_t)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
	inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		close(fd);
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		add_file_headers(r, name, etag);
		ret = MHD_queue_response(conn, MHD_HTTP_NOT_MODIFIED, r);
		MHD_destroy_response(r);
		return ret;
	}
	r = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);	/* owns fd */
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	add_file_headers(r, name, etag);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- the console thread ---------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static bool www_stopping(struct www *w)
{
	bool s;

	pthread_mutex_lock(&w->lock);
	s = w->stopping;
	pthread_mutex_unlock(&w->lock);
	return s;
}

/* Sends all of buf, waiting up to WWW_SEND_MS for room; 0 or -1. */
static int send_all(MHD_socket sock, const uint8_t *buf, size_t len)
{
	long deadline = now_ms() + WWW_SEND_MS;

	while (len) {
		ssize_t n = send(sock, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		struct pollfd p = {.fd = sock, .events = POLLOUT};
		long left = deadline - now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) < 0)
			return -1;
	}
	return 0;
}

static int ws_send(struct console *c, uint8_t op, const void *data, size_t len)
{
	size_t n = www_ws_encode(op, true, data, len, c->tx, sizeof(c->tx));

	return n ? send_all(c->sock, c->tx, n) : -1;
}

static void ws_close(struct console *c, unsigned code, const char *reason)
{
	uint8_t p[125];
	size_t rl = strlen(reason);

	if (rl > sizeof(p) - 2)
		rl = sizeof(p) - 2;
	p[0] = (uint8_t)(code >> 8);
	p[1] = (uint8_t)code;
	memcpy(p + 2, reason, rl);
	ws_send(c, WWW_WS_CLOSE, p, rl + 2);
}

/* Keyboard bytes to the console; 0, or a close code. */
static int to_console(struct console *c, const uint8_t *p, size_t len)
{
	const struct www_console_ops *ops = c->w->ops;
	long deadline = now_ms() + 1000;

	while (len) {
		ssize_t n = ops->write(c->handle, p, len);

		if (n < 0)
			return WWW_WS_GOING_AWAY;
		p += n;
		len -= (size_t)n;
		if (len && n == 0) {
			if (now_ms() > deadline)
				return 0;	/* the console does not take input: drop it */
			poll(NULL, 0, 10);
		}
	}
	return 0;
}

static int on_data(struct console *c, const struct www_ws_frame *f)
{
	if (f->opcode == WWW_WS_CONT) {
		if (!c->in_msg)
			return WWW_WS_PROTOCOL;
	} else {
		if (c->in_msg)
			return WWW_WS_PROTOCOL;
		c->msg_text = f->opcode == WWW_WS_TEXT;
		c->utf8 = (struct www_utf8){0, 0, 0};
	}
	c->in_msg = !f->fin;
	if (c->msg_text && (!www_utf8_feed(&c->utf8, c->payload, f->len) ||
			    (f->fin && !www_utf8_done(&c->utf8))))
		return WWW_WS_BAD_DATA;
	return to_console(c, c->payload, f->len);
}

/* The client's close: answer it; returns the code that ends the loop. */
static int on_close(struct console *c, const struct www_ws_frame *f)
{
	struct www_utf8 u = {0, 0, 0};
	unsigned code;

	if (f->len == 0) {
		ws_send(c, WWW_WS_CLOSE, NULL, 0);
		return WWW_WS_NORMAL;
	}
	code = (unsigned)c->payload[0] << 8 | c->payload[1];
	if (f->len == 1 || !close_code_valid(code))
		return WWW_WS_PROTOCOL;
	if (!www_utf8_feed(&u, c->payload + 2, f->len - 2) || !www_utf8_done(&u))
		return WWW_WS_BAD_DATA;
	ws_send(c, WWW_WS_CLOSE, c->payload, 2);
	return WWW_WS_NORMAL;
}

/*
 * Decodes and handles the complete frames in c->rx. Returns 0 to go on,
 * -1 when the client closed (answered already), or a close code to send.
 */
static int process_rx(struct console *c)
{
	struct www_ws_frame f;
	ssize_t n;
	int rc = 0;

	while (rc == 0 && (n = www_ws_decode(c->rx, c->rxlen, WWW_WS_MAX_MSG, &f, c->payload))) {
		if (n < 0)
			return (int)-n;
		switch (f.opcode) {
		case WWW_WS_CONT:
		case WWW_WS_TEXT:
		case WWW_WS_BINARY:
			rc = on_data(c, &f);
			break;
		case WWW_WS_PING:
			rc = ws_send(c, WWW_WS_PONG, c->payload, f.len) ? WWW_WS_GOING_AWAY : 0;
			break;
		case WWW_WS_PONG:
			break;
		case WWW_WS_CLOSE:
			rc = on_close(c, &f) == WWW_WS_NORMAL ? -1 : WWW_WS_PROTOCOL;
			break;
		default:
			log_err("opcode %u passed the decoder", f.opcode);
			return WWW_WS_INTERNAL;
		}
		memmove(c->rx, c->rx + n, c->rxlen - (size_t)n);
		c->rxlen -= (size_t)n;
	}
	return rc;
}

/* Reads what the client sent; 0, -1 (gone or closed), or a close code. */
static int from_client(struct console *c)
{
	ssize_t n = recv(c->sock, c->rx + c->rxlen, sizeof(c->rx) - c->rxlen, 0);

	if (n == 0)
		return -1;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	c->rxlen += (size_t)n;
	return process_rx(c);
}

/* Console output to the client; 0, or a close code. */
static int from_console(struct console *c)
{
	uint8_t buf[WWW_OUT_CHUNK];

	for (int i = 0; i < 16; i++) {
		ssize_t n = c->w->ops->read(c->handle, buf, sizeof(buf));

		if (n == 0)
			return 0;
		if (n < 0)
			return WWW_WS_NORMAL;
		if (ws_send(c, WWW_WS_BINARY, buf, (size_t)n))
			return WWW_WS_GOING_AWAY;
	}
	return 0;
}

static const char *close_reason(int code)
{
	switch (code) {
	case WWW_WS_NORMAL:
		return "console ended";
	case WWW_WS_GOING_AWAY:
		return "server going away";
	case WWW_WS_POLICY:
		return "session no longer valid";
	case WWW_WS_TOO_BIG:
		return "message too big";
	case WWW_WS_BAD_DATA:
		return "text is not UTF-8";
	case WWW_WS_PROTOCOL:
		return "protocol error";
	default:
		return "internal error";
	}
}

static int console_loop(struct console *c)
{
	const struct www_console_ops *ops = c->w->ops;
	long recheck = now_ms() + WWW_RECHECK_MS;
	int cfd = ops->pollfd ? ops->pollfd(c->handle) : -1;
	int rc = process_rx(c);	/* bytes MHD read past the handshake */

	while (rc == 0) {
		struct pollfd p[2] = {{.fd = c->sock, .events = POLLIN}, {.fd = cfd, .events = POLLIN}};

		if (poll(p, cfd >= 0 ? 2 : 1, cfd >= 0 ? 200 : WWW_POLL_MS) < 0 && errno != EINTR)
			return WWW_WS_INTERNAL;
		if (www_stopping(c->w))
			return WWW_WS_GOING_AWAY;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			rc = from_client(c);
		if (rc == 0)
			rc = from_console(c);
		if (rc == 0 && now_ms() >= recheck) {
			if (ops->check_session(c->w->ctx, c->session, c->vm) == -EACCES)
				rc = WWW_WS_POLICY;
			recheck = now_ms() + WWW_RECHECK_MS;
		}
	}
	return rc;
}

static void console_done(struct console *c)
{
	struct www *w = c->w;

	MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
	free(c);
	pthread_mutex_lock(&w->lock);
	w->nconsoles--;
	pthread_cond_broadcast(&w->gone);
	pthread_mutex_unlock(&w->lock);
}

static void *console_thread(void *arg)
{
	struct console *c = arg;
	const struct www_console_ops *ops = c->w->ops;
	int rc;

	if (www_stopping(c->w))
		goto out;
	rc = ops->open(c->w->ctx, c->vm, &c->handle);
	if (rc) {
		log_err("open %s: %s", c->vm, strerror(-rc));
		ws_close(c, WWW_WS_INTERNAL, "console unavailable");
		goto out;
	}
	rc = console_loop(c);
	if (rc > 0)
		ws_close(c, (unsigned)rc, close_reason(rc));
	ops->close(c->handle);
out:
	console_done(c);
	return NULL;
}

static void pending_remove(struct www *w, struct console *c)
{
	for (struct console **pp = &w->pending; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
}

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls,
		       const char *extra_in, size_t extra_in_size, MHD_socket sock,
		       struct MHD_UpgradeResponseHandle *urh)
{
	struct console *c = cls;
	struct www *w = c->w;
	pthread_attr_t attr;
	pthread_t tid;
	bool stopping;

	(void)conn;
	(void)con_cls;

	pthread_mutex_lock(&w->lock);
	pending_remove(w, c);
	stopping = w->stopping;
	pthread_mutex_unlock(&w->lock);
	c->sock = sock;
	c->urh = urh;
	if (stopping) {
		console_done(c);
		return;
	}
	if (extra_in_size > sizeof(c->rx))
		extra_in_size = sizeof(c->rx);	/* cannot happen: MHD reads less */
	memcpy(c->rx, extra_in, extra_in_size);
	c->rxlen = extra_in_size;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, console_thread, c)) {
		log_err("pthread_create failed for %s", c->vm);
		console_done(c);
	}
	pthread_attr_destroy(&attr);
}

/* ---- the handshake --------------------------------------------------------- */

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* An Origin, when sent, must name this host: no cross-site websockets. */
static bool origin_ok(struct MHD_Connection *conn)
{
	const char *origin = header(conn, "Origin"), *host = header(conn, "Host"), *p;

	if (!origin)
		return true;	/* not a browser */
	p = strstr(origin, "://");
	return host && p && strcasecmp(p + 3, host) == 0;
}

static enum MHD_Result check_refused(struct MHD_Connection *conn, int rc)
{
	switch (rc) {
	case -EACCES:
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "SESSION_INVALID\n");
	case -ENOENT:
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "HANDLE_INVALID\n");
	case -EAGAIN:
		return reply_text(conn, MHD_HTTP_CONFLICT, "VM_BAD_POWER_STATE\n");
	default:
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR\n");
	}
}

/* Reserves a console slot; false when stopping or full. */
static bool slot_take(struct www *w)
{
	bool ok;

	pthread_mutex_lock(&w->lock);
	ok = !w->stopping && w->nconsoles < WWW_MAX_CONSOLES;
	if (ok)
		w->nconsoles++;
	pthread_mutex_unlock(&w->lock);
	return ok;
}

static void slot_give(struct www *w)
{
	pthread_mutex_lock(&w->lock);
	w->nconsoles--;
	pthread_cond_broadcast(&w->gone);
	pthread_mutex_unlock(&w->lock);
}

static enum MHD_Result queue_upgrade(struct www *w, struct MHD_Connection *conn,
				     struct console *c, const char *accept)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_for_upgrade(on_upgrade, c);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Upgrade", "websocket");
	MHD_add_response_header(r, "Connection", "Upgrade");
	MHD_add_response_header(r, "Sec-WebSocket-Accept", accept);
	pthread_mutex_lock(&w->lock);
	c->next = w->pending;
	w->pending = c;
	pthread_mutex_unlock(&w->lock);
	ret = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, r);
	MHD_destroy_response(r);
	if (ret != MHD_YES) {
		pthread_mutex_lock(&w->lock);
		pending_remove(w, c);
		pthread_mutex_unlock(&w->lock);
		free(c);
		slot_give(w);
	}
	return ret;
}

static enum MHD_Result console_handshake(struct www *w, struct MHD_Connection *conn)
{
	const char *upgrade = header(conn, "Upgrade"), *connection = header(conn, "Connection");
	const char *version = header(conn, "Sec-WebSocket-Version");
	const char *session = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "session_id");
	const char *vm = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "vm");
	char accept[29];
	struct console *c;
	int rc;

	if (!upgrade || strcasecmp(upgrade, "websocket") != 0 || !connection ||
	    !www_header_has_token(connection, "upgrade") || !version || strcmp(version, "13") != 0)
		return reply_text(conn, MHD_HTTP_UPGRADE_REQUIRED, "websocket only\n");
	if (www_ws_accept(header(conn, "Sec-WebSocket-Key"), accept))
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "bad Sec-WebSocket-Key\n");
	if (!origin_ok(conn))
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "cross-origin console refused\n");
	if (!session || !vm || strlen(session) >= WWW_REF_MAX || strlen(vm) >= WWW_REF_MAX)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "session_id and vm required\n");
	rc = w->ops->check_session(w->ctx, session, vm);
	if (rc)
		return check_refused(conn, rc);
	if (!slot_take(w))
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "too many consoles\n");
	c = calloc(1, sizeof(*c));
	if (!c) {
		slot_give(w);
		return MHD_NO;
	}
	c->w = w;
	c->sock = MHD_INVALID_SOCKET;
	memcpy(c->session, session, strlen(session) + 1);
	memcpy(c->vm, vm, strlen(vm) + 1);
	return queue_upgrade(w, conn, c, accept);
}

/* ---- the interface ---------------------------------------------------------- */

bool www_wants(const char *method, const char *url)
{
	return url && (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		       strcmp(method, MHD_HTTP_METHOD_HEAD) == 0);
}

enum MHD_Result www_handle(struct www *w, struct MHD_Connection *conn, const char *method,
			   const char *url)
{
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;

	if (!get && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD\n");
	if (strcmp(url, "/console") == 0) {
		if (!w->ops)
			return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
		if (!get)
			return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
		return console_handshake(w, conn);
	}
	return serve_file(w, conn, url);
}

struct www *www_create(const char *root, const struct www_console_ops *ops, void *ctx)
{
	struct www *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	if (ops && (!ops->check_session || !ops->open || !ops->read || !ops->write || !ops->close)) {
		log_err("console ops incomplete");
		goto fail_free;
	}
	w->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->rootfd < 0) {
		log_err("open %s: %s", root, strerror(errno));
		goto fail_free;
	}
	w->ops = ops;
	w->ctx = ctx;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->gone, NULL);
	return w;

fail_free:
	free(w);
	return NULL;
}

unsigned www_console_count(struct www *w)
{
	unsigned n;

	pthread_mutex_lock(&w->lock);
	n = w->nconsoles;
	pthread_mutex_unlock(&w->lock);
	return n;
}

static unsigned pending_count(struct www *w)
{
	unsigned n = 0;

	for (struct console *c = w->pending; c; c = c->next)
		n++;
	return n;
}

void www_shutdown(struct www *w)
{
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	while (w->nconsoles > pending_count(w))
		pthread_cond_wait(&w->gone, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void www_destroy(struct www *w)
{
	if (!w)
		return;
	www_shutdown(w);
	while (w->pending) {	/* 101 queued but never delivered */
		struct console *c = w->pending;

		w->pending = c->next;
		free(c);
	}
	pthread_cond_destroy(&w->gone);
	pthread_mutex_destroy(&w->lock);
	close(w->rootfd);
	free(w);
}
