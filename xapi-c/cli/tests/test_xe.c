/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of xe: argument parsing, XML-RPC marshalling, output formatting. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "xe.h"

static int parse(struct xe_args *a, char *err, const char *const *words)
{
	int n = 0;

	while (words[n])
		n++;
	return xe_args_parse(a, n, (char *const *)words, err, 256);
}

TEST(args_globals_anywhere)
{
	const char *const w[] = {"vm-list", "-s", "h1", "params=uuid,name-label", "-u", "root",
				 "-pw", "secret", "--minimal", "-p", "8443", "power-state=running",
				 "--no-verify", NULL};
	struct xe_args a;
	char err[256];

	REQUIRE(parse(&a, err, w) == 0);
	CHECK_STR(a.command, "vm-list");
	CHECK_STR(a.server, "h1");
	CHECK_STR(a.user, "root");
	CHECK_STR(a.password, "secret");
	CHECK_EQ(a.port, 8443);
	CHECK_EQ(a.minimal, 1);
	CHECK_EQ(a.no_verify, 1);
	CHECK_EQ(a.force, 0);
	CHECK_EQ(a.nparams, 2);
	CHECK_STR(xe_args_get(&a, "params"), "uuid,name-label");
	CHECK_STR(xe_args_get(&a, "power-state"), "running");
	CHECK(xe_args_get(&a, "uuid") == NULL);
	xe_args_free(&a);
}

TEST(args_value_may_hold_equals_and_be_empty)
{
	const char *const w[] = {"vm-param-set", "uuid=u", "name-description=a=b c", "other-config:k=",
				 NULL};
	struct xe_args a;
	char err[256];

	REQUIRE(parse(&a, err, w) == 0);
	CHECK_STR(xe_args_get(&a, "name-description"), "a=b c");
	CHECK_STR(xe_args_get(&a, "other-config:k"), "");
	xe_args_free(&a);
}

TEST(args_errors_are_loud)
{
	const char *const unknown[] = {"vm-list", "--frobnicate", NULL};
	const char *const badport[] = {"-p", "99999", "vm-list", NULL};
	const char *const novalue[] = {"vm-list", "-s", NULL};
	const char *const twice[] = {"vm-list", "uuid=a", "uuid=b", NULL};
	const char *const two_cmds[] = {"vm-list", "vm-start", NULL};
	const char *const none[] = {"-s", "h", NULL};
	const char *const noname[] = {"vm-list", "=x", NULL};
	struct xe_args a;
	char err[256];

	CHECK(parse(&a, err, unknown) == -1);
	CHECK(strstr(err, "--frobnicate") != NULL);
	CHECK(parse(&a, err, badport) == -1);
	CHECK(strstr(err, "-p") != NULL);
	CHECK(parse(&a, err, novalue) == -1);
	CHECK(parse(&a, err, twice) == -1);
	CHECK(strstr(err, "twice") != NULL);
	CHECK(parse(&a, err, two_cmds) == -1);
	CHECK(parse(&a, err, none) == -1);
	CHECK(strstr(err, "xe help") != NULL);
	CHECK(parse(&a, err, noname) == -1);
}

TEST(field_names_map_both_ways_but_not_map_keys)
{
	char out[64];

	xe_field_to_api("name-label", out, sizeof(out));
	CHECK_STR(out, "name_label");
	xe_field_to_api("VCPUs-max", out, sizeof(out));
	CHECK_STR(out, "VCPUs_max");
	xe_field_to_api("other-config:my-key", out, sizeof(out));
	CHECK_STR(out, "other_config:my-key");
	xe_field_to_xe("memory_static_max", out, sizeof(out));
	CHECK_STR(out, "memory-static-max");
	xe_field_to_api("a-very-long-name", out, 5);
	CHECK_STR(out, "a_ve");
}

