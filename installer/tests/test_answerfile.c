/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the answerfile parser and the configuration checks. */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "../inst.h"

static char err[INST_ERR_MAX];

static int parse(const char *xml, struct inst_config *cfg)
{
	return af_parse(xml, strlen(xml), cfg, err, sizeof(err));
}

#define HASH "$6$abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ./"

TEST(good_static)
{
	struct inst_config c;
	const char *xml =
		"<?xml version=\"1.0\"?>\n"
		"<installation mode=\"fresh\">\n"
		"  <primary-disk guest-storage=\"no\">/dev/sda</primary-disk>\n"
		"  <root-password type=\"hash\">" HASH "</root-password>\n"
		"  <admin-interface name=\"eth1\" proto=\"static\">\n"
		"    <ipaddr>192.168.1.20</ipaddr><subnet>255.255.255.0</subnet>\n"
		"    <gateway>192.168.1.1</gateway>\n"
		"  </admin-interface>\n"
		"  <name-server>192.168.1.2</name-server>\n"
		"  <hostname> host1.example.org </hostname>\n"
		"  <timezone>Europe/Paris</timezone><keymap>fr</keymap>\n"
		"</installation>\n";

	REQUIRE(parse(xml, &c) == 0);
	CHECK_EQ(c.mode, INST_FRESH);
	CHECK_STR(c.disk, "sda");
	CHECK_EQ(c.local_sr, 0);
	CHECK_EQ(c.pw_is_hash, 1);
	CHECK_STR(c.root_pw, HASH);
	CHECK_STR(c.nic, "eth1");
	CHECK_EQ(c.proto, INST_STATIC);
	CHECK_STR(c.ipaddr, "192.168.1.20");
	CHECK_EQ(c.prefix, 24);
	CHECK_STR(c.gateway, "192.168.1.1");
	CHECK_STR(c.dns, "192.168.1.2");
	CHECK_STR(c.hostname, "host1.example.org");
	CHECK_STR(c.timezone, "Europe/Paris");
	CHECK_STR(c.keymap, "fr");
}

TEST(good_minimal_defaults)
{
	struct inst_config c;

	REQUIRE(parse("<installation><primary-disk>vda</primary-disk>"
		      "<root-password type=\"plaintext\">s3cret!</root-password>"
		      "<admin-interface name=\"eth0\" proto=\"dhcp\"/></installation>", &c) == 0);
	CHECK_EQ(c.mode, INST_FRESH);
	CHECK_EQ(c.local_sr, 1);
	CHECK_EQ(c.pw_is_hash, 0);
	CHECK_STR(c.root_pw, "s3cret!");
	CHECK_EQ(c.proto, INST_DHCP);
	CHECK_STR(c.hostname, "cairn");
	CHECK_STR(c.timezone, "UTC");
}

TEST(upgrade_with_existing_installation)
{
	struct inst_config c;

	REQUIRE(parse("<installation mode=\"upgrade\"><existing-installation>nvme0n1"
		      "</existing-installation><root-password>abcd</root-password>"
		      "</installation>", &c) == 0);
	CHECK_EQ(c.mode, INST_UPGRADE);
	CHECK_STR(c.disk, "nvme0n1");
}

TEST(missing_disk)
{
	struct inst_config c;

	CHECK(parse("<installation><root-password>abcd</root-password></installation>", &c) < 0);
	CHECK(strstr(err, "no <primary-disk>") != NULL);
}

TEST(missing_password)
{
	struct inst_config c;

	CHECK(parse("<installation><primary-disk>sda</primary-disk></installation>", &c) < 0);
	CHECK(strstr(err, "no <root-password>") != NULL);
}

TEST(unknown_element_names_it_and_line)
{
	struct inst_config c;

	CHECK(parse("<installation>\n<primary-disk>sda</primary-disk>\n<bogus>1</bogus>"
		    "<root-password>abcd</root-password></installation>", &c) < 0);
	CHECK_STR(err, "answerfile line 3: unknown element <bogus>");
}

TEST(unknown_attribute)
{
	struct inst_config c;

	CHECK(parse("<installation colour=\"red\"/>", &c) < 0);
	CHECK(strstr(err, "unknown attribute \"colour\"") != NULL);
}

