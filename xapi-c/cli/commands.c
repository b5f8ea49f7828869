/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xe: the commands.
 *
 * Design: two tables. `classes` names the object classes xe knows (its
 * spelling, the XenAPI class, the fields a -list prints by default);
 * `generic` holds the commands every class has (<class>-list, -param-get,
 * -param-set, -param-list); `commands` holds the rest (vm-start, vm-create,
 * event-wait...). xe_cmd_run looks the command up in `commands`, then as
 * <class>-<generic>, and fails loudly otherwise.
 *
 * Objects are chosen as xe does: uuid=UUID, or <class>=NAME-OR-UUID, or any
 * field=value filters matched against the printed value of the field (for
 * VMs, templates and the control domain are left out unless asked for). A
 * command acting on several objects needs --multiple.
 *
 * Exit status: 0 success, 1 the server or xe refused (a XenAPI error, no
 * match, a transport failure), 2 a usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xe.h"

struct xe_class {
	const char *xe;         /* "vm" */
	const char *api;        /* "VM" */
	const char *defaults[6];
};

static const struct xe_class classes[] = {
	{"vm", "VM", {"uuid", "name-label", "power-state", NULL}},
	{"host", "host", {"uuid", "name-label", "name-description", NULL}},
	{"sr", "SR", {"uuid", "name-label", "name-description", "type", "content-type", NULL}},
	{"network", "network", {"uuid", "name-label", "name-description", "bridge", NULL}},
	{"pool", "pool", {"uuid", "name-label", "name-description", "master", NULL}},
	{"vdi", "VDI", {"uuid", "name-label", "name-description", "virtual-size", NULL}},
	{"vbd", "VBD", {"uuid", "VM", "VDI", "userdevice", NULL}},
	{"vif", "VIF", {"uuid", "VM", "network", "device", "MAC", NULL}},
	{"pif", "PIF", {"uuid", "device", "MAC", "network", "host", NULL}},
	{"pbd", "PBD", {"uuid", "host", "SR", "currently-attached", NULL}},
	{"task", "task", {"uuid", "name-label", "status", "progress", NULL}},
	{"host-cpu", "host_cpu", {"uuid", "number", "vendor", "speed", NULL}},
	{"console", "console", {"uuid", "protocol", "location", NULL}},
	{"message", "message", {"uuid", "name", "priority", "body", NULL}},
};

struct ctx {
	const struct xe_args *a;
	const struct xe_class *cls;
	struct xe_conn *conn;
	int uuid_only;          /* select by uuid= alone: the rest are values */
	struct xe_buf out;      /* stdout text */
	struct xe_buf err;      /* stderr text */
};

/* Parameters a command reads itself, so they are not object filters. */
static const char *const reserved[] = {
	"uuid", "params", "param-name", "param-key", "class", "timeout", "paused", NULL,
};

/* ---- errors -------------------------------------------------------------- */

/* An xe-side error in XenAPI form, printed like the server's. */
static int xe_error(struct ctx *c, const char *code, const char *p1, const char *p2)
{
	struct xe_val *ed = xe_val_array();

	xe_val_push(ed, xe_val_str(code));
	if (p1)
		xe_val_push(ed, xe_val_str(p1));
	if (p2)
		xe_val_push(ed, xe_val_str(p2));
	xe_out_error(&c->err, ed);
	xe_val_free(ed);
	return 1;
}

/* Reports a failed call R; returns 1 (the exit status). */
static int call_failed(struct ctx *c, const struct xe_result *r)
{
	if (r->error)
		xe_out_error(&c->err, r->error);
	else
		xe_buf_printf(&c->err, "%s\n", r->transport_error ? r->transport_error : "call failed");
	return 1;
}

/* Calls CLASS.MESSAGE(session, params...); on failure reports it. */
static int call(struct ctx *c, const char *message, struct xe_val *const *p, size_t n,
		struct xe_result *r)
{
	char method[128];