TEST(xml_call_escapes_and_types)
{
	struct xe_val *rec = xe_val_struct(), *arr = xe_val_array();
	struct xe_val *p[3];
	struct xe_buf b = {0};

	xe_val_set(rec, "name_label", xe_val_str("a<b>&\"c\""));
	xe_val_set(rec, "VCPUs_max", xe_val_int(4));
	xe_val_set(rec, "is_a_template", xe_val_bool(0));
	xe_val_push(arr, xe_val_double(1.5));
	p[0] = xe_val_str("OpaqueRef:x");
	p[1] = rec;
	p[2] = arr;
	REQUIRE(xe_xml_call(&b, "VM.create", p, 3) == 0);
	CHECK(strstr(b.p, "<methodName>VM.create</methodName>") != NULL);
	CHECK(strstr(b.p, "<string>a&lt;b&gt;&amp;&quot;c&quot;</string>") != NULL);
	CHECK(strstr(b.p, "<name>VCPUs_max</name><value><string>4</string></value>") != NULL);
	CHECK(strstr(b.p, "<boolean>0</boolean>") != NULL);
	CHECK(strstr(b.p, "<array><data><value><double>1.5</double></value></data></array>") != NULL);
	for (int i = 0; i < 3; i++)
		xe_val_free(p[i]);
	xe_buf_free(&b);
}

static void parse_str(const char *body, struct xe_result *r)
{
	xe_xml_parse_response(body, strlen(body), r);
}

TEST(xml_parse_success_record)
{
	const char *body =
		"<?xml version='1.0'?>\n<methodResponse><params><param><value><struct>"
		"<member><name>Status</name><value>Success</value></member>"
		"<member><name>Value</name><value><struct>"
		" <member><name>name_label</name><value><string>vm &amp; co</string></value></member>"
		" <member><name>VCPUs_max</name><value><string>2</string></value></member>"
		" <member><name>n</name><value><i4>-7</i4></value></member>"
		" <member><name>t</name><value><boolean>1</boolean></value></member>"
		" <member><name>d</name><value><double>0.25</double></value></member>"
		" <member><name>when</name><value><dateTime.iso8601>20260101T00:00:00Z</dateTime.iso8601></value></member>"
		" <member><name>ops</name><value><array><data><value>start</value><value>clone</value></data></array></value></member>"
		" <member><name>empty</name><value></value></member>"
		"</struct></value></member></struct></value></param></params></methodResponse>";
	struct xe_result r;

	parse_str(body, &r);
	REQUIRE(r.ok);
	REQUIRE(r.value && r.value->type == XE_V_STRUCT);
	CHECK_STR(xe_val_cstr(xe_val_get(r.value, "name_label")), "vm & co");
	CHECK_STR(xe_val_cstr(xe_val_get(r.value, "VCPUs_max")), "2");
	CHECK_EQ(xe_val_get(r.value, "n")->i, -7);
	CHECK_EQ(xe_val_get(r.value, "t")->type, XE_V_BOOL);
	CHECK_EQ(xe_val_get(r.value, "t")->i, 1);
	CHECK(xe_val_get(r.value, "d")->d == 0.25);
	CHECK_EQ(xe_val_get(r.value, "when")->type, XE_V_DATETIME);
	CHECK_EQ(xe_val_get(r.value, "ops")->n, 2);
	CHECK_STR(xe_val_cstr(xe_val_get(r.value, "ops")->items[1]), "clone");
	CHECK_STR(xe_val_cstr(xe_val_get(r.value, "empty")), "");
	xe_result_clear(&r);
}

TEST(xml_parse_failure_and_fault)
{
	struct xe_result r;

	parse_str("<methodResponse><params><param><value><struct>"
		  "<member><name>Status</name><value>Failure</value></member>"
		  "<member><name>ErrorDescription</name><value><array><data>"
		  "<value>VM_BAD_POWER_STATE</value><value>OpaqueRef:1</value>"
		  "<value>Halted</value><value>Running</value></data></array></value></member>"
		  "</struct></value></param></params></methodResponse>", &r);
	CHECK(!r.ok);
	REQUIRE(r.error && r.error->n == 4);
	CHECK_STR(xe_val_cstr(r.error->items[0]), "VM_BAD_POWER_STATE");
	xe_result_clear(&r);

	parse_str("<methodResponse><fault><value><struct>"
		  "<member><name>faultCode</name><value><int>3</int></value></member>"
		  "<member><name>faultString</name><value>bad</value></member>"
		  "</struct></value></fault></methodResponse>", &r);
	CHECK(!r.ok);
	REQUIRE(r.transport_error);
	CHECK(strstr(r.transport_error, "fault 3: bad") != NULL);
	xe_result_clear(&r);
}

