/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The module inside a real libmicrohttpd daemon on 127.0.0.1: static files
 * (types, caching, 304, HEAD, traversal) and the console websocket against a
 * fake console that greets and echoes (handshake, frames, ping, close,
 * masking, size limit, session checks, shutdown).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "../www.h"
#include "../www_int.h"

/* ---- a fake console: says "welcome\r\n", then echoes input as "[...]" ---- */

struct fake {
	pthread_mutex_t lock;
	char out[4096];
	size_t outlen;
	int closed;
};

static int allowed_session = 1;	/* flipped to revoke the session */
static int opened, closed_count;

static int fake_check(void *ctx __attribute__((unused)), const char *session, const char *vm)
{
	if (!allowed_session || strcmp(session, "OpaqueRef:good") != 0)
		return -EACCES;
	if (strcmp(vm, "OpaqueRef:vm1") != 0)
		return -ENOENT;
	return 0;
}

static int fake_open(void *ctx __attribute__((unused)), const char *vm __attribute__((unused)), void **handle)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	strcpy(f->out, "welcome\r\n");
	f->outlen = strlen(f->out);
	__atomic_add_fetch(&opened, 1, __ATOMIC_SEQ_CST);
	*handle = f;
	return 0;
}

static ssize_t fake_read(void *h, void *buf, size_t len)
{
	struct fake *f = h;
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->outlen < len ? f->outlen : len;
	memcpy(buf, f->out, n);
	memmove(f->out, f->out + n, f->outlen - n);
	f->outlen -= n;
	pthread_mutex_unlock(&f->lock);
	return (ssize_t)n;
}

static ssize_t fake_write(void *h, const void *buf, size_t len)
{
	struct fake *f = h;

	pthread_mutex_lock(&f->lock);
	if (f->outlen + len + 2 > sizeof(f->out))
		len = 0;
	else {
		f->out[f->outlen++] = '[';
		memcpy(f->out + f->outlen, buf, len);
		f->outlen += len;
		f->out[f->outlen++] = ']';
	}
	pthread_mutex_unlock(&f->lock);
	return (ssize_t)len;
}

static void fake_close(void *h)
{
	struct fake *f = h;

	pthread_mutex_destroy(&f->lock);
	free(f);
	__atomic_add_fetch(&closed_count, 1, __ATOMIC_SEQ_CST);
}

static const struct www_console_ops fake_ops = {
	.check_session = fake_check,
	.open = fake_open,
	.read = fake_read,
	.write = fake_write,
	.close = fake_close,
};

/* ---- the server ---------------------------------------------------------------- */

static struct www *www;
static struct MHD_Daemon *mhd;
static unsigned short port;
static char root[256];

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version, const char *upload,
				 size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	if (www_wants(method, url))
		return www_handle(www, conn, method, url);
	return MHD_NO;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	REQUIRE(f);
	fputs(text, f);
	fclose(f);
}

static void start(void)
{
	char assets[300];
	const union MHD_DaemonInfo *info;

	snprintf(root, sizeof(root), "/tmp/www-unit-%d", (int)getpid());
	mkdir(root, 0700);
	strcat(root, "/root");
	mkdir(root, 0700);
	snprintf(assets, sizeof(assets), "%s/assets", root);
	mkdir(assets, 0700);
	write_file(root, "index.html", "<!doctype html><title>t</title>");
	write_file(root, "../secret", "do not serve");
	write_file(root, ".hidden", "do not serve");
	write_file(assets, "app-0123abcd.js", "console.log(1);");
	www = www_create(root, &fake_ops, NULL);
	REQUIRE(www);
	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_UPGRADE |
				       MHD_USE_ERROR_LOG,
			       0, NULL, NULL, access_cb, NULL, MHD_OPTION_SOCK_ADDR,
			       &(struct sockaddr_in){.sin_family = AF_INET,
						     .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
			       MHD_OPTION_END);
	REQUIRE(mhd);
	info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT);
	REQUIRE(info);
	port = info->port;
}

static void cleanup(void)
{
	static const char *const files[] = {"assets/app-0123abcd.js", "index.html", ".hidden",
					    "../secret", "assets", ""};
	char path[512];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, files[i]);
		if (unlink(path))
			rmdir(path);
	}
	snprintf(path, sizeof(path), "%s", root);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}

static void stop(void)
{
	www_shutdown(www);
	MHD_stop_daemon(mhd);
	www_destroy(www);
	cleanup();
}

/* ---- a raw client -------------------------------------------------------------- */