	snprintf(method, sizeof(method), "%s.%s", c->cls->api, message);
	if (xe_conn_call(c->conn, 1, method, p, n, r) == 0)
		return 0;
	call_failed(c, r);
	return -1;
}

/* ---- selecting objects --------------------------------------------------- */

static int is_reserved(const struct ctx *c, const char *key)
{
	for (const char *const *r = reserved; *r; r++)
		if (strcmp(*r, key) == 0)
			return 1;
	return strcmp(key, c->cls->xe) == 0;
}

/* Does RECORD print VALUE for the xe field KEY ("field" or "map:key")? */
static int field_matches(const struct xe_val *record, const char *key, const char *value)
{
	char api[256];
	const char *colon;
	const struct xe_val *v;
	struct xe_buf text = {0};
	int match;

	xe_field_to_api(key, api, sizeof(api));
	colon = strchr(api, ':');
	if (colon) {
		api[colon - api] = '\0';
		v = xe_val_get(xe_val_get(record, api), colon + 1);
	} else {
		v = xe_val_get(record, api);
	}
	if (!v)
		return 0;
	xe_out_value(&text, api, v);
	match = strcmp(text.p ? text.p : "", value) == 0;
	xe_buf_free(&text);
	return match;
}

/* Implicit filters: VMs are real VMs unless the user filters on these. */
static int hidden(const struct ctx *c, const struct xe_val *record)
{
	const struct xe_val *t;

	if (strcmp(c->cls->api, "VM") != 0)
		return 0;
	t = xe_val_get(record, "is_a_template");
	if (!xe_args_get(c->a, "is-a-template") && t && t->type == XE_V_BOOL && t->i)
		return 1;
	t = xe_val_get(record, "is_control_domain");
	return !xe_args_get(c->a, "is-control-domain") && t && t->type == XE_V_BOOL && t->i;
}

static int filters_match(const struct ctx *c, const struct xe_val *record)
{
	for (size_t i = 0; i < c->a->nparams; i++) {
		const struct xe_param *p = &c->a->params[i];

		if (!is_reserved(c, p->key) && !field_matches(record, p->key, p->value))
			return 0;
	}
	return 1;
}

static int str_is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Is RECORD selected by uuid=, <class>=NAME-OR-UUID and the filters? */
static int selected(const struct ctx *c, const struct xe_val *record)
{
	const char *uuid = xe_args_get(c->a, "uuid");
	const char *any = xe_args_get(c->a, c->cls->xe);
	const char *ru = xe_val_cstr(xe_val_get(record, "uuid"));
	const char *rn = xe_val_cstr(xe_val_get(record, "name_label"));

	if (uuid && !str_is(ru, uuid))
		return 0;
	if (any && !str_is(ru, any) && !str_is(rn, any))
		return 0;
	if (!uuid && !any && hidden(c, record))
		return 0;
	return c->uuid_only || filters_match(c, record);
}

/* All records of the class as a struct ref -> record, or NULL (reported). */
static struct xe_val *all_records(struct ctx *c)
{
	struct xe_result r;
	struct xe_val *v;

	if (call(c, "get_all_records", NULL, 0, &r)) {
		xe_result_clear(&r);
		return NULL;
	}
	v = r.value;
	r.value = NULL;
	xe_result_clear(&r);
	if (v->type != XE_V_STRUCT) {
		xe_buf_puts(&c->err, "get_all_records did not return a map\n");
		xe_val_free(v);
		return NULL;
	}
	return v;
}

/* The selected records as a struct ref -> record (possibly empty), or NULL
 * on error (reported). */
static struct xe_val *select_records(struct ctx *c)
{
	struct xe_val *all = all_records(c), *sel = xe_val_struct();

	if (!all || !sel)
		goto fail;
	for (size_t i = 0; i < all->n; i++) {
		if (!selected(c, all->items[i]))
			continue;
		if (xe_val_set(sel, all->keys[i], all->items[i])) {
			all->items[i] = NULL;  /* freed by xe_val_set */
			goto fail;
		}
		all->items[i] = NULL;  /* moved */
	}
	xe_val_free(all);
	return sel;
fail:
	xe_val_free(all);
	xe_val_free(sel);
	return NULL;
}

