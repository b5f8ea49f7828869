/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api.c — method dispatch and the generic, datamodel-driven messages.
 *
 * Design: a method name "[Async.]<Class>.<message>" is resolved in this
 * order: system.listMethods; a message declared in dm.c (implemented by the
 * api_impls table, name for name); a generic message derived from the class's
 * fields (get_record, get_<field>, set_<field>, add_to_/remove_from_ maps,
 * add_/remove_ sets, create/destroy, get_by_*). Anything else is
 * MESSAGE_METHOD_UNKNOWN. Arguments are counted, then each is checked and
 * converted against its declared type (FIELD_TYPE_ERROR) and refs are looked
 * up in their class (HANDLE_INVALID), all before the handler runs.
 *
 * Locking: see api_int.h. Every call is one transaction: committed when the
 * handler succeeds, rolled back when it fails, so a failed call writes
 * nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "api_int.h"
#include "log.h"
#include "sb.h"

struct api_state api = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

json_t *api_fail_json(struct api_ctx *ctx, json_t *desc)
{
	if (ctx->err)
		json_decref(desc);
	else
		ctx->err = desc;
	return NULL;
}

json_t *api_fail(struct api_ctx *ctx, const char *code, ...)
{
	json_t *a = json_array();
	const char *p;
	va_list ap;

	json_array_append_new(a, json_string(code));
	va_start(ap, code);
	while ((p = va_arg(ap, const char *)))
		json_array_append_new(a, json_string(p));
	va_end(ap);
	return api_fail_json(ctx, a);
}

void api_new_uuid(char out[40])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

void api_new_ref(char out[48])
{
	char u[40];

	api_new_uuid(u);
	snprintf(out, 48, "OpaqueRef:%.36s", u);
}

static void broadcast_if(long long gen_before)
{
	if (db_generation(api.db) != gen_before)
		pthread_cond_broadcast(&api.cond);
}

int api_yield(struct api_ctx *ctx)
{
	int rc = 0;

	if (!ctx->locked)
		return 0;
	if (ctx->err) {
		db_rollback(ctx->db);
		rc = -1;
	} else if (db_commit(ctx->db)) {
		api_fail(ctx, "INTERNAL_ERROR", "database commit failed", NULL);
		db_rollback(ctx->db);
		rc = -1;
	}
	pthread_cond_broadcast(&api.cond);
	ctx->locked = false;
	pthread_mutex_unlock(&api.lock);
	return rc;
}

int api_resume(struct api_ctx *ctx)
{
	if (ctx->locked)
		return 0;
	pthread_mutex_lock(&api.lock);
	ctx->locked = true;
	if (db_begin(ctx->db)) {
		api_fail(ctx, "INTERNAL_ERROR", "database begin failed", NULL);
		return -1;
	}
	return 0;
}

/* ---- type checks -------------------------------------------------------- */

