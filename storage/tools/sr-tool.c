/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sr-tool — the storage library on the command line, for tests and for
 * administrators debugging an SR.
 *
 *   sr-tool [--state DIR] [--timeout MS] [--lvm PATH] [--qemu-img PATH]
 *           [--full-percent N] COMMAND [ARGS...]
 *
 * Design: sr-tool plays the part xapi-c plays for the library: it keeps the
 * records the daemon would keep in its database, in <state>/tool/<sr>.json
 * ({"sr": {uuid, type, name_label, device_config}, "vdis": {uuid: record}}),
 * so that "wipe-records" followed by "sr-scan" shows the storage rebuilding
 * them. Every command prints JSON on stdout; a failure prints
 * {"error": CODE, "params": [...]} on stderr and exits 1 (2 for usage).
 * Commands are a table: name, handler, usage; unknown commands fail loudly.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sr.h"

struct opts {
	const char *type, *name, *uuid, *sr, *vdi, *to, *size, *format;
	bool ro;
	struct sr_kvs dc;
};

struct tool {
	struct sr_ctx *ctx;
	struct sr_config cfg;
	char db_dir[SR_PATH_MAX];
	struct opts o;
	struct sr_error err;
};

static int fail(struct tool *t)
{
	json_t *params = json_array();
	int i;

	for (i = 0; i < t->err.nparams; i++)
		json_array_append_new(params, json_string(t->err.params[i]));
	json_t *o = json_pack("{s:s, s:o}", "error", sr_code_name(t->err.code), "params", params);
	char *text = json_dumps(o, JSON_COMPACT);
	fprintf(stderr, "%s\n", text ? text : "{}");
	free(text);
	json_decref(o);
	return 1;
}

static int usage_fail(const char *msg)
{
	fprintf(stderr, "sr-tool: %s (see sr-tool --help)\n", msg);
	return 2;
}

static int print_json(json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);

	printf("%s\n", text ? text : "null");
	free(text);
	json_decref(o);
	return 0;
}

static json_t *kvs_json(const struct sr_kvs *k)
{
	json_t *o = json_object();

	for (int i = 0; i < k->n; i++)
		json_object_set_new(o, k->kv[i].key, json_string(k->kv[i].value));
	return o;
}

static json_t *vdi_json(const struct sr_vdi_record *v)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:b, s:b, s:s, s:o}", "uuid",
			 v->uuid, "name_label", v->name_label, "SR", v->sr, "type", v->type,
			 "virtual_size", (json_int_t)v->virtual_size, "physical_utilisation",
			 (json_int_t)v->physical_utilisation, "is_a_snapshot", v->is_a_snapshot,
			 "snapshot_of", v->snapshot_of, "read_only", v->read_only, "managed",
			 v->managed, "location", v->location, "sm_config", kvs_json(&v->sm_config));
}

static json_t *sr_json(const struct sr_record *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "uuid", r->uuid, "name_label",
			 r->name_label, "type", r->type, "content_type", r->content_type,
			 "physical_size", (json_int_t)r->physical_size, "physical_utilisation",
			 (json_int_t)r->physical_utilisation, "virtual_allocation",
			 (json_int_t)r->virtual_allocation, "sm_config", kvs_json(&r->sm_config));
}

/* ---- the records database ----------------------------------------------------- */