/* Like select_records, but the selection must be one object (or, with
 * --multiple, at least one). Reports and returns NULL otherwise. */
static struct xe_val *select_for_action(struct ctx *c)
{
	struct xe_val *sel;
	char count[32];

	sel = select_records(c);
	if (!sel)
		return NULL;
	if (sel->n == 0) {
		xe_error(c, "XE_NO_MATCH", c->cls->xe, NULL);
		goto fail;
	}
	if (sel->n > 1 && !c->a->multiple) {
		snprintf(count, sizeof(count), "%zu", sel->n);
		xe_error(c, "XE_MULTIPLE_MATCHES", c->cls->xe, count);
		goto fail;
	}
	return sel;
fail:
	xe_val_free(sel);
	return NULL;
}

static int needs_selector(struct ctx *c)
{
	for (size_t i = 0; i < c->a->nparams; i++)
		if (!is_reserved(c, c->a->params[i].key) || strcmp(c->a->params[i].key, "uuid") == 0 ||
		    strcmp(c->a->params[i].key, c->cls->xe) == 0)
			return 0;
	xe_error(c, "XE_PARAM_MISSING", "uuid", NULL);
	return -1;
}

/* ---- printing ------------------------------------------------------------ */

static int field_rw(const char *api_field, void *ud)
{
	struct ctx *c = ud;
	const struct xe_val *m = xe_conn_methods(c->conn);
	char want[256];

	snprintf(want, sizeof(want), "%s.set_%s", c->cls->api, api_field);
	for (size_t i = 0; m && i < m->n; i++)
		if (xe_val_cstr(m->items[i]) && strcmp(m->items[i]->s, want) == 0)
			return 1;
	return 0;
}

static void print_records(struct ctx *c, const struct xe_val *sel, const char *params)
{
	struct xe_fieldlist fl;

	if (c->a->minimal) {
		xe_out_select(&fl, sel->n ? sel->items[0] : NULL, params, c->cls->defaults);
		xe_out_minimal(&c->out, (const struct xe_val *const *)sel->items, sel->n,
			       fl.n ? fl.names[0] : "uuid");
		xe_out_fieldlist_free(&fl);
		return;
	}
	for (size_t i = 0; i < sel->n; i++) {
		xe_out_select(&fl, sel->items[i], params, c->cls->defaults);
		xe_out_record(&c->out, sel->items[i], &fl, field_rw, c);
		xe_out_fieldlist_free(&fl);
	}
}

/* ---- generic commands ---------------------------------------------------- */

static int cmd_list(struct ctx *c)
{
	struct xe_val *sel = select_records(c);

	if (!sel)
		return 1;
	print_records(c, sel, xe_args_get(c->a, "params"));
	xe_val_free(sel);
	return 0;
}

static int cmd_param_list(struct ctx *c)
{
	struct xe_val *sel;

	if (needs_selector(c))
		return 2;
	sel = select_for_action(c);
	if (!sel)
		return 1;
	print_records(c, sel, "all");
	xe_val_free(sel);
	return 0;
}

static int cmd_param_get(struct ctx *c)
{
	const char *name = xe_args_get(c->a, "param-name");
	const char *key = xe_args_get(c->a, "param-key");
	const struct xe_val *v;
	struct xe_val *sel;
	char api[256];

	if (!name)
		return xe_error(c, "XE_PARAM_MISSING", "param-name", NULL), 2;
	if (needs_selector(c))
		return 2;
	sel = select_for_action(c);
	if (!sel)
		return 1;
	xe_field_to_api(name, api, sizeof(api));
	v = xe_val_get(sel->items[0], api);
	if (v && key)
		v = xe_val_get(v, key);
	if (!v) {
		xe_error(c, "XE_UNKNOWN_FIELD", key ? key : name, NULL);
		xe_val_free(sel);
		return 1;
	}
	xe_out_value(&c->out, api, v);
	xe_buf_puts(&c->out, "\n");
	xe_val_free(sel);
	return 0;
}

