/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c — xapi-c: command line, state directory, host certificate, startup
 * and shutdown.
 *
 *   xapi-c --db PATH --state-dir DIR [--https ADDR:PORT] [--unix PATH]
 *          [--http ADDR:PORT] [--backend sim] [--pam-service NAME]
 *          [--session-timeout SECONDS] [--www DIR] [--help]
 *
 * --www DIR serves the built web console (xapi-c/www) from DIR; without it,
 * WWW_DEFAULT_ROOT is used when it exists (an installed host), otherwise the
 * daemon serves no app and no /console.
 *
 * On first start the host key (EC P-256) and a self-signed certificate are
 * generated with OpenSSL into DIR/xapi-c.key and DIR/xapi-c.pem; existing
 * files are used as they are, so an administrator can replace them.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "api.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "vm.h"

#define WWW_DEFAULT_ROOT "/usr/share/cairn/www"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return 0;
}

static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ok;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
		 : PEM_write_X509(f, cert);
	if (fflush(f) || fsync(fileno(f)))
		ok = 0;
	fclose(f);
	return ok ? 0 : -1;
}

static int make_cert(const char *keypath, const char *certpath)
{
	char host[256] = "localhost", san[400];
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	int rc = -1;

	gethostname(host, sizeof(host) - 1);
	if (!key || !x)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)host, -1, -1, 0);
	X509_set_issuer_name(x, name);
	snprintf(san, sizeof(san), "DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1", host);
	if (add_ext(x, NID_subject_alt_name, san) || add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !X509_sign(x, key, EVP_sha256()))
		goto out;
	if (write_pem(keypath, 0600, key, NULL) || write_pem(certpath, 0644, NULL, x))
		goto out;
	log_info("generated a self-signed certificate for %s in %s", host, certpath);
	rc = 0;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/* --help: usage on stdout, exit 0; a bad command line: on stderr, exit 2. */
static void usage(FILE *f, int status)
{
	fprintf(f, "usage: xapi-c --db PATH --state-dir DIR [--https ADDR:PORT] [--unix PATH]\n"
		   "              [--http ADDR:PORT] [--backend sim] [--pam-service NAME]\n"
		   "              [--session-timeout SECONDS] [--www DIR] [--help]\n"
		   "  --www DIR    serve the web console app from DIR (default: %s if it exists)\n",
		WWW_DEFAULT_ROOT);
	exit(status);
}

static const char *www_default(void)
{
	struct stat st;

	return stat(WWW_DEFAULT_ROOT, &st) == 0 && S_ISDIR(st.st_mode) ? WWW_DEFAULT_ROOT : NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"state-dir", required_argument, NULL, 's'},
		{"https", required_argument, NULL, 'H'},
		{"http", required_argument, NULL, 'P'},
		{"unix", required_argument, NULL, 'u'},
		{"backend", required_argument, NULL, 'b'},
		{"pam-service", required_argument, NULL, 'p'},
		{"session-timeout", required_argument, NULL, 't'},
		{"www", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct api_conf ac = {.pam_service = "xapi-c", .session_timeout = 24 * 3600,
			      .login_fail_limit = 5, .login_fail_window = 60,
			      .backend = &vm_sim_backend};
	struct http_conf hc = {.conn_limit = 512, .per_ip_limit = 128, .timeout = 60};
	const char *dbpath = NULL, *state = NULL, *backend = "sim";
	char keypath[4096], certpath[4096];
	struct db *db = NULL;
	sigset_t set;
	int opt, sig;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': dbpath = optarg; break;
		case 's': state = optarg; break;
		case 'H': hc.https_addr = optarg; break;
		case 'P': hc.http_addr = optarg; break;
		case 'u': hc.unix_path = optarg; break;
		case 'b': backend = optarg; break;
		case 'p': ac.pam_service = optarg; break;
		case 't': ac.session_timeout = strtol(optarg, NULL, 10); break;
		case 'w': hc.www_root = optarg; break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (!dbpath || !state || optind != argc)
		usage(stderr, 2);
	if (!hc.www_root)
		hc.www_root = www_default();
	ac.backend = vm_backend_find(backend);
	if (!ac.backend) {
		log_err("unknown backend %s", backend);
		return 2;
	}
	if (mkdir(state, 0700) && errno != EEXIST) {
		log_err("cannot create %s: %s", state, strerror(errno));
		return 1;
	}
	snprintf(keypath, sizeof(keypath), "%s/xapi-c.key", state);
	snprintf(certpath, sizeof(certpath), "%s/xapi-c.pem", state);
	if ((access(keypath, R_OK) || access(certpath, R_OK)) && make_cert(keypath, certpath)) {
		log_err("cannot create the host certificate in %s", state);
		return 1;
	}
	hc.key_pem = read_file(keypath);
	hc.cert_pem = read_file(certpath);
	if (!hc.key_pem || !hc.cert_pem) {
		log_err("cannot read %s or %s", keypath, certpath);
		return 1;
	}
	/* Signals are taken by sigwait below; every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (db_open(dbpath, &db) || api_init(db, &ac) || http_start(&hc)) {
		log_err("startup failed");
		return 1;
	}
	log_info("xapi-c ready (backend %s, pam service %s)", ac.backend->name, ac.pam_service);
	do {
		if (sigwait(&set, &sig))
			break;
	} while (sig == SIGHUP);
	log_info("signal %d: stopping", sig);
	api_shutdown();
	http_stop();
	return 0;
}
