/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rpc.c — XML-RPC and JSON-RPC codecs.
 *
 * Design: the XML parser runs expat over the whole body and builds a small
 * element tree (name, text, children) with a depth limit and no DTD or entity
 * declarations allowed; a second pass converts the tree into json_t values,
 * checking the XML-RPC grammar as it goes. Writers append to an sb buffer.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <expat.h>

#include "rpc.h"
#include "sb.h"

json_t *rpc_datetime(const char *iso)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, RPC_DT_KEY, json_string(iso));
	return o;
}

json_t *rpc_datetime_at(long long epoch)
{
	char buf[32];
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%dT%H:%M:%SZ", &tm);
	return rpc_datetime(buf);
}

json_t *rpc_datetime_now(void)
{
	return rpc_datetime_at((long long)time(NULL));
}

const char *rpc_datetime_str(const json_t *v)
{
	if (!json_is_object(v) || json_object_size(v) != 1)
		return NULL;
	return json_string_value(json_object_get(v, RPC_DT_KEY));
}

json_t *rpc_int32(int v)
{
	return json_pack("{si}", RPC_I4_KEY, v);
}

bool rpc_int32_get(const json_t *v, int *out)
{
	json_t *i;

	if (!json_is_object(v) || json_object_size(v) != 1 || !(i = json_object_get(v, RPC_I4_KEY)) ||
	    !json_is_integer(i))
		return false;
	*out = (int)json_integer_value(i);
	return true;
}

void rpc_call_clear(struct rpc_call *c)
{
	json_decref(c->params);
	json_decref(c->id);
	memset(c, 0, sizeof(*c));
}

/* ---- XML-RPC parsing ---------------------------------------------------- */

struct xnode {
	char *name;
	struct sb text;
	struct xnode *parent, *child, *last, *next;
};

struct xparse {
	XML_Parser p;
	struct xnode *root, *cur;
	int depth;
	const char *err;
};

static void xnode_free(struct xnode *n)
{
	while (n) {
		struct xnode *next = n->next;

		xnode_free(n->child);
		free(n->name);
		sb_free(&n->text);
		free(n);
		n = next;
	}
}

static void x_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xparse *x = ud;
	struct xnode *n;

	if (++x->depth > 4 * RPC_MAX_DEPTH) {
		x->err = "nesting too deep";
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(name)))
		abort();
	n->parent = x->cur;
	if (!x->cur) {
		if (x->root) {
			free(n->name);
			free(n);
			x->err = "two root elements";
			XML_StopParser(x->p, XML_FALSE);
			return;
		}
		x->root = n;
	} else if (x->cur->last) {
		x->cur->last->next = n;
		x->cur->last = n;
	} else {
		x->cur->child = x->cur->last = n;
	}
	x->cur = n;
}

static void x_end(void *ud, const XML_Char *name)
{
	struct xparse *x = ud;

	x->depth--;
	if (x->cur)
		x->cur = x->cur->parent;
}

static void x_text(void *ud, const XML_Char *s, int len)
{
	struct xparse *x = ud;

	if (x->cur)
		sb_add(&x->cur->text, s, (size_t)len);
}

static void x_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
		      const XML_Char *pubid, int has_internal_subset)
{
	struct xparse *x = ud;

	x->err = "DOCTYPE not allowed";
	XML_StopParser(x->p, XML_FALSE);
}

static const char *xtext(const struct xnode *n)
{
	return n->text.p ? n->text.p : "";
}

static bool is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

static int parse_i64(const char *s, long long *out)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (!*s)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	return (errno || *end) ? -1 : 0;
}

static json_t *x_value(const struct xnode *v, int depth, const char **err);

static json_t *x_struct(const struct xnode *s, int depth, const char **err)
{
	json_t *o = json_object();
	const struct xnode *m, *k;

	for (m = s->child; m; m = m->next) {
		const struct xnode *name = NULL, *val = NULL;
		json_t *jv;

		if (strcmp(m->name, "member") != 0)
			goto bad;
		for (k = m->child; k; k = k->next) {
			if (strcmp(k->name, "name") == 0 && !name)
				name = k;
			else if (strcmp(k->name, "value") == 0 && !val)
				val = k;
			else
				goto bad;
		}
		if (!name || !val || name->child)
			goto bad;
		jv = x_value(val, depth + 1, err);
		if (!jv)
			goto fail;
		json_object_set_new(o, xtext(name), jv);
	}
	return o;
bad:
	*err = "malformed struct";
fail:
	json_decref(o);
	return NULL;
}