TEST(xml_parse_rejects_malformed)
{
	static const char *const bad[] = {
		"",
		"<methodResponse><params><param><value>",                /* truncated */
		"<methodResponse><bogus/></methodResponse>",              /* unknown element */
		"<value>x</value>",                                       /* misplaced */
		"<methodResponse><params><param><value><i4>12x</i4></value></param></params></methodResponse>",
		"<methodResponse><params><param><value><boolean>2</boolean></value></param></params></methodResponse>",
		"<methodResponse><params><param><value><string>a</string><string>b</string></value></param></params></methodResponse>",
		"<!DOCTYPE x [<!ENTITY a \"b\">]><methodResponse/>",
		"<methodResponse><params><param><value>plain</value></param><param><value>2</value></param></params></methodResponse>",
		"<methodResponse><params><param><value><struct><member><value>1</value></member></struct></value></param></params></methodResponse>",
		/* found by fuzz_xe_response: a refused empty element still ends */
		"<?xml version=\"1.0\"?><methodRespons/><params>",
		"<methodResponse><params><param><value><bogus/></value></param></params></methodResponse>",
	};
	struct xe_result r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse_str(bad[i], &r);
		if (r.ok || !r.transport_error)
			unit_fail(__FILE__, __LINE__, "accepted bad response %zu: %s", i, bad[i]);
		xe_result_clear(&r);
	}
}

TEST(xml_parse_bounds_depth)
{
	struct xe_buf b = {0};
	struct xe_result r;

	xe_buf_puts(&b, "<methodResponse><params><param><value>");
	for (int i = 0; i < 200; i++)
		xe_buf_puts(&b, "<array><data><value>");
	parse_str(b.p, &r);
	CHECK(!r.ok);
	REQUIRE(r.transport_error);
	CHECK(strstr(r.transport_error, "deep") != NULL);
	xe_result_clear(&r);
	xe_buf_free(&b);
}

static struct xe_val *sample_vm(const char *uuid, const char *name, const char *state)
{
	struct xe_val *v = xe_val_struct(), *ops = xe_val_array(), *oc = xe_val_struct();

	xe_val_set(v, "uuid", xe_val_str(uuid));
	xe_val_set(v, "name_label", xe_val_str(name));
	xe_val_set(v, "power_state", xe_val_str(state));
	xe_val_push(ops, xe_val_str("start"));
	xe_val_push(ops, xe_val_str("clone"));
	xe_val_set(v, "allowed_operations", ops);
	xe_val_set(oc, "k1", xe_val_str("v1"));
	xe_val_set(oc, "k2", xe_val_str("v2"));
	xe_val_set(v, "other_config", oc);
	xe_val_set(v, "is_a_template", xe_val_bool(0));
	xe_val_set(v, "resident_on", xe_val_str("OpaqueRef:NULL"));
	return v;
}

static int rw_name_only(const char *api_field, void *ctx)
{
	(void)ctx;
	return strcmp(api_field, "name_label") == 0 || strcmp(api_field, "other_config") == 0;
}

TEST(out_record_like_xe)
{
	static const char *const defaults[] = {"uuid", "name-label", "power-state", NULL};
	struct xe_val *vm = sample_vm("u-1", "web", "Running");
	struct xe_fieldlist fl;
	struct xe_buf b = {0};

	xe_out_select(&fl, vm, NULL, defaults);
	xe_out_record(&b, vm, &fl, rw_name_only, NULL);
	CHECK_STR(b.p, "uuid        ( RO): u-1\n"
		       " name-label ( RW): web\n"
		       "power-state ( RO): running\n\n\n");
	xe_out_fieldlist_free(&fl);
	xe_buf_free(&b);

	xe_out_select(&fl, vm, "other-config,allowed-operations,is-a-template,resident-on,nope", defaults);
	xe_out_record(&b, vm, &fl, rw_name_only, NULL);
	CHECK_STR(b.p, "other-config       (MRW): k1: v1; k2: v2\n"
		       "allowed-operations (SRO): start; clone\n"
		       "     is-a-template ( RO): false\n"
		       "       resident-on ( RO): <not in database>\n"
		       "              nope ( RO): <unknown field>\n\n\n");
	xe_out_fieldlist_free(&fl);
	xe_buf_free(&b);
	xe_val_free(vm);
}

TEST(out_params_all_puts_uuid_first)
{
	struct xe_val *vm = sample_vm("u-1", "web", "Halted");
	struct xe_fieldlist fl;

	xe_val_set(vm, "uuid", xe_val_str("u-2"));  /* replaces, keeps position */
	xe_out_select(&fl, vm, "all", NULL);
	REQUIRE(fl.n == vm->n);
	CHECK_STR(fl.names[0], "uuid");
	CHECK_STR(fl.names[1], "name-label");
	CHECK_STR(fl.names[3], "allowed-operations");
	xe_out_fieldlist_free(&fl);
	xe_val_free(vm);
}

