/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vm.c — the VM class's messages: create, destroy, the power operations
 * (through the backend), clone/copy/snapshot.
 *
 * Design: a power operation runs in two transactions around the backend
 * call, as xapi does. The first checks the rules (OTHER_OPERATION_IN_PROGRESS
 * when current_operations is not empty, VM_IS_TEMPLATE, VM_BAD_POWER_STATE
 * with [vm, expected, actual]), records the operation in current_operations,
 * empties allowed_operations, and commits, so other clients see it. The
 * backend then runs without api.lock. The second transaction clears
 * current_operations and writes the new power state, domid, resident_on,
 * metrics, console and allowed_operations; on a backend failure it only
 * clears the operation, commits that, and reports the error.
 */
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "log.h"
#include "vm.h"

static const struct dm_class *vmc(void)
{
	return dm_class_find("VM");
}

static long long ival(const json_t *rec, const char *f)
{
	return json_integer_value(json_object_get(rec, f));
}

static const char *sval(const json_t *rec, const char *f)
{
	const char *s = json_string_value(json_object_get(rec, f));

	return s ? s : "";
}

static int refresh_allowed_rec(struct api_ctx *ctx, const char *ref, const json_t *rec)
{
	json_t *ops = vm_allowed_ops(vm_power_parse(sval(rec, "power_state")),
				     json_is_true(json_object_get(rec, "is_a_template")),
				     json_object_size(json_object_get(rec, "current_operations")) > 0);

	if (json_equal(ops, json_object_get(rec, "allowed_operations"))) {
		json_decref(ops);
		return 0;
	}
	return api_set(ctx, vmc(), ref, "allowed_operations", ops);
}

static int refresh_allowed(struct api_ctx *ctx, const char *ref)
{
	json_t *rec = db_read(ctx->db, vmc(), ref);
	int rc;

	if (!rec)
		return -1;
	rc = refresh_allowed_rec(ctx, ref, rec);
	json_decref(rec);
	return rc;
}

static json_t *check_limits(struct api_ctx *ctx, const json_t *rec)
{
	long long smin = ival(rec, "memory_static_min"), dmin = ival(rec, "memory_dynamic_min");
	long long dmax = ival(rec, "memory_dynamic_max"), smax = ival(rec, "memory_static_max");
	long long vmax = ival(rec, "VCPUs_max"), vstart = ival(rec, "VCPUs_at_startup");
	char buf[32];

	if (!(smin <= dmin && dmin <= dmax && dmax <= smax) || smin < 0)
		return api_fail(ctx, "MEMORY_CONSTRAINT_VIOLATION",
				"Memory limits must satisfy: static_min <= dynamic_min <= dynamic_max <= static_max",
				NULL);
	if (vmax < 1) {
		snprintf(buf, sizeof(buf), "%lld", vmax);
		return api_fail(ctx, "VALUE_NOT_SUPPORTED", "VCPUs_max", buf, "value must be at least 1", NULL);
	}
	if (vstart < 1 || vstart > vmax) {
		snprintf(buf, sizeof(buf), "%lld", vstart);
		return api_fail(ctx, "VALUE_NOT_SUPPORTED", "VCPUs_at_startup", buf,
				"value must be between 1 and VCPUs_max", NULL);
	}
	return json_true();
}

/* Takes rec (checked RW/SRO fields). */
json_t *vm_create(struct api_ctx *ctx, json_t *rec)
{
	char ref[48], mref[48];
	json_t *full = json_object(), *ok;

	for (size_t i = 0; i < vmc()->nfields; i++)
		json_object_set_new(full, vmc()->fields[i].name, dm_default(&vmc()->fields[i]));
	json_object_update(full, rec);
	json_decref(rec);
	ok = check_limits(ctx, full);
	if (!ok)
		goto fail;
	api_new_ref(ref);
	api_new_ref(mref);
	if (api_create(ctx, dm_class_find("VM_metrics"), mref,
		       json_pack("{sosIsI}", "last_updated", rpc_datetime_now(), "memory_actual",
				 (json_int_t)0, "VCPUs_number", (json_int_t)0)))
		goto fail;
	json_object_set_new(full, "metrics", json_string(mref));
	json_object_set_new(full, "power_state", json_string("Halted"));
	json_object_set_new(full, "domid", json_integer(-1));
	json_object_set_new(full, "allowed_operations",
			    vm_allowed_ops(VM_HALTED, json_is_true(json_object_get(full, "is_a_template")),
					   false));
	if (api_create(ctx, vmc(), ref, full))
		goto fail;
	json_decref(full);
	return json_string(ref);
fail:
	json_decref(full);
	return NULL;
}