static json_t *x_array(const struct xnode *a, int depth, const char **err)
{
	json_t *arr = json_array();
	const struct xnode *d = a->child, *v;

	if (!d || d->next || strcmp(d->name, "data") != 0) {
		*err = "malformed array";
		goto fail;
	}
	for (v = d->child; v; v = v->next) {
		json_t *jv;

		if (strcmp(v->name, "value") != 0) {
			*err = "malformed array";
			goto fail;
		}
		jv = x_value(v, depth + 1, err);
		if (!jv)
			goto fail;
		json_array_append_new(arr, jv);
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

static json_t *x_scalar(const struct xnode *t, const char **err)
{
	const char *s = xtext(t);
	long long i;
	char *end;
	double d;

	if (t->child) {
		*err = "element inside a scalar";
		return NULL;
	}
	if (!strcmp(t->name, "string") || !strcmp(t->name, "base64"))
		return json_string(s);
	if (!strcmp(t->name, "int") || !strcmp(t->name, "i4") || !strcmp(t->name, "i8")) {
		if (parse_i64(s, &i) == 0)
			return json_integer(i);
		*err = "bad integer";
		return NULL;
	}
	if (!strcmp(t->name, "boolean")) {
		if (!strcmp(s, "0") || !strcmp(s, "1"))
			return json_boolean(s[0] == '1');
		*err = "bad boolean";
		return NULL;
	}
	if (!strcmp(t->name, "double")) {
		errno = 0;
		d = strtod(s, &end);
		if (*s && !*end && !errno && isfinite(d))
			return json_real(d);
		*err = "bad double";
		return NULL;
	}
	if (!strcmp(t->name, "dateTime.iso8601"))
		return rpc_datetime(s);
	if (!strcmp(t->name, "nil"))
		return json_null();
	*err = "unknown value type";
	return NULL;
}

static json_t *x_value(const struct xnode *v, int depth, const char **err)
{
	const struct xnode *t = v->child;
	json_t *j;

	if (depth > RPC_MAX_DEPTH) {
		*err = "nesting too deep";
		return NULL;
	}
	if (!t) {
		j = json_string(xtext(v));
		if (!j)
			*err = "string is not UTF-8";
		return j;
	}
	if (t->next || !is_blank(xtext(v))) {
		*err = "malformed value";
		return NULL;
	}
	if (!strcmp(t->name, "struct"))
		return x_struct(t, depth, err);
	if (!strcmp(t->name, "array"))
		return x_array(t, depth, err);
	j = x_scalar(t, err);
	if (!j && !*err)
		*err = "string is not UTF-8";
	return j;
}

static int x_call(const struct xnode *root, struct rpc_call *out, const char **err)
{
	const struct xnode *n, *p;
	bool have_name = false;

	if (strcmp(root->name, "methodCall") != 0) {
		*err = "root is not methodCall";
		return -1;
	}
	out->params = json_array();
	for (n = root->child; n; n = n->next) {
		if (!strcmp(n->name, "methodName") && !have_name && !n->child) {
			const char *m = xtext(n);

			if (strlen(m) == 0 || strlen(m) >= RPC_METHOD_MAX) {
				*err = "bad methodName";
				return -1;
			}
			strcpy(out->method, m);
			have_name = true;
		} else if (!strcmp(n->name, "params")) {
			for (p = n->child; p; p = p->next) {
				json_t *v;

				if (strcmp(p->name, "param") || !p->child || p->child->next ||
				    strcmp(p->child->name, "value")) {
					*err = "malformed param";
					return -1;
				}
				v = x_value(p->child, 0, err);
				if (!v)
					return -1;
				json_array_append_new(out->params, v);
			}
		} else {
			*err = "unexpected element in methodCall";
			return -1;
		}
	}
	if (!have_name) {
		*err = "no methodName";
		return -1;
	}
	return 0;
}

int rpc_parse_xml(const char *body, size_t len, struct rpc_call *out, char *err, size_t errlen)
{
	struct xparse x = {0};
	const char *why = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->proto = RPC_XML;
	if (len > INT32_MAX) {
		snprintf(err, errlen, "body too large");
		return -1;
	}
	x.p = XML_ParserCreate("UTF-8");
	if (!x.p)
		abort();
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, x_start, x_end);
	XML_SetCharacterDataHandler(x.p, x_text);
	XML_SetStartDoctypeDeclHandler(x.p, x_doctype);
	if (XML_Parse(x.p, body, (int)len, XML_TRUE) != XML_STATUS_OK) {
		snprintf(err, errlen, "XML: %s", x.err ? x.err : XML_ErrorString(XML_GetErrorCode(x.p)));
		goto out;
	}
	if (!x.root) {
		snprintf(err, errlen, "XML: empty document");
		goto out;
	}
	if (x_call(x.root, out, &why)) {
		snprintf(err, errlen, "XML-RPC: %s", why ? why : "malformed");
		rpc_call_clear(out);
		goto out;
	}
	rc = 0;
out:
	xnode_free(x.root);
	XML_ParserFree(x.p);
	return rc;
}

/* ---- JSON-RPC parsing --------------------------------------------------- */

static int json_depth_ok(const json_t *v, int depth)
{
	size_t i;
	const char *k;
	json_t *e;

	if (depth > RPC_MAX_DEPTH)
		return 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (!json_depth_ok(e, depth + 1))
				return 0;
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e)
			if (!json_depth_ok(e, depth + 1))
				return 0;
	}
	return 1;
}