static int db_path(struct tool *t, const char *sr, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s.json", t->db_dir, sr);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static json_t *db_load(struct tool *t, const char *sr)
{
	char path[SR_PATH_MAX + 64];

	if (db_path(t, sr, path, sizeof(path)) < 0)
		return NULL;
	return json_load_file(path, 0, NULL);
}

static int db_save(struct tool *t, const char *sr, json_t *db)
{
	char path[SR_PATH_MAX + 64], tmp[SR_PATH_MAX + 72];

	if (db_path(t, sr, path, sizeof(path)) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(db, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) < 0)
		return -1;
	return rename(tmp, path);
}

static void db_set_vdi(struct tool *t, const char *sr, const struct sr_vdi_record *v)
{
	json_t *db = db_load(t, sr);

	if (!db)
		return;
	json_object_set_new(json_object_get(db, "vdis"), v->uuid, vdi_json(v));
	db_save(t, sr, db);
	json_decref(db);
}

static void db_del_vdi(struct tool *t, const char *sr, const char *vdi)
{
	json_t *db = db_load(t, sr);

	if (!db)
		return;
	json_object_del(json_object_get(db, "vdis"), vdi);
	db_save(t, sr, db);
	json_decref(db);
}

/* Opens the SR named by --sr with the type and device_config of its record. */
static struct sr *open_sr(struct tool *t, const char *uuid)
{
	json_t *db = db_load(t, uuid ? uuid : "");
	struct sr_kvs dc = {0};
	const char *k;
	json_t *v;
	struct sr *sr = NULL;

	if (!db) {
		snprintf(t->err.params[0], SR_ERR_PARAM_MAX, "SR");
		snprintf(t->err.params[1], SR_ERR_PARAM_MAX, "%s", uuid ? uuid : "");
		t->err.code = SR_E_UUID_INVALID;
		t->err.nparams = 2;
		return NULL;
	}
	json_t *rec = json_object_get(db, "sr");
	json_object_foreach(json_object_get(rec, "device_config"), k, v)
		sr_kvs_set(&dc, k, json_string_value(v) ? json_string_value(v) : "");
	sr_open(t->ctx, json_string_value(json_object_get(rec, "type")), uuid, &dc, &sr, &t->err);
	json_decref(db);
	return sr;
}

static int save_sr_record(struct tool *t, const char *uuid, const char *type, const char *name)
{
	json_t *db = json_pack("{s:{s:s, s:s, s:s, s:o}, s:{}}", "sr", "uuid", uuid, "type", type,
			       "name_label", name, "device_config", kvs_json(&t->o.dc), "vdis");
	int rc = db_save(t, uuid, db);

	json_decref(db);
	return rc;
}

/* ---- commands -------------------------------------------------------------- */

static int cmd_sr_create(struct tool *t)
{
	char uuid[SR_UUID_LEN + 1];
	struct sr_record rec;

	if (!t->o.type || !t->o.name)
		return usage_fail("sr-create needs --type and --name");
	if (t->o.uuid)
		snprintf(uuid, sizeof(uuid), "%s", t->o.uuid);
	else {
		FILE *f = fopen("/proc/sys/kernel/random/uuid", "r");
		if (!f || !fgets(uuid, sizeof(uuid), f))
			return usage_fail("cannot make a uuid");
		fclose(f);
	}
	if (sr_create(t->ctx, t->o.type, uuid, t->o.name, &t->o.dc, &rec, &t->err) < 0)
		return fail(t);
	save_sr_record(t, uuid, t->o.type, t->o.name);
	return print_json(sr_json(&rec));
}

static int cmd_sr_introduce(struct tool *t)
{
	struct sr *sr = NULL;
	struct sr_record rec;

	if (!t->o.type || !t->o.uuid)
		return usage_fail("sr-introduce needs --type and --uuid");
	if (sr_open(t->ctx, t->o.type, t->o.uuid, &t->o.dc, &sr, &t->err) < 0)
		return fail(t);
	if (sr_stat(sr, &rec, &t->err) < 0) {
		sr_close(sr);
		return fail(t);
	}
	sr_close(sr);
	save_sr_record(t, t->o.uuid, t->o.type, rec.name_label);
	return print_json(sr_json(&rec));
}

static int cmd_sr_probe(struct tool *t)
{
	struct sr_probe_entry e[32];
	json_t *a = json_array();
	int n, i;

	if (!t->o.type)
		return usage_fail("sr-probe needs --type");
	if (sr_probe(t->ctx, t->o.type, &t->o.dc, e, 32, &n, &t->err) < 0) {
		json_decref(a);
		return fail(t);
	}
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "uuid", e[i].uuid,
						   "name_label", e[i].name_label, "physical_size",
						   (json_int_t)e[i].physical_size));
	return print_json(a);
}

/* Runs FN on the SR named by --sr. */
static int with_sr(struct tool *t, int (*fn)(struct tool *, struct sr *))
{
	struct sr *sr = open_sr(t, t->o.sr);
	int rc;

	if (!sr)
		return fail(t);
	rc = fn(t, sr);
	sr_close(sr);
	return rc;
}

static int do_sr_stat(struct tool *t, struct sr *sr)
{
	struct sr_record rec;

	if (sr_stat(sr, &rec, &t->err) < 0)
		return fail(t);
	return print_json(sr_json(&rec));
}

