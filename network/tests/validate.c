/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: names, tags and addresses; XenAPI error names; rejected requests
 * fail before OVS is ever contacted (ovs-vsctl points at a missing program, so
 * reaching it would give INTERNAL_ERROR instead of the expected error).
 */
#include <string.h>
#include <time.h>

#include "netint.h"
#include "unit.h"

TEST(names_tags_addresses)
{
	CHECK(net_valid_ifname("xenbr0"));
	CHECK(net_valid_ifname("vif12345.10"));
	CHECK(net_valid_ifname("a234567890abcde"));	/* 15 characters */
	CHECK(!net_valid_ifname("a234567890abcdef"));	/* 16 */
	CHECK(!net_valid_ifname(""));
	CHECK(!net_valid_ifname("bad name"));
	CHECK(!net_valid_ifname("a/b"));
	CHECK(!net_valid_ifname(".."));
	CHECK(!net_valid_ifname("x,y"));
	CHECK(net_valid_vlan_tag(0));
	CHECK(net_valid_vlan_tag(4094));
	CHECK(!net_valid_vlan_tag(4095));
	CHECK(!net_valid_vlan_tag(-1));
	CHECK(net_valid_mac("02:00:0a:00:00:01"));
	CHECK(net_valid_mac("02:00:0A:00:00:FF"));
	CHECK(!net_valid_mac("02:00:0a:00:00"));
	CHECK(!net_valid_mac("02-00-0a-00-00-01"));
	CHECK(!net_valid_mac("02:00:0g:00:00:01"));
	CHECK(net_valid_uuid("6f1c0a42-9d1e-4c55-8d7e-2b8a5c3e0f01"));
	CHECK(!net_valid_uuid("6f1c0a42-9d1e-4c55-8d7e-2b8a5c3e0f0"));
	CHECK(!net_valid_uuid("6f1c0a42x9d1e-4c55-8d7e-2b8a5c3e0f01"));
	CHECK(net_valid_ipv4("10.1.2.3"));
	CHECK(!net_valid_ipv4("10.1.2.256"));
	CHECK(!net_valid_ipv4("10.1.2.3/24"));
	CHECK(net_valid_ipv6("fe80::1"));
	CHECK(!net_valid_ipv6("10.1.2.3"));
}

TEST(uuid_generate_is_v4)
{
	char a[NET_UUID_SIZE], b[NET_UUID_SIZE];

	net_uuid_generate(a);
	net_uuid_generate(b);
	CHECK(net_valid_uuid(a));
	CHECK(a[14] == '4');
	CHECK(strcmp(a, b) != 0);
}

TEST(error_names_are_xenapi_names)
{
	for (int c = NET_E_INTERNAL_ERROR; c < NET_E_COUNT; c++) {
		const char *n = net_errcode_name((enum net_errcode)c);
		CHECK(n && n[0]);
		for (int d = NET_E_INTERNAL_ERROR; d < c; d++)
			CHECK(strcmp(n, net_errcode_name((enum net_errcode)d)) != 0);
	}
	CHECK_STR(net_errcode_name(NET_E_VLAN_TAG_INVALID), "VLAN_TAG_INVALID");
	CHECK_STR(net_errcode_name(NET_E_PIF_VLAN_EXISTS), "PIF_VLAN_EXISTS");
	CHECK_STR(net_errcode_name(NET_E_BRIDGE_NAME_EXISTS), "BRIDGE_NAME_EXISTS");
	CHECK_STR(net_errcode_name(NET_E_COUNT), "INTERNAL_ERROR");	/* loud default */
}

TEST(enum_names_parse_back)
{
	enum net_locking l;
	enum net_bond_mode b;
	enum net_ip_mode m;

	CHECK(net_locking_parse("locked", &l) == 0 && l == NET_LOCK_LOCKED);
	CHECK(net_locking_parse("Locked", &l) == -1);
	CHECK(net_bond_mode_parse("active-backup", &b) == 0 && b == NET_BOND_ACTIVE_BACKUP);
	CHECK(net_bond_mode_parse("balance-tcp", &b) == -1);
	CHECK(net_ip_mode_parse("DHCP", &m) == 0 && m == NET_IP_DHCP);
	CHECK_STR(net_locking_name(NET_LOCK_NETWORK_DEFAULT), "network_default");
	CHECK_STR(net_bond_mode_name(NET_BOND_LACP), "lacp");
}

