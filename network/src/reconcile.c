/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reconcile.c: make OVS match the records after a restart or a change behind
 * our back, and show what OVS holds.
 *
 * Design: read the Bridge/Port/Interface tables once, compare them with the
 * records, and collect every repair into one ovs-vsctl transaction: first the
 * removals (stale VIF ports, bridges of networks that are gone), then real
 * bridges, fake bridges, PIF ports and bonds, VIF ports and tunnel ports. The
 * locking rules of every running VIF are then re-installed, since OpenFlow
 * rules do not survive an ovs-vswitchd restart. Only objects carrying our
 * external_ids are ever removed.
 */
#include <stdlib.h>
#include <string.h>

#include "netint.h"

struct recon {
	struct net *n;
	const struct net_state *st;
	struct ovsdb_view v;
	struct argv a;
	int changes;
};

/* The Port row called name if it sits on real bridge `bridge` with tag `tag`
 * (-1: untagged). */
static json_t *port_on(struct recon *r, const char *name, const char *bridge, long tag)
{
	json_t *port = ovsdb_row(r->v.ports, "name", name), *br;

	if (!port || !bridge)
		return NULL;
	br = ovsdb_port_bridge(&r->v, ovsdb_str(port, "_uuid"));
	if (!br || strcmp(ovsdb_str(br, "name"), bridge) || ovsdb_int(port, "tag", -1) != tag)
		return NULL;
	return port;
}

static unsigned net_mtu(const struct net_state *st, const char *network)
{
	const struct net_network *nw = net_state_network(st, network);

	return nw && nw->MTU ? nw->MTU : 1500;
}

/* Does the interface called name request this MTU? */
static bool mtu_ok(struct recon *r, const char *name, unsigned mtu)
{
	json_t *iface = ovsdb_row(r->v.ifaces, "name", name);

	return iface && ovsdb_int(iface, "mtu_request", 0) == (long)mtu;
}

static void del(struct recon *r, const char *what, const char *name)
{
	NET_LOG("removing %s %s", what, name);
	argv_cmd(&r->a);
	argv_add(&r->a, "--if-exists");
	argv_add(&r->a, "%s", what);
	argv_add(&r->a, "%s", name);
	r->changes++;
}

static bool vif_running(const struct net_vif *vif)
{
	return vif->currently_attached && vif->domid >= 0;
}

static bool bridge_desired(struct recon *r, const char *name)
{
	for (size_t i = 0; i < r->st->n_networks; i++)
		if (!strcmp(r->st->networks[i].bridge, name))
			return true;
	return false;
}

/* Bridges still named by a record are repaired in place, not removed. */
static void remove_stale(struct recon *r)
{
	json_t *row;
	size_t i;

	json_array_foreach(r->v.ifaces, i, row) {
		const char *vu = ovsdb_ext(row, "xs-vif-uuid");
		const struct net_vif *vif = net_state_vif(r->st, vu);
		char want[NET_IFNAME_SIZE] = "";
		if (!vu[0])
			continue;
		if (vif && vif_running(vif))
			net_vif_port_name(vif, want, sizeof(want));
		if (strcmp(want, ovsdb_str(row, "name")))
			del(r, "del-port", ovsdb_str(row, "name"));
	}
	json_array_foreach(r->v.bridges, i, row) {
		const char *nu = ovsdb_ext(row, "xs-network-uuids");
		if (nu[0] && !net_state_network(r->st, nu) &&
		    !bridge_desired(r, ovsdb_str(row, "name")))
			del(r, "del-br", ovsdb_str(row, "name"));
	}
	json_array_foreach(r->v.ports, i, row) {
		const char *nu = ovsdb_ext(row, "fake-bridge-xs-network-uuids");
		if (nu[0] && !net_state_network(r->st, nu) &&
		    !bridge_desired(r, ovsdb_str(row, "name")))
			del(r, "del-br", ovsdb_str(row, "name"));
	}
}

