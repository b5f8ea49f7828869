/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xe: the connection to the daemon and the session on it.
 *
 * Design: one libcurl easy handle per run, kept alive across calls. With -s
 * the transport is HTTPS to HOST:PORT (443 by default); without it, HTTP over
 * the daemon's local Unix socket (--unix, $XE_UNIX_SOCKET, or
 * XE_DEFAULT_UNIX_SOCKET), where the daemon trusts the peer's credentials.
 *
 * Certificates. The daemon generates a self-signed certificate on first
 * start, so a CA check alone would fail. xe accepts a server when, in order:
 *   1. --fingerprint sha256//BASE64 is given: the server's public key must
 *      hash to it (libcurl's public-key pinning; CA and name are not checked);
 *   2. the known-hosts file (--known-hosts FILE, $XE_KNOWN_HOSTS, or
 *      ~/.xe_known_hosts) has a line "HOST[:PORT] sha256//BASE64": the same;
 *   3. --no-verify is given: any certificate (explicit, for tests and labs);
 *   4. otherwise: the system's CA store and the host name must vouch for it.
 * The pin is what `openssl x509 -pubkey | openssl pkey -pubin -outform der |
 * openssl dgst -sha256 -binary | base64` prints, prefixed with "sha256//".
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "xe.h"

#define XE_DEFAULT_UNIX_SOCKET "/var/run/cairn/xapi.sock"

struct xe_conn {
	CURL *curl;
	struct curl_slist *headers;
	char *url;
	char *session;
	struct xe_val *methods;
	int debug;
	char pin[256];
};

struct sink {
	struct xe_buf b;
	int too_big;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb;

	if (s->b.len + n > XE_XML_MAX_BODY) {
		s->too_big = 1;
		return 0;
	}
	xe_buf_add(&s->b, p, n);
	return s->b.oom ? 0 : n;
}

/* The pin for HOST:PORT from the known-hosts file, into C->pin. 0 if found. */
static int known_host_pin(struct xe_conn *c, const struct xe_args *a, const char *host, int port)
{
	char path[4096], line[1024], want[512], want_default[512];
	const char *file = a->known_hosts ? a->known_hosts : getenv("XE_KNOWN_HOSTS");
	FILE *f;
	int found = -1;

	if (!file) {
		const char *home = getenv("HOME");

		if (!home)
			return -1;
		snprintf(path, sizeof(path), "%s/.xe_known_hosts", home);
		file = path;
	}
	f = fopen(file, "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%s:%d", host, port);
	snprintf(want_default, sizeof(want_default), "%s", host);
	while (found && fgets(line, sizeof(line), f)) {
		char name[512], pin[256];

		if (line[0] == '#' || sscanf(line, "%511s %255s", name, pin) != 2)
			continue;
		if (strcmp(name, want) == 0 || (port == 443 && strcmp(name, want_default) == 0)) {
			snprintf(c->pin, sizeof(c->pin), "%s", pin);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static int setup_tls(struct xe_conn *c, const struct xe_args *a, const char *host, int port)
{
	if (a->fingerprint)
		snprintf(c->pin, sizeof(c->pin), "%s", a->fingerprint);
	if (c->pin[0] || known_host_pin(c, a, host, port) == 0) {
		if (strncmp(c->pin, "sha256//", 8) != 0) {
			fprintf(stderr, "xe: a fingerprint must read sha256//BASE64, not '%s'\n", c->pin);
			return -1;
		}
		curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(c->curl, CURLOPT_PINNEDPUBLICKEY, c->pin);
	} else if (a->no_verify) {
		curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return 0;
}

static int setup_target(struct xe_conn *c, const struct xe_args *a)
{
	struct xe_buf url = {0};
	int port = a->port ? a->port : (a->nossl ? 80 : 443);

	if (!a->server) {
		const char *path = a->unix_path ? a->unix_path : getenv("XE_UNIX_SOCKET");

		curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH,
				 path ? path : XE_DEFAULT_UNIX_SOCKET);
		c->url = strdup("http://localhost/");
		return c->url ? 0 : -1;
	}
	if (strchr(a->server, ':'))  /* an IPv6 literal */
		xe_buf_printf(&url, "%s://[%s]:%d/", a->nossl ? "http" : "https", a->server, port);
	else
		xe_buf_printf(&url, "%s://%s:%d/", a->nossl ? "http" : "https", a->server, port);
	if (url.oom)
		return -1;
	c->url = url.p;
	return a->nossl ? 0 : setup_tls(c, a, a->server, port);
}

static char *read_password_file(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "xe: cannot read the password file %s\n", path);
		return NULL;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return strdup(line);
}

/* Sends one request body and parses the answer into R. */
static int post(struct xe_conn *c, const struct xe_buf *req, struct xe_result *r)
{
	struct sink s = {0};
	long status = 0;
	CURLcode rc;

	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, req->p);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)req->len);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	memset(r, 0, sizeof(*r));
	if (rc != CURLE_OK) {
		struct xe_buf b = {0};

		xe_buf_printf(&b, "cannot talk to the server: %s%s", curl_easy_strerror(rc),
			      s.too_big ? " (response too large)" : "");
		r->transport_error = b.p;
	} else if (status != 200) {
		struct xe_buf b = {0};

		xe_buf_printf(&b, "the server answered HTTP %ld", status);
		r->transport_error = b.p;
	} else {
		if (c->debug)
			fprintf(stderr, "xe: <<< %.*s\n", (int)s.b.len, s.b.p ? s.b.p : "");
		xe_xml_parse_response(s.b.p ? s.b.p : "", s.b.len, r);
	}
	xe_buf_free(&s.b);
	return r->ok ? 0 : -1;
}