static bool strict_ll(const char *s, long long *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

static bool check_scalar(enum dm_kind kind, const struct dm_enum *en, json_t **v)
{
	long long i;
	double d;
	char *end;

	switch (kind) {
	case DM_STRING:
	case DM_REF:
		return json_is_string(*v);
	case DM_ENUM:
		return json_is_string(*v) && (!en || dm_enum_valid(en, json_string_value(*v)));
	case DM_BOOL:
		return json_is_boolean(*v);
	case DM_INT:
		if (json_is_integer(*v))
			return true;
		if (!json_is_string(*v) || !strict_ll(json_string_value(*v), &i))
			return false;
		json_decref(*v);
		*v = json_integer(i);
		return true;
	case DM_FLOAT:
		if (json_is_real(*v))
			return true;
		if (json_is_integer(*v)) {
			d = (double)json_integer_value(*v);
		} else if (json_is_string(*v) && *json_string_value(*v)) {
			errno = 0;
			d = strtod(json_string_value(*v), &end);
			if (*end || errno || !isfinite(d))
				return false;
		} else {
			return false;
		}
		json_decref(*v);
		*v = json_real(d);
		return true;
	case DM_RECORD:
		return json_is_object(*v) && !rpc_datetime_str(*v);
	case DM_DATETIME:
		if (rpc_datetime_str(*v))
			return true;
		if (!json_is_string(*v))
			return false;
		{
			json_t *dt = rpc_datetime(json_string_value(*v));

			json_decref(*v);
			*v = dt;
		}
		return true;
	default:
		return false;
	}
}

bool api_check_type(enum dm_kind kind, enum dm_kind elem, const struct dm_enum *en, json_t **v)
{
	const char *k;
	json_t *e, *tmp;
	size_t i;

	if (kind == DM_SET) {
		if (!json_is_array(*v))
			return false;
		json_array_foreach(*v, i, e) {
			tmp = json_incref(e);
			if (!check_scalar(elem, en, &tmp)) {
				json_decref(tmp);
				return false;
			}
			json_array_set_new(*v, i, tmp);
		}
		return true;
	}
	if (kind == DM_MAP) {
		if (!json_is_object(*v) || rpc_datetime_str(*v))
			return false;
		json_object_foreach(*v, k, e) {
			tmp = json_incref(e);
			if (!check_scalar(elem, en, &tmp)) {
				json_decref(tmp);
				return false;
			}
			json_object_set_new(*v, k, tmp);
		}
		return true;
	}
	return check_scalar(kind, en, v);
}

/* ---- rows with inverse sets -------------------------------------------- */

static int inverse_edit(struct api_ctx *ctx, const struct dm_field *f, const char *target,
			const char *ref, bool add)
{
	const struct dm_class *tc = dm_class_find(f->ref_class);
	const struct dm_field *tf = tc ? dm_field_find(tc, f->inverse) : NULL;
	json_t *set, *e;
	size_t i;
	int rc;

	if (!tf || !strcmp(target, "OpaqueRef:NULL") || !db_exists(ctx->db, tc, target))
		return 0;
	set = db_read_field(ctx->db, tc, target, tf);
	if (!set)
		return -1;
	json_array_foreach(set, i, e)
		if (!strcmp(json_string_value(e), ref)) {
			if (add) {
				json_decref(set);
				return 0;
			}
			json_array_remove(set, i);
			break;
		}
	if (add)
		json_array_append_new(set, json_string(ref));
	rc = db_write_field(ctx->db, tc, target, tf, set);
	json_decref(set);
	return rc;
}

static int inverses(struct api_ctx *ctx, const struct dm_class *c, const char *ref,
		    const json_t *rec, bool add)
{
	for (size_t i = 0; i < c->nfields; i++) {
		const struct dm_field *f = &c->fields[i];
		const char *t;

		if (!f->inverse)
			continue;
		t = json_string_value(json_object_get(rec, f->name));
		if (t && inverse_edit(ctx, f, t, ref, add))
			return -1;
	}
	return 0;
}

int api_create(struct api_ctx *ctx, const struct dm_class *c, const char *ref, json_t *rec)
{
	char uuid[40];

	if (!json_object_get(rec, "uuid") || !*json_string_value(json_object_get(rec, "uuid"))) {
		api_new_uuid(uuid);
		json_object_set_new(rec, "uuid", json_string(uuid));
	}
	for (size_t i = 0; i < c->nfields; i++)
		if (!json_object_get(rec, c->fields[i].name))
			json_object_set_new(rec, c->fields[i].name, dm_default(&c->fields[i]));
	if (db_create(ctx->db, c, ref, rec) || inverses(ctx, c, ref, rec, true)) {
		api_fail(ctx, "INTERNAL_ERROR", "database write failed", NULL);
		return -1;
	}
	return 0;
}

int api_destroy(struct api_ctx *ctx, const struct dm_class *c, const char *ref)
{
	json_t *rec = db_read(ctx->db, c, ref);
	int rc = -1;

	if (!rec) {
		api_fail(ctx, "HANDLE_INVALID", c->name, ref, NULL);
		return -1;
	}
	if (inverses(ctx, c, ref, rec, false) == 0 && db_delete(ctx->db, c, ref) == 0)
		rc = 0;
	else
		api_fail(ctx, "INTERNAL_ERROR", "database write failed", NULL);
	json_decref(rec);
	return rc;
}

int api_set(struct api_ctx *ctx, const struct dm_class *c, const char *ref, const char *field,
	    json_t *v)
{
	const struct dm_field *f = dm_field_find(c, field);
	json_t *old = NULL;
	int rc = -1;

	if (!f) {
		log_err("no field %s.%s", c->name, field);
		api_fail(ctx, "INTERNAL_ERROR", "unknown field", field, NULL);
		goto out;
	}
	if (f->inverse) {
		old = db_read_field(ctx->db, c, ref, f);
		if (old && inverse_edit(ctx, f, json_string_value(old), ref, false))
			goto fail;
	}
	if (db_write_field(ctx->db, c, ref, f, v))
		goto fail;
	if (f->inverse && inverse_edit(ctx, f, json_string_value(v), ref, true))
		goto fail;
	rc = 0;
	goto out;
fail:
	api_fail(ctx, "INTERNAL_ERROR", "database write failed", NULL);
out:
	json_decref(old);
	json_decref(v);
	return rc;
}

json_t *api_get(struct api_ctx *ctx, const struct dm_class *c, const char *ref, const char *field)
{
	const struct dm_field *f = dm_field_find(c, field);

	return f ? db_read_field(ctx->db, c, ref, f) : NULL;
}

/* ---- generic messages -------------------------------------------------- */

enum gen_kind {
	G_NONE, G_GET_ALL_RECORDS, G_GET_ALL, G_GET_RECORD, G_GET_BY_UUID, G_GET_BY_NAME,
	G_GET, G_SET, G_ADD_TO, G_REMOVE_FROM, G_ADD, G_REMOVE, G_CREATE, G_DESTROY,
};

struct generic {
	enum gen_kind kind;
	const struct dm_field *f;
	int nparams;
	struct dm_param params[3];
};

static const struct dm_field *prefixed(const struct dm_class *c, const char *msg, const char *pre)
{
	size_t n = strlen(pre);

	return strncmp(msg, pre, n) == 0 ? dm_field_find(c, msg + n) : NULL;
}

static void self_param(struct generic *g, const struct dm_class *c)
{
	g->params[0] = (struct dm_param){.name = "self", .kind = DM_REF, .ref_class = c->name};
	g->nparams = 1;
}

static void value_param(struct generic *g, const char *name, const struct dm_field *f,
			enum dm_kind kind)
{
	g->params[g->nparams++] = (struct dm_param){
		.name = name, .kind = kind, .ref_class = f->ref_class, .en = f->en,
		.elem = f->elem,
	};
}

static bool lookup_generic(const struct dm_class *c, const char *msg, struct generic *g)
{
	const struct dm_field *f = NULL;
	bool list = !(c->flags & DM_CLASS_NO_LIST);

	memset(g, 0, sizeof(*g));
	if (c->flags & DM_CLASS_NO_STORE)
		return false;
	if (list && !strcmp(msg, "get_all_records")) {
		g->kind = G_GET_ALL_RECORDS;
	} else if (list && !strcmp(msg, "get_all")) {
		g->kind = G_GET_ALL;
	} else if (!strcmp(msg, "get_record")) {
		g->kind = G_GET_RECORD;
		self_param(g, c);
	} else if (!strcmp(msg, "get_by_uuid")) {
		g->kind = G_GET_BY_UUID;
		g->params[g->nparams++] = (struct dm_param){.name = "uuid", .kind = DM_STRING};
	} else if ((c->flags & DM_CLASS_NAMED) && !strcmp(msg, "get_by_name_label")) {
		g->kind = G_GET_BY_NAME;
		g->params[g->nparams++] = (struct dm_param){.name = "label", .kind = DM_STRING};
	} else if ((c->flags & DM_CLASS_CREATE) && !strcmp(msg, "create")) {
		g->kind = G_CREATE;
		g->params[g->nparams++] = (struct dm_param){.name = "args", .kind = DM_RECORD};
	} else if ((c->flags & DM_CLASS_CREATE) && !strcmp(msg, "destroy")) {
		g->kind = G_DESTROY;
		self_param(g, c);
	} else if ((f = prefixed(c, msg, "get_"))) {
		g->kind = G_GET;
		self_param(g, c);
	} else if ((f = prefixed(c, msg, "set_")) && f->qual == DM_RW) {
		g->kind = G_SET;
		self_param(g, c);
		value_param(g, "value", f, f->kind);
	} else if ((f = prefixed(c, msg, "add_to_")) && f->qual == DM_RW && f->kind == DM_MAP) {
		g->kind = G_ADD_TO;
		self_param(g, c);
		g->params[g->nparams++] = (struct dm_param){.name = "key", .kind = DM_STRING};
		value_param(g, "value", f, f->elem);
	} else if ((f = prefixed(c, msg, "remove_from_")) && f->qual == DM_RW && f->kind == DM_MAP) {
		g->kind = G_REMOVE_FROM;
		self_param(g, c);
		g->params[g->nparams++] = (struct dm_param){.name = "key", .kind = DM_STRING};
	} else if ((f = prefixed(c, msg, "add_")) && f->qual == DM_RW && f->kind == DM_SET) {
		g->kind = G_ADD;
		self_param(g, c);
		value_param(g, "value", f, f->elem);
	} else if ((f = prefixed(c, msg, "remove_")) && f->qual == DM_RW && f->kind == DM_SET) {
		g->kind = G_REMOVE;
		self_param(g, c);
		value_param(g, "value", f, f->elem);
	} else {
		return false;
	}
	g->f = f;
	return true;
}

static json_t *generic_create(struct api_ctx *ctx, const struct dm_class *c, json_t *args)
{
	json_t *rec = json_object(), *v;
	char ref[48];

	for (size_t i = 0; i < c->nfields; i++) {
		const struct dm_field *f = &c->fields[i];

		v = json_object_get(args, f->name);
		if (!v || f->qual == DM_DRO)
			continue;
		v = json_deep_copy(v);
		if (!api_check_type(f->kind, f->elem, f->en, &v)) {
			json_decref(v);
			json_decref(rec);
			return api_fail(ctx, "FIELD_TYPE_ERROR", f->name, NULL);
		}
		if (f->kind == DM_REF && f->inverse && strcmp(json_string_value(v), "OpaqueRef:NULL") &&
		    !db_exists(ctx->db, dm_class_find(f->ref_class), json_string_value(v))) {
			api_fail(ctx, "HANDLE_INVALID", f->ref_class, json_string_value(v), NULL);
			json_decref(v);
			json_decref(rec);
			return NULL;
		}
		json_object_set_new(rec, f->name, v);
	}
	if (!strcmp(c->name, "VM"))
		return vm_create(ctx, rec);
	api_new_ref(ref);
	if (api_create(ctx, c, ref, rec)) {
		json_decref(rec);
		return NULL;
	}
	json_decref(rec);
	return json_string(ref);
}

static json_t *map_edit(struct api_ctx *ctx, const struct dm_class *c, const struct generic *g,
			json_t **args)
{
	const char *ref = json_string_value(args[0]);
	json_t *cur = db_read_field(ctx->db, c, ref, g->f);

	if (!cur)
		return api_fail(ctx, "HANDLE_INVALID", c->name, ref, NULL);
	if (g->kind == G_ADD_TO) {
		if (json_object_get(cur, json_string_value(args[1]))) {
			json_decref(cur);
			return api_fail(ctx, "MAP_DUPLICATE_KEY", c->name, g->f->name, ref,
					json_string_value(args[1]), NULL);
		}
		json_object_set(cur, json_string_value(args[1]), args[2]);
	} else {
		json_object_del(cur, json_string_value(args[1]));
	}
	if (api_set(ctx, c, ref, g->f->name, cur))
		return NULL;
	return json_string("");
}

static json_t *set_edit(struct api_ctx *ctx, const struct dm_class *c, const struct generic *g,
			json_t **args)
{
	const char *ref = json_string_value(args[0]);
	json_t *cur = db_read_field(ctx->db, c, ref, g->f), *e;
	size_t i;
	bool found = false;

	if (!cur)
		return api_fail(ctx, "HANDLE_INVALID", c->name, ref, NULL);
	json_array_foreach(cur, i, e)
		if (json_equal(e, args[1])) {
			found = true;
			break;
		}
	if (g->kind == G_ADD && !found)
		json_array_append(cur, args[1]);
	else if (g->kind == G_REMOVE && found)
		json_array_remove(cur, i);
	if (api_set(ctx, c, ref, g->f->name, cur))
		return NULL;
	return json_string("");
}

static json_t *run_generic(struct api_ctx *ctx, const struct dm_class *c, const struct generic *g,
			   json_t **args)
{
	json_t *r;

	switch (g->kind) {
	case G_GET_ALL_RECORDS:
		return db_read_all(ctx->db, c);
	case G_GET_ALL:
		r = db_read_all(ctx->db, c);
		{
			json_t *refs = json_array();
			const char *k;
			json_t *v;

			json_object_foreach(r, k, v)
				json_array_append_new(refs, json_string(k));
			json_decref(r);
			return refs;
		}
	case G_GET_RECORD:
		return db_read(ctx->db, c, json_string_value(args[0]));
	case G_GET_BY_UUID:
		r = db_find(ctx->db, c, dm_field_find(c, "uuid"), args[0]);
		if (json_array_size(r) == 0) {
			json_decref(r);
			return api_fail(ctx, "UUID_INVALID", c->name, json_string_value(args[0]), NULL);
		}
		{
			json_t *one = json_incref(json_array_get(r, 0));

			json_decref(r);
			return one;
		}
	case G_GET_BY_NAME:
		return db_find(ctx->db, c, dm_field_find(c, "name_label"), args[0]);
	case G_GET:
		return db_read_field(ctx->db, c, json_string_value(args[0]), g->f);
	case G_SET:
		if (api_set(ctx, c, json_string_value(args[0]), g->f->name, json_incref(args[1])))
			return NULL;
		if (!strcmp(c->name, "VM") && !strcmp(g->f->name, "is_a_template") &&
		    vm_refresh_allowed(ctx, json_string_value(args[0])))
			return NULL;
		return json_string("");
	case G_ADD_TO:
	case G_REMOVE_FROM:
		return map_edit(ctx, c, g, args);
	case G_ADD:
	case G_REMOVE:
		return set_edit(ctx, c, g, args);
	case G_CREATE:
		return generic_create(ctx, c, args[0]);
	case G_DESTROY:
		if (!strcmp(c->name, "VM"))
			return vm_destroy(ctx, json_string_value(args[0]));
		if (api_destroy(ctx, c, json_string_value(args[0])))
			return NULL;
		return json_string("");
	case G_NONE:
		break;
	}
	return api_fail(ctx, "INTERNAL_ERROR", "generic message without handler", NULL);
}

/* ---- small custom messages -------------------------------------------- */

static json_t *host_get_servertime(struct api_ctx *ctx, json_t **args)
{
	return rpc_datetime_now();
}

static json_t *message_create(struct api_ctx *ctx, json_t **args)
{
	const struct dm_class *c = dm_class_find("message");
	json_t *rec;
	char ref[48];

	rec = json_pack("{sOsOsOsOsOso}", "name", args[0], "priority", args[1], "cls", args[2],
			"obj_uuid", args[3], "body", args[4], "timestamp", rpc_datetime_now());
	api_new_ref(ref);
	if (api_create(ctx, c, ref, rec)) {
		json_decref(rec);
		return NULL;
	}
	json_decref(rec);
	return json_string(ref);
}

static json_t *message_destroy(struct api_ctx *ctx, json_t **args)
{
	if (api_destroy(ctx, dm_class_find("message"), json_string_value(args[0])))
		return NULL;
	return json_string("");
}

const struct api_impl api_impls[] = {
	{"session.login_with_password", session_login, API_NOLOCK},
	{"session.logout", session_logout, 0},
	{"session.local_logout", session_logout, 0},
	{"host.get_servertime", host_get_servertime, 0},
	{"VM.start", vm_op, 0},
	{"VM.start_on", vm_op, 0},
	{"VM.clean_shutdown", vm_op, 0},
	{"VM.hard_shutdown", vm_op, 0},
	{"VM.shutdown", vm_op, 0},
	{"VM.clean_reboot", vm_op, 0},
	{"VM.hard_reboot", vm_op, 0},
	{"VM.pause", vm_op, 0},
	{"VM.unpause", vm_op, 0},
	{"VM.suspend", vm_op, 0},
	{"VM.resume", vm_op, 0},
	{"VM.clone", vm_copy_op, 0},
	{"VM.copy", vm_copy_op, 0},
	{"VM.snapshot", vm_copy_op, 0},
	{"VM.get_console_output", vm_console_output, 0},
	{"task.create", task_create, 0},
	{"task.cancel", task_cancel, 0},
	{"task.destroy", task_destroy, 0},
	{"message.create", message_create, 0},
	{"message.destroy", message_destroy, 0},
	{"event.from", ev_from, API_NOLOCK},
	{"event.inject", ev_inject, 0},
	{"event.get_current_id", ev_get_current_id, 0},
};
const size_t api_nimpls = sizeof(api_impls) / sizeof(api_impls[0]);

static const struct api_impl *impl_find(const char *method)
{
	for (size_t i = 0; i < api_nimpls; i++)
		if (!strcmp(api_impls[i].method, method))
			return &api_impls[i];
	return NULL;
}

/* ---- system.listMethods ------------------------------------------------ */

static void add_method(json_t *a, const char *c, const char *m, bool async)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s.%s", c, m);
	json_array_append_new(a, json_string(buf));
	if (async) {
		snprintf(buf, sizeof(buf), "Async.%s.%s", c, m);
		json_array_append_new(a, json_string(buf));
	}
}