static int do_sr_scan(struct tool *t, struct sr *sr)
{
	struct sr_vdi_record *v = NULL;
	json_t *db, *vdis, *a = json_array();
	int n = 0, i;

	if (sr_scan(sr, &v, &n, &t->err) < 0) {
		json_decref(a);
		return fail(t);
	}
	db = db_load(t, t->o.sr);
	vdis = json_object();
	for (i = 0; i < n; i++) {
		json_object_set_new(vdis, v[i].uuid, vdi_json(&v[i]));
		json_array_append_new(a, vdi_json(&v[i]));
	}
	free(v);
	if (db) {
		json_object_set_new(db, "vdis", vdis);
		db_save(t, t->o.sr, db);
		json_decref(db);
	} else {
		json_decref(vdis);
	}
	return print_json(a);
}

static int do_sr_destroy(struct tool *t, struct sr *sr)
{
	char path[SR_PATH_MAX + 64];

	if (sr_destroy(sr, &t->err) < 0 || sr_forget(sr, &t->err) < 0)
		return fail(t);
	if (db_path(t, t->o.sr, path, sizeof(path)) == 0)
		unlink(path);
	return print_json(json_pack("{s:s}", "destroyed", t->o.sr));
}

static int do_sr_forget(struct tool *t, struct sr *sr)
{
	char path[SR_PATH_MAX + 64];

	if (sr_forget(sr, &t->err) < 0)
		return fail(t);
	if (db_path(t, t->o.sr, path, sizeof(path)) == 0)
		unlink(path);
	return print_json(json_pack("{s:s}", "forgotten", t->o.sr));
}

static int do_plug(struct tool *t, struct sr *sr)
{
	if (sr_plug(sr, &t->err) < 0)
		return fail(t);
	return print_json(json_pack("{s:s, s:b}", "SR", t->o.sr, "currently_attached", 1));
}

static int do_unplug(struct tool *t, struct sr *sr)
{
	if (sr_unplug(sr, &t->err) < 0)
		return fail(t);
	return print_json(json_pack("{s:s, s:b}", "SR", t->o.sr, "currently_attached", 0));
}

static int do_wipe(struct tool *t, struct sr *sr)
{
	json_t *db = db_load(t, t->o.sr);

	if (db) {
		json_object_set_new(db, "vdis", json_object());
		db_save(t, t->o.sr, db);
		json_decref(db);
	}
	return print_json(json_pack("{s:s}", "wiped", t->o.sr));
}

static int do_vdi_list(struct tool *t, struct sr *sr)
{
	json_t *db = db_load(t, t->o.sr);
	json_t *a = json_array(), *v;
	const char *k;

	json_object_foreach(json_object_get(db, "vdis"), k, v)
		json_array_append(a, v);
	json_decref(db);
	return print_json(a);
}