/* Converts TEXT to the type of the field's current value CUR. */
static struct xe_val *typed_like(const struct xe_val *cur, const char *text)
{
	char *end;

	switch (cur ? cur->type : XE_V_STRING) {
	case XE_V_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
			return xe_val_bool(text[0] == 't');
		return NULL;
	case XE_V_INT: {
		long long i;

		errno = 0;
		i = strtoll(text, &end, 10);
		return errno || end == text || *end ? NULL : xe_val_int(i);
	}
	case XE_V_DOUBLE: {
		double d = strtod(text, &end);

		return end == text || *end ? NULL : xe_val_double(d);
	}
	case XE_V_STRING:
		return xe_val_str(text);
	default:
		return NULL;
	}
}

/* Calls CLASS.<fmt> without reporting a failure; 0 on success. */
static int call_quiet(struct ctx *c, const char *message, struct xe_val *const *p, size_t n)
{
	char method[400];
	struct xe_result r;
	int rc;

	snprintf(method, sizeof(method), "%s.%s", c->cls->api, message);
	rc = xe_conn_call(c->conn, 1, method, p, n, &r);
	xe_result_clear(&r);
	return rc;
}

/* One FIELD=VALUE (set_FIELD with the field's type) or MAP:KEY=VALUE
 * (remove_from_MAP, which may fail when the key is absent, then add_to_MAP). */
static int set_one(struct ctx *c, const char *ref, const struct xe_val *record,
		   const struct xe_param *prm)
{
	char api[256], msg[300];
	struct xe_result r;
	struct xe_val *p[3] = {xe_val_str(ref), NULL, NULL};
	char *colon;
	int rc = 1;

	xe_field_to_api(prm->key, api, sizeof(api));
	colon = strchr(api, ':');
	if (colon) {
		*colon = '\0';
		p[1] = xe_val_str(colon + 1);
		p[2] = xe_val_str(prm->value);
		snprintf(msg, sizeof(msg), "remove_from_%s", api);
		call_quiet(c, msg, p, 2);
		snprintf(msg, sizeof(msg), "add_to_%s", api);
	} else {
		p[1] = typed_like(xe_val_get(record, api), prm->value);
		if (!p[1]) {
			xe_error(c, "XE_PARAM_INVALID", prm->key, prm->value);
			goto out;
		}
		snprintf(msg, sizeof(msg), "set_%s", api);
	}
	rc = call(c, msg, p, colon ? 3 : 2, &r) ? 1 : 0;
	xe_result_clear(&r);
out:
	for (int i = 0; i < 3; i++)
		xe_val_free(p[i]);
	return rc;
}

static int cmd_param_set(struct ctx *c)
{
	struct xe_val *sel;
	int rc = 0;

	if (!xe_args_get(c->a, "uuid"))
		return xe_error(c, "XE_PARAM_MISSING", "uuid", NULL), 2;
	c->uuid_only = 1;
	sel = select_for_action(c);
	if (!sel)
		return 1;
	for (size_t i = 0; i < c->a->nparams && !rc; i++) {
		const struct xe_param *p = &c->a->params[i];

		if (strcmp(p->key, "uuid") != 0)
			rc = set_one(c, sel->keys[0], sel->items[0], p);
	}
	xe_val_free(sel);
	return rc;
}

static const struct generic {
	const char *suffix;
	int (*fn)(struct ctx *c);
	const char *help;
} generic[] = {
	{"list", cmd_list, "[params=a,b|all] [--minimal] [field=value...]"},
	{"param-list", cmd_param_list, "uuid=UUID"},
	{"param-get", cmd_param_get, "uuid=UUID param-name=FIELD [param-key=KEY]"},
	{"param-set", cmd_param_set, "uuid=UUID FIELD=VALUE... [MAP:KEY=VALUE...]"},
};

