/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_int.h — what the api layer shares with its handler files (ev.c,
 * task.c, vm.c, session.c). Not for the http or rpc layers.
 *
 * Locking: one mutex, api_lock, serializes every database access; a handler
 * runs with it held inside a transaction (ctx->locked) unless its table entry
 * says API_NOLOCK. A handler that waits (event.from, a backend operation)
 * calls api_yield() to commit and release, and api_resume() to re-lock and
 * begin a new transaction. api_cond is broadcast after every commit that
 * logged events.
 */
#ifndef XAPI_API_INT_H
#define XAPI_API_INT_H

#include <pthread.h>
#include <stdbool.h>

#include <jansson.h>

#include "api.h"
#include "db.h"
#include "dm.h"

struct api_ctx {
	struct db *db;
	const struct api_peer *peer;
	const char *session;		/* the caller's session ref, if any */
	const char *method;
	const char *task;		/* set when running for Async.* */
	json_t *err;			/* ErrorDescription once failed */
	bool locked;
};

struct api_state {
	struct db *db;
	struct api_conf conf;
	char host_ref[64];
	char pool_ref[64];
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* broadcast on committed events */
	volatile bool stopping;
};
extern struct api_state api;

typedef json_t *(*api_handler)(struct api_ctx *ctx, json_t **args);

#define API_NOLOCK 1u		/* runs without api.lock; takes it itself */

struct api_impl {
	const char *method;		/* "VM.start" */
	api_handler fn;
	unsigned flags;
};
extern const struct api_impl api_impls[];
extern const size_t api_nimpls;

/* Records the error; always returns NULL. Params are strings, NULL-terminated. */
json_t *api_fail(struct api_ctx *ctx, const char *code, ...) __attribute__((sentinel));
json_t *api_fail_json(struct api_ctx *ctx, json_t *desc);

int api_yield(struct api_ctx *ctx);
int api_resume(struct api_ctx *ctx);

void api_new_ref(char out[48]);
void api_new_uuid(char out[40]);

/* Row helpers that keep inverse ref sets (VM.VBDs <- VBD.VM) up to date. */
int api_create(struct api_ctx *ctx, const struct dm_class *c, const char *ref, json_t *rec);
int api_destroy(struct api_ctx *ctx, const struct dm_class *c, const char *ref);
int api_set(struct api_ctx *ctx, const struct dm_class *c, const char *ref, const char *field,
	    json_t *v);	/* steals v */
json_t *api_get(struct api_ctx *ctx, const struct dm_class *c, const char *ref, const char *field);

/* Checks (and converts in place) v against a field type; false: wrong type. */
bool api_check_type(enum dm_kind kind, enum dm_kind elem, const struct dm_enum *en, json_t **v);

/* ev.c */
json_t *ev_from(struct api_ctx *ctx, json_t **args);
json_t *ev_inject(struct api_ctx *ctx, json_t **args);
json_t *ev_get_current_id(struct api_ctx *ctx, json_t **args);

/* session.c */
int session_init(void);
bool session_check(const char *ref);
json_t *session_login(struct api_ctx *ctx, json_t **args);
json_t *session_logout(struct api_ctx *ctx, json_t **args);

/* task.c */
json_t *task_async(struct api_ctx *ctx, const char *method, json_t *params);
bool task_cancelled(const char *task);
json_t *task_create(struct api_ctx *ctx, json_t **args);
json_t *task_cancel(struct api_ctx *ctx, json_t **args);
json_t *task_destroy(struct api_ctx *ctx, json_t **args);
int task_set_progress(struct api_ctx *ctx, double progress);

/* vm.c */
json_t *vm_create(struct api_ctx *ctx, json_t *rec);
json_t *vm_destroy(struct api_ctx *ctx, const char *ref);
json_t *vm_op(struct api_ctx *ctx, json_t **args);
json_t *vm_copy_op(struct api_ctx *ctx, json_t **args);
json_t *vm_console_output(struct api_ctx *ctx, json_t **args);
void vm_recover(struct api_ctx *ctx);
int vm_refresh_allowed(struct api_ctx *ctx, const char *ref);

#endif
