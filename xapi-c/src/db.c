/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * db.c — the pool database over SQLite.
 *
 * Design: one table per datamodel class, named after it, with a _ref primary
 * key and one column per field (TEXT for strings, refs, enums and datetimes;
 * INTEGER for ints and bools; REAL for floats; JSON text for sets and maps).
 * The schema follows from dm.c: at open, missing tables are created and
 * missing columns added with their default (the generic migration), then the
 * numbered migrations in migrations[] run up to DB_SCHEMA_VERSION.
 *
 * Every write also appends (gen, class, ref, op) to the _events table in the
 * same transaction, so event generations are exactly as durable as the data;
 * the current generation is the log's newest (or _meta's, once pruned).
 *
 * Durability: WAL mode with synchronous=FULL: the WAL is fsync'ed at every
 * commit, so an acknowledged write survives a kill -9 of the daemon (which
 * NORMAL would also guarantee) and a power loss (which NORMAL would not).
 *
 * Statements are prepared once per class and reused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "rpc.h"
#include "sb.h"

struct db_cls {
	sqlite3_stmt *get, *all, *ins, *del, *exists, *count;
	sqlite3_stmt **upd, **find, **getf;	/* per field */
};

struct db {
	sqlite3 *h;
	struct db_cls *cls;	/* parallel to dm_classes */
	sqlite3_stmt *ev_ins, *ev_since, *ev_delsnap, *begin, *commit, *rollback;
	long long gen;			/* newest logged generation, this transaction included */
	long long committed_gen;	/* newest committed generation */
	long long oldest;
};

static int exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("%s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *prep(struct db *db, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		log_err("prepare %s: %s", sql, sqlite3_errmsg(db->h));
		return NULL;
	}
	return s;
}

static const char *col_type(const struct dm_field *f)
{
	switch (f->kind) {
	case DM_INT:
	case DM_BOOL: return "INTEGER";
	case DM_FLOAT: return "REAL";
	default: return "TEXT";
	}
}

static struct dm_class const *cls_of(struct db *db, const struct dm_class *c, struct db_cls **dc)
{
	*dc = &db->cls[c - dm_classes];
	return c;
}

/* ---- value <-> column --------------------------------------------------- */

static int bind_value(sqlite3_stmt *s, int i, const struct dm_field *f, const json_t *v)
{
	const char *dt;
	char *txt;
	int rc;

	switch (f->kind) {
	case DM_INT:
		if (json_is_string(v))
			return sqlite3_bind_int64(s, i, strtoll(json_string_value(v), NULL, 10));
		return sqlite3_bind_int64(s, i, json_integer_value(v));
	case DM_BOOL:
		return sqlite3_bind_int(s, i, json_is_true(v));
	case DM_FLOAT:
		return sqlite3_bind_double(s, i, json_number_value(v));
	case DM_DATETIME:
		dt = rpc_datetime_str(v);
		if (!dt)
			dt = json_is_string(v) ? json_string_value(v) : "19700101T00:00:00Z";
		return sqlite3_bind_text(s, i, dt, -1, SQLITE_TRANSIENT);
	case DM_SET:
	case DM_MAP:
		txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		rc = sqlite3_bind_text(s, i, txt ? txt : "null", -1, SQLITE_TRANSIENT);
		free(txt);
		return rc;
	default:
		return sqlite3_bind_text(s, i, json_is_string(v) ? json_string_value(v) : "", -1,
					 SQLITE_TRANSIENT);
	}
}

static json_t *column_value(sqlite3_stmt *s, int i, const struct dm_field *f)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	json_t *v;

	switch (f->kind) {
	case DM_INT: return json_integer(sqlite3_column_int64(s, i));
	case DM_BOOL: return json_boolean(sqlite3_column_int(s, i));
	case DM_FLOAT: return json_real(sqlite3_column_double(s, i));
	case DM_DATETIME: return rpc_datetime(t ? t : "19700101T00:00:00Z");
	case DM_SET:
	case DM_MAP:
		if (t && t[0] && t[1] && !t[2] && (t[0] == '[' || t[0] == '{'))
			return t[0] == '[' ? json_array() : json_object();	/* empty: most are */
		v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
		if (!v || (f->kind == DM_SET && !json_is_array(v)) ||
		    (f->kind == DM_MAP && !json_is_object(v))) {
			json_decref(v);
			v = f->kind == DM_SET ? json_array() : json_object();
		}
		return v;
	default: return json_string(t ? t : "");
	}
}