int rpc_parse_json(const char *body, size_t len, struct rpc_call *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *m, *p, *ver;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "JSON: %s at %d:%d", jerr.text, jerr.line, jerr.column);
		return -1;
	}
	if (!json_is_object(root) || !json_depth_ok(root, 0)) {
		snprintf(err, errlen, "JSON-RPC: request is not an object or nests too deep");
		goto out;
	}
	m = json_object_get(root, "method");
	p = json_object_get(root, "params");
	ver = json_object_get(root, "jsonrpc");
	if (!json_is_string(m) || json_string_length(m) == 0 ||
	    json_string_length(m) >= RPC_METHOD_MAX || strlen(json_string_value(m)) != json_string_length(m)) {
		snprintf(err, errlen, "JSON-RPC: bad method");
		goto out;
	}
	if (p && !json_is_array(p) && !json_is_null(p)) {
		snprintf(err, errlen, "JSON-RPC: params is not an array");
		goto out;
	}
	if (ver && !(json_is_string(ver) && (!strcmp(json_string_value(ver), "2.0") ||
					     !strcmp(json_string_value(ver), "1.0")))) {
		snprintf(err, errlen, "JSON-RPC: bad jsonrpc version");
		goto out;
	}
	out->proto = (ver && !strcmp(json_string_value(ver), "2.0")) ? RPC_JSON2 : RPC_JSON1;
	strcpy(out->method, json_string_value(m));
	out->params = json_is_array(p) ? json_incref(p) : json_array();
	out->id = json_incref(json_object_get(root, "id"));
	if (!out->id)
		out->id = json_null();
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* ---- writers ------------------------------------------------------------ */

/* Characters xml_escape must rewrite: markup, CR, and controls XML 1.0 forbids. */
static bool xml_special(unsigned char c)
{
	return c == '&' || c == '<' || c == '>' || (c < 0x20 && c != '\n' && c != '\t');
}

static void xml_escape(struct sb *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		if (!xml_special((unsigned char)*s))
			continue;
		sb_add(b, run, (size_t)(s - run));
		switch (*s) {
		case '&': SB_LIT(b, "&amp;"); break;
		case '<': SB_LIT(b, "&lt;"); break;
		case '>': SB_LIT(b, "&gt;"); break;
		case '\r': SB_LIT(b, "&#13;"); break;
		default: break;		/* not representable in XML 1.0: dropped */
		}
		run = s + 1;
	}
	sb_add(b, run, (size_t)(s - run));
}