/* ---- VM commands --------------------------------------------------------- */

/* Runs MESSAGE(ref, extra...) on each selected object. */
static int act(struct ctx *c, const char *message, struct xe_val *const *extra, size_t nextra)
{
	struct xe_val *sel;
	int rc = 0;

	if (needs_selector(c))
		return 2;
	sel = select_for_action(c);
	if (!sel)
		return 1;
	for (size_t i = 0; i < sel->n && !rc; i++) {
		struct xe_val *p[4] = {xe_val_str(sel->keys[i])};
		struct xe_result r;

		for (size_t k = 0; k < nextra && k < 3; k++)
			p[k + 1] = extra[k];
		rc = p[0] && call(c, message, p, nextra + 1, &r) == 0 ? 0 : 1;
		xe_result_clear(&r);
		xe_val_free(p[0]);
	}
	xe_val_free(sel);
	return rc;
}

static int parse_bool_param(struct ctx *c, const char *key, int *out)
{
	const char *v = xe_args_get(c->a, key);

	*out = 0;
	if (!v)
		return 0;
	if (strcmp(v, "true") && strcmp(v, "false"))
		return xe_error(c, "XE_PARAM_INVALID", key, v), -1;
	*out = v[0] == 't';
	return 0;
}

static int cmd_vm_start(struct ctx *c)
{
	struct xe_val *p[2];
	int paused, rc;

	if (parse_bool_param(c, "paused", &paused))
		return 2;
	p[0] = xe_val_bool(paused);
	p[1] = xe_val_bool(c->a->force);
	rc = p[0] && p[1] ? act(c, "start", p, 2) : 1;
	xe_val_free(p[0]);
	xe_val_free(p[1]);
	return rc;
}

static int cmd_vm_resume(struct ctx *c)
{
	struct xe_val *p[2] = {xe_val_bool(0), xe_val_bool(c->a->force)};
	int rc = p[0] && p[1] ? act(c, "resume", p, 2) : 1;

	xe_val_free(p[0]);
	xe_val_free(p[1]);
	return rc;
}

static int cmd_vm_shutdown(struct ctx *c)
{
	return act(c, c->a->force ? "hard_shutdown" : "clean_shutdown", NULL, 0);
}

static int cmd_vm_reboot(struct ctx *c)
{
	return act(c, c->a->force ? "hard_reboot" : "clean_reboot", NULL, 0);
}

static int cmd_vm_pause(struct ctx *c)
{
	return act(c, "pause", NULL, 0);
}

static int cmd_vm_unpause(struct ctx *c)
{
	return act(c, "unpause", NULL, 0);
}

static int cmd_vm_suspend(struct ctx *c)
{
	return act(c, "suspend", NULL, 0);
}

static int cmd_vm_destroy(struct ctx *c)
{
	return act(c, "destroy", NULL, 0);
}

/* "512MiB", "2GiB", "1073741824": bytes, or -1. */
static long long parse_bytes(const char *s)
{
	static const struct {
		const char *suffix;
		long long mult;
	} units[] = {
		{"", 1}, {"B", 1}, {"KiB", 1LL << 10}, {"K", 1LL << 10}, {"MiB", 1LL << 20},
		{"M", 1LL << 20}, {"GiB", 1LL << 30}, {"G", 1LL << 30}, {"TiB", 1LL << 40},
	};
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].suffix) == 0)
			return v > (1LL << 50) / units[i].mult ? -1 : v * units[i].mult;
	return -1;
}