static json_t *row_record(sqlite3_stmt *s, const struct dm_class *c, int first)
{
	json_t *r = json_object();

	for (size_t i = 0; i < c->nfields; i++)
		json_object_set_new_nocheck(r, c->fields[i].name,
					    column_value(s, first + (int)i, &c->fields[i]));
	return r;
}

/* ---- schema ------------------------------------------------------------- */

static int has_column(struct db *db, const char *table, const char *col)
{
	sqlite3_stmt *s;
	char sql[256];
	int found = 0;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(\"%s\")", table);
	if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(s, 1), col) == 0)
			found = 1;
	sqlite3_finalize(s);
	return found;
}

static int add_column(struct db *db, const struct dm_class *c, const struct dm_field *f)
{
	sqlite3_stmt *s;
	json_t *d = dm_default(f);
	struct sb sql = {0};
	int rc = -1;

	sb_addf(&sql, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s", c->name, f->name, col_type(f));
	if (exec(db, sql.p))
		goto out;
	sb_free(&sql);
	sb_addf(&sql, "UPDATE \"%s\" SET \"%s\" = ?", c->name, f->name);
	if (sqlite3_prepare_v2(db->h, sql.p, -1, &s, NULL) != SQLITE_OK)
		goto out;
	bind_value(s, 1, f, d);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	log_info("migrated %s: added column %s", c->name, f->name);
out:
	sb_free(&sql);
	json_decref(d);
	return rc;
}

static int create_table(struct db *db, const struct dm_class *c)
{
	struct sb sql = {0};
	int rc;

	sb_addf(&sql, "CREATE TABLE IF NOT EXISTS \"%s\" (_ref TEXT PRIMARY KEY NOT NULL", c->name);
	for (size_t i = 0; i < c->nfields; i++)
		sb_addf(&sql, ", \"%s\" %s", c->fields[i].name, col_type(&c->fields[i]));
	sb_adds(&sql, ")");
	rc = exec(db, sql.p);
	for (size_t i = 0; rc == 0 && i < c->nfields; i++) {
		const struct dm_field *f = &c->fields[i];

		if (has_column(db, c->name, f->name) == 0)
			rc = add_column(db, c, f);
		if (rc == 0 && (f->kind == DM_REF || !strcmp(f->name, "uuid") ||
				!strcmp(f->name, "name_label"))) {
			sb_free(&sql);
			sb_addf(&sql, "CREATE INDEX IF NOT EXISTS \"idx:%s.%s\" ON \"%s\"(\"%s\")",
				c->name, f->name, c->name, f->name);
			rc = exec(db, sql.p);
		}
	}
	sb_free(&sql);
	return rc;
}

/*
 * Numbered migrations beyond the generic "add missing columns": entry i
 * upgrades a database at version i to i + 1. Version 0 is an empty file.
 */
static int migrate_0_to_1(struct db *db)
{
	return 0;	/* the initial schema: created by create_table() */
}

static int (*const migrations[DB_SCHEMA_VERSION])(struct db *) = {
	migrate_0_to_1,
};

static long long meta_get(struct db *db, const char *key, long long dflt)
{
	sqlite3_stmt *s;
	long long v = dflt;

	if (sqlite3_prepare_v2(db->h, "SELECT value FROM _meta WHERE key = ?", -1, &s, NULL) != SQLITE_OK)
		return dflt;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int meta_set(struct db *db, const char *key, long long v)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO _meta(key, value) VALUES (?, ?)", -1,
			       &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, v);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

static int schema(struct db *db)
{
	long long ver;

	if (exec(db, "BEGIN IMMEDIATE") ||
	    exec(db, "CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value INTEGER)") ||
	    exec(db, "CREATE TABLE IF NOT EXISTS _events (gen INTEGER PRIMARY KEY, cls TEXT NOT NULL,"
		     " ref TEXT NOT NULL, op INTEGER NOT NULL, snapshot TEXT)") ||
	    exec(db, "CREATE INDEX IF NOT EXISTS _events_obj ON _events(cls, ref)"))
		goto fail;
	ver = meta_get(db, "schema_version", 0);
	if (ver > DB_SCHEMA_VERSION) {
		log_err("database schema %lld is newer than this daemon's %d", ver, DB_SCHEMA_VERSION);
		goto fail;
	}
	for (size_t i = 0; i < dm_nclasses; i++)
		if (!(dm_classes[i].flags & DM_CLASS_NO_STORE) && create_table(db, &dm_classes[i]))
			goto fail;
	for (; ver < DB_SCHEMA_VERSION; ver++) {
		if (migrations[ver](db))
			goto fail;
		log_info("migrated schema %lld -> %lld", ver, ver + 1);
	}
	if (meta_set(db, "schema_version", DB_SCHEMA_VERSION) || exec(db, "COMMIT"))
		goto fail;
	return 0;
fail:
	exec(db, "ROLLBACK");
	return -1;
}

static int prep_class(struct db *db, const struct dm_class *c, struct db_cls *dc)
{
	struct sb cols = {0}, q = {0}, sql = {0};
	int rc = -1;

	for (size_t i = 0; i < c->nfields; i++) {
		sb_addf(&cols, "%s\"%s\"", i ? ", " : "", c->fields[i].name);
		sb_adds(&q, ", ?");
	}
#define PREP(dst, ...) do { sb_free(&sql); sb_addf(&sql, __VA_ARGS__); \
		if (!((dst) = prep(db, sql.p))) goto out; } while (0)
	PREP(dc->get, "SELECT %s FROM \"%s\" WHERE _ref = ?", cols.p, c->name);
	PREP(dc->all, "SELECT _ref, %s FROM \"%s\"", cols.p, c->name);
	PREP(dc->ins, "INSERT INTO \"%s\" (_ref, %s) VALUES (?%s)", c->name, cols.p, q.p);
	PREP(dc->del, "DELETE FROM \"%s\" WHERE _ref = ?", c->name);
	PREP(dc->exists, "SELECT 1 FROM \"%s\" WHERE _ref = ?", c->name);
	PREP(dc->count, "SELECT count(*) FROM \"%s\"", c->name);
	dc->upd = calloc(c->nfields, sizeof(*dc->upd));
	dc->find = calloc(c->nfields, sizeof(*dc->find));
	dc->getf = calloc(c->nfields, sizeof(*dc->getf));
	if (!dc->upd || !dc->find || !dc->getf)
		abort();
	for (size_t i = 0; i < c->nfields; i++) {
		const char *f = c->fields[i].name;

		PREP(dc->upd[i], "UPDATE \"%s\" SET \"%s\" = ? WHERE _ref = ?", c->name, f);
		PREP(dc->find[i], "SELECT _ref FROM \"%s\" WHERE \"%s\" = ?", c->name, f);
		PREP(dc->getf[i], "SELECT \"%s\" FROM \"%s\" WHERE _ref = ?", f, c->name);
	}
#undef PREP
	rc = 0;
out:
	sb_free(&cols);
	sb_free(&q);
	sb_free(&sql);
	return rc;
}