static void list_generic(json_t *a, const struct dm_class *c)
{
	char buf[160];

	if (!(c->flags & DM_CLASS_NO_LIST)) {
		add_method(a, c->name, "get_all_records", false);
		add_method(a, c->name, "get_all", false);
	}
	add_method(a, c->name, "get_record", false);
	add_method(a, c->name, "get_by_uuid", false);
	if (c->flags & DM_CLASS_NAMED)
		add_method(a, c->name, "get_by_name_label", false);
	if (c->flags & DM_CLASS_CREATE) {
		add_method(a, c->name, "create", true);
		add_method(a, c->name, "destroy", true);
	}
	for (size_t i = 0; i < c->nfields; i++) {
		const struct dm_field *f = &c->fields[i];
		static const char *const map_ops[] = {"add_to_", "remove_from_"};
		static const char *const set_ops[] = {"add_", "remove_"};

		snprintf(buf, sizeof(buf), "get_%s", f->name);
		add_method(a, c->name, buf, false);
		if (f->qual != DM_RW)
			continue;
		snprintf(buf, sizeof(buf), "set_%s", f->name);
		add_method(a, c->name, buf, false);
		for (int k = 0; k < 2 && (f->kind == DM_MAP || f->kind == DM_SET); k++) {
			snprintf(buf, sizeof(buf), "%s%s", f->kind == DM_MAP ? map_ops[k] : set_ops[k],
				 f->name);
			add_method(a, c->name, buf, false);
		}
	}
}

