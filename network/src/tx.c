/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tx.c: the ovs-vsctl commands that put one record into OVS.
 *
 * Design: each function appends whole commands (each starting with "--") to a
 * transaction; the caller runs the transaction once, so a set of changes is
 * applied by OVSDB atomically or not at all. The commands are idempotent
 * (--may-exist / --if-exists) so the same pieces serve plug and reconcile.
 */
#include <string.h>

#include "netint.h"

static unsigned mtu_of(const struct net_network *nw)
{
	return nw && nw->MTU ? nw->MTU : 1500;
}

static void tx_real_bridge(struct net *n, struct argv *a, const struct net_network *nw)
{
	argv_cmd(a);
	argv_add(a, "--may-exist");
	argv_add(a, "add-br");
	argv_add(a, "%s", nw->bridge);
	argv_cmd(a);
	argv_add(a, "set");
	argv_add(a, "Bridge");
	argv_add(a, "%s", nw->bridge);
	argv_add(a, "datapath_type=%s", n->dp_type);
	argv_add(a, "external_ids:xs-network-uuids=%s", nw->uuid);
	argv_cmd(a);
	argv_add(a, "set");
	argv_add(a, "Interface");
	argv_add(a, "%s", nw->bridge);
	argv_add(a, "mtu_request=%u", mtu_of(nw));
}

/* The bridge takes its PIF's MAC (as on XenServer), so the address of the
 * bridge device is stable instead of following OVS's choice of port. */
static void tx_bridge_mac(struct argv *a, const char *bridge, const struct net_pif *pif)
{
	if (!net_valid_mac(pif->MAC))
		return;
	argv_cmd(a);
	argv_add(a, "set");
	argv_add(a, "Bridge");
	argv_add(a, "%s", bridge);
	argv_add(a, "other_config:hwaddr=\"%s\"", pif->MAC);
}

void net_tx_fake_bridge(struct argv *a, const struct net_network *nw, const char *parent,
			long tag)
{
	argv_cmd(a);
	argv_add(a, "--may-exist");
	argv_add(a, "add-br");
	argv_add(a, "%s", nw->bridge);
	argv_add(a, "%s", parent);
	argv_add(a, "%ld", tag);
	argv_cmd(a);
	argv_add(a, "br-set-external-id");
	argv_add(a, "%s", nw->bridge);
	argv_add(a, "xs-network-uuids");
	argv_add(a, "%s", nw->uuid);
	argv_cmd(a);
	argv_add(a, "set");
	argv_add(a, "Interface");
	argv_add(a, "%s", nw->bridge);
	argv_add(a, "mtu_request=%u", mtu_of(nw));
}

/* A VLAN network is a fake bridge on its tagged PIF's bridge, which must exist too. */
void net_tx_bridge(struct net *n, struct argv *a, const struct net_state *st,
		   const struct net_network *nw)
{
	const struct net_pif *vpif = net_state_vlan_pif_of_network(st, nw->uuid);
	const char *parent = vpif ? net_state_real_bridge(st, nw->uuid) : NULL;
	const struct net_network *pnw = NULL;

	if (!vpif || !parent) {
		tx_real_bridge(n, a, nw);
		return;
	}
	for (size_t i = 0; i < st->n_networks; i++)
		if (!strcmp(st->networks[i].bridge, parent))
			pnw = &st->networks[i];
	if (pnw)
		tx_real_bridge(n, a, pnw);
	net_tx_fake_bridge(a, nw, parent, vpif->VLAN);
}

static const char *const bond_ovs_mode[] = {
	[NET_BOND_BALANCE_SLB] = "balance-slb",
	[NET_BOND_ACTIVE_BACKUP] = "active-backup",
	[NET_BOND_LACP] = "balance-tcp",
};

/* Appends the bond_mode/lacp/other_config column settings of a bond port. */
void net_tx_bond_settings(struct argv *a, const struct net_state *st, const struct net_bond *b)
{
	const struct net_pif *prim = net_state_pif(st, b->primary_slave);

	argv_add(a, "bond_mode=%s", bond_ovs_mode[b->mode]);
	argv_add(a, "lacp=%s", b->mode == NET_BOND_LACP ? "active" : "off");
	argv_add(a, "other_config:lacp-time=%s", b->lacp_fast ? "fast" : "slow");
	argv_add(a, "other_config:bond-detect-mode=carrier");
	argv_add(a, "other_config:bond-rebalance-interval=10000");
	if (b->mode == NET_BOND_LACP)
		argv_add(a, "other_config:lacp-fallback-ab=true");
	if (prim)
		argv_add(a, "other_config:bond-primary=%s", prim->device);
}

