/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session.c — login, logout and session validity.
 *
 * Design: credentials are checked through PAM (pam_authenticate and
 * pam_acct_mgmt) against the host's local accounts, with the service named by
 * --pam-service (default "xapi-c", which on stock Debian falls back to
 * /etc/pam.d/other, i.e. common-auth's pam_unix). PAM runs without api.lock
 * held: it may be slow. A root caller on the local Unix socket may log in as
 * root without a password (xapi's local superuser).
 *
 * Sessions live in memory (a hash table under sess_lock) with their last use;
 * a session unused for conf.session_timeout seconds is invalid. Each also has
 * a row in the database so session.get_record works; rows are dropped at
 * startup. Failed logins are counted per source address: after
 * conf.login_fail_limit failures within conf.login_fail_window seconds,
 * logins from that address fail without consulting PAM until the window ends.
 */
#include <pthread.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_int.h"
#include "log.h"

#define SESS_BUCKETS 1024
#define SESS_MAX 4096
#define FAIL_SLOTS 64

struct sess {
	char ref[48];
	time_t last;
	struct sess *next;
};

static struct sess *buckets[SESS_BUCKETS];
static size_t nsessions;
static pthread_mutex_t sess_lock = PTHREAD_MUTEX_INITIALIZER;

struct fail {
	char addr[64];
	time_t start;
	int count;
};
static struct fail fails[FAIL_SLOTS];

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % SESS_BUCKETS;
}

int session_init(void)
{
	return 0;
}

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

bool session_check(const char *ref)
{
	struct sess **pp, *s;
	bool ok = false;
	time_t t = now();

	pthread_mutex_lock(&sess_lock);
	for (pp = &buckets[hash(ref)]; (s = *pp); pp = &s->next) {
		if (strcmp(s->ref, ref) != 0)
			continue;
		if (t - s->last > api.conf.session_timeout) {
			*pp = s->next;
			free(s);
			nsessions--;
			log_info("session %.18s... expired", ref);
		} else {
			s->last = t;
			ok = true;
		}
		break;
	}
	pthread_mutex_unlock(&sess_lock);
	return ok;
}

static int session_add(const char *ref)
{
	struct sess *s = calloc(1, sizeof(*s));
	unsigned h = hash(ref);

	if (!s)
		return -1;
	snprintf(s->ref, sizeof(s->ref), "%s", ref);
	s->last = now();
	pthread_mutex_lock(&sess_lock);
	if (nsessions >= SESS_MAX) {
		pthread_mutex_unlock(&sess_lock);
		free(s);
		return -1;
	}
	s->next = buckets[h];
	buckets[h] = s;
	nsessions++;
	pthread_mutex_unlock(&sess_lock);
	return 0;
}

static void session_remove(const char *ref)
{
	struct sess **pp, *s;

	pthread_mutex_lock(&sess_lock);
	for (pp = &buckets[hash(ref)]; (s = *pp); pp = &s->next)
		if (strcmp(s->ref, ref) == 0) {
			*pp = s->next;
			free(s);
			nsessions--;
			break;
		}
	pthread_mutex_unlock(&sess_lock);
}

/* ---- rate limiting ------------------------------------------------------ */

static struct fail *fail_slot(const char *addr, bool create)
{
	struct fail *oldest = &fails[0];
	time_t t = now();

	for (int i = 0; i < FAIL_SLOTS; i++) {
		if (!strcmp(fails[i].addr, addr)) {
			if (t - fails[i].start > api.conf.login_fail_window) {
				fails[i].start = t;
				fails[i].count = 0;
			}
			return &fails[i];
		}
		if (fails[i].start < oldest->start)
			oldest = &fails[i];
	}
	if (!create)
		return NULL;
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	oldest->start = t;
	oldest->count = 0;
	return oldest;
}

static bool rate_limited(const char *addr)
{
	struct fail *f;
	bool limited;

	pthread_mutex_lock(&sess_lock);
	f = fail_slot(addr, false);
	limited = f && f->count >= api.conf.login_fail_limit;
	pthread_mutex_unlock(&sess_lock);
	return limited;
}

static void record_failure(const char *addr)
{
	pthread_mutex_lock(&sess_lock);
	fail_slot(addr, true)->count++;
	pthread_mutex_unlock(&sess_lock);
}

/* ---- PAM ---------------------------------------------------------------- */

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *pw)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			r[i].resp = strdup(pw);
			if (!r[i].resp)
				goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (int i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

static void no_delay(int retval, unsigned usec, void *appdata)
{
	/* the daemon rate-limits failures itself; PAM's delay would hold a thread */
}

/* pam_unix reads the shadow file with non-reentrant calls: one login at a time. */
static pthread_mutex_t pam_lock = PTHREAD_MUTEX_INITIALIZER;

static bool pam_check_locked(const char *user, const char *pw)
{
	struct pam_conv c = {conv, (void *)pw};
	pam_handle_t *h = NULL;
	int rc;

	rc = pam_start(api.conf.pam_service, user, &c, &h);
	if (rc != PAM_SUCCESS) {
		log_err("pam_start(%s): %d", api.conf.pam_service, rc);
		return false;
	}
	pam_set_item(h, PAM_FAIL_DELAY, (const void *)no_delay);
	rc = pam_authenticate(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(h, PAM_SILENT);
	if (rc != PAM_SUCCESS)
		log_warn("user %s: %s", user, pam_strerror(h, rc));
	pam_end(h, rc);
	return rc == PAM_SUCCESS;
}

static bool pam_check(const char *user, const char *pw)
{
	bool ok;

	pthread_mutex_lock(&pam_lock);
	ok = pam_check_locked(user, pw);
	pthread_mutex_unlock(&pam_lock);
	return ok;
}

/* ---- messages ----------------------------------------------------------- */

static json_t *new_session(struct api_ctx *ctx, const char *user, const char *originator,
			   bool superuser)
{
	char ref[48];
	json_t *rec;

	api_new_ref(ref);
	rec = json_pack("{sssssosbssss}", "this_host", api.host_ref, "auth_user_name", user,
			"last_active", rpc_datetime_now(), "is_local_superuser", superuser,
			"originator", originator, "parent", "OpaqueRef:NULL");
	json_object_set_new(rec, "validation_time", rpc_datetime_now());
	if (api_resume(ctx) || api_create(ctx, dm_class_find("session"), ref, rec)) {
		json_decref(rec);
		api_yield(ctx);
		return NULL;
	}
	json_decref(rec);
	if (api_yield(ctx))
		return NULL;
	if (session_add(ref))
		return api_fail(ctx, "SESSION_AUTHENTICATION_FAILED", user, "too many sessions", NULL);
	log_info("user %s logged in from %s", user, ctx->peer->addr);
	return json_string(ref);
}

json_t *session_login(struct api_ctx *ctx, json_t **args)
{
	const char *user = json_string_value(args[0]);
	const char *pw = json_string_value(args[1]);
	const char *orig = args[3] ? json_string_value(args[3]) : "";
	bool local_root = ctx->peer->local && ctx->peer->uid == 0 && !strcmp(user, "root");

	if (local_root)
		return new_session(ctx, user, orig, true);
	if (rate_limited(ctx->peer->addr)) {
		log_warn("login for %s from %s refused: too many failures", user, ctx->peer->addr);
		return api_fail(ctx, "SESSION_AUTHENTICATION_FAILED", user,
				"Too many failed logins; try again later", NULL);
	}
	if (!*user || !pam_check(user, pw)) {
		record_failure(ctx->peer->addr);
		return api_fail(ctx, "SESSION_AUTHENTICATION_FAILED", user,
				"Authentication failure", NULL);
	}
	return new_session(ctx, user, orig, !strcmp(user, "root"));
}

json_t *session_logout(struct api_ctx *ctx, json_t **args)
{
	const struct dm_class *c = dm_class_find("session");

	session_remove(ctx->session);
	if (db_exists(ctx->db, c, ctx->session) && api_destroy(ctx, c, ctx->session))
		return NULL;
	return json_string("");
}