static json_t *list_methods(void)
{
	json_t *a = json_array();

	for (size_t i = 0; i < dm_nclasses; i++) {
		const struct dm_class *c = &dm_classes[i];

		if (!(c->flags & DM_CLASS_NO_STORE))
			list_generic(a, c);
		for (size_t j = 0; j < c->nmessages; j++)
			add_method(a, c->name, c->messages[j].name,
				   !(c->messages[j].flags & DM_MSG_NO_ASYNC));
	}
	json_array_append_new(a, json_string("system.listMethods"));
	return a;
}

/* ---- dispatch ---------------------------------------------------------- */

struct resolved {
	const struct dm_class *c;
	const struct dm_message *m;	/* or generic */
	const struct api_impl *impl;
	struct generic g;
	const struct dm_param *params;
	int nparams, nrequired;
	bool session;
};

static bool resolve(const char *method, struct resolved *r, bool async)
{
	char cls[RPC_METHOD_MAX];
	const char *dot = strchr(method, '.');
	size_t n;

	memset(r, 0, sizeof(*r));
	if (!dot || strchr(dot + 1, '.'))
		return false;
	n = (size_t)(dot - method);
	memcpy(cls, method, n);
	cls[n] = '\0';
	r->c = dm_class_find(cls);
	if (!r->c)
		return false;
	r->session = true;
	r->m = dm_message_find(r->c, dot + 1);
	if (r->m) {
		if (async && (r->m->flags & DM_MSG_NO_ASYNC))
			return false;
		r->impl = impl_find(method);
		if (!r->impl) {
			log_err("message %s declared but not implemented", method);
			return false;
		}
		r->params = r->m->params;
		r->nparams = r->m->nparams;
		r->nrequired = r->m->nrequired;
		r->session = !(r->m->flags & DM_MSG_NO_SESSION);
		return true;
	}
	if (!lookup_generic(r->c, dot + 1, &r->g))
		return false;
	if (async && r->g.kind != G_CREATE && r->g.kind != G_DESTROY)
		return false;
	r->params = r->g.params;
	r->nparams = r->nrequired = r->g.nparams;
	return true;
}

