/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * state.c: net-tool's records <-> JSON.
 *
 * Design: each record type is described by a table of fields (JSON key, kind,
 * offset, size); one loader and one saver walk the tables. Strings are copied in
 * only when they fit; anything malformed fails the load with the field's name.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "state.h"

enum kind { K_STR, K_UINT, K_LONG, K_BOOL, K_LOCK, K_IPMODE, K_BONDMODE, K_STRS };

struct field {
	const char *key;
	enum kind kind;
	size_t off, size;	/* size: of one string */
	size_t count_off, max;	/* K_STRS: where the count lives, capacity */
};

#define S(T, f) {#f, K_STR, offsetof(T, f), sizeof(((T *)0)->f), 0, 0}
#define U(T, f) {#f, K_UINT, offsetof(T, f), 0, 0, 0}
#define L(T, f) {#f, K_LONG, offsetof(T, f), 0, 0, 0}
#define B(T, f) {#f, K_BOOL, offsetof(T, f), 0, 0, 0}
#define E(T, f, k) {#f, k, offsetof(T, f), 0, 0, 0}
#define A(T, f, n)                                                                 \
	{#f, K_STRS, offsetof(T, f), sizeof(((T *)0)->f[0]), offsetof(T, n),       \
	 sizeof(((T *)0)->f) / sizeof(((T *)0)->f[0])}

static const struct field network_fields[] = {
	S(struct net_network, uuid), S(struct net_network, name_label),
	S(struct net_network, bridge), U(struct net_network, MTU),
	E(struct net_network, default_locking_mode, K_LOCK), {NULL, 0, 0, 0, 0, 0}};
static const struct field pif_fields[] = {
	S(struct net_pif, uuid), S(struct net_pif, device), S(struct net_pif, network),
	S(struct net_pif, MAC), U(struct net_pif, MTU), L(struct net_pif, VLAN),
	B(struct net_pif, physical), B(struct net_pif, currently_attached),
	B(struct net_pif, management), E(struct net_pif, ip_configuration_mode, K_IPMODE),
	S(struct net_pif, IP), S(struct net_pif, netmask), S(struct net_pif, gateway),
	S(struct net_pif, bond_slave_of), S(struct net_pif, bond_master_of),
	S(struct net_pif, VLAN_master_of), {NULL, 0, 0, 0, 0, 0}};
static const struct field bond_fields[] = {
	S(struct net_bond, uuid), S(struct net_bond, master),
	A(struct net_bond, slaves, n_slaves), E(struct net_bond, mode, K_BONDMODE),
	S(struct net_bond, primary_slave), B(struct net_bond, lacp_fast),
	{NULL, 0, 0, 0, 0, 0}};
static const struct field vlan_fields[] = {
	S(struct net_vlan, uuid), S(struct net_vlan, tagged_PIF),
	S(struct net_vlan, untagged_PIF), L(struct net_vlan, tag), {NULL, 0, 0, 0, 0, 0}};
static const struct field vif_fields[] = {
	S(struct net_vif, uuid), S(struct net_vif, device), S(struct net_vif, network),
	S(struct net_vif, VM), S(struct net_vif, MAC), U(struct net_vif, MTU),
	L(struct net_vif, domid), B(struct net_vif, currently_attached),
	E(struct net_vif, locking_mode, K_LOCK), A(struct net_vif, ipv4_allowed, n_ipv4_allowed),
	A(struct net_vif, ipv6_allowed, n_ipv6_allowed), {NULL, 0, 0, 0, 0, 0}};
static const struct field tunnel_fields[] = {
	S(struct net_tunnel, uuid), S(struct net_tunnel, network), U(struct net_tunnel, key),
	S(struct net_tunnel, local_ip), A(struct net_tunnel, remote_ips, n_remotes),
	{NULL, 0, 0, 0, 0, 0}};

struct table {
	const char *key;
	const struct field *fields;
	size_t rec_size;
	size_t arr_off, n_off;
	void (*init)(void *rec);
};

static void init_pif(void *rec)
{
	((struct net_pif *)rec)->VLAN = -1;
}

static void init_vif(void *rec)
{
	((struct net_vif *)rec)->domid = -1;
}

static void init_network(void *rec)
{
	((struct net_network *)rec)->default_locking_mode = NET_LOCK_UNLOCKED;
}

#define T(k, f, type, arr, n, init)                                                  \
	{k, f, sizeof(type), offsetof(struct net_state, arr), offsetof(struct net_state, n), \
	 init}
static const struct table tables[] = {
	T("networks", network_fields, struct net_network, networks, n_networks, init_network),
	T("PIFs", pif_fields, struct net_pif, pifs, n_pifs, init_pif),
	T("Bonds", bond_fields, struct net_bond, bonds, n_bonds, NULL),
	T("VLANs", vlan_fields, struct net_vlan, vlans, n_vlans, NULL),
	T("VIFs", vif_fields, struct net_vif, vifs, n_vifs, init_vif),
	T("tunnels", tunnel_fields, struct net_tunnel, tunnels, n_tunnels, NULL),
};

static int copy_str(char *dst, size_t size, json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) >= size)
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int load_enum(const struct field *f, char *rec, json_t *v)
{
	const char *s = json_string_value(v);
	int r = -1;

	if (f->kind == K_LOCK)
		r = net_locking_parse(s, (enum net_locking *)(rec + f->off));
	else if (f->kind == K_IPMODE)
		r = net_ip_mode_parse(s, (enum net_ip_mode *)(rec + f->off));
	else if (f->kind == K_BONDMODE)
		r = net_bond_mode_parse(s, (enum net_bond_mode *)(rec + f->off));
	return r;
}