static void fix_bridges(struct recon *r, bool fake)
{
	for (size_t i = 0; i < r->st->n_networks; i++) {
		const struct net_network *nw = &r->st->networks[i];
		const struct net_pif *vp = net_state_vlan_pif_of_network(r->st, nw->uuid);
		const char *parent = net_state_real_bridge(r->st, nw->uuid);
		json_t *br;
		if (!nw->bridge[0] || fake != (vp != NULL) || !parent)
			continue;
		if (fake) {
			if (port_on(r, nw->bridge, parent, vp->VLAN) &&
			    !strcmp(ovsdb_bridge_network(&r->v, nw->bridge), nw->uuid))
				continue;
			if (ovsdb_row(r->v.ports, "name", nw->bridge))
				del(r, "del-br", nw->bridge);
			net_tx_fake_bridge(&r->a, nw, parent, vp->VLAN);
		} else {
			br = ovsdb_row(r->v.bridges, "name", nw->bridge);
			if (br && !strcmp(ovsdb_ext(br, "xs-network-uuids"), nw->uuid) &&
			    !strcmp(ovsdb_str(br, "datapath_type"), r->n->dp_type) &&
			    mtu_ok(r, nw->bridge, net_mtu(r->st, nw->uuid)))
				continue;
			net_tx_bridge(r->n, &r->a, r->st, nw);
		}
		NET_LOG("restoring bridge %s of network %s", nw->bridge, nw->uuid);
		r->changes++;
	}
}

static bool pif_port_ok(struct recon *r, const struct net_pif *pif)
{
	const struct net_bond *b = net_state_bond(r->st, pif->bond_master_of);
	const char *br = net_state_bridge(r->st, pif->network);
	json_t *port = port_on(r, pif->device, br, -1);
	json_t *ifs = json_object_get(port, "interfaces");

	if (!port || strcmp(ovsdb_ext(port, "xs-pif-uuid"), pif->uuid))
		return false;
	if (!b)
		return mtu_ok(r, pif->device, net_mtu(r->st, pif->network));
	return json_is_array(ifs) && json_array_size(ifs) == b->n_slaves;
}

static int fix_pifs(struct recon *r, struct net_err *err)
{
	for (size_t i = 0; i < r->st->n_pifs; i++) {
		const struct net_pif *pif = &r->st->pifs[i];
		if (!pif->currently_attached || pif->VLAN >= 0 || pif->bond_slave_of[0] ||
		    pif_port_ok(r, pif))
			continue;
		NET_LOG("restoring port %s of PIF %s", pif->device, pif->uuid);
		if (!pif->bond_master_of[0])
			del(r, "del-port", pif->device);
		if (net_tx_pif(r->n, &r->a, r->st, pif, err))
			return -1;
		r->changes++;
	}
	return 0;
}

static void fix_vifs(struct recon *r)
{
	for (size_t i = 0; i < r->st->n_vifs; i++) {
		const struct net_vif *vif = &r->st->vifs[i];
		const struct net_pif *vp = net_state_vlan_pif_of_network(r->st, vif->network);
		const char *br = net_state_real_bridge(r->st, vif->network);
		char name[NET_IFNAME_SIZE];
		json_t *iface;
		if (!vif_running(vif) || !br)
			continue;
		net_vif_port_name(vif, name, sizeof(name));
		iface = ovsdb_row(r->v.ifaces, "name", name);
		if (port_on(r, name, br, vp ? vp->VLAN : -1) && iface &&
		    !strcmp(ovsdb_ext(iface, "xs-vif-uuid"), vif->uuid) &&
		    !strcmp(ovsdb_ext(iface, "attached-mac"), vif->MAC) &&
		    mtu_ok(r, name, vif->MTU ? vif->MTU : net_mtu(r->st, vif->network)))
			continue;
		NET_LOG("restoring port %s of VIF %s", name, vif->uuid);
		net_tx_vif(r->n, &r->a, r->st, vif);
		r->changes++;
	}
}