static bool ref_param_ok(struct api_ctx *ctx, const struct dm_param *p, const json_t *v)
{
	const struct dm_class *c;
	const char *ref = json_string_value(v);

	if (p->kind != DM_REF || !p->ref_class)
		return true;
	if (!strcmp(ref, "OpaqueRef:NULL") && !strcmp(p->name, "sr"))
		return true;
	c = dm_class_find(p->ref_class);
	if (!c || !db_exists(ctx->db, c, ref)) {
		api_fail(ctx, "HANDLE_INVALID", p->ref_class, ref, NULL);
		return false;
	}
	return true;
}

/* Checks counts and types; converts args in place. Needs the lock for refs. */
static int check_args(struct api_ctx *ctx, const char *method, const struct resolved *r,
		      json_t **args, int nargs)
{
	char want[16], got[16];

	if (nargs > r->nparams || nargs < r->nrequired) {
		snprintf(want, sizeof(want), "%d", r->nparams + (r->session ? 1 : 0));
		snprintf(got, sizeof(got), "%d", nargs + (r->session ? 1 : 0));
		api_fail(ctx, "MESSAGE_PARAMETER_COUNT_MISMATCH", method, want, got, NULL);
		return -1;
	}
	for (int i = 0; i < nargs; i++) {
		const struct dm_param *p = &r->params[i];

		if (!api_check_type(p->kind, p->elem, p->en, &args[i])) {
			api_fail(ctx, "FIELD_TYPE_ERROR", p->name, NULL);
			return -1;
		}
	}
	return 0;
}