static int destroy_refs(struct api_ctx *ctx, const json_t *rec, const char *field, const char *cls)
{
	json_t *set = json_deep_copy(json_object_get(rec, field)), *e;
	size_t i;
	int rc = 0;

	json_array_foreach(set, i, e)
		if (rc == 0 && db_exists(ctx->db, dm_class_find(cls), json_string_value(e)))
			rc = api_destroy(ctx, dm_class_find(cls), json_string_value(e));
	json_decref(set);
	return rc;
}

static json_t *busy_or_bad(struct api_ctx *ctx, const char *ref, const json_t *rec, const char *op)
{
	const char *expected, *ps = sval(rec, "power_state");
	json_t *cur = json_object_get(rec, "current_operations");
	char lc[32];

	if (json_object_size(cur)) {
		const char *k;
		json_t *v;

		json_object_foreach(cur, k, v)
			return api_fail(ctx, "OTHER_OPERATION_IN_PROGRESS", "VM", ref, json_string_value(v), NULL);
	}
	if (json_is_true(json_object_get(rec, "is_a_template")) &&
	    (!strncmp(op, "start", 5) || !strcmp(op, "resume")))
		return api_fail(ctx, "VM_IS_TEMPLATE", ref, op, NULL);
	if (vm_rule_check(op, vm_power_parse(ps), &expected) == -1) {
		dm_lower(ps, lc);
		return api_fail(ctx, "VM_BAD_POWER_STATE", ref, expected, lc, NULL);
	}
	return json_true();
}

json_t *vm_destroy(struct api_ctx *ctx, const char *ref)
{
	json_t *rec = db_read(ctx->db, vmc(), ref), *ok;

	if (!rec)
		return api_fail(ctx, "HANDLE_INVALID", "VM", ref, NULL);
	ok = busy_or_bad(ctx, ref, rec, "destroy");
	if (!ok || destroy_refs(ctx, rec, "VBDs", "VBD") || destroy_refs(ctx, rec, "VIFs", "VIF") ||
	    destroy_refs(ctx, rec, "consoles", "console"))
		goto fail;
	if (db_exists(ctx->db, dm_class_find("VM_metrics"), sval(rec, "metrics")) &&
	    api_destroy(ctx, dm_class_find("VM_metrics"), sval(rec, "metrics")))
		goto fail;
	if (db_exists(ctx->db, dm_class_find("VM_guest_metrics"), sval(rec, "guest_metrics")) &&
	    api_destroy(ctx, dm_class_find("VM_guest_metrics"), sval(rec, "guest_metrics")))
		goto fail;
	if (api_destroy(ctx, vmc(), ref))
		goto fail;
	json_decref(rec);
	return json_string("");
fail:
	json_decref(rec);
	return NULL;
}

/* ---- power operations --------------------------------------------------- */

static bool cancelled_cb(void *arg)
{
	struct api_ctx *ctx = arg;
	bool c;

	if (!ctx->task)
		return false;
	pthread_mutex_lock(&api.lock);
	c = task_cancelled(ctx->task);
	pthread_mutex_unlock(&api.lock);
	return c;
}

static int run_backend(const char *op, struct vm_backend_req *req, long long *domid)
{
	const struct vm_backend_ops *b = api.conf.backend;

	*domid = req->domid;
	if (!strcmp(op, "start") || !strcmp(op, "start_on"))
		return b->start(req, domid);
	if (!strcmp(op, "clean_shutdown") || !strcmp(op, "shutdown"))
		return b->shutdown(req, false);
	if (!strcmp(op, "hard_shutdown"))
		return b->shutdown(req, true);
	if (!strcmp(op, "clean_reboot") || !strcmp(op, "hard_reboot"))
		return b->reboot(req, op[0] == 'h', domid);
	if (!strcmp(op, "pause"))
		return b->pause(req);
	if (!strcmp(op, "unpause"))
		return b->unpause(req);
	if (!strcmp(op, "suspend"))
		return b->suspend(req);
	if (!strcmp(op, "resume"))
		return b->resume(req, domid);
	snprintf(req->err, sizeof(req->err), "no backend operation %s", op);
	return -1;
}

