/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsing of recorded `lvs/vgs/pvs --reportformat json --units b --nosuffix`
 * outputs (LVM 2.03.16 inside the QEMU test machine) and `qemu-img info
 * --output=json` (QEMU 7.2), malformed reports, tags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srint.h"
#include "unit.h"

static char *fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", SR_FIXTURES, name);
	f = fopen(path, "r");
	REQUIRE(f != NULL);
	buf = calloc(1, 1 << 20);
	REQUIRE(buf != NULL);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

TEST(lvs_recorded_thin_pool_and_volume)
{
	struct sr_error err;
	struct sr_lv *lv = NULL;
	size_t len;
	char *j = fixture("lvm-2.03.16-lvs.json", &len);
	int n = 0;

	REQUIRE(sr_parse_lvs(j, len, &lv, &n, &err) == 0);
	CHECK_EQ(n, 5);
	CHECK_STR(lv[0].name, "[lvol0_pmspare]");
	CHECK_EQ(lv[0].data_bp, -1);
	CHECK_STR(lv[1].name, "pool");
	CHECK_EQ(lv[1].size, 1073741824LL);
	CHECK_EQ(lv[1].data_bp, 98);
	CHECK_EQ(lv[1].meta_bp, 1104);
	CHECK_STR(lv[1].attr, "twi-aotz--");
	CHECK_STR(lv[4].name, "v1");
	CHECK_STR(lv[4].pool, "pool");
	CHECK_STR(lv[4].tags, "foo");
	CHECK_EQ(lv[4].meta_bp, -1);
	free(lv);
	free(j);
}

TEST(lvs_recorded_snapshots_and_tags)
{
	struct sr_error err;
	struct sr_lv *lv = NULL;
	size_t len;
	char *j = fixture("lvm-2.03.16-lvs-sr.json", &len);
	char name[256];
	int n = 0, i, vdis = 0, snaps = 0;

	REQUIRE(sr_parse_lvs(j, len, &lv, &n, &err) == 0);
	REQUIRE(n > 0);
	for (i = 0; i < n; i++) {
		if (!sr_tag_has(lv[i].tags, "cairn_vdi"))
			continue;
		vdis++;
		CHECK(sr_uuid_valid(lv[i].name));
		CHECK(sr_tag_get(lv[i].tags, "cairn_name", name, sizeof(name)));
		CHECK_STR(lv[i].pool, "thinpool");
		if (sr_tag_has(lv[i].tags, "cairn_snap")) {
			snaps++;
			CHECK(lv[i].origin[0] != '\0');
			CHECK_EQ(lv[i].attr[1], 'r'); /* created -pr */
		}
	}
	CHECK(vdis >= 2);
	CHECK(snaps >= 1);
	free(lv);
	free(j);
}

TEST(vgs_and_pvs_recorded)
{
	struct sr_error err;
	struct sr_vg *vg = NULL;
	struct sr_pv *pv = NULL;
	size_t len;
	char *j = fixture("lvm-2.03.16-vgs.json", &len);
	int n = 0;

	REQUIRE(sr_parse_vgs(j, len, &vg, &n, &err) == 0);
	CHECK_EQ(n, 1);
	CHECK_STR(vg[0].name, "vg0");
	CHECK_EQ(vg[0].size, 8585740288LL);
	CHECK_EQ(vg[0].free, 7503609856LL);
	CHECK_EQ(vg[0].extent_size, 4194304);
	free(vg);
	free(j);
	j = fixture("lvm-2.03.16-pvs.json", &len);
	REQUIRE(sr_parse_pvs(j, len, &pv, &n, &err) == 0);
	CHECK_EQ(n, 1);
	CHECK_STR(pv[0].name, "/dev/vda");
	CHECK_STR(pv[0].vg, "vg0");
	CHECK_EQ(pv[0].free, 7503609856LL);
	free(pv);
	free(j);
}

