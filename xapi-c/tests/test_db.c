/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: the database layer (rows, queries, events, persistence, migration). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "unit.h"

static char path[64];

static struct db *fresh(void)
{
	struct db *db;

	snprintf(path, sizeof(path), "/tmp/xapi-c-unit-%d.db", (int)getpid());
	unlink(path);
	REQUIRE(db_open(path, &db) == 0);
	return db;
}

static void gone(void)
{
	char p[80];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static const struct dm_class *VM(void)
{
	return dm_class_find("VM");
}

TEST(db_create_read_update_delete)
{
	struct db *db = fresh();
	json_t *rec = json_pack("{sssssI}", "uuid", "u-1", "name_label", "one", "memory_static_max",
				(json_int_t)(1LL << 33));
	json_t *r, *v, *refs;

	REQUIRE(db_begin(db) == 0);
	CHECK_EQ(db_create(db, VM(), "OpaqueRef:1", rec), 0);
	CHECK_EQ(db_commit(db), 0);
	r = db_read(db, VM(), "OpaqueRef:1");
	REQUIRE(r != NULL);
	CHECK_STR(json_string_value(json_object_get(r, "name_label")), "one");
	CHECK_EQ(json_integer_value(json_object_get(r, "memory_static_max")), 1LL << 33);
	/* every field present, with its default */
	CHECK_EQ(json_object_size(r), VM()->nfields);
	CHECK_STR(json_string_value(json_object_get(r, "power_state")), "Halted");
	CHECK(json_is_array(json_object_get(r, "VBDs")));
	CHECK_EQ(json_integer_value(json_object_get(r, "VCPUs_max")), 1);
	json_decref(r);

	REQUIRE(db_begin(db) == 0);
	v = json_pack("{ss}", "k", "v");
	CHECK_EQ(db_write_field(db, VM(), "OpaqueRef:1", dm_field_find(VM(), "other_config"), v), 0);
	json_decref(v);
	CHECK_EQ(db_commit(db), 0);
	v = db_read_field(db, VM(), "OpaqueRef:1", dm_field_find(VM(), "other_config"));
	CHECK_STR(json_string_value(json_object_get(v, "k")), "v");
	json_decref(v);

	v = json_string("one");
	refs = db_find(db, VM(), dm_field_find(VM(), "name_label"), v);
	CHECK_EQ(json_array_size(refs), 1);
	json_decref(refs);
	json_decref(v);
	CHECK_EQ(db_count(db, VM()), 1);

	REQUIRE(db_begin(db) == 0);
	CHECK_EQ(db_delete(db, VM(), "OpaqueRef:1"), 0);
	CHECK_EQ(db_commit(db), 0);
	CHECK(!db_exists(db, VM(), "OpaqueRef:1"));
	CHECK_EQ(db_count(db, VM()), 0);
	json_decref(rec);
	db_close(db);
	gone();
}

TEST(db_rollback_writes_nothing)
{
	struct db *db = fresh();
	json_t *rec = json_pack("{ss}", "name_label", "x");
	long long g0 = db_generation(db);

	REQUIRE(db_begin(db) == 0);
	CHECK_EQ(db_create(db, VM(), "OpaqueRef:r", rec), 0);
	CHECK(db_generation(db) > g0);
	db_rollback(db);
	CHECK(!db_exists(db, VM(), "OpaqueRef:r"));
	CHECK_EQ(db_generation(db), g0);
	json_decref(rec);
	db_close(db);
	gone();
}

struct seen {
	int n;
	char ops[8][8];
	char refs[8][32];
};

static int seen_cb(const struct db_event *e, void *arg)
{
	struct seen *s = arg;
	static const char *const names[] = {"add", "mod", "del"};

	if (s->n < 8) {
		snprintf(s->ops[s->n], 8, "%s", names[e->op]);
		snprintf(s->refs[s->n], 32, "%s", e->ref);
	}
	s->n++;
	return 0;
}

TEST(db_events_collapse_per_object)
{
	struct db *db = fresh();
	json_t *rec = json_pack("{ss}", "name_label", "x"), *v = json_string("y");
	struct seen s = {0};
	long long t0, t1;

	REQUIRE(db_begin(db) == 0);
	db_create(db, VM(), "OpaqueRef:a", rec);
	db_create(db, VM(), "OpaqueRef:b", rec);
	db_commit(db);
	t0 = db_generation(db);
	REQUIRE(db_begin(db) == 0);
	db_write_field(db, VM(), "OpaqueRef:a", dm_field_find(VM(), "name_label"), v);
	db_write_field(db, VM(), "OpaqueRef:a", dm_field_find(VM(), "name_description"), v);
	db_create(db, VM(), "OpaqueRef:c", rec);
	db_write_field(db, VM(), "OpaqueRef:c", dm_field_find(VM(), "name_label"), v);
	db_delete(db, VM(), "OpaqueRef:b");
	db_commit(db);
	t1 = db_generation(db);
	CHECK_EQ(t1 - t0, 5);
	db_changes_since(db, t0, seen_cb, &s);
	REQUIRE(s.n == 3);	/* one per object */
	CHECK_STR(s.refs[0], "OpaqueRef:a");
	CHECK_STR(s.ops[0], "mod");
	CHECK_STR(s.refs[1], "OpaqueRef:c");
	CHECK_STR(s.ops[1], "add");
	CHECK_STR(s.refs[2], "OpaqueRef:b");
	CHECK_STR(s.ops[2], "del");
	memset(&s, 0, sizeof(s));
	db_changes_since(db, t1, seen_cb, &s);
	CHECK_EQ(s.n, 0);
	json_decref(rec);
	json_decref(v);
	db_close(db);
	gone();
}

TEST(db_token_order)
{
	char a[32], b[32], c[32];
	long long g;

	db_token(9, a);
	db_token(10, b);
	db_token(123456789012LL, c);
	CHECK(strcmp(a, b) < 0 && strcmp(b, c) < 0);
	CHECK_EQ(strlen(a), 20);
	CHECK_EQ(db_token_parse(b, &g), 0);
	CHECK_EQ(g, 10);
	CHECK_EQ(db_token_parse("", &g), 0);
	CHECK_EQ(g, -1);
	CHECK_EQ(db_token_parse("00000000000000000005,00000000000000000001", &g), 0);
	CHECK_EQ(g, 5);
	CHECK(db_token_parse("x", &g) != 0);
	CHECK(db_token_parse("-3", &g) != 0);
	CHECK(db_token_parse("12abc", &g) != 0);
}

TEST(db_persists_and_migrates)
{
	struct db *db = fresh();
	json_t *rec = json_pack("{ss}", "name_label", "keep"), *r;
	sqlite3 *h;
	long long g;

	REQUIRE(db_begin(db) == 0);
	db_create(db, VM(), "OpaqueRef:p", rec);
	db_commit(db);
	g = db_generation(db);
	db_close(db);
	/* an older schema without a column the datamodel now has */
	REQUIRE(sqlite3_open(path, &h) == SQLITE_OK);
	CHECK_EQ(sqlite3_exec(h, "ALTER TABLE \"VM\" DROP COLUMN \"NVRAM\"", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	REQUIRE(db_open(path, &db) == 0);
	CHECK_EQ(db_generation(db), g);
	r = db_read(db, VM(), "OpaqueRef:p");
	REQUIRE(r != NULL);
	CHECK_STR(json_string_value(json_object_get(r, "name_label")), "keep");
	CHECK(json_is_object(json_object_get(r, "NVRAM")));
	json_decref(r);
	json_decref(rec);
	db_close(db);
	gone();
}