TEST(run_kills_on_timeout_and_feeds_stdin)
{
	const char *slow[] = {"sleep", "5", NULL}, *cat[] = {"cat", NULL};
	const char *missing[] = {"/nonexistent/ovs-vsctl", NULL};
	char *out = NULL;
	time_t t0 = time(NULL);

	CHECK_EQ(net_run(slow, NULL, 1, 0, NULL, NULL), -1);
	CHECK(time(NULL) - t0 < 4);
	CHECK_EQ(net_run(cat, "flows\n", 5, 0, &out, NULL), 0);
	CHECK_STR(out, "flows\n");
	free(out);
	CHECK_EQ(net_run(missing, NULL, 5, 0, NULL, NULL), 127);
}

/* A small state: eth0 (PIF p0) on xenbr0, its VLAN 10 PIF on network n1. */
static struct net_network nets[3];
static struct net_pif pifs[2];
static struct net_vlan vlans[1];
static struct net_vif vifs[1];
static struct net_state st;
static struct net *n;

#define P0 "00000000-0000-4000-8000-0000000000a0"
#define P1 "00000000-0000-4000-8000-0000000000a1"
#define N0 "00000000-0000-4000-8000-0000000000b0"
#define N1 "00000000-0000-4000-8000-0000000000b1"
#define N2 "00000000-0000-4000-8000-0000000000b2"
#define NOPE "00000000-0000-4000-8000-0000000000ff"

static void setup(void)
{
	struct net_config cfg = {.vsctl = "/nonexistent/ovs-vsctl",
				 .ofctl = "/nonexistent/ovs-ofctl", .timeout = 2};
	struct net_err err;

	memset(nets, 0, sizeof(nets));
	memset(pifs, 0, sizeof(pifs));
	strcpy(nets[0].uuid, N0);
	strcpy(nets[0].bridge, "xenbr0");
	strcpy(nets[1].uuid, N1);
	strcpy(nets[1].bridge, "xapi0");
	strcpy(nets[2].uuid, N2);
	strcpy(nets[2].bridge, "xapi1");
	strcpy(pifs[0].uuid, P0);
	strcpy(pifs[0].device, "eth0");
	strcpy(pifs[0].network, N0);
	pifs[0].VLAN = -1;
	pifs[0].currently_attached = true;
	strcpy(pifs[1].uuid, P1);
	strcpy(pifs[1].device, "eth0");
	strcpy(pifs[1].network, N1);
	pifs[1].VLAN = 10;
	strcpy(vlans[0].uuid, NOPE);
	strcpy(vlans[0].tagged_PIF, P0);
	strcpy(vlans[0].untagged_PIF, P1);
	vlans[0].tag = 10;
	memset(vifs, 0, sizeof(vifs));
	strcpy(vifs[0].uuid, "v0");
	strcpy(vifs[0].network, N2);
	strcpy(vifs[0].MAC, "02:00:0a:00:00:01");
	strcpy(vifs[0].device, "0");
	vifs[0].domid = 3;
	st = (struct net_state){.networks = nets, .n_networks = 3, .pifs = pifs, .n_pifs = 2,
				.vlans = vlans, .n_vlans = 1, .vifs = vifs, .n_vifs = 1};
	REQUIRE(net_open(&cfg, &n, &err) == 0);
}

TEST(vlan_create_rejections)
{
	struct net_vlan vl;
	struct net_pif up;

	setup();
	{
		struct net_err e;
		CHECK_EQ(net_vlan_create(n, &st, NOPE, 11, N2, &vl, &up, &e), -1);
		CHECK_STR(net_errcode_name(e.code), "HANDLE_INVALID");
		CHECK_STR(e.params[1], NOPE);
		CHECK_EQ(net_vlan_create(n, &st, P0, 4095, N2, &vl, &up, &e), -1);
		CHECK_STR(net_errcode_name(e.code), "VLAN_TAG_INVALID");
		CHECK_STR(e.params[0], "4095");
		CHECK_EQ(net_vlan_create(n, &st, P0, 10, N2, &vl, &up, &e), -1);
		CHECK_STR(net_errcode_name(e.code), "PIF_VLAN_EXISTS");
		CHECK_STR(e.params[0], P0);
		CHECK_EQ(net_vlan_create(n, &st, P1, 11, N2, &vl, &up, &e), -1);
		CHECK_STR(net_errcode_name(e.code), "PIF_IS_VLAN");
		CHECK_EQ(net_vlan_create(n, &st, P0, 11, N1, &vl, &up, &e), -1);
		CHECK_STR(net_errcode_name(e.code), "NETWORK_ALREADY_CONNECTED");
		CHECK_STR(e.params[1], P1);
		strcpy(pifs[0].bond_slave_of, NOPE);
		CHECK_EQ(net_vlan_create(n, &st, P0, 11, N2, &vl, &up, &e), -1);
		CHECK_STR(net_errcode_name(e.code), "CANNOT_ADD_VLAN_TO_BOND_SLAVE");
		pifs[0].bond_slave_of[0] = '\0';
		/* Valid: only now is OVS consulted (and here it is unreachable). */
		CHECK_EQ(net_vlan_create(n, &st, P0, 11, N2, &vl, &up, &e), -1);
		CHECK_STR(net_errcode_name(e.code), "INTERNAL_ERROR");
	}
	net_close(n);
}