TEST(element_in_wrong_place)
{
	struct inst_config c;

	CHECK(parse("<installation><primary-disk>sda</primary-disk><ipaddr>1.2.3.4</ipaddr>"
		    "</installation>", &c) < 0);
	CHECK(strstr(err, "<ipaddr> is not allowed inside <installation>") != NULL);
	CHECK(parse("<primary-disk>sda</primary-disk>", &c) < 0);
	CHECK(strstr(err, "at the top") != NULL);
}

TEST(repeated_element)
{
	struct inst_config c;

	CHECK(parse("<installation><primary-disk>sda</primary-disk>"
		    "<primary-disk>sdb</primary-disk></installation>", &c) < 0);
	CHECK(strstr(err, "appears twice") != NULL);
}

TEST(bad_values)
{
	struct inst_config c;
	static const char *const bad[] = {
		"<installation mode=\"sideways\"><primary-disk>sda</primary-disk><root-password>abcd</root-password></installation>",
		"<installation><primary-disk>../etc</primary-disk><root-password>abcd</root-password></installation>",
		"<installation><primary-disk guest-storage=\"maybe\">sda</primary-disk><root-password>abcd</root-password></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password type=\"hash\">nothash</root-password></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>ab</root-password></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password><hostname>-bad-</hostname></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password><timezone>../../etc/shadow</timezone></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password><admin-interface name=\"eth0\" proto=\"static\"><ipaddr>10.0.0.300</ipaddr><subnet>24</subnet></admin-interface></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password><admin-interface name=\"eth0\" proto=\"static\"><ipaddr>10.0.0.3</ipaddr><subnet>255.0.255.0</subnet></admin-interface></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password><admin-interface name=\"eth0\" proto=\"static\"><ipaddr>10.0.0.3</ipaddr></admin-interface></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password><admin-interface name=\"eth0\" proto=\"carrier-pigeon\"/></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password><admin-interface name=\"eth0\"><ipaddr>10.0.0.3</ipaddr></admin-interface></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password><ssh-key>hello</ssh-key></installation>",
		"<installation><primary-disk></primary-disk><root-password>abcd</root-password></installation>",
		"<installation><primary-disk>sda\x01</primary-disk><root-password>abcd</root-password></installation>",
		"<installation>text<primary-disk>sda</primary-disk><root-password>abcd</root-password></installation>",
		"<installation><primary-disk>sda</primary-disk><root-password>abcd</root-password>",
		"<!DOCTYPE x [<!ENTITY a \"b\">]><installation/>",
		"",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse(bad[i], &c) == 0)
			unit_fail(__FILE__, __LINE__, "bad answerfile %zu accepted", i);
		else if (err[0] == '\0')
			unit_fail(__FILE__, __LINE__, "bad answerfile %zu: no message", i);
	}
}

TEST(overlong_text_rejected)
{
	struct inst_config c;
	char xml[8192];
	char big[3000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(xml, sizeof(xml), "<installation><primary-disk>sda</primary-disk>"
		 "<root-password>abcd</root-password><hostname>%s</hostname></installation>", big);
	CHECK(parse(xml, &c) < 0);
	CHECK(strstr(err, "too long") != NULL);
}

TEST(netmask_and_names)
{
	CHECK_EQ(inst_parse_netmask("24"), 24);
	CHECK_EQ(inst_parse_netmask("255.255.255.0"), 24);
	CHECK_EQ(inst_parse_netmask("255.255.255.255"), 32);
	CHECK_EQ(inst_parse_netmask("0"), -1);
	CHECK_EQ(inst_parse_netmask("33"), -1);
	CHECK_EQ(inst_parse_netmask("255.0.255.0"), -1);
	CHECK_EQ(inst_parse_netmask("x"), -1);
	CHECK(inst_valid_hostname("a-b.c"));
	CHECK(!inst_valid_hostname("a..b"));
	CHECK(!inst_valid_hostname("a_b"));
	CHECK(inst_valid_timezone_name("America/Argentina/Buenos_Aires"));
	CHECK(!inst_valid_timezone_name("/etc"));
	CHECK(inst_valid_diskname("nvme0n1"));
	CHECK(!inst_valid_diskname("sda/../x"));
}
