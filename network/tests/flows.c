/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: the exact OpenFlow rule sets generated for each locking mode.
 */
#include <string.h>

#include "net.h"
#include "unit.h"

static struct net_vif vif(void)
{
	struct net_vif v;

	memset(&v, 0, sizeof(v));
	strcpy(v.uuid, "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f");
	strcpy(v.device, "1");
	strcpy(v.network, "6f1c0a42-9d1e-4c55-8d7e-2b8a5c3e0f01");
	strcpy(v.MAC, "02:00:0A:00:00:01");
	v.domid = 7;
	return v;
}

TEST(cookie_names_domid_and_device)
{
	struct net_vif v = vif();

	CHECK_EQ_HEX(net_vif_cookie(&v), 0xca1e000000070001ULL);
}

TEST(locked_ipv4_exact_rules)
{
	struct net_vif v = vif();
	char buf[4096];

	strcpy(v.ipv4_allowed[0], "10.0.0.5");
	strcpy(v.ipv4_allowed[1], "10.0.0.6");
	v.n_ipv4_allowed = 2;
	REQUIRE(net_vif_flows(&v, NET_LOCK_LOCKED, 3, 0xca1e000000070001ULL, buf, sizeof(buf)) > 0);
	CHECK_STR(buf,
		  "cookie=0xca1e000000070001,priority=1100,arp,in_port=3,dl_src=02:00:0a:00:00:01,"
		  "arp_sha=02:00:0a:00:00:01,arp_spa=10.0.0.5,actions=NORMAL\n"
		  "cookie=0xca1e000000070001,priority=1100,ip,in_port=3,dl_src=02:00:0a:00:00:01,"
		  "nw_src=10.0.0.5,actions=NORMAL\n"
		  "cookie=0xca1e000000070001,priority=1100,arp,in_port=3,dl_src=02:00:0a:00:00:01,"
		  "arp_sha=02:00:0a:00:00:01,arp_spa=10.0.0.6,actions=NORMAL\n"
		  "cookie=0xca1e000000070001,priority=1100,ip,in_port=3,dl_src=02:00:0a:00:00:01,"
		  "nw_src=10.0.0.6,actions=NORMAL\n"
		  "cookie=0xca1e000000070001,priority=1000,in_port=3,actions=drop\n");
}

TEST(locked_ipv6_exact_rules)
{
	struct net_vif v = vif();
	char buf[4096];

	strcpy(v.ipv6_allowed[0], "fd00::5");
	v.n_ipv6_allowed = 1;
	REQUIRE(net_vif_flows(&v, NET_LOCK_LOCKED, 12, 0x1, buf, sizeof(buf)) > 0);
	CHECK_STR(buf,
		  "cookie=0x1,priority=1110,icmp6,in_port=12,dl_src=02:00:0a:00:00:01,"
		  "icmp_type=136,nd_target=fd00::5,actions=NORMAL\n"
		  "cookie=0x1,priority=1100,ipv6,in_port=12,dl_src=02:00:0a:00:00:01,"
		  "ipv6_src=fd00::5,actions=NORMAL\n"
		  "cookie=0x1,priority=1105,icmp6,in_port=12,icmp_type=136,actions=drop\n"
		  "cookie=0x1,priority=1100,icmp6,in_port=12,dl_src=02:00:0a:00:00:01,"
		  "ipv6_src=::,icmp_type=135,actions=NORMAL\n"
		  "cookie=0x1,priority=1000,in_port=12,actions=drop\n");
}

TEST(locked_without_addresses_drops_everything)
{
	struct net_vif v = vif();
	char buf[512];

	REQUIRE(net_vif_flows(&v, NET_LOCK_LOCKED, 4, 0x2, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "cookie=0x2,priority=1000,in_port=4,actions=drop\n");
}

TEST(disabled_and_unlocked)
{
	struct net_vif v = vif();
	char buf[512];

	strcpy(v.ipv4_allowed[0], "10.0.0.5");
	v.n_ipv4_allowed = 1;
	REQUIRE(net_vif_flows(&v, NET_LOCK_DISABLED, 4, 0x2, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "cookie=0x2,priority=1000,in_port=4,actions=drop\n");
	CHECK_EQ(net_vif_flows(&v, NET_LOCK_UNLOCKED, 4, 0x2, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	/* network_default must be resolved first. */
	CHECK_EQ(net_vif_flows(&v, NET_LOCK_NETWORK_DEFAULT, 4, 0x2, buf, sizeof(buf)), -1);
}

TEST(bad_input_yields_no_rules)
{
	struct net_vif v = vif();
	char buf[4096], small[40];

	strcpy(v.ipv4_allowed[0], "10.0.0.5");
	v.n_ipv4_allowed = 1;
	CHECK_EQ(net_vif_flows(&v, NET_LOCK_LOCKED, 0, 1, buf, sizeof(buf)), -1);
	CHECK_EQ(net_vif_flows(&v, NET_LOCK_LOCKED, 3, 1, small, sizeof(small)), -1);
	strcpy(v.ipv4_allowed[0], "10.0.0.5,actions=NORMAL");	/* rule injection */
	CHECK_EQ(net_vif_flows(&v, NET_LOCK_LOCKED, 3, 1, buf, sizeof(buf)), -1);
	strcpy(v.ipv4_allowed[0], "10.0.0.5");
	strcpy(v.ipv6_allowed[0], "fd00::g");
	v.n_ipv6_allowed = 1;
	CHECK_EQ(net_vif_flows(&v, NET_LOCK_LOCKED, 3, 1, buf, sizeof(buf)), -1);
	v.n_ipv6_allowed = 0;
	strcpy(v.MAC, "02:00:0a:00:00");
	CHECK_EQ(net_vif_flows(&v, NET_LOCK_LOCKED, 3, 1, buf, sizeof(buf)), -1);
}

TEST(network_default_follows_the_network)
{
	struct net_network nw = {.default_locking_mode = NET_LOCK_DISABLED};
	struct net_state st = {.networks = &nw, .n_networks = 1};
	struct net_vif v = vif();

	strcpy(nw.uuid, v.network);
	CHECK_EQ(net_vif_effective_locking(&st, &v), NET_LOCK_DISABLED);
	nw.default_locking_mode = NET_LOCK_UNLOCKED;
	CHECK_EQ(net_vif_effective_locking(&st, &v), NET_LOCK_UNLOCKED);
	v.locking_mode = NET_LOCK_LOCKED;
	CHECK_EQ(net_vif_effective_locking(&st, &v), NET_LOCK_LOCKED);
}