TEST(empty_report_is_zero_rows)
{
	static const char j[] = "{\"report\": [{\"lv\": []}]}";
	struct sr_error err;
	struct sr_lv *lv = NULL;
	int n = -1;

	REQUIRE(sr_parse_lvs(j, sizeof(j) - 1, &lv, &n, &err) == 0);
	CHECK_EQ(n, 0);
	free(lv);
}

TEST(warning_lines_before_the_json_are_skipped)
{
	static const char j[] = "  WARNING: something\n{\"report\": [{\"vg\": [{\"vg_name\":\"a\","
				"\"vg_size\":\"8\"}]}]}\n";
	struct sr_error err;
	struct sr_vg *vg = NULL;
	int n = 0;

	REQUIRE(sr_parse_vgs(j, sizeof(j) - 1, &vg, &n, &err) == 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(vg[0].size, 8);
	free(vg);
}

static void check_malformed(const char *j, const char *why)
{
	struct sr_error err;
	struct sr_lv *lv = NULL;
	int n = 0;

	memset(&err, 0, sizeof(err));
	CHECK_EQ(sr_parse_lvs(j, strlen(j), &lv, &n, &err), -1);
	CHECK_EQ(err.code, SR_E_BACKEND_FAILURE);
	CHECK_STR(err.params[0], "EPROTO");
	if (!strstr(err.params[2], why))
		unit_fail(__FILE__, __LINE__, "%s: message \"%s\" lacks \"%s\"", j, err.params[2], why);
	CHECK(lv == NULL);
}

TEST(malformed_reports_are_errors)
{
	check_malformed("", "no JSON object");
	check_malformed("{\"report\": [{\"lv\": [", "not JSON");
	check_malformed("{\"x\": 1}", "no report array");
	check_malformed("{\"report\": [{\"vg\": []}]}", "no rows of kind");
	check_malformed("{\"report\": [{\"lv\": {}}]}", "not an array");
	check_malformed("{\"report\": [{\"lv\": [3]}]}", "row is not an object");
	check_malformed("{\"report\": [{\"lv\": [{\"lv_size\": 5}]}]}", "not a string");
	check_malformed("{\"report\": [{\"lv\": [{\"lv_size\": \"5x\"}]}]}", "lv_size");
	check_malformed("{\"report\": [{\"lv\": [{\"lv_size\": \"-5\"}]}]}", "lv_size");
	check_malformed("{\"report\": [{\"lv\": [{\"data_percent\": \"1.2.3\"}]}]}", "data_percent");
}

TEST(overlong_field_is_refused)
{
	char j[600];
	struct sr_error err;
	struct sr_lv *lv = NULL;
	int n;

	snprintf(j, sizeof(j), "{\"report\": [{\"lv\": [{\"lv_name\": \"%0300d\"}]}]}", 0);
	CHECK_EQ(sr_parse_lvs(j, strlen(j), &lv, &n, &err), -1);
	CHECK_EQ(err.code, SR_E_BACKEND_FAILURE);
}

TEST(percent_parsing)
{
	int bp;

	CHECK(sr_parse_percent_bp("0.98", &bp) == 0 && bp == 98);
	CHECK(sr_parse_percent_bp("100.00", &bp) == 0 && bp == 10000);
	CHECK(sr_parse_percent_bp("7", &bp) == 0 && bp == 700);
	CHECK(sr_parse_percent_bp("11.049", &bp) == 0 && bp == 1104);
	CHECK(sr_parse_percent_bp("", &bp) == 0 && bp == -1);
	CHECK(sr_parse_percent_bp("x", &bp) < 0);
	CHECK(sr_parse_percent_bp("1,5", &bp) < 0);
}

TEST(qemu_img_info_overlay)
{
	struct sr_img_info info;
	struct sr_error err;
	size_t len;
	char *j = fixture("qemu-img-7.2-info-overlay.json", &len);

	REQUIRE(sr_parse_img_info(j, len, &info, &err) == 0);
	CHECK_STR(info.format, "qcow2");
	CHECK_EQ(info.virtual_size, 67108864);
	CHECK_EQ(info.actual_size, 200704);
	CHECK_STR(info.backing, "base.raw");
	CHECK_STR(info.backing_format, "raw");
	free(j);
}

TEST(qemu_img_info_4tib_and_raw)
{
	struct sr_img_info info;
	struct sr_error err;
	size_t len;
	char *j = fixture("qemu-img-7.2-info-4T.json", &len);

	REQUIRE(sr_parse_img_info(j, len, &info, &err) == 0);
	CHECK_EQ(info.virtual_size, 4LL << 40);
	CHECK_STR(info.backing, "");
	free(j);
	j = fixture("qemu-img-7.2-info-raw.json", &len);
	REQUIRE(sr_parse_img_info(j, len, &info, &err) == 0);
	CHECK_STR(info.format, "raw");
	CHECK_EQ(info.virtual_size, 64 << 20);
	free(j);
}

TEST(qemu_img_info_malformed)
{
	struct sr_img_info info;
	struct sr_error err;
	static const char *const bad[] = {"nope", "[]", "{\"format\": \"raw\"}",
					  "{\"format\": \"raw\", \"virtual-size\": -1}",
					  "{\"format\": 3, \"virtual-size\": 1}"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(sr_parse_img_info(bad[i], strlen(bad[i]), &info, &err), -1);
		CHECK_STR(err.params[0], "EPROTO");
	}
}

TEST(tag_escape_round_trip)
{
	char esc[256], back[256];
	const char *names[] = {"disk 1", "a&b=c,d", "plain-name_1.0", "ünïcode / slash", ""};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		REQUIRE(sr_tag_escape(names[i], esc, sizeof(esc)) == 0);
		for (const char *p = esc; *p; p++)
			CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-&",
				     *p) != NULL);
		REQUIRE(sr_tag_unescape(esc, strlen(esc), back, sizeof(back)) == 0);
		CHECK_STR(back, names[i]);
	}
	CHECK_STR((sr_tag_escape("a b", esc, sizeof(esc)), esc), "a&20b");
	CHECK(sr_tag_escape("abcdef", esc, 4) < 0);
	CHECK(sr_tag_unescape("a&2", 3, back, sizeof(back)) < 0);
	CHECK(sr_tag_unescape("a&zz", 4, back, sizeof(back)) < 0);
}

