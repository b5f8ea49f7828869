/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rpc.h — XenAPI wire codecs: XML-RPC (expat) and JSON-RPC v1/v2 (jansson).
 *
 * Both codecs share one value representation, jansson's json_t, with one
 * extension: a datetime is an object holding a single RPC_DT_KEY member (see
 * rpc_datetime), so it goes out as <dateTime.iso8601> in XML-RPC and as a
 * plain string in JSON. Integers go out as strings in XML-RPC (XenAPI's int64
 * convention) and as numbers in JSON.
 *
 * Parsers copy nothing in place: they take a body and its length, enforce a
 * nesting limit, and fill a struct rpc_call that the caller owns.
 */
#ifndef XAPI_RPC_H
#define XAPI_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define RPC_DT_KEY "\x01" "datetime"
#define RPC_I4_KEY "\x01" "i4"
#define RPC_MAX_DEPTH 64
#define RPC_METHOD_MAX 256

enum rpc_proto { RPC_XML, RPC_JSON1, RPC_JSON2 };

struct rpc_call {
	enum rpc_proto proto;
	char method[RPC_METHOD_MAX];
	json_t *params;		/* array */
	json_t *id;		/* JSON-RPC id (NULL for XML-RPC) */
};

json_t *rpc_datetime(const char *iso);	/* "YYYYMMDDTHH:MM:SSZ" */
json_t *rpc_datetime_at(long long epoch);
json_t *rpc_datetime_now(void);
const char *rpc_datetime_str(const json_t *v);	/* NULL unless a datetime */
/* An int32 that XML-RPC sends as <i4> (not as an int64 string), e.g. valid_ref_counts. */
json_t *rpc_int32(int v);
bool rpc_int32_get(const json_t *v, int *out);

/* 0 on success; -1 with a reason in err for a malformed body. */
int rpc_parse_xml(const char *body, size_t len, struct rpc_call *out, char *err, size_t errlen);
int rpc_parse_json(const char *body, size_t len, struct rpc_call *out, char *err, size_t errlen);
void rpc_call_clear(struct rpc_call *c);

/*
 * Replies. ok: value is the result. Failure: value is XenAPI's
 * ErrorDescription array [CODE, params...]. Returns a malloc'ed body.
 */
char *rpc_reply(const struct rpc_call *c, bool ok, const json_t *value, size_t *len);
/*
 * A successful reply whose value is a map written one member at a time
 * (get_all_records of thousands of rows without holding them all).
 */
struct rpc_stream {
	const struct rpc_call *c;
	void *b;		/* struct sb */
	size_t n;
	size_t nfield;		/* fields written in the current record */
};
void rpc_stream_begin(struct rpc_stream *s, const struct rpc_call *c);
void rpc_stream_member(struct rpc_stream *s, const char *key, const json_t *v);
char *rpc_stream_end(struct rpc_stream *s, size_t *len);
/* A member that is a record, written field by field between begin and end. */
void rpc_stream_record_begin(struct rpc_stream *s, const char *key);
void rpc_stream_str(struct rpc_stream *s, const char *name, const char *v);
void rpc_stream_int(struct rpc_stream *s, const char *name, long long v);
void rpc_stream_real(struct rpc_stream *s, const char *name, double v);
void rpc_stream_bool(struct rpc_stream *s, const char *name, bool v);
void rpc_stream_datetime(struct rpc_stream *s, const char *name, const char *iso);
/* A set or map given as compact JSON text (as the database stores it). */
void rpc_stream_json_text(struct rpc_stream *s, const char *name, const char *text, bool is_set);
void rpc_stream_record_end(struct rpc_stream *s);
/* The XML-RPC <value> text of v, as task.result holds it. */
char *rpc_xml_value(const json_t *v);
/* v as JSON text, datetimes as strings. */
char *rpc_json_text(const json_t *v);

#endif
