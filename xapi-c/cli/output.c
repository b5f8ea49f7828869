/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xe: how records, --minimal lists and errors are printed.
 *
 * Design: xe prints a record as one "name ( RW): value" line per field, the
 * first left-aligned and the others right-aligned on the colon, and a blank
 * line after each record. Field names use dashes. Values: enums lower-case,
 * sets "a; b", maps "k: v; k2: v2", booleans true/false, the null reference as
 * "<not in database>". XenAPI errors are looked up in a table that gives a
 * sentence (with %1..%9 standing for the error's parameters) and names for
 * the parameters; unknown codes print their parameters raw. Every error ends
 * with "error code: CODE" so scripts can match it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xe.h"

/* Fields whose values are enums that xe prints in lower case. */
static const char *const enum_fields[] = {
	"power_state", "allowed_operations", "current_operations", "status", NULL,
};

static int is_enum_field(const char *api_field)
{
	for (const char *const *f = enum_fields; *f; f++)
		if (strcmp(*f, api_field) == 0)
			return 1;
	return 0;
}

static void put_scalar(struct xe_buf *out, const struct xe_val *v, int lower)
{
	switch (v->type) {
	case XE_V_STRING:
		if (strcmp(v->s, "OpaqueRef:NULL") == 0) {
			xe_buf_puts(out, "<not in database>");
		} else if (lower) {
			for (const char *p = v->s; *p; p++) {
				char c = (char)tolower((unsigned char)*p);

				xe_buf_add(out, &c, 1);
			}
		} else {
			xe_buf_puts(out, v->s);
		}
		break;
	case XE_V_DATETIME:
		xe_buf_puts(out, v->s);
		break;
	case XE_V_INT:
		xe_buf_printf(out, "%lld", v->i);
		break;
	case XE_V_BOOL:
		xe_buf_puts(out, v->i ? "true" : "false");
		break;
	case XE_V_DOUBLE:
		xe_buf_printf(out, "%g", v->d);
		break;
	default:
		break;
	}
}

static void put_value(struct xe_buf *out, const struct xe_val *v, int lower, int depth)
{
	if (depth > XE_XML_MAX_DEPTH)
		return;
	switch (v->type) {
	case XE_V_ARRAY:
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				xe_buf_puts(out, "; ");
			put_value(out, v->items[i], lower, depth + 1);
		}
		break;
	case XE_V_STRUCT:
		for (size_t i = 0; i < v->n; i++) {
			xe_buf_printf(out, "%s%s: ", i ? "; " : "", v->keys[i]);
			put_value(out, v->items[i], lower, depth + 1);
		}
		break;
	case XE_V_NIL:
		break;
	default:
		put_scalar(out, v, lower);
		break;
	}
}

void xe_out_value(struct xe_buf *out, const char *api_field, const struct xe_val *v)
{
	if (v)
		put_value(out, v, is_enum_field(api_field), 0);
}

static int add_name(struct xe_fieldlist *fl, const char *name, size_t len)
{
	const size_t max = sizeof(fl->names) / sizeof(fl->names[0]);

	if (fl->n == max || !len)
		return -1;
	fl->names[fl->n] = strndup(name, len);
	if (!fl->names[fl->n])
		return -1;
	fl->n++;
	return 0;
}

void xe_out_select(struct xe_fieldlist *fl, const struct xe_val *record,
		   const char *params, const char *const *defaults)
{
	char xe[256];

	memset(fl, 0, sizeof(*fl));
	if (!params) {
		for (const char *const *d = defaults; *d; d++)
			add_name(fl, *d, strlen(*d));
		return;
	}
	if (strcmp(params, "all") == 0) {
		/* uuid first, as xe does, then the record's order */
		if (xe_val_get(record, "uuid"))
			add_name(fl, "uuid", 4);
		for (size_t i = 0; record && i < record->n; i++) {
			if (strcmp(record->keys[i], "uuid") == 0)
				continue;
			xe_field_to_xe(record->keys[i], xe, sizeof(xe));
			add_name(fl, xe, strlen(xe));
		}
		return;
	}
	for (const char *p = params; *p;) {
		size_t len = strcspn(p, ",");

		add_name(fl, p, len);
		p += len;
		p += *p == ',';
	}
}

void xe_out_fieldlist_free(struct xe_fieldlist *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->names[i]);
	fl->n = 0;
}

static const char *mode_of(const struct xe_val *v, int rw)
{
	int coll = v && (v->type == XE_V_ARRAY || v->type == XE_V_STRUCT);

	if (coll)
		return rw ? "MRW" : (v->type == XE_V_STRUCT ? "MRO" : "SRO");
	return rw ? " RW" : " RO";
}

void xe_out_record(struct xe_buf *out, const struct xe_val *record,
		   const struct xe_fieldlist *fl, xe_rw_fn rw, void *ctx)
{
	int width = 0;
	char api[256];

	for (size_t i = 0; i < fl->n; i++)
		if ((int)strlen(fl->names[i]) > width)
			width = (int)strlen(fl->names[i]);
	for (size_t i = 0; i < fl->n; i++) {
		const struct xe_val *v;
		int w;

		xe_field_to_api(fl->names[i], api, sizeof(api));
		v = xe_val_get(record, api);
		w = rw ? rw(api, ctx) : 0;
		if (i == 0)
			xe_buf_printf(out, "%-*s (%s): ", width, fl->names[i], mode_of(v, w));
		else
			xe_buf_printf(out, "%*s (%s): ", width, fl->names[i], mode_of(v, w));
		if (v)
			xe_out_value(out, api, v);
		else
			xe_buf_puts(out, "<unknown field>");
		xe_buf_puts(out, "\n");
	}
	xe_buf_puts(out, "\n\n");
}