static int set_console(struct api_ctx *ctx, const char *ref, const json_t *rec, bool on)
{
	char cref[48], loc[128];
	json_t *c;

	if (destroy_refs(ctx, rec, "consoles", "console"))
		return -1;
	if (!on)
		return 0;
	api_new_ref(cref);
	snprintf(loc, sizeof(loc), "/console?uuid=%s", sval(rec, "uuid"));
	c = json_pack("{sssssss{}}", "protocol", "vt100", "location", loc, "VM", ref, "other_config");
	if (api_create(ctx, dm_class_find("console"), cref, c)) {
		json_decref(c);
		return -1;
	}
	json_decref(c);
	return 0;
}

static int apply_state(struct api_ctx *ctx, const char *ref, const json_t *rec, enum vm_power to,
		       long long domid)
{
	bool live = to == VM_RUNNING || to == VM_PAUSED;
	const char *mref = sval(rec, "metrics");
	const struct dm_class *mc = dm_class_find("VM_metrics");
	long long mem = ival(rec, "memory_dynamic_max") ? ival(rec, "memory_dynamic_max")
							: ival(rec, "memory_static_max");

	if (api_set(ctx, vmc(), ref, "power_state", json_string(vm_power_name(to))) ||
	    api_set(ctx, vmc(), ref, "domid", json_integer(live ? domid : -1)) ||
	    api_set(ctx, vmc(), ref, "resident_on", json_string(live ? api.host_ref : "OpaqueRef:NULL")))
		return -1;
	if (db_exists(ctx->db, mc, mref) &&
	    (api_set(ctx, mc, mref, "memory_actual", json_integer(live ? mem : 0)) ||
	     api_set(ctx, mc, mref, "VCPUs_number", json_integer(live ? ival(rec, "VCPUs_at_startup") : 0)) ||
	     api_set(ctx, mc, mref, "last_updated", rpc_datetime_now()) ||
	     (live && domid != ival(rec, "domid") &&
	      api_set(ctx, mc, mref, "start_time", rpc_datetime_now()))))
		return -1;
	return set_console(ctx, ref, rec, live);
}

static json_t *finish_op(struct api_ctx *ctx, const char *ref, const char *op, json_t *rec,
			 int brc, long long domid, const char *berr, bool paused)
{
	enum vm_power from = vm_power_parse(sval(rec, "power_state"));
	json_t *fresh;
	char err[300];

	if (api_resume(ctx))
		return NULL;
	fresh = db_read(ctx->db, vmc(), ref);
	if (!fresh)
		return api_fail(ctx, "HANDLE_INVALID", "VM", ref, NULL);
	if (api_set(ctx, vmc(), ref, "current_operations", json_object()))
		goto fail;
	if (brc == 0 && apply_state(ctx, ref, fresh, vm_rule_target(op, from, paused), domid))
		goto fail;
	if (refresh_allowed(ctx, ref))
		goto fail;
	json_decref(fresh);
	if (brc == 0)
		return json_string("");
	/* commit the cleared operation, then report the failure */
	if (api_yield(ctx) || api_resume(ctx))
		return NULL;
	if (brc == -VM_ECANCELED)
		return api_fail(ctx, "TASK_CANCELLED", ctx->task ? ctx->task : "", NULL);
	snprintf(err, sizeof(err), "%s: %s", op, berr);
	return api_fail(ctx, "INTERNAL_ERROR", err, NULL);
fail:
	json_decref(fresh);
	return NULL;
}

