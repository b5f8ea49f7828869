/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xe: XML-RPC marshalling.
 *
 * Design: requests are written with escaping from a value tree. Responses are
 * parsed by expat (SAX) into a value tree with an explicit stack of frames,
 * one per open element, so depth is bounded (XE_XML_MAX_DEPTH) and nothing
 * recurses on untrusted input. A frame owns the value it builds until the
 * element closes and hands it to its parent; on any error every frame's value
 * is freed. Only the XML-RPC vocabulary is accepted; a DOCTYPE is refused.
 * XenAPI's int64 values travel as strings; xe sends XE_V_INT that way.
 * A response that is not a {Status: ...} struct is taken as a bare value
 * (system.listMethods on some servers), as other XenAPI clients do.
 */
#include <errno.h>
#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "xe.h"

/* ---- writing ------------------------------------------------------------- */

static void put_escaped(struct xe_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': xe_buf_puts(b, "&lt;"); break;
		case '>': xe_buf_puts(b, "&gt;"); break;
		case '&': xe_buf_puts(b, "&amp;"); break;
		case '"': xe_buf_puts(b, "&quot;"); break;
		case '\r': xe_buf_puts(b, "&#13;"); break;
		default: xe_buf_add(b, s, 1); break;
		}
	}
}

static int put_value(struct xe_buf *b, const struct xe_val *v, int depth)
{
	if (!v || depth > XE_XML_MAX_DEPTH)
		return -1;
	xe_buf_puts(b, "<value>");
	switch (v->type) {
	case XE_V_STRING:
		xe_buf_puts(b, "<string>");
		put_escaped(b, v->s);
		xe_buf_puts(b, "</string>");
		break;
	case XE_V_INT:
		xe_buf_printf(b, "<string>%lld</string>", v->i);
		break;
	case XE_V_BOOL:
		xe_buf_printf(b, "<boolean>%d</boolean>", v->i ? 1 : 0);
		break;
	case XE_V_DOUBLE:
		xe_buf_printf(b, "<double>%.17g</double>", v->d);
		break;
	case XE_V_DATETIME:
		xe_buf_puts(b, "<dateTime.iso8601>");
		put_escaped(b, v->s);
		xe_buf_puts(b, "</dateTime.iso8601>");
		break;
	case XE_V_ARRAY:
		xe_buf_puts(b, "<array><data>");
		for (size_t i = 0; i < v->n; i++)
			if (put_value(b, v->items[i], depth + 1))
				return -1;
		xe_buf_puts(b, "</data></array>");
		break;
	case XE_V_STRUCT:
		xe_buf_puts(b, "<struct>");
		for (size_t i = 0; i < v->n; i++) {
			xe_buf_puts(b, "<member><name>");
			put_escaped(b, v->keys[i]);
			xe_buf_puts(b, "</name>");
			if (put_value(b, v->items[i], depth + 1))
				return -1;
			xe_buf_puts(b, "</member>");
		}
		xe_buf_puts(b, "</struct>");
		break;
	case XE_V_NIL:
		xe_buf_puts(b, "<nil/>");
		break;
	}
	xe_buf_puts(b, "</value>");
	return 0;
}

int xe_xml_call(struct xe_buf *out, const char *method,
		struct xe_val *const *params, size_t nparams)
{
	xe_buf_puts(out, "<?xml version=\"1.0\"?>\n<methodCall><methodName>");
	put_escaped(out, method);
	xe_buf_puts(out, "</methodName><params>");
	for (size_t i = 0; i < nparams; i++) {
		xe_buf_puts(out, "<param>");
		if (put_value(out, params[i], 0))
			return -1;
		xe_buf_puts(out, "</param>");
	}
	xe_buf_puts(out, "</params></methodCall>\n");
	return out->oom ? -1 : 0;
}

/* ---- parsing ------------------------------------------------------------- */

enum tag {
	T_METHODRESPONSE, T_PARAMS, T_PARAM, T_FAULT, T_VALUE, T_STRING, T_INT,
	T_BOOLEAN, T_DOUBLE, T_DATETIME, T_BASE64, T_NIL, T_ARRAY, T_DATA,
	T_STRUCT, T_MEMBER, T_NAME, T_COUNT
};

/* Each tag, and the tag its parent must be (T_COUNT: the document). */
static const struct {
	const char *name;
	enum tag parent;
} tags[T_COUNT] = {
	[T_METHODRESPONSE] = {"methodResponse", T_COUNT},
	[T_PARAMS] = {"params", T_METHODRESPONSE},
	[T_PARAM] = {"param", T_PARAMS},
	[T_FAULT] = {"fault", T_METHODRESPONSE},
	[T_VALUE] = {"value", T_COUNT},  /* param, fault, data or member */
	[T_STRING] = {"string", T_VALUE},
	[T_INT] = {"int", T_VALUE},
	[T_BOOLEAN] = {"boolean", T_VALUE},
	[T_DOUBLE] = {"double", T_VALUE},
	[T_DATETIME] = {"dateTime.iso8601", T_VALUE},
	[T_BASE64] = {"base64", T_VALUE},
	[T_NIL] = {"nil", T_VALUE},
	[T_ARRAY] = {"array", T_VALUE},
	[T_DATA] = {"data", T_ARRAY},
	[T_STRUCT] = {"struct", T_VALUE},
	[T_MEMBER] = {"member", T_STRUCT},
	[T_NAME] = {"name", T_MEMBER},
};