static int check_refs(struct api_ctx *ctx, const struct resolved *r, json_t **args, int nargs)
{
	for (int i = 0; i < nargs; i++)
		if (!ref_param_ok(ctx, &r->params[i], args[i]))
			return -1;
	return 0;
}

#define EV_KEEP 100000		/* event log entries kept for event.from */
#define EV_PRUNE_EVERY 10000

/* Keeps the event log bounded; tokens older than what is kept get EVENTS_LOST. Locked. */
static void maybe_prune(void)
{
	static long long last;
	long long g = db_generation(api.db);

	if (g - last < EV_PRUNE_EVERY)
		return;
	last = g;
	if (db_begin(api.db) == 0 && db_prune_events(api.db, EV_KEEP) == 0 && db_commit(api.db) == 0)
		return;
	db_rollback(api.db);
}

static json_t *invoke(struct api_ctx *ctx, const struct resolved *r, json_t **args, int nargs)
{
	long long g0;
	json_t *res;

	if (r->impl && (r->impl->flags & API_NOLOCK))
		return r->impl->fn(ctx, args);
	pthread_mutex_lock(&api.lock);
	ctx->locked = true;
	g0 = db_generation(api.db);
	if (db_begin(api.db)) {
		res = api_fail(ctx, "INTERNAL_ERROR", "database begin failed", NULL);
		goto out;
	}
	res = NULL;
	if (check_refs(ctx, r, args, nargs) == 0)
		res = r->impl ? r->impl->fn(ctx, args) : run_generic(ctx, r->c, &r->g, args);
	if (!ctx->locked)
		return res;	/* the handler yielded and did not resume */
	if (ctx->err) {
		json_decref(res);
		res = NULL;
		db_rollback(api.db);
	} else if (db_commit(api.db)) {
		json_decref(res);
		res = api_fail(ctx, "INTERNAL_ERROR", "database commit failed", NULL);
		db_rollback(api.db);
	}
	broadcast_if(g0);
	maybe_prune();
out:
	ctx->locked = false;
	pthread_mutex_unlock(&api.lock);
	return res;
}

static json_t *call_method(const char *method, json_t *params, const struct api_peer *peer,
			   const char *task, json_t **err)
{
	struct api_ctx ctx = {.db = api.db, .peer = peer, .method = method, .task = task};
	bool async = !strncmp(method, "Async.", 6);
	const char *name = async ? method + 6 : method;
	json_t *args[DM_MAX_PARAMS] = {0};
	struct resolved r;
	json_t *res = NULL;
	size_t nargs = json_array_size(params), first;

	if (!strcmp(method, "system.listMethods"))
		return list_methods();
	if (!resolve(name, &r, async)) {
		*err = json_pack("[ss]", "MESSAGE_METHOD_UNKNOWN", method);
		return NULL;
	}
	first = r.session ? 1 : 0;
	if (r.session) {
		json_t *s = json_array_get(params, 0);

		if (!json_is_string(s) || !session_check(json_string_value(s))) {
			*err = json_pack("[ss]", "SESSION_INVALID", json_is_string(s) ? json_string_value(s) : "");
			return NULL;
		}
		ctx.session = json_string_value(s);
	}
	if (nargs < first || nargs - first > DM_MAX_PARAMS) {
		check_args(&ctx, method, &r, args, DM_MAX_PARAMS + 1);
		goto out;
	}
	for (size_t i = first; i < nargs; i++)
		args[i - first] = json_deep_copy(json_array_get(params, i));
	if (check_args(&ctx, method, &r, args, (int)(nargs - first)))
		goto out;
	if (async)
		res = task_async(&ctx, name, params);
	else
		res = invoke(&ctx, &r, args, (int)(nargs - first));
	if (!res && !ctx.err)
		api_fail(&ctx, "INTERNAL_ERROR", "handler returned nothing", NULL);
out:
	for (size_t i = 0; i < DM_MAX_PARAMS; i++)
		json_decref(args[i]);
	if (ctx.err) {
		json_decref(res);
		*err = ctx.err;
		return NULL;
	}
	return res;
}

json_t *api_call(const struct rpc_call *call, const struct api_peer *peer, json_t **err)
{
	*err = NULL;
	return call_method(call->method, call->params, peer, NULL, err);
}

/* Used by task.c's workers: runs method synchronously on behalf of a task. */
json_t *api_call_for_task(const char *method, json_t *params, const struct api_peer *peer,
			  const char *task, json_t **err);
json_t *api_call_for_task(const char *method, json_t *params, const struct api_peer *peer,
			  const char *task, json_t **err)
{
	*err = NULL;
	return call_method(method, params, peer, task, err);
}

struct stream_ctx {
	struct rpc_stream st;
	const struct dm_class *c;
};