int db_open(const char *path, struct db **out)
{
	struct db *db = calloc(1, sizeof(*db));

	if (!db)
		return -1;
	db->cls = calloc(dm_nclasses, sizeof(*db->cls));
	if (!db->cls)
		goto fail;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		log_err("open %s: %s", path, db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 5000);
	if (exec(db, "PRAGMA journal_mode=WAL") || exec(db, "PRAGMA synchronous=FULL") ||
	    exec(db, "PRAGMA foreign_keys=OFF") || schema(db))
		goto fail;
	for (size_t i = 0; i < dm_nclasses; i++)
		if (!(dm_classes[i].flags & DM_CLASS_NO_STORE) &&
		    prep_class(db, &dm_classes[i], &db->cls[i]))
			goto fail;
	if (!(db->ev_ins = prep(db, "INSERT INTO _events(gen, cls, ref, op, snapshot) VALUES (?, ?, ?, ?, ?)")) ||
	    !(db->ev_since = prep(db, "SELECT cls, ref, max(gen), sum(op = 0), sum(op = 2) FROM _events"
				       " WHERE gen > ? GROUP BY cls, ref ORDER BY max(gen)")) ||
	    !(db->ev_delsnap = prep(db, "SELECT snapshot FROM _events WHERE cls = ? AND ref = ?"
				         " AND op = 2 ORDER BY gen DESC LIMIT 1")) ||
	    !(db->begin = prep(db, "BEGIN IMMEDIATE")) || !(db->commit = prep(db, "COMMIT")) ||
	    !(db->rollback = prep(db, "ROLLBACK")))
		goto fail;
	db->gen = meta_get(db, "generation", 0);
	db->oldest = meta_get(db, "events_oldest", 0);
	{
		sqlite3_stmt *s;

		if (sqlite3_prepare_v2(db->h, "SELECT max(gen) FROM _events", -1, &s, NULL) == SQLITE_OK) {
			if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) > db->gen)
				db->gen = sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
		}
	}
	db->committed_gen = db->gen;
	log_info("opened %s at generation %lld", path, db->gen);
	*out = db;
	return 0;