json_t *vm_op(struct api_ctx *ctx, json_t **args)
{
	const char *ref = json_string_value(args[0]);
	const char *op = strchr(ctx->method, '.') + 1;
	struct vm_backend_req req = {.cancelled = cancelled_cb, .arg = ctx};
	char opid[48];
	long long domid = -1;
	json_t *rec, *cur, *res;
	int brc;

	if (!strcmp(op, "start"))
		req.paused = json_is_true(args[1]);
	else if (!strcmp(op, "start_on") || !strcmp(op, "resume"))
		req.paused = json_is_true(args[!strcmp(op, "start_on") ? 2 : 1]);
	if (!strcmp(op, "start_on") && strcmp(json_string_value(args[1]), api.host_ref))
		return api_fail(ctx, "HOST_CANNOT_ATTACH_NETWORK", json_string_value(args[1]), NULL);
	rec = db_read(ctx->db, vmc(), ref);
	if (!rec)
		return api_fail(ctx, "HANDLE_INVALID", "VM", ref, NULL);
	if (!busy_or_bad(ctx, ref, rec, op)) {
		json_decref(rec);
		return NULL;
	}
	if (ctx->task)
		snprintf(opid, sizeof(opid), "%s", ctx->task);
	else
		api_new_ref(opid);
	cur = json_object();
	json_object_set_new(cur, opid, json_string(op));
	if (api_set(ctx, vmc(), ref, "current_operations", cur) ||
	    api_set(ctx, vmc(), ref, "allowed_operations", json_array()) || api_yield(ctx)) {
		json_decref(rec);
		return NULL;
	}
	req.uuid = sval(rec, "uuid");
	req.record = rec;
	req.domid = ival(rec, "domid");
	brc = run_backend(op, &req, &domid);
	if (brc)
		log_warn("VM %s %s failed: %s", req.uuid, op, brc == -VM_ECANCELED ? "cancelled" : req.err);
	res = finish_op(ctx, ref, op, rec, brc, domid, req.err, req.paused);
	json_decref(rec);
	return res;
}

/* ---- clone, copy, snapshot ---------------------------------------------- */

static void random_mac(char out[18])
{
	unsigned char b[6];
	char u[40];

	api_new_uuid(u);
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)strtoul((char[3]){u[2 * i], u[2 * i + 1], 0}, NULL, 16);
	b[0] = (unsigned char)((b[0] & 0xfe) | 0x02);
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static json_t *copy_row(const json_t *src, const char *const *drop)
{
	json_t *r = json_deep_copy(src);

	json_object_del(r, "uuid");
	for (; *drop; drop++)
		json_object_del(r, *drop);
	return r;
}

static int copy_vdi(struct api_ctx *ctx, const char *vdi, const char *sr, bool snap, char out[48])
{
	static const char *const drop[] = {"VBDs", "snapshots", "current_operations", NULL};
	const struct dm_class *c = dm_class_find("VDI");
	json_t *src = db_read(ctx->db, c, vdi), *n;
	int rc;

	if (!src) {
		snprintf(out, 48, "OpaqueRef:NULL");
		return 0;
	}
	n = copy_row(src, drop);
	if (sr)
		json_object_set_new(n, "SR", json_string(sr));
	if (snap) {
		json_object_set_new(n, "is_a_snapshot", json_true());
		json_object_set_new(n, "snapshot_of", json_string(vdi));
		json_object_set_new(n, "snapshot_time", rpc_datetime_now());
	}
	api_new_ref(out);
	rc = api_create(ctx, c, out, n);
	json_decref(n);
	json_decref(src);
	return rc;
}

static int copy_devices(struct api_ctx *ctx, const json_t *rec, const char *newvm, const char *sr,
			bool snap)
{
	static const char *const drop[] = {"current_operations", "currently_attached", "device", NULL};
	const struct dm_class *vbd = dm_class_find("VBD"), *vif = dm_class_find("VIF");
	json_t *e, *src, *n;
	char ref[48], vdi[48], mac[18];
	size_t i;

	json_array_foreach(json_object_get(rec, "VBDs"), i, e) {
		if (!(src = db_read(ctx->db, vbd, json_string_value(e))))
			continue;
		if (copy_vdi(ctx, sval(src, "VDI"), sr, snap, vdi))
			goto fail;
		n = copy_row(src, drop);
		json_object_set_new(n, "VM", json_string(newvm));
		json_object_set_new(n, "VDI", json_string(vdi));
		api_new_ref(ref);
		json_decref(src);
		if (api_create(ctx, vbd, ref, n)) {
			json_decref(n);
			return -1;
		}
		json_decref(n);
	}
	json_array_foreach(json_object_get(rec, "VIFs"), i, e) {
		if (!(src = db_read(ctx->db, vif, json_string_value(e))))
			continue;
		n = copy_row(src, drop);
		json_object_set_new(n, "device", json_string(sval(src, "device")));
		json_object_set_new(n, "VM", json_string(newvm));
		if (!snap) {
			random_mac(mac);
			json_object_set_new(n, "MAC", json_string(mac));
		}
		api_new_ref(ref);
		json_decref(src);
		if (api_create(ctx, vif, ref, n)) {
			json_decref(n);
			return -1;
		}
		json_decref(n);
	}
	return 0;
fail:
	json_decref(src);
	return -1;
}