void net_tx_bond(struct argv *a, const struct net_state *st, const char *bridge,
		 const struct net_pif *master, const struct net_bond *b)
{
	for (size_t i = 0; i < b->n_slaves; i++) {
		const struct net_pif *s = net_state_pif(st, b->slaves[i]);
		argv_cmd(a);
		argv_add(a, "--if-exists");
		argv_add(a, "del-port");
		argv_add(a, "%s", s ? s->device : "");
	}
	argv_cmd(a);
	argv_add(a, "--if-exists");
	argv_add(a, "del-port");
	argv_add(a, "%s", master->device);
	argv_cmd(a);
	argv_add(a, "add-bond");
	argv_add(a, "%s", bridge);
	argv_add(a, "%s", master->device);
	for (size_t i = 0; i < b->n_slaves; i++) {
		const struct net_pif *s = net_state_pif(st, b->slaves[i]);
		argv_add(a, "%s", s ? s->device : "");
	}
	net_tx_bond_settings(a, st, b);
	argv_add(a, "external_ids:xs-pif-uuid=%s", master->uuid);
	tx_bridge_mac(a, bridge, master);
}

static void tx_phys_port(struct argv *a, const char *bridge, const struct net_pif *pif,
			 unsigned mtu)
{
	tx_bridge_mac(a, bridge, pif);
	argv_cmd(a);
	argv_add(a, "--if-exists");
	argv_add(a, "del-port");
	argv_add(a, "%s", pif->device);
	argv_cmd(a);
	argv_add(a, "add-port");
	argv_add(a, "%s", bridge);
	argv_add(a, "%s", pif->device);
	argv_cmd(a);
	argv_add(a, "set");
	argv_add(a, "Port");
	argv_add(a, "%s", pif->device);
	argv_add(a, "external_ids:xs-pif-uuid=%s", pif->uuid);
	argv_cmd(a);
	argv_add(a, "set");
	argv_add(a, "Interface");
	argv_add(a, "%s", pif->device);
	argv_add(a, "mtu_request=%u", mtu);
}

int net_tx_pif(struct net *n, struct argv *a, const struct net_state *st,
	       const struct net_pif *pif, struct net_err *err)
{
	const struct net_network *nw = net_state_network(st, pif->network);
	const struct net_bond *b;

	if (!nw || !nw->bridge[0]) {
		net_err_set(err, NET_E_HANDLE_INVALID, 2, "network", pif->network);
		return -1;
	}
	if (pif->bond_slave_of[0]) {
		net_err_set(err, NET_E_CANNOT_PLUG_BOND_SLAVE, 1, pif->uuid);
		return -1;
	}
	net_tx_bridge(n, a, st, nw);
	if (pif->VLAN >= 0)
		return 0;	/* the fake bridge is the VLAN PIF */
	b = net_state_bond(st, pif->bond_master_of);
	if (pif->bond_master_of[0] && !b) {
		net_err_set(err, NET_E_HANDLE_INVALID, 2, "Bond", pif->bond_master_of);
		return -1;
	}
	if (b)
		net_tx_bond(a, st, nw->bridge, pif, b);
	else
		tx_phys_port(a, nw->bridge, pif, mtu_of(nw));
	return 0;
}

void net_tx_vif(struct net *n, struct argv *a, const struct net_state *st,
		const struct net_vif *vif)
{
	const struct net_network *nw = net_state_network(st, vif->network);
	char port[NET_IFNAME_SIZE];

	(void)n;
	net_vif_port_name(vif, port, sizeof(port));
	argv_cmd(a);
	argv_add(a, "--if-exists");
	argv_add(a, "del-port");
	argv_add(a, "%s", port);
	argv_cmd(a);
	argv_add(a, "add-port");
	argv_add(a, "%s", nw ? nw->bridge : "");
	argv_add(a, "%s", port);
	argv_cmd(a);
	argv_add(a, "set");
	argv_add(a, "Interface");
	argv_add(a, "%s", port);
	argv_add(a, "external_ids:attached-mac=%s", vif->MAC);
	argv_add(a, "external_ids:iface-id=%s", vif->uuid);
	argv_add(a, "external_ids:xs-vif-uuid=%s", vif->uuid);
	argv_add(a, "external_ids:xs-network-uuid=%s", vif->network);
	argv_add(a, "external_ids:xs-vm-uuid=%s", vif->VM);
	argv_add(a, "mtu_request=%u", vif->MTU ? vif->MTU : mtu_of(nw));
}

void net_tx_tunnel(struct argv *a, const struct net_state *st, const struct net_tunnel *t)
{
	const char *br = net_state_bridge(st, t->network);

	for (size_t i = 0; i < t->n_remotes; i++) {
		char port[32];
		snprintf(port, sizeof(port), "vx%u.%zu", t->key, i);
		argv_cmd(a);
		argv_add(a, "--if-exists");
		argv_add(a, "del-port");
		argv_add(a, "%s", port);
		argv_cmd(a);
		argv_add(a, "add-port");
		argv_add(a, "%s", br ? br : "");
		argv_add(a, "%s", port);
		argv_cmd(a);
		argv_add(a, "set");
		argv_add(a, "Interface");
		argv_add(a, "%s", port);
		argv_add(a, "type=vxlan");
		argv_add(a, "options:remote_ip=%s", t->remote_ips[i]);
		argv_add(a, "options:key=%u", t->key);
		if (t->local_ip[0])
			argv_add(a, "options:local_ip=%s", t->local_ip);
		argv_add(a, "external_ids:xs-tunnel-uuid=%s", t->uuid);
		argv_add(a, "external_ids:xs-network-uuid=%s", t->network);
	}
}