int xe_conn_call(struct xe_conn *c, int session, const char *method,
		 struct xe_val *const *params, size_t n, struct xe_result *r)
{
	struct xe_val *all[16];
	struct xe_val *sess = NULL;
	struct xe_buf req = {0};
	size_t k = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (n + 1 > sizeof(all) / sizeof(all[0])) {
		r->transport_error = strdup("too many parameters");
		return -1;
	}
	if (session) {
		sess = xe_val_str(c->session);
		all[k++] = sess;
	}
	for (size_t i = 0; i < n; i++)
		all[k++] = params[i];
	if ((session && !sess) || xe_xml_call(&req, method, all, k)) {
		xe_val_free(sess);
		xe_buf_free(&req);
		r->transport_error = strdup("out of memory");
		return -1;
	}
	if (c->debug)
		fprintf(stderr, "xe: >>> %s\n", strcmp(method, "session.login_with_password")
			? req.p : "session.login_with_password(...)");
	rc = post(c, &req, r);
	xe_val_free(sess);
	xe_buf_free(&req);
	return rc;
}

static int login(struct xe_conn *c, const struct xe_args *a)
{
	char *pw = a->password ? strdup(a->password)
		 : a->password_file ? read_password_file(a->password_file) : strdup("");
	struct xe_val *p[4] = {
		xe_val_str(a->user ? a->user : "root"), pw ? xe_val_str(pw) : NULL,
		xe_val_str("1.0"), xe_val_str("xe"),
	};
	struct xe_result r;
	int rc = -1;

	if (!p[0] || !p[1] || !p[2] || !p[3])
		goto out;
	xe_conn_call(c, 0, "session.login_with_password", p, 4, &r);
	if (r.ok && xe_val_cstr(r.value)) {
		c->session = strdup(xe_val_cstr(r.value));
		rc = c->session ? 0 : -1;
	} else {
		struct xe_buf msg = {0};

		if (r.error)
			xe_out_error(&msg, r.error);
		else
			xe_buf_printf(&msg, "%s\n", r.transport_error ? r.transport_error : "login failed");
		fputs(msg.p ? msg.p : "", stderr);
		xe_buf_free(&msg);
	}
	xe_result_clear(&r);
out:
	for (int i = 0; i < 4; i++)
		xe_val_free(p[i]);
	if (pw)
		explicit_bzero(pw, strlen(pw));
	free(pw);
	return rc;
}

struct xe_conn *xe_conn_open(const struct xe_args *a)
{
	struct xe_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (a->server && !a->user) {
		fprintf(stderr, "xe: -s needs -u USER and -pw PASSWORD (or -pwf FILE)\n");
		goto fail;
	}
	c->debug = a->debug;
	c->curl = curl_easy_init();
	if (!c->curl)
		goto fail;
	c->headers = curl_slist_append(NULL, "Content-Type: text/xml");
	if (!c->headers || setup_target(c, a))
		goto fail;
	curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "xe (Cairn)");
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 900L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	if (login(c, a))
		goto fail;
	return c;
fail:
	xe_conn_close(c);
	return NULL;
}

const struct xe_val *xe_conn_methods(struct xe_conn *c)
{
	struct xe_result r;

	if (c->methods)
		return c->methods;
	if (xe_conn_call(c, 0, "system.listMethods", NULL, 0, &r) == 0 &&
	    r.value && r.value->type == XE_V_ARRAY) {
		c->methods = r.value;
		r.value = NULL;
	}
	xe_result_clear(&r);
	return c->methods;
}

void xe_conn_close(struct xe_conn *c)
{
	if (!c)
		return;
	if (c->session) {
		struct xe_result r;

		xe_conn_call(c, 1, "session.logout", NULL, 0, &r);
		xe_result_clear(&r);
		free(c->session);
	}
	xe_val_free(c->methods);
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c->url);
	free(c);
}