/* The VM.create record: every field XenAPI requires, from xe's parameters. */
static struct xe_val *vm_create_record(const char *name, const char *desc,
				       long long mem, long long vcpus)
{
	struct xe_val *r = xe_val_struct();
	int bad = !r;

	bad |= xe_val_set(r, "name_label", xe_val_str(name));
	bad |= xe_val_set(r, "name_description", xe_val_str(desc));
	bad |= xe_val_set(r, "user_version", xe_val_int(1));
	bad |= xe_val_set(r, "is_a_template", xe_val_bool(0));
	bad |= xe_val_set(r, "affinity", xe_val_str("OpaqueRef:NULL"));
	bad |= xe_val_set(r, "memory_static_max", xe_val_int(mem));
	bad |= xe_val_set(r, "memory_dynamic_max", xe_val_int(mem));
	bad |= xe_val_set(r, "memory_dynamic_min", xe_val_int(mem));
	bad |= xe_val_set(r, "memory_static_min", xe_val_int(mem));
	bad |= xe_val_set(r, "VCPUs_params", xe_val_struct());
	bad |= xe_val_set(r, "VCPUs_max", xe_val_int(vcpus));
	bad |= xe_val_set(r, "VCPUs_at_startup", xe_val_int(vcpus));
	bad |= xe_val_set(r, "actions_after_shutdown", xe_val_str("destroy"));
	bad |= xe_val_set(r, "actions_after_reboot", xe_val_str("restart"));
	bad |= xe_val_set(r, "actions_after_crash", xe_val_str("restart"));
	bad |= xe_val_set(r, "PV_bootloader", xe_val_str(""));
	bad |= xe_val_set(r, "PV_kernel", xe_val_str(""));
	bad |= xe_val_set(r, "PV_ramdisk", xe_val_str(""));
	bad |= xe_val_set(r, "PV_args", xe_val_str(""));
	bad |= xe_val_set(r, "PV_bootloader_args", xe_val_str(""));
	bad |= xe_val_set(r, "PV_legacy_args", xe_val_str(""));
	bad |= xe_val_set(r, "HVM_boot_policy", xe_val_str(""));
	bad |= xe_val_set(r, "HVM_boot_params", xe_val_struct());
	bad |= xe_val_set(r, "platform", xe_val_struct());
	bad |= xe_val_set(r, "PCI_bus", xe_val_str(""));
	bad |= xe_val_set(r, "other_config", xe_val_struct());
	bad |= xe_val_set(r, "recommendations", xe_val_str(""));
	if (bad) {
		xe_val_free(r);
		return NULL;
	}
	return r;
}

/* vm-create name-label=NAME [memory=SIZE] [vcpus=N] [name-description=TEXT]:
 * VM.create with the fields set, then prints the new VM's uuid. */
static int cmd_vm_create(struct ctx *c)
{
	const char *name = xe_args_get(c->a, "name-label");
	const char *desc = xe_args_get(c->a, "name-description");
	const char *mem_s = xe_args_get(c->a, "memory");
	const char *vcpu_s = xe_args_get(c->a, "vcpus");
	long long mem = mem_s ? parse_bytes(mem_s) : 256LL << 20;
	long long vcpus = vcpu_s ? parse_bytes(vcpu_s) : 1;
	struct xe_val *p[1];
	struct xe_result r;
	int rc = 1;

	if (!name)
		return xe_error(c, "XE_PARAM_MISSING", "name-label", NULL), 2;
	if (mem < 0)
		return xe_error(c, "XE_PARAM_INVALID", "memory", mem_s), 2;
	if (vcpus < 1 || vcpus > 1024)
		return xe_error(c, "XE_PARAM_INVALID", "vcpus", vcpu_s), 2;
	for (size_t i = 0; i < c->a->nparams; i++) {
		const char *k = c->a->params[i].key;

		if (strcmp(k, "name-label") && strcmp(k, "name-description") &&
		    strcmp(k, "memory") && strcmp(k, "vcpus"))
			return xe_error(c, "XE_PARAM_INVALID", k, c->a->params[i].value), 2;
	}
	p[0] = vm_create_record(name, desc ? desc : "", mem, vcpus);
	if (!p[0] || call(c, "create", p, 1, &r))
		goto out;
	xe_val_free(p[0]);
	p[0] = r.value;
	r.value = NULL;
	xe_result_clear(&r);
	if (call(c, "get_uuid", p, 1, &r) == 0 && xe_val_cstr(r.value)) {
		xe_buf_printf(&c->out, "%s\n", r.value->s);
		rc = 0;
	}
out:
	xe_result_clear(&r);
	xe_val_free(p[0]);
	return rc;
}