static void fix_tunnels(struct recon *r)
{
	for (size_t i = 0; i < r->st->n_tunnels; i++) {
		const struct net_tunnel *t = &r->st->tunnels[i];
		const char *br = net_state_bridge(r->st, t->network);
		bool ok = true;
		for (size_t k = 0; k < t->n_remotes; k++) {
			char name[32];
			json_t *iface;
			snprintf(name, sizeof(name), "vx%u.%zu", t->key, k);
			iface = ovsdb_row(r->v.ifaces, "name", name);
			const char *rip = json_string_value(
				json_object_get(json_object_get(iface, "options"), "remote_ip"));
			ok &= port_on(r, name, br, -1) && rip && !strcmp(rip, t->remote_ips[k]);
		}
		if (ok)
			continue;
		net_tx_tunnel(&r->a, r->st, t);
		r->changes++;
	}
}

int net_reconcile(struct net *n, const struct net_state *st, int *changes,
		  struct net_err *err)
{
	struct recon r = {.n = n, .st = st};
	int rc = -1;

	argv_init(&r.a);
	if (ovsdb_read(n, &r.v, err))
		goto out;
	remove_stale(&r);
	fix_bridges(&r, false);
	fix_bridges(&r, true);
	if (fix_pifs(&r, err))
		goto out_view;
	fix_vifs(&r);
	fix_tunnels(&r);
	if (r.a.n && net_vsctl(n, &r.a, NULL, err))
		goto out_view;
	for (size_t i = 0; i < st->n_vifs; i++)
		if (vif_running(&st->vifs[i]) && net_flows_install(n, st, &st->vifs[i], err))
			goto out_view;
	if (changes)
		*changes = r.changes;
	rc = 0;
out_view:
	ovsdb_view_free(&r.v);
out:
	argv_free(&r.a);
	return rc;
}

/* ---- show ---- */

static json_t *show_port(struct ovsdb_view *v, json_t *port)
{
	json_t *o = json_deep_copy(port), *ifs = json_array(), *u;
	json_t *list = json_object_get(port, "interfaces");
	size_t i;

	if (json_is_string(list)) {
		json_t *row = ovsdb_row(v->ifaces, "_uuid", json_string_value(list));
		if (row)
			json_array_append(ifs, row);
	} else {
		json_array_foreach(list, i, u) {
			json_t *row = ovsdb_row(v->ifaces, "_uuid", json_string_value(u));
			if (row)
				json_array_append(ifs, row);
		}
	}
	json_object_set_new(o, "interfaces", ifs);
	return o;
}

static json_t *show_bridge(struct ovsdb_view *v, json_t *br)
{
	json_t *o = json_object(), *ports = json_array(), *list, *u;
	size_t i;

	json_object_set_new(o, "name", json_string(ovsdb_str(br, "name")));
	json_object_set_new(o, "datapath_type", json_string(ovsdb_str(br, "datapath_type")));
	json_object_set(o, "external_ids", json_object_get(br, "external_ids"));
	list = json_object_get(br, "ports");
	if (json_is_string(list))
		list = json_pack("[O]", list);
	else
		json_incref(list);
	json_array_foreach(list, i, u) {
		json_t *port = ovsdb_row(v->ports, "_uuid", json_string_value(u));
		if (port)
			json_array_append_new(ports, show_port(v, port));
	}
	json_decref(list);
	json_object_set_new(o, "ports", ports);
	return o;
}

int net_show(struct net *n, char **out, struct net_err *err)
{
	struct ovsdb_view v;
	json_t *root, *brs, *br;
	size_t i;

	if (ovsdb_read(n, &v, err))
		return -1;
	root = json_object();
	brs = json_array();
	json_array_foreach(v.bridges, i, br)
		json_array_append_new(brs, show_bridge(&v, br));
	json_object_set_new(root, "bridges", brs);
	*out = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	ovsdb_view_free(&v);
	if (!*out) {
		net_err_internal(err, "out of memory");
		return -1;
	}
	return 0;
}