TEST(bond_vif_network_rejections)
{
	const char *one[] = {P0}, *vlanpif[] = {P0, P1}, *dup[] = {P0, P0};
	struct net_bond b;
	struct net_pif m;
	struct net_network nw;
	struct net_err e;

	setup();
	CHECK_EQ(net_bond_create(n, &st, N2, one, 1, NET_BOND_LACP, NULL, &b, &m, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "PIF_BOND_NEEDS_MORE_MEMBERS");
	CHECK_EQ(e.nparams, 0);
	CHECK_EQ(net_bond_create(n, &st, N2, vlanpif, 2, NET_BOND_LACP, NULL, &b, &m, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "PIF_IS_VLAN");
	CHECK_EQ(net_bond_create(n, &st, N2, dup, 2, NET_BOND_LACP, NULL, &b, &m, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "INVALID_VALUE");
	CHECK_EQ(net_bond_create(n, &st, NOPE, dup, 2, NET_BOND_LACP, NULL, &b, &m, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "HANDLE_INVALID");

	strcpy(vifs[0].MAC, "02:00:0a:00:00");
	CHECK_EQ(net_vif_plug(n, &st, "v0", &e), -1);
	CHECK_STR(net_errcode_name(e.code), "MAC_INVALID");
	strcpy(vifs[0].MAC, "02:00:0a:00:00:01");
	vifs[0].domid = -1;
	CHECK_EQ(net_vif_plug(n, &st, "v0", &e), -1);
	CHECK_STR(net_errcode_name(e.code), "INVALID_VALUE");
	CHECK_STR(e.params[0], "domid");
	vifs[0].domid = 3;
	strcpy(vifs[0].ipv4_allowed[0], "10.0.0.1;drop");
	vifs[0].n_ipv4_allowed = 1;
	CHECK_EQ(net_vif_plug(n, &st, "v0", &e), -1);
	CHECK_STR(net_errcode_name(e.code), "INVALID_VALUE");
	vifs[0].currently_attached = true;
	CHECK_EQ(net_vif_plug(n, &st, "v0", &e), -1);
	CHECK_STR(net_errcode_name(e.code), "DEVICE_ALREADY_ATTACHED");
	vifs[0].currently_attached = false;
	CHECK_EQ(net_vif_unplug(n, &st, "v0", &e), -1);
	CHECK_STR(net_errcode_name(e.code), "DEVICE_ALREADY_DETACHED");
	CHECK_EQ(net_vif_plug(n, &st, NOPE, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "HANDLE_INVALID");

	memset(&nw, 0, sizeof(nw));
	nw.default_locking_mode = NET_LOCK_UNLOCKED;
	strcpy(nw.uuid, "not-a-uuid");
	CHECK_EQ(net_network_create(n, &st, &nw, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "UUID_INVALID");
	strcpy(nw.uuid, NOPE);
	strcpy(nw.bridge, "bad name");
	CHECK_EQ(net_network_create(n, &st, &nw, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "INVALID_VALUE");
	nw.bridge[0] = '\0';
	nw.MTU = 10000;
	CHECK_EQ(net_network_create(n, &st, &nw, &e), -1);
	CHECK_STR(e.params[0], "MTU");
	CHECK_EQ(net_network_destroy(n, &st, N0, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "NETWORK_CONTAINS_PIF");
	CHECK_EQ(net_pif_plug(n, &st, NOPE, &e), -1);
	CHECK_STR(net_errcode_name(e.code), "HANDLE_INVALID");
	net_close(n);
}
