/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * report.c — parsing of `lvs/vgs/pvs --reportformat json --units b --nosuffix`
 * and `qemu-img info --output=json`.
 *
 * Design: an LVM JSON report is {"report": [{"lv": [{field: "string"}, ...]}]}
 * with every value a string. Each row type has a table of (field name, kind,
 * offset, size) and one generic loop copies the fields it knows into a struct,
 * checking sizes and number syntax; a missing field leaves the default (0, ""
 * or -1 for percentages) so reports with fewer columns still parse. Anything
 * else that does not look like a report (not JSON, no "report" array, a row
 * that is not an object, a number that does not parse) is an error:
 * SR_BACKEND_FAILURE ["EPROTO", "", why].
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srint.h"

enum fkind { F_STR, F_I64, F_BP };

struct field {
	const char *name;
	enum fkind kind;
	size_t off;
	size_t size;
};

#define FSTR(st, json, member) {json, F_STR, offsetof(st, member), sizeof(((st *)0)->member)}
#define FI64(st, json, member) {json, F_I64, offsetof(st, member), sizeof(int64_t)}
#define FBP(st, json, member)  {json, F_BP, offsetof(st, member), sizeof(int)}

static const struct field lv_fields[] = {
	FSTR(struct sr_lv, "lv_name", name),
	FSTR(struct sr_lv, "vg_name", vg),
	FI64(struct sr_lv, "lv_size", size),
	FBP(struct sr_lv, "data_percent", data_bp),
	FBP(struct sr_lv, "metadata_percent", meta_bp),
	FSTR(struct sr_lv, "lv_attr", attr),
	FSTR(struct sr_lv, "origin", origin),
	FSTR(struct sr_lv, "pool_lv", pool),
	FSTR(struct sr_lv, "lv_tags", tags),
	{NULL, F_STR, 0, 0},
};

static const struct field vg_fields[] = {
	FSTR(struct sr_vg, "vg_name", name),
	FI64(struct sr_vg, "vg_size", size),
	FI64(struct sr_vg, "vg_free", free),
	FI64(struct sr_vg, "vg_extent_size", extent_size),
	FI64(struct sr_vg, "vg_extent_count", extent_count),
	FI64(struct sr_vg, "vg_free_count", free_count),
	FSTR(struct sr_vg, "vg_tags", tags),
	{NULL, F_STR, 0, 0},
};

static const struct field pv_fields[] = {
	FSTR(struct sr_pv, "pv_name", name),
	FSTR(struct sr_pv, "vg_name", vg),
	FI64(struct sr_pv, "pv_size", size),
	FI64(struct sr_pv, "pv_free", free),
	{NULL, F_STR, 0, 0},
};

static int proto_fail(struct sr_error *err, const char *what, const char *detail)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "malformed report: %s%s%s", what, detail ? ": " : "",
		 detail ? detail : "");
	SR_LOG("%s", msg);
	return sr_fail(err, SR_E_BACKEND_FAILURE, 3, "EPROTO", "", msg);
}

int sr_parse_percent_bp(const char *s, int *bp)
{
	long whole = 0, frac = 0;
	int digits = 0;
	const char *p = s;

	if (*s == '\0') {
		*bp = -1;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9' && whole < 100000)
		whole = whole * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (digits < 2) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
	}
	if (*p != '\0' || whole >= 100000)
		return -1;
	while (digits++ < 2)
		frac *= 10;
	*bp = (int)(whole * 100 + frac);
	return 0;
}

static int parse_i64(const char *s, int64_t *v)
{
	char *end;

	if (*s == '\0') {
		*v = 0;
		return 0;
	}
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || *end != '\0' || x < 0)
		return -1;
	*v = x;
	return 0;
}

static int fill_field(const struct field *f, const char *s, void *row)
{
	char *dst = (char *)row + f->off;

	switch (f->kind) {
	case F_STR:
		return sr_copy_str(dst, f->size, s);
	case F_I64:
		return parse_i64(s, (int64_t *)(void *)dst);
	case F_BP:
		return sr_parse_percent_bp(s, (int *)(void *)dst);
	}
	return -1;
}

static void row_defaults(const struct field *fields, void *row, size_t rowsize)
{
	memset(row, 0, rowsize);
	for (const struct field *f = fields; f->name; f++)
		if (f->kind == F_BP)
			*(int *)(void *)((char *)row + f->off) = -1;
}