fail:
	db_close(db);
	return -1;
}

static void finalize_class(const struct dm_class *c, struct db_cls *dc)
{
	sqlite3_finalize(dc->get);
	sqlite3_finalize(dc->all);
	sqlite3_finalize(dc->ins);
	sqlite3_finalize(dc->del);
	sqlite3_finalize(dc->exists);
	sqlite3_finalize(dc->count);
	for (size_t i = 0; i < c->nfields; i++) {
		if (dc->upd)
			sqlite3_finalize(dc->upd[i]);
		if (dc->find)
			sqlite3_finalize(dc->find[i]);
		if (dc->getf)
			sqlite3_finalize(dc->getf[i]);
	}
	free(dc->upd);
	free(dc->find);
	free(dc->getf);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; db->cls && i < dm_nclasses; i++)
		finalize_class(&dm_classes[i], &db->cls[i]);
	sqlite3_finalize(db->ev_ins);
	sqlite3_finalize(db->ev_since);
	sqlite3_finalize(db->ev_delsnap);
	sqlite3_finalize(db->begin);
	sqlite3_finalize(db->commit);
	sqlite3_finalize(db->rollback);
	if (db->h)
		sqlite3_close(db->h);
	free(db->cls);
	free(db);
}

static int step_done(struct db *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		log_err("%s: %s", sqlite3_sql(s), sqlite3_errmsg(db->h));
		return -1;
	}
	return 0;
}

int db_begin(struct db *db)
{
	return step_done(db, db->begin);
}

int db_commit(struct db *db)
{
	if (step_done(db, db->commit))
		return -1;
	db->committed_gen = db->gen;
	return 0;
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		step_done(db, db->rollback);
	db->gen = db->committed_gen;
}

static int log_event(struct db *db, const struct dm_class *c, const char *ref, enum db_op op,
		     const json_t *snap)
{
	char *txt = NULL;
	int rc;

	sqlite3_bind_int64(db->ev_ins, 1, db->gen + 1);
	sqlite3_bind_text(db->ev_ins, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->ev_ins, 3, ref, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(db->ev_ins, 4, op);
	if (snap && (txt = rpc_json_text(snap)))
		sqlite3_bind_text(db->ev_ins, 5, txt, -1, SQLITE_TRANSIENT);
	rc = step_done(db, db->ev_ins);
	free(txt);
	if (rc == 0)
		db->gen++;
	return rc;
}

int db_create(struct db *db, const struct dm_class *c, const char *ref, const json_t *rec)
{
	struct db_cls *dc;
	sqlite3_stmt *s;

	cls_of(db, c, &dc);
	s = dc->ins;
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_TRANSIENT);
	for (size_t i = 0; i < c->nfields; i++) {
		json_t *v = json_object_get(rec, c->fields[i].name);
		json_t *d = v ? NULL : dm_default(&c->fields[i]);

		bind_value(s, (int)i + 2, &c->fields[i], v ? v : d);
		json_decref(d);
	}
	if (step_done(db, s))
		return -1;
	return log_event(db, c, ref, DB_ADD, NULL);
}

