/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * db.h — the pool database: rows of datamodel classes, by reference.
 *
 * The interface is deliberately narrow and free of SQLite types, so that a
 * replicated engine (dqlite) can sit behind it for pools: open/close,
 * transactions, create/read/update/delete of rows by class and ref, queries
 * by one field, and the event log that every write appends to in the same
 * transaction (class, ref, operation, generation).
 *
 * Values are json_t in dm.h's conventions. Functions returning json_t * give
 * the caller a new reference (NULL: no such row or an error, logged).
 * Functions returning int give 0 on success and -1 on failure.
 *
 * Locking: a struct db is not thread-safe; the api layer serializes all use.
 */
#ifndef XAPI_DB_H
#define XAPI_DB_H

#include <stdbool.h>

#include <jansson.h>

#include "dm.h"

#define DB_SCHEMA_VERSION 1

struct db;

int db_open(const char *path, struct db **out);
void db_close(struct db *db);

int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* rec must hold every field; missing ones take their datamodel default. */
int db_create(struct db *db, const struct dm_class *c, const char *ref, const json_t *rec);
json_t *db_read(struct db *db, const struct dm_class *c, const char *ref);
bool db_exists(struct db *db, const struct dm_class *c, const char *ref);
json_t *db_read_field(struct db *db, const struct dm_class *c, const char *ref,
		      const struct dm_field *f);
int db_write_field(struct db *db, const struct dm_class *c, const char *ref,
		   const struct dm_field *f, const json_t *v);
int db_delete(struct db *db, const struct dm_class *c, const char *ref);
/* Every row: an object ref -> record. */
json_t *db_read_all(struct db *db, const struct dm_class *c);
/* Calls cb for every row (rec is borrowed); stops at a non-zero return. */
int db_foreach(struct db *db, const struct dm_class *c,
	       int (*cb)(const char *ref, const json_t *rec, void *arg), void *arg);
/*
 * The same, without building records: cb reads the row's columns through
 * db_col_* (i: field index in c->fields; sets and maps come as JSON text).
 */
struct db_row;
int db_foreach_row(struct db *db, const struct dm_class *c,
		   int (*cb)(const char *ref, struct db_row *row, void *arg), void *arg);
const char *db_col_text(struct db_row *row, size_t i);
long long db_col_int(struct db_row *row, size_t i);
double db_col_double(struct db_row *row, size_t i);
/* Refs (array) of rows whose scalar field f equals v. */
json_t *db_find(struct db *db, const struct dm_class *c, const struct dm_field *f,
		const json_t *v);
long long db_count(struct db *db, const struct dm_class *c);

/* Event log. Generations increase by one per logged write. */
enum db_op { DB_ADD, DB_MOD, DB_DEL };
struct db_event {
	long long gen;
	const char *cls;	/* valid during the callback */
	const char *ref;
	enum db_op op;		/* collapsed: add if created in range, del if gone */
	json_t *del_snapshot;	/* last record, for DB_DEL (borrowed) */
};
long long db_generation(struct db *db);
/* The oldest generation the log can still answer from. */
long long db_oldest_generation(struct db *db);
/* One callback per object changed after gen, in order of its last change. */
int db_changes_since(struct db *db, long long gen,
		     int (*cb)(const struct db_event *e, void *arg), void *arg);
/* Logs a "mod" of the row without changing it (event.inject). */
int db_touch(struct db *db, const struct dm_class *c, const char *ref);
/*
 * Event tokens: a generation as 20 zero-padded digits, so tokens compare as
 * strings in the order of their generations. "" parses as -1 (everything);
 * xapi's "<gen>,<gen>" shape is accepted. Parse returns 0 or -1.
 */
void db_token(long long gen, char out[32]);
int db_token_parse(const char *s, long long *gen);
/* Drops log entries older than the newest keep generations. */
int db_prune_events(struct db *db, long long keep);

#endif