json_t *vm_copy_op(struct api_ctx *ctx, json_t **args)
{
	static const char *const drop[] = {"VBDs", "VIFs", "consoles", "snapshots", "children",
		"metrics", "guest_metrics", "current_operations", "crash_dumps", "VUSBs", "VTPMs",
		"resident_on", "domid", "power_state", NULL};
	const char *ref = json_string_value(args[0]), *op = strchr(ctx->method, '.') + 1;
	bool snap = !strcmp(op, "snapshot");
	const char *sr = !strcmp(op, "copy") && strcmp(json_string_value(args[2]), "OpaqueRef:NULL")
			 ? json_string_value(args[2]) : NULL;
	json_t *rec = db_read(ctx->db, vmc(), ref), *n, *newref;

	if (!rec)
		return api_fail(ctx, "HANDLE_INVALID", "VM", ref, NULL);
	if (!busy_or_bad(ctx, ref, rec, op)) {
		json_decref(rec);
		return NULL;
	}
	n = copy_row(rec, drop);
	json_object_set(n, "name_label", args[1]);
	if (snap) {
		json_object_set_new(n, "is_a_snapshot", json_true());
		json_object_set_new(n, "is_a_template", json_true());
		json_object_set_new(n, "snapshot_of", json_string(ref));
		json_object_set_new(n, "snapshot_time", rpc_datetime_now());
	} else {
		json_object_set_new(n, "is_a_snapshot", json_false());
		json_object_set_new(n, "snapshot_of", json_string("OpaqueRef:NULL"));
	}
	newref = vm_create(ctx, n);
	if (!newref)
		goto out;
	if (copy_devices(ctx, rec, json_string_value(newref), sr, snap)) {
		json_decref(newref);
		newref = NULL;
		goto out;
	}
	if (snap && (api_set(ctx, vmc(), json_string_value(newref), "snapshot_of", json_string(ref)) ||
		     refresh_allowed(ctx, json_string_value(newref)))) {
		json_decref(newref);
		newref = NULL;
	}
out:
	json_decref(rec);
	return newref;
}

json_t *vm_console_output(struct api_ctx *ctx, json_t **args)
{
	json_t *domid = api_get(ctx, vmc(), json_string_value(args[0]), "domid");
	char *text = api.conf.backend->console(json_integer_value(domid));
	json_t *r = json_string(text ? text : "");

	free(text);
	json_decref(domid);
	return r;
}

/* At startup: clear operations a crash interrupted; re-attach live domains. */
void vm_recover(struct api_ctx *ctx)
{
	json_t *all = db_read_all(ctx->db, vmc()), *rec;
	const char *ref;

	json_object_foreach(all, ref, rec) {
		enum vm_power p = vm_power_parse(sval(rec, "power_state"));
		bool changed = false;

		if (json_object_size(json_object_get(rec, "current_operations"))) {
			log_warn("VM %s: clearing interrupted operations", sval(rec, "uuid"));
			api_set(ctx, vmc(), ref, "current_operations", json_object());
			changed = true;
		}
		if ((p == VM_RUNNING || p == VM_PAUSED) &&
		    api.conf.backend->adopt(sval(rec, "uuid"), ival(rec, "domid"), p == VM_PAUSED)) {
			log_warn("VM %s: domain %lld is gone; marking it Halted", sval(rec, "uuid"),
				 ival(rec, "domid"));
			apply_state(ctx, ref, rec, VM_HALTED, -1);
			changed = true;
		}
		if (changed)
			refresh_allowed(ctx, ref);
		else
			refresh_allowed_rec(ctx, ref, rec);
	}
	json_decref(all);
}

int vm_refresh_allowed(struct api_ctx *ctx, const char *ref)
{
	return refresh_allowed(ctx, ref);
}