struct frame {
	enum tag tag;
	struct xe_val *v;       /* value built (VALUE), container (ARRAY/STRUCT) */
	char *name;             /* MEMBER: its name */
};

struct parser {
	XML_Parser xp;
	struct frame st[XE_XML_MAX_DEPTH];
	int top;                /* number of open frames */
	struct xe_buf text;     /* character data of the innermost element */
	struct xe_val *param;   /* the one <param> value */
	struct xe_val *fault;
	const char *error;
};

static enum tag tag_of(const char *name)
{
	if (strcmp(name, "i4") == 0 || strcmp(name, "i8") == 0)
		return T_INT;
	for (int t = 0; t < T_COUNT; t++)
		if (strcmp(tags[t].name, name) == 0)
			return (enum tag)t;
	return T_COUNT;
}

static void fail(struct parser *p, const char *why)
{
	if (!p->error)
		p->error = why;
	XML_StopParser(p->xp, XML_FALSE);
}

static int parent_ok(const struct parser *p, enum tag t)
{
	enum tag up = p->top ? p->st[p->top - 1].tag : T_COUNT;

	if (t == T_VALUE)
		return up == T_PARAM || up == T_FAULT || up == T_DATA || up == T_MEMBER;
	if (tags[t].parent != up)
		return 0;
	/* a <value> holds one typed child at most */
	return up != T_VALUE || !p->st[p->top - 1].v;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct parser *p = ud;
	enum tag t = tag_of(name);
	struct frame *f;

	(void)attrs;  /* XML-RPC has none; they are ignored */

	if (t == T_COUNT)
		return fail(p, "unknown element in XML-RPC response");
	if (!parent_ok(p, t))
		return fail(p, "misplaced element in XML-RPC response");
	if (p->top == XE_XML_MAX_DEPTH)
		return fail(p, "XML-RPC response nested too deeply");
	f = &p->st[p->top++];
	memset(f, 0, sizeof(*f));
	f->tag = t;
	p->text.len = 0;
	if (t == T_ARRAY)
		f->v = xe_val_array();
	else if (t == T_STRUCT)
		f->v = xe_val_struct();
	if ((t == T_ARRAY || t == T_STRUCT) && !f->v)
		fail(p, "out of memory");
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct parser *p = ud;

	if (p->error)
		return;
	xe_buf_add(&p->text, s, (size_t)len);
	if (p->text.oom)
		fail(p, "out of memory");
}

static struct xe_val *scalar(struct parser *p, enum tag t)
{
	const char *s = p->text.len ? p->text.p : "";
	char *end;
	struct xe_val *v = NULL;

	switch (t) {
	case T_STRING:
	case T_BASE64:
		return xe_val_strn(s, p->text.len);
	case T_DATETIME:
		v = xe_val_strn(s, p->text.len);
		if (v)
			v->type = XE_V_DATETIME;
		return v;
	case T_NIL: {
		struct xe_val *nil = xe_val_str("");

		if (nil)
			nil->type = XE_V_NIL;
		return nil;
	}
	case T_INT:
		errno = 0;
		long long i = strtoll(s, &end, 10);
		if (errno || end == s || *end)
			return fail(p, "bad <int> in XML-RPC response"), NULL;
		return xe_val_int(i);
	case T_BOOLEAN:
		if (strcmp(s, "0") && strcmp(s, "1"))
			return fail(p, "bad <boolean> in XML-RPC response"), NULL;
		return xe_val_bool(s[0] == '1');
	case T_DOUBLE: {
		double d = strtod(s, &end);

		if (end == s || *end)
			return fail(p, "bad <double> in XML-RPC response"), NULL;
		return xe_val_double(d);
	}
	default:
		return NULL;
	}
}

/* A finished <value> V goes to the element around it. */
static void deliver(struct parser *p, struct xe_val *v)
{
	struct frame *up = &p->st[p->top - 1];
	struct xe_val **slot = NULL;

	switch (up->tag) {
	case T_PARAM: slot = &p->param; break;
	case T_FAULT: slot = &p->fault; break;
	case T_MEMBER: slot = &up->v; break;
	case T_DATA:
		if (xe_val_push(p->st[p->top - 2].v, v))
			fail(p, "out of memory");
		return;
	default:
		break;
	}
	if (!slot || *slot) {
		xe_val_free(v);
		return fail(p, "more than one value where one is expected");
	}
	*slot = v;
}

