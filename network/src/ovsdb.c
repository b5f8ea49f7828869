/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovsdb.c: reading OVS state back from OVSDB (`ovs-vsctl --format=json list`).
 *
 * Design: one ovs-vsctl call lists the Bridge, Port and Interface tables with
 * the columns we use; its output is three JSON documents {"headings", "data"}.
 * Each is parsed with jansson into an array of plain row objects (OVSDB wire
 * values converted: maps to objects, sets to arrays, uuids to strings). The
 * view is then queried by name; nothing here changes OVS.
 *
 * A fake bridge (VLAN network) is a Port with fake_bridge=true and a tag; its
 * external_ids live on that Port under "fake-bridge-<key>".
 */
#include <stdlib.h>
#include <string.h>

#include "netint.h"

static const char *const bridge_cols = "_uuid,name,external_ids,ports,datapath_type";
static const char *const port_cols =
	"_uuid,name,tag,external_ids,interfaces,bond_mode,lacp,other_config,fake_bridge";
static const char *const iface_cols =
	"_uuid,name,type,external_ids,options,ofport,mtu_request,link_state";

static json_t *convert_map(json_t *pairs)
{
	json_t *o = json_object(), *pair;
	size_t i;

	if (!o || !json_is_array(pairs))
		return o;
	json_array_foreach(pairs, i, pair) {
		json_t *k = json_array_get(pair, 0), *v = json_array_get(pair, 1);
		char num[32];
		const char *key = json_string_value(k);
		if (!key && json_is_integer(k)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(k));
			key = num;
		}
		if (key)
			json_object_set_new(o, key, ovsj_convert(v));
	}
	return o;
}

static json_t *convert_set(json_t *elems)
{
	json_t *a = json_array(), *e;
	size_t i;

	if (!a || !json_is_array(elems))
		return a;
	json_array_foreach(elems, i, e)
		json_array_append_new(a, ovsj_convert(e));
	return a;
}

/* OVSDB wire value (RFC 7047 section 5.1) to a plain JSON value (new reference). */
json_t *ovsj_convert(json_t *v)
{
	const char *tag;

	if (!json_is_array(v) || json_array_size(v) != 2)
		return v ? json_incref(v) : json_null();
	tag = json_string_value(json_array_get(v, 0));
	if (!tag)
		return json_incref(v);
	if (!strcmp(tag, "map"))
		return convert_map(json_array_get(v, 1));
	if (!strcmp(tag, "set"))
		return convert_set(json_array_get(v, 1));
	if (!strcmp(tag, "uuid") || !strcmp(tag, "named-uuid"))
		return json_incref(json_array_get(v, 1));
	return json_incref(v);
}

/* Parses one {"headings": [...], "data": [[...], ...]} document at text. */
json_t *ovsj_parse_table(const char *text, size_t len, size_t *used)
{
	json_error_t je;
	json_t *doc, *heads, *data, *rows = NULL, *row;
	size_t i;

	doc = json_loadb(text, len, JSON_DISABLE_EOF_CHECK, &je);
	if (!doc)
		return NULL;
	*used = je.position;
	heads = json_object_get(doc, "headings");
	data = json_object_get(doc, "data");
	if (!json_is_array(heads) || !json_is_array(data))
		goto out;
	rows = json_array();
	json_array_foreach(data, i, row) {
		json_t *o = json_object();
		if (!json_is_array(row) || json_array_size(row) != json_array_size(heads)) {
			json_decref(o);
			json_decref(rows);
			rows = NULL;
			goto out;
		}
		for (size_t c = 0; c < json_array_size(heads); c++) {
			const char *h = json_string_value(json_array_get(heads, c));
			if (h)
				json_object_set_new(o, h, ovsj_convert(json_array_get(row, c)));
		}
		json_array_append_new(rows, o);
	}
out:
	json_decref(doc);
	return rows;
}

void ovsdb_view_free(struct ovsdb_view *v)
{
	json_decref(v->bridges);
	json_decref(v->ports);
	json_decref(v->ifaces);
	memset(v, 0, sizeof(*v));
}

