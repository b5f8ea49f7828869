/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: reading OVS state back (ovs-vsctl --format=json, recorded from a
 * real ovsdb-server in fixtures/) and net-tool's JSON records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netint.h"
#include "state.h"
#include "unit.h"

static char *slurp(const char *name)
{
	char path[512];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	REQUIRE(f != NULL);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	REQUIRE(buf != NULL);
	REQUIRE(fread(buf, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	return buf;
}

TEST(view_parses_recorded_tables)
{
	char *text = slurp("list-bridge-port-interface.json");
	struct ovsdb_view v;

	REQUIRE(ovsdb_view_parse(text, &v) == 0);
	CHECK_EQ(json_array_size(v.bridges), 1);
	CHECK_EQ(json_array_size(v.ports), 4);	/* xenbr0, xapi1, vif3.0, bond0 */
	CHECK_EQ(json_array_size(v.ifaces), 5);
	CHECK(ovsdb_bridge_exists(&v, "xenbr0"));
	CHECK(ovsdb_bridge_exists(&v, "xapi1"));	/* fake bridge */
	CHECK(!ovsdb_bridge_exists(&v, "vif3.0"));	/* a port, not a bridge */
	CHECK(!ovsdb_bridge_exists(&v, "xapi9"));
	CHECK_STR(ovsdb_bridge_network(&v, "xenbr0"), "6f1c0a42-9d1e-4c55-8d7e-2b8a5c3e0f01");
	CHECK_STR(ovsdb_bridge_network(&v, "xapi1"), "0b9a7e2c-51d4-4f7a-9a0e-7c2d3b4a5e60");
	CHECK_STR(ovsdb_bridge_network(&v, "nope"), "");
	ovsdb_view_free(&v);
	free(text);
}

TEST(view_rows_have_plain_values)
{
	char *text = slurp("list-bridge-port-interface.json");
	struct ovsdb_view v;
	json_t *port, *iface, *bond, *br;

	REQUIRE(ovsdb_view_parse(text, &v) == 0);
	port = ovsdb_row(v.ports, "name", "vif3.0");
	REQUIRE(port != NULL);
	CHECK_EQ(ovsdb_int(port, "tag", -1), 10);
	br = ovsdb_port_bridge(&v, ovsdb_str(port, "_uuid"));
	REQUIRE(br != NULL);
	CHECK_STR(ovsdb_str(br, "name"), "xenbr0");
	CHECK_STR(ovsdb_str(br, "datapath_type"), "netdev");
	iface = ovsdb_row(v.ifaces, "name", "vif3.0");
	REQUIRE(iface != NULL);
	CHECK_STR(ovsdb_ext(iface, "xs-vif-uuid"), "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f");
	CHECK_STR(ovsdb_ext(iface, "attached-mac"), "02:00:0a:00:00:01");
	CHECK_STR(ovsdb_ext(iface, "absent"), "");
	CHECK_EQ(ovsdb_int(iface, "mtu_request", 0), 1400);
	CHECK(ovsdb_int(iface, "ofport", -1) > 0);
	bond = ovsdb_row(v.ports, "name", "bond0");
	REQUIRE(bond != NULL);
	CHECK_STR(ovsdb_str(bond, "bond_mode"), "active-backup");
	CHECK_EQ(json_array_size(json_object_get(bond, "interfaces")), 2);
	CHECK_EQ(ovsdb_int(bond, "tag", -1), -1);	/* empty set: untagged */
	CHECK(ovsdb_row(v.ifaces, "name", "fx1") != NULL);
	ovsdb_view_free(&v);
	free(text);
}

TEST(convert_wire_values)
{
	json_t *in = json_loads("[\"map\",[[\"a\",\"1\"],[7,[\"uuid\",\"u\"]]]]", 0, NULL);
	json_t *out = ovsj_convert(in);

	REQUIRE(json_is_object(out));
	CHECK_STR(json_string_value(json_object_get(out, "a")), "1");
	CHECK_STR(json_string_value(json_object_get(out, "7")), "u");
	json_decref(in);
	json_decref(out);
	in = json_loads("[\"set\",[1,2,3]]", 0, NULL);
	out = ovsj_convert(in);
	CHECK(json_is_array(out) && json_array_size(out) == 3);
	json_decref(in);
	json_decref(out);
	in = json_loads("\"plain\"", JSON_DECODE_ANY, NULL);
	out = ovsj_convert(in);
	CHECK_STR(json_string_value(out), "plain");
	json_decref(in);
	json_decref(out);
}

TEST(malformed_output_is_rejected)
{
	char *text = slurp("list-bridge-port-interface.json");
	struct ovsdb_view v;
	size_t used;
	json_t *t;

	text[strlen(text) / 2] = '\0';	/* cut short: the third table is missing */
	CHECK(ovsdb_view_parse(text, &v) == -1);
	CHECK(ovsdb_view_parse("", &v) == -1);
	CHECK(ovsdb_view_parse("{\"data\":[]}\n{}\n{}", &v) == -1);
	/* A row with fewer cells than headings. */
	t = ovsj_parse_table("{\"data\":[[1]],\"headings\":[\"a\",\"b\"]}", 37, &used);
	CHECK(t == NULL);
	t = ovsj_parse_table("{\"data\":[[1,2]],\"headings\":[\"a\",\"b\"]}", 39, &used);
	CHECK(t != NULL && json_array_size(t) == 1);
	json_decref(t);
	free(text);
}

static const char records[] =
	"{\"networks\":[{\"uuid\":\"6f1c0a42-9d1e-4c55-8d7e-2b8a5c3e0f01\",\"bridge\":\"xenbr0\","
	"\"MTU\":9000,\"default_locking_mode\":\"disabled\"}],"
	"\"PIFs\":[{\"uuid\":\"p1\",\"device\":\"eth0\",\"VLAN\":-1,\"physical\":true,"
	"\"ip_configuration_mode\":\"Static\",\"IP\":\"10.0.0.2\"}],"
	"\"Bonds\":[{\"uuid\":\"b\",\"slaves\":[\"p1\",\"p2\"],\"mode\":\"lacp\"}],"
	"\"VIFs\":[{\"uuid\":\"v\",\"MAC\":\"02:00:00:00:00:01\",\"domid\":4,"
	"\"locking_mode\":\"locked\",\"ipv4_allowed\":[\"10.0.0.9\"],\"ipv6_allowed\":[]}]}";

static int load_string(const char *text, struct net_state *st, char *why, size_t len)
{
	char path[] = "/tmp/net-unit-XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -2;
	close(fd);
	rc = state_load(path, st, why, len);
	unlink(path);
	return rc;
}

TEST(records_load_and_save_round_trip)
{
	struct net_state st, again;
	char why[256] = "", path[] = "/tmp/net-unit-XXXXXX";
	int fd;

	REQUIRE(load_string(records, &st, why, sizeof(why)) == 0);
	CHECK_EQ(st.n_networks, 1);
	CHECK_EQ(st.networks[0].MTU, 9000);
	CHECK_EQ(st.networks[0].default_locking_mode, NET_LOCK_DISABLED);
	CHECK_EQ(st.pifs[0].ip_configuration_mode, NET_IP_STATIC);
	CHECK_EQ(st.pifs[0].VLAN, -1);
	CHECK_EQ(st.bonds[0].n_slaves, 2);
	CHECK_EQ(st.bonds[0].mode, NET_BOND_LACP);
	CHECK_EQ(st.vifs[0].domid, 4);
	CHECK_STR(st.vifs[0].ipv4_allowed[0], "10.0.0.9");
	fd = mkstemp(path);
	REQUIRE(fd >= 0);
	close(fd);
	REQUIRE(state_save(path, &st) == 0);
	REQUIRE(state_load(path, &again, why, sizeof(why)) == 0);
	CHECK_MEM(again.vifs, st.vifs, sizeof(*st.vifs));
	CHECK_MEM(again.bonds, st.bonds, sizeof(*st.bonds));
	CHECK_MEM(again.networks, st.networks, sizeof(*st.networks));
	unlink(path);
	state_free(&st);
	state_free(&again);
}

TEST(bad_records_name_the_field)
{
	struct net_state st;
	char why[256];

	CHECK(load_string("{\"PIFs\":[{\"device\":\"0123456789abcdefX\"}]}", &st, why,
			  sizeof(why)) == -1);
	CHECK_STR(why, "PIFs[0].device is invalid");
	CHECK(load_string("{\"VIFs\":[{\"locking_mode\":\"open\"}]}", &st, why, sizeof(why)) == -1);
	CHECK_STR(why, "VIFs[0].locking_mode is invalid");
	CHECK(load_string("{\"VIFs\":[{\"ipv4_allowed\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\","
			  "\"7\",\"8\",\"9\"]}]}", &st, why, sizeof(why)) == -1);
	CHECK(load_string("{\"networks\":[{\"MTU\":\"big\"}]}", &st, why, sizeof(why)) == -1);
	CHECK(load_string("{\"networks\":[{\"color\":1}]}", &st, why, sizeof(why)) == -1);
	CHECK_STR(why, "networks[0].color is invalid");
	CHECK(load_string("{\"networks\":{}}", &st, why, sizeof(why)) == -1);
	CHECK(load_string("not json", &st, why, sizeof(why)) == -1);
}

/* Cheap fuzzing: thousands of corrupted copies of real output must be rejected
 * or parsed, never crash or leak (ASan/UBSan watch). Deterministic seed. */
TEST(corrupted_output_never_crashes)
{
	char *orig = slurp("list-bridge-port-interface.json");
	size_t len = strlen(orig);
	unsigned seed = 12345;
	static const char junk[] = "[]{}\",:0-9ae \n\\";

	for (int round = 0; round < 3000; round++) {
		char *text = strdup(orig);
		struct ovsdb_view v;
		REQUIRE(text != NULL);
		for (int k = 0; k < 1 + round % 8; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			text[at] = junk[(seed >> 4) % (sizeof(junk) - 1)];
		}
		if (round % 5 == 0)
			text[(seed >> 3) % len] = '\0';
		if (ovsdb_view_parse(text, &v) == 0) {
			(void)ovsdb_bridge_exists(&v, "xapi1");
			(void)ovsdb_bridge_network(&v, "xenbr0");
			ovsdb_view_free(&v);
		}
		free(text);
	}
	free(orig);
}