/* ---- event-wait ---------------------------------------------------------- */

static const struct xe_class *class_by_xe(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strlen(classes[i].xe) == len && strncmp(classes[i].xe, name, len) == 0)
			return &classes[i];
	return NULL;
}

static int any_selected(struct ctx *c, int *found)
{
	struct xe_val *sel = select_records(c);

	if (!sel)
		return -1;
	*found = sel->n > 0;
	xe_val_free(sel);
	return 0;
}

/* Blocks in event.from until something of the class changes, or the time
 * runs out. Updates TOKEN (owned). 0, or -1 (reported). */
static int wait_change(struct ctx *c, char **token, double timeout)
{
	char lc[64];
	struct xe_val *p[3] = {xe_val_array(), xe_val_str(*token), xe_val_double(timeout)};
	struct xe_result r = {0};
	const char *t;
	int rc = -1;

	size_t i;

	for (i = 0; c->cls->api[i] && i + 1 < sizeof(lc); i++)
		lc[i] = (char)tolower((unsigned char)c->cls->api[i]);
	lc[i] = '\0';
	if (!p[0] || !p[1] || !p[2] || xe_val_push(p[0], xe_val_str(lc)))
		goto out;
	if (xe_conn_call(c->conn, 1, "event.from", p, 3, &r)) {
		call_failed(c, &r);
		goto out;
	}
	t = xe_val_cstr(xe_val_get(r.value, "token"));
	if (!t) {
		xe_buf_puts(&c->err, "event.from returned no token\n");
		goto out;
	}
	free(*token);
	*token = strdup(t);
	rc = *token ? 0 : -1;
out:
	xe_result_clear(&r);
	for (int k = 0; k < 3; k++)
		xe_val_free(p[k]);
	return rc;
}

/* event-wait class=CLASS [timeout=SECONDS] field=value...: returns when an
 * object of CLASS matches every field=value (as printed), using event.from to
 * sleep between checks; exit status 1 when the timeout passes first. */
