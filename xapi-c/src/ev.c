/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ev.c — event.from, event.inject, event.get_current_id.
 *
 * Design: the database logs every write as (generation, class, ref, op).
 * A token is the generation it covers, zero-padded to 20 digits so that
 * tokens compare as strings in the same order as numbers. event.from with
 * token T returns one event per object of the requested classes changed
 * after T, collapsed (add if created after T, del if gone, mod otherwise),
 * with the object's current record (its last record for del), and the new
 * token; with the empty token it returns every current object as "add".
 * With nothing to report it waits on api.cond, without the lock, until a
 * commit or the timeout.
 *
 * valid_ref_counts gives the number of rows of each requested class.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_int.h"
#include "log.h"

#define EV_MAX_TIMEOUT 600.0

struct ev_req {
	bool all;
	bool want[64];		/* indexed like dm_classes */
	json_t *events;
	const char *now;
};

static json_t *token(long long gen)
{
	char buf[32];

	db_token(gen, buf);
	return json_string(buf);
}

static json_t *event(const char *cls, const char *ref, const char *op, long long gen,
		     json_t *snap, const char *ts)
{
	char lc[64], id[32];
	json_t *e;

	snprintf(id, sizeof(id), "%lld", gen);
	/* snapshot: borrowed; O? takes a reference of its own */
	e = json_pack("{ss ss ss ss ss sO?}", "id", id, "timestamp", ts, "class", dm_lower(cls, lc),
		      "operation", op, "ref", ref, "snapshot", snap);
	return e;
}

static int collect(const struct db_event *e, void *arg)
{
	struct ev_req *r = arg;
	const struct dm_class *c = dm_class_find(e->cls);
	static const char *const ops[] = {"add", "mod", "del"};
	json_t *snap;

	if (!c || !r->want[c - dm_classes])
		return 0;
	snap = e->op == DB_DEL ? json_incref(e->del_snapshot) : db_read(api.db, c, e->ref);
	json_array_append_new(r->events, event(c->name, e->ref, ops[e->op], e->gen, snap, r->now));
	json_decref(snap);
	return 0;
}

static void everything(struct ev_req *r, long long gen)
{
	for (size_t i = 0; i < dm_nclasses; i++) {
		const char *k;
		json_t *all, *v;

		if (!r->want[i] || (dm_classes[i].flags & DM_CLASS_NO_STORE))
			continue;
		all = db_read_all(api.db, &dm_classes[i]);
		json_object_foreach(all, k, v)
			json_array_append_new(r->events, event(dm_classes[i].name, k, "add", gen,
							       v, r->now));
		json_decref(all);
	}
}

static json_t *counts(struct ev_req *r)
{
	json_t *o = json_object();
	char lc[64];

	for (size_t i = 0; i < dm_nclasses; i++)
		if (r->want[i] && !(dm_classes[i].flags & DM_CLASS_NO_STORE))
			json_object_set_new(o, dm_lower(dm_classes[i].name, lc),
					    rpc_int32((int)db_count(api.db, &dm_classes[i])));
	return o;
}

static int want_classes(struct api_ctx *ctx, json_t *classes, struct ev_req *r)
{
	json_t *e;
	size_t i;

	json_array_foreach(classes, i, e) {
		const char *name = json_string_value(e);
		const struct dm_class *c;
		char buf[64];

		if (!strcmp(name, "*")) {
			for (size_t j = 0; j < dm_nclasses; j++)
				r->want[j] = !(dm_classes[j].flags & DM_CLASS_NO_LIST);
			continue;
		}
		/* "vm/OpaqueRef:..." subscribes to one object in xapi; we send the class */
		snprintf(buf, sizeof(buf), "%s", name);
		buf[strcspn(buf, "/")] = '\0';
		c = dm_class_find_ci(buf);
		if (!c) {
			api_fail(ctx, "EVENT_SUBSCRIPTION_PARSE_FAILURE", name, NULL);
			return -1;
		}
		r->want[c - dm_classes] = true;
	}
	return 0;
}

static void deadline_after(double secs, struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += (time_t)secs;
	ts->tv_nsec += (long)((secs - floor(secs)) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

json_t *ev_from(struct api_ctx *ctx, json_t **args)
{
	struct ev_req r = {0};
	struct timespec deadline;
	double timeout = json_real_value(args[2]);
	long long since, gen;
	char nowbuf[32];
	json_t *res = NULL;
	bool timed_out = false;

	if (db_token_parse(json_string_value(args[1]), &since))
		return api_fail(ctx, "EVENT_FROM_TOKEN_PARSE_FAILURE", json_string_value(args[1]), NULL);
	if (!(timeout >= 0))
		timeout = 0;
	if (timeout > EV_MAX_TIMEOUT)
		timeout = EV_MAX_TIMEOUT;
	if (want_classes(ctx, args[0], &r))
		return NULL;
	snprintf(nowbuf, sizeof(nowbuf), "%lld.", (long long)time(NULL));
	r.now = nowbuf;
	deadline_after(timeout, &deadline);
	r.events = json_array();
	pthread_mutex_lock(&api.lock);
	for (;;) {
		gen = db_generation(api.db);
		if (since >= 0 && since < db_oldest_generation(api.db)) {
			api_fail(ctx, "EVENTS_LOST", NULL);
			break;
		}
		if (since < 0)
			everything(&r, gen);
		else if (since < gen)
			db_changes_since(api.db, since, collect, &r);
		if (json_array_size(r.events) || since < 0 || api.stopping || timed_out)
			break;
		if (pthread_cond_timedwait(&api.cond, &api.lock, &deadline) == ETIMEDOUT)
			timed_out = true;	/* one last look, then answer */
	}
	if (!ctx->err)
		res = json_pack("{sOsoso}", "events", r.events, "valid_ref_counts", counts(&r),
				"token", token(since >= 0 && since > gen ? since : gen));
	pthread_mutex_unlock(&api.lock);
	json_decref(r.events);
	return res;
}

json_t *ev_inject(struct api_ctx *ctx, json_t **args)
{
	const struct dm_class *c = dm_class_find_ci(json_string_value(args[0]));
	const char *ref = json_string_value(args[1]);

	if (!c || (c->flags & DM_CLASS_NO_STORE))
		return api_fail(ctx, "EVENT_SUBSCRIPTION_PARSE_FAILURE", json_string_value(args[0]), NULL);
	if (db_touch(ctx->db, c, ref))
		return api_fail(ctx, "HANDLE_INVALID", c->name, ref, NULL);
	return token(db_generation(ctx->db));
}

json_t *ev_get_current_id(struct api_ctx *ctx, json_t **args)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", db_generation(ctx->db));
	return json_string(buf);
}