static void fmt_double(char *buf, size_t n, double d)
{
	snprintf(buf, n, "%.17g", d);
	if (!strpbrk(buf, ".eEn"))
		strncat(buf, ".", n - strlen(buf) - 1), strncat(buf, "0", n - strlen(buf) - 1);
}

static void xml_value(struct sb *b, const json_t *v)
{
	const char *k, *dt;
	json_t *e;
	size_t i;
	char num[48];
	int i4;

	if (!v) {
		SB_LIT(b, "<value></value>");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		SB_LIT(b, "<value>");
		xml_escape(b, json_string_value(v));
		SB_LIT(b, "</value>");
		break;
	case JSON_INTEGER:
		SB_LIT(b, "<value>");
		sb_addll(b, json_integer_value(v));
		SB_LIT(b, "</value>");
		break;
	case JSON_REAL:
		fmt_double(num, sizeof(num), json_real_value(v));
		sb_addf(b, "<value><double>%s</double></value>", num);
		break;
	case JSON_TRUE:
		SB_LIT(b, "<value><boolean>1</boolean></value>");
		break;
	case JSON_FALSE:
		SB_LIT(b, "<value><boolean>0</boolean></value>");
		break;
	case JSON_NULL:
		SB_LIT(b, "<value></value>");
		break;
	case JSON_ARRAY:
		SB_LIT(b, "<value><array><data>");
		json_array_foreach(v, i, e)
			xml_value(b, e);
		SB_LIT(b, "</data></array></value>");
		break;
	case JSON_OBJECT:
		if (rpc_int32_get(v, &i4)) {
			sb_addf(b, "<value><i4>%d</i4></value>", i4);
			break;
		}
		if ((dt = rpc_datetime_str(v))) {
			SB_LIT(b, "<value><dateTime.iso8601>");
			xml_escape(b, dt);
			SB_LIT(b, "</dateTime.iso8601></value>");
			break;
		}
		SB_LIT(b, "<value><struct>");
		json_object_foreach((json_t *)v, k, e) {
			SB_LIT(b, "<member><name>");
			xml_escape(b, k);
			SB_LIT(b, "</name>");
			xml_value(b, e);
			SB_LIT(b, "</member>");
		}
		SB_LIT(b, "</struct></value>");
		break;
	}
}

static void json_str(struct sb *b, const char *s)
{
	const char *run = s;
	char esc[8];

	sb_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(b, run, (size_t)(s - run));
		switch (c) {
		case '"': SB_LIT(b, "\\\""); break;
		case '\\': SB_LIT(b, "\\\\"); break;
		case '\n': SB_LIT(b, "\\n"); break;
		case '\r': SB_LIT(b, "\\r"); break;
		case '\t': SB_LIT(b, "\\t"); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_adds(b, esc);
		}
		run = s + 1;
	}
	sb_add(b, run, (size_t)(s - run));
	sb_addc(b, '"');
}

static void json_value(struct sb *b, const json_t *v)
{
	const char *k, *dt;
	json_t *e;
	size_t i;
	char num[48];
	int i4;

	if (!v) {
		SB_LIT(b, "null");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		json_str(b, json_string_value(v));
		break;
	case JSON_INTEGER:
		sb_addll(b, json_integer_value(v));
		break;
	case JSON_REAL:
		fmt_double(num, sizeof(num), json_real_value(v));
		sb_adds(b, num);
		break;
	case JSON_TRUE:
		SB_LIT(b, "true");
		break;
	case JSON_FALSE:
		SB_LIT(b, "false");
		break;
	case JSON_NULL:
		SB_LIT(b, "null");
		break;
	case JSON_ARRAY:
		sb_addc(b, '[');
		json_array_foreach(v, i, e) {
			if (i)
				sb_addc(b, ',');
			json_value(b, e);
		}
		sb_addc(b, ']');
		break;
	case JSON_OBJECT:
		if ((dt = rpc_datetime_str(v))) {
			json_str(b, dt);
			break;
		}
		if (rpc_int32_get(v, &i4)) {
			sb_addf(b, "%d", i4);
			break;
		}
		sb_addc(b, '{');
		i = 0;
		json_object_foreach((json_t *)v, k, e) {
			if (i++)
				sb_addc(b, ',');
			json_str(b, k);
			sb_addc(b, ':');
			json_value(b, e);
		}
		sb_addc(b, '}');
		break;
	}
}