static int parse_size(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v < 0 || end == s)
		return -1;
	switch (*end) {
	case 'T': v <<= 10; /* fall through */
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int done_vdi(struct tool *t, const char *sr, const struct sr_vdi_record *v)
{
	db_set_vdi(t, sr, v);
	return print_json(vdi_json(v));
}

static int do_vdi_create(struct tool *t, struct sr *sr)
{
	struct sr_vdi_record rec;
	struct sr_kvs smc = {0};
	int64_t size;

	if (!t->o.name || parse_size(t->o.size, &size) < 0)
		return usage_fail("vdi-create needs --name and --size N[KMGT]");
	if (t->o.format)
		sr_kvs_set(&smc, "format", t->o.format);
	if (sr_vdi_create(sr, t->o.name, size, &smc, &rec, &t->err) < 0)
		return fail(t);
	return done_vdi(t, t->o.sr, &rec);
}

static int do_vdi_get(struct tool *t, struct sr *sr)
{
	struct sr_vdi_record rec;

	if (sr_vdi_get(sr, t->o.vdi, &rec, &t->err) < 0)
		return fail(t);
	return print_json(vdi_json(&rec));
}

static int do_vdi_destroy(struct tool *t, struct sr *sr)
{
	if (sr_vdi_destroy(sr, t->o.vdi, &t->err) < 0)
		return fail(t);
	db_del_vdi(t, t->o.sr, t->o.vdi);
	return print_json(json_pack("{s:s}", "destroyed", t->o.vdi));
}

static int do_vdi_resize(struct tool *t, struct sr *sr)
{
	struct sr_vdi_record rec;
	int64_t size;

	if (parse_size(t->o.size, &size) < 0)
		return usage_fail("vdi-resize needs --size N[KMGT]");
	if (sr_vdi_resize(sr, t->o.vdi, size, &rec, &t->err) < 0)
		return fail(t);
	return done_vdi(t, t->o.sr, &rec);
}

static int do_vdi_snapshot(struct tool *t, struct sr *sr)
{
	struct sr_vdi_record rec;

	if (sr_vdi_snapshot(sr, t->o.vdi, &rec, &t->err) < 0)
		return fail(t);
	return done_vdi(t, t->o.sr, &rec);
}

static int do_vdi_clone(struct tool *t, struct sr *sr)
{
	struct sr_vdi_record rec;

	if (sr_vdi_clone(sr, t->o.vdi, &rec, &t->err) < 0)
		return fail(t);
	return done_vdi(t, t->o.sr, &rec);
}

static int do_vdi_copy(struct tool *t, struct sr *sr)
{
	struct sr_vdi_record rec;
	struct sr *dst;
	int rc;

	if (!t->o.to)
		return usage_fail("vdi-copy needs --to SR");
	dst = open_sr(t, t->o.to);
	if (!dst)
		return fail(t);
	rc = sr_vdi_copy(sr, t->o.vdi, dst, &rec, &t->err);
	sr_close(dst);
	if (rc < 0)
		return fail(t);
	return done_vdi(t, t->o.to, &rec);
}

static int do_vdi_attach(struct tool *t, struct sr *sr)
{
	struct sr_attach_info info;

	if (sr_vdi_attach(sr, t->o.vdi, !t->o.ro, &info, &t->err) < 0)
		return fail(t);
	return print_json(json_pack("{s:s, s:s, s:b}", "path", info.path, "format", info.format,
				    "read_only", info.read_only));
}

static int do_vdi_detach(struct tool *t, struct sr *sr)
{
	if (sr_vdi_detach(sr, t->o.vdi, &t->err) < 0)
		return fail(t);
	return print_json(json_pack("{s:s}", "detached", t->o.vdi));
}

static int do_vdi_set_name(struct tool *t, struct sr *sr)
{
	struct sr_vdi_record rec;

	if (!t->o.name)
		return usage_fail("vdi-set-name needs --name");
	if (sr_vdi_set_name_label(sr, t->o.vdi, t->o.name, &t->err) < 0 ||
	    sr_vdi_get(sr, t->o.vdi, &rec, &t->err) < 0)
		return fail(t);
	return done_vdi(t, t->o.sr, &rec);
}

enum need { NONE, SR, SR_VDI };

struct command {
	const char *name;
	enum need need;
	int (*direct)(struct tool *);
	int (*on_sr)(struct tool *, struct sr *);
	const char *usage;
};

static const struct command commands[] = {
	{"sr-create", NONE, cmd_sr_create, NULL, "--type T --name N [--uuid U] [key=value...]"},
	{"sr-probe", NONE, cmd_sr_probe, NULL, "--type T [key=value...]"},
	{"sr-introduce", NONE, cmd_sr_introduce, NULL, "--type T --uuid U [key=value...]"},
	{"sr-forget", SR, NULL, do_sr_forget, "--sr U"},
	{"sr-destroy", SR, NULL, do_sr_destroy, "--sr U"},
	{"sr-stat", SR, NULL, do_sr_stat, "--sr U"},
	{"sr-scan", SR, NULL, do_sr_scan, "--sr U"},
	{"pbd-plug", SR, NULL, do_plug, "--sr U"},
	{"pbd-unplug", SR, NULL, do_unplug, "--sr U"},
	{"wipe-records", SR, NULL, do_wipe, "--sr U (drops the VDI records, not the VDIs)"},
	{"vdi-list", SR, NULL, do_vdi_list, "--sr U (the records, as the daemon would have them)"},
	{"vdi-create", SR, NULL, do_vdi_create, "--sr U --name N --size S [--format raw|qcow2]"},
	{"vdi-get", SR_VDI, NULL, do_vdi_get, "--sr U --vdi V (from the storage)"},
	{"vdi-destroy", SR_VDI, NULL, do_vdi_destroy, "--sr U --vdi V"},
	{"vdi-resize", SR_VDI, NULL, do_vdi_resize, "--sr U --vdi V --size S"},
	{"vdi-snapshot", SR_VDI, NULL, do_vdi_snapshot, "--sr U --vdi V"},
	{"vdi-clone", SR_VDI, NULL, do_vdi_clone, "--sr U --vdi V"},
	{"vdi-copy", SR_VDI, NULL, do_vdi_copy, "--sr U --vdi V --to SR2"},
	{"vdi-attach", SR_VDI, NULL, do_vdi_attach, "--sr U --vdi V [--ro]"},
	{"vdi-detach", SR_VDI, NULL, do_vdi_detach, "--sr U --vdi V"},
	{"vdi-set-name", SR_VDI, NULL, do_vdi_set_name, "--sr U --vdi V --name N"},
};

static void help(void)
{
	size_t i;

	printf("usage: sr-tool [--state DIR] [--timeout MS] [--lvm PATH] [--qemu-img PATH] "
	       "[--full-percent N] COMMAND ...\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-14s %s\n", commands[i].name, commands[i].usage);
}

static int parse_args(struct tool *t, int argc, char **argv)
{
	static const struct option lo[] = {
		{"state", 1, 0, 'S'}, {"timeout", 1, 0, 'T'}, {"lvm", 1, 0, 'L'},
		{"qemu-img", 1, 0, 'Q'}, {"full-percent", 1, 0, 'F'}, {"type", 1, 0, 't'},
		{"name", 1, 0, 'n'}, {"uuid", 1, 0, 'u'}, {"sr", 1, 0, 's'}, {"vdi", 1, 0, 'v'},
		{"to", 1, 0, 'o'}, {"size", 1, 0, 'z'}, {"format", 1, 0, 'f'}, {"ro", 0, 0, 'r'},
		{"help", 0, 0, 'h'}, {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		switch (c) {
		case 'S': t->cfg.state_dir = optarg; break;
		case 'T': t->cfg.timeout_ms = atoi(optarg); break;
		case 'L': t->cfg.lvm = optarg; break;
		case 'Q': t->cfg.qemu_img = optarg; break;
		case 'F': t->cfg.full_percent = atoi(optarg); break;
		case 't': t->o.type = optarg; break;
		case 'n': t->o.name = optarg; break;
		case 'u': t->o.uuid = optarg; break;
		case 's': t->o.sr = optarg; break;
		case 'v': t->o.vdi = optarg; break;
		case 'o': t->o.to = optarg; break;
		case 'z': t->o.size = optarg; break;
		case 'f': t->o.format = optarg; break;
		case 'r': t->o.ro = true; break;
		case 'h': help(); exit(0);
		default: return -1;
		}
	}
	return 0;
}

/* Options may come before or after the command; key=value words are device_config. */
static const struct command *find_command(struct tool *t, int argc, char **argv)
{
	const struct command *cmd = NULL;
	size_t i;

	if (parse_args(t, argc, argv) < 0 || optind >= argc)
		return NULL;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "sr-tool: unknown command %s\n", argv[optind]);
		return NULL;
	}
	optind++;
	while (optind < argc) {
		if (parse_args(t, argc, argv) < 0)
			return NULL;
		if (optind >= argc)
			break;
		char *eq = strchr(argv[optind], '=');
		if (!eq)
			return NULL;
		*eq = '\0';
		if (sr_kvs_set(&t->o.dc, argv[optind], eq + 1) < 0)
			return NULL;
		optind++;
	}
	return cmd;
}