int ovsdb_view_parse(const char *text, struct ovsdb_view *v)
{
	json_t **tables[3] = {&v->bridges, &v->ports, &v->ifaces};
	size_t len = strlen(text), off = 0;

	memset(v, 0, sizeof(*v));
	for (int t = 0; t < 3; t++) {
		size_t used = 0;
		while (off < len && (text[off] == '\n' || text[off] == ' '))
			off++;
		*tables[t] = ovsj_parse_table(text + off, len - off, &used);
		if (!*tables[t]) {
			ovsdb_view_free(v);
			return -1;
		}
		off += used;
	}
	return 0;
}

int ovsdb_read(struct net *n, struct ovsdb_view *v, struct net_err *err)
{
	struct argv a;
	char *out = NULL;
	int rc;

	argv_init(&a);
	argv_add(&a, "--format=json");
	argv_cmd(&a);
	argv_add(&a, "--columns=%s", bridge_cols);
	argv_add(&a, "list");
	argv_add(&a, "Bridge");
	argv_cmd(&a);
	argv_add(&a, "--columns=%s", port_cols);
	argv_add(&a, "list");
	argv_add(&a, "Port");
	argv_cmd(&a);
	argv_add(&a, "--columns=%s", iface_cols);
	argv_add(&a, "list");
	argv_add(&a, "Interface");
	rc = net_vsctl(n, &a, &out, err);
	argv_free(&a);
	if (rc)
		return -1;
	rc = ovsdb_view_parse(out, v);
	if (rc)
		net_err_internal(err, "cannot parse ovs-vsctl --format=json output");
	free(out);
	return rc;
}

json_t *ovsdb_row(json_t *table, const char *column, const char *value)
{
	json_t *row;
	size_t i;

	json_array_foreach(table, i, row) {
		const char *s = json_string_value(json_object_get(row, column));
		if (s && !strcmp(s, value))
			return row;
	}
	return NULL;
}

const char *ovsdb_str(json_t *row, const char *column)
{
	const char *s = json_string_value(json_object_get(row, column));

	return s ? s : "";
}

const char *ovsdb_ext(json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(json_object_get(row, "external_ids"), key));

	return s ? s : "";
}

/* Integer column; an empty optional column is an empty set (array). */
long ovsdb_int(json_t *row, const char *column, long dflt)
{
	json_t *v = json_object_get(row, column);

	return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

static bool array_has_string(json_t *arr, const char *s)
{
	json_t *e;
	size_t i;

	if (json_is_string(arr))
		return !strcmp(json_string_value(arr), s);
	json_array_foreach(arr, i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), s))
			return true;
	return false;
}

json_t *ovsdb_port_bridge(struct ovsdb_view *v, const char *port_uuid)
{
	json_t *br;
	size_t i;

	json_array_foreach(v->bridges, i, br)
		if (array_has_string(json_object_get(br, "ports"), port_uuid))
			return br;
	return NULL;
}

/* The fake-bridge Port called name, or NULL. */
static json_t *fake_bridge_port(struct ovsdb_view *v, const char *name)
{
	json_t *port = ovsdb_row(v->ports, "name", name);

	if (!port || !json_is_true(json_object_get(port, "fake_bridge")) ||
	    ovsdb_int(port, "tag", -1) < 0)
		return NULL;
	return port;
}

bool ovsdb_bridge_exists(struct ovsdb_view *v, const char *name)
{
	return ovsdb_row(v->bridges, "name", name) || fake_bridge_port(v, name);
}

const char *ovsdb_bridge_network(struct ovsdb_view *v, const char *name)
{
	json_t *br = ovsdb_row(v->bridges, "name", name), *port;

	if (br)
		return ovsdb_ext(br, "xs-network-uuids");
	port = fake_bridge_port(v, name);
	return port ? ovsdb_ext(port, "fake-bridge-xs-network-uuids") : "";
}