static void end_member(struct parser *p, struct frame *f)
{
	struct xe_val *st = p->st[p->top - 1].v;

	if (!f->name || !f->v) {
		fail(p, "<member> without <name> or <value>");
		return;
	}
	if (xe_val_set(st, f->name, f->v))
		fail(p, "out of memory");
	f->v = NULL;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct parser *p = ud;
	struct frame f;
	struct frame *up;

	(void)name;  /* expat matched it with the start tag */
	/* After fail(), expat may still report the end of an empty element
	 * whose start was refused (and so never pushed): ignore it. */
	if (p->error || p->top == 0)
		return;
	f = p->st[--p->top];
	up = p->top ? &p->st[p->top - 1] : NULL;

	switch (f.tag) {
	case T_VALUE:
		if (!f.v)  /* untyped: a string */
			f.v = xe_val_strn(p->text.len ? p->text.p : "", p->text.len);
		if (!f.v)
			return fail(p, "out of memory");
		deliver(p, f.v);
		return;
	case T_STRING: case T_INT: case T_BOOLEAN: case T_DOUBLE:
	case T_DATETIME: case T_BASE64: case T_NIL:
		up->v = scalar(p, f.tag);
		if (!up->v && !p->error)
			fail(p, "out of memory");
		break;
	case T_ARRAY: case T_STRUCT:
		up->v = f.v;
		break;
	case T_NAME:
		free(up->name);
		up->name = strndup(p->text.len ? p->text.p : "", p->text.len);
		if (!up->name)
			fail(p, "out of memory");
		break;
	case T_MEMBER:
		end_member(p, &f);
		free(f.name);
		xe_val_free(f.v);
		break;
	default:
		break;
	}
	p->text.len = 0;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	fail(ud, "DOCTYPE in XML-RPC response");
}

static void parser_free(struct parser *p)
{
	while (p->top > 0) {
		struct frame *f = &p->st[--p->top];

		xe_val_free(f->v);
		free(f->name);
	}
	xe_val_free(p->param);
	xe_val_free(p->fault);
	xe_buf_free(&p->text);
	if (p->xp)
		XML_ParserFree(p->xp);
}

static char *fault_text(const struct xe_val *fault)
{
	const struct xe_val *code = xe_val_get(fault, "faultCode");
	const char *s = xe_val_cstr(xe_val_get(fault, "faultString"));
	struct xe_buf b = {0};

	xe_buf_printf(&b, "XML-RPC fault %lld: %s", code ? code->i : 0LL, s ? s : "");
	return b.p;
}

/* Turns the XenAPI {Status, Value | ErrorDescription} struct into R. */
static void take_status(struct xe_val *top, struct xe_result *r)
{
	const char *status = xe_val_cstr(xe_val_get(top, "Status"));
	const char *want = status && strcmp(status, "Success") == 0 ? "Value" : "ErrorDescription";

	for (size_t i = 0; status && i < top->n; i++) {
		if (strcmp(top->keys[i], want) != 0)
			continue;
		if (want[0] == 'V') {
			r->ok = 1;
			r->value = top->items[i];
		} else {
			r->error = top->items[i];
		}
		top->items[i] = NULL;
		return;
	}
	if (status) {
		r->transport_error = strdup("XenAPI response without Value or ErrorDescription");
		return;
	}
	r->ok = 1;  /* a bare value, as system.* methods may answer: take it as is */
	r->value = NULL;
}

void xe_xml_parse_response(const char *body, size_t len, struct xe_result *r)
{
	struct parser p = {0};

	memset(r, 0, sizeof(*r));
	if (len > XE_XML_MAX_BODY) {
		r->transport_error = strdup("XML-RPC response too large");
		return;
	}
	p.xp = XML_ParserCreate("UTF-8");
	if (!p.xp) {
		r->transport_error = strdup("out of memory");
		return;
	}
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, on_start, on_end);
	XML_SetCharacterDataHandler(p.xp, on_text);
	XML_SetStartDoctypeDeclHandler(p.xp, on_doctype);
	if (XML_Parse(p.xp, body, (int)len, XML_TRUE) != XML_STATUS_OK && !p.error)
		p.error = XML_ErrorString(XML_GetErrorCode(p.xp));
	if (p.error) {
		struct xe_buf b = {0};

		xe_buf_printf(&b, "malformed XML-RPC response: %s", p.error);
		r->transport_error = b.p;
	} else if (p.fault) {
		r->transport_error = fault_text(p.fault);
	} else if (!p.param) {
		r->transport_error = strdup("XML-RPC response without a value");
	} else {
		take_status(p.param, r);
		if (r->ok && !r->value) {
			r->value = p.param;
			p.param = NULL;
		}
	}
	parser_free(&p);
}

void xe_result_clear(struct xe_result *r)
{
	xe_val_free(r->value);
	xe_val_free(r->error);
	free(r->transport_error);
	memset(r, 0, sizeof(*r));
}