void xe_out_minimal(struct xe_buf *out, const struct xe_val *const *records,
		    size_t n, const char *xe_field)
{
	char api[256];

	xe_field_to_api(xe_field, api, sizeof(api));
	for (size_t i = 0; i < n; i++) {
		if (i)
			xe_buf_puts(out, ",");
		xe_out_value(out, api, xe_val_get(records[i], api));
	}
	xe_buf_puts(out, "\n");
}

/* ---- errors -------------------------------------------------------------- */

struct err_text {
	const char *code;
	const char *sentence;   /* %1..%9: the error's parameters */
	const char *params[4];  /* names for the parameters, in order */
};

static const struct err_text errors[] = {
	{"VM_BAD_POWER_STATE", "The VM must be %2 to perform the requested operation (it is currently %3).",
	 {"vm", "expected", "actual"}},
	{"SESSION_AUTHENTICATION_FAILED", "Authentication failed: the user name or password is incorrect.",
	 {"user", "reason"}},
	{"SESSION_INVALID", "The session is not valid: it may have expired or the server restarted.",
	 {"session"}},
	{"HANDLE_INVALID", "The object does not exist: it may have been deleted.",
	 {"class", "handle"}},
	{"UUID_INVALID", "No object has this uuid.", {"class", "uuid"}},
	{"MESSAGE_METHOD_UNKNOWN", "The server does not know this method.", {"method"}},
	{"MESSAGE_PARAMETER_COUNT_MISMATCH", "The method was called with the wrong number of parameters.",
	 {"method", "expected", "received"}},
	{"OTHER_OPERATION_IN_PROGRESS", "Another operation on this object is in progress.",
	 {"class", "object"}},
	{"OPERATION_NOT_ALLOWED", "The operation is not allowed.", {"reason"}},
	{"VM_IS_TEMPLATE", "The operation cannot be performed on a template.", {"vm"}},
	{"FIELD_TYPE_ERROR", "A field has a value of the wrong type.", {"field"}},
	{"INVALID_VALUE", "A value given is not valid.", {"field", "value"}},
	{"MAP_DUPLICATE_KEY", "The map already has this key.", {"type", "field", "object", "key"}},
	{"PERMISSION_DENIED", "Permission denied.", {"reason"}},
	{"INTERNAL_ERROR", "The server failed to handle the request because of an internal error.",
	 {"message"}},
	/* xe's own, raised before any call */
	{"XE_NO_MATCH", "No %1 matches the given parameters.", {"class"}},
	{"XE_MULTIPLE_MATCHES", "%2 %1 objects match; add --multiple to act on all of them.",
	 {"class", "count"}},
	{"XE_PARAM_MISSING", "A required parameter is missing.", {"parameter"}},
	{"XE_PARAM_INVALID", "A parameter has a value xe cannot use.", {"parameter", "value"}},
	{"XE_UNKNOWN_FIELD", "The object has no such field.", {"field"}},
};

static const struct err_text *find_error(const char *code)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (strcmp(errors[i].code, code) == 0)
			return &errors[i];
	return NULL;
}

static const char *param_str(const struct xe_val *ed, size_t i)
{
	const char *s = i < ed->n ? xe_val_cstr(ed->items[i]) : NULL;

	return s ? s : "";
}

static void put_sentence(struct xe_buf *out, const char *s, const struct xe_val *ed)
{
	for (; *s; s++) {
		if (s[0] == '%' && s[1] >= '1' && s[1] <= '9') {
			const char *p = param_str(ed, (size_t)(s[1] - '0'));

			for (; *p; p++) {  /* power states read better lower-case */
				char c = (char)tolower((unsigned char)*p);

				xe_buf_add(out, &c, 1);
			}
			s++;
		} else {
			xe_buf_add(out, s, 1);
		}
	}
	xe_buf_puts(out, "\n");
}

void xe_out_error(struct xe_buf *out, const struct xe_val *ed)
{
	const char *code = ed && ed->type == XE_V_ARRAY && ed->n ? xe_val_cstr(ed->items[0]) : NULL;
	const struct err_text *t;

	if (!code) {
		xe_buf_puts(out, "The server returned a malformed error.\nerror code: INTERNAL_ERROR\n");
		return;
	}
	t = find_error(code);
	if (t) {
		put_sentence(out, t->sentence, ed);
		for (size_t i = 1; i < ed->n; i++) {
			const char *name = i - 1 < 4 && t->params[i - 1] ? t->params[i - 1] : "parameter";

			xe_buf_printf(out, "%s: %s\n", name, param_str(ed, i));
		}
	} else {
		xe_buf_puts(out, "The server reported an error.\n");
		if (ed->n > 1) {
			xe_buf_puts(out, "error parameters: ");
			for (size_t i = 1; i < ed->n; i++)
				xe_buf_printf(out, "%s%s", i > 1 ? ", " : "", param_str(ed, i));
			xe_buf_puts(out, "\n");
		}
	}
	xe_buf_printf(out, "error code: %s\n", code);
}