TEST(out_minimal_is_comma_separated)
{
	struct xe_val *vms[2] = {sample_vm("u-1", "a", "Halted"), sample_vm("u-2", "b", "Paused")};
	struct xe_buf b = {0};

	xe_out_minimal(&b, (const struct xe_val *const *)vms, 2, "uuid");
	CHECK_STR(b.p, "u-1,u-2\n");
	b.len = 0;
	xe_out_minimal(&b, (const struct xe_val *const *)vms, 2, "power-state");
	CHECK_STR(b.p, "halted,paused\n");
	b.len = 0;
	xe_out_minimal(&b, NULL, 0, "uuid");
	CHECK_STR(b.p, "\n");
	xe_buf_free(&b);
	xe_val_free(vms[0]);
	xe_val_free(vms[1]);
}

static struct xe_val *error_of(const char *const *words)
{
	struct xe_val *e = xe_val_array();

	for (; *words; words++)
		xe_val_push(e, xe_val_str(*words));
	return e;
}

TEST(out_errors_are_readable)
{
	const char *const power[] = {"VM_BAD_POWER_STATE", "OpaqueRef:9", "Halted", "Running", NULL};
	const char *const odd[] = {"SR_BACKEND_FAILURE_47", "", "The SR is not available", NULL};
	struct xe_val *e = error_of(power);
	struct xe_buf b = {0};

	xe_out_error(&b, e);
	CHECK_STR(b.p, "The VM must be halted to perform the requested operation (it is currently running).\n"
		       "vm: OpaqueRef:9\nexpected: Halted\nactual: Running\n"
		       "error code: VM_BAD_POWER_STATE\n");
	xe_val_free(e);
	xe_buf_free(&b);

	e = error_of(odd);
	xe_out_error(&b, e);
	CHECK_STR(b.p, "The server reported an error.\n"
		       "error parameters: , The SR is not available\n"
		       "error code: SR_BACKEND_FAILURE_47\n");
	xe_val_free(e);
	xe_buf_free(&b);

	xe_out_error(&b, NULL);
	CHECK(strstr(b.p, "malformed") != NULL);
	xe_buf_free(&b);
}

TEST(commands_table_lookup)
{
	CHECK(xe_cmd_known("vm-list"));
	CHECK(xe_cmd_known("host-list"));
	CHECK(xe_cmd_known("sr-list"));
	CHECK(xe_cmd_known("network-list"));
	CHECK(xe_cmd_known("host-cpu-list"));
	CHECK(xe_cmd_known("vm-param-get"));
	CHECK(xe_cmd_known("vm-param-set"));
	CHECK(xe_cmd_known("vm-start"));
	CHECK(xe_cmd_known("vm-shutdown"));
	CHECK(xe_cmd_known("event-wait"));
	CHECK(!xe_cmd_known("vm-frobnicate"));
	CHECK(!xe_cmd_known("list"));
	CHECK(!xe_cmd_known("-list"));
	CHECK(!xe_cmd_known("bogus-list"));
}

TEST(unknown_command_fails_loudly)
{
	const char *const w[] = {"vm-frobnicate", NULL};
	struct xe_args a;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	REQUIRE(f);
	REQUIRE(parse(&a, err, w) == 0);
	CHECK_EQ(xe_cmd_run(&a, f, f), 2);
	fclose(f);
	CHECK(strstr(text, "Unknown command: vm-frobnicate") != NULL);
	free(text);
	xe_args_free(&a);
}

TEST(xml_parse_bare_value_is_taken_as_is)
{
	struct xe_result r;

	parse_str("<methodResponse><params><param><value><array><data>"
		  "<value>VM.get_all</value><value>VM.start</value></data></array></value>"
		  "</param></params></methodResponse>", &r);
	REQUIRE(r.ok && r.value && r.value->type == XE_V_ARRAY);
	CHECK_EQ(r.value->n, 2);
	xe_result_clear(&r);
	parse_str("<methodResponse><params><param><value><struct>"
		  "<member><name>Status</name><value>Odd</value></member>"
		  "</struct></value></param></params></methodResponse>", &r);
	CHECK(!r.ok && r.transport_error);
	xe_result_clear(&r);
}