json_t *db_read(struct db *db, const struct dm_class *c, const char *ref)
{
	struct db_cls *dc;
	json_t *r = NULL;

	cls_of(db, c, &dc);
	sqlite3_bind_text(dc->get, 1, ref, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(dc->get) == SQLITE_ROW)
		r = row_record(dc->get, c, 0);
	sqlite3_reset(dc->get);
	sqlite3_clear_bindings(dc->get);
	return r;
}

bool db_exists(struct db *db, const struct dm_class *c, const char *ref)
{
	struct db_cls *dc;
	bool r;

	if (c->flags & DM_CLASS_NO_STORE)
		return false;
	cls_of(db, c, &dc);
	sqlite3_bind_text(dc->exists, 1, ref, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(dc->exists) == SQLITE_ROW;
	sqlite3_reset(dc->exists);
	return r;
}

json_t *db_read_field(struct db *db, const struct dm_class *c, const char *ref,
		      const struct dm_field *f)
{
	struct db_cls *dc;
	sqlite3_stmt *s;
	json_t *r = NULL;

	cls_of(db, c, &dc);
	s = dc->getf[f - c->fields];
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		r = column_value(s, 0, f);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r;
}

int db_write_field(struct db *db, const struct dm_class *c, const char *ref,
		   const struct dm_field *f, const json_t *v)
{
	struct db_cls *dc;
	sqlite3_stmt *s;

	cls_of(db, c, &dc);
	s = dc->upd[f - c->fields];
	bind_value(s, 1, f, v);
	sqlite3_bind_text(s, 2, ref, -1, SQLITE_TRANSIENT);
	if (step_done(db, s))
		return -1;
	if (sqlite3_changes(db->h) != 1)
		return -1;
	return log_event(db, c, ref, DB_MOD, NULL);
}

int db_touch(struct db *db, const struct dm_class *c, const char *ref)
{
	if (!db_exists(db, c, ref))
		return -1;
	return log_event(db, c, ref, DB_MOD, NULL);
}

int db_delete(struct db *db, const struct dm_class *c, const char *ref)
{
	struct db_cls *dc;
	json_t *snap = db_read(db, c, ref);
	int rc = -1;

	cls_of(db, c, &dc);
	if (!snap)
		return -1;
	sqlite3_bind_text(dc->del, 1, ref, -1, SQLITE_TRANSIENT);
	if (step_done(db, dc->del) == 0)
		rc = log_event(db, c, ref, DB_DEL, snap);
	json_decref(snap);
	return rc;
}

json_t *db_read_all(struct db *db, const struct dm_class *c)
{
	struct db_cls *dc;
	json_t *all = json_object();

	cls_of(db, c, &dc);
	while (sqlite3_step(dc->all) == SQLITE_ROW)
		json_object_set_new(all, (const char *)sqlite3_column_text(dc->all, 0),
				    row_record(dc->all, c, 1));
	sqlite3_reset(dc->all);
	return all;
}

int db_foreach(struct db *db, const struct dm_class *c,
	       int (*cb)(const char *ref, const json_t *rec, void *arg), void *arg)
{
	struct db_cls *dc;
	int rc = 0;

	cls_of(db, c, &dc);
	while (rc == 0 && sqlite3_step(dc->all) == SQLITE_ROW) {
		json_t *r = row_record(dc->all, c, 1);

		rc = cb((const char *)sqlite3_column_text(dc->all, 0), r, arg);
		json_decref(r);
	}
	sqlite3_reset(dc->all);
	return rc;
}

struct db_row {
	sqlite3_stmt *s;
};

int db_foreach_row(struct db *db, const struct dm_class *c,
		   int (*cb)(const char *ref, struct db_row *row, void *arg), void *arg)
{
	struct db_cls *dc;
	struct db_row row;
	int rc = 0;

	cls_of(db, c, &dc);
	row.s = dc->all;
	while (rc == 0 && sqlite3_step(dc->all) == SQLITE_ROW)
		rc = cb((const char *)sqlite3_column_text(dc->all, 0), &row, arg);
	sqlite3_reset(dc->all);
	return rc;
}

const char *db_col_text(struct db_row *row, size_t i)
{
	const char *t = (const char *)sqlite3_column_text(row->s, (int)i + 1);

	return t ? t : "";
}

long long db_col_int(struct db_row *row, size_t i)
{
	return sqlite3_column_int64(row->s, (int)i + 1);
}

double db_col_double(struct db_row *row, size_t i)
{
	return sqlite3_column_double(row->s, (int)i + 1);
}

json_t *db_find(struct db *db, const struct dm_class *c, const struct dm_field *f,
		const json_t *v)
{
	struct db_cls *dc;
	sqlite3_stmt *s;
	json_t *refs = json_array();

	cls_of(db, c, &dc);
	s = dc->find[f - c->fields];
	bind_value(s, 1, f, v);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(refs, json_string((const char *)sqlite3_column_text(s, 0)));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return refs;
}

long long db_count(struct db *db, const struct dm_class *c)
{
	struct db_cls *dc;
	long long n = 0;

	cls_of(db, c, &dc);
	if (sqlite3_step(dc->count) == SQLITE_ROW)
		n = sqlite3_column_int64(dc->count, 0);
	sqlite3_reset(dc->count);
	return n;
}

long long db_generation(struct db *db)
{
	return db->gen;
}

long long db_oldest_generation(struct db *db)
{
	return db->oldest;
}

static json_t *del_snapshot(struct db *db, const char *cls, const char *ref)
{
	json_t *snap = NULL;
	const char *t;

	sqlite3_bind_text(db->ev_delsnap, 1, cls, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(db->ev_delsnap, 2, ref, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(db->ev_delsnap) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(db->ev_delsnap, 0)))
		snap = json_loads(t, 0, NULL);
	sqlite3_reset(db->ev_delsnap);
	return snap;
}

int db_changes_since(struct db *db, long long gen,
		     int (*cb)(const struct db_event *e, void *arg), void *arg)
{
	sqlite3_stmt *s = db->ev_since;
	int rc = 0;

	sqlite3_bind_int64(s, 1, gen);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		struct db_event e = {
			.cls = (const char *)sqlite3_column_text(s, 0),
			.ref = (const char *)sqlite3_column_text(s, 1),
			.gen = sqlite3_column_int64(s, 2),
		};
		const struct dm_class *c = dm_class_find(e.cls);

		if (!c)
			continue;
		if (!db_exists(db, c, e.ref)) {
			e.op = DB_DEL;
			e.del_snapshot = del_snapshot(db, e.cls, e.ref);
		} else {
			e.op = sqlite3_column_int64(s, 3) > 0 ? DB_ADD : DB_MOD;
		}
		rc = cb(&e, arg);
		json_decref(e.del_snapshot);
	}
	sqlite3_reset(s);
	return rc;
}

int db_prune_events(struct db *db, long long keep)
{
	sqlite3_stmt *s;
	long long upto = db->gen - keep;
	int rc;

	if (upto <= db->oldest)
		return 0;
	if (sqlite3_prepare_v2(db->h, "DELETE FROM _events WHERE gen <= ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, upto);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	/* the generation survives in _meta when the log no longer holds it */
	if (rc == 0 && meta_set(db, "events_oldest", upto) == 0 &&
	    meta_set(db, "generation", db->gen) == 0)
		db->oldest = upto;
	return rc;
}

void db_token(long long gen, char out[32])
{
	snprintf(out, 32, "%020lld", gen < 0 ? 0 : gen);
}

int db_token_parse(const char *s, long long *gen)
{
	char *end;

	if (!*s) {
		*gen = -1;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*gen = strtoll(s, &end, 10);
	return (errno || (*end && *end != ',') || *gen < 0) ? -1 : 0;
}
