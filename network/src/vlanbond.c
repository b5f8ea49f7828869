/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vlanbond.c: VLAN.create/destroy (fake bridges) and Bond.create/set_mode/destroy.
 *
 * Design: validation follows xapi's order of checks, so a bad request gets the
 * same XenAPI error as on XenServer; nothing reaches OVS until all checks pass,
 * and then it is one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "netint.h"

#define FAIL(...)                                  \
	do {                                       \
		net_err_set(err, __VA_ARGS__);     \
		return -1;                         \
	} while (0)

static int run_tx(struct net *n, struct argv *a, struct net_err *err)
{
	int rc = net_vsctl(n, a, NULL, err);

	argv_free(a);
	return rc;
}

static const struct net_pif *network_pif(const struct net_state *st, const char *network)
{
	for (size_t i = 0; i < st->n_pifs; i++)
		if (!strcmp(st->pifs[i].network, network))
			return &st->pifs[i];
	return NULL;
}

/* The network's bridge may already exist as its own real bridge (network.create
 * makes one): it is replaced by the fake bridge only while nothing is on it. */
static int vlan_checks(struct net *n, const struct net_state *st, const struct net_pif *tp,
		       long tag, const struct net_network *nw, bool *replace,
		       struct net_err *err)
{
	const struct net_pif *other;
	struct ovsdb_view v;
	json_t *br;
	char tagstr[32];
	int rc = 0;

	snprintf(tagstr, sizeof(tagstr), "%ld", tag);
	if (!net_valid_vlan_tag(tag))
		FAIL(NET_E_VLAN_TAG_INVALID, 1, tagstr);
	if (tp->VLAN >= 0)
		FAIL(NET_E_PIF_IS_VLAN, 1, tp->uuid);
	if (tp->bond_slave_of[0])
		FAIL(NET_E_CANNOT_ADD_VLAN_TO_BOND_SLAVE, 1, tp->uuid);
	for (size_t i = 0; i < st->n_vlans; i++)
		if (!strcmp(st->vlans[i].tagged_PIF, tp->uuid) && st->vlans[i].tag == tag)
			FAIL(NET_E_PIF_VLAN_EXISTS, 1, tp->uuid);
	if ((other = network_pif(st, nw->uuid)))
		FAIL(NET_E_NETWORK_ALREADY_CONNECTED, 2, nw->uuid, other->uuid);
	if (!net_state_bridge(st, tp->network))
		FAIL(NET_E_HANDLE_INVALID, 2, "network", tp->network);
	if (!nw->bridge[0] || !net_valid_ifname(nw->bridge))
		FAIL(NET_E_INVALID_VALUE, 2, "bridge", nw->bridge);
	if (ovsdb_read(n, &v, err))
		return -1;
	br = ovsdb_row(v.bridges, "name", nw->bridge);
	*replace = br != NULL;
	if (ovsdb_row(v.ports, "name", nw->bridge) && !br)
		rc = -1;	/* a port, or a fake bridge already */
	if (ovsdb_bridge_exists(&v, nw->bridge) &&
	    strcmp(ovsdb_bridge_network(&v, nw->bridge), nw->uuid))
		rc = -1;
	if (br && json_array_size(json_object_get(br, "ports")) > 1)
		rc = -1;	/* in use: VIFs would be lost */
	ovsdb_view_free(&v);
	if (rc)
		FAIL(NET_E_BRIDGE_NAME_EXISTS, 1, nw->bridge);
	return 0;
}

int net_vlan_create(struct net *n, const struct net_state *st, const char *tagged_pif,
		    long tag, const char *network, struct net_vlan *vlan,
		    struct net_pif *untagged, struct net_err *err)
{
	const struct net_pif *tp = net_state_pif(st, tagged_pif);
	const struct net_network *nw = net_state_network(st, network);
	const char *parent;
	bool replace = false;
	struct argv a;

