/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm.h — the declarative XenAPI datamodel: classes, their fields and their
 * messages, as constant C tables (dm.c, one line per field).
 *
 * Everything else is driven from these tables: the SQLite schema (db_), the
 * type checks and marshalling of arguments (api_), the generic messages
 * (get_record, get_<field>, set_<field>, add_to_/remove_from_ maps,
 * add_/remove_ sets), events (ev_) and system.listMethods.
 *
 * Value conventions (shared with rpc_): values are jansson json_t; strings,
 * refs and enums are JSON strings; ints are JSON integers; datetimes are the
 * tagged objects made by rpc_datetime(); sets are arrays; maps are objects
 * whose keys are strings (int and ref keys are written as strings, as XML-RPC
 * does).
 */
#ifndef XAPI_DM_H
#define XAPI_DM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum dm_kind {
	DM_STRING,
	DM_INT,
	DM_FLOAT,
	DM_BOOL,
	DM_DATETIME,
	DM_REF,
	DM_ENUM,
	DM_SET,		/* elem gives the element kind */
	DM_MAP,		/* string keys; elem gives the value kind */
	DM_RECORD,	/* message parameters only: a class record (create) */
};

enum dm_qual {
	DM_RW,		/* settable by clients, given at create */
	DM_SRO,		/* static read-only: given at create, never set afterwards */
	DM_DRO,		/* dynamic read-only: maintained by the daemon */
};

struct dm_enum {
	const char *name;
	const char *const *values;	/* NULL-terminated */
};

struct dm_field {
	const char *name;
	enum dm_kind kind;
	enum dm_kind elem;		/* for DM_SET and DM_MAP */
	enum dm_qual qual;
	const char *ref_class;		/* DM_REF, or a set/map of refs */
	const struct dm_enum *en;	/* DM_ENUM, or a set/map of enums */
	const char *inverse;		/* DM_REF: the set field of ref_class listing us */
	const char *def;		/* default as JSON text; NULL: the kind's zero */
};

struct dm_param {
	const char *name;
	enum dm_kind kind;
	enum dm_kind elem;
	const char *ref_class;
	const struct dm_enum *en;
};

#define DM_MAX_PARAMS 6

/* A message beyond the generic ones; the implementation is looked up by name. */
struct dm_message {
	const char *name;
	int nparams;			/* not counting the session */
	int nrequired;			/* with DM_MSG_VARARGS: the first nrequired */
	struct dm_param params[DM_MAX_PARAMS];
	unsigned flags;
};
#define DM_MSG_NO_SESSION 1u	/* session.login_with_password and friends */
#define DM_MSG_NO_ASYNC   2u	/* no Async.<class>.<name> form */
#define DM_MSG_VARARGS    4u	/* trailing params are optional */

#define DM_CLASS_NO_STORE 1u	/* "event": messages only, no records */
#define DM_CLASS_CREATE   2u	/* generic create(record) and destroy(self) */
#define DM_CLASS_NAMED    4u	/* has name_label: get_by_name_label */
#define DM_CLASS_NO_LIST  8u	/* no get_all/get_all_records (sessions) */

struct dm_class {
	const char *name;		/* as XenAPI spells it: "VM", "host_cpu" */
	const struct dm_field *fields;
	size_t nfields;
	const struct dm_message *messages;
	size_t nmessages;
	unsigned flags;
};

extern const struct dm_class dm_classes[];
extern const size_t dm_nclasses;

const struct dm_class *dm_class_find(const char *name);
/* Case-insensitive, for event.from's lowercase class names. */
const struct dm_class *dm_class_find_ci(const char *name);
const struct dm_field *dm_field_find(const struct dm_class *c, const char *name);
const struct dm_message *dm_message_find(const struct dm_class *c, const char *name);
bool dm_enum_valid(const struct dm_enum *en, const char *value);
/* Lowercase class name for events ("vm"); buf must hold 64 bytes. */
const char *dm_lower(const char *name, char *buf);
/* The default value of a field (a new reference). */
json_t *dm_default(const struct dm_field *f);
/* Checks the tables' own consistency (refs, inverses, defaults); 0 if sound. */
int dm_check(char *err, size_t errlen);

/* Enumerations referenced by the daemon's logic. */
extern const struct dm_enum dm_en_vm_power_state;
extern const struct dm_enum dm_en_vm_operations;
extern const struct dm_enum dm_en_task_status;

#endif