static int load_field(const struct field *f, char *rec, json_t *v)
{
	size_t i;
	json_t *e;

	switch (f->kind) {
	case K_STR:
		return copy_str(rec + f->off, f->size, v);
	case K_UINT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 0xffffffffLL)
			return -1;
		*(unsigned *)(rec + f->off) = (unsigned)json_integer_value(v);
		return 0;
	case K_LONG:
		if (!json_is_integer(v))
			return -1;
		*(long *)(rec + f->off) = (long)json_integer_value(v);
		return 0;
	case K_BOOL:
		if (!json_is_boolean(v))
			return -1;
		*(bool *)(rec + f->off) = json_is_true(v);
		return 0;
	case K_STRS:
		if (!json_is_array(v) || json_array_size(v) > f->max)
			return -1;
		json_array_foreach(v, i, e)
			if (copy_str(rec + f->off + i * f->size, f->size, e))
				return -1;
		*(size_t *)(rec + f->count_off) = json_array_size(v);
		return 0;
	default:
		return load_enum(f, rec, v);
	}
}

static json_t *save_field(const struct field *f, const char *rec)
{
	json_t *a;

	switch (f->kind) {
	case K_STR:
		return json_string(rec + f->off);
	case K_UINT:
		return json_integer(*(const unsigned *)(rec + f->off));
	case K_LONG:
		return json_integer(*(const long *)(rec + f->off));
	case K_BOOL:
		return json_boolean(*(const bool *)(rec + f->off));
	case K_LOCK:
		return json_string(net_locking_name(*(const enum net_locking *)(rec + f->off)));
	case K_IPMODE:
		return json_string(net_ip_mode_name(*(const enum net_ip_mode *)(rec + f->off)));
	case K_BONDMODE:
		return json_string(
			net_bond_mode_name(*(const enum net_bond_mode *)(rec + f->off)));
	case K_STRS:
		a = json_array();
		for (size_t i = 0; i < *(const size_t *)(rec + f->count_off); i++)
			json_array_append_new(a, json_string(rec + f->off + i * f->size));
		return a;
	}
	return json_null();
}

static void **arr_of(const struct table *t, const struct net_state *st)
{
	return (void **)((char *)st + t->arr_off);
}

static size_t *n_of(const struct table *t, const struct net_state *st)
{
	return (size_t *)((char *)st + t->n_off);
}

static void *append(const struct table *t, struct net_state *st, const void *rec)
{
	void **arr = arr_of(t, st);
	size_t *n = n_of(t, st);
	char *p = realloc(*arr, (*n + 1) * t->rec_size);

	if (!p)
		return NULL;
	*arr = p;
	p += (*n)++ * t->rec_size;
	if (rec)
		memcpy(p, rec, t->rec_size);
	else
		memset(p, 0, t->rec_size);
	return p;
}

static int load_table(const struct table *t, json_t *list, struct net_state *st, char *why,
		      size_t whylen)
{
	json_t *obj, *v;
	size_t i;

	json_array_foreach(list, i, obj) {
		char *rec = append(t, st, NULL);
		const char *key;
		if (!rec || !json_is_object(obj))
			goto bad;
		if (t->init)
			t->init(rec);
		json_object_foreach(obj, key, v) {
			const struct field *f = t->fields;
			while (f->key && strcmp(f->key, key))
				f++;
			if (!f->key || load_field(f, rec, v)) {
				snprintf(why, whylen, "%s[%zu].%s is invalid", t->key, i, key);
				return -1;
			}
		}
	}
	return 0;
bad:
	snprintf(why, whylen, "%s[%zu] is not an object", t->key, i);
	return -1;
}

int state_load(const char *path, struct net_state *st, char *why, size_t whylen)
{
	json_error_t je;
	json_t *root;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(why, whylen, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && !rc; i++) {
		json_t *list = json_object_get(root, tables[i].key);
		if (list && !json_is_array(list)) {
			snprintf(why, whylen, "%s is not a list", tables[i].key);
			rc = -1;
		} else if (list) {
			rc = load_table(&tables[i], list, st, why, whylen);
		}
	}
	json_decref(root);
	if (rc)
		state_free(st);
	return rc;
}

int state_save(const char *path, const struct net_state *st)
{
	json_t *root = json_object();
	char tmp[4096];
	int rc;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const struct table *t = &tables[i];
		json_t *list = json_array();
		for (size_t r = 0; r < *n_of(t, st); r++) {
			const char *rec = (const char *)*arr_of(t, st) + r * t->rec_size;
			json_t *obj = json_object();
			for (const struct field *f = t->fields; f->key; f++)
				json_object_set_new(obj, f->key, save_field(f, rec));
			json_array_append_new(list, obj);
		}
		json_object_set_new(root, t->key, list);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = json_dump_file(root, tmp, JSON_INDENT(1));
	json_decref(root);
	if (rc == 0)
		rc = rename(tmp, path);
	return rc;
}

void state_free(struct net_state *st)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		free(*arr_of(&tables[i], st));
	memset(st, 0, sizeof(*st));
}

struct net_network *state_add_network(struct net_state *st, const struct net_network *rec)
{
	return append(&tables[0], st, rec);
}
struct net_pif *state_add_pif(struct net_state *st, const struct net_pif *rec)
{
	return append(&tables[1], st, rec);
}
struct net_bond *state_add_bond(struct net_state *st, const struct net_bond *rec)
{
	return append(&tables[2], st, rec);
}
struct net_vlan *state_add_vlan(struct net_state *st, const struct net_vlan *rec)
{
	return append(&tables[3], st, rec);
}
struct net_vif *state_add_vif(struct net_state *st, const struct net_vif *rec)
{
	return append(&tables[4], st, rec);
}
struct net_tunnel *state_add_tunnel(struct net_state *st, const struct net_tunnel *rec)
{
	return append(&tables[5], st, rec);
}