char *rpc_xml_value(const json_t *v)
{
	struct sb b = {0};

	xml_value(&b, v);
	return sb_take(&b, NULL);
}

char *rpc_json_text(const json_t *v)
{
	struct sb b = {0};

	json_value(&b, v);
	return sb_take(&b, NULL);
}

static void reply_xml(struct sb *b, bool ok, const json_t *value)
{
	sb_adds(b, "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>"
		   "<member><name>Status</name>");
	if (ok) {
		SB_LIT(b, "<value>Success</value></member><member><name>Value</name>");
		xml_value(b, value);
	} else {
		SB_LIT(b, "<value>Failure</value></member><member><name>ErrorDescription</name>");
		xml_value(b, value);
	}
	SB_LIT(b, "</member></struct></value></param></params></methodResponse>");
}

static void reply_json(struct sb *b, const struct rpc_call *c, bool ok, const json_t *value)
{
	json_t *e;
	size_t i;

	sb_addc(b, '{');
	if (c->proto == RPC_JSON2)
		SB_LIT(b, "\"jsonrpc\":\"2.0\",");
	if (ok) {
		SB_LIT(b, "\"result\":");
		json_value(b, value);
		if (c->proto == RPC_JSON1)
			SB_LIT(b, ",\"error\":null");
	} else if (c->proto == RPC_JSON2) {
		SB_LIT(b, "\"error\":{\"code\":1,\"message\":");
		json_value(b, json_array_get(value, 0));
		SB_LIT(b, ",\"data\":[");
		json_array_foreach(value, i, e) {
			if (i > 1)
				sb_addc(b, ',');
			if (i)
				json_value(b, e);
		}
		SB_LIT(b, "]}");
	} else {
		SB_LIT(b, "\"result\":null,\"error\":");
		json_value(b, value);
	}
	SB_LIT(b, ",\"id\":");
	json_value(b, c->id ? c->id : json_null());
	SB_LIT(b, "}\n");
}

char *rpc_reply(const struct rpc_call *c, bool ok, const json_t *value, size_t *len)
{
	struct sb b = {0};

	if (c->proto == RPC_XML)
		reply_xml(&b, ok, value);
	else
		reply_json(&b, c, ok, value);
	return sb_take(&b, len);
}

void rpc_stream_begin(struct rpc_stream *s, const struct rpc_call *c)
{
	struct sb *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	s->c = c;
	s->b = b;
	s->n = 0;
	if (c->proto == RPC_XML)
		sb_adds(b, "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>"
			   "<member><name>Status</name><value>Success</value></member>"
			   "<member><name>Value</name><value><struct>");
	else
		sb_adds(b, c->proto == RPC_JSON2 ? "{\"jsonrpc\":\"2.0\",\"result\":{" : "{\"result\":{");
}

void rpc_stream_member(struct rpc_stream *s, const char *key, const json_t *v)
{
	struct sb *b = s->b;

	if (s->c->proto == RPC_XML) {
		SB_LIT(b, "<member><name>");
		xml_escape(b, key);
		SB_LIT(b, "</name>");
		xml_value(b, v);
		SB_LIT(b, "</member>");
	} else {
		if (s->n)
			sb_addc(b, ',');
		json_str(b, key);
		sb_addc(b, ':');
		json_value(b, v);
	}
	s->n++;
}

char *rpc_stream_end(struct rpc_stream *s, size_t *len)
{
	struct sb *b = s->b;
	char *out;

	if (s->c->proto == RPC_XML) {
		SB_LIT(b, "</struct></value></member></struct></value></param></params></methodResponse>");
	} else {
		sb_adds(b, s->c->proto == RPC_JSON1 ? "},\"error\":null,\"id\":" : "},\"id\":");
		json_value(b, s->c->id ? s->c->id : json_null());
		SB_LIT(b, "}\n");
	}
	out = sb_take(b, len);
	free(b);
	return out;
}