/* One row straight from its columns to the wire, typed by the datamodel. */
static int stream_row(const char *ref, struct db_row *row, void *arg)
{
	struct stream_ctx *sc = arg;

	rpc_stream_record_begin(&sc->st, ref);
	for (size_t i = 0; i < sc->c->nfields; i++) {
		const struct dm_field *f = &sc->c->fields[i];

		switch (f->kind) {
		case DM_INT: rpc_stream_int(&sc->st, f->name, db_col_int(row, i)); break;
		case DM_BOOL: rpc_stream_bool(&sc->st, f->name, db_col_int(row, i) != 0); break;
		case DM_FLOAT: rpc_stream_real(&sc->st, f->name, db_col_double(row, i)); break;
		case DM_DATETIME: rpc_stream_datetime(&sc->st, f->name, db_col_text(row, i)); break;
		case DM_SET:
		case DM_MAP:
			rpc_stream_json_text(&sc->st, f->name, db_col_text(row, i), f->kind == DM_SET);
			break;
		default: rpc_stream_str(&sc->st, f->name, db_col_text(row, i)); break;
		}
	}
	rpc_stream_record_end(&sc->st);
	return 0;
}

/*
 * <Class>.get_all_records, written row by row into the reply instead of as
 * one tree: the common large read (10,000 VMs) without a million allocations
 * alive at once. NULL when the call is not one (then it goes the usual way).
 */
static char *stream_all_records(const struct rpc_call *call, size_t *outlen)
{
	struct resolved r;
	struct stream_ctx sc;
	json_t *s = json_array_get(call->params, 0);
	char *out;

	if (strncmp(call->method, "Async.", 6) == 0 || !resolve(call->method, &r, false) ||
	    r.g.kind != G_GET_ALL_RECORDS || json_array_size(call->params) != 1 ||
	    !json_is_string(s) || !session_check(json_string_value(s)))
		return NULL;
	sc.c = r.c;
	rpc_stream_begin(&sc.st, call);
	pthread_mutex_lock(&api.lock);
	db_foreach_row(api.db, r.c, stream_row, &sc);
	pthread_mutex_unlock(&api.lock);
	out = rpc_stream_end(&sc.st, outlen);
	return out;
}

char *api_handle(bool json, const char *body, size_t len, const struct api_peer *peer,
		 size_t *outlen, const char **content_type, char *bad_request, size_t brlen)
{
	struct rpc_call call;
	json_t *res, *err = NULL;
	char *out;
	int rc;

	rc = json ? rpc_parse_json(body, len, &call, bad_request, brlen)
		  : rpc_parse_xml(body, len, &call, bad_request, brlen);
	if (rc) {
		log_warn("bad request from %s: %s", peer->addr, bad_request);
		return NULL;
	}
	*content_type = json ? "application/json" : "text/xml";
	out = stream_all_records(&call, outlen);
	if (out) {
		rpc_call_clear(&call);
		return out;
	}
	res = api_call(&call, peer, &err);
	out = rpc_reply(&call, res != NULL, res ? res : err, outlen);
	json_decref(res);
	json_decref(err);
	rpc_call_clear(&call);
	return out;
}

/* ---- startup ----------------------------------------------------------- */

static json_t *software_version(void)
{
	return json_pack("{ssssssssssssssssss}", "product_brand", "Cairn", "product_version", "0.1.0",
			 "platform_name", "Cairn", "platform_version", "0.1.0", "build_number", "1",
			 "xapi", "24.0", "hostname", "localhost", "date", "2026-11-25",
			 "xen", "cairn-0.1");
}

/* The simulator host's local SR (with its PBD) and management network (with its PIF). */
static int first_storage_network(struct api_ctx *ctx, const char *host, char sr[48])
{
	char pbd[48], net[48], pif[48];
	json_t *rec[4];
	int rc = 0;

	api_new_ref(sr);
	api_new_ref(pbd);
	api_new_ref(net);
	api_new_ref(pif);
	rec[0] = json_pack("{ss ss sI sI ss ss s[s]}", "name_label", "Local storage",
			   "name_description", "Simulated local storage", "physical_size",
			   (json_int_t)(1LL << 40), "physical_utilisation", (json_int_t)0, "type", "sim",
			   "content_type", "user", "allowed_operations", "vdi_create");
	rec[1] = json_pack("{ss ss sb s{ss}}", "host", host, "SR", sr, "currently_attached", 1,
			   "device_config", "location", "/var/lib/cairn/sr");
	rec[2] = json_pack("{ss ss ss sI}", "name_label", "Pool-wide network associated with eth0",
			   "name_description", "", "bridge", "xenbr0", "MTU", (json_int_t)1500);
	rec[3] = json_pack("{ss ss ss ss sb sb sb ss ss ss ss}", "device", "eth0", "network", net,
			   "host", host, "MAC", "02:00:00:00:00:01", "physical", 1, "currently_attached", 1,
			   "management", 1, "ip_configuration_mode", "Static", "IP", "127.0.0.1",
			   "netmask", "255.0.0.0", "gateway", "");
	if (api_create(ctx, dm_class_find("SR"), sr, rec[0]) ||
	    api_create(ctx, dm_class_find("PBD"), pbd, rec[1]) ||
	    api_create(ctx, dm_class_find("network"), net, rec[2]) ||
	    api_create(ctx, dm_class_find("PIF"), pif, rec[3]))
		rc = -1;
	for (int i = 0; i < 4; i++)
		json_decref(rec[i]);
	return rc;
}