static int cmd_event_wait(struct ctx *c)
{
	const char *cls = xe_args_get(c->a, "class");
	const char *to = xe_args_get(c->a, "timeout");
	double left = to ? strtod(to, NULL) : 1e9;
	char *token = strdup("");
	int found = 0, rc = 1;

	c->cls = cls ? class_by_xe(cls, strlen(cls)) : NULL;
	if (!c->cls || left <= 0 || !token) {
		free(token);
		return xe_error(c, "XE_PARAM_INVALID", cls ? (c->cls ? "timeout" : "class") : "class",
				cls ? (c->cls ? to : cls) : ""), 2;
	}
	for (;;) {
		struct timespec t0, t1;

		if (any_selected(c, &found))
			break;
		if (found) {
			rc = 0;
			break;
		}
		if (left <= 0) {
			xe_buf_puts(&c->err, "event-wait: timed out\n");
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (wait_change(c, &token, left < 30 ? left : 30))
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left -= (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	free(token);
	return rc;
}

/* ---- the command table --------------------------------------------------- */

static int cmd_help(struct ctx *c);

static const struct command {
	const char *name;
	int (*fn)(struct ctx *c);
	const char *cls;        /* class it acts on, or NULL */
	int remote;             /* needs a connection */
	const char *help;
} commands[] = {
	{"help", cmd_help, NULL, 0, "this text"},
	{"vm-create", cmd_vm_create, "vm", 1,
	 "name-label=NAME [memory=BYTES|256MiB|1GiB] [vcpus=N] [name-description=TEXT]"},
	{"vm-start", cmd_vm_start, "vm", 1, "uuid=UUID|vm=NAME-OR-UUID [paused=true] [--force]"},
	{"vm-shutdown", cmd_vm_shutdown, "vm", 1, "uuid=UUID|vm=NAME-OR-UUID [--force]"},
	{"vm-reboot", cmd_vm_reboot, "vm", 1, "uuid=UUID|vm=NAME-OR-UUID [--force]"},
	{"vm-pause", cmd_vm_pause, "vm", 1, "uuid=UUID|vm=NAME-OR-UUID"},
	{"vm-unpause", cmd_vm_unpause, "vm", 1, "uuid=UUID|vm=NAME-OR-UUID"},
	{"vm-suspend", cmd_vm_suspend, "vm", 1, "uuid=UUID|vm=NAME-OR-UUID"},
	{"vm-resume", cmd_vm_resume, "vm", 1, "uuid=UUID|vm=NAME-OR-UUID [--force]"},
	{"vm-destroy", cmd_vm_destroy, "vm", 1, "uuid=UUID|vm=NAME-OR-UUID"},
	{"event-wait", cmd_event_wait, NULL, 1, "class=CLASS [timeout=SECONDS] field=value..."},
};

static int cmd_help(struct ctx *c)
{
	xe_buf_puts(&c->out, "Usage: xe [-s HOST [-p PORT] -u USER -pw PASS|-pwf FILE] "
		    "[--fingerprint sha256//KEY|--known-hosts FILE|--no-verify] "
		    "[--unix SOCKET] COMMAND [key=value...] [--minimal] [--force] [--multiple]\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		xe_buf_printf(&c->out, "  %-16s %s\n", commands[i].name, commands[i].help);
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		for (size_t g = 0; g < sizeof(generic) / sizeof(generic[0]); g++)
			xe_buf_printf(&c->out, "  %s-%-*s %s\n", classes[i].xe,
				      (int)(15 - strlen(classes[i].xe)), generic[g].suffix,
				      generic[g].help);
	return 0;
}

/* Finds NAME in the tables: a command, or CLASS-GENERIC. */
static int lookup(const char *name, const struct command **cmd,
		  const struct generic **gen, const struct xe_class **cls)
{
	*cmd = NULL;
	*gen = NULL;
	*cls = NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0) {
			*cmd = &commands[i];
			*cls = commands[i].cls ? class_by_xe(commands[i].cls, strlen(commands[i].cls)) : NULL;
			return 0;
		}
	}
	for (size_t g = 0; g < sizeof(generic) / sizeof(generic[0]); g++) {
		size_t sl = strlen(generic[g].suffix), nl = strlen(name);

		if (nl > sl + 1 && strcmp(name + nl - sl, generic[g].suffix) == 0 &&
		    name[nl - sl - 1] == '-' && (*cls = class_by_xe(name, nl - sl - 1))) {
			*gen = &generic[g];
			return 0;
		}
	}
	return -1;
}

int xe_cmd_known(const char *name)
{
	const struct command *cmd;
	const struct generic *gen;
	const struct xe_class *cls;

	return lookup(name, &cmd, &gen, &cls) == 0;
}

int xe_cmd_run(const struct xe_args *a, FILE *out, FILE *err)
{
	struct ctx c = {.a = a};
	const struct command *cmd;
	const struct generic *gen;
	int rc;

	if (lookup(a->command, &cmd, &gen, &c.cls)) {
		fprintf(err, "Unknown command: %s\nFor usage run: 'xe help'\n", a->command);
		return 2;
	}
	if (!cmd || cmd->remote) {
		c.conn = xe_conn_open(a);
		if (!c.conn)
			return 1;
	}
	rc = cmd ? cmd->fn(&c) : gen->fn(&c);
	xe_conn_close(c.conn);
	if (c.out.len)
		fputs(c.out.p, out);
	if (c.err.len)
		fputs(c.err.p, err);
	if (c.out.oom || c.err.oom) {
		fprintf(err, "xe: out of memory\n");
		rc = 1;
	}
	xe_buf_free(&c.out);
	xe_buf_free(&c.err);
	return rc;
}