int main(int argc, char **argv)
{
	struct tool t;
	const struct command *cmd;
	int rc;

	memset(&t, 0, sizeof(t));
	t.cfg.state_dir = getenv("CAIRN_SR_STATE") ? getenv("CAIRN_SR_STATE") : "/var/lib/cairn/storage";
	t.cfg.timeout_ms = getenv("CAIRN_SR_TIMEOUT_MS") ? atoi(getenv("CAIRN_SR_TIMEOUT_MS")) : 0;
	cmd = find_command(&t, argc, argv);
	if (!cmd)
		return usage_fail("bad arguments");
	if ((cmd->need != NONE && !t.o.sr) || (cmd->need == SR_VDI && !t.o.vdi))
		return usage_fail(cmd->need == SR_VDI ? "needs --sr and --vdi" : "needs --sr");
	if (sr_ctx_new(&t.cfg, &t.ctx, &t.err) < 0)
		return fail(&t);
	snprintf(t.db_dir, sizeof(t.db_dir), "%s/tool", t.cfg.state_dir);
	if (access(t.db_dir, F_OK) < 0 && mkdir(t.db_dir, 0700) < 0)
		return usage_fail("cannot make the records directory");
	rc = cmd->direct ? cmd->direct(&t) : with_sr(&t, cmd->on_sr);
	sr_ctx_free(t.ctx);
	return rc;
}