	if (!tp)
		FAIL(NET_E_HANDLE_INVALID, 2, "PIF", tagged_pif ? tagged_pif : "");
	if (!nw)
		FAIL(NET_E_HANDLE_INVALID, 2, "network", network ? network : "");
	if (vlan_checks(n, st, tp, tag, nw, &replace, err))
		return -1;
	parent = net_state_bridge(st, tp->network);
	memset(vlan, 0, sizeof(*vlan));
	memset(untagged, 0, sizeof(*untagged));
	net_uuid_generate(vlan->uuid);
	net_uuid_generate(untagged->uuid);
	snprintf(vlan->tagged_PIF, sizeof(vlan->tagged_PIF), "%s", tp->uuid);
	snprintf(vlan->untagged_PIF, sizeof(vlan->untagged_PIF), "%s", untagged->uuid);
	vlan->tag = tag;
	snprintf(untagged->device, sizeof(untagged->device), "%s", tp->device);
	snprintf(untagged->network, sizeof(untagged->network), "%s", nw->uuid);
	snprintf(untagged->MAC, sizeof(untagged->MAC), "%s", tp->MAC);
	snprintf(untagged->VLAN_master_of, sizeof(untagged->VLAN_master_of), "%s", vlan->uuid);
	untagged->MTU = nw->MTU ? nw->MTU : 1500;
	untagged->VLAN = tag;
	untagged->currently_attached = true;
	argv_init(&a);
	if (replace) {
		argv_cmd(&a);
		argv_add(&a, "del-br");
		argv_add(&a, "%s", nw->bridge);
	}
	net_tx_bridge(n, &a, st, net_state_network(st, tp->network));
	net_tx_fake_bridge(&a, nw, parent, tag);
	return run_tx(n, &a, err);
}

int net_vlan_destroy(struct net *n, const struct net_state *st, const char *uuid,
		     struct net_err *err)
{
	const struct net_vlan *vl = NULL;
	const struct net_pif *up;
	const char *br;
	struct argv a;

	for (size_t i = 0; i < st->n_vlans; i++)
		if (!strcmp(st->vlans[i].uuid, uuid))
			vl = &st->vlans[i];
	if (!vl)
		FAIL(NET_E_HANDLE_INVALID, 2, "VLAN", uuid);
	up = net_state_pif(st, vl->untagged_PIF);
	br = up ? net_state_bridge(st, up->network) : NULL;
	if (!br)
		FAIL(NET_E_HANDLE_INVALID, 2, "PIF", vl->untagged_PIF);
	argv_init(&a);
	argv_cmd(&a);
	argv_add(&a, "--if-exists");
	argv_add(&a, "del-br");
	argv_add(&a, "%s", br);
	return run_tx(n, &a, err);
}

/* ---- bonds ---- */

static int bond_member_checks(const struct net_state *st, const char *const *members,
			      size_t n, const char *primary, struct net_err *err)
{
	bool primary_found = !primary || !primary[0];

	if (n < 2)
		FAIL(NET_E_PIF_BOND_NEEDS_MORE_MEMBERS, 0);
	if (n > NET_BOND_MAX)
		FAIL(NET_E_INVALID_VALUE, 2, "members", "too many");
	for (size_t i = 0; i < n; i++) {
		const struct net_pif *p = net_state_pif(st, members[i]);
		if (!p)
			FAIL(NET_E_HANDLE_INVALID, 2, "PIF", members[i]);
		if (p->VLAN >= 0)
			FAIL(NET_E_PIF_IS_VLAN, 1, p->uuid);
		if (p->bond_slave_of[0] || p->bond_master_of[0])
			FAIL(NET_E_PIF_ALREADY_BONDED, 1, p->uuid);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(members[j], members[i]))
				FAIL(NET_E_INVALID_VALUE, 2, "members", members[i]);
		if (!primary_found && !strcmp(primary, members[i]))
			primary_found = true;
	}
	if (!primary_found)
		FAIL(NET_E_INVALID_VALUE, 2, "primary_slave", primary);
	return 0;
}

static void bond_device(const struct net_state *st, char *out)
{
	for (int i = 0;; i++) {
		bool used = false;
		snprintf(out, NET_IFNAME_SIZE, "bond%d", i);
		for (size_t j = 0; j < st->n_pifs; j++)
			used |= !strcmp(st->pifs[j].device, out);
		if (!used)
			return;
	}
}