TEST(tag_lookup)
{
	const char *tags = "cairn_vdi,cairn_name=disk&201,cairn_snapx=1,cairn_snap=abc";
	char v[64];

	CHECK(sr_tag_has(tags, "cairn_vdi"));
	CHECK(!sr_tag_has(tags, "cairn"));
	CHECK(!sr_tag_has(tags, "cairn_ro"));
	CHECK(sr_tag_get(tags, "cairn_name", v, sizeof(v)));
	CHECK_STR(v, "disk 1");
	CHECK(sr_tag_get(tags, "cairn_snap", v, sizeof(v)));
	CHECK_STR(v, "abc");
	CHECK(!sr_tag_get("", "cairn_name", v, sizeof(v)));
}

TEST(error_names_are_xenapi_codes)
{
	struct sr_error err;
	char buf[256];

	CHECK_STR(sr_code_name(SR_E_VDI_IN_USE), "VDI_IN_USE");
	CHECK_STR(sr_code_name(SR_E_VDI_TOO_SMALL), "VDI_TOO_SMALL");
	CHECK_STR(sr_code_name(SR_E_SR_FULL), "SR_FULL");
	CHECK_STR(sr_code_name(SR_E_BACKEND_FAILURE), "SR_BACKEND_FAILURE");
	CHECK_STR(sr_code_name((enum sr_code)999), "INTERNAL_ERROR");
	for (int c = 1; c < SR_E__COUNT; c++)
		CHECK(strcmp(sr_code_name((enum sr_code)c), "INTERNAL_ERROR") != 0);
	sr_fail(&err, SR_E_VDI_IN_USE, 2, "v", "destroy");
	CHECK_STR(sr_error_str(&err, buf, sizeof(buf)), "VDI_IN_USE [\"v\", \"destroy\"]");
}