void rpc_stream_record_begin(struct rpc_stream *s, const char *key)
{
	struct sb *b = s->b;

	if (s->c->proto == RPC_XML) {
		SB_LIT(b, "<member><name>");
		xml_escape(b, key);
		SB_LIT(b, "</name><value><struct>");
	} else {
		if (s->n)
			sb_addc(b, ',');
		json_str(b, key);
		SB_LIT(b, ":{");
	}
	s->n++;
	s->nfield = 0;
}

static void field_name(struct rpc_stream *s, const char *name)
{
	struct sb *b = s->b;

	if (s->c->proto == RPC_XML) {
		SB_LIT(b, "<member><name>");
		sb_adds(b, name);	/* datamodel names need no escaping */
		SB_LIT(b, "</name>");
	} else {
		if (s->nfield)
			sb_addc(b, ',');
		sb_addc(b, '"');
		sb_adds(b, name);
		SB_LIT(b, "\":");
	}
	s->nfield++;
}

static void field_end(struct rpc_stream *s)
{
	if (s->c->proto == RPC_XML)
		SB_LIT((struct sb *)s->b, "</member>");
}

void rpc_stream_str(struct rpc_stream *s, const char *name, const char *v)
{
	struct sb *b = s->b;

	field_name(s, name);
	if (s->c->proto == RPC_XML) {
		SB_LIT(b, "<value>");
		xml_escape(b, v);
		SB_LIT(b, "</value>");
	} else {
		json_str(b, v);
	}
	field_end(s);
}

void rpc_stream_int(struct rpc_stream *s, const char *name, long long v)
{
	struct sb *b = s->b;

	field_name(s, name);
	if (s->c->proto == RPC_XML) {
		SB_LIT(b, "<value>");
		sb_addll(b, v);
		SB_LIT(b, "</value>");
	} else {
		sb_addll(b, v);
	}
	field_end(s);
}

void rpc_stream_real(struct rpc_stream *s, const char *name, double v)
{
	char num[48];

	field_name(s, name);
	fmt_double(num, sizeof(num), v);
	if (s->c->proto == RPC_XML)
		sb_addf(s->b, "<value><double>%s</double></value>", num);
	else
		sb_adds(s->b, num);
	field_end(s);
}

void rpc_stream_bool(struct rpc_stream *s, const char *name, bool v)
{
	field_name(s, name);
	if (s->c->proto == RPC_XML)
		sb_adds(s->b, v ? "<value><boolean>1</boolean></value>" : "<value><boolean>0</boolean></value>");
	else
		sb_adds(s->b, v ? "true" : "false");
	field_end(s);
}

void rpc_stream_datetime(struct rpc_stream *s, const char *name, const char *iso)
{
	struct sb *b = s->b;

	field_name(s, name);
	if (s->c->proto == RPC_XML) {
		SB_LIT(b, "<value><dateTime.iso8601>");
		xml_escape(b, iso);
		SB_LIT(b, "</dateTime.iso8601></value>");
	} else {
		json_str(b, iso);
	}
	field_end(s);
}

void rpc_stream_json_text(struct rpc_stream *s, const char *name, const char *text, bool is_set)
{
	struct sb *b = s->b;
	json_t *v;

	field_name(s, name);
	if (!strcmp(text, is_set ? "[]" : "{}")) {
		if (s->c->proto == RPC_XML)
			sb_adds(b, is_set ? "<value><array><data></data></array></value>"
					  : "<value><struct></struct></value>");
		else
			sb_adds(b, text);
	} else {
		v = json_loads(text, JSON_DECODE_ANY, NULL);
		if (!v || (is_set ? !json_is_array(v) : !json_is_object(v))) {
			json_decref(v);
			v = is_set ? json_array() : json_object();
		}
		if (s->c->proto == RPC_XML)
			xml_value(b, v);
		else
			json_value(b, v);
		json_decref(v);
	}
	field_end(s);
}

void rpc_stream_record_end(struct rpc_stream *s)
{
	if (s->c->proto == RPC_XML)
		SB_LIT((struct sb *)s->b, "</struct></value></member>");
	else
		sb_addc(s->b, '}');
}