int net_bond_create(struct net *n, const struct net_state *st, const char *network,
		    const char *const *members, size_t n_members, enum net_bond_mode mode,
		    const char *primary, struct net_bond *bond, struct net_pif *master,
		    struct net_err *err)
{
	const struct net_network *nw = net_state_network(st, network);
	const struct net_pif *first, *other;
	struct argv a;

	if (!nw)
		FAIL(NET_E_HANDLE_INVALID, 2, "network", network ? network : "");
	if ((unsigned)mode > NET_BOND_LACP)
		FAIL(NET_E_INVALID_VALUE, 2, "mode", "?");
	if (bond_member_checks(st, members, n_members, primary, err))
		return -1;
	if ((other = network_pif(st, network)))
		FAIL(NET_E_NETWORK_ALREADY_CONNECTED, 2, network, other->uuid);
	first = net_state_pif(st, primary && primary[0] ? primary : members[0]);
	memset(bond, 0, sizeof(*bond));
	memset(master, 0, sizeof(*master));
	net_uuid_generate(bond->uuid);
	net_uuid_generate(master->uuid);
	snprintf(bond->master, sizeof(bond->master), "%s", master->uuid);
	for (size_t i = 0; i < n_members; i++)
		snprintf(bond->slaves[i], sizeof(bond->slaves[i]), "%s", members[i]);
	bond->n_slaves = n_members;
	bond->mode = mode;
	if (primary)
		snprintf(bond->primary_slave, sizeof(bond->primary_slave), "%s", primary);
	bond_device(st, master->device);
	snprintf(master->network, sizeof(master->network), "%s", network);
	snprintf(master->MAC, sizeof(master->MAC), "%s", first->MAC);
	snprintf(master->bond_master_of, sizeof(master->bond_master_of), "%s", bond->uuid);
	master->MTU = nw->MTU ? nw->MTU : 1500;
	master->VLAN = -1;
	master->currently_attached = true;
	argv_init(&a);
	net_tx_bridge(n, &a, st, nw);
	net_tx_bond(&a, st, nw->bridge, master, bond);
	return run_tx(n, &a, err);
}

int net_bond_set_mode(struct net *n, const struct net_state *st, const char *uuid,
		      enum net_bond_mode mode, struct net_err *err)
{
	const struct net_bond *b = net_state_bond(st, uuid);
	const struct net_pif *m = b ? net_state_pif(st, b->master) : NULL;
	struct net_bond nb;
	struct argv a;

	if (!b || !m)
		FAIL(NET_E_HANDLE_INVALID, 2, "Bond", uuid);
	if ((unsigned)mode > NET_BOND_LACP)
		FAIL(NET_E_INVALID_VALUE, 2, "mode", "?");
	nb = *b;
	nb.mode = mode;
	argv_init(&a);
	argv_cmd(&a);
	argv_add(&a, "set");
	argv_add(&a, "Port");
	argv_add(&a, "%s", m->device);
	net_tx_bond_settings(&a, st, &nb);
	return run_tx(n, &a, err);
}

/* The members go back, each as a plain port, to their own networks' bridges. */
int net_bond_destroy(struct net *n, const struct net_state *st, const char *uuid,
		     struct net_err *err)
{
	const struct net_bond *b = net_state_bond(st, uuid);
	const struct net_pif *m = b ? net_state_pif(st, b->master) : NULL;
	struct argv a;

	if (!b || !m)
		FAIL(NET_E_HANDLE_INVALID, 2, "Bond", uuid);
	argv_init(&a);
	argv_cmd(&a);
	argv_add(&a, "--if-exists");
	argv_add(&a, "del-port");
	argv_add(&a, "%s", m->device);
	for (size_t i = 0; i < b->n_slaves; i++) {
		struct net_pif s;
		const struct net_pif *p = net_state_pif(st, b->slaves[i]);
		if (!p || !p->currently_attached)
			continue;
		s = *p;
		s.bond_slave_of[0] = '\0';
		if (net_tx_pif(n, &a, st, &s, err)) {
			argv_free(&a);
			return -1;
		}
	}
	return run_tx(n, &a, err);
}
