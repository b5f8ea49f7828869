/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * task.c — Async.<Class>.<message> and the task class.
 *
 * Design: an Async call, once its session, method and arguments have been
 * checked, creates a task row (status pending) and returns its ref; a
 * detached worker thread then runs the synchronous method and records the
 * outcome in the row: status success with result holding the XML-RPC
 * <value> text of the result (as xapi does), or failure with error_info.
 * task.cancel marks a pending task "cancelling"; handlers that wait poll
 * task_cancelled() and end with TASK_CANCELLED, and the row ends
 * "cancelled". Cancel flags live in a small in-memory list under api.lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "log.h"

json_t *api_call_for_task(const char *method, json_t *params, const struct api_peer *peer,
			  const char *task, json_t **err);

struct cancel {
	char ref[48];
	bool cancelled;
	struct cancel *next;
};
static struct cancel *cancels;	/* under api.lock */
static int nrunning;		/* worker threads alive, under api.lock */

#define TASK_MAX_RUNNING 256

struct job {
	char method[RPC_METHOD_MAX];
	char task[48];
	json_t *params;
	struct api_peer peer;
};

static const struct dm_class *tc(void)
{
	return dm_class_find("task");
}

bool task_cancelled(const char *task)
{
	for (struct cancel *c = cancels; c && task; c = c->next)
		if (!strcmp(c->ref, task))
			return c->cancelled;
	return false;
}

static struct cancel *cancel_find(const char *task)
{
	for (struct cancel *c = cancels; c; c = c->next)
		if (!strcmp(c->ref, task))
			return c;
	return NULL;
}

static void cancel_drop(const char *task)
{
	for (struct cancel **pp = &cancels, *c; (c = *pp); pp = &c->next)
		if (!strcmp(c->ref, task)) {
			*pp = c->next;
			free(c);
			return;
		}
}

int task_set_progress(struct api_ctx *ctx, double progress)
{
	if (!ctx->task || !db_exists(ctx->db, tc(), ctx->task))
		return 0;
	return api_set(ctx, tc(), ctx->task, "progress", json_real(progress));
}

static void finish(struct job *j, json_t *res, json_t *err)
{
	struct api_ctx ctx = {.db = api.db, .peer = &j->peer};
	const struct dm_class *c = tc();
	bool cancelled;

	api_resume(&ctx);
	cancelled = task_cancelled(j->task);
	cancel_drop(j->task);
	if (!db_exists(api.db, c, j->task))
		goto out;	/* destroyed meanwhile */
	if (res) {
		char *xml = rpc_xml_value(res);

		api_set(&ctx, c, j->task, "result", json_string(xml));
		api_set(&ctx, c, j->task, "status", json_string("success"));
		free(xml);
	} else {
		if (cancelled && !strcmp(json_string_value(json_array_get(err, 0)), "TASK_CANCELLED"))
			api_set(&ctx, c, j->task, "status", json_string("cancelled"));
		else
			api_set(&ctx, c, j->task, "status", json_string("failure"));
		api_set(&ctx, c, j->task, "error_info", json_incref(err));
	}
	api_set(&ctx, c, j->task, "progress", json_real(1.0));
	api_set(&ctx, c, j->task, "finished", rpc_datetime_now());
	api_set(&ctx, c, j->task, "allowed_operations", json_pack("[s]", "destroy"));
out:
	api_yield(&ctx);
	json_decref(ctx.err);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	json_t *err = NULL, *res;

	res = api_call_for_task(j->method, j->params, &j->peer, j->task, &err);
	finish(j, res, err);
	pthread_mutex_lock(&api.lock);
	nrunning--;
	pthread_mutex_unlock(&api.lock);
	log_info("task %s (%s) done: %s", j->task, j->method, res ? "success" : "failure");
	json_decref(res);
	json_decref(err);
	json_decref(j->params);
	free(j);
	return NULL;
}

json_t *task_async(struct api_ctx *ctx, const char *method, json_t *params)
{
	struct job *j = calloc(1, sizeof(*j));
	struct cancel *cf = calloc(1, sizeof(*cf));
	pthread_attr_t attr;
	char ref[48];
	pthread_t t;
	json_t *rec;

	if (!j || !cf)
		abort();
	snprintf(j->method, sizeof(j->method), "%s", method);
	j->params = json_deep_copy(params);
	j->peer = *ctx->peer;
	api_new_ref(ref);
	snprintf(j->task, sizeof(j->task), "%s", ref);
	snprintf(cf->ref, sizeof(cf->ref), "%s", ref);
	rec = json_pack("{sosssosssos[s]}", "name_label", json_sprintf("Async.%s", method),
			"name_description", "", "created", rpc_datetime_now(),
			"resident_on", api.host_ref, "progress", json_real(0.0),
			"allowed_operations", "cancel");
	if (api_resume(ctx))
		goto fail_yield;
	if (nrunning >= TASK_MAX_RUNNING) {
		api_fail(ctx, "OPERATION_NOT_ALLOWED", "too many tasks running; try again later", NULL);
		goto fail_yield;
	}
	if (api_create(ctx, tc(), ref, rec))
		goto fail_yield;
	nrunning++;
	cf->next = cancels;
	cancels = cf;
	if (api_yield(ctx)) {
		pthread_mutex_lock(&api.lock);
		cancel_drop(ref);
		nrunning--;
		pthread_mutex_unlock(&api.lock);
		cf = NULL;
		goto fail;
	}
	json_decref(rec);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&t, &attr, worker, j)) {
		json_t *err = json_pack("[ss]", "INTERNAL_ERROR", "cannot start task");

		log_err("cannot start a worker for %s", method);
		pthread_attr_destroy(&attr);
		finish(j, NULL, err);
		pthread_mutex_lock(&api.lock);
		nrunning--;
		pthread_mutex_unlock(&api.lock);
		json_decref(err);
		json_decref(j->params);
		free(j);
		return json_string(ref);
	}
	pthread_attr_destroy(&attr);
	return json_string(ref);
fail_yield:
	api_yield(ctx);
fail:
	json_decref(rec);
	json_decref(j->params);
	free(j);
	free(cf);
	return NULL;
}

json_t *task_create(struct api_ctx *ctx, json_t **args)
{
	char ref[48];
	json_t *rec = json_pack("{sOsOsosssos[]}", "name_label", args[0], "name_description", args[1],
				"created", rpc_datetime_now(), "resident_on", api.host_ref,
				"progress", json_real(0.0), "allowed_operations");

	api_new_ref(ref);
	if (api_create(ctx, tc(), ref, rec)) {
		json_decref(rec);
		return NULL;
	}
	json_decref(rec);
	return json_string(ref);
}

json_t *task_cancel(struct api_ctx *ctx, json_t **args)
{
	const char *ref = json_string_value(args[0]);
	struct cancel *c = cancel_find(ref);
	json_t *st = api_get(ctx, tc(), ref, "status");
	bool pending = st && !strcmp(json_string_value(st), "pending");

	json_decref(st);
	if (!c || !pending)
		return api_fail(ctx, "OPERATION_NOT_ALLOWED", "task is not pending or not cancellable", NULL);
	c->cancelled = true;
	if (api_set(ctx, tc(), ref, "status", json_string("cancelling")))
		return NULL;
	return json_string("");
}

json_t *task_destroy(struct api_ctx *ctx, json_t **args)
{
	if (api_destroy(ctx, tc(), json_string_value(args[0])))
		return NULL;
	return json_string("");
}