static int first_start(struct api_ctx *ctx)
{
	char pool[48], host[48], hm[48], uuid[40], cpu[48], sr[48];
	char hostname[256] = "localhost";
	json_t *rec;

	gethostname(hostname, sizeof(hostname) - 1);
	api_new_ref(pool);
	api_new_ref(host);
	api_new_ref(hm);
	api_new_uuid(uuid);
	rec = json_pack("{sssIsIso}", "uuid", uuid, "memory_total", (json_int_t)(16LL << 30), "memory_free", (json_int_t)(15LL << 30),
			"last_updated", rpc_datetime_now());
	if (api_create(ctx, dm_class_find("host_metrics"), hm, rec))
		goto fail;
	json_decref(rec);
	rec = json_pack("{ssssssssssss}", "name_label", hostname, "name_description", "Cairn host",
			"hostname", hostname, "address", "127.0.0.1", "metrics", hm, "edition", "free");
	json_object_set_new(rec, "software_version", software_version());
	json_object_set_new(rec, "capabilities", json_pack("[sssss]", "xen-3.0-x86_64", "hvm-3.0-x86_64",
							     "hvm-3.0-x86_32", "hvm-3.0-x86_32p", "cairn-sim"));
	json_object_set_new(rec, "license_params", json_pack("{ssssss}", "sku_type", "free",
							       "expiry", "30000101T00:00:00Z", "restrict_pooling", "false"));
	json_object_set_new(rec, "chipset_info", json_pack("{ss}", "iommu", "false"));
	json_object_set_new(rec, "cpu_info", json_pack("{ssssssss}", "cpu_count", "2", "socket_count", "1",
							"vendor", "AuthenticAMD", "speed", "2000.000"));
	json_object_set_new(rec, "API_version_vendor_implementation", json_object());
	json_object_set_new(rec, "editions", json_pack("[s]", "free"));
	if (api_create(ctx, dm_class_find("host"), host, rec))
		goto fail;
	json_decref(rec);
	for (int i = 0; i < 2; i++) {
		api_new_ref(cpu);
		rec = json_pack("{ss si ss si ss si si ss ss ss sf}", "host", host, "number", i, "vendor", "AuthenticAMD",
				"speed", 2000, "modelname", "Cairn simulated CPU", "family", 23, "model", 1,
				"stepping", "0", "flags", "fpu vme de pse tsc msr pae svm", "features", "",
				"utilisation", 0.0);
		if (api_create(ctx, dm_class_find("host_cpu"), cpu, rec))
			goto fail;
		json_decref(rec);
	}
	if (first_storage_network(ctx, host, sr))
		return -1;
	rec = json_pack("{sssssssssss{ssss}s{ssss}}", "name_label", "", "name_description", "",
			"master", host, "default_SR", sr, "ha_cluster_stack", "xhad", "restrictions",
			"restrict_pooling", "false", "restrict_vswitch_controller", "false",
			"cpu_info", "cpu_count", "2", "vendor", "AuthenticAMD");
	if (api_create(ctx, dm_class_find("pool"), pool, rec))
		goto fail;
	json_decref(rec);
	log_info("created pool %s and host %s", pool, host);
	return 0;
fail:
	json_decref(rec);
	return -1;
}

static int find_self(void)
{
	json_t *pools = db_read_all(api.db, dm_class_find("pool"));
	const char *k;
	json_t *v;
	int found = -1;

	json_object_foreach(pools, k, v) {
		snprintf(api.pool_ref, sizeof(api.pool_ref), "%s", k);
		snprintf(api.host_ref, sizeof(api.host_ref), "%s",
			 json_string_value(json_object_get(v, "master")));
		found = 0;
		break;
	}
	json_decref(pools);
	return found;
}

int api_init(struct db *db, const struct api_conf *conf)
{
	struct api_ctx ctx = {.db = db, .locked = true};
	char err[256];
	int rc = -1;

	if (dm_check(err, sizeof(err))) {
		log_err("datamodel: %s", err);
		return -1;
	}
	api.db = db;
	api.conf = *conf;
	pthread_mutex_lock(&api.lock);
	if (db_begin(db))
		goto out;
	if (db_count(db, dm_class_find("pool")) == 0 && first_start(&ctx))
		goto rollback;
	if (find_self())
		goto rollback;
	vm_recover(&ctx);
	/* Sessions do not outlive the daemon; their rows go now. */
	{
		const struct dm_class *sc = dm_class_find("session");
		json_t *all = db_read_all(db, sc);
		const char *k;
		json_t *v;

		json_object_foreach(all, k, v)
			db_delete(db, sc, k);
		json_decref(all);
	}
	db_prune_events(db, EV_KEEP);
	if (ctx.err || db_commit(db))
		goto rollback;
	rc = session_init();
	goto out;
rollback:
	db_rollback(db);
out:
	json_decref(ctx.err);
	pthread_mutex_unlock(&api.lock);
	return rc;
}

void api_shutdown(void)
{
	pthread_mutex_lock(&api.lock);
	api.stopping = true;
	pthread_cond_broadcast(&api.cond);
	pthread_mutex_unlock(&api.lock);
}