static int dial(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int s = socket(AF_INET, SOCK_STREAM, 0);

	REQUIRE(s >= 0);
	REQUIRE(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	return s;
}

/* Reads until the peer closes, n bytes arrived, or 3 s passed. */
static size_t recv_some(int s, char *buf, size_t cap, size_t want)
{
	size_t got = 0;

	while (got < want && got < cap) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 3000) <= 0)
			break;
		n = recv(s, buf + got, cap - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* One request on its own connection; returns the whole response. */
static char *http(const char *req)
{
	static char buf[8192];
	int s = dial();
	size_t n;

	REQUIRE(send(s, req, strlen(req), 0) == (ssize_t)strlen(req));
	n = recv_some(s, buf, sizeof(buf) - 1, sizeof(buf));
	close(s);
	buf[n] = '\0';
	return buf;
}

static const char ws_req_fmt[] =
	"GET /console?session_id=%s&vm=%s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	"Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	"Origin: http://127.0.0.1:%u\r\n\r\n";

/* Opens a websocket; returns the socket, or -1 with the status line in *status. */
static int ws_open(const char *session, const char *vm, char *status, size_t cap)
{
	char req[600], buf[2048];
	size_t got = 0;
	int s = dial();

	snprintf(req, sizeof(req), ws_req_fmt, session, vm, port, port);
	REQUIRE(send(s, req, strlen(req), 0) > 0);
	while (!memmem(buf, got, "\r\n\r\n", 4)) {	/* headers only, byte by byte */
		REQUIRE(recv_some(s, buf + got, 1, 1) == 1);
		got++;
		REQUIRE(got < sizeof(buf));
	}
	buf[got] = '\0';
	snprintf(status, cap, "%s", buf);
	if (strncmp(buf, "HTTP/1.1 101", 12) != 0) {
		close(s);
		return -1;
	}
	return s;
}

static void ws_send_client(int s, uint8_t op, const void *data, size_t len)
{
	uint8_t f[200] = {(uint8_t)(0x80 | op), (uint8_t)(0x80 | len), 1, 2, 3, 4};

	REQUIRE(len < 126);
	for (size_t i = 0; i < len; i++)
		f[6 + i] = ((const uint8_t *)data)[i] ^ f[2 + (i & 3)];
	REQUIRE(send(s, f, 6 + len, 0) == (ssize_t)(6 + len));
}

/* Reads one server frame (unmasked, < 64 KiB); returns the opcode or -1. */
static int ws_recv(int s, char *payload, size_t *len)
{
	uint8_t h[4];
	size_t n;

	if (recv_some(s, (char *)h, 2, 2) != 2)
		return -1;
	if (h[1] & 0x80)
		return -2;	/* a server must not mask */
	n = h[1] & 0x7f;
	if (n == 126) {
		REQUIRE(recv_some(s, (char *)h + 2, 2, 2) == 2);
		n = (size_t)h[2] << 8 | h[3];
	}
	REQUIRE(recv_some(s, payload, n, n) == n);
	payload[n] = '\0';
	*len = n;
	return h[0] & 0x0f;
}

/* Reads frames until a data frame containing text arrives. */
static int ws_expect_text(int s, const char *text)
{
	static char acc[8192];
	size_t acclen = 0;
	char p[70000];
	size_t n;

	for (int i = 0; i < 50; i++) {
		int op = ws_recv(s, p, &n);

		if (op == WWW_WS_PONG)
			continue;
		if (op != WWW_WS_BINARY)
			return 0;
		if (acclen + n < sizeof(acc)) {
			memcpy(acc + acclen, p, n);
			acclen += n;
			acc[acclen] = '\0';
		}
		if (strstr(acc, text))
			return 1;
	}
	return 0;
}

static unsigned close_code(const char *p, size_t n)
{
	return n >= 2 ? (unsigned)(uint8_t)p[0] << 8 | (uint8_t)p[1] : 0;
}

/* ---- static files ----------------------------------------------------------------- */

TEST(static_index_types_and_revalidation)
{
	char etag[64], req[200], *r, *e;

	start();
	r = http("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(strncmp(r, "HTTP/1.1 200", 12) == 0);
	CHECK(strcasestr(r, "Content-Type: text/html; charset=utf-8\r\n"));
	CHECK(strcasestr(r, "Cache-Control: no-cache\r\n"));
	CHECK(strcasestr(r, "Content-Security-Policy: default-src 'self'"));
	CHECK(strcasestr(r, "X-Content-Type-Options: nosniff"));
	CHECK(strstr(r, "<!doctype html><title>t</title>"));
	e = strcasestr(r, "ETag: ");
	REQUIRE(e);
	sscanf(e + 6, "%63[^\r]", etag);
	snprintf(req, sizeof(req),
		 "GET /index.html HTTP/1.1\r\nHost: x\r\nIf-None-Match: %s\r\nConnection: close\r\n\r\n",
		 etag);
	r = http(req);
	CHECK(strncmp(r, "HTTP/1.1 304", 12) == 0);
	r = http("GET /assets/app-0123abcd.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(strncmp(r, "HTTP/1.1 200", 12) == 0);
	CHECK(strcasestr(r, "Content-Type: text/javascript; charset=utf-8\r\n"));
	CHECK(strcasestr(r, "Cache-Control: public, max-age=31536000, immutable\r\n"));
	CHECK(strstr(r, "console.log(1);"));
	stop();
}

TEST(static_head_has_no_body)
{
	char *r;

	start();
	r = http("HEAD /assets/app-0123abcd.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(strncmp(r, "HTTP/1.1 200", 12) == 0);
	CHECK(strcasestr(r, "Content-Length: 15\r\n"));
	CHECK(!strstr(r, "console.log"));
	stop();
}

TEST(static_refuses_traversal_and_hidden)
{
	static const char *const urls[] = {"/../secret", "/assets/../../secret", "/%2e%2e/secret",
					   "/assets/%2e%2e/%2e%2e/secret", "/.hidden", "/assets",
					   "/nothere.js"};
	char req[200], *r;

	start();
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			 urls[i]);
		r = http(req);
		if (strncmp(r, "HTTP/1.1 404", 12) != 0 && strncmp(r, "HTTP/1.1 400", 12) != 0)
			unit_fail(__FILE__, __LINE__, "%s answered %.20s", urls[i], r);
		CHECK(!strstr(r, "do not serve"));
	}
	stop();
}

/* ---- the console ------------------------------------------------------------------ */

TEST(console_handshake_echo_ping_close)
{
	char status[2048], p[70000];
	size_t n;
	int s;

	start();
	s = ws_open("OpaqueRef:good", "OpaqueRef:vm1", status, sizeof(status));
	REQUIRE(s >= 0);
	CHECK(strcasestr(status, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
	CHECK(strcasestr(status, "Upgrade: websocket\r\n"));
	CHECK(ws_expect_text(s, "welcome\r\n"));
	ws_send_client(s, WWW_WS_TEXT, "ls\r", 3);
	CHECK(ws_expect_text(s, "[ls\r]"));
	ws_send_client(s, WWW_WS_BINARY, "\x03", 1);
	CHECK(ws_expect_text(s, "[\x03]"));
	ws_send_client(s, WWW_WS_PING, "pp", 2);
	CHECK_EQ(ws_recv(s, p, &n), WWW_WS_PONG);
	CHECK_EQ(n, 2);
	CHECK_MEM(p, "pp", 2);
	CHECK_EQ(www_console_count(www), 1);
	ws_send_client(s, WWW_WS_CLOSE, "\x03\xe8" "bye", 5);
	CHECK_EQ(ws_recv(s, p, &n), WWW_WS_CLOSE);
	CHECK_EQ(close_code(p, n), 1000);
	CHECK_EQ(recv_some(s, p, sizeof(p), 1), 0);	/* then the server hangs up */
	close(s);
	for (int i = 0; i < 100 && www_console_count(www); i++)
		usleep(10000);
	CHECK_EQ(www_console_count(www), 0);
	CHECK_EQ(__atomic_load_n(&closed_count, __ATOMIC_SEQ_CST), 1);
	stop();
}

TEST(console_fragmented_text_reassembles_in_order)
{
	char status[2048];
	uint8_t f1[] = {0x01, 0x82, 0, 0, 0, 0, 'a', 'b'};	/* text, not fin */
	uint8_t f2[] = {0x80, 0x82, 0, 0, 0, 0, 'c', 'd'};	/* continuation, fin */
	int s;

	start();
	s = ws_open("OpaqueRef:good", "OpaqueRef:vm1", status, sizeof(status));
	REQUIRE(s >= 0);
	CHECK(ws_expect_text(s, "welcome"));
	REQUIRE(send(s, f1, sizeof(f1), 0) == sizeof(f1));
	ws_send_client(s, WWW_WS_PING, "", 0);	/* control frames may interleave */
	REQUIRE(send(s, f2, sizeof(f2), 0) == sizeof(f2));
	CHECK(ws_expect_text(s, "[ab][cd]"));
	close(s);
	stop();
}

/* Sends bytes, expects a close frame with the code. */
static void expect_close_after(const void *bytes, size_t len, unsigned code)
{
	char status[2048], p[70000];
	size_t n;
	int s, op;

	s = ws_open("OpaqueRef:good", "OpaqueRef:vm1", status, sizeof(status));
	REQUIRE(s >= 0);
	REQUIRE(send(s, bytes, len, 0) == (ssize_t)len);
	while ((op = ws_recv(s, p, &n)) == WWW_WS_BINARY)
		;
	CHECK_EQ(op, WWW_WS_CLOSE);
	CHECK_EQ(close_code(p, n), code);
	close(s);
}

TEST(console_enforces_masking_limits_and_utf8)
{
	static const uint8_t unmasked[] = {0x81, 0x02, 'h', 'i'};
	static const uint8_t huge[] = {0x82, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4};
	static const uint8_t cont_first[] = {0x80, 0x81, 0, 0, 0, 0, 'x'};
	static const uint8_t bad_utf8[] = {0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28};
	static const uint8_t bad_close[] = {0x88, 0x81, 0, 0, 0, 0, 0x03};

	start();
	expect_close_after(unmasked, sizeof(unmasked), 1002);
	expect_close_after(huge, sizeof(huge), 1009);
	expect_close_after(cont_first, sizeof(cont_first), 1002);
	expect_close_after(bad_utf8, sizeof(bad_utf8), 1007);
	expect_close_after(bad_close, sizeof(bad_close), 1002);
	stop();
}

TEST(console_refuses_bad_requests)
{
	char status[2048], req[600], *r;

	start();
	CHECK(ws_open("OpaqueRef:other", "OpaqueRef:vm1", status, sizeof(status)) == -1);
	CHECK(strncmp(status, "HTTP/1.1 403", 12) == 0);
	CHECK(ws_open("OpaqueRef:good", "OpaqueRef:vm2", status, sizeof(status)) == -1);
	CHECK(strncmp(status, "HTTP/1.1 404", 12) == 0);
	r = http("GET /console?session_id=OpaqueRef:good&vm=OpaqueRef:vm1 HTTP/1.1\r\n"
		 "Host: x\r\nConnection: close\r\n\r\n");
	CHECK(strncmp(r, "HTTP/1.1 426", 12) == 0);
	snprintf(req, sizeof(req), ws_req_fmt, "OpaqueRef:good", "OpaqueRef:vm1", port, 1u);
	r = http(req);	/* Origin port differs from Host: another site */
	CHECK(strncmp(r, "HTTP/1.1 403", 12) == 0);
	r = http("GET /console?session_id=OpaqueRef:good&vm=OpaqueRef:vm1 HTTP/1.1\r\nHost: x\r\n"
		 "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short==\r\n"
		 "Sec-WebSocket-Version: 13\r\n\r\n");
	CHECK(strncmp(r, "HTTP/1.1 400", 12) == 0);
	CHECK_EQ(__atomic_load_n(&opened, __ATOMIC_SEQ_CST), 0);
	stop();
}

TEST(console_ends_when_session_revoked)
{
	char status[2048], p[70000];
	size_t n;
	int s, op;

	start();
	s = ws_open("OpaqueRef:good", "OpaqueRef:vm1", status, sizeof(status));
	REQUIRE(s >= 0);
	CHECK(ws_expect_text(s, "welcome"));
	allowed_session = 0;	/* logout */
	while ((op = ws_recv(s, p, &n)) == WWW_WS_BINARY)
		;
	CHECK_EQ(op, WWW_WS_CLOSE);
	CHECK_EQ(close_code(p, n), 1008);
	close(s);
	stop();
}

TEST(shutdown_ends_open_consoles)
{
	char status[2048], p[70000];
	size_t n;
	int s, op;

	start();
	s = ws_open("OpaqueRef:good", "OpaqueRef:vm1", status, sizeof(status));
	REQUIRE(s >= 0);
	CHECK(ws_expect_text(s, "welcome"));
	www_shutdown(www);
	CHECK_EQ(www_console_count(www), 0);
	CHECK_EQ(__atomic_load_n(&closed_count, __ATOMIC_SEQ_CST), 1);
	while ((op = ws_recv(s, p, &n)) == WWW_WS_BINARY)
		;
	CHECK_EQ(op, WWW_WS_CLOSE);
	CHECK_EQ(close_code(p, n), 1001);
	close(s);
	MHD_stop_daemon(mhd);
	www_destroy(www);
	cleanup();
}
