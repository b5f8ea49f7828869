/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: XML-RPC and JSON-RPC codecs on sample bodies. */
#include <stdlib.h>
#include <string.h>

#include "rpc.h"
#include "unit.h"

static const char xml_call[] =
	"<?xml version='1.0'?>\n<methodCall><methodName>VM.create</methodName><params>"
	"<param><value><string>OpaqueRef:s</string></value></param>"
	"<param><value><struct>"
	"<member><name>name_label</name><value>a &amp; b</value></member>"
	"<member><name>VCPUs_max</name><value><int>4</int></value></member>"
	"<member><name>mem</name><value><i8>8589934592</i8></value></member>"
	"<member><name>x</name><value><double>1.5</double></value></member>"
	"<member><name>t</name><value><boolean>1</boolean></value></member>"
	"<member><name>d</name><value><dateTime.iso8601>20260101T00:00:00Z</dateTime.iso8601></value></member>"
	"<member><name>tags</name><value><array><data><value>a</value><value>b</value></data></array></value></member>"
	"</struct></value></param></params></methodCall>";

TEST(rpc_xml_parse_types)
{
	struct rpc_call c;
	char err[256];
	json_t *rec;

	REQUIRE(rpc_parse_xml(xml_call, strlen(xml_call), &c, err, sizeof(err)) == 0);
	CHECK_STR(c.method, "VM.create");
	CHECK_EQ(json_array_size(c.params), 2);
	CHECK_STR(json_string_value(json_array_get(c.params, 0)), "OpaqueRef:s");
	rec = json_array_get(c.params, 1);
	CHECK_STR(json_string_value(json_object_get(rec, "name_label")), "a & b");
	CHECK_EQ(json_integer_value(json_object_get(rec, "VCPUs_max")), 4);
	CHECK_EQ(json_integer_value(json_object_get(rec, "mem")), 8589934592LL);
	CHECK(json_real_value(json_object_get(rec, "x")) == 1.5);
	CHECK(json_is_true(json_object_get(rec, "t")));
	CHECK_STR(rpc_datetime_str(json_object_get(rec, "d")), "20260101T00:00:00Z");
	CHECK_EQ(json_array_size(json_object_get(rec, "tags")), 2);
	rpc_call_clear(&c);
}

TEST(rpc_xml_reply_roundtrip)
{
	struct rpc_call c;
	char err[256], *body, *val;
	size_t len;
	json_t *v = json_pack("{sIsss[ss]sfsbso}", "n", (json_int_t)42, "s", "<x>&", "a", "p", "q",
			      "f", 0.25, "b", 1, "dt", rpc_datetime("20260102T03:04:05Z"));
	struct sb_call { const char *pre, *post; } w = {
		"<methodCall><methodName>m</methodName><params><param>", "</param></params></methodCall>"};
	char *wrapped;

	val = rpc_xml_value(v);
	wrapped = malloc(strlen(w.pre) + strlen(val) + strlen(w.post) + 1);
	strcpy(wrapped, w.pre);
	strcat(wrapped, val);
	strcat(wrapped, w.post);
	REQUIRE(rpc_parse_xml(wrapped, strlen(wrapped), &c, err, sizeof(err)) == 0);
	{
		json_t *back = json_array_get(c.params, 0);

		/* int64 travels as a string in XenAPI's XML-RPC */
		CHECK_STR(json_string_value(json_object_get(back, "n")), "42");
		CHECK_STR(json_string_value(json_object_get(back, "s")), "<x>&");
		CHECK(json_equal(json_object_get(back, "a"), json_object_get(v, "a")));
		CHECK(json_real_value(json_object_get(back, "f")) == 0.25);
		CHECK(json_is_true(json_object_get(back, "b")));
		CHECK_STR(rpc_datetime_str(json_object_get(back, "dt")), "20260102T03:04:05Z");
	}
	c.proto = RPC_XML;
	body = rpc_reply(&c, true, v, &len);
	CHECK(strstr(body, "<name>Status</name><value>Success</value>") != NULL);
	CHECK(strstr(body, "<value>42</value>") != NULL);
	free(body);
	rpc_call_clear(&c);
	free(wrapped);
	free(val);
	json_decref(v);
}