static int fill_row(const struct field *fields, json_t *obj, void *row, size_t rowsize,
		    struct sr_error *err)
{
	row_defaults(fields, row, rowsize);
	for (const struct field *f = fields; f->name; f++) {
		json_t *v = json_object_get(obj, f->name);
		if (!v)
			continue;
		if (!json_is_string(v))
			return proto_fail(err, "field is not a string", f->name);
		if (fill_field(f, json_string_value(v), row) < 0)
			return proto_fail(err, "bad value for field", f->name);
	}
	return 0;
}

/* The row array KIND ("lv", "vg", "pv") of the first report in JSON. */
static json_t *report_rows(json_t *root, const char *kind, struct sr_error *err)
{
	json_t *rep = json_object_get(root, "report");
	json_t *rows;
	size_t i;

	if (!json_is_array(rep))
		return proto_fail(err, "no report array", NULL), NULL;
	for (i = 0; i < json_array_size(rep); i++) {
		rows = json_object_get(json_array_get(rep, i), kind);
		if (rows) {
			if (!json_is_array(rows))
				return proto_fail(err, "rows are not an array", kind), NULL;
			return rows;
		}
	}
	return proto_fail(err, "no rows of kind", kind), NULL;
}

static int parse_report(const char *text, size_t len, const char *kind,
			const struct field *fields, size_t rowsize, void **out, int *n,
			struct sr_error *err)
{
	json_error_t jerr;
	const char *start = memchr(text, '{', len);
	json_t *root, *rows;
	char *buf = NULL;
	size_t i, count;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (!start)
		return proto_fail(err, "no JSON object", NULL);
	root = json_loadb(start, len - (size_t)(start - text), JSON_DISABLE_EOF_CHECK, &jerr);
	if (!root)
		return proto_fail(err, "not JSON", jerr.text);
	rows = report_rows(root, kind, err);
	if (!rows)
		goto out;
	count = json_array_size(rows);
	buf = calloc(count ? count : 1, rowsize);
	if (!buf) {
		sr_fail_errno(err, ENOMEM, "%s", __func__);
		goto out;
	}
	for (i = 0; i < count; i++) {
		json_t *obj = json_array_get(rows, i);
		if (!json_is_object(obj)) {
			proto_fail(err, "row is not an object", kind);
			goto out;
		}
		if (fill_row(fields, obj, buf + i * rowsize, rowsize, err) < 0)
			goto out;
	}
	*out = buf;
	*n = (int)count;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	json_decref(root);
	return rc;
}

int sr_parse_lvs(const char *json, size_t len, struct sr_lv **out, int *n, struct sr_error *err)
{
	return parse_report(json, len, "lv", lv_fields, sizeof(struct sr_lv), (void **)out, n,
			    err);
}

int sr_parse_vgs(const char *json, size_t len, struct sr_vg **out, int *n, struct sr_error *err)
{
	return parse_report(json, len, "vg", vg_fields, sizeof(struct sr_vg), (void **)out, n,
			    err);
}

int sr_parse_pvs(const char *json, size_t len, struct sr_pv **out, int *n, struct sr_error *err)
{
	return parse_report(json, len, "pv", pv_fields, sizeof(struct sr_pv), (void **)out, n,
			    err);
}

static int img_int(json_t *root, const char *key, bool required, int64_t *v,
		   struct sr_error *err)
{
	json_t *j = json_object_get(root, key);

	if (!j) {
		*v = 0;
		return required ? proto_fail(err, "qemu-img info lacks", key) : 0;
	}
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return proto_fail(err, "qemu-img info: not a size", key);
	*v = json_integer_value(j);
	return 0;
}

static int img_str(json_t *root, const char *key, bool required, char *dst, size_t len,
		   struct sr_error *err)
{
	json_t *j = json_object_get(root, key);

	dst[0] = '\0';
	if (!j)
		return required ? proto_fail(err, "qemu-img info lacks", key) : 0;
	if (!json_is_string(j) || sr_copy_str(dst, len, json_string_value(j)) < 0)
		return proto_fail(err, "qemu-img info: bad string", key);
	return 0;
}

int sr_parse_img_info(const char *text, size_t len, struct sr_img_info *out, struct sr_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!root)
		return proto_fail(err, "qemu-img info: not JSON", jerr.text);
	if (!json_is_object(root)) {
		proto_fail(err, "qemu-img info: not an object", NULL);
		goto out;
	}
	if (img_str(root, "format", true, out->format, sizeof(out->format), err) < 0 ||
	    img_int(root, "virtual-size", true, &out->virtual_size, err) < 0 ||
	    img_int(root, "actual-size", false, &out->actual_size, err) < 0 ||
	    img_str(root, "backing-filename", false, out->backing, sizeof(out->backing), err) < 0 ||
	    img_str(root, "backing-filename-format", false, out->backing_format,
		    sizeof(out->backing_format), err) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}