TEST(rpc_xml_rejects_malformed)
{
	static const char *const bad[] = {
		"", "<methodCall>", "<methodCall><params/></methodCall>",
		"<foo><methodName>x</methodName></foo>",
		"<methodCall><methodName>x</methodName><params><param><value><int>12x</int></value></param></params></methodCall>",
		"<methodCall><methodName>x</methodName><params><param><value><boolean>2</boolean></value></param></params></methodCall>",
		"<methodCall><methodName>x</methodName><params><param><value><struct><member><value>1</value></member></struct></value></param></params></methodCall>",
		"<!DOCTYPE x [<!ENTITY a \"b\">]><methodCall><methodName>&a;</methodName></methodCall>",
		"<methodCall><methodName>x</methodName><params><param><value><blob>1</blob></value></param></params></methodCall>",
	};
	struct rpc_call c;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rpc_parse_xml(bad[i], strlen(bad[i]), &c, err, sizeof(err)) == 0) {
			unit_fail(__FILE__, __LINE__, "accepted bad body %zu", i);
			rpc_call_clear(&c);
		}
}

TEST(rpc_xml_depth_limit)
{
	char *b = malloc(200000);
	size_t n = 0;
	struct rpc_call c;
	char err[256];

	n += (size_t)sprintf(b + n, "<methodCall><methodName>x</methodName><params><param>");
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(b + n, "<value><array><data>");
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(b + n, "</data></array></value>");
	n += (size_t)sprintf(b + n, "</param></params></methodCall>");
	CHECK(rpc_parse_xml(b, n, &c, err, sizeof(err)) != 0);
	free(b);
}

TEST(rpc_json_v1_v2)
{
	static const char v2[] = "{\"jsonrpc\":\"2.0\",\"method\":\"VM.get_all\",\"params\":[\"s\"],\"id\":7}";
	static const char v1[] = "{\"method\":\"VM.get_all\",\"params\":[\"s\"],\"id\":\"x\"}";
	json_t *err_desc = json_pack("[sss]", "HANDLE_INVALID", "VM", "OpaqueRef:x");
	json_t *val = json_pack("{so}", "t", rpc_datetime("20260101T00:00:00Z"));
	struct rpc_call c;
	char err[256], *body;
	size_t len;
	json_t *r;

	REQUIRE(rpc_parse_json(v2, strlen(v2), &c, err, sizeof(err)) == 0);
	CHECK_EQ(c.proto, RPC_JSON2);
	body = rpc_reply(&c, false, err_desc, &len);
	r = json_loads(body, 0, NULL);
	CHECK_STR(json_string_value(json_object_get(r, "jsonrpc")), "2.0");
	CHECK_EQ(json_integer_value(json_object_get(json_object_get(r, "error"), "code")), 1);
	CHECK_STR(json_string_value(json_object_get(json_object_get(r, "error"), "message")), "HANDLE_INVALID");
	CHECK_EQ(json_array_size(json_object_get(json_object_get(r, "error"), "data")), 2);
	CHECK_EQ(json_integer_value(json_object_get(r, "id")), 7);
	json_decref(r);
	free(body);
	body = rpc_reply(&c, true, val, &len);
	r = json_loads(body, 0, NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(r, "result"), "t")), "20260101T00:00:00Z");
	json_decref(r);
	free(body);
	rpc_call_clear(&c);

	REQUIRE(rpc_parse_json(v1, strlen(v1), &c, err, sizeof(err)) == 0);
	CHECK_EQ(c.proto, RPC_JSON1);
	body = rpc_reply(&c, false, err_desc, &len);
	r = json_loads(body, 0, NULL);
	CHECK(json_is_null(json_object_get(r, "result")));
	CHECK(json_equal(json_object_get(r, "error"), err_desc));
	CHECK_STR(json_string_value(json_object_get(r, "id")), "x");
	json_decref(r);
	free(body);
	rpc_call_clear(&c);
	json_decref(err_desc);
	json_decref(val);
}

TEST(rpc_json_rejects_malformed)
{
	static const char *const bad[] = {
		"", "{", "[]", "{\"params\":[]}", "{\"method\":5}", "{\"method\":\"x\",\"params\":{}}",
		"{\"method\":\"x\",\"jsonrpc\":\"3.0\"}", "{\"method\":\"x\",\"method\":\"y\"}",
		"{\"method\":\"a\\u0000b\"}",
	};
	struct rpc_call c;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rpc_parse_json(bad[i], strlen(bad[i]), &c, err, sizeof(err)) == 0) {
			unit_fail(__FILE__, __LINE__, "accepted bad body %zu", i);
			rpc_call_clear(&c);
		}
}
